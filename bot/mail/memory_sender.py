"""An in-memory Sender for tests and the dry-run demo: records messages, fails recipients on request."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage

from bot.mail.sender import BeforeSend, Delivery, OnResult, RecipientResult, SendResult, StoredMail, envelope_for


@dataclass
class MemorySender:
    """Accepts everything unless an address is listed in `temporary` or `permanent`.

    `down = True` simulates an unreachable server: every recipient fails temporarily, nothing is kept.
    """

    temporary: set[str] = field(default_factory=set)
    permanent: set[str] = field(default_factory=set)
    down: bool = False
    sent: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[EmailMessage, tuple[str, ...]]] = field(default_factory=list)  # accepted RCPTs
    batches: int = 0  # one per send_many call, the analogue of one SMTP connection

    async def send_many(
        self,
        messages: Sequence[EmailMessage],
        recipients: Sequence[Sequence[str]] | None = None,
        on_result: OnResult | None = None,
        before_send: BeforeSend | None = None,
    ) -> list[SendResult]:
        self.batches += 1
        results = []
        for msg, envelope in zip(messages, envelope_for(messages, recipients), strict=True):
            if before_send is not None:
                before_send()
            rcpts = tuple(self._result(addr) for addr in envelope)
            accepted = tuple(r.address for r in rcpts if r.delivery == Delivery.ACCEPTED)
            if accepted:
                self.sent.append(msg)
                self.envelopes.append((msg, accepted))
            results.append(SendResult(str(msg.get("Message-ID", "")), rcpts))
            if on_result is not None:
                await on_result(len(results) - 1, results[-1])
        return results

    async def send_stored(self, mails: Sequence[StoredMail], on_result: OnResult | None = None,
                          before_send: BeforeSend | None = None) -> list[SendResult]:
        """The stored bytes, parsed here only so that tests can read what was sent."""
        messages = [email.message_from_bytes(m.raw, policy=email.policy.default) for m in mails]
        return await self.send_many(messages, [m.recipients for m in mails], on_result, before_send)

    def _result(self, address: str) -> RecipientResult:
        key = address.lower()
        if self.down:
            return RecipientResult(address, Delivery.TEMPORARY, None, "server unreachable")
        if key in {a.lower() for a in self.permanent}:
            return RecipientResult(address, Delivery.PERMANENT, 550, "5.1.1 mailbox unavailable")
        if key in {a.lower() for a in self.temporary}:
            return RecipientResult(address, Delivery.TEMPORARY, 451, "4.3.0 try again later")
        return RecipientResult(address, Delivery.ACCEPTED, 250, "OK")

    def sent_to(self, address: str) -> list[EmailMessage]:
        """Messages accepted for `address` (case-insensitive), by envelope."""
        want = address.lower()
        return [m for m, rcpts in self.envelopes if want in {a.lower() for a in rcpts}]
