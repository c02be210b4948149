"""When things happen for a case: deadlines, the reminder/escalation schedule, step status, the timeline."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, cast

from bot.domain import CaseState, StepStatus
from bot.routine.calendar import BusinessCalendar
from bot.routine.case import Case, CaseSummary
from bot.routine.plan import Anchor, CalendarSpec, Completion, Offset, OnDone, Plan

if TYPE_CHECKING:  # imported where it is built: listing the cases (bot.cli.views) never needs the actions
    from bot.routine.actions import DueItem


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a case's timeline as shown to people: who does what by when."""

    step: str
    label: str  # Norwegian, e.g. "Publisere kommunikasjonspart i Adresseregisteret"
    owner: str  # "kommune", "coordinators" or "bot"
    at: datetime  # aware
    kind: str  # "deadline" or "event"
    calendar: CalendarSpec | None = None  # how it appears in the receipt's .ics, if at all


def resolve(offset: Offset, d: date, deadline: datetime | None, cal: BusinessCalendar) -> datetime:
    """The local instant an offset names for activation date `d`, rolled back off non-business days."""
    if offset.anchor is Anchor.DEADLINE:
        if deadline is None:
            raise ValueError("an offset from the deadline needs a deadline")
        local_deadline = cal.local(deadline)
        base, default_time = local_deadline.date(), local_deadline.timetz().replace(tzinfo=None)
    else:
        base, default_time = d, None
    if offset.business_days is not None:
        day = cal.add_business_days(base, offset.business_days)
    else:
        day = base + timedelta(days=offset.days)
    clock = offset.time if offset.time is not None else default_time
    if clock is None:
        raise ValueError("an offset from d needs a time")
    # Deadlines roll back like reminders: a deadline on a holiday means "by the business day before",
    # and the escalation that fires at the deadline must not land on a closed day either.
    return cal.roll_back(cal.at(day, clock))


def deadlines_for_date(d: date, plan: Plan, cal: BusinessCalendar) -> dict[str, datetime]:
    """Every step's deadline (aware UTC) for activation date `d`; steps without one are absent.

    Worked out once per date and plan (kept on the calendar): every case with the same D has the same ones."""
    return dict(_deadlines_for_date(d, plan, cal))


def _deadlines_for_date(d: date, plan: Plan, cal: BusinessCalendar) -> Mapping[str, datetime]:
    """deadlines_for_date, the calendar's own copy: not to be changed."""
    key = ("deadlines", id(plan), d)
    known = cal.memo.get(key)
    if isinstance(known, tuple) and known[0] is plan:
        return cast(Mapping[str, datetime], known[1])
    out: dict[str, datetime] = {}
    for step, sp in plan.steps.items():
        if sp.deadline is not None:
            out[step] = resolve(sp.deadline, d, None, cal).astimezone(UTC)
    cal.memo[key] = (plan, out)
    return out


def deadlines(case: Case, plan: Plan, cal: BusinessCalendar) -> dict[str, datetime]:
    """The case's step deadlines (aware UTC); empty while D is unknown."""
    if case.activation_date is None:
        return {}
    return deadlines_for_date(case.activation_date, plan, cal)


def schedule_for(
    case: Case, plan: Plan, cal: BusinessCalendar, after: datetime | None = None
) -> tuple[DueItem, ...]:
    """Every reminder, notice and escalation still to come for an active case, sorted by instant.

    Done steps get nothing. With `after`, reminders and notices whose instant had already passed
    when the schedule was made are left out (they were never missed, the receipt or date_changed
    mail covers them); escalations are kept, since an open step past its deadline needs one.
    """
    from bot.routine.actions import DueItem

    if case.state is not CaseState.ACTIVE or case.activation_date is None:
        return ()
    d = case.activation_date
    dl = deadlines(case, plan, cal)
    items: list[DueItem] = []
    for step, sp in plan.steps.items():
        if step not in dl or case.step(step).done:
            continue
        for rule, is_escalation in (
            *((r, False) for r in sp.reminders),
            *((e, True) for e in sp.escalations),
        ):
            at = resolve(rule.at, d, dl[step], cal).astimezone(UTC)
            if after is not None and not is_escalation and at < after:
                continue
            items.append(DueItem(step, rule.name, rule.kind, rule.audience, at, dl[step]))
    return tuple(sorted(items, key=lambda i: (i.at, plan.index(i.step), i.name)))


def is_escalation(item: DueItem, plan: Plan) -> bool:
    return item.step in plan.steps and any(e.name == item.name for e in plan.step(item.step).escalations)


def step_status(case: Case, step: str, now: datetime, plan: Plan, cal: BusinessCalendar) -> StepStatus:
    """done, overdue (an active case past the step's deadline) or pending."""
    sp = plan.steps.get(step)
    activates = sp is not None and sp.completion is Completion.AUTOMATIC and OnDone.ACTIVATE in sp.on_done
    if case.step(step).done or (activates and case.state is CaseState.ACTIVATED):
        return StepStatus.DONE
    if case.state is CaseState.ACTIVE:
        deadline = deadlines(case, plan, cal).get(step)
        if deadline is not None and now >= deadline:
            return StepStatus.OVERDUE
    return StepStatus.PENDING


def next_deadline(case: Case | CaseSummary, now: datetime, plan: Plan, cal: BusinessCalendar) -> datetime | None:
    """The earliest deadline of an open step of an active case (overdue ones included), or None."""
    summary = case if isinstance(case, CaseSummary) else case.summary
    if summary.state is not CaseState.ACTIVE or summary.activation_date is None:
        return None
    return min((at for step, at in _deadlines_for_date(summary.activation_date, plan, cal).items()
                if step not in summary.done_steps), default=None)


def timeline(case: Case, plan: Plan, cal: BusinessCalendar) -> tuple[TimelineEntry, ...]:
    """Who does what by when (aware UTC): the order, each step's deadline and the routine's events.

    Kinds: "deadline" (a step must be done by then), "event" (something happens then: the order
    arrived, test messages are sent, the 09:00 dialogmelding, activation). Entries with a calendar
    spec go into the receipt's .ics.
    """
    order = plan.order_step
    entries = [TimelineEntry(order.name, order.label, order.owner.value, case.order_received_at.astimezone(UTC),
                             "event")]
    if case.activation_date is not None:
        d = case.activation_date
        dl = deadlines(case, plan, cal)
        for step, sp in plan.steps.items():
            if step in dl:
                entries.append(TimelineEntry(step, sp.label, sp.owner.value, dl[step], "deadline", sp.calendar))
            for ev in sp.events:
                at = resolve(ev.at, d, dl.get(step), cal).astimezone(UTC)
                entries.append(TimelineEntry(step, ev.label, ev.owner.value, at, "event", ev.calendar))
    return tuple(sorted(entries, key=lambda e: (e.at, plan.index(e.step))))
