"""The SMTP sender on aiosmtplib: one connection per batch, delivery results per recipient."""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import ssl
from collections.abc import Awaitable, Callable, Sequence
from email.message import EmailMessage
from enum import StrEnum
from pathlib import Path
from typing import Any

import aiosmtplib
from aiosmtplib import (
    SMTPAuthenticationError,
    SMTPException,
    SMTPRecipientsRefused,
    SMTPResponse,
    SMTPResponseException,
    SMTPSenderRefused,
)
from aiosmtplib.email import flatten_message

from bot.mail.login_errors import explain_refusal
from bot.mail.oauth2 import AccessToken, OAuth2Error, TokenProvider
from bot.mail.sender import (
    BeforeSend,
    Delivery,
    OnResult,
    RecipientResult,
    SendResult,
    StoredMail,
    envelope_for,
    envelope_sender,
)
from bot.mail.tls import shared_client_context


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
        context = shared_client_context(self.ca_file) if tls else None
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
        envelopes = envelope_for(messages, recipients)
        heads = [(str(m.get("Message-ID", "")), rc) for m, rc in zip(messages, envelopes, strict=True)]

        async def send(client: aiosmtplib.SMTP, i: int) -> SendResult:
            msg = messages[i]
            return await _send_one(client, heads[i][0], heads[i][1], lambda: client.send_message(
                msg, sender=envelope_sender(msg), recipients=list(heads[i][1])))

        return await self._batch(heads, send, on_result, before_send)

    async def send_stored(self, mails: Sequence[StoredMail], on_result: OnResult | None = None,
                          before_send: BeforeSend | None = None) -> list[SendResult]:
        """The stored bytes as they are (`sendmail`): no parse, no flatten; BODY=8BITMIME when they need it."""
        heads = [(m.message_id, tuple(dict.fromkeys(m.recipients))) for m in mails]

        async def send(client: aiosmtplib.SMTP, i: int) -> SendResult:
            mail = mails[i]
            return await _send_one(client, heads[i][0], heads[i][1], lambda: _sendmail(client, mail, heads[i][1]))

        return await self._batch(heads, send, on_result, before_send)

    async def _batch(self, heads: Sequence[tuple[str, tuple[str, ...]]],
                     send: Callable[[aiosmtplib.SMTP, int], Awaitable[SendResult]],
                     on_result: OnResult | None, before_send: BeforeSend | None) -> list[SendResult]:
        """One connection for the batch; each result reported (and committed by the caller) before the next;
        `before_send` runs between the last RCPT TO and DATA of each mail (the leader's fence)."""
        if not heads:
            return []
        try:
            client = await self._open()
        except (SMTPException, OSError, ssl.SSLError) as exc:
            # Refused, unreachable, TLS or login trouble: nothing was sent, everything is retried later.
            reason = f"connect/login failed: {_describe(exc)}"
            failed = [_all(mid, rc, Delivery.TEMPORARY, _code(exc), reason) for mid, rc in heads]
            for i, result in enumerate(failed):
                if on_result is not None:
                    await on_result(i, result)
            return failed
        if isinstance(client, _FencedSMTP):
            client.before_data = before_send
        results: list[SendResult] = []
        try:
            for i in range(len(heads)):
                try:
                    results.append(await send(client, i))
                except (SMTPException, OSError) as exc:
                    # The connection broke mid-batch: this message and the rest go back to the queue.
                    reason = f"connection lost: {_describe(exc)}"
                    results.extend(_all(mid, rc, Delivery.TEMPORARY, None, reason) for mid, rc in heads[i:])
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


async def _sendmail(client: aiosmtplib.SMTP, mail: StoredMail,
                    rcpts: tuple[str, ...]) -> tuple[dict[str, SMTPResponse], str]:
    """SMTP.sendmail with the options `send_message` would pick: SMTPUTF8 for a non-ASCII address,
    BODY=8BITMIME for 8-bit bytes (and, on a server without it, the mail flattened again to 7 bit)."""
    await client._ehlo_or_helo_if_needed()
    options: list[str] = []
    if not (mail.sender + "".join(rcpts)).isascii():
        options.append("SMTPUTF8")  # aiosmtplib refuses it with SMTPNotSupported when the server lacks it
    raw = mail.raw
    if not raw.isascii():
        if client.supports_extension("8BITMIME"):
            options.append("BODY=8BITMIME")
        else:
            msg = email.message_from_bytes(raw, policy=email.policy.SMTP)
            raw = flatten_message(msg, utf8="SMTPUTF8" in options, cte_type="7bit")
    return await client.sendmail(mail.sender, list(rcpts), raw, mail_options=options)


async def _send_one(client: aiosmtplib.SMTP, mid: str, rcpts: tuple[str, ...],
                    transmit: Callable[[], Awaitable[tuple[dict[str, SMTPResponse], str]]]) -> SendResult:
    if not rcpts:
        return SendResult(mid, ())
    try:
        refused, _ = await transmit()
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
        return _all(mid, rcpts, Delivery.TEMPORARY, exc.code, f"sender refused: {exc.message}")
    except SMTPResponseException as exc:
        if exc.code < 0 or isinstance(exc, ConnectionError):
            raise
        # A reply to DATA (or an unexpected one) concerns every recipient of the message alike.
        return SendResult(mid, tuple(_classified(a, exc.code, exc.message) for a in rcpts))
    except ValueError as exc:
        # aiosmtplib refuses addresses that cannot be put in an envelope; sending again will not help.
        return _all(mid, rcpts, Delivery.PERMANENT, None, f"invalid address: {exc}")
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


def _all(mid: str, rcpts: tuple[str, ...], delivery: Delivery, code: int | None, reason: str) -> SendResult:
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
