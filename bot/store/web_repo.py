"""The status page's repository: its own rows (login tokens, sessions) and what it reads besides cases."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import CursorResult, func, update
from sqlmodel import col, delete, select

from bot.store.models import DeliveryRow, InboundRow, LoginTokenRow, Meta, OutboxRow, WebSessionRow
from bot.store.repo import Tx, id_of, ref_of

LAST_SYNC_KEY = "last_mailbox_sync"


@dataclass(frozen=True)
class Health:
    """What /healthz tells monitoring: figures only, never a name or an address."""

    last_sync: datetime | None
    outbox_pending: int
    outbox_failed: int
    quarantined: int


@dataclass(frozen=True)
class InboundMail:
    id: int
    at: datetime
    sender: str
    subject: str
    kind: str
    outcome: str
    text: str  # the message's own new text, as intake kept it


@dataclass(frozen=True)
class OutboundMail:
    id: int
    at: datetime
    case_ref: str | None
    kind: str
    subject: str
    status: str  # pending, sent, failed
    recipients: tuple[str, ...]
    raw: bytes
    error: str | None


@dataclass(frozen=True)
class WebSession:
    address: str
    expires_at: datetime
    csrf: str


# --- health ---------------------------------------------------------------------------------------


def record_sync(tx: Tx, at: datetime) -> None:
    """The mailbox was read to the end at `at` (the daemon, after each successful sync)."""
    row = tx.s.get(Meta, LAST_SYNC_KEY) or Meta(key=LAST_SYNC_KEY, value="")
    row.value = at.isoformat()
    tx.s.add(row)


def health(tx: Tx) -> Health:
    meta = tx.s.get(Meta, LAST_SYNC_KEY)
    q = select(OutboxRow.status, func.count()).group_by(col(OutboxRow.status))
    counts = {status: int(n) for status, n in tx.s.exec(q)}
    return Health(
        last_sync=datetime.fromisoformat(meta.value) if meta is not None and meta.value else None,
        outbox_pending=counts.get("pending", 0),
        outbox_failed=counts.get("failed", 0),
        quarantined=quarantined_count(tx),
    )


def quarantined_count(tx: Tx) -> int:
    q = select(func.count()).select_from(InboundRow).where(InboundRow.outcome == "quarantined")
    return int(tx.s.exec(q).one())


# --- mail, read-only ------------------------------------------------------------------------------


def inbound_of(tx: Tx, ref: str, limit: int = 200) -> list[InboundMail]:
    """The latest `limit` messages recorded on a case, oldest first."""
    q = (select(InboundRow).where(InboundRow.case_id == id_of(ref))
         .order_by(col(InboundRow.id).desc()).limit(limit))
    rows = list(tx.s.exec(q))[::-1]
    return [InboundMail(id=r.id or 0, at=r.received_at, sender=r.sender or "", subject=r.subject, kind=r.kind,
                        outcome=r.outcome, text=r.new_text) for r in rows]


def outbound_of(tx: Tx, ref: str, limit: int = 200) -> list[OutboundMail]:
    """The latest `limit` mails the bot queued about a case, oldest first."""
    q = (select(OutboxRow).where(OutboxRow.case_id == id_of(ref))
         .order_by(col(OutboxRow.id).desc()).limit(limit))
    return _outbound(tx, list(tx.s.exec(q))[::-1])


def failed_mails(tx: Tx, limit: int = 200) -> list[OutboundMail]:
    """Mails the outbox gave up on, newest first."""
    q = select(OutboxRow).where(OutboxRow.status == "failed").order_by(col(OutboxRow.id).desc()).limit(limit)
    return _outbound(tx, list(tx.s.exec(q)))


def _outbound(tx: Tx, rows: Sequence[OutboxRow]) -> list[OutboundMail]:
    ids = [r.id for r in rows if r.id is not None]
    recipients: dict[int, list[str]] = {}
    if ids:
        q = select(DeliveryRow.outbox_id, DeliveryRow.recipient).where(col(DeliveryRow.outbox_id).in_(ids))
        for outbox_id, recipient in tx.s.exec(q.order_by(col(DeliveryRow.id))):
            recipients.setdefault(outbox_id, []).append(recipient)
    return [OutboundMail(id=r.id or 0, at=r.sent_at or r.created_at, case_ref=ref_of(r.case_id) if r.case_id else None,
                         kind=r.kind, subject=r.subject, status=r.status,
                         recipients=tuple(recipients.get(r.id or 0, ())), raw=r.raw, error=r.last_error)
            for r in rows]


def forget_login_link(tx: Tx, outbox_id: int) -> None:
    """Keep only the headers of a sent login mail: its link is as good as a password until it is used."""
    row = tx.s.get(OutboxRow, outbox_id)
    if row is not None:
        headers = re.split(rb"\r?\n\r?\n", row.raw, maxsplit=1)[0]
        row.raw = headers + b"\n\n(The login link was removed after sending.)\n"
        tx.s.add(row)


# --- login tokens and sessions --------------------------------------------------------------------


def add_login_token(tx: Tx, token_sha256: str, address: str, at: datetime, expires_at: datetime) -> None:
    tx.s.add(LoginTokenRow(token_sha256=token_sha256, address=address, created_at=at, expires_at=expires_at))


def login_tokens_since(tx: Tx, address: str, since: datetime) -> int:
    q = (select(func.count()).select_from(LoginTokenRow)
         .where(LoginTokenRow.address == address, col(LoginTokenRow.created_at) >= since))
    return int(tx.s.exec(q).one())


def redeem_login_token(tx: Tx, token_sha256: str, at: datetime) -> str | None:
    """Mark an unused, unexpired token used and return its address; None for any other token.

    One conditional UPDATE: of two clicks on the same link at the same moment, only one gets a session.
    """
    stmt = (update(LoginTokenRow)
            .where(col(LoginTokenRow.token_sha256) == token_sha256, col(LoginTokenRow.used_at).is_(None),
                   col(LoginTokenRow.expires_at) > at)
            .values(used_at=at))
    result = tx.s.execute(stmt)
    if not isinstance(result, CursorResult) or result.rowcount != 1:
        return None
    row = tx.s.get(LoginTokenRow, token_sha256)
    return None if row is None else row.address


def add_session(tx: Tx, token_sha256: str, address: str, at: datetime, expires_at: datetime, csrf: str) -> None:
    tx.s.add(WebSessionRow(token_sha256=token_sha256, address=address, created_at=at, expires_at=expires_at,
                           csrf=csrf))


def session_of(tx: Tx, token_sha256: str, at: datetime) -> WebSession | None:
    row = tx.s.get(WebSessionRow, token_sha256)
    if row is None or row.expires_at <= at:
        return None
    return WebSession(address=row.address, expires_at=row.expires_at, csrf=row.csrf)


def end_session(tx: Tx, token_sha256: str) -> None:
    tx.s.exec(delete(WebSessionRow).where(col(WebSessionRow.token_sha256) == token_sha256))


def purge_web_rows(tx: Tx, before: datetime) -> None:
    """Forget sessions and login tokens that ended before `before`."""
    tx.s.exec(delete(WebSessionRow).where(col(WebSessionRow.expires_at) < before))
    tx.s.exec(delete(LoginTokenRow).where(col(LoginTokenRow.expires_at) < before))
