"""The inbox: every fetched message to exactly one recorded outcome, in one transaction with its effects."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.app import App
from bot.domain import CaseState, MailKind, MessageKind, Role
from bot.effects import MailRequest
from bot.intake.auth import role_of, sender_authenticated
from bot.intake.commands import read_command
from bot.intake.message import parse_message
from bot.intake.order import extract_order
from bot.intake.understand import Understood, understand
from bot.mail.mailbox import FetchedMessage
from bot.routine.actions import (
    AutoReplyReceived,
    BounceReceived,
    CommandReceived,
    Event,
    OrderAmended,
    OrderReceived,
    ReplyReceived,
)
from bot.routine.case import Case
from bot.routine.engine import handle
from bot.store.models import InboundRow
from bot.store.repo import Tx

log = logging.getLogger("bot.inbox")
QUARANTINE_NOTICE_INTERVAL = timedelta(hours=1)


class Outcome(StrEnum):
    """The closed set of recorded outcomes (SPEC §3)."""

    ORDER = "order"
    NEEDS_INFO = "needs_info"
    REPLY = "reply"
    COMMAND = "command"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    BULK = "bulk"
    OWN = "own"
    UNKNOWN = "unknown"  # from a stranger: logged, shown in the digest, never answered
    OTHER = "other"
    DUPLICATE = "duplicate"
    QUARANTINED = "quarantined"


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
        tx.record_inbound(row)
        tx.set_folder_state(account, fetched.folder, fetched.uidvalidity, _max_uid(tx, account, fetched))
    result = Processed(uid=fetched.uid, outcome=row.outcome, case_ref=_ref(row), error=row.error)
    log.info("message uid=%s from=%s outcome=%s case=%s kind=%s", fetched.uid, row.sender or "-",
             row.outcome, result.case_ref or "-", row.kind or "-")
    return result


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
    case = tx.load_case(u.verdict.case_ref) if u.verdict.case_ref else None
    if case is not None:
        row.case_id = int(case.ref.split("-")[1])
    if kind is MessageKind.OWN:
        row.outcome = Outcome.OWN
    elif kind is MessageKind.BULK:
        row.outcome = Outcome.BULK
    elif kind is MessageKind.BOUNCE:
        row.outcome = Outcome.BOUNCE
        _bounce(app, tx, u, case, now)
    elif kind is MessageKind.AUTO_REPLY:
        row.outcome = Outcome.AUTO_REPLY
        if case is not None:
            _run(app, tx, case, AutoReplyReceived(msg.from_addr, msg.message_id, now), now)
    elif kind is MessageKind.REPLY and case is not None:
        row.outcome = _reply(app, tx, u, case, now, raw)
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


def _run(app: App, tx: Tx, case: Case | None, event: Event, now: datetime, *,
         order_message_id: str | None = None, sender: str | None = None, message_from: str | None = None) -> Case:
    outcome = handle(case, event, now, app.plan, app.calendar)
    app.effects.apply(tx, outcome, now, order_message_id=order_message_id, sender=sender,
                      message_from=message_from)
    return outcome.case


def _bounce(app: App, tx: Tx, u: Understood, case: Case | None, now: datetime) -> None:
    info = u.verdict.bounce
    if case is None and info is not None and info.original_message_id:
        found = tx.sent_message(info.original_message_id)
        if found and found[0]:
            case = tx.load_case(found[0])
    if info is None:
        return
    if case is not None:
        _run(app, tx, case, BounceReceived(info.recipient, info.status, info.permanent, now), now)
    else:
        tx.add_event(None, now, "bounce", f"{info.recipient or '?'} {info.status or ''}".strip())


def _order(app: App, tx: Tx, u: Understood, now: datetime) -> tuple[str, str | None]:
    msg, order = u.message, u.order
    assert order is not None
    sender = msg.from_addr
    if not _known_sender(app, sender):
        # No backscatter: a stranger's "order" is logged for the coordinators' digest, never answered.
        tx.add_event(None, now, "unknown_sender_order", f"{sender or '?'}: {msg.subject[:200]}")
        return Outcome.UNKNOWN, None
    ref = tx.reserve_ref(now)
    case = _run(app, tx, None, OrderReceived(ref, order, sender, msg.message_id, now), now,
                order_message_id=msg.message_id, sender=sender)
    return (Outcome.NEEDS_INFO if case.state is CaseState.NEEDS_INFO else Outcome.ORDER), ref


def _reply(app: App, tx: Tx, u: Understood, case: Case, now: datetime, raw: bytes) -> str:
    msg = u.message
    sender = msg.from_addr or ""
    role = role_of(sender, app.settings.coordinator_list,
                   case.municipality.domain if case.municipality else None, case.contact_email)
    if role is Role.STRANGER:
        # No backscatter: nothing is answered, the attempt is on the case's record.
        tx.add_event(case.ref, now, "reply_from_stranger", f"{sender}: {msg.subject[:200]}")
        return Outcome.UNKNOWN
    hint = None
    for mid in (*msg.in_reply_to, *reversed(msg.references)):
        found = tx.sent_message(mid)
        if found is not None:
            hint = found[1]
            break
    parsed = read_command(msg.subject, u.cut.new_text, app.commands, today=app.calendar.local_date(now))
    if parsed is None:
        if case.state is CaseState.NEEDS_INFO:
            order = extract_order(msg, app.intake.registry, app.intake.vocabulary, new_text=u.cut.new_text)
            _run(app, tx, case, OrderAmended(order, sender, msg.message_id, now), now)
            return Outcome.REPLY
        # The forward names who wrote: a coordinator or another kommune address, not always the contact.
        _run(app, tx, case, ReplyReceived(sender, role, msg.message_id, now, u.cut.new_text), now,
             message_from=sender)
        return Outcome.REPLY
    auth = sender_authenticated(raw, msg.from_addr, app.settings.sender_auth_mode, app.settings.trusted_authserv_id)
    event = CommandReceived(
        command=parsed.command, sender=sender, role=role, message_id=msg.message_id, at=now,
        step=parsed.step or hint, part=parsed.part, text=parsed.text, new_date=parsed.new_date,
        refused_reason=None if auth.ok else auth.reason,
    )
    _run(app, tx, case, event, now)
    return Outcome.COMMAND


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
