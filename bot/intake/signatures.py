"""Sign-offs in replies: the closing line and signature block after the sender's message (rules/signatures.yaml)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from bot.intake.quotes import QuoteCut
from bot.rulefile import RULES_DIR, load_yaml

SIGNATURES_FILE = RULES_DIR / "signatures.yaml"
_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
_RULE_LINE = re.compile(r"^[\s_=*~—–-]+$")
# A contact line may be long: "Malvik kommune | Postboks 140, 7551 Hommelvik | tlf 72 00 00 00 | www.malvik.no".
_CONTACT = re.compile(
    r"[|@]|www\.|https?://|\b(?:tlf|telefon|mobil|mob|phone|tel|postboks|org\.? ?nr)\b|\d{2}\s?\d{2}\s?\d{2}",
    re.IGNORECASE)
_MAX_CONTACT_LINE = 250
# A disclaimer without a closing above it must look like one: this long, with two of its words.
_BARE_DISCLAIMER_CHARS = 120


class SignatureRulesFile(BaseModel):
    """The schema of rules/signatures.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    closings: list[str] = Field(min_length=1)
    max_name_words: int = Field(ge=0, le=10)
    delimiters: list[str]
    max_line_chars: int = Field(ge=20, le=500)
    max_lines: int = Field(ge=1, le=100)
    disclaimer_words: list[str]
    own_text_openers: list[str]
    name_words: list[str]


@dataclass(frozen=True)
class SignatureRules:
    closing: re.Pattern[str]  # a closing at the start of a line, with what follows it
    max_name_words: int
    delimiters: frozenset[str]
    max_line_chars: int
    max_lines: int
    disclaimer: re.Pattern[str]
    own_text: re.Pattern[str]
    name_words: frozenset[str]


def _alternatives(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def load_signature_rules(path: Path = SIGNATURES_FILE) -> SignatureRules:
    """Load rules/signatures.yaml; a typo raises RulesError naming file and key."""
    model = load_yaml(path, SignatureRulesFile)
    return SignatureRules(
        closing=re.compile(rf"^\s*(?:{_alternatives(model.closings)})(?![\w])(?P<rest>.*)$", re.IGNORECASE),
        max_name_words=model.max_name_words,
        delimiters=frozenset(d.strip() or d for d in model.delimiters),
        max_line_chars=model.max_line_chars,
        max_lines=model.max_lines,
        disclaimer=re.compile(_alternatives(model.disclaimer_words), re.IGNORECASE),
        own_text=re.compile(rf"^\s*(?:{_alternatives(model.own_text_openers)})\b", re.IGNORECASE),
        name_words=frozenset(w.lower() for w in model.name_words),
    )


def _is_closing(line: str, rules: SignatureRules) -> bool:
    """ "Mvh", "Mvh Ingrid", "Med vennlig hilsen / Kind regards", "Hilsen Kari, Malvik kommune"."""
    m = rules.closing.match(line)
    if m is None:
        return False
    rest = m.group("rest").strip()
    if rest.startswith("/") and rules.closing.match(rest[1:]):
        rest = rules.closing.match(rest[1:]).group("rest").strip()  # type: ignore[union-attr]
    rest = rest.lstrip(",.!:;-–— ")
    words = _WORD.findall(rest)
    if "?" in rest or len(words) > rules.max_name_words or re.search(r"\d{3,}", rest):
        return False
    # What follows is a name ("Mvh Ingrid", "Hilsen Kari, IT-avdelingen"), not a sentence ("Best practice is …").
    return all(w[0].isupper() or w.lower() in rules.name_words for w in words)


def _signature_block(lines: list[str], rules: SignatureRules) -> bool:
    """Everything after a closing is a signature: short lines and disclaimer paragraphs, no own text."""
    content = [line for line in lines if line.strip()]
    if len(content) > rules.max_lines:
        return False
    paragraph_disclaimer = False
    for line in lines:
        if not line.strip():
            paragraph_disclaimer = False
            continue
        if rules.own_text.match(line):
            return False
        paragraph_disclaimer = paragraph_disclaimer or bool(rules.disclaimer.search(line))
        size = len(line.strip())
        if size > rules.max_line_chars and not paragraph_disclaimer \
                and not (size <= _MAX_CONTACT_LINE and _CONTACT.search(line)):
            return False
    return True


def _paragraphs(lines: list[str]) -> list[tuple[int, int]]:
    """(first line, end) of each run of non-blank lines."""
    out: list[tuple[int, int]] = []
    start: int | None = None
    for i, line in enumerate([*lines, ""]):
        if line.strip() and start is None:
            start = i
        elif not line.strip() and start is not None:
            out.append((start, i))
            start = None
    return out


def _bare_disclaimer(lines: list[str], rules: SignatureRules) -> int | None:
    """Where a trailing disclaimer starts when no closing came before it: the last paragraphs, each long and
    holding two of the disclaimer words ("Denne e-posten kan inneholde taushetsbelagt informasjon …")."""
    start = None
    paragraphs = _paragraphs(lines)
    for first, end in reversed(paragraphs[1:]):
        text = " ".join(line.strip() for line in lines[first:end])
        if len(text) < _BARE_DISCLAIMER_CHARS or len(set(m.lower() for m in rules.disclaimer.findall(text))) < 2:
            break
        start = first
    return start


def _start(lines: list[str], rules: SignatureRules) -> int | None:
    """The line where the sign-off starts, or None: the first closing or delimiter after some text of the
    sender's own, with only a signature after it."""
    seen_text = False
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if seen_text and (stripped in rules.delimiters or _is_closing(stripped, rules)) \
                and _signature_block(lines[i + 1 :], rules):
            return i
        if not _RULE_LINE.match(stripped):
            seen_text = True
    return _bare_disclaimer(lines, rules)


def cut_sign_off(cut: QuoteCut, rules: SignatureRules) -> QuoteCut:
    """The reply's new text without its closing and signature; they are kept in `signature`."""
    lines = cut.new_text.split("\n")
    start = _start(lines, rules)
    if start is None:
        return cut
    own = "\n".join(lines[:start]).rstrip()
    return replace(cut, new_text=own, signature="\n".join(lines[start:]).strip("\n"),
                   rule=cut.rule or "sign_off")
