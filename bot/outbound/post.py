"""The one place mail is composed and queued: every request passes the recipient gate, then the outbox."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from bot.domain import MailKind, Role
from bot.outbound.gate import RecipientGate
from bot.outbound.mail_request import MailRequest
from bot.outbound.render import Composer, make_message_id
from bot.outbound.views import MailContext
from bot.store.repo import Tx


@dataclass(frozen=True, kw_only=True)
class PostOffice:
    """Composes mail requests and puts them in the outbox, in the caller's transaction."""

    composer: Composer
    gate: RecipientGate
    help_texts: Mapping[Role, str]
    own_domain: str

    def send(self, tx: Tx, requests: Iterable[MailRequest], now: datetime) -> list[MailRequest]:
        """Queue each request for the recipients the gate admits (a mail nobody may get is not queued);
        returns what was queued, with those recipients. Notices the gate calls for are queued too."""
        todo = list(requests)
        queued: list[MailRequest] = []
        # Every mailbox these requests may reach, counted in one statement (a receipt and the coordinators'
        # notice of one order); a mailbox is counted again after mail to it is queued here.
        counted: dict[str, int] = {}
        self.gate.count(tx, todo, now, counted)
        while todo:
            req = todo.pop(0)
            admission = self.gate.admit(tx, req, now, counted)
            todo.extend(admission.notices)
            if not admission.to:
                if req.case is not None:
                    tx.add_event(req.case.ref, now, "mail_not_sent", f"{req.kind}: no allowed recipient")
                continue
            req = replace(req, to=admission.to)
            self._queue(tx, req, now)
            for key in self.gate.mailboxes(admission.to):
                counted.pop(key, None)
            queued.append(req)
        return queued

    def _queue(self, tx: Tx, req: MailRequest, now: datetime) -> None:
        case = req.case
        role = Role.COORDINATOR if req.recipient_role == "coordinators" else Role.KOMMUNE
        ctx = MailContext(
            now=now, case=case, step=req.step, detail=req.detail, recipient_role=req.recipient_role,
            help_text=self.help_texts.get(role, ""), proposed_date=case.proposed_date if case else None,
            previous_date=req.previous_date, sender=req.sender, digest=req.digest, quote=req.quote,
            # A clarification's engine text is the list of reasons D cannot be used.
            problems=req.problems or (tuple(req.detail.splitlines()) if req.kind is MailKind.CLARIFICATION else ()),
        )
        message_id = make_message_id(self.own_domain)
        subject, raw = self.composer.build_raw(req.kind, ctx, req.to, message_id=message_id,
                                               in_reply_to=req.in_reply_to, references=req.references,
                                               auto_replied=req.in_reply_to is not None)
        tx.enqueue(ref=case.ref if case else None, kind=req.kind, step=req.step, message_id=message_id.strip("<>"),
                   in_reply_to=req.in_reply_to, subject=subject, raw=raw, recipients=req.to, at=now)
