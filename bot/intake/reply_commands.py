"""Reply commands (SPEC §4): the registry from rules/commands.yaml, reading a reply, and the hjelp text."""

from __future__ import annotations

import itertools
import re
import textwrap
import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.domain import Role
from bot.intake.dates import find_dates
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
                if (other := owner.setdefault(_words(word), spec.name)) != spec.name:
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


@dataclass(frozen=True)
class ParsedCommand:
    """A command read from a reply; the engine resolves step None to the step the mail was about."""

    command: Command
    step: str | None = None
    part: str | None = None  # a step confirmed per health trust: the (first) one named; None = all or none
    text: str = ""  # avvik text
    new_date: date | None = None  # ny dato; None when the date could not be read
    raw_line: str = ""
    parts: tuple[str, ...] = ()  # every HF named, in order (a line may name two)


_FOLD = str.maketrans({"æ": "ae", "ø": "o", "ß": "ss", "đ": "d", "ł": "l"})
_TOKEN = re.compile(r"\w+|[^\w\s]")
_SEPARATORS = frozenset("-–—:.,!;/(")
_BULLETS = frozenset("-–*•·>")
_SUBJECT_PREFIX = re.compile(r"^\s*(?:(?:sv|svar|re|vs|aw|wg|fw|fwd|tr|videresend)\s*:|\[opk-\d+\])\s*", re.I)
_SUBJECT_TAG = re.compile(r"\[\s*opk-\d+\s*\]", re.I)
REPLY_KEY_HELP = (
    "Kommandoer som endrer en sak, teller bare når e-posten din er et svar på en e-post fra boten om "
    "saken: avsenderadressen i en ny e-post kan forfalskes av hvem som helst, men bare den som fikk "
    "e-posten fra boten, kan svare på den. Har du ingen e-post å svare på, skriv «status OPK-n» i "
    "emnefeltet og svar på svaret du får."
)
# Commands that take no value; "status OPK-12" names the case in a new mail from a coordinator.
_BARE = frozenset({Command.STATUS, Command.CANCEL, Command.HELP, Command.APPROVE_CONTACT})


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_FOLD))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _words(phrase: str) -> tuple[str, ...]:
    return tuple(_fold(t) for t in _TOKEN.findall(phrase))


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
    for category, words in (("greet", v.greetings), ("lead", v.lead), ("conn", v.connectors),
                            ("trail", v.trailing), ("neg", v.negations), ("negx", v.negation_exceptions)):
        entries += [(w, (category, "")) for w in words]
    lexicon: dict[tuple[str, ...], frozenset[Tag]] = {}
    for word, tag in entries:
        key = _words(word)
        lexicon[key] = lexicon.get(key, frozenset()) | {tag}
    part_step = plan.part_step
    step_labels = {s: n.label or plan.step(s).short_label for s, n in spec.steps.items()}
    return CommandRules(spec, lexicon, max(len(k) for k in lexicon), part_step.name if part_step else None,
                        step_labels, kommune_confirms)


@dataclass(frozen=True)
class _Unit:
    """One word or phrase of a line, with what it can mean and where it ends in the original."""

    text: str
    tags: frozenset[Tag]
    end: int

    def has(self, category: str) -> bool:
        return any(c == category for c, _ in self.tags)

    def value(self, category: str) -> str | None:
        return next((v for c, v in self.tags if c == category), None)


def _units(rules: CommandRules, line: str) -> list[_Unit]:
    """Split a line into the longest known phrases (longest match wins: "St. Olavs hospital")."""
    matches = list(_TOKEN.finditer(line))
    folded = [_fold(m.group()) for m in matches]
    out: list[_Unit] = []
    i = 0
    while i < len(matches):
        for n in range(min(rules.longest, len(matches) - i), 0, -1):
            tags = rules.lexicon.get(tuple(folded[i : i + n]))
            if tags is not None or n == 1:
                out.append(_Unit(" ".join(folded[i : i + n]), tags or frozenset(), matches[i + n - 1].end()))
                i += n
                break
    return out


def _strip_opening(units: list[_Unit]) -> list[_Unit]:
    """Drop a leading bullet ("-", "*", "1.") and a greeting up to its punctuation ("Hei Kari,")."""
    if units and units[0].text in _BULLETS:
        units = units[1:]
    elif len(units) > 1 and units[0].text.isdigit() and units[1].text in {".", ")"}:
        units = units[2:]
    if units and units[0].has("greet"):
        stop = next((i for i, u in enumerate(units[:6]) if u.text in {",", "!", "."}), None)
        return [] if stop is None else _strip_opening(units[stop + 1 :])
    return units


def _simple(units: list[_Unit]) -> bool:
    """Everything after the command word is politeness or punctuation ("Status på saken?")."""
    return all(u.has("trail") or u.text in _SEPARATORS or u.text == "?" for u in units)


def _strip_case_ref(units: list[_Unit]) -> list[_Unit]:
    """The units without one case reference ("OPK-12", also in brackets): "status OPK-12" is a bare status."""
    texts = [u.text for u in units]
    for i in range(len(texts) - 2):
        if texts[i] == "opk" and texts[i + 1] == "-" and texts[i + 2].isdigit():
            lo, hi = i, i + 3
            if lo and hi < len(texts) and texts[lo - 1] == "[" and texts[hi] == "]":
                lo, hi = lo - 1, hi + 1
            return units[:lo] + units[hi:]
    return units


def _is_confirm_word(unit: _Unit) -> bool:
    return unit.value("cmd") == Command.CONFIRM or unit.value("weak") == Command.CONFIRM


def _stepish(unit: _Unit, *, punct: bool = False) -> bool:
    return any(unit.has(c) for c in ("step", "part", "conn")) or (punct and unit.text in {":", "-", "–"})


def _confirm(units: list[_Unit], *, whole: bool) -> list[_Unit] | None:
    """Match a confirmation ("Ferdig med AR.", "AR er publisert nå", "Ja, AR er publisert").

    Strong words may follow lead words ("Vi har publisert") and be followed by free text after a
    separator; weak words (ok/ja) count alone, after a step name, or before another confirmation.
    A negation or a question mark anywhere on the line vetoes: a missed confirmation is forwarded
    to a person, a false one silently closes a step. Returns the units with the confirm word first.
    """
    if any(u.has("neg") for u in units) or any(u.text == "?" for u in units):
        return None
    lead = next((k for k, u in enumerate(units) if not u.has("lead") or _is_confirm_word(u)), len(units))
    i = lead
    while i < len(units) and not _is_confirm_word(units[i]) and _stepish(units[i], punct=True):
        i += 1
    if i == len(units) or not _is_confirm_word(units[i]):
        return None
    weak, named = units[i].value("cmd") != Command.CONFIRM, units[lead:i]
    if (lead and (weak or named)) or (named and not any(u.has("step") or u.has("part") for u in named)):
        return None
    weak = weak and not named  # "Testmeldinger OK – apprec mottatt": the step name anchors the ok
    j = i + 1
    while j < len(units) and _stepish(units[j]):
        j += 1
    rest = units[j:]
    if rest and not _simple(rest) and (whole or rest[0].text not in _SEPARATORS
                                       or (weak and _confirm(rest[1:], whole=False) is None)):
        return None
    return [units[i], *units[:i], *units[i + 1 :]]


def _resolve_step(units: list[_Unit], part_step: str | None) -> tuple[str | None, tuple[str, ...]]:
    """The step named on the line (before the confirm word's own meaning: "publisert"), and the HFs.
    Naming a health trust alone means the step confirmed per health trust."""
    named = [s for u in units[1:] if (s := u.value("step"))]
    hfs = [h for u in units[1:] if (h := u.value("part"))]
    own = units[0].value("step")
    step = named[0] if named else part_step if hfs else own
    if step is None or step != part_step or ALL_PARTS in hfs:
        return step, ()
    return step, tuple(dict.fromkeys(hfs))


def _read_line(rules: CommandRules, line: str, *, today: date, whole: bool) -> ParsedCommand | None:
    units = _strip_opening(_units(rules, line))
    if not units:
        return None
    first, raw = units[0], line.strip()
    name = first.value("cmd")
    rest_text = line[first.end :].strip()
    if name == Command.DEVIATION and not whole:
        return ParsedCommand(Command.DEVIATION, text=rest_text, raw_line=raw)
    if name == Command.NEW_DATE and not whole:
        colon = rest_text.startswith(":") or first.text.endswith(":")
        dates = find_dates(rest_text.lstrip(":"), ref=today)
        found = dates[0].value if dates else None
        return ParsedCommand(Command.NEW_DATE, new_date=found, raw_line=raw) if colon or found else None
    if name in _BARE and _simple(_strip_case_ref(units[1:])):
        return ParsedCommand(Command(str(name)), raw_line=raw)
    found_confirm = _confirm([u for u in units if not u.has("negx")], whole=whole)
    if found_confirm is None:
        return None
    step, parts = _resolve_step(found_confirm, rules.part_step)
    return ParsedCommand(Command.CONFIRM, step=step, part=parts[0] if parts else None,
                         raw_line=raw, parts=parts)


def read_command(subject: str, new_text: str, rules: CommandRules, *, today: date,
                 max_lines: int = 10) -> ParsedCommand | None:
    """The command in a reply: the first of the first `max_lines` non-empty lines, else the subject.

    The subject is consulted only when no line holds a command, and only as a whole: after the
    SV:/Re:/VS:/AW:/Fwd: prefixes and the [OPK-n] tag, the entire rest must be a bare command
    ("publisert", "AR ok", "status"). A reply keeps the bot's own subject, so anything longer
    ("Påminnelse om publisering i AR") is never a command, and avvik/ny dato, which carry a value,
    are only read from the text.
    """
    lines = new_text.splitlines()
    for k in [k for k, line in enumerate(lines) if line.strip()][:max_lines]:
        found = _read_line(rules, lines[k], today=today, whole=False)
        if found is not None and found.command == Command.DEVIATION:
            paragraph = (line.rstrip() for line in itertools.takewhile(str.strip, lines[k + 1 :]))
            return replace(found, text="\n".join([found.text, *paragraph]).strip())
        if found is not None:
            return found
    rest = subject
    while (stripped := _SUBJECT_PREFIX.sub("", rest, count=1)) != rest:
        rest = stripped
    return _read_line(rules, _SUBJECT_TAG.sub(" ", rest), today=today, whole=True)


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
