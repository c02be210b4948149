"""The shared vocabulary: what an order says, what a message is, and the closed sets the routine uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class MessageKind(StrEnum):
    """What an inbound message is (SPEC §6 `kind`)."""

    ORDER = "order"
    REPLY = "reply"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    BULK = "bulk"
    OTHER = "other"
    OWN = "own"  # our own mail come back (never answered); reported as "other" in parse --json


class MessageOutcome(StrEnum):
    """The closed set of recorded outcomes of an inbound message (SPEC §3)."""

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


class CaseState(StrEnum):
    NEEDS_INFO = "needs_info"
    ACTIVE = "active"
    ACTIVATED = "activated"
    CANCELLED = "cancelled"


class StepStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    OVERDUE = "overdue"


class Owner(StrEnum):
    KOMMUNE = "kommune"
    COORDINATORS = "coordinators"
    BOT = "bot"


class MailKind(StrEnum):
    """Every kind of mail the bot sends (SPEC §5); one template pair per kind."""

    RECEIPT = "receipt"
    CLARIFICATION = "clarification"
    NEW_CASE = "new_case"
    REMINDER = "reminder"
    ESCALATION = "escalation"
    TEST_NOTICE = "test_notice"
    DIALOG_NOTICE = "dialog_notice"
    DEVIATION = "deviation"
    STEP_CONFIRMED = "step_confirmed"
    COMMAND_RESULT = "command_result"
    ACTIVATED = "activated"
    DIGEST = "digest"
    FORWARD = "forward"  # a reply without a command, passed on to the coordinators
    DATE_CHANGED = "date_changed"
    CANCELLED = "cancelled"
    NOTICE = "notice"  # operational notices to coordinators: quarantine, bounce, rate limit
    LOGIN_LINK = "login_link"  # the status page's single-use login link, to a coordinator who asked for it
    STEP_REOPENED = "step_reopened"  # a confirmed step is open again (gjenåpne / angre)
    REPLY_FORWARDED = "reply_forwarded"  # to the kommune: its reply went to a person (at most daily per case)
    ORDER_COMPLETED = "order_completed"  # to the coordinators: a needs_info order is now complete


class Audience(StrEnum):
    KOMMUNE = "kommune"
    COORDINATORS = "coordinators"
    SENDER = "sender"


class Role(StrEnum):
    """Who sent a command, as far as authorization is concerned."""

    COORDINATOR = "coordinator"
    KOMMUNE = "kommune"
    STRANGER = "stranger"


@dataclass(frozen=True)
class Municipality:
    number: str  # four digits, kept as text ("0301" style numbers keep their zero)
    name: str  # official name as in the registry
    county: str
    domain: str  # e-mail domain, e.g. "malvik.kommune.no"
    org_number: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class OrderedType:
    code: str  # DIALOGMELDING, PLO, EPIKRISE, SVARRAPPORT, HENVISNING, AVVIKSMELDING
    version: str | None  # as written ("1.6"), None when not stated


@dataclass(frozen=True)
class Evidence:
    """Where a field's value came from, for `parse --explain`."""

    field: str
    value: str
    rule: str
    span: str  # the text the rule matched
    not_taken: str | None = None  # a candidate the extractor left out, and why ("phone number", …)


@dataclass(frozen=True)
class Order:
    """What an order mail says: the `order` object of SPEC §6."""

    municipality: Municipality | None
    activation_date: date | None
    message_types: tuple[OrderedType, ...]
    her_ids: tuple[int, ...]
    contact_email: str | None
    outdated_versions: tuple[OrderedType, ...] = ()
    evidence: tuple[Evidence, ...] = field(default=(), compare=False)

    @property
    def missing(self) -> tuple[str, ...]:
        out: list[str] = []
        if self.municipality is None:
            out.append("municipality")
        if self.activation_date is None:
            out.append("activation_date")
        if not self.message_types:
            out.append("message_types")
        elif any(t.version is None for t in self.message_types):
            out.append("versions")
        return tuple(out)


@dataclass(frozen=True)
class SentMail:
    """One mail the bot sent, as the outbox recorded it: what a reply or a bounce can point at."""

    message_id: str  # without angle brackets
    case_ref: str | None
    kind: MailKind
    step: str | None  # the routine step it was about (rules/routine.yaml), if any
    recipients: tuple[str, ...]
