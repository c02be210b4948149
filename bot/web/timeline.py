"""A case's timeline as a picture: steps on a date axis from the order to D (geometry for an inline SVG)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from bot.domain import StepStatus
from bot.outbound.formatting import format_datetime_nb, format_short_date
from bot.routine.actions import DueItem
from bot.routine.calendar import BusinessCalendar
from bot.routine.case import Case
from bot.routine.plan import Plan
from bot.routine.schedule import deadlines, is_escalation, step_status, timeline
from bot.web.labels import short_label

WIDTH = 960
PLOT_LEFT, PLOT_RIGHT = 236.0, 940.0
AXIS_Y = 40.0
LANE_H = 38.0
# Today is drawn on the axis when it is this close to the order or to D (else the caption says where it is).
TODAY_REACH = timedelta(days=14)


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Lane:
    y: float  # the lane's centre line
    label: str
    status: str  # the step's status: done, overdue, pending
    window: tuple[float, float] | None  # from the previous deadline (or the order) to this one


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    shape: str  # deadline, done, event, sent, planned, escalation
    status: str  # deadlines: the step's status; others: the mark's shape
    title: str  # the mark's text for people (a tooltip, and what a screen reader reads)
    label: str = ""  # a short date under deadlines


@dataclass(frozen=True)
class Picture:
    width: int
    height: float
    plot_left: float
    plot_right: float
    axis_y: float
    bottom: float
    lanes: tuple[Lane, ...]
    ticks: tuple[Tick, ...]
    marks: tuple[Mark, ...]
    order_x: float
    d_x: float
    today_x: float | None
    caption: str  # the whole picture in one sentence, for the SVG's <desc>
    today_note: str  # where today is, when it is off the axis


def timeline_picture(case: Case, plan: Plan, cal: BusinessCalendar, now: datetime,
                     schedule: Sequence[tuple[DueItem, str]]) -> Picture | None:
    """The picture of a case with an activation date (None without one)."""
    if case.activation_date is None:
        return None
    tz = cal.tz
    start = cal.at(cal.local_date(case.order_received_at), time(0, 0)).astimezone(UTC)
    end = cal.at(case.activation_date + timedelta(days=1), time(0, 0)).astimezone(UTC)
    if start - TODAY_REACH <= now < start:
        start = cal.at(cal.local_date(now), time(0, 0)).astimezone(UTC)
    if end <= now < end + TODAY_REACH:
        end = cal.at(cal.local_date(now) + timedelta(days=1), time(0, 0)).astimezone(UTC)
    span = (end - start).total_seconds() or 1.0

    def x(at: datetime) -> float:
        share = min(max((at - start).total_seconds() / span, 0.0), 1.0)
        return round(PLOT_LEFT + share * (PLOT_RIGHT - PLOT_LEFT), 1)

    dl = deadlines(case, plan, cal)
    steps = list(plan.steps)
    lane_y = {step: AXIS_Y + 30 + i * LANE_H for i, step in enumerate(steps)}
    lanes, marks = [], []
    previous = case.order_received_at
    for step in steps:
        status = step_status(case, step, now, plan, cal)
        deadline = dl.get(step)
        window = (x(previous), x(deadline)) if deadline is not None else None
        lanes.append(Lane(lane_y[step], short_label(plan, step), status.value, window))
        if deadline is not None:
            marks.append(Mark(x(deadline), lane_y[step], "deadline", status.value,
                              f"{short_label(plan, step)}: frist {format_datetime_nb(deadline, tz)}"
                              + {StepStatus.OVERDUE: " – forsinket", StepStatus.DONE: " – utført"}.get(status, ""),
                              format_short_date(deadline, tz)[:5]))
            previous = deadline
        done = case.step(step)
        if done.done_at is not None:
            marks.append(Mark(x(done.done_at), lane_y[step], "done", "done",
                              f"{short_label(plan, step)}: utført {format_datetime_nb(done.done_at, tz)}"
                              + (f" av {done.done_by}" if done.done_by else "")))
    for entry in timeline(case, plan, cal):
        if entry.kind == "event":
            marks.append(Mark(x(entry.at), lane_y[entry.step], "event", "event",
                              f"{format_datetime_nb(entry.at, tz)}: {entry.label}"))
    for item, row_status in schedule:
        if row_status not in ("sent", "pending") or item.step not in lane_y:
            continue
        shape = "escalation" if is_escalation(item, plan) else "sent" if row_status == "sent" else "planned"
        verb = "sendt" if row_status == "sent" else "planlagt"
        # Reminders sit on the step's line; escalations just above its deadline's mark.
        y = lane_y[item.step] - (13 if shape == "escalation" else 0)
        marks.append(Mark(x(item.at), y, shape, row_status,
                          f"{item.mail_kind.value} til {_audience(item.audience.value)} {verb} "
                          f"{format_datetime_nb(item.at, tz)}"))
    bottom = AXIS_Y + 30 + len(steps) * LANE_H - LANE_H / 2
    today_x = x(now) if start <= now <= end else None
    return Picture(
        width=WIDTH, height=bottom + 24, plot_left=PLOT_LEFT, plot_right=PLOT_RIGHT, axis_y=AXIS_Y,
        bottom=bottom, lanes=tuple(lanes), ticks=_ticks(start, end, cal, x), marks=tuple(marks),
        order_x=x(case.order_received_at), d_x=x(cal.at(case.activation_date, time(0, 0))), today_x=today_x,
        caption=_caption(case, lanes, cal),
        today_note="" if today_x is not None else f"I dag ({format_short_date(now, tz)}) er utenfor tidslinjen.",
    )


def _ticks(start: datetime, end: datetime, cal: BusinessCalendar,
           x: Callable[[datetime], float]) -> tuple[Tick, ...]:
    """A tick each Monday (every second Monday on long axes), labelled dd.mm."""
    first = cal.local_date(start)
    first += timedelta(days=(7 - first.weekday()) % 7)
    weeks = (end - start).days / 7
    step = timedelta(days=7 if weeks <= 12 else 14)
    out, day = [], first
    while cal.at(day, time(0, 0)) < end:
        out.append(Tick(x(cal.at(day, time(0, 0)).astimezone(UTC)), f"{day.day:02d}.{day.month:02d}."))
        day += step
    return tuple(out)


def _audience(value: str) -> str:
    return {"kommune": "kommunen", "coordinators": "koordinatorene"}.get(value, value)


def _caption(case: Case, lanes: Sequence[Lane], cal: BusinessCalendar) -> str:
    done = sum(1 for lane in lanes if lane.status == "done")
    late = [lane.label for lane in lanes if lane.status == "overdue"]
    assert case.activation_date is not None
    text = (f"Tidslinje for {case.ref} fra bestillingen {format_short_date(case.order_received_at, cal.tz)} "
            f"til aktiveringsdatoen {format_short_date(case.activation_date, cal.tz)}: "
            f"{done} av {len(lanes)} steg utført")
    return text + (f"; forsinket: {', '.join(late)}." if late else ".")
