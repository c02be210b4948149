"""The pure routine engine: (case, event, now, plan, calendar) → new case + actions; no clock, DB, IO."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.domain import Audience, CaseState, MailKind, Step
from bot.routine.actions import (
    Action,
    AutoReplyReceived,
    BounceReceived,
    CommandReceived,
    DueItem,
    DueReached,
    Event,
    FireDue,
    OrderAmended,
    OrderReceived,
    Outcome,
    RecordEvent,
    ReplyReceived,
    SendMail,
)
from bot.routine.calendar import BusinessCalendar
from bot.routine.case import Case
from bot.routine.commands import authorize, run_command
from bot.routine.contacts import hold_outside_contact
from bot.routine.orders import answer_order, case_from_order, merge_order
from bot.routine.plan import Plan
from bot.routine.schedule import deadlines, is_escalation

__all__ = ["authorize", "handle"]


def handle(case: Case | None, event: Event, now: datetime, plan: Plan, cal: BusinessCalendar) -> Outcome:
    """Apply one event to a case. `case` is None only for OrderReceived (the case does not exist yet)."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    if isinstance(event, OrderReceived):
        return _order_received(event, now, plan, cal)
    if case is None:
        raise ValueError(f"{type(event).__name__} needs an existing case")
    match event:
        case OrderAmended():
            return _order_amended(case, event, now, plan, cal)
        case CommandReceived():
            return run_command(case, event, now, plan, cal)
        case ReplyReceived():
            return _reply(case, event)
        case DueReached():
            return _due(case, event, plan, cal)
        case AutoReplyReceived():
            return Outcome(case, (RecordEvent("auto_reply", event.sender or ""),))
        case BounceReceived():
            return _bounce(case, event)
    raise TypeError(f"unknown event {event!r}")  # pragma: no cover - the union is closed


# --- orders -------------------------------------------------------------------------------------


def _order_received(ev: OrderReceived, now: datetime, plan: Plan, cal: BusinessCalendar) -> Outcome:
    case, held = hold_outside_contact(case_from_order(ev.ref, ev.order, ev.at))
    outcome = answer_order(case, ev.at, now, ev.sender, ev.message_id, plan, cal, first=True)
    return Outcome(outcome.case, (*outcome.actions, *held))


def _order_amended(case: Case, ev: OrderAmended, now: datetime, plan: Plan, cal: BusinessCalendar) -> Outcome:
    if case.state is not CaseState.NEEDS_INFO:
        # Only a needs_info case is completed by a reply; elsewhere the text goes to the coordinators.
        return Outcome(
            case,
            (
                RecordEvent("amendment_ignored", f"{ev.sender}: case is {case.state.value}"),
                SendMail(MailKind.FORWARD, Audience.COORDINATORS, detail=f"Svar fra {ev.sender}"),
            ),
        )
    merged = merge_order(case, ev.order)
    held: tuple[Action, ...] = ()
    if ev.order.contact_email and ev.order.contact_email.lower() != (case.contact_email or "").lower():
        merged, held = hold_outside_contact(merged, keep=case.contact_email)
    outcome = answer_order(merged, ev.at, now, ev.sender, ev.message_id, plan, cal, first=False)
    return Outcome(outcome.case, (RecordEvent("order_amended", ev.sender), *outcome.actions, *held))


# --- replies, bounces ---------------------------------------------------------------------------


def _reply(case: Case, ev: ReplyReceived) -> Outcome:
    # Every coordinator sees it, also when one coordinator wrote it: the bot mailbox is the only
    # place the others would otherwise find it. Strangers are forwarded too; they are never answered.
    return Outcome(
        case,
        (
            RecordEvent("reply", f"{ev.role.value} {ev.sender}: {ev.text[:200]}"),
            SendMail(MailKind.FORWARD, Audience.COORDINATORS, detail=ev.text),
        ),
    )


def _bounce(case: Case, ev: BounceReceived) -> Outcome:
    detail = f"{ev.recipient or '(ukjent mottaker)'} status={ev.status or '?'}"
    if not ev.permanent:
        # A 4.x.x status is the remote server retrying; nothing is lost yet, so nobody is bothered.
        return Outcome(case, (RecordEvent("bounce_transient", detail),))
    undeliverable = case.undeliverable
    if ev.recipient and ev.recipient in undeliverable:
        # Known already: the coordinators were told the first time.
        return Outcome(case, (RecordEvent("bounce_repeated", detail),))
    if ev.recipient:
        undeliverable = (*undeliverable, ev.recipient)
    return Outcome(
        replace(case, undeliverable=undeliverable),
        (
            RecordEvent("bounce", detail),
            SendMail(MailKind.NOTICE, Audience.COORDINATORS, detail=(
                f"E-post fra boten til {ev.recipient or '(ukjent mottaker)'} kom i retur "
                f"(status {ev.status or 'ukjent'}): adressen tar ikke imot e-post. Boten sender ikke flere "
                f"e-poster dit i denne saken. Sjekk adressen med kommunen.")),
        ),
    )


# --- the clock ----------------------------------------------------------------------------------


def _skip_reason(case: Case, item: DueItem, current: dict[Step, datetime]) -> str | None:
    if case.state is not CaseState.ACTIVE:
        return f"case {case.state.value}"
    if case.step(item.step).done:
        return "step done"
    if current.get(item.step) != item.deadline:
        return "deadline changed"
    return None


def _due(case: Case, ev: DueReached, plan: Plan, cal: BusinessCalendar) -> Outcome:
    """Send what is due; after downtime only the latest item per (step, audience) goes out."""
    current = deadlines(case, plan, cal)
    actions: list[Action] = []
    live: list[DueItem] = []
    for item in ev.items:
        reason = _skip_reason(case, item, current)
        if reason is None:
            live.append(item)
        else:
            actions += [FireDue(item, sent=False), RecordEvent("due_skipped", f"{_key(item)}: {reason}")]
    latest: dict[tuple[Step, Audience], DueItem] = {}
    for item in live:
        group = (item.step, item.audience)
        if group not in latest or (item.at, is_escalation(item, plan)) > (
            latest[group].at,
            is_escalation(latest[group], plan),
        ):
            latest[group] = item
    for item in sorted(live, key=lambda i: i.at):
        if latest[(item.step, item.audience)] is not item:
            actions += [FireDue(item, sent=False), RecordEvent("due_superseded", _key(item))]
            continue
        actions += [
            FireDue(item, sent=True),
            RecordEvent("due_sent", _key(item)),
            SendMail(item.mail_kind, item.audience, item.step, detail=_due_detail(case, item, plan)),
        ]
    return Outcome(case, tuple(actions))


def _key(item: DueItem) -> str:
    return f"{item.step.value}/{item.name}@{item.deadline.isoformat()}"


def _due_detail(case: Case, item: DueItem, plan: Plan) -> str:
    """What the reminder is about in one line, for the template."""
    if item.step is Step.PARTNERAVTALER:
        done = case.step(Step.PARTNERAVTALER).confirmed_parts
        missing = [t.name for t in plan.health_trusts if t.key not in done]
        return "Mangler partneravtale med: " + ", ".join(missing)
    if item.step is Step.TESTMELDINGER:
        lab = any(t.code == "SVARRAPPORT" for t in case.message_types)
        return "Testmeldinger: epikrise og lab (svarrapport)" if lab else "Testmeldinger: epikrise"
    return ""
