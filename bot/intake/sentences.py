"""A reply's first lines as sentences of known words: greetings dropped, the signature left out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.intake.command_registry import TOKEN, CommandRules, Tag, fold

MAX_LINES = 10  # SPEC §4: commands are read from the first non-empty lines of the new text
MAX_LINE_CHARS = 1000  # of each; no sentence anyone confirms with is longer
_BULLETS = frozenset("-–*•·>")
# A full stop after these is not the end of a sentence ("St. Olav", "kl. 10", "f.eks. AR").
_ABBREVIATIONS = frozenset({"st", "kl", "ca", "nr", "tlf", "mob", "dvs", "evt", "ev", "jf", "mht", "pr", "ref",
                            "avd", "stk", "dr", "mr", "mrs", "ms", "osv", "bl", "eks", "f", "a", "m", "v", "h",
                            "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "okt", "oct", "nov",
                            "des", "dec", "e", "g", "i", "vs", "etc", "inkl", "ang", "vedr"})
_SENTENCE_END = re.compile(r"[.!?]+(?=\s)|[!?]+")
_WRAP_END = (".", "!", "?", ":", ";")


class Kind(StrEnum):
    GREETING = "greeting"  # nothing but a greeting or thanks ("Hei Kari!", "Takk for påminnelsen.")
    POLITE = "polite"  # politeness that says nothing about a step ("Beklager sent svar.")
    CONTENT = "content"


@dataclass(frozen=True)
class Unit:
    """One word or known phrase of a sentence (folded), what it can mean, and where it ends in the sentence."""

    text: str
    tags: frozenset[Tag]
    end: int

    def has(self, category: str) -> bool:
        return any(c == category for c, _ in self.tags)

    def value(self, category: str) -> str | None:
        return next((v for c, v in self.tags if c == category), None)

    def values(self, category: str) -> frozenset[str]:
        return frozenset(v for c, v in self.tags if c == category)


@dataclass(frozen=True)
class Sentence:
    text: str  # as written, its lines joined with a space
    units: tuple[Unit, ...]  # after an opening bullet and greeting
    line: int  # the index of its first line in the new text
    kind: Kind


def units_of(rules: CommandRules, text: str) -> list[Unit]:
    """Split a text into the longest known phrases (longest match wins: "St. Olavs hospital", "ikke noe avvik")."""
    matches = list(TOKEN.finditer(text))
    folded = [fold(m.group()) for m in matches]
    out: list[Unit] = []
    i = 0
    while i < len(matches):
        for n in range(min(rules.longest, len(matches) - i), 0, -1):
            tags = rules.lexicon.get(tuple(folded[i : i + n]))
            if tags is None and n == 1 and len(folded[i]) >= 4:
                tags = rules.near_miss(folded[i])
            if tags is not None or n == 1:
                out.append(Unit(" ".join(folded[i : i + n]), tags or frozenset(), matches[i + n - 1].end()))
                i += n
                break
    return out


def strip_opening(units: list[Unit]) -> list[Unit]:
    """Drop a leading bullet ("-", "*", "1.") and a greeting up to its punctuation ("Hei Kari,")."""
    if units and units[0].text in _BULLETS:
        units = units[1:]
    elif len(units) > 1 and units[0].text.isdigit() and units[1].text in {".", ")"}:
        units = units[2:]
    if units and units[0].has("greet"):
        stop = next((i for i, u in enumerate(units[:6]) if u.text in {",", "!", ".", ":"}), None)
        if stop is None:
            # "Hei Kari", "Takk for påminnelsen" without punctuation: all greeting when nothing else is said.
            return units[1:] if _says_something(units[1:]) else []
        return strip_opening(units[stop + 1 :])
    return units


def _is_sign_off(rules: CommandRules, line: str) -> bool:
    """A short line opening with a sign-off ("Mvh", "Med vennlig hilsen Kari", "Sendt fra min iPhone"), or "--"."""
    if line.strip() in {"--", "-- ", "—"}:
        return True
    units = units_of(rules, line)
    return bool(units) and units[0].has("signoff") and len([u for u in units if u.text.isalnum()]) <= 6


def _lines(rules: CommandRules, text: str) -> list[tuple[int, str]]:
    """The first MAX_LINES non-empty lines before the signature, each with its index; a line a client wrapped
    is joined to the one before it (it goes on in lower case, or after a long line that did not end)."""
    out: list[tuple[int, str]] = []
    previous_blank = True
    for i, raw in enumerate(text.splitlines()):
        line = raw[:MAX_LINE_CHARS].strip()
        if not line:
            previous_blank = True
            continue
        if _is_sign_off(rules, line) or len(out) >= MAX_LINES:
            break
        if out and not previous_blank and _continues(out[-1][1], line):
            out[-1] = (out[-1][0], f"{out[-1][1]} {line}")
        else:
            out.append((i, line))
        previous_blank = False
    return out


def _continues(before: str, line: str) -> bool:
    if before.endswith(_WRAP_END) or line[0] in _BULLETS or (line[0].isdigit() and line[1:2] in {".", ")"}):
        return False
    return line[0].islower() or len(before) >= 60


def _split(line: str) -> list[str]:
    """One line's sentences, at . ! ? that end a sentence (not "St. Olav", "15. mars", "kl. 10")."""
    out: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(line):
        before = line[start : m.start()].split()
        word = before[-1].lower().strip("(") if before else ""
        rest = line[m.end() :].lstrip()
        if m.group()[0] == "." and (word in _ABBREVIATIONS or (word.isdigit() and len(word) <= 2)
                                    or (rest[:1].islower())):
            continue
        out.append(line[start : m.end()].strip())
        start = m.end()
    if line[start:].strip():
        out.append(line[start:].strip())
    return out


def _kind(units: list[Unit]) -> Kind:
    if not [u for u in units if u.text.isalnum()]:
        return Kind.GREETING
    return Kind.POLITE if units[0].has("polite") and not _says_something(units) else Kind.CONTENT


_MEANINGFUL = ("cmd", "weak", "step", "mention", "done", "named_done", "part", "neg", "future", "notyet", "remain",
               "doubt", "partial", "problem", "question")


def _says_something(units: list[Unit]) -> bool:
    return any(u.has(c) for u in units for c in _MEANINGFUL)


def sentences(rules: CommandRules, text: str) -> list[Sentence]:
    """The sentences of the first lines of a reply's new text, in order, each read into units."""
    out: list[Sentence] = []
    for index, line in _lines(rules, text):
        for part in _split(line):
            units = strip_opening(units_of(rules, part))
            out.append(Sentence(part, tuple(units), index, _kind(units)))
    return out
