"""The reply commands' registry (rules/commands.yaml, checked against the routine) and the hjelp text."""

from __future__ import annotations

import re
import textwrap
import unicodedata
from dataclasses import dataclass, field
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
    words: list[str] = Field(min_length=1)


class StepWords(Named):
    label: str | None = None  # the hjelp text's name for it; default: the routine's short label
    mentions: list[str] = []  # weaker names: message types, the step's verbs in other forms
    done: list[str] = []  # words that by themselves say this step is done ("publisert")
    done_when_named: list[str] = []  # words that say it is done when the step is named too ("apprec mottatt")


class Vocabulary(_Strict):
    greetings: list[str]
    requests: list[str] = []
    connectors: list[str]
    trailing: list[str]
    negations: list[str]
    negation_exceptions: list[str] = []


class Statements(_Strict):
    """The words a confirmation written as a sentence is judged by (see rules/commands.yaml)."""

    objects: list[str]
    future: list[str]
    not_yet: list[str]
    remaining: list[str]
    doubt: list[str]
    partial: list[str]
    problems: list[str]
    conditions: list[str]
    condition_openers: list[str]
    questions: list[str]
    question_verbs: list[str]
    subjects: list[str]
    speech: list[str]
    done: list[str]
    polite: list[str]
    sign_offs: list[str]


class CommandFile(_Strict):
    commands: list[CommandSpec]
    steps: dict[str, StepWords]  # keys: steps of rules/routine.yaml
    hospitals: dict[str, Named]  # keys: health trusts of rules/routine.yaml, and `all`
    vocabulary: Vocabulary
    statements: Statements

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
    typos: dict[str, tuple[tuple[str, frozenset[Tag]], ...]] = field(default_factory=dict)  # see `near_miss`

    def near_miss(self, token: str) -> frozenset[Tag] | None:
        """What an unknown word means when it is one typo away from a known one ("publsert", "ikek").

        Done words and step names (7 letters or more) are matched only when the first three and the last two
        letters agree, so "gjennomføre" (a plan) is never read as "gjennomført"; negations (4 or more) when
        the first letter does: a misspelt "ikke" must still stop a confirmation.
        """
        for word, tags in self.typos.get(token[:1], ()):
            if one_typo(token, word) and (len(word) < _TYPO_DONE or (token[:3] == word[:3]
                                                                     and token[-2:] == word[-2:])):
                return tags
        return None

    @property
    def trusts(self) -> tuple[str, ...]:
        """Every health trust's key, in the file's order ("alle" names them all)."""
        return tuple(k for k in self.spec.hospitals if k != ALL_PARTS)

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

_TYPO_DONE = 7  # done words and step names this long or longer are read through one typo
_TYPO_NEG = 4  # negations this long or longer
_TYPO_CATEGORIES = {"done": _TYPO_DONE, "named_done": _TYPO_DONE, "step": _TYPO_DONE, "neg": _TYPO_NEG,
                    "notyet": _TYPO_NEG}


def one_typo(a: str, b: str) -> bool:
    """True when a and b differ by exactly one letter added, dropped, changed or two swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k in range(len(short)) if short[k] != long_[k]), len(short))
    return short[i:] == long_[i + 1 :]


def _typos(lexicon: dict[tuple[str, ...], frozenset[Tag]]) -> dict[str, tuple[tuple[str, frozenset[Tag]], ...]]:
    """One-word entries that a misspelling may stand for, by first letter (negations first: they win)."""
    out: dict[str, list[tuple[str, frozenset[Tag]]]] = {}
    for key, tags in sorted(lexicon.items(), key=lambda kv: not any(c == "neg" for c, _ in kv[1])):
        if len(key) != 1 or not key[0].isalpha():
            continue
        minimum = min((n for c, _ in tags if (n := _TYPO_CATEGORIES.get(c)) is not None), default=None)
        if minimum is not None and len(key[0]) >= minimum:
            out.setdefault(key[0][:1], []).append((key[0], tags))
    return {k: tuple(v) for k, v in out.items()}


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


def _entries(spec: CommandFile) -> list[tuple[str, Tag]]:
    """Every word or phrase of the file with what it can mean: (phrase, (category, value))."""
    out: list[tuple[str, Tag]] = []
    for c in spec.commands:
        out += [(w, ("cmd", c.name.value)) for w in c.words]
        out += [(w, ("weak", c.name.value)) for w in c.weak_words]
    for step, named in spec.steps.items():
        for category, listed in (("step", named.words), ("mention", named.mentions), ("done", named.done),
                                 ("named_done", named.done_when_named)):
            out += [(w, (category, step)) for w in listed]
    for hf, hospital in spec.hospitals.items():
        out += [(w, ("part", hf)) for w in hospital.words]
    v, st = spec.vocabulary, spec.statements
    for category, listed in (
        ("greet", v.greetings), ("request", v.requests), ("conn", v.connectors), ("trail", v.trailing),
        ("neg", v.negations),
        ("neutral", v.negation_exceptions), ("obj", st.objects), ("future", st.future), ("notyet", st.not_yet),
        ("remain", st.remaining), ("doubt", st.doubt), ("partial", st.partial), ("problem", st.problems),
        ("cond", st.conditions), ("condopen", st.condition_openers), ("question", st.questions),
        ("qverb", st.question_verbs), ("subj", st.subjects), ("speech", st.speech), ("done", st.done),
        ("polite", st.polite), ("signoff", st.sign_offs),
    ):
        out += [(w, (category, "")) for w in listed]
    return out


def load_command_rules(rules_dir: Path, plan: Plan) -> CommandRules:
    """Load rules/commands.yaml against the routine; a typo raises RulesError naming file and key."""
    path = rules_dir / "commands.yaml"
    spec = load_yaml(path, CommandFile)
    kommune_confirms = _check_against_plan(spec, plan, path)
    lexicon: dict[tuple[str, ...], frozenset[Tag]] = {}
    for word, tag in _entries(spec):
        key = words(word)
        lexicon[key] = lexicon.get(key, frozenset()) | {tag}
    part_step = plan.part_step
    step_labels = {s: n.label or plan.step(s).short_label for s, n in spec.steps.items()}
    return CommandRules(spec, lexicon, max(len(k) for k in lexicon), part_step.name if part_step else None,
                        step_labels, kommune_confirms, _typos(lexicon))


def help_text(rules: CommandRules, role: Role) -> str:
    """The `hjelp` answer for this role, generated from the registry so it lists what is understood."""
    usable = [c for c in rules.spec.commands if role in c.roles]
    if not usable:
        return "Denne adressen kan ikke gi kommandoer til Oppkoblingsboten."
    out = ["Du kan svare på e-post fra Oppkoblingsboten med en av disse kommandoene først i svaret",
           "(eller som hele emnefeltet etter [OPK-n]). Et steg kan du også bekrefte med en vanlig setning,",
           "som «Tjenesten er nå publisert i AR». Hver bekreftelse siterer setningen boten leste, og kan",
           "angres med «angre».", ""]
    if any(c.name in STATE_CHANGING for c in usable):
        out += [*textwrap.wrap(REPLY_KEY_HELP, 96), ""]
    indent = " " * 6
    for c in usable:
        out += [f"  {c.usage}", *textwrap.wrap(c.description, 96, initial_indent=indent, subsequent_indent=indent)]
        if others := c.words[1:] + c.weak_words:
            out += textwrap.wrap(f"Også: {', '.join(others)}", 96, initial_indent=indent, subsequent_indent=indent)
        if role == Role.KOMMUNE and c.name in (Command.CONFIRM, Command.REOPEN):
            labels = ", ".join(rules.step_labels.get(s, s) for s in rules.kommune_confirms)
            verb = "bekrefte" if c.name is Command.CONFIRM else "åpne igjen"
            out.append(f"{indent}Kommunen kan bare {verb}: {labels}.")
    steps = "; ".join(f"{n.words[0]} = {rules.step_labels[s]}" for s, n in rules.spec.steps.items())
    hfs = ", ".join(f"«{n.words[0]}»" for n in rules.spec.hospitals.values())
    out += ["", *textwrap.wrap(f"Steg: {steps}.", 96), f"HF: {hfs}."]
    return "\n".join(out) + "\n"
