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
# Words right before a number that make it something else than a HER-id: a phone number, or another number.
_PHONE_BEFORE = re.compile(r"(?:tlf|telefon|tel|mob|mobil|phone|fax|faks|\+47)[\s.:#]*$", re.IGNORECASE)
_OTHER_BEFORE = re.compile(
    r"(?:org|orgnr|org\.?\s*nr|organisasjonsnummer|kommunenr|kommunenummer|saksnr|saksnummer|sak|arkivsak"
    r"|arkivnr|ref|postboks|pb|kontonr|ressursnummer|ressursnr)[\s.:#]*$",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(?<![\w.,/+-])(\d{2,9})(?![\w]|[.,/:]\d|-\d|\s\d)")
# A Norwegian phone number written in groups: "926 44 801", "74 80 00 00", "+47 906 11 482".
_PHONE_GROUPS = re.compile(r"(?<![\w.,/-])(?:\+47[\s\u00a0]?)?(\d{2,3}(?:[ \u00a0]\d{2,3}){2,3})(?![\w]|[.,]\d)")
# "HER-id (teneste 1): 8810044", "HER-id (slik den står i Adresseregisteret …): 8214390": a bracket after
# the label is skipped, so its own digits and length neither end the search nor count.
_BRACKET_AFTER_LABEL = re.compile(r"\s*\([^()\n]{0,300}\)")
# After a first "name number" ("HER-id: Gjemnes sjukeheim 8931007, heimetenesta 8931015"), a short name
# may stand between list items too; not a phrase that leads to a phone number ("…, ring Per på 926…").
_NAMED_LIST_GLUE = re.compile(
    r"^\s*(?:[,;/&|]|\bog\b|\band\b)[\s,;/&|]*"
    r"(?:(?!(?:p[aå]|til|er|ring\w*|kontakt\w*|tlf|telefon\w*|mob\w*)\b)[^\W\d][\w.-]*\s+){1,4}(?:[:–-]\s*)?$",
    re.IGNORECASE,
)
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
    """A number read as a HER-id. `doubt` says why it is not the kommune's (None: taken); `heading` is the
    text over its table, `label_start` where its label begins (both read by her_context)."""

    value: int
    start: int
    end: int
    rule: str  # "labelled", "labelled_after", "list", "column"
    span: str
    doubt: str | None = None
    label_start: int = -1
    heading: str = ""


def her_id_doubt(digits: str, before: str = "", after: str = "") -> str | None:
    """Why 2–9 digits are not a HER-id (an organisation number, a phone number, a postcode …), or None."""
    if not digits.isdigit() or not 2 <= len(digits) <= 9 or digits.startswith("0"):
        return "not a HER-id (2–9 digits, no leading zero)"
    if is_org_number(digits):
        return "organisation number (9 digits, valid mod-11)"
    if _PHONE_BEFORE.search(before[-25:]):
        return "phone number"
    other = _OTHER_BEFORE.search(before[-25:])
    if other:
        return f"another number («{other.group(0).strip(' .:#')}»)"
    # "7100 Rissa": a postcode followed by a place name.
    if len(digits) == 4 and re.match(r"\s+[A-ZÆØÅ][a-zæøå]+", after):
        return "postcode"
    return None


def plausible_her_id(digits: str, before: str = "", after: str = "") -> bool:
    """2–9 digits that are not an organisation number, a phone number, a postcode or a date part."""
    return her_id_doubt(digits, before, after) is None


def taken(matches: Sequence[HerIdMatch]) -> list[HerIdMatch]:
    """The matches nothing speaks against."""
    return [m for m in matches if m.doubt is None]


def find_her_ids(text: str, label: re.Pattern[str] = DEFAULT_LABEL) -> list[HerIdMatch]:
    """Numbers standing after a HER-id label on the same line, and lists of them ("HER-id 12, 34 og 56").
    A number after a label that is something else (a phone number, an org.nr) comes back with its `doubt`."""
    found: list[HerIdMatch] = []
    for lab in label.finditer(text):
        # "8142326 (HER-id)": the label in brackets right after the number.
        behind = _NUMBER_THEN_BRACKET.search(text, max(0, lab.start() - 20), lab.start())
        if behind and _CLOSE_BRACKET.match(text, lab.end()):
            digits = behind[1]
            doubt = her_id_doubt(digits, text[max(0, behind.start() - 25) : behind.start()])
            span = text[behind.start() : lab.end() + 1]
            found.append(
                HerIdMatch(int(digits), behind.start(1), behind.end(1), "labelled_after", span, doubt, behind.start())
            )
            continue
        found += _after_label(text, lab, label)
    return found


def _after_label(text: str, lab: re.Match[str], label: re.Pattern[str]) -> list[HerIdMatch]:
    line_end = text.find("\n", lab.end())
    stop = len(text) if line_end < 0 else line_end
    bracket = _BRACKET_AFTER_LABEL.match(text, lab.end(), stop)
    pos = bracket.end() if bracket else lab.end()
    window_end = min(stop, pos + MAX_GAP_CHARS)
    found: list[HerIdMatch] = []
    named = False
    while True:
        first = not found
        limit = window_end if first else stop
        m = _NUMBER.search(text, pos, limit)
        # A grouped phone number ends with a group _NUMBER matches ("926 44 801" → "801"): look only that far.
        phone = _PHONE_GROUPS.search(text, pos, m.end() if m else limit)
        if phone is not None and (m is None or phone.start() <= m.start()):
            gap = text[pos : phone.start()]
            if first and not (label.search(gap) or re.search(r"\d", gap)):
                digits = re.sub(r"\D", "", phone[1])
                found.append(HerIdMatch(int(digits), phone.start(), phone.end(), "labelled",
                                        text[lab.start() : phone.end()], "phone number", lab.start()))
            break
        if m is None:
            break
        gap = text[pos : m.start()]
        if first and (label.search(gap) or re.search(r"\d", gap)):
            break
        if not first and not (_LIST_GLUE.match(gap) or (named and _NAMED_LIST_GLUE.match(gap))):
            break
        doubt = her_id_doubt(m[1], text[max(0, m.start() - 25) : m.start()], text[m.end() : m.end() + 20])
        # A list item's span is its label and its number: the whole list up to it would copy a long line once
        # per item (quadratic).
        span = text[lab.start() : m.end()] if first else f"{lab.group(0)} … {m[1]}"
        found.append(HerIdMatch(int(m[1]), m.start(), m.end(), "labelled" if first else "list", span, doubt,
                                lab.start()))
        if doubt is not None and first:
            break
        named = named or (first and bool(re.search(r"[^\W\d]{2}", gap)))
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
        heading = _heading(lines, i)
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
            doubt = her_id_doubt(m[1], row[: m.start()], row[m.end() :])
            start = offsets[j] + m.start()
            found.append(
                HerIdMatch(int(m[1]), start, start + len(m[1]), "column", row.strip(), doubt, offsets[j], heading)
            )
    return found


def _heading(lines: list[str], header: int) -> str:
    """The nearest non-blank line above a table's header line (within three lines): what the table is."""
    for k in range(header - 1, max(-1, header - 4), -1):
        if lines[k].strip():
            return lines[k].strip()
    return ""


def find_her_in_rows(
    rows: Sequence[Sequence[str]], label: re.Pattern[str] = DEFAULT_LABEL, heading: str = ""
) -> list[HerIdMatch]:
    """Values of a HER column in table rows (DOCX tables, XLSX sheets), read down to the next empty row;
    `heading` is the text over the table, when the caller knows it."""
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
            found.append(HerIdMatch(int(m[1]), 0, 0, "column", " | ".join(cells), her_id_doubt(m[1]), 0, heading))
    return found
