"""The receipt's calendar: AR deadline, test day and the 09:00 dialogmelding as an iCalendar PUBLISH."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from bot.domain import Step
from bot.routine.case import Case, TimelineEntry

PRODID = "-//Helse Midt-Norge//Oppkoblingsbot//NB"
DEFAULT_UID_DOMAIN = "helse-midt.no"
AR_DEADLINE_LEAD = timedelta(minutes=30)  # the deadline shows as a short block ending at the deadline
DIALOG_DURATION = timedelta(minutes=45)
# Fallbacks when the timeline lacks an entry: the routine's default schedule (SPEC §2).
_AR_DAYS_BEFORE_D, _AR_CLOCK = 14, time(16, 0)
_TEST_DAYS_BEFORE_D = 7
_DIALOG_CLOCK = time(9, 0)


def build_ics(
    case: Case,
    timeline: tuple[TimelineEntry, ...],
    tz: ZoneInfo,
    *,
    domain: str = DEFAULT_UID_DOMAIN,
    stamp: datetime | None = None,
) -> bytes:
    """A VCALENDAR (METHOD:PUBLISH) with stable UIDs `<ref>-<step>@<domain>`, so a moved D updates the
    events already in the recipient's calendar instead of adding new ones.

    `stamp` is when this version was issued (default: the case's creation); SEQUENCE grows with it.
    """
    if case.activation_date is None:
        raise ValueError(f"{case.ref}: no activation date, nothing to put in a calendar")
    d = case.activation_date
    kommune = case.municipality.name if case.municipality else "kommunen"
    issued = (stamp or case.created_at).astimezone(UTC)
    # Minutes since the case was created: monotonic across reissues, stable for identical input.
    sequence = max(0, int((issued - case.created_at.astimezone(UTC)).total_seconds() // 60))

    ar_deadline = _deadline(timeline, Step.AR_PUBLISERING) or datetime.combine(
        d - timedelta(days=_AR_DAYS_BEFORE_D), _AR_CLOCK, tzinfo=tz
    )
    test_day = _test_day(timeline, tz) or d - timedelta(days=_TEST_DAYS_BEFORE_D)
    dialog_at = datetime.combine(d, _DIALOG_CLOCK, tzinfo=tz)
    her = f" (HER-id {', '.join(map(str, case.her_ids))})" if case.her_ids else ""
    has_lab = any(t.code == "SVARRAPPORT" for t in case.message_types)

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{case.ref} {kommune} kommune – oppkobling")

    ar = _event(case, Step.AR_PUBLISERING, domain, issued, sequence)
    ar.add("summary", f"[{case.ref}] Frist: publisere kommunikasjonspart i Adresseregisteret")
    ar.add("dtstart", ar_deadline.astimezone(tz) - AR_DEADLINE_LEAD)
    ar.add("dtend", ar_deadline.astimezone(tz))
    ar.add(
        "description",
        f"{kommune} kommune publiserer kommunikasjonsparten{her} i NHN Adresseregisteret senest "
        f"kl. {ar_deadline.astimezone(tz):%H:%M}, minst to uker før aktiveringsdatoen. "
        "Svar på kvitteringen med «publisert» når det er gjort.",
    )
    cal.add_component(ar)

    test = _event(case, Step.TESTMELDINGER, domain, issued, sequence)
    test.add("summary", f"[{case.ref}] Testmeldinger fra Hemit – skal ikke besvares")
    test.add("dtstart", test_day)
    test.add("dtend", test_day + timedelta(days=1))
    test.add(
        "description",
        f"Hemit sender testepikrise{' og testsvarrapport (lab)' if has_lab else ''} til {kommune} "
        f"kommune{her}. Testmeldingene skal IKKE besvares; kvitteringene går automatisk.",
    )
    cal.add_component(test)

    dialog = _event(case, Step.DIALOGMELDING, domain, issued, sequence, busy=True)
    dialog.add("summary", f"[{case.ref}] Testdialogmelding kl. 09:00 – må besvares")
    dialog.add("dtstart", dialog_at)
    dialog.add("dtend", dialog_at + DIALOG_DURATION)
    dialog.add(
        "description",
        f"Helseforetaket sender en testdialogmelding til {kommune} kommune{her} kl. 09:00. "
        "Den MÅ besvares i fagsystemet. Når svaret er kontrollert, aktiveres tjenesten.",
    )
    cal.add_component(dialog)

    # VTIMEZONE for Europe/Oslo, limited to the years around D so the file stays small.
    cal.add_missing_timezones(first_date=date(d.year - 1, 1, 1), last_date=date(d.year + 2, 1, 1))
    return bytes(cal.to_ical())


def _event(
    case: Case, step: Step, domain: str, issued: datetime, sequence: int, *, busy: bool = False
) -> Event:
    ev = Event()
    ev.add("uid", f"{case.ref}-{step.value}@{domain}")
    ev.add("dtstamp", issued)
    ev.add("sequence", sequence)
    # Deadlines and the test day should not block free/busy; the 09:00 dialogmelding needs someone there.
    ev.add("transp", "OPAQUE" if busy else "TRANSPARENT")
    return ev


def _deadline(timeline: tuple[TimelineEntry, ...], step: Step) -> datetime | None:
    return next((e.at for e in timeline if e.step == step and e.kind == "deadline"), None)


def _test_day(timeline: tuple[TimelineEntry, ...], tz: ZoneInfo) -> date | None:
    # Tests go out the day the testmeldinger reminder/notice fires (moved to a business day).
    firsts = sorted(e.at for e in timeline if e.step == Step.TESTMELDINGER and e.kind != "deadline")
    return firsts[0].astimezone(tz).date() if firsts else None
