"""Reading a reply command (SPEC §4): the first lines of the new text, else the whole subject, as sentences."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace
from datetime import date

from bot.intake.command_registry import ALL_PARTS, TOKEN, CommandRules, Tag, fold
from bot.intake.dates import find_dates
from bot.routine.actions import Command


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


_SEPARATORS = frozenset("-–—:.,!;/(")
_BULLETS = frozenset("-–*•·>")
_SUBJECT_PREFIX = re.compile(r"^\s*(?:(?:sv|svar|re|vs|aw|wg|fw|fwd|tr|videresend)\s*:|\[opk-\d+\])\s*", re.I)
_SUBJECT_TAG = re.compile(r"\[\s*opk-\d+\s*\]", re.I)
# Commands that take no value; "status OPK-12" names the case in a new mail from a coordinator.
_BARE = frozenset({Command.STATUS, Command.CANCEL, Command.HELP, Command.APPROVE_CONTACT})


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
    matches = list(TOKEN.finditer(line))
    folded = [fold(m.group()) for m in matches]
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
