"""Reading a reply command (SPEC §4): keywords first on a line, confirmations and undo requests in sentences."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from bot.intake.command_registry import CommandRules
from bot.intake.dates import find_dates
from bot.intake.sentences import MAX_LINES, Kind, Sentence, Unit, sentences, strip_opening, units_of
from bot.intake.statements import Reading, read_reopen, read_sentence
from bot.routine.actions import Command


@dataclass(frozen=True)
class ParsedCommand:
    """A command read from a reply; the engine resolves step None to the step the mail was about."""

    command: Command
    step: str | None = None
    parts: tuple[str, ...] = ()  # a step confirmed per health trust: every one named, in order; () = none named
    text: str = ""  # avvik text
    new_date: date | None = None  # ny dato; None when the date could not be read
    sentence: str = ""  # the line or sentence it was read from, as written


_SEPARATORS = frozenset("-–—:.,!;/(")
_SUBJECT_PREFIX = re.compile(r"^\s*(?:(?:sv|svar|re|vs|aw|wg|fw|fwd|tr|videresend)\s*:|\[opk-\d+\])\s*", re.I)
_SUBJECT_TAG = re.compile(r"\[\s*opk-\d+\s*\]", re.I)
# Commands that take no value; "status OPK-12" names the case in a new mail from a coordinator.
_BARE = frozenset({Command.STATUS, Command.CANCEL, Command.HELP, Command.APPROVE_CONTACT})
_SUBJECT_CONFIRM = ("done", "named_done", "weak", "step", "part", "conn")


def _simple(units: Sequence[Unit]) -> bool:
    """Everything after the command word is politeness or punctuation ("Status på saken?")."""
    return all(u.has("trail") or u.text in _SEPARATORS or u.text == "?" for u in units)


def _strip_case_ref(units: list[Unit]) -> list[Unit]:
    """The units without one case reference ("OPK-12", also in brackets): "status OPK-12" is a bare status."""
    texts = [u.text for u in units]
    for i in range(len(texts) - 2):
        if texts[i] == "opk" and texts[i + 1] == "-" and texts[i + 2].isdigit():
            lo, hi = i, i + 3
            if lo and hi < len(texts) and texts[lo - 1] == "[" and texts[hi] == "]":
                lo, hi = lo - 1, hi + 1
            return units[:lo] + units[hi:]
    return units


def _keyword(rules: CommandRules, line: str, *, today: date) -> ParsedCommand | None:
    """A keyword command first on the line (after a greeting): avvik:, ny dato:, status, avbryt, hjelp, …"""
    units = strip_opening(units_of(rules, line))
    while units and units[0].has("request"):
        units = units[1:]
    if not units:
        return None
    first, raw = units[0], line.strip()
    name = first.value("cmd")
    rest_text = line[first.end :].strip()
    if name == Command.DEVIATION:
        return ParsedCommand(Command.DEVIATION, text=rest_text, sentence=raw)
    if name == Command.NEW_DATE:
        colon = rest_text.startswith(":") or first.text.endswith(":")
        dates = find_dates(rest_text.lstrip(":"), ref=today)
        found = dates[0].value if dates else None
        return ParsedCommand(Command.NEW_DATE, new_date=found, sentence=raw) if colon or found else None
    if name in _BARE and _simple(_strip_case_ref(units[1:])):
        return ParsedCommand(Command(str(name)), sentence=raw)
    return None


def _first_keyword(rules: CommandRules, text: str, today: date) -> tuple[int, ParsedCommand] | None:
    lines = text.splitlines()
    for k in [k for k, line in enumerate(lines) if line.strip()][:MAX_LINES]:
        found = _keyword(rules, lines[k], today=today)
        if found is not None and found.command == Command.DEVIATION:
            paragraph = (line.rstrip() for line in itertools.takewhile(str.strip, lines[k + 1 :]))
            return k, replace(found, text="\n".join([found.text, *paragraph]).strip())
        if found is not None:
            return k, found
    return None


def _stands(chosen: Reading, others: Sequence[Reading], part_step: str | None) -> bool:
    """A confirmation counts unless another sentence of the reply takes it back: a reported problem, or a
    negation, plan, doubt or question about the same step (or, unnamed, about any step)."""
    for other in others:
        if other.confirms and not other.weak and other.step == chosen.step:
            continue
        if chosen.weak:
            return False  # a bare "ok" counts only in a reply that says nothing else
        if not other.vetoes:
            continue
        if chosen.step is not None and chosen.step == part_step and other.trusts and chosen.parts \
                and not other.trusts & set(chosen.parts) and other.names <= {part_step}:
            continue  # "HNT kommer neste uke" beside "St. Olav er opprettet"
        if other.reports_problem:
            return False
        if chosen.step is None and (other.names or other.has_done):
            return False
        if chosen.step in other.names or (other.has_done and not other.names):
            return False
    return True


# Commands that only answer the sender: asked as a question, they count anywhere in it ("Hva er status?").
_ASKED = frozenset({Command.STATUS, Command.HELP})


def _question(rules: CommandRules, said: Sequence[Sentence]) -> tuple[int, ParsedCommand] | None:
    """The first question that asks for the status or for help ("Hva er status på saken?", "Hvilke kommandoer
    kan jeg bruke? Hjelp?").

    A reply that reports a problem asks a person for help ("Vi får en feil. Kan dere hjelpe?"): it goes to
    the coordinators, not to the list of commands.
    """
    problem = any(read_sentence(s.units, rules).reports_problem for s in said if s.kind is Kind.CONTENT)
    for s in said:
        if s.kind is not Kind.CONTENT or not read_sentence(s.units, rules).vetoes >= {"question"}:
            continue
        asked = {c for u in s.units if u.text.isalnum() and (c := u.value("cmd")) in _ASKED}
        if len(asked) == 1 and not (problem and Command.HELP in asked):
            return s.line, ParsedCommand(Command(asked.pop()), sentence=s.text)
    return None


def _statement(rules: CommandRules, said: Sequence[Sentence]) -> tuple[int, ParsedCommand] | None:
    """The first undo request or confirmation among the sentences, if the rest of the reply lets it stand."""
    content = [s for s in said if s.kind is Kind.CONTENT]
    readings = [read_sentence(s.units, rules) for s in content]
    for s in content:
        reopen = read_reopen(s.units, rules)
        if reopen is not None:
            return s.line, ParsedCommand(Command.REOPEN, step=reopen[0], parts=reopen[1], sentence=s.text)
        if any(r.confirms for r in readings):
            break
    found = [(s, r) for s, r in zip(content, readings, strict=True) if r.confirms]
    chosen = next(((s, r) for s, r in found if not r.weak), found[0] if found else None)
    if chosen is None:
        return None
    sentence, reading = chosen
    others = [r for r in readings if r is not reading]
    if not _stands(reading, others, rules.part_step):
        return None
    parts = reading.parts
    if reading.step is not None and reading.step == rules.part_step:
        parts = tuple(dict.fromkeys(p for r in readings if r.confirms and r.step == reading.step for p in r.parts))
    return sentence.line, ParsedCommand(Command.CONFIRM, step=reading.step, parts=parts, sentence=sentence.text)


def _subject_command(rules: CommandRules, subject: str) -> ParsedCommand | None:
    """A subject that is nothing but a command ("SV: [OPK-3] publisert", "AR ok", "Status?")."""
    rest = subject
    while (stripped := _SUBJECT_PREFIX.sub("", rest, count=1)) != rest:
        rest = stripped
    rest = _SUBJECT_TAG.sub(" ", rest).strip()
    units = strip_opening(units_of(rules, rest))
    if not units:
        return None
    name = units[0].value("cmd")
    if name in _BARE and _simple(_strip_case_ref(units[1:])):
        return ParsedCommand(Command(str(name)), sentence=rest)
    words = units[:-1] if units[-1].text in {".", "!"} else units
    if not all(any(u.has(c) for c in _SUBJECT_CONFIRM) or u.value("cmd") == Command.CONFIRM for u in words):
        return None
    reading = read_sentence(words, rules)
    if not reading.confirms:
        return None
    return ParsedCommand(Command.CONFIRM, step=reading.step, parts=reading.parts, sentence=rest)


def read_command(subject: str, new_text: str, rules: CommandRules, *, today: date) -> ParsedCommand | None:
    """The command in a reply: a keyword first on one of the first lines, or a confirmation or undo request
    in the first sentences, whichever comes first; else the whole subject.

    The subject is consulted only when the text holds no command, and only as a whole: after the
    SV:/Re:/VS:/AW:/Fwd: prefixes and the [OPK-n] tag, the entire rest must be a bare command
    ("publisert", "AR ok", "status"). A reply keeps the bot's own subject, so anything longer
    ("Påminnelse om publisering i AR") is never a command, and avvik/ny dato, which carry a value,
    are only read from the text.
    """
    said = sentences(rules, new_text)
    found = [c for c in (_first_keyword(rules, new_text, today), _statement(rules, said), _question(rules, said)) if c]
    if found:
        return min(found, key=lambda c: c[0])[1]
    return _subject_command(rules, subject)
