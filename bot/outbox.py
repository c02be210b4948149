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
from bot.mail.sender import Delivery, Sender, next_attempt_delay_s
from bot.store.repo import Tx

log = logging.getLogger("bot.outbox")


@dataclass(frozen=True)
class DrainReport:
    sent: int
    retrying: int
    failed: int


async def drain_outbox(app: App, sender: Sender, *, batch: int = 200) -> DrainReport:
    """Send every due mail; a crash between SMTP acceptance and the commit below can repeat one mail."""
    sent = retrying = failed = 0
    while True:
        now = app.clock.now()
        with app.store.tx() as tx:
            pending = tx.pending_mail(now, limit=batch)
        if not pending:
            break
        messages = [_message(p.raw) for p in pending]
        results = await sender.send_many(messages, [p.recipients for p in pending])
        now = app.clock.now()
        progressed = False
        with app.store.tx() as tx:
            for mail, result in zip(pending, results, strict=True):
                for r in result.recipients:
                    if r.delivery is not Delivery.TEMPORARY:
                        tx.mark_delivery(mail.id, r.address, accepted=r.delivery is Delivery.ACCEPTED,
                                         error=f"{r.code or ''} {r.reason}".strip() or None)
                for address in result.permanent:
                    _permanent_failure(app, tx, mail.case_ref, address, now)
                if not result.needs_retry:
                    tx.finish_mail(mail.id, at=now, sent=True)
                    sent += 1
                    progressed = True
                    log.info("mail sent id=%s kind=%s case=%s to=%s", mail.message_id, mail.kind,
                             mail.case_ref or "-", ",".join(result.accepted) or "-")
                elif mail.attempts + 1 >= app.settings.outbox_max_attempts:
                    tx.finish_mail(mail.id, at=now, sent=False, error="gave up after retries")
                    failed += 1
                    log.error("mail failed id=%s kind=%s: gave up", mail.message_id, mail.kind)
                else:
                    delay = next_attempt_delay_s(mail.attempts + 1)
                    reason = "; ".join(r.reason for r in result.recipients if r.delivery is Delivery.TEMPORARY)
                    tx.finish_mail(mail.id, at=now, sent=False, error=reason[:500],
                                   retry_at=now + timedelta(seconds=delay))
                    retrying += 1
                    log.warning("mail deferred id=%s kind=%s retry_in_s=%.0f: %s", mail.message_id,
                                mail.kind, delay, reason[:200])
        if not progressed:
            break
    return DrainReport(sent=sent, retrying=retrying, failed=failed)


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
