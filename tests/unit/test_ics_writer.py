"""The hand-written calendar is byte for byte what icalendar writes, and hostile text stays text in it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar, Event

from bot.outbound.formatting import sanitize_header
from bot.outbound.ics import PRODID, CalendarText, build_ics
from bot.outbound.samples import sample_case
from bot.routine.case import Case
from bot.routine.plan import CalendarSpec, load_plan
from bot.routine.schedule import TimelineEntry

OSLO = ZoneInfo("Europe/Oslo")
PLAN = load_plan()
CASE = sample_case(PLAN)
HOSTILE = [
    "", "a,b;c\\d", "linje 1\nlinje 2\r\nlinje 3\rlinje 4", "\\N og \\n og \\, og \\\\", "END:VEVENT",
    "x\r\nBEGIN:VEVENT\r\nUID:evil", "æøå ÆØÅ " * 30, "🎉" * 40, "a" * 73 + "\\,", "a" * 74 + ";" * 5,
    "^" * 100, "ø" * 36 + "\\" + "x", ":" * 80, '"quoted" <tag> & \t tab', "\u2028\u2029\x00\x7f",
    "a" * 72 + "é" + "🎉" + "b" * 80, "\\" * 151,
]


def reference(case: Case, entries: Sequence[CalendarText], tz: ZoneInfo, *, domain: str = "helse-midt.no",
              stamp: datetime | None = None) -> bytes:
    """The calendar as bot.outbound.ics built it through icalendar's components before it wrote it by hand."""
    assert case.activation_date is not None
    d = case.activation_date
    kommune = case.municipality.name if case.municipality else "kommunen"
    issued = (stamp or case.created_at).astimezone(UTC)
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
        ev.add("transp", "OPAQUE" if spec.busy else "TRANSPARENT")
        ev.add("summary", sanitize_header(f"[{case.ref}] {item.summary}"))
        ev.add("description", item.description)
        at = item.entry.at.astimezone(tz)
        if spec.minutes is None:
            ev.add("dtstart", at.date())
            if at.date() < date.max:
                ev.add("dtend", at.date() + timedelta(days=1))
        elif item.entry.kind == "deadline":
            ev.add("dtstart", at - timedelta(minutes=spec.minutes))
            ev.add("dtend", at)
        else:
            ev.add("dtstart", at)
            try:
                ev.add("dtend", at + timedelta(minutes=spec.minutes))
            except OverflowError:
                ev.add("dtend", at)
        cal.add_component(ev)
    cal.add_missing_timezones(first_date=date(max(d.year - 1, 1), 1, 1), last_date=date(min(d.year + 2, 9999), 1, 1))
    return bytes(cal.to_ical())


def entry(step: str, at: datetime, *, minutes: int | None, kind: str = "event", busy: bool = False,
          summary: str = "Oppsummering", description: str = "Beskrivelse") -> CalendarText:
    spec = CalendarSpec(summary="-", description="-", minutes=minutes, busy=busy)
    return CalendarText(TimelineEntry(step, "Steg", "kommune", at, kind, spec), summary, description)


def entries_for(text: str, d: date = date(2027, 3, 1), tz: ZoneInfo = OSLO) -> list[CalendarText]:
    """The three shapes the routine's entries take (a block ending at a deadline, an all-day event, a timed
    event), plus a second entry of one step and one without a calendar, all carrying `text`."""
    noon = datetime(d.year, d.month, d.day, 12, 0, tzinfo=tz)
    no_calendar = CalendarText(TimelineEntry("intern", "Steg", "bot", noon, "event", None), text, text)
    return [
        entry("ar_publisering", noon - timedelta(days=14), minutes=30, kind="deadline", summary=text,
              description=text),
        entry("testmeldinger", noon - timedelta(days=7), minutes=None, summary=f"Test {text}", description=text),
        entry("dialogmelding", noon, minutes=45, busy=True, summary=text, description=f"{text} (etter)"),
        entry("dialogmelding", noon + timedelta(days=1), minutes=45, summary=text, description=text),
        no_calendar,
    ]


def case_named(name: str, d: date = date(2027, 3, 1)) -> Case:
    assert CASE.municipality is not None
    return replace(CASE, municipality=replace(CASE.municipality, name=name), activation_date=d)


@pytest.mark.parametrize("text", HOSTILE)
def test_same_bytes_as_icalendar_for_hostile_text(text: str) -> None:
    """Commas, semicolons, backslashes, line breaks, long UTF-8 lines and emoji come out as icalendar writes them."""
    case, items = case_named(text), entries_for(text)
    assert build_ics(case, items, OSLO) == reference(case, items, OSLO)


@pytest.mark.parametrize("tz", ["Europe/Oslo", "UTC", "Etc/UTC", "America/New_York", "Asia/Kolkata"])
@pytest.mark.parametrize("d", [date(2027, 3, 1), date(2026, 10, 25), date(2, 1, 2), date(9999, 12, 30)])
def test_same_bytes_as_icalendar_for_zones_and_dates(tz: str, d: date) -> None:
    """Any zone the bot may be configured with, and D near either end of the calendar, give the same bytes."""
    zone = ZoneInfo(tz)
    case, items = case_named("Malvik", d), entries_for("Frist", d, zone)
    later = case.created_at + timedelta(days=3, seconds=7)
    assert build_ics(case, items, zone, stamp=later, domain="bot.example") == reference(
        case, items, zone, stamp=later, domain="bot.example")


def test_only_all_day_entries_need_no_timezone() -> None:
    """A calendar of all-day events has no VTIMEZONE, as with icalendar."""
    items = [e for e in entries_for("x") if e.entry.calendar and e.entry.calendar.minutes is None]
    data = build_ics(CASE, items, OSLO)
    assert data == reference(CASE, items, OSLO)
    assert b"VTIMEZONE" not in data


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(st.characters(codec="utf-8"), max_size=300),
       name=st.text(st.characters(codec="utf-8"), max_size=120))
def test_same_bytes_as_icalendar_for_any_text(text: str, name: str) -> None:
    """For any summary, description and kommune name, the bytes equal icalendar's and parse back to the text."""
    case, items = case_named(name), entries_for(text)
    data = build_ics(case, items, OSLO)
    assert data == reference(case, items, OSLO)
    parsed = Calendar.from_ical(data)
    events = parsed.walk("VEVENT")
    assert len(events) == 4
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    expected = text.replace("\\N", "\n").replace("\r\n", "\n").replace("\r", "\n")
    assert str(events[0]["DESCRIPTION"]) == expected
    assert [str(c.name) for c in parsed.subcomponents].count("VEVENT") == 4


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_never_adds_a_property_or_component(text: str) -> None:
    """Whatever a name or description holds, every unfolded line is one of the properties the bot writes."""
    data = build_ics(case_named(text), entries_for(text), OSLO)
    unfolded = data.replace(b"\r\n ", b"").decode("utf-8").split("\r\n")
    assert unfolded[-1] == ""
    names = Counter(line.split(":", 1)[0].split(";", 1)[0] for line in unfolded[:-1])
    assert names["BEGIN"] == names["END"] == 4 + 1 + 1 + 3  # 4 events, the calendar, the zone and its 3 rules
    assert names["UID"] == names["SUMMARY"] == names["DESCRIPTION"] == 4
    assert not {n for n in names if n not in {
        "BEGIN", "END", "VERSION", "PRODID", "CALSCALE", "METHOD", "X-WR-CALNAME", "TZID", "COMMENT", "DTSTART",
        "RDATE", "TZNAME", "TZOFFSETFROM", "TZOFFSETTO", "SUMMARY", "DTEND", "DTSTAMP", "UID", "SEQUENCE",
        "DESCRIPTION", "TRANSP"}}


def test_a_case_without_municipality_still_matches() -> None:
    """A case without a municipality names "kommunen", as before."""
    case = replace(CASE, municipality=None)
    items = entries_for("x")
    assert build_ics(case, items, OSLO) == reference(case, items, OSLO)


def test_a_lone_surrogate_is_refused_as_before() -> None:
    """Text that is not valid Unicode (a lone surrogate) cannot be written, with icalendar or by hand."""
    items = entries_for("bad \udce9 byte")
    with pytest.raises(UnicodeEncodeError):
        reference(CASE, items, OSLO)
    with pytest.raises(UnicodeEncodeError):
        build_ics(CASE, items, OSLO)
