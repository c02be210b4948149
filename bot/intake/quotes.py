"""Quote cutting: a message text split into its own new text and the quoted rest (rules/quotes.yaml)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.rulefile import RULES_DIR, RulesError, load_yaml

QUOTES_FILE = RULES_DIR / "quotes.yaml"


class BoundaryKind(StrEnum):
    SEPARATOR = "separator"
    FORWARD = "forward"
    ATTRIBUTION = "attribution"
    SIGNATURE = "signature"


class _Pattern(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, pattern=r"^[a-z0-9_]+$")
    kind: BoundaryKind
    regex: str
    # The next non-blank line must be a quote-header label line ("Fra:", "From:", "Sendt:", …): a line of
    # underscores is Outlook's separator only when its header block follows, else it is the sender's own.
    header_next: bool = False

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regex: {exc}") from exc
        return value


class _HeaderBlock(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    lookahead_lines: int = Field(ge=1, le=20)
    from_labels: list[str] = Field(min_length=1)
    date_labels: list[str] = Field(min_length=1)
    other_labels: list[str] = Field(min_length=1)


class QuoteRulesFile(BaseModel):
    """The schema of rules/quotes.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_attribution_lines: int = Field(default=3, ge=1, le=5)
    header_block: _HeaderBlock
    patterns: list[_Pattern] = Field(min_length=1)


@dataclass(frozen=True)
class QuoteCut:
    """A text split into what the sender wrote now and what was quoted (kept, never thrown away)."""

    new_text: str
    quoted_text: str
    rule: str | None  # what cut first: a pattern name, "header_block" or "quote_marker"; None


@dataclass(frozen=True)
class _Compiled:
    name: str
    kind: BoundaryKind
    regex: re.Pattern[str]
    header_next: bool = False


@dataclass(frozen=True)
class QuoteRules:
    """Compiled patterns, ready to cut."""

    patterns: tuple[_Compiled, ...]
    max_attribution_lines: int
    lookahead_lines: int
    from_label: re.Pattern[str]
    date_label: re.Pattern[str]
    other_label: re.Pattern[str]


def _label_regex(labels: list[str]) -> re.Pattern[str]:
    # "*Fra:*" and "**Fra:**" come from HTML→text converters that mark bold labels.
    alternatives = "|".join(re.escape(label) for label in sorted(labels, key=len, reverse=True))
    return re.compile(rf"^\s*[*_]{{0,2}}\s*(?:{alternatives})\s*[*_]{{0,2}}\s*:(?:\s|[*_]|$)", re.IGNORECASE)


def compile_rules(model: QuoteRulesFile, path: Path | str = QUOTES_FILE) -> QuoteRules:
    """Compile a validated rules file; a regex that still fails to compile is a RulesError with its key."""
    compiled: list[_Compiled] = []
    for index, pattern in enumerate(model.patterns):
        try:
            regex = re.compile(pattern.regex, re.IGNORECASE)
            compiled.append(_Compiled(pattern.name, pattern.kind, regex, pattern.header_next))
        except re.error as exc:
            raise RulesError(path, f"patterns.{index}.regex", f"invalid regex: {exc}") from exc
    block = model.header_block
    return QuoteRules(
        patterns=tuple(compiled),
        max_attribution_lines=model.max_attribution_lines,
        lookahead_lines=block.lookahead_lines,
        from_label=_label_regex(block.from_labels),
        date_label=_label_regex(block.date_labels),
        other_label=_label_regex(block.other_labels),
    )


def load_quote_rules(path: Path = QUOTES_FILE) -> QuoteRules:
    """Load and compile rules/quotes.yaml (or another file of that schema); raises RulesError."""
    return compile_rules(load_yaml(path, QuoteRulesFile), path)


@lru_cache(maxsize=1)
def default_rules() -> QuoteRules:
    return load_quote_rules(QUOTES_FILE)


_QUOTE_LINE = re.compile(r"^\s*>")


@dataclass(frozen=True)
class _Boundary:
    line: int
    span: int  # how many lines the marker itself takes
    kind: BoundaryKind | None  # None for the header block
    rule: str


def _is_header_block(lines: list[str], i: int, rules: QuoteRules) -> bool:
    """A quote header block starts here: a from-label line (or a date-label line, as some clients put
    "Date:" first), with the other two kinds of label within the lookahead."""
    line = lines[i]
    starts_from = bool(rules.from_label.match(line))
    if not starts_from and not rules.date_label.match(line):
        return False
    if _QUOTE_LINE.match(line):
        return False
    window = lines[i + 1 : i + 1 + rules.lookahead_lines]
    has_from = starts_from or any(rules.from_label.match(w) for w in window)
    has_date = any(rules.date_label.match(w) for w in window) if starts_from else True
    has_other = any(
        rules.other_label.match(w) and not rules.date_label.match(w) and not rules.from_label.match(w)
        for w in window
    )
    return has_from and has_date and has_other


def _is_label_line(line: str, rules: QuoteRules) -> bool:
    return bool(rules.from_label.match(line) or rules.date_label.match(line) or rules.other_label.match(line))


def _match_single(lines: list[str], i: int, rules: QuoteRules) -> _Compiled | None:
    line = lines[i]
    for pattern in rules.patterns:
        if pattern.regex.match(line):
            if pattern.header_next:
                following = _next_content(lines, i + 1)
                if following is None or not _is_label_line(lines[following], rules):
                    continue
            return pattern
    return None


# A line that ends like a sentence stops an attribution from being joined with the next line; a date's
# "23." or a month's or weekday's "mar." / "So." does not (Gmail wraps "… schrieb am So., 23.\nJuni 2024").
_DATE_ABBREVIATION = re.compile(
    r"(?:^|[\s,(])(?:\d{1,2}|jan|feb|mar|apr|jun|jul|aug|sep|sept|okt|oct|nov|des|dec|dez"
    r"|man|tir|ons|tor|fre|lør|søn|mon|tue|wed|thu|fri|sat|sun|mo|di|mi|do|fr|sa|so|må|ti|on|to|lö|sö)\.$",
    re.IGNORECASE,
)


def _ends_sentence(text: str) -> bool:
    if text.endswith(("!", "?")):
        return True
    return text.endswith(".") and not _DATE_ABBREVIATION.search(text)


def _attribution_at(lines: list[str], i: int, rules: QuoteRules) -> tuple[_Compiled, int] | None:
    """An attribution starting at line i, spanning up to max_attribution_lines wrapped lines."""
    if not lines[i].strip() or _QUOTE_LINE.match(lines[i]):
        return None
    joined = lines[i].strip()
    for extra in range(1, rules.max_attribution_lines):
        j = i + extra
        if j >= len(lines) or not lines[j].strip() or _QUOTE_LINE.match(lines[j]):
            return None
        # If the next line is an attribution on its own, line i is ordinary text before it.
        single = _match_single(lines, j, rules)
        if single is not None and single.kind is BoundaryKind.ATTRIBUTION:
            return None
        if _ends_sentence(joined):
            return None
        joined = f"{joined} {lines[j].strip()}"
        found = _attribution_pattern(joined, rules)
        if found is not None:
            # A line i that ended with "5." or "mar." was joined on trust: if the lines after it
            # already make the attribution, line i is the sender's own sentence.
            if extra > 1 and lines[i].rstrip().endswith(".") and _attribution_pattern(" ".join(x.strip() for x in lines[i + 1 : j + 1]), rules):
                return None
            return found, extra + 1
    return None


def _attribution_pattern(text: str, rules: QuoteRules) -> _Compiled | None:
    for pattern in rules.patterns:
        if pattern.kind is BoundaryKind.ATTRIBUTION and pattern.regex.match(text):
            return pattern
    return None


_CONTINUATION = re.compile(
    r"^\s*(?:<?[\w.+'-]+@[\w.-]+>?|skrev\b|skreiv\b|wrote\b|schrieb\b|a écrit\b)", re.IGNORECASE
)


def _wrapped_start(lines: list[str], i: int) -> int:
    """Where an attribution whose tail matched on line i really starts, when a client wrapped it."""
    start = i
    # Gmail wraps before the address ("… Navn <" / "adr>:"), Outlook before "skrev:".
    while start > 0 and i - start < 2 and _CONTINUATION.match(lines[start]):
        previous = lines[start - 1]
        if not previous.strip() or _QUOTE_LINE.match(previous) or _ends_sentence(previous.rstrip()):
            break
        start -= 1
    return start


def _boundaries(lines: list[str], rules: QuoteRules) -> list[_Boundary]:
    found: list[_Boundary] = []
    for i, line in enumerate(lines):
        if not line.strip() or _QUOTE_LINE.match(line):
            continue
        if _is_header_block(lines, i, rules):
            found.append(_Boundary(i, 1, None, "header_block"))
            continue
        single = _match_single(lines, i, rules)
        if single is not None:
            start = i
            name = single.name
            if single.kind is BoundaryKind.ATTRIBUTION:
                start = _wrapped_start(lines, i)
                joined = " ".join(line.strip() for line in lines[start : i + 1])
                name = next(
                    (p.name for p in rules.patterns if p.kind is single.kind and p.regex.match(joined)), name
                )
            if found and found[-1].line >= start:
                found.pop()
            found.append(_Boundary(start, i - start + 1, single.kind, name))
            continue
        multi = _attribution_at(lines, i, rules)
        if multi is not None:
            found.append(_Boundary(i, multi[1], BoundaryKind.ATTRIBUTION, multi[0].name))
    return found


def _next_content(lines: list[str], start: int) -> int | None:
    for j in range(start, len(lines)):
        if lines[j].strip():
            return j
    return None


def _join(lines: list[str]) -> str:
    return "\n".join(lines).strip("\n")


def _cut(lines: list[str], rules: QuoteRules) -> QuoteCut:
    boundaries = _boundaries(lines, rules)
    attribution_lines: set[int] = set()
    hard: _Boundary | None = None
    for boundary in boundaries:
        if boundary.kind is BoundaryKind.ATTRIBUTION:
            follower = _next_content(lines, boundary.line + boundary.span)
            if follower is not None and _QUOTE_LINE.match(lines[follower]):
                # A '>' block follows: the attribution is cut, and inline answers below it may survive.
                attribution_lines.update(range(boundary.line, boundary.line + boundary.span))
                continue
        hard = boundary
        break

    end = hard.line if hard is not None else len(lines)
    head = lines[:end]
    tail = lines[end:]
    attribution_lines.update(_wrapped_quote_tails(head))

    # The trailing run of quote/attribution/blank lines before the hard boundary is one quoted block.
    last_own = -1
    for i, line in enumerate(head):
        if line.strip() and not _QUOTE_LINE.match(line) and i not in attribution_lines:
            last_own = i
    own: list[str] = []
    quoted: list[str] = []
    first_rule: str | None = None
    removed_since_text = False
    for i, line in enumerate(head):
        is_quote = bool(_QUOTE_LINE.match(line)) or i in attribution_lines
        if i > last_own or is_quote:
            quoted.append(line)
            removed_since_text = True
            if is_quote and first_rule is None:
                first_rule = _rule_of(i, boundaries, attribution_lines)
        elif not line.strip() and removed_since_text and own and not own[-1].strip():
            continue  # the blank lines around a removed quote collapse into one
        else:
            own.append(line)
            if line.strip():
                removed_since_text = False
    quoted.extend(tail)
    if hard is not None and first_rule is None:
        first_rule = hard.rule
    new_text = _join(own)
    quoted_text = _join(quoted)
    if not quoted_text.strip():
        return QuoteCut(new_text, "", None)
    return QuoteCut(new_text, quoted_text, first_rule)


_QUOTE_CONTENT = re.compile(r"^\s*(?:>\s?)+")


def _wrapped_quote_tails(lines: list[str]) -> set[int]:
    """Lines that are the wrapped-over end of a long quoted line, not an inline answer.

    Some clients quote a long line with '>' and then wrap it without repeating the marker:
    "> … kale chips" / "brooklyn four dollar toast." / "> next quoted line". Such a line starts in
    lower case, follows a long quoted line that stops mid-sentence, and is followed by a quoted line.
    """
    found: set[int] = set()
    for i in range(1, len(lines) - 1):
        line = lines[i].strip()
        if not line or not line[0].islower() or _QUOTE_LINE.match(lines[i]):
            continue
        previous, following = lines[i - 1], lines[i + 1]
        if not _QUOTE_LINE.match(previous) or not _QUOTE_LINE.match(following):
            continue
        content = _QUOTE_CONTENT.sub("", previous).rstrip()
        if len(content) >= 60 and not content.endswith((".", "!", "?", ":", ";")):
            found.add(i)
    return found


def _rule_of(i: int, boundaries: list[_Boundary], attribution_lines: set[int]) -> str:
    if i in attribution_lines:
        for boundary in boundaries:
            if boundary.line <= i < boundary.line + boundary.span:
                return boundary.rule
    return "quote_marker"


def cut_quotes(text: str, keep_forwarded: bool = False, rules: QuoteRules | None = None) -> QuoteCut:
    """Cut quoted parts, attribution lines and mobile signatures from a message text.

    With keep_forwarded=True (a forwarded order, SPEC §6) the forwarded part is kept in new_text: only
    the forwarder's own text above the first forward marker or quote header block is cut as usual, and
    everything from that marker on is appended unchanged.
    """
    active = rules if rules is not None else default_rules()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if keep_forwarded:
        for boundary in _boundaries(lines, active):
            if boundary.kind in (None, BoundaryKind.FORWARD, BoundaryKind.SEPARATOR):
                before = _cut(lines[: boundary.line], active)
                forwarded = _join(lines[boundary.line :])
                new_text = f"{before.new_text}\n\n{forwarded}" if before.new_text.strip() else forwarded
                return QuoteCut(new_text, before.quoted_text, before.rule)
    return _cut(lines, active)
