"""Norwegian dates and times for people, and header-safe text."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, tzinfo

WEEKDAYS_NB = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
MONTHS_NB = (
    "januar", "februar", "mars", "april", "mai", "juni",
    "juli", "august", "september", "oktober", "november", "desember",
)  # fmt: skip
# Anything that could end a header line or confuse a reader of one: C0 and C1 controls, DEL, LS, PS.
_HEADER_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def local(value: datetime, tz: tzinfo) -> datetime:
    # Stored datetimes are aware UTC; a naive one is read as UTC by the same convention.
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(tz)


def format_date_nb(value: date | datetime | None, tz: tzinfo) -> str:
    """'mandag 1. mars 2027'; a datetime is first converted to `tz`."""
    if value is None:
        return "ikke avklart"
    d = local(value, tz).date() if isinstance(value, datetime) else value
    return f"{WEEKDAYS_NB[d.weekday()]} {d.day}. {MONTHS_NB[d.month - 1]} {d.year}"


def format_short_date(value: date | datetime | None, tz: tzinfo) -> str:
    """'01.03.2027', the form people type back in replies."""
    if value is None:
        return "ikke avklart"
    d = local(value, tz).date() if isinstance(value, datetime) else value
    return d.strftime("%d.%m.%Y")


def format_time_nb(value: datetime | None, tz: tzinfo) -> str:
    """'09:00' in `tz`."""
    if value is None:
        return "ikke avklart"
    at = local(value, tz)
    return f"{at.hour:02}:{at.minute:02}"


def format_datetime_nb(value: datetime | date | None, tz: tzinfo) -> str:
    """'mandag 1. mars 2027 kl. 09:00' in `tz`; a plain date gets no clock time."""
    if value is None or not isinstance(value, datetime):
        return format_date_nb(value, tz)
    return f"{format_date_nb(value, tz)} kl. {format_time_nb(value, tz)}"


def sanitize_header(value: str) -> str:
    """One header-safe line: control characters and line breaks become single spaces, and invisible
    format characters (bidi overrides and isolates such as U+202E, zero-width characters) are dropped,
    so a name or subject the bot passes on cannot display reversed or hide text."""
    # ASCII has no format characters: only other text is looked at character by character.
    visible = value if value.isascii() else "".join(ch for ch in value if unicodedata.category(ch) != "Cf")
    return " ".join(_HEADER_UNSAFE.sub(" ", visible).split())
