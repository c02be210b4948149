"""The SMTP sender on aiosmtplib: one connection per batch, delivery results per recipient."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from enum import StrEnum
from pathlib import Path

import aiosmtplib
from aiosmtplib import (
    SMTPException,
    SMTPRecipientsRefused,
    SMTPResponseException,
    SMTPSenderRefused,
)

from bot.mail.sender import (
    Delivery,
    OnResult,
    RecipientResult,
    SendResult,
    envelope_for,
    envelope_sender,
)


class SmtpSecurity(StrEnum):
    SSL = "ssl"  # implicit TLS, usually port 465
    STARTTLS = "starttls"  # required, not opportunistic: a server without STARTTLS is an error
    NONE = "none"  # plaintext, for a loopback test server only


class SmtpSender:
    """Sends batches over one authenticated connection; never raises for delivery trouble."""

    def __init__(
        self,
        host: str,
        port: int,
        security: SmtpSecurity | str,
        username: str | None,
        password: str | None,
        ca_file: Path | str | None = None,
        timeout_s: float = 30.0,
    ) -> None:
        self.host = host
        self.port = port
        self.security = SmtpSecurity(security)
        self.username = username or None
        self.password = password
        self.ca_file = str(ca_file) if ca_file else None
        self.timeout_s = timeout_s

    def _client(self) -> aiosmtplib.SMTP:
        tls = self.security != SmtpSecurity.NONE
        context = ssl.create_default_context(cafile=self.ca_file) if tls else None
        return aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            username=self.username,
            password=self.password if self.username else None,
            use_tls=self.security == SmtpSecurity.SSL,
            start_tls=self.security == SmtpSecurity.STARTTLS,
            tls_context=context,
            timeout=self.timeout_s,
        )

    async def send_many(
        self,
        messages: Sequence[EmailMessage],
        recipients: Sequence[Sequence[str]] | None = None,
        on_result: OnResult | None = None,
    ) -> list[SendResult]:
        if not messages:
            return []
        envelopes = envelope_for(messages, recipients)
        client = self._client()
        try:
            await client.connect()
        except (SMTPException, OSError, ssl.SSLError) as exc:
            # Refused, unreachable, TLS or login trouble: nothing was sent, everything is retried later.
            client.close()  # a failed STARTTLS or login leaves the socket open otherwise
            await _let_transport_close()
            reason = f"connect/login failed: {_describe(exc)}"
            pairs = zip(messages, envelopes, strict=True)
            failed = [_all(m, rc, Delivery.TEMPORARY, _code(exc), reason) for m, rc in pairs]
            for i, result in enumerate(failed):
                if on_result is not None:
                    await on_result(i, result)
            return failed
        results: list[SendResult] = []
        try:
            for i, (msg, rcpts) in enumerate(zip(messages, envelopes, strict=True)):
                try:
                    results.append(await _send_one(client, msg, rcpts))
                except (SMTPException, OSError) as exc:
                    # The connection broke mid-batch: this message and the rest go back to the queue.
                    reason = f"connection lost: {_describe(exc)}"
                    rest = zip(messages[i:], envelopes[i:], strict=True)
                    results.extend(_all(m, rc, Delivery.TEMPORARY, None, reason) for m, rc in rest)
                    for k in range(i, len(results)):
                        if on_result is not None:
                            await on_result(k, results[k])
                    break
                if on_result is not None:
                    await on_result(i, results[-1])
        finally:
            await _close(client)
        return results

    async def check(self) -> None:
        """Connect and log in, then quit; raises on failure (for `python -m bot check --connect`)."""
        client = self._client()
        try:
            await client.connect()
        finally:
            await _close(client)
            client.close()


async def _send_one(client: aiosmtplib.SMTP, msg: EmailMessage, rcpts: tuple[str, ...]) -> SendResult:
    mid = str(msg.get("Message-ID", ""))
    if not rcpts:
        return SendResult(mid, ())
    try:
        refused, _ = await client.send_message(msg, sender=envelope_sender(msg), recipients=list(rcpts))
    except SMTPRecipientsRefused as exc:
        by_addr = {r.recipient: r for r in exc.recipients}
        return SendResult(
            mid,
            tuple(
                _classified(a, by_addr[a].code, by_addr[a].message)
                if a in by_addr
                else RecipientResult(a, Delivery.TEMPORARY, None, "refused without a reply code")
                for a in rcpts
            ),
        )
    except SMTPSenderRefused as exc:
        # Our own envelope sender refused is a configuration problem, not the recipients' fault: retry.
        return _all(msg, rcpts, Delivery.TEMPORARY, exc.code, f"sender refused: {exc.message}")
    except SMTPResponseException as exc:
        if exc.code < 0 or isinstance(exc, ConnectionError):
            raise
        # A reply to DATA (or an unexpected one) concerns every recipient of the message alike.
        return SendResult(mid, tuple(_classified(a, exc.code, exc.message) for a in rcpts))
    except ValueError as exc:
        # aiosmtplib refuses addresses that cannot be put in an envelope; sending again will not help.
        return _all(msg, rcpts, Delivery.PERMANENT, None, f"invalid address: {exc}")
    return SendResult(
        mid,
        tuple(
            _classified(a, refused[a].code, refused[a].message)
            if a in refused
            else RecipientResult(a, Delivery.ACCEPTED, 250, "")
            for a in rcpts
        ),
    )


def _classified(address: str, code: int, message: str) -> RecipientResult:
    if 200 <= code < 300:
        return RecipientResult(address, Delivery.ACCEPTED, code, message)
    delivery = Delivery.PERMANENT if 500 <= code < 600 else Delivery.TEMPORARY
    return RecipientResult(address, delivery, code, message)


def _all(
    msg: EmailMessage, rcpts: tuple[str, ...], delivery: Delivery, code: int | None, reason: str
) -> SendResult:
    mid = str(msg.get("Message-ID", ""))
    return SendResult(mid, tuple(RecipientResult(a, delivery, code, reason) for a in rcpts))


def _code(exc: BaseException) -> int | None:
    return exc.code if isinstance(exc, SMTPResponseException) and exc.code > 0 else None


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


async def _close(client: aiosmtplib.SMTP) -> None:
    if not client.is_connected:
        return
    try:
        await client.quit()
    except (SMTPException, OSError):
        client.close()
        await _let_transport_close()


async def _let_transport_close() -> None:
    """A transport closed after a failed TLS handshake or login drops its socket some loop turns
    later; wait for that here, so a caller that ends its loop right after does not leak the socket."""
    await asyncio.sleep(0.05)
