"""The outbox: sends what the transactions queued, with retries, backoff and per-recipient results."""

from __future__ import annotations

import email.policy
import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.parser import BytesHeaderParser

from bot.addresses import mailbox_key, recipient_problem
from bot.casework import Casework
from bot.clock import Clock
from bot.domain import MailKind
from bot.mail.sender import Delivery, Sender, SendResult, StoredMail, envelope_sender, next_attempt_delay_s
from bot.outbound.mail_request import MailRequest
from bot.routine.actions import DeliveryFailed
from bot.store.repo import PendingMail, Store, Tx
from bot.store.web_repo import forget_login_link

log = logging.getLogger("bot.outbox")


@dataclass(frozen=True)
class DrainReport:
    sent: int
    retrying: int
    failed: int


@dataclass(frozen=True, kw_only=True)
class Outbox:
    """Drains the outbox; a recipient refused for good becomes an engine event (DeliveryFailed)."""

    store: Store
    clock: Clock
    casework: Casework
    coordinators: tuple[str, ...]
    max_attempts: int

    async def drain(self, sender: Sender, *, batch: int = 200) -> DrainReport:
        """Send every due mail over one connection per batch, recording each result in its own transaction.

        At-least-once: a crash between the server accepting a mail and the commit of its result repeats
        that one mail on restart, never more (SPEC §5). When the server cannot be reached, the sender
        reports the whole batch as temporary failures after one attempt to connect.
        """
        sent = retrying = failed = 0
        while True:
            with self.store.tx() as tx:
                pending = _valid_recipients_only(tx, tx.pending_mail(self.clock.now(), limit=batch), self.clock.now())
            if not pending:
                break
            progressed = False

            async def record(i: int, result: SendResult, pending: list[PendingMail] = pending) -> None:
                # Committed before the next mail goes out: a crash repeats at most the one in flight.
                nonlocal sent, retrying, failed, progressed
                with self.store.tx() as tx:
                    outcome = self._record(tx, pending[i], result, self.clock.now())
                sent += outcome == "sent"
                retrying += outcome == "retrying"
                failed += outcome == "failed"
                progressed = progressed or outcome == "sent"

            # One connection for the whole batch; the sender reports each mail's result as it happens.
            await sender.send_stored([_stored(m) for m in pending], record, self.store.send_fence)
            if not progressed:
                break
        return DrainReport(sent=sent, retrying=retrying, failed=failed)

    def _record(self, tx: Tx, mail: PendingMail, result: SendResult, now: datetime) -> str:
        """Store one mail's per-recipient results; returns "sent", "retrying" or "failed"."""
        for r in result.recipients:
            if r.delivery is not Delivery.TEMPORARY:
                tx.mark_delivery(mail.id, r.address, accepted=r.delivery is Delivery.ACCEPTED,
                                 error=f"{r.code or ''} {r.reason}".strip() or None)
        for r in result.recipients:
            if r.delivery is Delivery.PERMANENT:
                self._permanent_failure(tx, mail.case_ref, r.address, f"{r.code or ''} {r.reason}".strip(), now)
        if not result.needs_retry:
            tx.finish_mail(mail.id, at=now, sent=True)
            if mail.kind == MailKind.LOGIN_LINK:
                forget_login_link(tx, mail.id)
            log.info("mail sent id=%s kind=%s case=%s to=%s", mail.message_id, mail.kind,
                     mail.case_ref or "-", ",".join(result.accepted) or "-")
            return "sent"
        if mail.attempts + 1 >= self.max_attempts:
            tx.finish_mail(mail.id, at=now, sent=False, error="gave up after retries")
            log.error("mail failed id=%s kind=%s: gave up", mail.message_id, mail.kind)
            return "failed"
        delay = next_attempt_delay_s(mail.attempts + 1)
        reason = "; ".join(r.reason for r in result.recipients if r.delivery is Delivery.TEMPORARY)
        tx.finish_mail(mail.id, at=now, sent=False, error=reason[:500], retry_at=now + timedelta(seconds=delay))
        log.warning("mail deferred id=%s kind=%s retry_in_s=%.0f: %s", mail.message_id, mail.kind, delay,
                    reason[:200])
        return "retrying"

    def _permanent_failure(self, tx: Tx, ref: str | None, address: str, reason: str, now: datetime) -> None:
        """A 5xx for one recipient (never retried): an event for the case's engine, else a notice."""
        coordinator = mailbox_key(address) in {mailbox_key(c) for c in self.coordinators}
        case = tx.load_case(ref) if ref else None
        if case is not None:
            self.casework.run(tx, case, DeliveryFailed(address, reason, coordinator, now), now)
        elif not coordinator and self.coordinators:
            # Mail about no case (a digest, a notice) changes no state; the coordinators still hear of it.
            self.casework.post.send(tx, [MailRequest(
                kind=MailKind.NOTICE, case=None, to=self.coordinators, recipient_role="coordinators",
                detail=f"E-post til {address} ble avvist av mottakers e-postserver (permanent feil: {reason[:200]})."
                       " Sjekk adressen.")], now)


def _valid_recipients_only(tx: Tx, pending: list[PendingMail], now: datetime) -> list[PendingMail]:
    """The last check before RCPT TO: an address that is not a plain mailbox (queued by an older version,
    or written into the database by hand) is marked rejected and never given to the SMTP server."""
    out = []
    for mail in pending:
        bad = [r for r in mail.recipients if recipient_problem(r) is not None]
        if not bad:
            out.append(mail)
            continue
        for address in bad:
            tx.mark_delivery(mail.id, address, accepted=False, error=f"refused: {recipient_problem(address)}")
        good = tuple(r for r in mail.recipients if r not in bad)
        if good:
            out.append(replace(mail, recipients=good))
        else:
            tx.finish_mail(mail.id, at=now, sent=False, error="no valid recipient")
    return out


def _stored(mail: PendingMail) -> StoredMail:
    """The queued bytes and their envelope; only the header block is read (for the From address)."""
    end = mail.raw.find(b"\n\n")
    head = BytesHeaderParser(policy=email.policy.compat32).parsebytes(mail.raw if end < 0 else mail.raw[:end + 1])
    return StoredMail(message_id=f"<{mail.message_id}>", sender=envelope_sender(head),
                      recipients=mail.recipients, raw=mail.raw)
