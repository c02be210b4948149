"""The receipt's calendar: the routine's calendar entries (rules/routine.yaml) as an iCalendar PUBLISH.

The calendar has one small, fixed shape, so it is written here line by line, byte for byte as `icalendar`
writes it (property order, TEXT escaping, folding at 75 octets): building it through `icalendar`'s
components cost more than the rest of a receipt. Only the VTIMEZONE still comes from `icalendar`, once per
zone and range of years (tests/unit/test_ics_writer.py holds the two to the same bytes over hostile text).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.outbound.formatting import sanitize_header
from bot.routine.case import Case
from bot.routine.schedule import TimelineEntry

PRODID = "-//Helse Midt-Norge//Oppkoblingsbot//NB"
DEFAULT_UID_DOMAIN = "helse-midt.no"
FOLD_AT = 75  # octets, as icalendar folds: a line is cut before the character that would reach 75


@dataclass(frozen=True)
class CalendarText:
    """A timeline entry that goes into the calendar, with its summary and description already written."""

    entry: TimelineEntry
    summary: str
    description: str


def build_ics(case: Case, entries: Sequence[CalendarText], tz: ZoneInfo, *, domain: str = DEFAULT_UID_DOMAIN,
              stamp: datetime | None = None) -> bytes:
    """A VCALENDAR (METHOD:PUBLISH) with stable UIDs `<ref>-<step>@<domain>` (`-2`, `-3` for a step's later
    entries), so a moved D updates the events already in the recipient's calendar instead of adding new ones.

    `stamp` is when this version was issued (default: the case's creation); SEQUENCE grows with it.
    """
    if case.activation_date is None:
        raise ValueError(f"{case.ref}: no activation date, nothing to put in a calendar")
    d = case.activation_date
    kommune = case.municipality.name if case.municipality else "kommunen"
    issued = (stamp or case.created_at).astimezone(UTC)
    # Minutes since the case was created: monotonic across reissues, stable for identical input.
    sequence = max(0, int((issued - case.created_at.astimezone(UTC)).total_seconds() // 60))
    tzid = _tzid(tz)
    dtstamp = f"DTSTAMP:{_datetime(issued)}Z"

    events: list[str] = []
    uses_tzid = False
    seen: Counter[str] = Counter()
    for item in entries:
        spec = item.entry.calendar
        if spec is None:
            continue
        seen[item.entry.step] += 1
        n = seen[item.entry.step]
        at = item.entry.at.astimezone(tz)
        start: date | datetime
        end: date | datetime | None
        if spec.minutes is None:
            start = at.date()
            end = at.date() + timedelta(days=1) if at.date() < date.max else None
        elif item.entry.kind == "deadline":  # a short block that ends at the deadline
            start, end = at - timedelta(minutes=spec.minutes), at
        else:
            start, end = at, _later(at, timedelta(minutes=spec.minutes))
        uses_tzid = uses_tzid or (isinstance(start, datetime) and tzid is not None)
        # Deadlines and the test day should not block free/busy; the 09:00 dialogmelding needs someone there.
        events += [
            "BEGIN:VEVENT",
            _line("SUMMARY:" + _text(sanitize_header(f"[{case.ref}] {item.summary}"))),
            _when("DTSTART", start, tzid),
            *((_when("DTEND", end, tzid),) if end is not None else ()),
            dtstamp,
            _line("UID:" + _text(f"{case.ref}-{item.entry.step}{'' if n == 1 else f'-{n}'}@{domain}")),
            f"SEQUENCE:{sequence}",
            _line("DESCRIPTION:" + _text(item.description)),
            "TRANSP:" + ("OPAQUE" if spec.busy else "TRANSPARENT"),
            "END:VEVENT",
        ]
    head = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        _line("PRODID:" + _text(PRODID)),
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        # An X- property: icalendar writes it verbatim (no TEXT escaping); sanitize_header keeps it one line.
        _line("X-WR-CALNAME:" + sanitize_header(f"{case.ref} {kommune} kommune – oppkobling")),
    ]
    # VTIMEZONE for the zone, limited to the years around D so the file stays small (and within year 9999).
    zone = _vtimezone(tzid, max(d.year - 1, 1), min(d.year + 2, 9999)) if uses_tzid and tzid else b""
    return (("\r\n".join(head) + "\r\n").encode("utf-8") + zone
            + ("\r\n".join([*events, "END:VCALENDAR"]) + "\r\n").encode("utf-8"))


def _text(value: str) -> str:
    """RFC 5545 TEXT escaping, as icalendar does it (a literal `\\N` is a line break; CR, LF and CRLF too)."""
    return (value.replace("\\N", "\n").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _line(line: str) -> str:
    """A content line folded at 75 octets (UTF-8): each line holds at most 74 octets after its leading space,
    is cut only between characters, and never between a backslash (or `^`) and what it escapes."""
    data = line.encode("utf-8")
    if len(data) < FOLD_AT:
        return line
    out: list[bytes] = []
    start = 0
    while len(data) - start >= FOLD_AT:
        end = start + FOLD_AT - 1
        while data[end] & 0xC0 == 0x80:  # inside a character: cut before it
            end -= 1
        if data[end - 1] in b"\\^" and end - 1 > start:  # carry the escape character to the next line
            end -= 1
        out.append(data[start:end])
        start = end
    out.append(data[start:])
    return b"\r\n ".join(out).decode("utf-8")


def _datetime(at: datetime) -> str:
    return f"{at.year:04}{at.month:02}{at.day:02}T{at.hour:02}{at.minute:02}{at.second:02}"


def _when(name: str, value: date | datetime, tzid: str | None) -> str:
    if not isinstance(value, datetime):
        return f"{name};VALUE=DATE:{value.year:04}{value.month:02}{value.day:02}"
    if tzid is None:
        return f"{name}:{_datetime(value)}Z"
    return _line(f"{name};TZID={tzid}:{_datetime(value)}")


@lru_cache(maxsize=16)
def _tzid(tz: tzinfo) -> str | None:
    """The TZID icalendar gives datetimes in `tz`; None for UTC (written with `Z`, no VTIMEZONE)."""
    from icalendar.timezone.tzid import tzid_from_tzinfo

    tzid = tzid_from_tzinfo(tz)
    if tzid is None or tzid == "UTC":
        return None
    if any(c in tzid for c in '";:,\r\n') or not tzid.isprintable():
        raise ValueError(f"time zone {tzid!r} cannot be named in a calendar")
    return tzid


@lru_cache(maxsize=64)
def _vtimezone(tzid: str, first_year: int, last_year: int) -> bytes:
    """The VTIMEZONE icalendar writes for `tzid` from 1 January of `first_year` to that of `last_year`
    (empty when it does not know the zone); one per zone and range, so at most one per year of D."""
    from icalendar import Timezone

    try:
        zone = Timezone.from_tzid(tzid, first_date=date(first_year, 1, 1), last_date=date(last_year, 1, 1))
    except ValueError:
        return b""
    return bytes(zone.to_ical())


def _later(at: datetime, duration: timedelta) -> datetime:
    """`at + duration`, or `at` itself at the very end of the calendar (year 9999)."""
    try:
        return at + duration
    except OverflowError:
        return at
