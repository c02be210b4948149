"""The sandbox's SMTP submission gateway (aiosmtpd): logins as Microsoft 365 checks them, delivery over LMTP."""

from __future__ import annotations

import asyncio
import collections
import email
import email.policy
import smtplib
import ssl
import weakref
from base64 import b64decode
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Protocol

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


@dataclass(frozen=True)
class SentEnvelope:
    """One SMTP transaction the gateway accepted, as the client submitted it."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    message: EmailMessage


class Logins(Protocol):
    """Decides logins; a refusal is the full SMTP reply line ("535 5.7.x ...")."""

    def password_refusal(self, user: str, password: str) -> str | None: ...

    def token_refusal(self, user: str, token: str) -> str | None: ...


class _Gateway:
    """aiosmtpd handler and authenticator: records every envelope and hands it to `deliver`."""

    def __init__(self, logins: Logins, record: Callable[[SentEnvelope], None],
                 deliver: Callable[[str, Sequence[str], bytes], None]) -> None:
        self._logins = logins
        self._record = record
        self._deliver = deliver

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        # handled=False lets aiosmtpd send the 535 itself; handled=True without a reply hangs the client.
        if isinstance(auth_data, LoginPassword):
            user = auth_data.login.decode("utf-8", "replace").lower()
            refusal = self._logins.password_refusal(user, auth_data.password.decode("utf-8", "replace"))
            if refusal is None:
                return AuthResult(success=True)
            return AuthResult(success=False, handled=False, message=refusal)
        return AuthResult(success=False, handled=False)

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:
        """SASL XOAUTH2 as Microsoft 365 speaks it: base64("user=U^Aauth=Bearer T^A^A")."""
        if len(args) < 2:
            return AuthResult(success=False, handled=False)
        try:
            fields = dict(
                part.split("=", 1) for part in b64decode(args[1]).decode().split("\x01") if "=" in part
            )
        except (ValueError, UnicodeDecodeError):
            return AuthResult(success=False, handled=False)
        user = fields.get("user", "").lower()
        refusal = self._logins.token_refusal(user, fields.get("auth", "").removeprefix("Bearer "))
        if refusal is None:
            return AuthResult(success=True, auth_data=LoginPassword(user.encode(), b""))
        return AuthResult(success=False, handled=False, message=refusal)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        if isinstance(envelope.content, bytes) and not raw:
            raw = envelope.content
        mail_from = envelope.mail_from or ""
        rcpt_tos = tuple(envelope.rcpt_tos)
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self._record(SentEnvelope(mail_from, rcpt_tos, raw, message))
        try:
            await server.loop.run_in_executor(None, self._deliver, mail_from, rcpt_tos, raw)
        except (OSError, smtplib.SMTPException) as exc:
            return f"451 4.3.0 local delivery failed: {exc}"
        return "250 2.0.0 OK delivered"


class _QuietSession(Session):
    """aiosmtpd 1.4 sets its own deprecated `login_data` on every AUTH, which warns from the server
    thread; under `filterwarnings = error` that warning would turn a good login into a crash."""

    @property
    def login_data(self) -> Any:
        return self._login_data

    @login_data.setter
    def login_data(self, value: Any) -> None:
        self._login_data = value


class QuietSMTP(SMTP):
    """aiosmtpd's SMTP server with `_QuietSession` (for the sandbox and the tests' own servers)."""

    def _create_session(self) -> Session:
        return _QuietSession(self.loop)


class _GatewaySMTP(QuietSMTP):
    # Room for an AUTH XOAUTH2 line with an Entra ID token (often 2-3 KB; aiosmtpd allows 512 bytes).
    command_size_limit = line_length_limit = 16384

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.command_size_limits = collections.defaultdict(lambda: self.command_size_limit)


class ClosingController(Controller):
    """A Controller whose stop() first closes every client connection, on the server's own loop.

    aiosmtpd's stop() ends the loop with the connections still open (Python 3.11's Server.close()
    leaves accepted transports alone, and a TLS close waits for the peer), so their sockets were left
    to the garbage collector, which reported them as ResourceWarnings inside whatever test ran next.
    """

    smtp_class: type[SMTP] = QuietSMTP

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._protocols: weakref.WeakSet[SMTP] = weakref.WeakSet()

    def factory(self) -> SMTP:
        protocol = self.smtp_class(self.handler, **self.SMTP_kwargs)
        self._protocols.add(protocol)
        return protocol

    def stop(self, no_assert: bool = False) -> None:
        if self._thread is not None and self.loop.is_running():
            asyncio.run_coroutine_threadsafe(self._abort_connections(), self.loop).result(timeout=10)
        super().stop(no_assert)

    async def _abort_connections(self) -> None:
        for protocol in list(self._protocols):
            # After STARTTLS the protocol's transport is the TLS layer over the original TCP transport.
            for transport in (protocol.transport, getattr(protocol, "_original_transport", None)):
                if isinstance(transport, asyncio.Transport):
                    transport.abort()
        # abort() closes each socket in a callback on the next turn of the loop: let it run.
        for _ in range(3):
            await asyncio.sleep(0)


class _GatewayController(ClosingController):
    smtp_class = _GatewaySMTP


def start_gateway(port: int, tls: ssl.SSLContext, logins: Logins, record: Callable[[SentEnvelope], None],
                  deliver: Callable[[str, Sequence[str], bytes], None]) -> Controller:
    """An SMTP submission server on loopback: STARTTLS and AUTH required, as on smtp.office365.com:587."""
    gateway = _Gateway(logins, record, deliver)
    controller = _GatewayController(
        gateway, hostname="127.0.0.1", port=port, server_hostname="sandbox.invalid", tls_context=tls,
        require_starttls=True, auth_required=True, auth_require_tls=True, authenticator=gateway.authenticate,
    )
    controller.start()
    return controller
