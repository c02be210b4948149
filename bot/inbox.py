"""The inbox: every fetched message to exactly one recorded outcome, in one transaction with its effects."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.app import App
from bot.domain import CaseState, MailKind, MessageKind, MessageOutcome
from bot.effects import MailRequest
from bot.intake.bounce_match import match_bounce, named_recipients, referenced_ids
from bot.intake.message import parse_message
from bot.intake.reply_key import rights_sender
from bot.intake.understand import Understood, understand
from bot.mail.mailbox import FetchedMessage
from bot.replies import handle_reply
from bot.routine.actions import AutoReplyReceived, BounceReceived, OrderReceived
from bot.routine.case import Case
from bot.store.models import InboundRow
from bot.store.repo import Tx, id_of

log = logging.getLogger("bot.inbox")
QUARANTINE_NOTICE_INTERVAL = timedelta(hours=1)
# A message found still in progress (the bot died on it) is tried once more, then quarantined.
MAX_STARTS = 2
Outcome = MessageOutcome  # the recorded outcomes (bot.domain); the name stays for callers


@dataclass(frozen=True)
class Processed:
    uid: int
    outcome: str
    case_ref: str | None
    error: str | None = None


def process_fetched(app: App, fetched: FetchedMessage, account: str, *,
                    headers: bytes | None = None) -> Processed | None:
    """Record one fetched message and everything it causes; None when it was recorded before.

    `headers` is the header block of a message too large to download: it names the message in the
    quarantine notice and lets a second copy (or a rescan after a UIDVALIDITY change) count as a duplicate.
    """
    now = app.clock.now()
    starts = 0
    if fetched.raw is not None:
        marked = _mark_in_progress(app, fetched, account, now)
        if marked is None:
            return None
        starts = marked
    with app.store.tx() as tx:
        if tx.inbound_seen(account, fetched.folder, fetched.uidvalidity, fetched.uid):
            return None
        row = InboundRow(account=account, folder=fetched.folder, uidvalidity=fetched.uidvalidity,
                         uid=fetched.uid, size_bytes=fetched.size_bytes, received_at=now)
        if fetched.raw is None:
            if headers:
                head = parse_message(headers)
                row.message_id, row.sender, row.subject = head.message_id, head.from_addr, head.subject[:500]
            if row.message_id and tx.duplicate_of(row.message_id, "") is not None:
                row.outcome = Outcome.DUPLICATE
            else:
                row.outcome = Outcome.QUARANTINED
                row.error = (f"message of {fetched.size_bytes} bytes exceeds BOT_MAX_MESSAGE_BYTES="
                             f"{app.settings.max_message_bytes}; not downloaded")
                _quarantine_notice(app, tx, row, now)
        elif starts > MAX_STARTS:
            row.sha256 = hashlib.sha256(fetched.raw).hexdigest()
            row.outcome = Outcome.QUARANTINED
            row.error = (f"processing was interrupted {starts - 1} times (the bot crashed or was killed while "
                         f"handling this message); not tried again")
            _quarantine_notice(app, tx, row, now)
        else:
            raw = fetched.raw
            row.sha256 = hashlib.sha256(raw).hexdigest()
            tx.store_raw(row.sha256, raw)
            nested = tx.s.begin_nested()
            try:
                handle_raw(app, tx, raw, row, now)
                nested.commit()
            except Exception as exc:  # one bad message must never stop the rest
                nested.rollback()
                log.exception("quarantined uid=%s", fetched.uid)
                row.outcome = Outcome.QUARANTINED
                row.kind = row.kind or ""
                row.case_id = None
                row.error = f"{type(exc).__name__}: {exc}"[:2000]
                _quarantine_notice(app, tx, row, now)
        tx.finish_processing(account, fetched.folder, fetched.uidvalidity, fetched.uid)
        tx.record_inbound(row)
        tx.set_folder_state(account, fetched.folder, fetched.uidvalidity, _max_uid(tx, account, fetched))
    result = Processed(uid=fetched.uid, outcome=row.outcome, case_ref=_ref(row), error=row.error)
    log.info("message uid=%s from=%s outcome=%s case=%s kind=%s", fetched.uid, row.sender or "-",
             row.outcome, result.case_ref or "-", row.kind or "-")
    return result


def _mark_in_progress(app: App, fetched: FetchedMessage, account: str, now: datetime) -> int | None:
    """Commit the message as in progress before it is parsed; how often it has been started (this time
    included), or None when it was recorded before. Its bytes are stored now, so a message that kills
    the bot is kept for `quarantine replay` even though it never gets an outcome of its own making."""
    assert fetched.raw is not None
    with app.store.tx() as tx:
        if tx.inbound_seen(account, fetched.folder, fetched.uidvalidity, fetched.uid):
            return None
        sha256 = hashlib.sha256(fetched.raw).hexdigest()
        tx.store_raw(sha256, fetched.raw)
        return tx.start_processing(account, fetched.folder, fetched.uidvalidity, fetched.uid, sha256=sha256, at=now)


def _max_uid(tx: Tx, account: str, fetched: FetchedMessage) -> int:
    state = tx.folder_state(account, fetched.folder)
    if state is None or state.uidvalidity != fetched.uidvalidity:
        return fetched.uid
    return max(state.last_uid, fetched.uid)


def _ref(row: InboundRow) -> str | None:
    return f"OPK-{row.case_id}" if row.case_id else None


def _quarantine_notice(app: App, tx: Tx, row: InboundRow, now: datetime) -> None:
    """Tell the coordinators, at most once an hour: a flood of broken mail must not become a flood of notices."""
    tx.add_event(None, now, "quarantined", f"uid {row.uid}: {row.error}")
    if tx.has_event_since("quarantine_notice", "", now - QUARANTINE_NOTICE_INTERVAL):
        return
    tx.add_event(None, now, "quarantine_notice", "")
    notify_coordinators(app, tx, None, (
        f"En melding i postkassen kunne ikke behandles og er satt i karantene.\n"
        f"Avsender: {row.sender or 'ukjent'}\nEmne: {row.subject or '(uten emne)'}\n"
        f"Feil: {row.error}\n\nOriginalen er tatt vare på og kan spilles av på nytt med "
        f"«oppkobling quarantine replay» når feilen er rettet. Flere meldinger i karantene den neste "
        f"timen varsles ikke hver for seg; de står i «oppkobling quarantine list» og i ukeoversikten."), now)


def handle_raw(app: App, tx: Tx, raw: bytes, row: InboundRow, now: datetime) -> None:
    """Understand one message and act on it; fills in `row`'s outcome. Raises on a processing error."""

    def lookup(message_id: str) -> str | None:
        found = tx.sent_message(message_id)
        return found[0] if found else None

    u = understand(raw, app.intake, own_address=app.settings.mailbox_address, case_for_message_id=lookup,
                   max_decompressed_bytes=app.settings.max_message_bytes)
    msg = u.message
    row.message_id = msg.message_id
    row.sender = msg.from_addr
    row.subject = msg.subject[:500]
    row.kind = u.verdict.kind.value
    row.rules_hit = ",".join(u.verdict.rules_hit)
    row.new_text = u.cut.new_text
    row.quoted_text = u.cut.quoted_text
    if tx.duplicate_of(msg.message_id, row.sha256 or "", exclude_id=row.id) is not None:
        row.outcome = Outcome.DUPLICATE
        return
    kind = u.verdict.kind
    # A bounce's case is the one of the bot mail it returns, never a subject tag (see _bounce).
    case = tx.load_case(u.verdict.case_ref) if u.verdict.case_ref and kind is not MessageKind.BOUNCE else None
    if case is not None:
        row.case_id = id_of(case.ref)
    if kind is MessageKind.OWN:
        row.outcome = Outcome.OWN
    elif kind is MessageKind.BULK:
        row.outcome = Outcome.BULK
    elif kind is MessageKind.BOUNCE:
        row.outcome = Outcome.BOUNCE
        ref = _bounce(app, tx, u, now)
        row.case_id = id_of(ref) if ref else None
    elif kind is MessageKind.AUTO_REPLY:
        row.outcome = Outcome.AUTO_REPLY
        if case is not None:
            app.run_event(tx, case, AutoReplyReceived(msg.from_addr, msg.message_id, now), now)
    elif kind is MessageKind.REPLY and case is not None:
        row.outcome = handle_reply(app, tx, u, case, now, raw)
    elif kind is MessageKind.ORDER and u.order is not None:
        row.outcome, ref = _order(app, tx, u, now)
        row.case_id = int(ref.split("-")[1]) if ref else None
    else:
        # Questions, misdirected mail and replies naming a case we do not have: logged for people.
        row.outcome = Outcome.OTHER if _known_sender(app, msg.from_addr) else Outcome.UNKNOWN


def _known_sender(app: App, sender: str | None) -> bool:
    if not sender:
        return False
    if sender in app.settings.coordinator_list:
        return True
    return app.intake.registry.by_domain(sender.rpartition("@")[2]) is not None


def _bounce(app: App, tx: Tx, u: Understood, now: datetime) -> str | None:
    """Mark a recipient undeliverable when the bounce proves it; returns the case it changed, if any."""
    msg, info = u.message, u.verdict.bounce
    sent = tx.sent_mails(referenced_ids(msg, info))
    found = match_bounce(sent, named_recipients(msg, info))
    if found is None:
        # Anyone can write "[OPK-1]" in a subject; only a bounce of a mail we sent, naming one of its
        # recipients, may touch a case. The rest is logged and dropped (and never answered).
        why = "names no recipient of the mail it returns" if sent else "returns no mail the bot sent"
        tx.add_event(None, now, "bounce_ignored", f"{msg.from_addr or '?'} {msg.subject[:150]!r}: {why}")
        log.warning("bounce ignored from=%s: %s", msg.from_addr or "-", why)
        return None
    status, permanent = (info.status, info.permanent) if info is not None else (None, True)
    case = tx.load_case(found.mail.case_ref) if found.mail.case_ref else None
    if case is None:
        tx.add_event(None, now, "bounce", f"{found.recipient} {status or ''}".strip())
        return None
    app.run_event(tx, case, BounceReceived(found.recipient, status, permanent, now), now)
    return case.ref


def _order(app: App, tx: Tx, u: Understood, now: datetime) -> tuple[str, str | None]:
    msg, order = u.message, u.order
    assert order is not None
    sender = rights_sender(msg)
    if not _known_sender(app, sender):
        # No backscatter: a stranger's "order" is logged for the coordinators' digest, never answered.
        tx.add_event(None, now, "unknown_sender_order", f"{msg.from_addr or '?'}: {msg.subject[:200]}")
        return Outcome.UNKNOWN, None
    ref = tx.reserve_ref(now)
    case = app.run_event(tx, None, OrderReceived(ref, order, sender, msg.message_id, now), now,
                order_message_id=msg.message_id, sender=sender)
    return (Outcome.NEEDS_INFO if case.state is CaseState.NEEDS_INFO else Outcome.ORDER), ref


def notify_coordinators(app: App, tx: Tx, case: Case | None, detail: str, now: datetime) -> None:
    if app.settings.coordinator_list:
        app.enqueue(tx, MailRequest(kind=MailKind.NOTICE, case=case, to=app.settings.coordinator_list,
                                    detail=detail, recipient_role="coordinators"), now)


def replay(app: App, inbound_id: int) -> Processed:
    """Process a quarantined message's stored bytes again (after a fix); the old row records the result."""
    now = app.clock.now()
    with app.store.tx() as tx:
        row = tx.inbound_row(inbound_id)
        if row is None or row.sha256 is None:
            raise ValueError(f"no stored message {inbound_id}")
        raw = tx.raw(row.sha256)
        if raw is None:
            raise ValueError(f"message {inbound_id} has no stored bytes")
        previous = row.error
        nested = tx.s.begin_nested()
        try:
            row.outcome, row.error = "", None
            handle_raw(app, tx, raw, row, now)
            nested.commit()
        except Exception as exc:
            nested.rollback()
            row.outcome, row.error = Outcome.QUARANTINED, f"{type(exc).__name__}: {exc}"[:2000]
        tx.add_event(_ref(row), now, "replayed", f"inbound {inbound_id}: {previous} → {row.outcome}")
        tx.update_inbound(row)
    return Processed(uid=row.uid, outcome=row.outcome, case_ref=_ref(row), error=row.error)
