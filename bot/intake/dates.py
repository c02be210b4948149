"""Norwegian date expressions in free text (bokmål and nynorsk) and in spreadsheet cells."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {
    "januar": 1,
    "jan": 1,
    "februar": 2,
    "feb": 2,
    "mars": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "mai": 5,
    "juni": 6,
    "jun": 6,
    "juli": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "okt": 10,
    "november": 11,
    "nov": 11,
    "desember": 12,
    "des": 12,
}
WEEKDAYS = (
    "mandag|måndag|tirsdag|tysdag|onsdag|torsdag|fredag|lørdag|laurdag|søndag|sundag"
    "|man|tir|tys|ons|tor|fre|lør|lau|søn|sun"
)
_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
# Excel counts days from 1899-12-30 (it believes 1900 was a leap year).
_EXCEL_EPOCH = date(1899, 12, 30)

_TEXT_RE = re.compile(
    rf"(?<![\w.])(?:(?P<wd>{WEEKDAYS})\.?,?\s+)?(?:den\s+)?(?P<d>\d{{1,2}})(?:\.|ste|dre|dje|de|te)?\s*(?P<mon>{_MONTH_ALT})\.?"
    rf"(?:,?\s+(?P<y>\d{{4}}))?(?![\w])",
    re.IGNORECASE,
)
_NUMERIC_RE = re.compile(
    r"(?<![\w.,/-])(?:(?P<wd>" + WEEKDAYS + r")\.?,?\s+)?(?:den\s+)?"
    r"(?P<d>\d{1,2})(?P<sep>[./])(?P<m>\d{1,2})(?:(?P<sep2>[./-])(?P<y>\d{4}|\d{2}))?(?P<tail>\.?)"
    r"(?![\d]|[./-]\d|,\d)",
    re.IGNORECASE,
)
_ISO_RE = re.compile(r"(?<![\w.-])(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2})?)?(?![\w-])")
# "den 1. i 3." (the 1st in the 3rd month): "den" or a dot after the month makes it a date.
_DAY_IN_MONTH_RE = re.compile(
    r"(?<![\w.])(?:(?P<wd>" + WEEKDAYS + r")\.?,?\s+)?(?:den\s+(?P<d1>\d{1,2})\.\s*i\s+(?P<m1>\d{1,2})(?![\d])\.?"
    r"|(?P<d2>\d{1,2})\.\s*i\s+(?P<m2>\d{1,2})\.)(?:\s*(?P<y>\d{4}))?(?![\w]|[.,/-]\d)",
    re.IGNORECASE,
)
# A bare "1.6" or "1.2." next to these words is a version, not 1 June.
_VERSION_BEFORE = re.compile(r"(?:versjon|version|ver|vers|v|plo|dm|apprec)\.?\s*$", re.IGNORECASE)
# "kl. 11.05" is a time of day.
_TIME_BEFORE = re.compile(r"\b(?:kl|klokka|klokken)\.?\s*$", re.IGNORECASE)
# Words right before a short "1.3." or "1/3" that make it a date rather than a version or a fraction.
_DATE_WORD_BEFORE = re.compile(
    r"\b(?:dato|oppstart\w*|aktiver\w*|start\w*|f\.o\.m\.?|fom|den|live)[\s:.]*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DateMatch:
    value: date
    start: int
    end: int
    text: str
    has_year: bool


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _resolve_year(month: int, day: int, ref: date | None) -> date | None:
    """A date written without a year: the next occurrence on or after `ref`."""
    if ref is None:
        return None
    for year in (ref.year, ref.year + 1, ref.year + 2, ref.year + 3, ref.year + 4):
        found = _make(year, month, day)
        if found is not None and found >= ref:
            return found
    return None


def _year(text: str) -> int:
    value = int(text)
    return value + 2000 if len(text) == 2 else value


def _yearless_numeric(m: re.Match[str], text: str) -> bool:
    """ "15.02", "15.2.", "15/2", "1.3." after "oppstart": a date without a year. "1.6" (a version), "1/2"
    (a fraction), "24/7" and "kl. 11.05" (a time) are not."""
    before = text[max(0, m.start() - 30) : m.start()]
    if _VERSION_BEFORE.search(before) or _TIME_BEFORE.search(before):
        return False
    if m["sep"] == "/" and (m["d"], m["m"]) == ("24", "7"):
        return False
    if m["sep"] == "." and len(m["m"]) == 2:
        return True
    if len(m["d"]) == 2 or len(m["m"]) == 2:
        return m["sep"] == "/" or bool(m["tail"]) or len(m["d"]) == 2
    # Both parts one digit: only with a weekday, "den" or a date word right before it.
    return (
        bool(m["wd"])
        or bool(re.match(r"\s*den\b", text[m.start() : m.start("d")], re.IGNORECASE))
        or bool(_DATE_WORD_BEFORE.search(before))
    )


def find_dates(text: str, ref: date | None = None) -> list[DateMatch]:
    """Every date written in `text`, in order; a year left out is resolved against `ref`."""
    found: list[DateMatch] = []
    taken = bytearray(len(text))  # characters already part of a date

    def add(start: int, end: int, value: date | None, has_year: bool) -> None:
        if value is None or any(taken[start:end]):
            return
        taken[start:end] = b"\x01" * (end - start)
        found.append(DateMatch(value, start, end, text[start:end], has_year))

    for m in _ISO_RE.finditer(text):
        add(m.start(), m.end(), _make(int(m["y"]), int(m["m"]), int(m["d"])), True)
    for m in _TEXT_RE.finditer(text):
        month, day = MONTHS[m["mon"].lower()], int(m["d"])
        value = _make(int(m["y"]), month, day) if m["y"] else _resolve_year(month, day, ref)
        add(m.start(), m.end(), value, bool(m["y"]))
    for m in _DAY_IN_MONTH_RE.finditer(text):
        day, month = int(m["d1"] or m["d2"]), int(m["m1"] or m["m2"])
        value = _make(int(m["y"]), month, day) if m["y"] else _resolve_year(month, day, ref)
        add(m.start(), m.end(), value, bool(m["y"]))
    for m in _NUMERIC_RE.finditer(text):
        day, month = int(m["d"]), int(m["m"])
        if m["y"]:
            if m["sep"] == "/" and m["sep2"] == ".":
                continue
            add(m.start(), m.end(), _make(_year(m["y"]), month, day), True)
        elif _yearless_numeric(m, text):
            add(m.start(), m.end(), _resolve_year(month, day, ref), False)
    found.sort(key=lambda d: d.start)
    return found


def parse_date_cell(value: str, ref: date | None = None) -> date | None:
    """A cell holding only a date: ISO or datetime text, a Norwegian form, or an Excel serial number."""
    cell = value.strip()
    if re.fullmatch(r"\d{5}(?:\.0+)?", cell):
        serial = int(float(cell))
        if 30000 <= serial <= 80000:
            return _EXCEL_EPOCH + timedelta(days=serial)
        return None
    dates = find_dates(cell, ref)
    if len(dates) == 1 and len(cell) - len(dates[0].text) <= 12:
        return dates[0].value
    return None
