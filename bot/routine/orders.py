"""Order acceptance: turning an order into a case, merging amendments, and validating D."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from bot.ar.verdict import RegisterAnswer
from bot.domain import Audience, CaseState, MailKind, Order, OrderedType
from bot.routine.actions import Action, Decision, RecordEvent, Schedule, SendMail
from bot.routine.calendar import BusinessCalendar
from bot.routine.case import Case, StepState
from bot.routine.plan import Plan
from bot.routine.register import order_register_actions, order_register_problems
from bot.routine.schedule import deadlines_for_date, schedule_for

_MISSING_NO = {
    "municipality": "hvilken kommune bestillingen gjelder",
    "activation_date": "ønsket aktiveringsdato (D)",
    "message_types": "hvilke meldingstyper som skal kobles opp",
    "versions": "versjon for hver meldingstype (f.eks. PLO 1.6, Dialogmelding 1.1)",
}

# Moving D by a coordinator is searched forward this far for a proposal before giving up.
_MAX_PROPOSAL_DAYS = 400


def fmt_date(d: date) -> str:
    return d.strftime("%d.%m.%Y")


def case_from_order(ref: str, order: Order, at: datetime) -> Case:
    """A fresh needs_info case holding what the order says; acceptance decides the state."""
    return Case(
        ref=ref,
        state=CaseState.NEEDS_INFO,
        municipality=order.municipality,
        activation_date=order.activation_date,
        message_types=order.message_types,
        her_ids=order.her_ids,
        contact_email=order.contact_email,
        created_at=at,
        order_received_at=at,
        outdated_versions=order.outdated_versions,
    )


def _merge_types(old: tuple[OrderedType, ...], new: tuple[OrderedType, ...]) -> tuple[OrderedType, ...]:
    """A type named again replaces the old entry (typically adding its version); new types are added."""
    by_code = {t.code: t for t in old}
    for t in new:
        if t.version is None and t.code in by_code:
            continue  # "PLO" without a version does not erase a version given earlier
        by_code[t.code] = t
    return tuple(by_code.values())


def merge_order(case: Case, order: Order) -> Case:
    """Fields the amendment states fill in or replace the case's; unstated fields stay."""
    types = _merge_types(case.message_types, order.message_types)
    outdated = tuple(t for t in _merge_types(case.outdated_versions, order.outdated_versions) if t in types)
    return replace(
        case,
        municipality=order.municipality or case.municipality,
        activation_date=order.activation_date or case.activation_date,
        message_types=types,
        her_ids=tuple(dict.fromkeys((*case.her_ids, *order.her_ids))),
        contact_email=order.contact_email or case.contact_email,
        outdated_versions=outdated,
    )


def missing_fields(case: Case) -> tuple[str, ...]:
    """The `missing` codes of SPEC §6, computed from the case as it stands."""
    out: list[str] = []
    if case.municipality is None:
        out.append("municipality")
    if case.activation_date is None:
        out.append("activation_date")
    if not case.message_types:
        out.append("message_types")
    elif any(t.version is None for t in case.message_types):
        out.append("versions")
    return tuple(out)


def date_problems(d: date, received_at: datetime, plan: Plan, cal: BusinessCalendar) -> tuple[str, ...]:
    """Why D is not acceptable for an order that arrived at `received_at` (Norwegian), or ()."""
    out: list[str] = []
    closed = cal.closed_reason(d)
    if closed is not None:
        out.append(f"Aktiveringsdatoen {fmt_date(d)} er ikke en virkedag ({closed}).")
    arrived = fmt_date(cal.local_date(received_at))
    if not cal.lead_time_ok(d, received_at, plan.min_lead_days):
        out.append(
            f"Aktiveringsdatoen {fmt_date(d)} er for tidlig: D må være minst {plan.min_lead_days} dager "
            f"etter at bestillingen kom inn ({arrived}), så alle stegene før D rekker å bli gjort."
        )
    elif too_far(d, received_at, plan, cal):
        out.append(
            f"Aktiveringsdatoen {fmt_date(d)} er mer enn {plan.max_lead_days} dager etter at bestillingen kom inn "
            f"({arrived}). Er det en skrivefeil? Oppgi datoen som er avtalt med Hemit."
        )
    return tuple(out)


def too_far(d: date, received_at: datetime, plan: Plan, cal: BusinessCalendar) -> bool:
    """D lies beyond `max_lead_days` from the order's arrival: almost certainly a typo (a year, a digit)."""
    return (d - cal.local_date(received_at)).days > plan.max_lead_days


def order_problems(case: Case, plan: Plan, cal: BusinessCalendar) -> tuple[str, ...]:
    """Everything that stops the case from becoming active: missing fields and an invalid D."""
    out = [f"Mangler: {_MISSING_NO[m]}." for m in missing_fields(case)]
    if case.activation_date is not None:
        out.extend(date_problems(case.activation_date, case.order_received_at, plan, cal))
    return tuple(out)


def proposed_order_date(case: Case, plan: Plan, cal: BusinessCalendar) -> date:
    """The earliest valid D for the order, never earlier than the D the kommune asked for (unless that one
    is too far ahead to be meant)."""
    wanted = case.activation_date
    if wanted is not None and too_far(wanted, case.order_received_at, plan, cal):
        wanted = None
    return cal.earliest_valid_d(case.order_received_at, plan.min_lead_days, not_before=wanted)


def accept(case: Case, at: datetime, by: str | None, plan: Plan) -> Case:
    """The order is complete and D valid: the case goes active with the order step done."""
    done = StepState(step=plan.order_step.name, done_at=at, done_by=by)
    return replace(case, state=CaseState.ACTIVE, proposed_date=None).with_step(done)


def move_problems(
    case: Case, new_d: date, now: datetime, plan: Plan, cal: BusinessCalendar
) -> tuple[str, ...]:
    """Why D cannot move to `new_d` now (Norwegian), or ().

    Policy: the lead time for a move counts from now, but only for the steps still open: every open
    step must get a deadline that has not passed. With nothing done this is the order rule
    (AR deadline D − 14 days); once AR and partner agreements are done, a short postponement after
    an avvik in the test week is still possible.
    """
    out: list[str] = []
    closed = cal.closed_reason(new_d)
    if closed is not None:
        out.append(f"Den nye datoen {fmt_date(new_d)} er ikke en virkedag ({closed}).")
    if new_d < cal.local_date(now):
        out.append(f"Den nye datoen {fmt_date(new_d)} har allerede vært.")
        return tuple(out)
    if too_far(new_d, now, plan, cal):
        out.append(f"Den nye datoen {fmt_date(new_d)} er mer enn {plan.max_lead_days} dager fram i tid.")
        return tuple(out)
    late = [
        plan.step(step).short_label
        for step, at in deadlines_for_date(new_d, plan, cal).items()
        if not case.step(step).done and at < now
    ]
    if late:
        out.append(
            f"Med D = {fmt_date(new_d)} ville fristen for {', '.join(late)} allerede ha passert; "
            "velg en senere dato."
        )
    return tuple(out)


def proposed_move_date(
    case: Case, wanted: date, now: datetime, plan: Plan, cal: BusinessCalendar
) -> date | None:
    """The first date on or after `wanted` (and not before today) that a move would accept; none for a date
    too far ahead to be meant."""
    if too_far(wanted, now, plan, cal):
        return None
    d = max(wanted, cal.local_date(now))
    for _ in range(_MAX_PROPOSAL_DAYS):
        if not move_problems(case, d, now, plan, cal):
            return d
        d += timedelta(days=1)
    return None


def answer_order(
    case: Case,
    at: datetime,
    now: datetime,
    sender: str | None,
    message_id: str | None,
    plan: Plan,
    cal: BusinessCalendar,
    first: bool,
    register: RegisterAnswer | None = None,
) -> Decision:
    """Accept the case (receipt, schedule) or ask for what is missing (clarification with a proposed D).

    With `register` (BOT_AR=rest), a HER-id the Adresseregister does not know, or knows as inactive or as
    another kommune's, is one more thing missing; the receipt shows what AR says of each HER-id."""
    register_problems = order_register_problems(case, register, at, plan)
    problems = (*order_problems(case, plan, cal), *register_problems)
    step = plan.order_step.name
    if not problems:
        active = accept(case, at, sender, plan)
        return Decision(
            active,
            (
                RecordEvent("order_accepted", f"D={active.activation_date}"),
                Schedule(schedule_for(active, plan, cal, after=now)),
                SendMail(MailKind.RECEIPT, Audience.KOMMUNE, step, in_reply_to=message_id,
                         detail=register.lines() if register is not None else ""),
                SendMail(MailKind.NEW_CASE, Audience.COORDINATORS, step),
                *order_register_actions(register),
            ),
        )
    proposed = proposed_order_date(case, plan, cal)
    pending = replace(case, state=CaseState.NEEDS_INFO, proposed_date=proposed)
    detail = "\n".join(problems)
    # The clarification lists missing fields itself (from the case); it needs only why D is invalid.
    date_issues = "\n".join((
        *(date_problems(case.activation_date, case.order_received_at, plan, cal) if case.activation_date else ()),
        *register_problems))
    # The clarification answers whoever sent the order (a coordinator may have placed it for the kommune).
    to_sender = sender is not None
    actions: list[Action] = [
        RecordEvent("order_needs_info", detail),
        SendMail(
            MailKind.CLARIFICATION,
            Audience.SENDER if to_sender else Audience.KOMMUNE,
            step,
            detail=date_issues,
            in_reply_to=message_id,
            to=(sender,) if sender is not None else (),
        ),
    ]
    if first:
        actions.append(SendMail(MailKind.NEW_CASE, Audience.COORDINATORS, step, detail=detail))
    return Decision(pending, tuple(actions))
