"""The receipt's calendar: the routine's calendar entries (rules/routine.yaml) as an iCalendar PUBLISH."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from bot.outbound.formatting import sanitize_header
from bot.routine.case import Case
from bot.routine.schedule import TimelineEntry

PRODID = "-//Helse Midt-Norge//Oppkoblingsbot//NB"
DEFAULT_UID_DOMAIN = "helse-midt.no"


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

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", sanitize_header(f"{case.ref} {kommune} kommune – oppkobling"))
    seen: Counter[str] = Counter()
    for item in entries:
        spec = item.entry.calendar
        if spec is None:
            continue
        seen[item.entry.step] += 1
        n = seen[item.entry.step]
        ev = Event()
        ev.add("uid", f"{case.ref}-{item.entry.step}{'' if n == 1 else f'-{n}'}@{domain}")
        ev.add("dtstamp", issued)
        ev.add("sequence", sequence)
        # Deadlines and the test day should not block free/busy; the 09:00 dialogmelding needs someone there.
        ev.add("transp", "OPAQUE" if spec.busy else "TRANSPARENT")
        ev.add("summary", sanitize_header(f"[{case.ref}] {item.summary}"))
        ev.add("description", item.description)
        at = item.entry.at.astimezone(tz)
        if spec.minutes is None:
            ev.add("dtstart", at.date())
            if at.date() < date.max:
                ev.add("dtend", at.date() + timedelta(days=1))
        elif item.entry.kind == "deadline":  # a short block that ends at the deadline
            ev.add("dtstart", at - timedelta(minutes=spec.minutes))
            ev.add("dtend", at)
        else:
            ev.add("dtstart", at)
            ev.add("dtend", _later(at, timedelta(minutes=spec.minutes)))
        cal.add_component(ev)
    # VTIMEZONE for the zone, limited to the years around D so the file stays small (and within year 9999).
    cal.add_missing_timezones(first_date=date(max(d.year - 1, 1), 1, 1), last_date=date(min(d.year + 2, 9999), 1, 1))
    return bytes(cal.to_ical())


def _later(at: datetime, duration: timedelta) -> datetime:
    """`at + duration`, or `at` itself at the very end of the calendar (year 9999)."""
    try:
        return at + duration
    except OverflowError:
        return at
