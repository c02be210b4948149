"""The reply commands' registry (rules/commands.yaml, checked against the routine) and the hjelp text."""

from __future__ import annotations

import re
import textwrap
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.domain import Role
from bot.routine.actions import STATE_CHANGING, Command
from bot.routine.plan import Plan
from bot.rulefile import RulesError, load_yaml

ALL_PARTS = "all"  # the `hospitals:` entry that names every health trust at once
Tag = tuple[str, str]  # (category, value): ("cmd", "confirm"), ("step", "ar_publisering"), ("neg", "") …


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CommandSpec(_Strict):
    name: Command
    words: list[str] = Field(min_length=1)
    weak_words: list[str] = []
    roles: list[Role] = Field(min_length=1)
    # Old key: who confirms which step is now `confirmed_by` in routine.yaml; when given, it must agree.
    kommune_steps: list[str] = []
    usage: str
    description: str


class Named(_Strict):
    label: str | None = None  # steps: the hjelp text's name for it; default: the routine's short label
    words: list[str] = Field(min_length=1)


class Vocabulary(_Strict):
    greetings: list[str]
    lead: list[str]
    connectors: list[str]
    trailing: list[str]
    negations: list[str]
    negation_exceptions: list[str] = []


class CommandFile(_Strict):
    commands: list[CommandSpec]
    steps: dict[str, Named]  # keys: steps of rules/routine.yaml
    hospitals: dict[str, Named]  # keys: health trusts of rules/routine.yaml, and `all`
    vocabulary: Vocabulary

    @field_validator("commands")
    @classmethod
    def _every_command_once(cls, commands: list[CommandSpec]) -> list[CommandSpec]:
        names = [c.name for c in commands]
        missing = [c.value for c in Command if c not in names]
        if missing or len(set(names)) != len(names):
            raise ValueError(f"every command exactly once; missing {missing}, listed {names}")
        owner: dict[tuple[str, ...], Command] = {}
        for spec in commands:
            for word in spec.words + spec.weak_words:
                if (other := owner.setdefault(words(word), spec.name)) != spec.name:
                    raise ValueError(f"word {word!r} belongs to both {other} and {spec.name}")
        return commands


@dataclass(frozen=True)
class CommandRules:
    """The validated registry plus its lexicon: token sequence → what those words can mean."""

    spec: CommandFile
    lexicon: dict[tuple[str, ...], frozenset[Tag]]
    longest: int
    part_step: str | None  # the step a health trust's name implies ("partneravtale HNT" without the step word)
    step_labels: dict[str, str]  # step → its name in the hjelp text
    kommune_confirms: tuple[str, ...]  # steps the kommune may confirm (routine.yaml `confirmed_by`)

    def roles(self, command: Command) -> frozenset[Role]:
        """Who may use `command` (its `roles`)."""
        return frozenset(next(c.roles for c in self.spec.commands if c.name == command))

    def refusal(self, command: Command, role: Role) -> str | None:
        """Why `role` may not use `command`, or None when it may."""
        if role in self.roles(command):
            return None
        spec = next(c for c in self.spec.commands if c.name == command)
        who = " og ".join({Role.COORDINATOR: "koordinatorer", Role.KOMMUNE: "kommunen"}[r] for r in spec.roles
                          if r is not Role.STRANGER)
        return f"Bare {who} kan bruke «{spec.usage}» (only {', '.join(r.value for r in spec.roles)} may use it)."


_FOLD = str.maketrans({"æ": "ae", "ø": "o", "ß": "ss", "đ": "d", "ł": "l"})
TOKEN = re.compile(r"\w+|[^\w\s]")
REPLY_KEY_HELP = (
    "Kommandoer som endrer en sak, teller bare når e-posten din er et svar på en e-post fra boten om "
    "saken: avsenderadressen i en ny e-post kan forfalskes av hvem som helst, men bare den som fikk "
    "e-posten fra boten, kan svare på den. Har du ingen e-post å svare på, skriv «status OPK-n» i "
    "emnefeltet og svar på svaret du får."
)

def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_FOLD))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(phrase: str) -> tuple[str, ...]:
    return tuple(fold(t) for t in TOKEN.findall(phrase))


def _check_against_plan(spec: CommandFile, plan: Plan, path: Path) -> tuple[str, ...]:
    """Step and trust keys must name the routine's; returns the steps the kommune may confirm."""
    for step in spec.steps:
        if step not in plan.steps:
            raise RulesError(path, f"steps.{step}", "not a step of routine.yaml")
        if not plan.step(step).confirmable:
            raise RulesError(path, f"steps.{step}", "this step is not confirmed by reply (see its completion)")
    for key in spec.hospitals:
        if key != ALL_PARTS and plan.trust(key) is None:
            raise RulesError(path, f"hospitals.{key}", "not a health trust of routine.yaml (or `all`)")
    kommune = tuple(s.name for s in plan.steps.values() if s.confirmable and Role.KOMMUNE in s.confirmed_by)
    for i, c in enumerate(spec.commands):
        if c.kommune_steps and set(c.kommune_steps) != set(kommune):
            raise RulesError(path, f"commands.{i}.kommune_steps", f"must match routine.yaml: {', '.join(kommune)} "
                             "(better: remove it; `confirmed_by` in routine.yaml decides)")
    return kommune


def load_command_rules(rules_dir: Path, plan: Plan) -> CommandRules:
    """Load rules/commands.yaml against the routine; a typo raises RulesError naming file and key."""
    path = rules_dir / "commands.yaml"
    spec = load_yaml(path, CommandFile)
    kommune_confirms = _check_against_plan(spec, plan, path)
    entries: list[tuple[str, Tag]] = []
    for c in spec.commands:
        entries += [(w, ("cmd", c.name.value)) for w in c.words]
        entries += [(w, ("weak", c.name.value)) for w in c.weak_words]
    for step, named in spec.steps.items():
        entries += [(w, ("step", step)) for w in named.words]
    for hf, named in spec.hospitals.items():
        entries += [(w, ("part", hf)) for w in named.words]
    v = spec.vocabulary
    for category, listed in (("greet", v.greetings), ("lead", v.lead), ("conn", v.connectors),
                             ("trail", v.trailing), ("neg", v.negations), ("negx", v.negation_exceptions)):
        entries += [(w, (category, "")) for w in listed]
    lexicon: dict[tuple[str, ...], frozenset[Tag]] = {}
    for word, tag in entries:
        key = words(word)
        lexicon[key] = lexicon.get(key, frozenset()) | {tag}
    part_step = plan.part_step
    step_labels = {s: n.label or plan.step(s).short_label for s, n in spec.steps.items()}
    return CommandRules(spec, lexicon, max(len(k) for k in lexicon), part_step.name if part_step else None,
                        step_labels, kommune_confirms)


def help_text(rules: CommandRules, role: Role) -> str:
    """The `hjelp` answer for this role, generated from the registry so it lists what is understood."""
    usable = [c for c in rules.spec.commands if role in c.roles]
    if not usable:
        return "Denne adressen kan ikke gi kommandoer til Oppkoblingsboten."
    out = ["Du kan svare på e-post fra Oppkoblingsboten med en av disse kommandoene først i svaret",
           "(eller som hele emnefeltet etter [OPK-n]):", ""]
    if any(c.name in STATE_CHANGING for c in usable):
        out += [*textwrap.wrap(REPLY_KEY_HELP, 96), ""]
    for c in usable:
        out += [f"  {c.usage}", f"      {c.description}"]
        if others := c.words[1:] + c.weak_words:
            out += textwrap.wrap(f"Også: {', '.join(others)}", 96, initial_indent=" " * 6,
                                 subsequent_indent=" " * 6)
        if role == Role.KOMMUNE and c.name is Command.CONFIRM:
            labels = ", ".join(rules.step_labels.get(s, s) for s in rules.kommune_confirms)
            out.append(f"      Kommunen kan bare bekrefte: {labels}.")
    steps = "; ".join(f"{n.words[0]} = {rules.step_labels[s]}" for s, n in rules.spec.steps.items())
    hfs = ", ".join(f"«{n.words[0]}»" for n in rules.spec.hospitals.values())
    out += ["", *textwrap.wrap(f"Steg: {steps}.", 96), f"HF: {hfs}."]
    return "\n".join(out) + "\n"
