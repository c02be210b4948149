"""Carrying out the engine's actions inside one transaction: case rows, events, schedule, outbox."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.domain import Audience, MailKind, Step
from bot.mail.compose import DigestView
from bot.routine.actions import Action, FireDue, Outcome, RecordEvent, Schedule, SendMail
from bot.routine.case import Case
from bot.store.repo import Tx

# Local parts that never get automatic mail: answering them is how mail loops start.
NEVER_ANSWER = ("mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply", "do-not-reply", "bounce")


def is_unanswerable(address: str, own_address: str) -> bool:
    addr = address.strip().lower()
    if not addr or "@" not in addr or addr == own_address.lower():
        return True
    local = addr.split("@", 1)[0].split("+", 1)[0]
    return local in NEVER_ANSWER or local.startswith(("noreply", "no-reply", "donotreply", "do-not-reply"))


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


EnqueueFn = Callable[[Tx, "MailRequest", datetime], None]


@dataclass
class Applied:
    """What applying an outcome did, for logs and run --once's report."""

    mails: list[MailRequest] = field(default_factory=list)
    events: list[str] = field(default_factory=list)


class Effects:
    """Turns actions into rows. Composing mail is delegated to `compose_and_enqueue`."""

    def __init__(self, *, own_address: str, coordinators: Sequence[str], max_per_day: int,
                 enqueue: EnqueueFn) -> None:
        self.own_address = own_address.lower()
        self.coordinators = tuple(c.lower() for c in coordinators)
        self.max_per_day = max_per_day
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
        allowed = []
        for rcpt in to:
            if is_unanswerable(rcpt, self.own_address):
                continue
            if rcpt not in self.coordinators and not self._within_rate(tx, case, rcpt, now):
                continue
            allowed.append(rcpt)
        if not allowed:
            if case is not None:
                tx.add_event(case.ref, now, "mail_not_sent", f"{action.kind}: no allowed recipient")
            return
        refs = tuple(r for r in (order_message_id, action.in_reply_to) if r)
        req = MailRequest(kind=action.kind, case=case, to=tuple(allowed), step=action.step,
                          detail=action.detail, in_reply_to=action.in_reply_to,
                          references=tuple(dict.fromkeys(refs)), recipient_role=role,
                          sender=message_from or "")
        self._enqueue(tx, req, now)
        applied.mails.append(req)

    def _within_rate(self, tx: Tx, case: Case | None, rcpt: str, now: datetime) -> bool:
        since = now - timedelta(hours=24)
        if tx.mails_to(rcpt, since) < self.max_per_day:
            return True
        # Over the limit: tell the coordinators once per recipient and day, then stay quiet.
        if not tx.has_event_since("rate_limited", rcpt, since):
            tx.add_event(case.ref if case else None, now, "rate_limited", rcpt)
            notice = MailRequest(kind=MailKind.NOTICE, case=case, to=self.coordinators,
                                 detail=f"Grensen på {self.max_per_day} automatiske e-poster per døgn er nådd "
                                 f"for {rcpt}. Boten sender ikke flere til denne adressen før det har gått et døgn.",
                                 recipient_role="coordinators")
            if self.coordinators:
                self._enqueue(tx, notice, now)
        return False
