"""Norwegian business days and Europe/Oslo clock times: what "D − 2 business days at 08:00" means."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

from dateutil.easter import easter

OSLO = ZoneInfo("Europe/Oslo")

# A safety net for loops that look for the next valid day: Norway never has more than a handful of
# non-business days in a row, so running past this means a misconfiguration, not a long holiday.
_MAX_SEARCH_DAYS = 400


@dataclass(frozen=True)
class ClosedDays:
    """Reduced days that are not public holidays but on which the routine should not act.

    Julaften and nyttårsaften are closed by default: Hemit and the HFs run skeleton staffing and
    the public sector closes at noon, so neither a reminder nor a test day belongs there. Onsdag før
    skjærtorsdag is a normal (shortened) working day in the public sector, so it is open by default.
    """

    julaften: bool = True
    nyttarsaften: bool = True
    onsdag_for_skjaertorsdag: bool = False


# Days from Easter Sunday of the moving holidays (lov om helligdager og helligdagsfred).
_EASTER_HOLIDAYS = (("Skjærtorsdag", -3), ("Langfredag", -2), ("Første påskedag", 0), ("Andre påskedag", 1),
                    ("Kristi himmelfartsdag", 39), ("Første pinsedag", 49), ("Andre pinsedag", 50))


@lru_cache(maxsize=64)
def norwegian_holidays(year: int) -> Mapping[date, str]:
    """The dated public holidays of one year (lov om helligdager + 1. og 17. mai since 1947), cached per year;
    two on one day are named together ("Andre pinsedag; Grunnlovsdag"). The names and dates are those of the
    `holidays` package's Norway (tests/unit/test_calendar.py compares every year), worked out here because
    importing that package loads every country it knows (a tenth of a second for each command)."""
    sunday = easter(year)
    named = [("Første nyttårsdag", date(year, 1, 1)), ("Første juledag", date(year, 12, 25)),
             ("Andre juledag", date(year, 12, 26)),
             *((name, sunday + timedelta(days=days)) for name, days in _EASTER_HOLIDAYS)]
    if year >= 1947:
        named += [("Arbeidernes dag", date(year, 5, 1)), ("Grunnlovsdag", date(year, 5, 17))]
    names: dict[date, list[str]] = {}
    for name, day in named:
        names.setdefault(day, []).append(name)
    return MappingProxyType({d: "; ".join(sorted(names[d])) for d in sorted(names)})


def parse_hhmm(value: str) -> time:
    """'08:00' → time(8, 0); raises ValueError for anything that is not a valid 24-hour HH:MM."""
    hh, sep, mm = value.partition(":")
    if not sep or len(hh) != 2 or len(mm) != 2 or not (hh.isdigit() and mm.isdigit()):
        raise ValueError(f"{value!r} is not HH:MM")
    if int(hh) > 23 or int(mm) > 59:
        raise ValueError(f"{value!r} is not a clock time (00:00–23:59)")
    return time(int(hh), int(mm))


class BusinessCalendar:
    """Business days are Mon–Fri minus Norwegian public holidays minus the configured closed days."""

    def __init__(self, closed_days: ClosedDays | None = None, tz: ZoneInfo = OSLO) -> None:
        self.closed_days = closed_days if closed_days is not None else ClosedDays()
        self.tz = tz
        # Answers never change for a calendar: each day is worked out once (10,000 cases share few dates).
        self._closed: dict[date, str | None] = {}
        self.memo: dict[object, object] = {}  # for pure functions of the calendar (bot.routine.schedule)

    def closed_reason(self, d: date) -> str | None:
        """Why `d` is not a business day (Norwegian), or None when it is one."""
        try:
            return self._closed[d]
        except KeyError:
            reason = self._closed[d] = self._closed_reason(d)
            return reason

    def _closed_reason(self, d: date) -> str | None:
        if d.weekday() == 6:
            return norwegian_holidays(d.year).get(d, "Søndag")
        if d in norwegian_holidays(d.year):
            return norwegian_holidays(d.year)[d]
        if d.weekday() == 5:
            return "Lørdag"
        if self.closed_days.julaften and (d.month, d.day) == (12, 24):
            return "Julaften"
        if self.closed_days.nyttarsaften and (d.month, d.day) == (12, 31):
            return "Nyttårsaften"
        if self.closed_days.onsdag_for_skjaertorsdag and d == easter(d.year) - timedelta(days=4):
            return "Onsdag før skjærtorsdag"
        return None

    def is_business_day(self, d: date) -> bool:
        return self.closed_reason(d) is None

    def on_or_before(self, d: date) -> date:
        """`d` itself when it is a business day, else the nearest business day before it."""
        for _ in range(_MAX_SEARCH_DAYS):
            if self.is_business_day(d):
                return d
            d -= timedelta(days=1)
        raise ValueError("no business day found; check the closed-day configuration")

    def on_or_after(self, d: date) -> date:
        """`d` itself when it is a business day, else the nearest business day after it."""
        for _ in range(_MAX_SEARCH_DAYS):
            if self.is_business_day(d):
                return d
            d += timedelta(days=1)
        raise ValueError("no business day found; check the closed-day configuration")

    def previous_business_day(self, d: date) -> date:
        """The business day strictly before `d`."""
        return self.on_or_before(d - timedelta(days=1))

    def next_business_day(self, d: date) -> date:
        """The business day strictly after `d`."""
        return self.on_or_after(d + timedelta(days=1))

    def add_business_days(self, d: date, n: int) -> date:
        """Move `n` business days from `d` (negative = backwards); `d` itself need not be one."""
        step = self.next_business_day if n >= 0 else self.previous_business_day
        for _ in range(abs(n)):
            d = step(d)
        return d

    def subtract_business_days(self, d: date, n: int) -> date:
        return self.add_business_days(d, -n)

    def at(self, d: date, hhmm: time | str) -> datetime:
        """The aware instant of local clock time `hhmm` on `d`; DST offsets come from the zone.

        A time inside the spring-forward gap resolves with fold=0 (PEP 495); the routine's clock
        times (08:00–16:00) never fall there.
        """
        t = parse_hhmm(hhmm) if isinstance(hhmm, str) else hhmm
        return datetime.combine(d, t, tzinfo=self.tz)

    def local(self, dt: datetime) -> datetime:
        if dt.tzinfo is None:
            raise ValueError("naive datetime: the routine only works with aware instants")
        return dt.astimezone(self.tz)

    def local_date(self, dt: datetime) -> date:
        return self.local(dt).date()

    def roll_back(self, dt: datetime) -> datetime:
        """A moment on a non-business day moves to the previous business day at the same clock time."""
        local = self.local(dt)
        day = self.on_or_before(local.date())
        if day == local.date():
            return local
        return self.at(day, local.time().replace(tzinfo=None))

    def earliest_valid_d(
        self, received_at: datetime, min_lead_days: int, not_before: date | None = None
    ) -> date:
        """The first business day D with D − min_lead_days on or after the day of `received_at`.

        With `not_before` (the date the sender asked for), the proposal is never earlier than that:
        a kommune that asked for a holiday gets the next business day, not a date weeks earlier.
        """
        first = self.local_date(received_at) + timedelta(days=min_lead_days)
        if not_before is not None and not_before > first:
            first = not_before
        return self.on_or_after(first)

    def lead_time_ok(self, d: date, received_at: datetime, min_lead_days: int) -> bool:
        return d - timedelta(days=min_lead_days) >= self.local_date(received_at)
