"""The sending port: per-recipient delivery results, the Sender protocol and the retry backoff policy."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage, Message
from email.utils import getaddresses
from enum import StrEnum
from typing import Protocol

BACKOFF_BASE_S = 60.0
BACKOFF_CAP_S = 3600.0


class Delivery(StrEnum):
    ACCEPTED = "accepted"
    TEMPORARY = "temporary"  # 4xx, connection or timeout trouble: try again later
    PERMANENT = "permanent"  # 5xx: record on the case, never retry


@dataclass(frozen=True)
class RecipientResult:
    address: str
    delivery: Delivery
    code: int | None = None  # the SMTP reply code, None for connection-level failures
    reason: str = ""


@dataclass(frozen=True)
class SendResult:
    """What happened to one message, recipient by recipient."""

    message_id: str
    recipients: tuple[RecipientResult, ...]

    def _with(self, delivery: Delivery) -> tuple[str, ...]:
        return tuple(r.address for r in self.recipients if r.delivery == delivery)

    @property
    def accepted(self) -> tuple[str, ...]:
        return self._with(Delivery.ACCEPTED)

    @property
    def temporary(self) -> tuple[str, ...]:
        return self._with(Delivery.TEMPORARY)

    @property
    def permanent(self) -> tuple[str, ...]:
        return self._with(Delivery.PERMANENT)

    @property
    def needs_retry(self) -> bool:
        return bool(self.temporary)


OnResult = Callable[[int, SendResult], Awaitable[None]]
# Called just before each message is handed to the server; raising stops the batch there (nothing more is sent).
BeforeSend = Callable[[], None]


@dataclass(frozen=True)
class StoredMail:
    """A mail as the outbox keeps it: the bytes composed once, sent as they are, and the envelope."""

    message_id: str
    sender: str  # the envelope sender (MAIL FROM)
    recipients: tuple[str, ...]
    raw: bytes


class Sender(Protocol):
    """Sends a batch of ready messages; never raises for delivery trouble, reports it per recipient.

    `on_result(i, result)` is awaited after message i, before message i+1 is sent: the outbox
    commits each result there, so a crash repeats at most the one mail in flight while the batch
    still shares one connection. `before_send()` is called just before each message goes out (the leader's
    fence, bot.store.leader); what it raises ends the batch and propagates.
    """

    async def send_many(
        self,
        messages: Sequence[EmailMessage],
        recipients: Sequence[Sequence[str]] | None = None,
        on_result: OnResult | None = None,
        before_send: BeforeSend | None = None,
    ) -> list[SendResult]: ...

    async def send_stored(self, mails: Sequence[StoredMail], on_result: OnResult | None = None,
                          before_send: BeforeSend | None = None) -> list[SendResult]:
        """Like `send_many` for mails already flattened: their bytes go out unchanged, nothing is parsed."""
        ...


def envelope_recipients(msg: EmailMessage) -> tuple[str, ...]:
    """The addresses of To, Cc and Bcc, in order, without duplicates."""
    fields = [str(v) for name in ("To", "Cc", "Bcc") for v in msg.get_all(name, [])]
    return tuple(dict.fromkeys(addr for _, addr in getaddresses(fields) if addr))


def envelope_for(
    messages: Sequence[EmailMessage], recipients: Sequence[Sequence[str]] | None
) -> list[tuple[str, ...]]:
    """Each message's envelope recipients: the explicit list when given, else its headers."""
    if recipients is None:
        return [envelope_recipients(m) for m in messages]
    if len(recipients) != len(messages):
        raise ValueError(f"{len(messages)} messages but {len(recipients)} recipient lists")
    return [tuple(dict.fromkeys(r)) for r in recipients]


def envelope_sender(msg: Message) -> str:
    """The From address (the mailbox); the envelope sender of every mail we send."""
    pairs = getaddresses([str(msg.get("From", ""))])
    return pairs[0][1] if pairs else ""


def next_attempt_delay_s(
    attempts: int, *, base_s: float = BACKOFF_BASE_S, cap_s: float = BACKOFF_CAP_S
) -> float:
    """Seconds to wait after `attempts` failed attempts: base, 2×base, 4×base … capped; 0 before any."""
    if attempts <= 0:
        return 0.0
    # Bound the exponent so a long outage cannot overflow the float before the cap applies.
    return float(min(cap_s, base_s * 2 ** min(attempts - 1, 32)))
