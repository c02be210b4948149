"""The SMTP sender against real servers: one connection per batch, per-recipient results, outages."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from sockets import sockets_to

from bot.mail.sender import Delivery, StoredMail
from bot.mail.smtp import SmtpSender
from sandbox import Sandbox
from sandbox.gateway import ClosingController

USER = "meldingsansvarlig@helse-midt.no"
PASSWORD = "s3cret"
OK_1 = "meldingsansvarlig@malvik.kommune.no"
OK_2 = "koordinator@hemit.no"
UNKNOWN = "finnesikke@malvik.kommune.no"  # the server answers 550 5.1.1 at RCPT
BUSY = "full@malvik.kommune.no"  # the server answers 452 4.2.2 at RCPT


@dataclass
class Recorded:
    peer: str  # the client's address and source port: one value per connection
    mail_from: str
    rcpt_tos: tuple[str, ...]
    subject: str


@dataclass
class Handler:
    """Rejects two known addresses at RCPT, records every accepted transaction with its connection."""

    received: list[Recorded] = field(default_factory=list)
    contents: list[bytes] = field(default_factory=list)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address == UNKNOWN:
            return "550 5.1.1 Mailbox unavailable"
        if address == BUSY:
            return "452 4.2.2 Mailbox full, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.content if isinstance(envelope.content, bytes) else b""
        subject = next(
            (ln.split(b":", 1)[1].strip().decode() for ln in raw.splitlines() if ln.startswith(b"Subject:")),
            "",
        )
        self.contents.append(raw)
        self.received.append(
            Recorded(repr(session.peer), envelope.mail_from or "", tuple(envelope.rcpt_tos), subject)
        )
        return "250 2.0.0 Queued"


def authenticate(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    # A failing authenticator must say handled=False, otherwise aiosmtpd leaves the client hanging.
    if isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    ):
        return AuthResult(success=True)
    return AuthResult(success=False, handled=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    port: int
    ca_file: Path
    handler: Handler


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, Path]:
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    ca_file = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return context, ca_file


@pytest.fixture()
def server(tls: tuple[ssl.SSLContext, Path]) -> Iterator[Server]:
    """A submission server that requires STARTTLS and AUTH, like the production relay."""
    context, ca_file = tls
    handler = Handler()
    port = free_port()
    controller = ClosingController(
        handler,
        hostname="127.0.0.1",
        port=port,
        server_hostname="smtp.test",
        tls_context=context,
        require_starttls=True,
        auth_required=True,
        auth_require_tls=True,
        authenticator=authenticate,
    )
    controller.start()
    try:
        yield Server(port, ca_file, handler)
    finally:
        controller.stop()


def sender_for(server: Server, password: str = PASSWORD) -> SmtpSender:
    return SmtpSender("127.0.0.1", server.port, "starttls", USER, password, server.ca_file, timeout_s=5)


def mail(n: int, *to: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f'"Meldingsansvarlig Helse Midt-Norge" <{USER}>'
    msg["To"] = ", ".join(to)
    msg["Subject"] = f"[OPK-{n}] Malvik kommune: test {n}"
    msg["Message-ID"] = f"<m{n}@helse-midt.no>"
    msg.set_content("Hei! Æ ø å.")
    return msg


async def test_several_mails_share_one_connection(server: Server) -> None:
    """A batch of mails goes over one STARTTLS + AUTH connection, and every recipient is accepted."""
    results = await sender_for(server).send_many([mail(1, OK_1), mail(2, OK_2), mail(3, OK_1, OK_2)])
    assert [r.message_id for r in results] == [
        "<m1@helse-midt.no>",
        "<m2@helse-midt.no>",
        "<m3@helse-midt.no>",
    ]
    assert [r.accepted for r in results] == [(OK_1,), (OK_2,), (OK_1, OK_2)]
    assert not any(r.needs_retry or r.permanent for r in results)
    received = server.handler.received
    assert [r.subject for r in received] == [f"[OPK-{n}] Malvik kommune: test {n}" for n in (1, 2, 3)]
    assert len({r.peer for r in received}) == 1
    assert {r.mail_from for r in received} == {USER}


@pytest.mark.parametrize("password", [PASSWORD, "feil-passord"])
async def test_no_socket_is_left_open_when_the_batch_returns(server: Server, password: str) -> None:
    """After a batch (sent, or refused at login) the sender's socket is closed before send_many returns.

    A TLS connection that is only asked to close waits for the server's close_notify on later turns of
    the loop; a loop that ended first left the socket to the garbage collector, whose ResourceWarning
    then failed whichever test happened to be running.
    """
    await sender_for(server, password).send_many([mail(1, OK_1)])
    assert sockets_to(server.port) == 0


@pytest.mark.parametrize(
    ("to", "expected"),
    [
        ((OK_1, UNKNOWN), {OK_1: (Delivery.ACCEPTED, 250), UNKNOWN: (Delivery.PERMANENT, 550)}),
        ((BUSY, OK_2), {BUSY: (Delivery.TEMPORARY, 452), OK_2: (Delivery.ACCEPTED, 250)}),
        ((UNKNOWN,), {UNKNOWN: (Delivery.PERMANENT, 550)}),
        ((UNKNOWN, BUSY), {UNKNOWN: (Delivery.PERMANENT, 550), BUSY: (Delivery.TEMPORARY, 452)}),
    ],
)
async def test_refusals_are_reported_per_recipient(
    server: Server, to: tuple[str, ...], expected: dict[str, tuple[Delivery, int]]
) -> None:
    """A 5xx at RCPT is permanent and a 4xx temporary, for that recipient only; the others still get it."""
    [result] = await sender_for(server).send_many([mail(1, *to)])
    assert {r.address: (r.delivery, r.code) for r in result.recipients} == expected
    accepted = tuple(a for a, (d, _) in expected.items() if d is Delivery.ACCEPTED)
    assert [r.rcpt_tos for r in server.handler.received] == ([accepted] if accepted else [])


async def test_a_refused_recipient_does_not_spoil_the_rest_of_the_batch(server: Server) -> None:
    """After a message whose only recipient is refused, the next message on the connection still goes."""
    results = await sender_for(server).send_many([mail(1, UNKNOWN), mail(2, OK_1)])
    assert results[0].permanent == (UNKNOWN,)
    assert results[1].accepted == (OK_1,)
    assert len(server.handler.received) == 1


async def test_explicit_recipients_override_the_headers(server: Server) -> None:
    """A retry sends to the given envelope recipients only, not to every address in To."""
    [result] = await sender_for(server).send_many([mail(1, OK_1, OK_2)], [[OK_2]])
    assert result.accepted == (OK_2,)
    assert [r.rcpt_tos for r in server.handler.received] == [(OK_2,)]


async def test_server_down_is_a_temporary_failure() -> None:
    """No server listening: every recipient of every mail is a temporary failure, nothing raises."""
    sender = SmtpSender("127.0.0.1", free_port(), "starttls", USER, PASSWORD, None, timeout_s=2)
    results = await sender.send_many([mail(1, OK_1, OK_2), mail(2, OK_2)])
    assert [r.temporary for r in results] == [(OK_1, OK_2), (OK_2,)]
    assert all(r.needs_retry for r in results)
    assert all(rr.code is None and "connect" in rr.reason for r in results for rr in r.recipients)


async def test_wrong_password_is_a_temporary_failure(server: Server) -> None:
    """A login failure is our configuration problem: mails stay queued (temporary), never dropped."""
    [result] = await sender_for(server, password="wrong").send_many([mail(1, OK_1)])
    assert result.temporary == (OK_1,)
    assert result.recipients[0].code == 535
    assert server.handler.received == []


async def test_untrusted_certificate_is_a_temporary_failure(server: Server) -> None:
    """Without the test CA the server's certificate is not trusted and nothing is sent in clear."""
    sender = SmtpSender("127.0.0.1", server.port, "starttls", USER, PASSWORD, None, timeout_s=5)
    [result] = await sender.send_many([mail(1, OK_1)])
    assert result.temporary == (OK_1,)
    assert server.handler.received == []


async def test_batch_is_delivered_into_the_sandbox_mailboxes(sandbox: Sandbox) -> None:
    """Through the sandbox's STARTTLS + AUTH gateway, a batch lands in the recipients' Dovecot inboxes."""
    env = sandbox.settings_env()
    sender = SmtpSender(
        env["BOT_SMTP_HOST"],
        int(env["BOT_SMTP_PORT"]),
        env["BOT_SMTP_SECURITY"],
        env["BOT_SMTP_USER"],
        env["BOT_SMTP_PASSWORD"],
        env["BOT_CA_FILE"],
        timeout_s=10,
    )
    kommune, koordinator = "kommune@malvik.kommune.no", "koordinator@helse-midt.no"
    results = await sender.send_many([mail(1, kommune), mail(2, kommune, koordinator)])
    assert [r.accepted for r in results] == [(kommune,), (kommune, koordinator)]
    sandbox.wait_for_sent(2)
    assert len(sandbox.messages(kommune)) == 2
    assert len(sandbox.messages(koordinator)) == 1


async def test_stored_bytes_are_sent_unchanged_over_one_connection(server: Server) -> None:
    """The outbox's stored mails go out byte for byte (8-bit body included) over one connection, per recipient."""
    raws = [mail(n, OK_1).as_bytes() for n in (1, 2)]
    stored = [StoredMail(f"<m{n}@helse-midt.no>", USER, rcpts, raw)
              for n, raw, rcpts in ((1, raws[0], (OK_1,)), (2, raws[1], (UNKNOWN, OK_2)))]
    results = await sender_for(server).send_stored(stored)
    assert [r.accepted for r in results] == [(OK_1,), (OK_2,)]
    assert results[1].permanent == (UNKNOWN,)
    assert [c.replace(b"\r\n", b"\n") for c in server.handler.contents] == raws
    assert len({r.peer for r in server.handler.received}) == 1
    assert {r.mail_from for r in server.handler.received} == {USER}
