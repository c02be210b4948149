"""The SMTP sender on aiosmtplib: one connection per batch, delivery results per recipient."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from enum import StrEnum
from pathlib import Path
from typing import Any

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
    BeforeSend,
    Delivery,
    OnResult,
    RecipientResult,
    SendResult,
    envelope_for,
    envelope_sender,
)
from bot.mail.tls import client_context


class _FencedSMTP(aiosmtplib.SMTP):
    """aiosmtplib's client with one check between the last RCPT TO and DATA: the leader's fence
    (bot.store.leader), as late as a check can come before the server has the message."""

    before_data: BeforeSend | None = None

    async def data(self, *args: Any, **kwargs: Any) -> aiosmtplib.SMTPResponse:
        if self.before_data is not None:
            self.before_data()
        return await super().data(*args, **kwargs)


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
        # No credentials here: connect() would log in itself and, on a refusal, drop the transport
        # before `_drop` could close its socket. `_open` logs in as a separate step.
        return _FencedSMTP(
            hostname=self.host,
            port=self.port,
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
        before_send: BeforeSend | None = None,
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
        if isinstance(client, _FencedSMTP):
            client.before_data = before_send
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

    async def _open(self) -> aiosmtplib.SMTP:
        """A connected, logged-in client; SmtpLoginError with an explanation when the login is refused."""
        client = self._client()
        try:
            await client.connect()
            if self.oauth2 is not None:
                await self._xoauth2(client, self.oauth2)
            elif self.username is not None:
                try:
                    await client.login(self.username, self.password or "")
                except SMTPAuthenticationError as exc:
                    refusal = explain_refusal("SMTP", self.username, _reply(exc), None)
                    raise SmtpLoginError(exc.code, refusal) from exc
        except BaseException:
            await _drop(client)  # a failed STARTTLS or login leaves the socket open otherwise
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
    """QUIT when still connected, then drop the connection."""
    transport = client.transport  # quit() forgets it once the server has answered
    if client.is_connected:
        with contextlib.suppress(SMTPException, OSError):
            await client.quit()
    await _drop(client, transport)


async def _drop(client: aiosmtplib.SMTP, transport: asyncio.BaseTransport | None = None) -> None:
    """Close the socket now, not when the server answers our TLS close_notify.

    aiosmtplib's close() starts a graceful TLS shutdown that needs more turns of the loop (and the
    peer) to finish; a caller whose loop ends first leaves the socket to the garbage collector, which
    reports it as an unclosed transport in whatever code runs next. After QUIT, or after a failed
    STARTTLS or login, nothing is left to say to the server, so the transport is aborted instead.
    """
    transport = transport or client.transport
    client.close()
    if isinstance(transport, asyncio.Transport):
        transport.abort()
    # abort() (and a failed TLS handshake's own close) closes the socket in a callback on the loop.
    await asyncio.sleep(0)
