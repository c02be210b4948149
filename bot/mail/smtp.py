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
    SMTPAuthenticationError,
    SMTPException,
    SMTPRecipientsRefused,
    SMTPResponseException,
    SMTPSenderRefused,
)

from bot.mail.login_errors import explain_refusal
from bot.mail.oauth2 import AccessToken, OAuth2Error, TokenProvider
from bot.mail.sender import (
    Delivery,
    OnResult,
    RecipientResult,
    SendResult,
    envelope_for,
    envelope_sender,
)
from bot.mail.tls import client_context


class SmtpSecurity(StrEnum):
    SSL = "ssl"  # implicit TLS, usually port 465
    STARTTLS = "starttls"  # required, not opportunistic: a server without STARTTLS is an error
    NONE = "none"  # plaintext, for a loopback test server only


class SmtpLoginError(SMTPResponseException):
    """Login refused (with the server's code) or no token (code -1): one line an administrator can act on,
    never a secret or a token."""

    def __str__(self) -> str:
        return self.message


class SmtpSender:
    """Sends batches over one authenticated connection; never raises for delivery trouble.

    With `oauth2` it logs in by SASL XOAUTH2 as `username` (Microsoft 365: smtp.office365.com:587 STARTTLS).
    """

    def __init__(
        self,
        host: str,
        port: int,
        security: SmtpSecurity | str,
        username: str | None,
        password: str | None,
        ca_file: Path | str | None = None,
        timeout_s: float = 30.0,
        oauth2: TokenProvider | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.security = SmtpSecurity(security)
        self.username = username or None
        self.password = password
        self.ca_file = str(ca_file) if ca_file else None
        self.timeout_s = timeout_s
        self.oauth2 = oauth2

    def _client(self) -> aiosmtplib.SMTP:
        tls = self.security != SmtpSecurity.NONE
        context = client_context(self.ca_file) if tls else None
        password_login = self.username is not None and self.oauth2 is None
        return aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            username=self.username if password_login else None,
            password=self.password if password_login else None,
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
        try:
            client = await self._open()
        except (SMTPException, OSError, ssl.SSLError) as exc:
            # Refused, unreachable, TLS or login trouble: nothing was sent, everything is retried later.
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
        client = await self._open()
        await _close(client)
        client.close()

    async def _open(self) -> aiosmtplib.SMTP:
        """A connected, logged-in client; SmtpLoginError with an explanation when the login is refused."""
        client = self._client()
        try:
            try:
                await client.connect()
            except SMTPAuthenticationError as exc:
                raise SmtpLoginError(exc.code, explain_refusal("SMTP", self.username or "", _reply(exc), None)) from exc
            if self.oauth2 is not None:
                await self._xoauth2(client, self.oauth2)
        except BaseException:
            client.close()  # a failed STARTTLS or login leaves the socket open otherwise
            await _let_transport_close()
            raise
        return client

    async def _xoauth2(self, client: aiosmtplib.SMTP, tokens: TokenProvider) -> None:
        user = self.username or ""
        token = await self._token(tokens)
        try:
            await client.auth_xoauth2(user, token.value)
            return
        except SMTPAuthenticationError as exc:
            # A token the server no longer accepts (revoked, or expired by its clock): one fresh try.
            tokens.invalidate(token)
            fresh = await self._token(tokens)
            if fresh.value == token.value:
                raise SmtpLoginError(exc.code, explain_refusal("SMTP", user, _reply(exc), token)) from exc
        try:
            await client.auth_xoauth2(user, fresh.value)
        except SMTPAuthenticationError as again:
            raise SmtpLoginError(again.code, explain_refusal("SMTP", user, _reply(again), fresh)) from again

    async def _token(self, tokens: TokenProvider) -> AccessToken:
        try:
            return await asyncio.to_thread(tokens.token)
        except OAuth2Error as exc:
            raise SmtpLoginError(-1, f"SMTP login as {self.username}: {exc}") from exc


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


def _reply(exc: SMTPResponseException) -> str:
    return f"{exc.code} {exc.message}"


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
