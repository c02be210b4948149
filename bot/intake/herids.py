"""HER-ids of communication parties: labelled numbers in text and HER columns in tables."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.registry import is_org_number

# A HER-id label in any case; a bare "HER" only in capitals, since "her" is an everyday word ("here").
DEFAULT_LABEL = re.compile(
    r"\b(?:[Hh][Ee][Rr][\s‐-]?(?:[Ii][Dd](?:-?(?:en|ene|er|ar|ane|a))?|[Nn][Rr]\.?|[Nn]ummer(?:et)?|[Ii]dent)"
    r"|HER)(?![\w])"
)
# Words right before a number that make it something else than a HER-id.
DEFAULT_NOT_AFTER = re.compile(
    r"(?:tlf|telefon|tel|mob|mobil|phone|fax|faks|org|orgnr|org\.?\s*nr|organisasjonsnummer|kommunenr"
    r"|kommunenummer|saksnr|saksnummer|sak|arkivsak|arkivnr|ref|postboks|pb|kontonr|ressursnummer"
    r"|ressursnr|\+47)[\s.:#]*$",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(?<![\w.,/+-])(\d{2,9})(?![\w]|[.,/:]\d|-\d|\s\d)")
# Between list items: separators (also table cells, "HER-id | 12 | 34"), "og", and a short name in brackets
# ("8142326 (hjemmetenester), 8142334").
_LIST_GLUE = re.compile(r"^\s*(?:\([^()\d]{0,60}\))?[\s,;/&|]*(?:og|and|\+)?[\s,;/&|]*$", re.IGNORECASE)
MAX_GAP_CHARS = 60
_NUMBER_THEN_BRACKET = re.compile(r"(?<![\w.,/+-])(\d{2,9})\s*\(\s*$")
_CLOSE_BRACKET = re.compile(r"\s*\)")
# A header cell ends at the label ("… (navn og HER-id):") or a column gap follows it.
_HEADER_TAIL = re.compile(r"[\s)\]:*-]*$|\s{2,}|\s*[|\t]")


@dataclass(frozen=True)
class HerIdMatch:
    value: int
    start: int
    end: int
    rule: str  # "labelled", "list", "column"
    span: str


def plausible_her_id(digits: str, before: str = "", after: str = "") -> bool:
    """2–9 digits that are not an organisation number, a phone number, a postcode or a date part."""
    if not digits.isdigit() or not 2 <= len(digits) <= 9 or digits.startswith("0"):
        return False
    if is_org_number(digits):
        return False
    if DEFAULT_NOT_AFTER.search(before[-25:]):
        return False
    # "7100 Rissa": a postcode followed by a place name.
    return not (len(digits) == 4 and re.match(r"\s+[A-ZÆØÅ][a-zæøå]+", after))


def find_her_ids(text: str, label: re.Pattern[str] = DEFAULT_LABEL) -> list[HerIdMatch]:
    """Numbers standing after a HER-id label on the same line, and lists of them ("HER-id 12, 34 og 56")."""
    found: list[HerIdMatch] = []
    for lab in label.finditer(text):
        # "8142326 (HER-id)": the label in brackets right after the number.
        behind = _NUMBER_THEN_BRACKET.search(text, max(0, lab.start() - 20), lab.start())
        if behind and _CLOSE_BRACKET.match(text, lab.end()):
            digits = behind[1]
            if plausible_her_id(digits, text[max(0, behind.start() - 25) : behind.start()]):
                span = text[behind.start() : lab.end() + 1]
                found.append(HerIdMatch(int(digits), behind.start(1), behind.end(1), "labelled_after", span))
            continue
        line_end = text.find("\n", lab.end())
        stop = len(text) if line_end < 0 else line_end
        window_end = min(stop, lab.end() + MAX_GAP_CHARS)
        pos = lab.end()
        first = True
        while True:
            m = _NUMBER.search(text, pos, stop if not first else window_end)
            if m is None:
                break
            gap = text[pos : m.start()]
            if not first and not _LIST_GLUE.match(gap):
                break
            if first and (label.search(gap) or re.search(r"\d", gap)):
                break
            if plausible_her_id(m[1], text[max(0, m.start() - 25) : m.start()], text[m.end() : m.end() + 20]):
                rule = "labelled" if first else "list"
                span = text[lab.start() : m.end()]
                found.append(HerIdMatch(int(m[1]), m.start(), m.end(), rule, span))
            elif first:
                break
            first = False
            pos = m.end()
    return found


def find_her_column(text: str, label: re.Pattern[str] = DEFAULT_LABEL) -> list[HerIdMatch]:
    """Numbers in the lines under a table header line that names a HER column but holds no number itself."""
    found: list[HerIdMatch] = []
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    for i, line in enumerate(lines):
        lab = label.search(line)
        if lab is None or _NUMBER.search(line) or not _HEADER_TAIL.match(line, lab.end()):
            continue
        for j in range(i + 1, min(len(lines), i + 30)):
            row = lines[j]
            if not row.strip():
                continue  # HTML tables rendered to text put blank lines between rows
            numbers = list(_NUMBER.finditer(row))
            if not numbers:
                break
            if len(numbers) != 1:
                continue
            m = numbers[0]
            if plausible_her_id(m[1], row[: m.start()], row[m.end() :]):
                found.append(HerIdMatch(int(m[1]), offsets[j] + m.start(), offsets[j] + m.end(), "column", row.strip()))
    return found


def find_her_in_rows(rows: Sequence[Sequence[str]], label: re.Pattern[str] = DEFAULT_LABEL) -> list[HerIdMatch]:
    """Values of a HER column in table rows (DOCX tables, XLSX sheets), read down to the next empty row."""
    found: list[HerIdMatch] = []
    column: int | None = None
    for row in rows:
        cells = [c.strip() for c in row]
        if not any(cells):
            column = None
            continue
        header = [k for k, c in enumerate(cells) if label.search(c) and not _NUMBER.search(c)]
        if header:
            column = header[0]
            continue
        if column is None or column >= len(cells):
            continue
        for m in _NUMBER.finditer(re.sub(r"^(\d+)\.0+$", r"\1", cells[column])):
            if plausible_her_id(m[1]):
                found.append(HerIdMatch(int(m[1]), 0, 0, "column", " | ".join(cells)))
    return found
