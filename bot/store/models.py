"""The database tables. Every datetime is aware UTC; every table belongs to the repository."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    String,
    TypeDecorator,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

# Alembic's revision (bot/store/migrations/versions) is the schema's real version; this number is kept in
# `meta` as well, so that an older release refuses a database a newer one has upgraded.
SCHEMA_VERSION = 2
# IMAP UIDs and UIDVALIDITY are unsigned 32-bit: PostgreSQL's INTEGER is signed (SQLite's is 64-bit anyway).
Uid32 = BigInteger().with_variant(Integer(), "sqlite")
# The rate limit compares recipients as byte strings (bot.store.repo.mails_to): PostgreSQL's default collation
# would not sort "+" and "," as bytes.
BytewiseText = String().with_variant(String(collation="C"), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and gives them back aware (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: store aware UTC datetimes")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def utc_field(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def uid_field(*, primary_key: bool = False, default: int | None = None) -> Any:
    return Field(default=default, sa_column=Column(Uid32, nullable=False, primary_key=primary_key,
                                                   autoincrement=False))


class Meta(SQLModel, table=True):
    key: str = Field(primary_key=True)
    value: str


class CaseRow(SQLModel, table=True):
    __tablename__ = "cases"
    __table_args__ = {"sqlite_autoincrement": True}  # refs are never reused, even after a delete

    id: int | None = Field(default=None, primary_key=True)
    state: str = Field(index=True)
    municipality_number: str | None = None
    activation_date: date | None = None
    message_types_json: str = "[]"
    outdated_json: str = "[]"
    her_ids_json: str = "[]"
    contact_email: str | None = None
    created_at: datetime = utc_field()
    order_received_at: datetime = utc_field()
    service_deactivated: bool = False
    proposed_date: date | None = None
    undeliverable_json: str = "[]"
    order_message_id: str | None = None
    order_sender: str | None = None


class StepRow(SQLModel, table=True):
    __tablename__ = "steps"

    case_id: int = Field(primary_key=True, foreign_key="cases.id")
    step: str = Field(primary_key=True)
    done_at: datetime | None = utc_field(nullable=True)
    done_by: str | None = None
    confirmed_parts: str = ""  # comma-separated HF keys


class DeviationRow(SQLModel, table=True):
    __tablename__ = "deviations"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    at: datetime = utc_field()
    text: str
    by: str


class EventRow(SQLModel, table=True):
    __tablename__ = "events"
    # Rate limits and summaries look events up by kind and time (databases created before have no index:
    # the same queries, only slower).
    __table_args__ = (Index("ix_events_kind_at", "kind", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    at: datetime = utc_field()
    kind: str
    detail: str = ""


class DueRow(SQLModel, table=True):
    """A reminder, escalation or notice: one row per (case, step, name, deadline), fired once."""

    __tablename__ = "due"
    __table_args__ = (
        UniqueConstraint("case_id", "step", "name", "deadline", name="uq_due_key"),
        Index("ix_due_pending", "status", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    step: str
    name: str
    mail_kind: str
    audience: str
    at: datetime = utc_field()
    deadline: datetime = utc_field()
    status: str = "pending"  # pending, sent, skipped, cancelled
    fired_at: datetime | None = utc_field(nullable=True)


class RawMessage(SQLModel, table=True):
    """Raw bytes of every inbound message, by hash: quarantined mail can always be replayed."""

    __tablename__ = "raw_messages"

    sha256: str = Field(primary_key=True)
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class InboundRow(SQLModel, table=True):
    __tablename__ = "inbound"
    __table_args__ = (
        UniqueConstraint("account", "folder", "uidvalidity", "uid", name="uq_inbound_uid"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account: str
    folder: str
    uidvalidity: int = uid_field()
    uid: int = uid_field()
    message_id: str | None = Field(default=None, index=True)
    sha256: str | None = Field(default=None, index=True)
    size_bytes: int = 0
    received_at: datetime = utc_field()
    sender: str | None = None
    subject: str = ""
    kind: str = ""
    outcome: str = ""  # see bot.domain.MessageOutcome: order, needs_info, reply, command, …, duplicate, quarantined
    rules_hit: str = ""
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    error: str | None = None
    new_text: str = ""
    quoted_text: str = ""


@dataclass
class Inbound:
    """An `InboundRow` being filled in: a plain value while the message is read (an ORM object would cost more
    than the rest of a noise message's row), written with one Core statement (`Tx.insert_inbound`)."""

    account: str
    folder: str
    uidvalidity: int
    uid: int
    received_at: datetime
    size_bytes: int = 0
    sha256: str | None = None
    message_id: str | None = None
    sender: str | None = None
    subject: str = ""
    kind: str = ""
    outcome: str = ""
    rules_hit: str = ""
    case_id: int | None = None
    error: str | None = None
    new_text: str = ""
    quoted_text: str = ""
    id: int | None = None  # set for a row read back (a replay)

    @classmethod
    def of(cls, row: InboundRow) -> Inbound:
        return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})


class InProgressRow(SQLModel, table=True):
    """A message being processed: committed before its processing starts, deleted with its outcome.

    A row found on a later pass means processing crashed or was killed; `starts` counts the tries.
    """

    __tablename__ = "in_progress"

    account: str = Field(primary_key=True)
    folder: str = Field(primary_key=True)
    uidvalidity: int = uid_field(primary_key=True)
    uid: int = uid_field(primary_key=True)
    starts: int = 0
    first_started_at: datetime = utc_field()
    sha256: str | None = None


class FolderState(SQLModel, table=True):
    __tablename__ = "folders"

    account: str = Field(primary_key=True)
    folder: str = Field(primary_key=True)
    uidvalidity: int = uid_field()
    last_uid: int = uid_field(default=0)


class OutboxRow(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    kind: str
    step: str | None = None
    message_id: str = Field(unique=True)
    in_reply_to: str | None = None
    subject: str = ""
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = utc_field()
    status: str = "pending"  # pending, sent, failed
    attempts: int = 0
    next_attempt_at: datetime = utc_field()
    sent_at: datetime | None = utc_field(nullable=True)
    last_error: str | None = None


class DeliveryRow(SQLModel, table=True):
    """One recipient of one outgoing mail: the rate limit counts these, 5xx results land here."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_delivery_recipient", "recipient", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    outbox_id: int = Field(foreign_key="outbox.id", index=True)
    recipient: str = Field(sa_column=Column(BytewiseText, nullable=False))
    created_at: datetime = utc_field()
    status: str = "pending"  # pending, accepted, rejected
    error: str | None = None


class LoginTokenRow(SQLModel, table=True):
    """A login link the status page mailed: only its SHA-256 is kept; used once, within its lifetime.

    The rows of the last hour are also the rate limit's count of link mails per address.
    """

    __tablename__ = "web_login_tokens"
    __table_args__ = (Index("ix_web_login_tokens_address", "address", "created_at"),)

    token_sha256: str = Field(primary_key=True)
    address: str
    created_at: datetime = utc_field()
    expires_at: datetime = utc_field()
    used_at: datetime | None = utc_field(nullable=True)


class WebSessionRow(SQLModel, table=True):
    """A logged-in coordinator's session on the status page; the cookie's value is kept as SHA-256 only."""

    __tablename__ = "web_sessions"

    token_sha256: str = Field(primary_key=True)
    address: str
    created_at: datetime = utc_field()
    expires_at: datetime = utc_field(index=True)
    csrf: str  # the session's form token (logout)


class LeaseRow(SQLModel, table=True):
    """Who leads the daemons sharing this database (bot.store.leader): one row, taken over with a new epoch.

    Every commit and every mail sent by the leader first checks, in its transaction, that the epoch is still
    its own and the lease not expired: a leader that was paused and lost the lead cannot write or send.
    """

    __tablename__ = "leader_lease"

    name: str = Field(primary_key=True)
    holder: str
    epoch: int = 0
    acquired_at: datetime = utc_field()
    expires_at: datetime = utc_field()
