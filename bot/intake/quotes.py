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
# Every line is tried against every attribution pattern (10–250 µs a line). What someone writes above a quote
# fits in far fewer lines; past these the text is kept as quoted without being read line by line.
MAX_SCANNED_LINES = 5_000
MAX_SCANNED_CHARS = 500_000


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
    # The line counts only at the end of the sender's text: nothing but blank lines, a quote or another marker
    # follows ("Sent with Airmail" is a signature there; mid-text it is the sender's sentence).
    last: bool = False
    # Words of which the line must contain at least one (case-insensitive) before the regex is tried:
    # a cheap filter, since regexes that start with ".{0,120}" cost much on every long line.
    contains: list[str] = []

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            # With the flags compile_rules uses: it then finds the pattern in re's cache instead of compiling
            # it again (flags never make a pattern valid or invalid).
            re.compile(value, re.IGNORECASE)
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
    signature: str = ""  # a reply's sign-off and signature, cut from new_text (bot.intake.signatures)

    @property
    def with_signature(self) -> str:
        """The new text with the sender's signature: for people (a forward) and for order fields."""
        return f"{self.new_text}\n\n{self.signature}".strip("\n") if self.signature else self.new_text


@dataclass(frozen=True)
class _Compiled:
    name: str
    kind: BoundaryKind
    regex: re.Pattern[str]
    header_next: bool = False
    needs: re.Pattern[str] | None = None
    last: bool = False  # one of the `contains` words, searched in the lower-cased line


@dataclass(frozen=True)
class QuoteRules:
    """Compiled patterns, ready to cut."""

    patterns: tuple[_Compiled, ...]
    max_attribution_lines: int
    lookahead_lines: int
    from_label: re.Pattern[str]
    date_label: re.Pattern[str]
    other_label: re.Pattern[str]
    # Every attribution needs one of these words (None when some attribution pattern names none).
    attribution_needs: re.Pattern[str] | None


def _label_regex(labels: list[str]) -> re.Pattern[str]:
    # "*Fra:*" and "**Fra:**" come from HTML→text converters that mark bold labels.
    alternatives = "|".join(re.escape(label) for label in sorted(labels, key=len, reverse=True))
    # Possessive runs: "\s*[*_]{0,2}\s*" would otherwise try every split of a long run of spaces (26 ms a line).
    return re.compile(rf"^\s*+[*_]{{0,2}}+\s*+(?:{alternatives})\s*+[*_]{{0,2}}+\s*+:(?:\s|[*_]|$)", re.IGNORECASE)


def compile_rules(model: QuoteRulesFile, path: Path | str = QUOTES_FILE) -> QuoteRules:
    """Compile a validated rules file; a regex that still fails to compile is a RulesError with its key."""
    compiled: list[_Compiled] = []
    for index, pattern in enumerate(model.patterns):
        try:
            regex = re.compile(pattern.regex, re.IGNORECASE)
            needs = re.compile("|".join(re.escape(w.lower()) for w in pattern.contains)) if pattern.contains else None
            compiled.append(_Compiled(pattern.name, pattern.kind, regex, pattern.header_next, needs, pattern.last))
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
        attribution_needs=_attribution_needs(model.patterns),
    )


def _attribution_needs(patterns: list[_Pattern]) -> re.Pattern[str] | None:
    words: list[str] = []
    for pattern in patterns:
        if pattern.kind is BoundaryKind.ATTRIBUTION:
            if not pattern.contains:
                return None
            words.extend(word.lower() for word in pattern.contains)
    return re.compile("|".join(re.escape(w) for w in words)) if words else None


def load_quote_rules(path: Path = QUOTES_FILE) -> QuoteRules:
    """Load and compile rules/quotes.yaml (or another file of that schema); raises RulesError."""
    return compile_rules(load_yaml(path, QuoteRulesFile), path)


# A '>' line is quoted, unless it is decoration drawn with arrows (">>> https://example.no <<<").
_QUOTE_LINE = re.compile(r"^\s*>(?!.*<<<\s*$)")
_ONE_QUOTE_LEVEL = re.compile(r"^\s*> ?")


@dataclass(frozen=True)
class _Boundary:
    line: int
    span: int  # how many lines the marker itself takes
    kind: BoundaryKind | None  # None for the header block
    rule: str


_CLOCK_TIME = re.compile(r"(?<![\d.:/])\d{1,2}[:.]\d{2}(?![\d./])")


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
    block = [line, *window]
    from_lines = [w for w in block if rules.from_label.match(w)]
    date_lines = [w for w in block if rules.date_label.match(w)]
    has_other = any(
        rules.other_label.match(w) and not rules.date_label.match(w) and not rules.from_label.match(w)
        for w in window
    )
    if not (from_lines and date_lines and has_other):
        return False
    # A mail client's header names an address or gives a clock time ("Sendt: 5. mars 2024 10:15");
    # a memo head in the sender's own text ("Fra: Malvik kommune" / "Dato: 01.03.2027") does neither.
    return any("@" in w for w in from_lines) or any(_CLOCK_TIME.search(w) for w in date_lines)


def _is_label_line(line: str, rules: QuoteRules) -> bool:
    return bool(rules.from_label.match(line) or rules.date_label.match(line) or rules.other_label.match(line))


# No mail client writes a quote marker longer than this; longer lines are the sender's text (and
# trying every pattern on them is what makes a pathological message slow).
_MAX_MARKER_LINE = 500
# A client that wraps an attribution wraps it at its line width (Gmail 78, Outlook 76): a first line
# longer than this is not the start of a wrapped attribution.
_MAX_WRAPPED_START = 160


def _worth_trying(pattern: _Compiled, lowered: str) -> bool:
    """False when the line lacks every word the pattern needs (its `contains`), so the regex cannot match."""
    return pattern.needs is None or pattern.needs.search(lowered) is not None


_Memo = dict[int, "_Compiled | None"]


def _match_single(lines: list[str], i: int, rules: QuoteRules, memo: _Memo | None = None) -> _Compiled | None:
    """The first pattern that matches line i alone (the attribution search asks for each line again)."""
    if memo is not None:
        if i not in memo:
            memo[i] = _match_single(lines, i, rules)
        return memo[i]
    if len(lines[i]) > _MAX_MARKER_LINE:
        return None
    line = _spaced(lines[i])
    lowered = line.lower()
    for pattern in rules.patterns:
        if not _worth_trying(pattern, lowered):
            continue
        if pattern.regex.match(line):
            if pattern.header_next:
                following = _next_content(lines, i + 1)
                if following is None or not _is_label_line(lines[following], rules):
                    continue
            if pattern.last and not _nothing_own_follows(lines, i, rules):
                continue
            return pattern
    return None


def _nothing_own_follows(lines: list[str], i: int, rules: QuoteRules) -> bool:
    """After line i come only blank lines, quoted lines, or a quote marker (an attribution, a header block)."""
    following = _next_content(lines, i + 1)
    if following is None or _QUOTE_LINE.match(lines[following]) or _is_header_block(lines, following, rules):
        return True
    found = _match_single(lines, following, rules)
    if (found is not None and not found.last) or _attribution_at(lines, following, rules) is not None:
        return True
    # An attribution wrapped before its address: "On …, Navn <adr<" / "mailto:adr>> wrote:".
    after = following + 1
    tail = _match_single(lines, after, rules) if after < len(lines) else None
    return tail is not None and tail.kind is BoundaryKind.ATTRIBUTION and _wrapped_start(lines, after) <= following


# A line that ends like a sentence stops an attribution from being joined with the next line; a date's
# "23." or a month's or weekday's "mar." / "So." does not (Gmail wraps "… schrieb am So., 23.\nJuni 2024").
_DATE_ABBREVIATIONS = frozenset(
    {"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "okt", "oct", "nov", "des", "dec", "dez"}
    | {"man", "tir", "ons", "tor", "fre", "lør", "søn", "mon", "tue", "wed", "thu", "fri", "sat", "sun"}
    | {"mo", "di", "mi", "do", "fr", "sa", "so", "må", "ti", "on", "to", "lö", "sö"}
)


def _ends_sentence(text: str) -> bool:
    if text.endswith(("!", "?")):
        return True
    if not text.endswith("."):
        return False
    last = text[:-1].rsplit(None, 1)[-1].lstrip(",(").lower() if text[:-1].strip() else ""
    is_date_part = (last.isdigit() and len(last) <= 2) or last in _DATE_ABBREVIATIONS
    return not is_date_part


def _attribution_at(
    lines: list[str], i: int, rules: QuoteRules, memo: _Memo | None = None
) -> tuple[_Compiled, int] | None:
    """An attribution starting at line i, spanning up to max_attribution_lines wrapped lines."""
    if not lines[i].strip() or _QUOTE_LINE.match(lines[i]) or len(lines[i]) > _MAX_WRAPPED_START:
        return None
    joined = lines[i].strip()
    for extra in range(1, rules.max_attribution_lines):
        j = i + extra
        if j >= len(lines) or not lines[j].strip() or _QUOTE_LINE.match(lines[j]):
            return None
        # If the next line is an attribution on its own, line i is ordinary text before it.
        single = _match_single(lines, j, rules, memo)
        if single is not None and single.kind is BoundaryKind.ATTRIBUTION:
            return None
        if _ends_sentence(joined):
            return None
        joined = f"{joined} {lines[j].strip()}"
        found = _attribution_pattern(joined, rules)
        if found is not None:
            # A line i that ended with "5." or "mar." was joined on trust: if the lines after it
            # already make the attribution, line i is the sender's own sentence.
            if extra > 1 and lines[i].rstrip().endswith("."):
                rest = " ".join(x.strip() for x in lines[i + 1 : j + 1])
                if _attribution_pattern(rest, rules):
                    return None
            return found, extra + 1
    return None


def _spaced(text: str) -> str:
    """`text` with its white space runs made single spaces and its ends stripped. The rule patterns allow
    white space with "\\s*" next to ".{0,200}"; on a run of 500 spaces every split between the two was
    tried (7 ms a line). Single spaces leave one way to match, and every pattern still matches as before."""
    return " ".join(text.split())


def _attribution_pattern(text: str, rules: QuoteRules) -> _Compiled | None:
    text = _spaced(text)
    lowered = text.lower()
    if rules.attribution_needs is not None and not rules.attribution_needs.search(lowered):
        return None
    for pattern in rules.patterns:
        if pattern.kind is BoundaryKind.ATTRIBUTION and _worth_trying(pattern, lowered) and pattern.regex.match(text):
            return pattern
    return None


_CONTINUATION = re.compile(
    r"^\s*(?:<?(?:mailto:)?[\w.+'-]+@[\w.-]+>?|skrev\b|skreiv\b|wrote\b|schrieb\b|a écrit\b)", re.IGNORECASE
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
    memo: _Memo = {}
    for i, line in enumerate(lines):
        if not line.strip() or _QUOTE_LINE.match(line):
            continue
        if _is_header_block(lines, i, rules):
            found.append(_Boundary(i, 1, None, "header_block"))
            continue
        single = _match_single(lines, i, rules, memo)
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
        multi = _attribution_at(lines, i, rules, memo)
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


def cut_quotes(text: str, keep_forwarded: bool = False, *, rules: QuoteRules) -> QuoteCut:
    """Cut quoted parts, attribution lines and mobile signatures from a message text.

    With keep_forwarded=True (a forwarded order, SPEC §6) the forwarded part is kept in new_text: only
    the forwarder's own text above the first forward marker or quote header block is cut as usual, and
    everything from that marker on is appended unchanged.
    """
    return _cut_quotes(text, keep_forwarded, rules)


# Triage and intake ask for the same message's cut more than once (is it forwarded? the order's text,
# the reply's text); a QuoteCut is immutable, so the last few are kept.
@lru_cache(maxsize=8)
def _cut_quotes(text: str, keep_forwarded: bool, active: QuoteRules) -> QuoteCut:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    scanned = _scanned_lines(lines)
    if keep_forwarded:
        for boundary in _boundaries(lines[:scanned], active):
            if boundary.kind in (None, BoundaryKind.FORWARD, BoundaryKind.SEPARATOR):
                before = _cut(lines[: boundary.line], active)
                # A forward that a client wrapped in one quote level (an HTML forward inside a
                # <blockquote type="cite">) is read without it: "> Kommune: Malvik" → "Kommune: Malvik".
                forwarded = _join([_ONE_QUOTE_LEVEL.sub("", line, count=1) for line in lines[boundary.line :]])
                new_text = f"{before.new_text}\n\n{forwarded}" if before.new_text.strip() else forwarded
                return QuoteCut(new_text, before.quoted_text, before.rule)
    if scanned == len(lines):
        return _cut(lines, active)
    head = _cut(lines[:scanned], active)
    return QuoteCut(head.new_text, _join([head.quoted_text, *lines[scanned:]]), head.rule or "too_long")


def _scanned_lines(lines: list[str]) -> int:
    """How many lines from the top are read for quotes: up to MAX_SCANNED_LINES and MAX_SCANNED_CHARS."""
    chars = 0
    for i, line in enumerate(lines[:MAX_SCANNED_LINES]):
        chars += len(line) + 1
        if chars > MAX_SCANNED_CHARS:
            return max(1, i)
    return min(len(lines), MAX_SCANNED_LINES)
