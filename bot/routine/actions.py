"""What goes into the engine (events) and what comes out (actions): plain values, no IO."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from bot.ar.verdict import RegisterAnswer
from bot.domain import Audience, MailKind, Order, Role
from bot.routine.case import Case


class Command(StrEnum):
    CONFIRM = "confirm"
    DEVIATION = "deviation"
    NEW_DATE = "new_date"
    STATUS = "status"
    CANCEL = "cancel"
    HELP = "help"
    APPROVE_CONTACT = "approve_contact"  # godkjenn kontakt: an outside contact address gets the kommune's rights


# Commands that change a case: they count only with the reply key (bot.intake.reply_key).
STATE_CHANGING = frozenset({Command.CONFIRM, Command.DEVIATION, Command.NEW_DATE, Command.CANCEL,
                            Command.APPROVE_CONTACT})


@dataclass(frozen=True)
class DueItem:
    """One scheduled reminder/escalation/notice. (case, step, name, deadline) is its unique key."""

    step: str
    name: str  # the entry's id in rules/routine.yaml, e.g. "kommune_week_before", "escalation"
    mail_kind: MailKind
    audience: Audience
    at: datetime  # aware UTC: when it is due
    deadline: datetime  # aware UTC: the step's deadline it belongs to


# --- events -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderReceived:
    """A new order mail; `ref` is the reference the store reserved for the new case."""

    ref: str
    order: Order
    sender: str | None
    message_id: str | None
    at: datetime
    register: RegisterAnswer | None = None  # the order's HER-ids in the Adresseregister (BOT_AR=rest)


@dataclass(frozen=True)
class OrderAmended:
    """A reply to a needs_info case, parsed again: fields it states fill in or replace the case's."""

    order: Order
    sender: str
    message_id: str | None
    at: datetime
    register: RegisterAnswer | None = None  # the amended case's HER-ids in the Adresseregister (BOT_AR=rest)


@dataclass(frozen=True)
class CommandReceived:
    command: Command
    sender: str
    role: Role
    message_id: str | None
    at: datetime
    step: str | None = None  # the step named in the command, else the one the replied-to mail was about
    part: str | None = None  # a step confirmed per health trust: which one (a key), None = all of them
    text: str = ""  # avvik text; for approve_contact the pending contact address intake found on the case
    new_date: date | None = None  # ny dato
    refused_reason: str | None = None  # set by intake: no reply key, or sender authentication failed
    register: RegisterAnswer | None = None  # a kommune's confirmation of the AR step: what AR says (BOT_AR=rest)


@dataclass(frozen=True)
class ReplyReceived:
    """A reply with no recognised command (or none that counts): forwarded to the coordinators unless
    intake says why not (`not_forwarded`); a stranger's reply is only recorded."""

    sender: str
    role: Role
    message_id: str | None
    at: datetime
    text: str
    subject: str = ""
    not_forwarded: str | None = None  # e.g. it answers a notice that only the coordinators got
    amendment_refused: bool = False  # it would have completed a needs_info order, but lacks the reply key


@dataclass(frozen=True)
class DueReached:
    """The clock reached these scheduled items of the case (one tick, possibly after downtime)."""

    items: tuple[DueItem, ...]
    at: datetime


@dataclass(frozen=True)
class RegisterChecked:
    """The daily look-up of the case's HER-ids in the Adresseregister: for an order AR could not check when it
    came (`order_check`), and for the AR step once its checks are due (`step_check`)."""

    answer: RegisterAnswer
    at: datetime
    order_check: bool
    step_check: bool


@dataclass(frozen=True)
class AutoReplyReceived:
    sender: str | None
    message_id: str | None
    at: datetime


@dataclass(frozen=True)
class BounceReceived:
    recipient: str | None
    status: str | None  # e.g. "5.1.1"
    permanent: bool
    at: datetime


@dataclass(frozen=True)
class DeliveryFailed:
    """The SMTP server refused a recipient of a bot mail for good (5xx): the address takes no mail."""

    recipient: str
    reason: str
    coordinator: bool  # a coordinator's address: recorded, but the coordinators are not told by mail again
    at: datetime


Event = (
    OrderReceived
    | OrderAmended
    | CommandReceived
    | ReplyReceived
    | DueReached
    | RegisterChecked
    | AutoReplyReceived
    | BounceReceived
    | DeliveryFailed
)


# --- actions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SendMail:
    kind: MailKind
    audience: Audience
    step: str | None = None
    detail: str = ""  # free text for the template: the deviation text, a command's result, …
    in_reply_to: str | None = None  # Message-ID being answered
    to: tuple[str, ...] = ()  # explicit recipients for Audience.SENDER


@dataclass(frozen=True)
class RecordEvent:
    kind: str  # e.g. "order_received", "step_done", "command_refused", "reminder_skipped"
    detail: str = ""


@dataclass(frozen=True)
class Schedule:
    """Replace the case's pending schedule with exactly these items (keys already fired stay fired)."""

    items: tuple[DueItem, ...]


@dataclass(frozen=True)
class FireDue:
    """Mark a scheduled item as handled: sent, or skipped (step done, case closed, superseded)."""

    item: DueItem
    sent: bool


Action = SendMail | RecordEvent | Schedule | FireDue


@dataclass(frozen=True)
class Decision:
    """What the engine decided for one event: the case as it is now, and what to do about it."""

    case: Case
    actions: tuple[Action, ...]
