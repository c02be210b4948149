"""Carrying out the engine's actions inside one transaction: case rows, events, schedule, outbox."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from bot.domain import Audience, MailKind, Step
from bot.mail.compose import DigestView
from bot.routine.actions import Action, FireDue, Outcome, RecordEvent, Schedule, SendMail
from bot.routine.case import Case
from bot.store.repo import Tx


@dataclass
class MailRequest:
    """A mail to compose and enqueue, after recipients are resolved."""

    kind: MailKind
    case: Case | None
    to: tuple[str, ...]
    step: Step | None = None
    detail: str = ""
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    recipient_role: str = "kommune"
    previous_date: date | None = None
    sender: str = ""
    problems: tuple[str, ...] = ()
    digest: DigestView | None = None
    capped: bool = True  # False only for the daily summary of what the cap held back (bot.recipient_gate)


# Composes and queues a mail; returns the recipients that passed the gate (none: nothing was queued).
EnqueueFn = Callable[[Tx, "MailRequest", datetime], tuple[str, ...]]


@dataclass
class Applied:
    """What applying an outcome did, for logs and run --once's report."""

    mails: list[MailRequest] = field(default_factory=list)
    events: list[str] = field(default_factory=list)


class Effects:
    """Turns actions into rows. Composing mail is delegated to `compose_and_enqueue`."""

    def __init__(self, *, coordinators: Sequence[str], enqueue: EnqueueFn) -> None:
        self.coordinators = tuple(c.lower() for c in coordinators)
        self._enqueue = enqueue

    def apply(self, tx: Tx, outcome: Outcome, now: datetime, *, order_message_id: str | None = None,
              sender: str | None = None, message_from: str | None = None, save: bool = True) -> Applied:
        """`sender` is the order's sender (stored on a new case); `message_from` the author of the
        message being handled, named in mail about it (a forwarded reply)."""
        case = outcome.case
        if save:
            tx.save_case(case, order_message_id=order_message_id, sender=sender)
        applied = Applied()
        for action in outcome.actions:
            self._one(tx, case, action, now, applied, order_message_id, message_from)
        return applied

    def _one(self, tx: Tx, case: Case, action: Action, now: datetime, applied: Applied,
             order_message_id: str | None, message_from: str | None) -> None:
        if isinstance(action, RecordEvent):
            tx.add_event(case.ref, now, action.kind, action.detail)
            applied.events.append(action.kind)
        elif isinstance(action, Schedule):
            tx.replace_schedule(case.ref, action.items)
        elif isinstance(action, FireDue):
            tx.fire_due(case.ref, action.item, sent=action.sent, at=now)
        elif isinstance(action, SendMail):
            self.send(tx, case, action, now, applied, order_message_id, message_from)

    def recipients(self, case: Case | None, action: SendMail) -> tuple[tuple[str, ...], str]:
        if action.audience == Audience.COORDINATORS:
            return self.coordinators, "coordinators"
        if action.audience == Audience.SENDER:
            role = "coordinators" if all(a.lower() in self.coordinators for a in action.to) else "kommune"
            return tuple(a.lower() for a in action.to), role
        out: list[str] = []
        if case is not None:
            if case.contact_email:
                out.append(case.contact_email.lower())
            if case.municipality is not None:
                out.append(f"meldingsansvarlig@{case.municipality.domain}")
        undeliverable = {u.lower() for u in case.undeliverable} if case else set()
        return tuple(dict.fromkeys(a for a in out if a not in undeliverable)), "kommune"

    def send(self, tx: Tx, case: Case | None, action: SendMail, now: datetime, applied: Applied,
             order_message_id: str | None = None, message_from: str | None = None) -> None:
        to, role = self.recipients(case, action)
        refs = tuple(r for r in (order_message_id, action.in_reply_to) if r)
        req = MailRequest(kind=action.kind, case=case, to=to, step=action.step,
                          detail=action.detail, in_reply_to=action.in_reply_to,
                          references=tuple(dict.fromkeys(refs)), recipient_role=role,
                          sender=message_from or "")
        admitted = self._enqueue(tx, req, now)
        if not admitted:
            if case is not None:
                tx.add_event(case.ref, now, "mail_not_sent", f"{action.kind}: no allowed recipient")
            return
        applied.mails.append(replace(req, to=admitted))
