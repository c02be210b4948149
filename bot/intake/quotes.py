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
            compiled.append(_Compiled(pattern.name, pattern.kind, re.compile(pattern.regex, re.IGNORECASE)))
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
    if not rules.from_label.match(lines[i]) or _QUOTE_LINE.match(lines[i]):
        return False
    window = lines[i + 1 : i + 1 + rules.lookahead_lines]
    has_date = any(rules.date_label.match(line) for line in window)
    has_other = any(rules.other_label.match(line) and not rules.date_label.match(line) for line in window)
    return has_date and has_other


def _match_single(line: str, rules: QuoteRules) -> _Compiled | None:
    for pattern in rules.patterns:
        if pattern.regex.match(line):
            return pattern
    return None


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
        single = _match_single(lines[j], rules)
        if single is not None and single.kind is BoundaryKind.ATTRIBUTION:
            return None
        if joined.endswith((".", "!", "?")):
            return None
        joined = f"{joined} {lines[j].strip()}"
        for pattern in rules.patterns:
            if pattern.kind is BoundaryKind.ATTRIBUTION and pattern.regex.match(joined):
                return pattern, extra + 1
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
        if not previous.strip() or _QUOTE_LINE.match(previous) or previous.rstrip().endswith((".", "!", "?")):
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
        single = _match_single(line, rules)
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
