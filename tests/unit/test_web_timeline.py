"""The timeline picture and the week strip: pure geometry and selection from a case, the plan and `now`."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from bot.domain import CaseState, Municipality, Order, OrderedType
from bot.routine.actions import OrderReceived
from bot.routine.calendar import OSLO, BusinessCalendar
from bot.routine.case import Case, StepState
from bot.routine.engine import handle
from bot.routine.plan import load_plan
from bot.routine.schedule import deadlines, schedule_for
from bot.routine.week import this_week, week_bounds
from bot.web.timeline import PLOT_LEFT, PLOT_RIGHT, timeline_picture

PLAN = load_plan()
CAL = BusinessCalendar(PLAN.closed_days)
# The shipped routine's first step with a deadline (the kommune's AR publication) and its per-trust step.
FIRST = next(s for s in PLAN.steps.values() if s.deadline is not None)
PART = PLAN.part_step
assert PART is not None
MALVIK = Municipality("5031", "Malvik", "Trøndelag", "malvik.kommune.no")
ORDERED = datetime(2027, 1, 11, 9, 14, tzinfo=OSLO)
D = date(2027, 3, 1)


def malvik(d: date = D) -> Case:
    """Malvik's case as the engine makes it from a complete order on 11 January 2027."""
    order = Order(MALVIK, d, (OrderedType("PLO", "1.6"),), (8142326,), "meldingsansvarlig@malvik.kommune.no")
    case = handle(None, OrderReceived("OPK-1", order, order.contact_email, "<o@malvik>", ORDERED), ORDERED,
                  PLAN, CAL).case
    assert case.state is CaseState.ACTIVE
    return case


def oslo(y: int, m: int, d: int, h: int = 12) -> datetime:
    return datetime(y, m, d, h, tzinfo=OSLO)


def test_marks_lie_on_a_date_axis_from_the_order_to_d() -> None:
    """The axis runs from the order's day to the end of D: later deadlines lie further right, in plan order."""
    case = malvik()
    picture = timeline_picture(case, PLAN, CAL, oslo(2027, 2, 1), ())
    assert picture is not None
    assert [lane.label for lane in picture.lanes] == [s.short_label for s in PLAN.steps.values()]
    assert len(picture.lanes) == len(PLAN.steps)
    deadline_xs = [m.x for m in picture.marks if m.shape == "deadline"]
    assert deadline_xs == sorted(deadline_xs) and len(deadline_xs) == len(deadlines(case, PLAN, CAL))
    assert PLOT_LEFT <= picture.order_x < deadline_xs[0] < picture.d_x <= PLOT_RIGHT
    assert all(PLOT_LEFT <= m.x <= PLOT_RIGHT for m in picture.marks)
    assert picture.today_x is not None and picture.order_x < picture.today_x < deadline_xs[0]
    assert picture.ticks[0].label == "11.01." and all(t.label.endswith(".") for t in picture.ticks)


def test_overdue_done_and_planned_are_told_by_shape_and_words_not_colour_alone() -> None:
    """Past an open deadline the lane is overdue (its mark says so); a done step has a done mark."""
    case = malvik()
    case = case.with_step(StepState(PART.name, done_at=oslo(2027, 2, 10), done_by="koordinator@hemit.no"))
    picture = timeline_picture(case, PLAN, CAL, oslo(2027, 2, 16), ())
    assert picture is not None
    lanes = {lane.label: lane.status for lane in picture.lanes}
    assert lanes[FIRST.short_label] == "overdue" and lanes[PART.short_label] == "done"
    ar = next(m for m in picture.marks if m.shape == "deadline" and m.title.startswith(FIRST.short_label))
    assert ar.status == "overdue" and ar.title.endswith("– forsinket") and ar.label == "15.02"
    done = [m for m in picture.marks if m.shape == "done"]
    assert any(f"{PART.short_label}: utført onsdag 10. februar 2027" in m.title for m in done)
    assert f"forsinket: {FIRST.short_label}" in picture.caption


def test_reminders_sent_and_planned_come_from_the_schedule_rows() -> None:
    """Sent and pending schedule rows are drawn; cancelled and skipped ones are not."""
    case = malvik()
    items = schedule_for(case, PLAN, CAL)
    rows = [(items[0], "sent"), (items[1], "pending"), (items[2], "cancelled"), (items[3], "skipped")]
    picture = timeline_picture(case, PLAN, CAL, oslo(2027, 2, 16), rows)
    assert picture is not None
    drawn = [m for m in picture.marks if m.shape in ("sent", "planned", "escalation")]
    assert [m.status for m in drawn] == ["sent", "pending"]
    assert "sendt mandag 8. februar 2027 kl. 08:00" in drawn[0].title


@pytest.mark.parametrize(("now", "where"), [
    (oslo(2027, 1, 4), "before the order"),  # a week before the order: the axis starts at today
    (oslo(2027, 3, 5), "after D"),  # four days after D: the axis runs on to today
    (oslo(2026, 12, 1), None),  # further away: noted, not drawn
    (oslo(2027, 6, 1), None),
])
def test_today_is_drawn_near_the_axis_and_noted_otherwise(now: datetime, where: str | None) -> None:
    """Today's line appears within two weeks of the order or D; further away the caption says where it is."""
    picture = timeline_picture(malvik(), PLAN, CAL, now, ())
    assert picture is not None
    if where is None:
        assert picture.today_x is None and picture.today_note.startswith("I dag (")
        assert PLOT_LEFT < picture.order_x < PLOT_LEFT + 10  # the axis starts on the order's day
        return
    assert picture.today_x is not None and picture.today_note == ""
    if where == "before the order":
        assert picture.today_x < picture.order_x
    else:
        assert picture.d_x < picture.today_x <= PLOT_RIGHT


def test_no_picture_without_an_activation_date() -> None:
    """A case still waiting for D has no timeline to draw."""
    assert timeline_picture(replace(malvik(), activation_date=None), PLAN, CAL, oslo(2027, 1, 12), ()) is None


def test_the_week_runs_monday_to_monday_also_over_the_change_to_summer_time() -> None:
    """Local Monday 00:00 to the next; the week of 28 March 2027 is an hour short."""
    start, end = week_bounds(oslo(2027, 3, 24), CAL)
    assert start.astimezone(OSLO) == datetime(2027, 3, 22, tzinfo=OSLO)
    assert end.astimezone(OSLO) == datetime(2027, 3, 29, tzinfo=OSLO)
    assert end - start == timedelta(days=7, hours=-1)


def test_this_week_holds_the_deadlines_and_events_of_active_cases_only() -> None:
    """Deadlines and planned events (test messages, the 09:00 dialogmelding) in the week, in time order;
    not the order itself, nothing from other weeks, nothing from closed cases."""
    case = malvik()
    week = this_week([case], oslo(2027, 2, 24), PLAN, CAL)
    assert [(w.at.astimezone(OSLO).strftime("%a %d %H:%M"), w.kind, w.status) for w in week] == [
        ("Mon 22 08:00", "deadline", "overdue"), ("Mon 22 08:00", "event", "pending"),
        ("Wed 24 16:00", "deadline", "pending"),
    ]
    assert {w.ref for w in week} == {"OPK-1"} and week == tuple(sorted(week, key=lambda w: w.at))
    assert this_week([case], oslo(2027, 1, 12), PLAN, CAL) == ()  # the order's week: only the order
    assert this_week([replace(case, state=CaseState.CANCELLED)], oslo(2027, 2, 24), PLAN, CAL) == ()
    d_week = this_week([case], oslo(2027, 3, 1, 8), PLAN, CAL)
    assert any("09:00" in w.label and w.kind == "event" for w in d_week)
