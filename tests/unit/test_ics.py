"""The receipt calendar: built from the routine's calendar entries, parses back, carries Europe/Oslo."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from icalendar import Calendar, Component, Timezone

from bot.domain import MailKind
from bot.outbound.ics import build_ics
from bot.outbound.render import Composer
from bot.outbound.samples import sample_case
from bot.outbound.views import MailContext
from bot.routine.calendar import BusinessCalendar
from bot.routine.case import Case
from bot.routine.plan import load_plan
from bot.rulefile import RULES_DIR, TEMPLATES_DIR

OSLO = ZoneInfo("Europe/Oslo")
PLAN = load_plan()
CAL = BusinessCalendar(PLAN.closed_days, tz=OSLO)
COMPOSER = Composer(TEMPLATES_DIR, "meldingsansvarlig@helse-midt.no", PLAN, CAL)


def ics_of(case: Case, *, stamp: datetime | None = None, composer: Composer = COMPOSER) -> bytes:
    """The calendar the receipt for `case` carries (issued at `stamp`, default the case's creation)."""
    ctx = MailContext(now=stamp or case.created_at, case=case)
    data = composer.ics(MailKind.RECEIPT, ctx, composer.timeline(ctx))
    assert data is not None
    return data


def parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def events(cal: Calendar) -> dict[str, Component]:
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


@pytest.fixture()
def cal() -> Calendar:
    return parse(ics_of(sample_case(PLAN)))


def test_calendar_header(cal: Calendar) -> None:
    """The calendar is an iCalendar 2.0 PUBLISH with our PRODID."""
    assert cal["VERSION"] == "2.0"
    assert cal["METHOD"] == "PUBLISH"
    assert "Oppkoblingsbot" in str(cal["PRODID"])


def test_vtimezone_for_oslo_is_included(cal: Calendar) -> None:
    """A Europe/Oslo VTIMEZONE with both CET and CEST rules travels with the events."""
    zones = cal.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["Europe/Oslo"]
    zone = zones[0]
    assert isinstance(zone, Timezone)
    names = {str(sub["TZNAME"]) for sub in zone.subcomponents}
    assert {"CET", "CEST"} <= names


@pytest.mark.parametrize(
    ("uid", "start", "end"),
    [
        (
            "OPK-7-ar_publisering@helse-midt.no",
            datetime(2027, 2, 15, 15, 30, tzinfo=OSLO),
            datetime(2027, 2, 15, 16, 0, tzinfo=OSLO),
        ),
        ("OPK-7-testmeldinger@helse-midt.no", date(2027, 2, 22), date(2027, 2, 23)),
        (
            "OPK-7-dialogmelding@helse-midt.no",
            datetime(2027, 3, 1, 9, 0, tzinfo=OSLO),
            datetime(2027, 3, 1, 9, 45, tzinfo=OSLO),
        ),
    ],
)
def test_events_at_local_times_for_d_2027_03_01(
    cal: Calendar, uid: str, start: datetime | date, end: datetime | date
) -> None:
    """AR deadline ends 16:00 on D−14, the test day is D−7 all day, the dialogmelding is 09:00 on D."""
    ev = events(cal)[uid]
    got_start, got_end = ev.decoded("DTSTART"), ev.decoded("DTEND")
    assert got_start == start and got_end == end
    assert type(got_start) is type(start)
    if isinstance(got_start, datetime):
        assert ev["DTSTART"].params["TZID"] == "Europe/Oslo"
        assert got_start.utcoffset() == timedelta(hours=1)  # CET in February/March


def test_exactly_three_events_with_norwegian_text(cal: Calendar) -> None:
    """There are three events, each with a Norwegian summary naming the case and a description."""
    evs = events(cal)
    assert len(evs) == 3
    summaries = {str(e["SUMMARY"]) for e in evs.values()}
    assert summaries == {
        "[OPK-7] Frist: publisere kommunikasjonspart i Adresseregisteret",
        "[OPK-7] Testmeldinger fra Hemit – skal ikke besvares",
        "[OPK-7] Testdialogmelding kl. 09:00 – må besvares",
    }
    assert all("Malvik kommune" in str(e["DESCRIPTION"]) for e in evs.values())
    assert "lab" in str(evs["OPK-7-testmeldinger@helse-midt.no"]["DESCRIPTION"])


def test_moved_date_keeps_uids_and_raises_sequence() -> None:
    """When D moves, the same UIDs come back with new times and a higher SEQUENCE, so clients update."""
    case = sample_case(PLAN)
    first = events(parse(ics_of(case)))
    moved = replace(case, activation_date=date(2027, 3, 8))
    later = case.created_at + timedelta(days=3)
    second = events(parse(ics_of(moved, stamp=later)))
    assert set(first) == set(second)
    dialog = "OPK-7-dialogmelding@helse-midt.no"
    assert second[dialog].decoded("DTSTART") == datetime(2027, 3, 8, 9, 0, tzinfo=OSLO)
    assert int(str(second[dialog]["SEQUENCE"])) > int(str(first[dialog]["SEQUENCE"]))
    ar = "OPK-7-ar_publisering@helse-midt.no"
    assert second[ar].decoded("DTEND") == datetime(2027, 2, 22, 16, 0, tzinfo=OSLO)  # default D−14 16:00


def test_summer_date_uses_cest() -> None:
    """A D in summer puts the dialogmelding at 09:00 CEST (07:00 UTC)."""
    case = replace(sample_case(PLAN), activation_date=date(2027, 6, 14))
    ev = events(parse(ics_of(case)))["OPK-7-dialogmelding@helse-midt.no"]
    assert ev.decoded("DTSTART").astimezone(UTC) == datetime(2027, 6, 14, 7, 0, tzinfo=UTC)


def test_uid_domain_is_configurable() -> None:
    """UIDs use the bot's own domain (its mailbox address's)."""
    composer = Composer(TEMPLATES_DIR, "oppkobling@bot.example", PLAN, CAL)
    uids = events(parse(ics_of(sample_case(PLAN), composer=composer)))
    assert "OPK-7-dialogmelding@bot.example" in uids


def test_case_without_date_is_refused() -> None:
    """A case without an activation date has nothing to put in a calendar."""
    with pytest.raises(ValueError, match="no activation date"):
        build_ics(replace(sample_case(PLAN), activation_date=None), (), OSLO)


@pytest.mark.parametrize("d", [date(9999, 12, 30), date(9999, 12, 31), date(9998, 12, 31)])
def test_dates_at_the_end_of_the_calendar_build(d: date) -> None:
    """A D in the last years Python knows still gives a calendar (once it crashed asking for year 10001)."""
    cal = parse(ics_of(replace(sample_case(PLAN), activation_date=d)))
    assert len(events(cal)) == 3


def test_a_revised_routine_brings_its_own_calendar_entries(tmp_path: Path) -> None:
    """Calendar entries come from routine.yaml: a new step's deadline with a calendar entry is a new event."""
    data = yaml.safe_load((RULES_DIR / "routine.yaml").read_text(encoding="utf-8"))
    data["steps"]["samtykke"] = {
        "owner": "kommune", "label": "Samtykke registrert", "completion": "confirm",
        "deadline": {"from": "d", "days": -10, "time": "12:00"},
        "calendar": {"summary": "Frist: samtykke for {{ kommune }}", "minutes": 15},
    }
    path = tmp_path / "routine.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    plan = load_plan(path)
    composer = Composer(TEMPLATES_DIR, "meldingsansvarlig@helse-midt.no", plan, BusinessCalendar(plan.closed_days))
    ev = events(parse(ics_of(sample_case(plan), composer=composer)))["OPK-7-samtykke@helse-midt.no"]
    assert str(ev["SUMMARY"]) == "[OPK-7] Frist: samtykke for Malvik"
    assert ev.decoded("DTEND") == datetime(2027, 2, 19, 12, 0, tzinfo=OSLO)
    assert ev.decoded("DTSTART") == datetime(2027, 2, 19, 11, 45, tzinfo=OSLO)
