"""Carrying out the engine's decision in one transaction: the case row, events, schedule; mails as requests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain import Audience
from bot.outbound.mail_request import MailRequest
from bot.routine.actions import Decision, FireDue, RecordEvent, Schedule, SendMail
from bot.routine.case import Case
from bot.store.repo import Tx


class Effects:
    """Writes what the engine decided and turns its SendMail actions into mail requests (recipients resolved).
    Composing and queueing those is the post office's job (bot.outbound.post)."""

    def __init__(self, *, coordinators: Sequence[str]) -> None:
        self.coordinators = tuple(c.lower() for c in coordinators)

    def apply(self, tx: Tx, decision: Decision, now: datetime, *, references: Sequence[str] = (),
              order_sender: str | None = None, message_from: str | None = None) -> list[MailRequest]:
        """`references` thread every mail with the message being handled (an order's Message-ID);
        `order_sender` is stored on a new case; `message_from` is named in mail about the message (a forward)."""
        case = decision.case
        tx.save_case(case, order_message_id=references[0] if references else None, sender=order_sender)
        mails: list[MailRequest] = []
        for action in decision.actions:
            if isinstance(action, RecordEvent):
                tx.add_event(case.ref, now, action.kind, action.detail)
            elif isinstance(action, Schedule):
                tx.replace_schedule(case.ref, action.items)
            elif isinstance(action, FireDue):
                tx.fire_due(case.ref, action.item, sent=action.sent, at=now)
            elif isinstance(action, SendMail):
                mails.append(self.request(case, action, references, message_from))
        return mails

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

    def request(self, case: Case | None, action: SendMail, references: Sequence[str] = (),
                message_from: str | None = None) -> MailRequest:
        to, role = self.recipients(case, action)
        refs = tuple(dict.fromkeys(r for r in (*references, action.in_reply_to) if r))
        return MailRequest(kind=action.kind, case=case, to=to, step=action.step, detail=action.detail,
                           in_reply_to=action.in_reply_to, references=refs, recipient_role=role,
                           sender=message_from or "", quote=action.quote)
