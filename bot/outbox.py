"""The outbox: sends what the transactions queued, with retries, backoff and per-recipient results."""

from __future__ import annotations

import email
import email.policy
import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.message import EmailMessage

from bot.app import App
from bot.domain import MailKind
from bot.effects import MailRequest
from bot.mail.sender import Delivery, RecipientResult, Sender, SendResult, next_attempt_delay_s
from bot.store.repo import PendingMail, Tx

log = logging.getLogger("bot.outbox")


@dataclass(frozen=True)
class DrainReport:
    sent: int
    retrying: int
    failed: int


async def drain_outbox(app: App, sender: Sender, *, batch: int = 200) -> DrainReport:
    """Send every due mail, one at a time, recording each result in its own transaction.

    At-least-once: a crash between the server accepting a mail and the commit of its result repeats
    that one mail on restart, never more (SPEC §5). When the server cannot be reached at all, the rest
    of the batch is deferred with the same reason instead of knocking on a closed door once per mail.
    """
    sent = retrying = failed = 0
    while True:
        with app.store.tx() as tx:
            pending = tx.pending_mail(app.clock.now(), limit=batch)
        if not pending:
            break
        progressed = False
        unreachable: SendResult | None = None
        for mail in pending:
            if unreachable is None:
                [result] = await sender.send_many([_message(mail.raw)], [mail.recipients])
                if _server_unreachable(result):
                    unreachable = result
            else:
                reason = unreachable.recipients[0].reason
                result = SendResult(mail.message_id, tuple(
                    RecipientResult(a, Delivery.TEMPORARY, None, reason) for a in mail.recipients))
            with app.store.tx() as tx:
                outcome = _record(app, tx, mail, result, app.clock.now())
            sent += outcome == "sent"
            retrying += outcome == "retrying"
            failed += outcome == "failed"
            progressed = progressed or outcome == "sent"
        if not progressed:
            break
    return DrainReport(sent=sent, retrying=retrying, failed=failed)


def _server_unreachable(result: SendResult) -> bool:
    """Every recipient failed before the server said anything: refused, timed out, TLS or login trouble."""
    return bool(result.recipients) and all(
        r.delivery is Delivery.TEMPORARY and r.code is None for r in result.recipients)


def _record(app: App, tx: Tx, mail: PendingMail, result: SendResult, now: datetime) -> str:
    """Store one mail's per-recipient results; returns "sent", "retrying" or "failed"."""
    for r in result.recipients:
        if r.delivery is not Delivery.TEMPORARY:
            tx.mark_delivery(mail.id, r.address, accepted=r.delivery is Delivery.ACCEPTED,
                             error=f"{r.code or ''} {r.reason}".strip() or None)
    for address in result.permanent:
        _permanent_failure(app, tx, mail.case_ref, address, now)
    if not result.needs_retry:
        tx.finish_mail(mail.id, at=now, sent=True)
        log.info("mail sent id=%s kind=%s case=%s to=%s", mail.message_id, mail.kind,
                 mail.case_ref or "-", ",".join(result.accepted) or "-")
        return "sent"
    if mail.attempts + 1 >= app.settings.outbox_max_attempts:
        tx.finish_mail(mail.id, at=now, sent=False, error="gave up after retries")
        log.error("mail failed id=%s kind=%s: gave up", mail.message_id, mail.kind)
        return "failed"
    delay = next_attempt_delay_s(mail.attempts + 1)
    reason = "; ".join(r.reason for r in result.recipients if r.delivery is Delivery.TEMPORARY)
    tx.finish_mail(mail.id, at=now, sent=False, error=reason[:500], retry_at=now + timedelta(seconds=delay))
    log.warning("mail deferred id=%s kind=%s retry_in_s=%.0f: %s", mail.message_id, mail.kind, delay,
                reason[:200])
    return "retrying"


def _message(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=email.policy.SMTP)
    assert isinstance(msg, EmailMessage)
    return msg


def _permanent_failure(app: App, tx: Tx, ref: str | None, address: str, now: datetime) -> None:
    """A 5xx for one recipient: marked on the case, and the coordinators are told (never retried)."""
    case = tx.load_case(ref) if ref else None
    if case is not None:
        if address not in case.undeliverable:
            tx.save_case(replace(case, undeliverable=(*case.undeliverable, address)))
        tx.add_event(case.ref, now, "undeliverable", address)
    if app.settings.coordinator_list and address not in app.settings.coordinator_list:
        detail = (f"E-post til {address} ble avvist av mottakers e-postserver (permanent feil). "
                  f"Adressen er merket som ikke leverbar på saken. Sjekk adressen med kommunen.")
        app.enqueue(tx, MailRequest(kind=MailKind.NOTICE, case=case, to=app.settings.coordinator_list,
                                    detail=detail, recipient_role="coordinators"), now)
