"""This week at a glance: the deadlines and planned events of the active cases from Monday to Sunday."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from bot.domain import CaseState
from bot.routine.calendar import BusinessCalendar
from bot.routine.case import Case
from bot.routine.plan import Plan
from bot.routine.schedule import step_status, timeline


@dataclass(frozen=True)
class WeekItem:
    """One thing that happens this week: a step's deadline or a planned event (test messages, 09:00)."""

    at: datetime  # aware UTC
    ref: str
    municipality_name: str
    label: str  # from rules/routine.yaml
    kind: str  # "deadline" or "event"
    owner: str  # "kommune", "coordinators" or "bot"
    status: str  # the step's status: "done", "overdue" or "pending"


def week_bounds(now: datetime, cal: BusinessCalendar) -> tuple[datetime, datetime]:
    """Monday 00:00 of `now`'s local week and the Monday after (aware UTC)."""
    monday = cal.local_date(now) - timedelta(days=cal.local(now).weekday())
    start = cal.at(monday, time(0, 0)).astimezone(UTC)
    return start, cal.at(monday + timedelta(days=7), time(0, 0)).astimezone(UTC)


def this_week(cases: Iterable[Case], now: datetime, plan: Plan, cal: BusinessCalendar) -> tuple[WeekItem, ...]:
    """Every deadline and planned event of an active case in `now`'s week, in time order."""
    start, end = week_bounds(now, cal)
    items: list[WeekItem] = []
    for case in cases:
        if case.state is not CaseState.ACTIVE:
            continue
        name = case.municipality.name if case.municipality else "(ukjent kommune)"
        for entry in timeline(case, plan, cal):
            # The order itself is history, not something that happens this week.
            if not start <= entry.at < end or entry.step == plan.order_step.name:
                continue
            status = step_status(case, entry.step, now, plan, cal).value
            items.append(WeekItem(entry.at, case.ref, name, entry.label, entry.kind, entry.owner, status))
    return tuple(sorted(items, key=lambda i: (i.at, i.ref)))
