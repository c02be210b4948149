"""The pure routine engine: (case, event, now, plan, calendar) → new case + actions; no clock, DB, IO."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.domain import Audience, CaseState, MailKind, Role
from bot.routine.actions import (
    Action,
    AutoReplyReceived,
    BounceReceived,
    CommandReceived,
    Decision,
    DeliveryFailed,
    DueItem,
    DueReached,
    Event,
    FireDue,
    OrderAmended,
    OrderReceived,
    RecordEvent,
    RegisterChecked,
    ReplyReceived,
    SendMail,
)
from bot.routine.calendar import BusinessCalendar
from bot.routine.case import Case
from bot.routine.command_effects import apply_command
from bot.routine.contacts import hold_outside_contact
from bot.routine.orders import answer_order, case_from_order, merge_order
from bot.routine.plan import Plan
from bot.routine.register import register_checked, rejected_her_ids
from bot.routine.schedule import deadlines, is_escalation

__all__ = ["handle"]


def handle(case: Case | None, event: Event, now: datetime, plan: Plan, cal: BusinessCalendar) -> Decision:
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
            return apply_command(case, event, now, plan, cal)
        case ReplyReceived():
            return _reply(case, event)
        case DueReached():
            return _due(case, event, plan, cal)
        case RegisterChecked():
            return register_checked(case, event, plan, cal)
        case AutoReplyReceived():
            return Decision(case, (RecordEvent("auto_reply", event.sender or ""),))
        case BounceReceived():
            return _bounce(case, event)
        case DeliveryFailed():
            return _delivery_failed(case, event)
    raise TypeError(f"unknown event {event!r}")  # pragma: no cover - the union is closed


# --- orders -------------------------------------------------------------------------------------


def _order_received(ev: OrderReceived, now: datetime, plan: Plan, cal: BusinessCalendar) -> Decision:
    case, held = hold_outside_contact(case_from_order(ev.ref, ev.order, ev.at), plan.order_step.name)
    decision = answer_order(case, ev.at, now, ev.sender, ev.message_id, plan, cal, first=True, register=ev.register)
    return Decision(decision.case, (*decision.actions, *held))


def _order_amended(case: Case, ev: OrderAmended, now: datetime, plan: Plan, cal: BusinessCalendar) -> Decision:
    if case.state is not CaseState.NEEDS_INFO:
        # Only a needs_info case is completed by a reply; elsewhere the text goes to the coordinators.
        return Decision(
            case,
            (
                RecordEvent("amendment_ignored", f"{ev.sender}: case is {case.state.value}"),
                SendMail(MailKind.FORWARD, Audience.COORDINATORS, detail=f"Svar fra {ev.sender}"),
            ),
        )
    merged = merge_order(case, ev.order)
    replaced: tuple[Action, ...] = ()
    # HER-ids in the answer replace the ones the Adresseregister rejected ("the right one is 8142326").
    rejected = rejected_her_ids(merged, ev.register, ev.at, plan) - set(ev.order.her_ids) if ev.order.her_ids else set()
    if rejected:
        merged = replace(merged, her_ids=tuple(h for h in merged.her_ids if h not in rejected))
        replaced = (RecordEvent("her_ids_replaced", ", ".join(str(h) for h in sorted(rejected))),)
    held: tuple[Action, ...] = ()
    if ev.order.contact_email and ev.order.contact_email.lower() != (case.contact_email or "").lower():
        merged, held = hold_outside_contact(merged, plan.order_step.name, keep=case.contact_email)
    register = ev.register
    if rejected and register is not None:
        register = replace(register, found=tuple(f for f in register.found if f.her_id not in rejected))
    decision = answer_order(merged, ev.at, now, ev.sender, ev.message_id, plan, cal, first=False, register=register)
    return Decision(decision.case, (RecordEvent("order_amended", ev.sender), *replaced, *decision.actions, *held))


# --- replies, bounces ---------------------------------------------------------------------------


def _reply(case: Case, ev: ReplyReceived) -> Decision:
    if ev.role is Role.STRANGER:
        # No backscatter, and nothing forwarded: the attempt is on the case's record.
        return Decision(case, (RecordEvent("reply_from_stranger", f"{ev.sender}: {ev.subject[:200]}"),))
    actions: list[Action] = []
    if ev.amendment_refused:
        actions.append(RecordEvent("amendment_refused", f"{ev.sender}: no reply key"))
    if ev.not_forwarded is not None:
        actions.append(RecordEvent("reply_not_forwarded", f"{ev.role.value} {ev.sender}: {ev.not_forwarded}"))
        return Decision(case, tuple(actions))
    # Every coordinator sees it, also when one coordinator wrote it: the bot mailbox is the only
    # place the others would otherwise find it.
    return Decision(case, (*actions, RecordEvent("reply", f"{ev.role.value} {ev.sender}: {ev.text[:200]}"),
                           SendMail(MailKind.FORWARD, Audience.COORDINATORS, detail=ev.text)))


def _bounce(case: Case, ev: BounceReceived) -> Decision:
    detail = f"{ev.recipient or '(ukjent mottaker)'} status={ev.status or '?'}"
    if not ev.permanent:
        # A 4.x.x status is the remote server retrying; nothing is lost yet, so nobody is bothered.
        return Decision(case, (RecordEvent("bounce_transient", detail),))
    if ev.recipient and ev.recipient in case.undeliverable:
        # Known already: the coordinators were told the first time.
        return Decision(case, (RecordEvent("bounce_repeated", detail),))
    return _undeliverable(case, ev.recipient, RecordEvent("bounce", detail), (
        f"E-post fra boten til {ev.recipient or '(ukjent mottaker)'} kom i retur "
        f"(status {ev.status or 'ukjent'}): adressen tar ikke imot e-post. Boten sender ikke flere "
        f"e-poster dit i denne saken. Sjekk adressen med kommunen."))


def _delivery_failed(case: Case, ev: DeliveryFailed) -> Decision:
    """A 5xx at sending: the same as a bounce that proved itself, but said by our own SMTP server."""
    record = RecordEvent("undeliverable", ev.recipient)
    if ev.recipient in case.undeliverable or ev.coordinator:
        # Told already; or a coordinator's own address, where a notice would only fail again.
        return Decision(_marked(case, ev.recipient), (record,))
    return _undeliverable(case, ev.recipient, record, (
        f"E-post til {ev.recipient} ble avvist av mottakers e-postserver (permanent feil: {ev.reason[:200]}). "
        f"Adressen er merket som ikke leverbar på saken. Sjekk adressen med kommunen."))


def _marked(case: Case, recipient: str | None) -> Case:
    if not recipient or recipient in case.undeliverable:
        return case
    return replace(case, undeliverable=(*case.undeliverable, recipient))


def _undeliverable(case: Case, recipient: str | None, record: RecordEvent, notice: str) -> Decision:
    """The address takes no more mail on this case; the coordinators are told once."""
    return Decision(_marked(case, recipient),
                    (record, SendMail(MailKind.NOTICE, Audience.COORDINATORS, detail=notice)))


# --- the clock ----------------------------------------------------------------------------------


def _skip_reason(case: Case, item: DueItem, current: dict[str, datetime]) -> str | None:
    if case.state is not CaseState.ACTIVE:
        return f"case {case.state.value}"
    if case.step(item.step).done:
        return "step done"
    if current.get(item.step) != item.deadline:
        return "deadline changed"
    return None


def _due(case: Case, ev: DueReached, plan: Plan, cal: BusinessCalendar) -> Decision:
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
    latest: dict[tuple[str, Audience], DueItem] = {}
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
    return Decision(case, tuple(actions))


def _key(item: DueItem) -> str:
    return f"{item.step}/{item.name}@{item.deadline.isoformat()}"


def _due_detail(case: Case, item: DueItem, plan: Plan) -> str:
    """What is still missing, for a step confirmed per health trust; else nothing."""
    parts = plan.parts(item.step) if item.step in plan.steps else frozenset()
    if not parts:
        return ""
    done = case.step(item.step).confirmed_parts
    return "Mangler bekreftelse for: " + ", ".join(t.name for t in plan.health_trusts if t.key in parts - done)
