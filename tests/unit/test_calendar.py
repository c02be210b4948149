"""Norwegian business days, closed days, DST-correct clock times and the roll-back rule."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from dateutil.easter import easter

from bot.routine.calendar import OSLO, BusinessCalendar, ClosedDays, norwegian_holidays, parse_hhmm

CAL = BusinessCalendar()

PUBLIC_HOLIDAYS = [
    (date(2026, 1, 1), "1. nyttårsdag"),
    (date(2026, 4, 2), "skjærtorsdag"),
    (date(2026, 4, 3), "langfredag"),
    (date(2026, 4, 5), "1. påskedag"),
    (date(2026, 4, 6), "2. påskedag"),
    (date(2026, 5, 1), "1. mai"),
    (date(2026, 5, 14), "Kristi himmelfartsdag"),
    (date(2026, 5, 17), "17. mai"),
    (date(2026, 5, 24), "1. pinsedag"),
    (date(2026, 5, 25), "2. pinsedag"),
    (date(2026, 12, 25), "1. juledag"),
    (date(2026, 12, 26), "2. juledag"),
    (date(2027, 1, 1), "1. nyttårsdag"),
    (date(2027, 3, 25), "skjærtorsdag"),
    (date(2027, 3, 26), "langfredag"),
    (date(2027, 3, 28), "1. påskedag"),
    (date(2027, 3, 29), "2. påskedag"),
    (date(2027, 5, 1), "1. mai"),
    (date(2027, 5, 6), "Kristi himmelfartsdag"),
    (date(2027, 5, 16), "1. pinsedag"),
    (date(2027, 5, 17), "17. mai and 2. pinsedag"),
    (date(2027, 12, 25), "1. juledag"),
    (date(2027, 12, 26), "2. juledag"),
]


@pytest.mark.parametrize(("day", "name"), PUBLIC_HOLIDAYS, ids=[f"{d}-{n}" for d, n in PUBLIC_HOLIDAYS])
def test_public_holidays_are_not_business_days(day: date, name: str) -> None:
    """Every Norwegian public holiday of 2026 and 2027 is a non-business day."""
    assert not CAL.is_business_day(day)
    assert CAL.closed_reason(day) is not None


@pytest.mark.parametrize("year", [2026, 2027])
def test_only_the_listed_weekday_holidays_close_weekdays(year: int) -> None:
    """Apart from weekends, julaften and nyttårsaften, exactly the listed holidays are closed."""
    listed = {d for d, _ in PUBLIC_HOLIDAYS if d.year == year}
    day = date(year, 1, 1)
    while day.year == year:
        expected_closed = day.weekday() >= 5 or day in listed or (day.month, day.day) in {(12, 24), (12, 31)}
        assert CAL.is_business_day(day) is not expected_closed, day
        day += timedelta(days=1)


@pytest.mark.parametrize("day", [date(2027, 1, 3), date(2027, 2, 14), date(2027, 10, 31), date(2026, 6, 7)])
def test_sundays_are_not_business_days(day: date) -> None:
    """Every Sunday is closed, also when it is no named holiday."""
    assert day.weekday() == 6
    assert not CAL.is_business_day(day)


@pytest.mark.parametrize(
    ("day", "closed", "business"),
    [
        (date(2027, 12, 24), ClosedDays(), False),
        (date(2027, 12, 24), ClosedDays(julaften=False), True),
        (date(2027, 12, 31), ClosedDays(), False),
        (date(2027, 12, 31), ClosedDays(nyttarsaften=False), True),
        (date(2027, 3, 24), ClosedDays(), True),
        (date(2027, 3, 24), ClosedDays(onsdag_for_skjaertorsdag=True), False),
        (date(2026, 4, 1), ClosedDays(onsdag_for_skjaertorsdag=True), False),
        (date(2026, 4, 1), ClosedDays(), True),
    ],
)
def test_closed_days_are_configurable(day: date, closed: ClosedDays, business: bool) -> None:
    """Julaften, nyttårsaften and onsdag før skjærtorsdag are closed only when configured so."""
    assert BusinessCalendar(closed).is_business_day(day) is business


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2027, 2028, 2030])
def test_easter_matches_the_holidays_package(year: int) -> None:
    """The Easter used for onsdag før skjærtorsdag is the one the holidays package uses."""
    langfredag = easter(year) - timedelta(days=2)
    assert CAL.closed_reason(langfredag) is not None
    assert CAL.is_business_day(easter(year) - timedelta(days=4))


def test_holidays_are_those_of_the_holidays_package_every_year() -> None:
    """The holidays worked out here are the `holidays` package's Norway, names included, every year it covers."""
    import holidays

    for year in range(holidays.constants.DEFAULT_START_YEAR, holidays.constants.DEFAULT_END_YEAR + 1):
        package = holidays.country_holidays("NO", years=year, language="no")
        assert dict(norwegian_holidays(year)) == {d: str(n) for d, n in sorted(package.items())}, year


@pytest.mark.parametrize(
    ("day", "previous", "following"),
    [
        (date(2027, 3, 1), date(2027, 2, 26), date(2027, 3, 2)),  # Monday
        (date(2027, 3, 30), date(2027, 3, 24), date(2027, 3, 31)),  # Tuesday after Easter
        (date(2027, 5, 18), date(2027, 5, 14), date(2027, 5, 19)),  # after 17 May / 2. pinsedag
        (date(2027, 1, 4), date(2026, 12, 30), date(2027, 1, 5)),  # across new year
    ],
)
def test_previous_and_next_business_day(day: date, previous: date, following: date) -> None:
    """The previous/next business day skips weekends, holidays and closed days."""
    assert CAL.previous_business_day(day) == previous
    assert CAL.next_business_day(day) == following


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2027, 2, 15), -2, date(2027, 2, 11)),
        (date(2027, 2, 22), -3, date(2027, 2, 17)),
        (date(2027, 3, 31), -3, date(2027, 3, 23)),  # over Easter 2027
        (date(2027, 3, 24), 1, date(2027, 3, 30)),
        (date(2027, 5, 14), 2, date(2027, 5, 19)),
        (date(2027, 3, 6), -1, date(2027, 3, 5)),  # from a Saturday
        (date(2027, 3, 1), 0, date(2027, 3, 1)),
    ],
)
def test_add_business_days(start: date, n: int, expected: date) -> None:
    """Adding and subtracting business days counts only business days."""
    assert CAL.add_business_days(start, n) == expected
    assert CAL.subtract_business_days(start, -n) == expected


@pytest.mark.parametrize(
    ("day", "clock", "utc"),
    [
        (date(2027, 3, 26), "08:00", datetime(2027, 3, 26, 7, 0, tzinfo=UTC)),  # CET, before the change
        (date(2027, 3, 28), "08:00", datetime(2027, 3, 28, 6, 0, tzinfo=UTC)),  # CEST from 02:00 that night
        (date(2027, 3, 29), "16:00", datetime(2027, 3, 29, 14, 0, tzinfo=UTC)),
        (date(2027, 10, 30), "08:00", datetime(2027, 10, 30, 6, 0, tzinfo=UTC)),  # CEST
        (date(2027, 10, 31), "08:00", datetime(2027, 10, 31, 7, 0, tzinfo=UTC)),  # CET again
        (date(2027, 2, 15), "16:00", datetime(2027, 2, 15, 15, 0, tzinfo=UTC)),
    ],
)
def test_clock_times_follow_daylight_saving(day: date, clock: str, utc: datetime) -> None:
    """A local clock time becomes the right UTC instant on both sides of the DST changes."""
    assert CAL.at(day, clock) == utc
    assert CAL.at(day, clock).tzinfo == OSLO


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (datetime(2027, 3, 6, 8, 0), datetime(2027, 3, 5, 8, 0)),  # Saturday → Friday
        (datetime(2027, 3, 7, 16, 0), datetime(2027, 3, 5, 16, 0)),  # Sunday → Friday
        (datetime(2027, 3, 29, 8, 0), datetime(2027, 3, 24, 8, 0)),  # 2. påskedag → Wednesday, CET
        (datetime(2027, 3, 26, 12, 0), datetime(2027, 3, 24, 12, 0)),  # langfredag
        (datetime(2027, 3, 25, 16, 0), datetime(2027, 3, 24, 16, 0)),  # skjærtorsdag
        (datetime(2027, 5, 17, 9, 0), datetime(2027, 5, 14, 9, 0)),  # 17 May (Monday) → Friday
        (datetime(2027, 12, 24, 8, 0), datetime(2027, 12, 23, 8, 0)),  # julaften is closed by default
        (datetime(2027, 3, 1, 8, 0), datetime(2027, 3, 1, 8, 0)),  # a business day stays
    ],
)
def test_roll_back_keeps_the_clock_time(local: datetime, expected: datetime) -> None:
    """A moment on a non-business day moves to the previous business day at the same clock time."""
    rolled = CAL.roll_back(local.replace(tzinfo=OSLO))
    assert rolled == expected.replace(tzinfo=OSLO)
    assert rolled.astimezone(OSLO).time() == local.time()


def test_roll_back_across_dst_keeps_local_clock_not_utc() -> None:
    """Rolling back over the spring change keeps 08:00 local, so the UTC hour changes."""
    rolled = CAL.roll_back(datetime(2027, 3, 29, 6, 0, tzinfo=UTC))  # 08:00 CEST on 2. påskedag
    assert rolled == datetime(2027, 3, 24, 7, 0, tzinfo=UTC)  # 08:00 CET on Wednesday


def test_naive_datetimes_are_refused() -> None:
    """The calendar never guesses a zone for a naive datetime."""
    with pytest.raises(ValueError, match="naive"):
        CAL.roll_back(datetime(2027, 3, 1, 8, 0))


@pytest.mark.parametrize(
    ("received", "wanted", "expected"),
    [
        (datetime(2027, 2, 15, 10, 0), None, date(2027, 3, 1)),  # Monday + 14 = Monday
        (datetime(2027, 2, 15, 23, 30), None, date(2027, 3, 1)),  # late evening counts as that day
        (datetime(2027, 2, 12, 10, 0), None, date(2027, 2, 26)),  # Friday + 14 = Friday
        (datetime(2027, 2, 13, 10, 0), None, date(2027, 3, 1)),  # Saturday + 14 = Saturday → Monday
        (datetime(2027, 3, 12, 9, 0), None, date(2027, 3, 30)),  # +14 = 26.3 langfredag → after Easter
        (datetime(2027, 1, 10, 9, 0), date(2027, 5, 17), date(2027, 5, 18)),  # asked for 17 May
        (datetime(2027, 1, 10, 9, 0), date(2027, 1, 12), date(2027, 1, 25)),  # asked too early
    ],
)
def test_earliest_valid_d(received: datetime, wanted: date | None, expected: date) -> None:
    """The earliest valid D is a business day at least min_lead_days after arrival, and not before the ask."""
    got = CAL.earliest_valid_d(received.replace(tzinfo=OSLO), 14, not_before=wanted)
    assert got == expected
    assert CAL.is_business_day(got)


def test_lead_time_counts_from_the_local_day_of_arrival() -> None:
    """An order arriving 00:30 Oslo time (still the previous day in UTC) counts from the Oslo day."""
    received = datetime(2027, 2, 14, 23, 30, tzinfo=UTC)  # 2027-02-15 00:30 in Oslo
    assert CAL.lead_time_ok(date(2027, 3, 1), received, 14)
    assert not CAL.lead_time_ok(date(2027, 2, 26), received, 14)


@pytest.mark.parametrize("bad", ["25:00", "8:00", "08:60", "0800", "ab:cd", ""])
def test_parse_hhmm_rejects_bad_times(bad: str) -> None:
    """Only a 24-hour HH:MM is a clock time."""
    with pytest.raises(ValueError):
        parse_hhmm(bad)


def test_parse_hhmm_accepts_valid_times() -> None:
    """'08:00' and '23:59' are clock times."""
    assert parse_hhmm("08:00") == time(8, 0)
    assert parse_hhmm("23:59") == time(23, 59)
