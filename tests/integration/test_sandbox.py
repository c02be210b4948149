"""The mail sandbox: SMTP with STARTTLS and AUTH, LMTP delivery into Dovecot, and its test controls."""

from __future__ import annotations

import smtplib
import ssl
import time
from email.message import EmailMessage

import pytest
from sockets import sockets_at

from bot.mail.oauth2 import AccessToken
from bot.mail.smtp import SmtpSender
from bot.settings import Security, load_settings
from sandbox import Sandbox

KOMMUNE = "kommune@malvik.kommune.no"


def make_email(subject: str = "Bestilling", to: str = KOMMUNE, body: str = "Hei!\n") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "meldingsansvarlig@helse-midt.no"
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    return msg


def submit(sandbox: Sandbox, msg: EmailMessage, rcpts: list[str], password: str | None = None) -> None:
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port, timeout=10) as smtp:
        smtp.starttls(context=sandbox.client_ssl_context())
        smtp.login(sandbox.bot_user, password or sandbox.password)
        smtp.send_message(msg, to_addrs=rcpts)


def test_submitted_mail_is_delivered_to_the_recipients_inbox_and_recorded(sandbox: Sandbox) -> None:
    """A message submitted with STARTTLS and AUTH lands in the recipient's INBOX and in `sent`."""
    submit(sandbox, make_email("Kvittering OPK-1"), [KOMMUNE])

    [envelope] = sandbox.wait_for_sent(1)
    assert envelope.mail_from == sandbox.bot_user
    assert envelope.rcpt_tos == (KOMMUNE,)
    assert envelope.message["Subject"] == "Kvittering OPK-1"
    [raw] = sandbox.messages(KOMMUNE)
    assert b"Subject: Kvittering OPK-1" in raw
    assert b"Delivered-To: kommune@malvik.kommune.no" in raw


def test_each_recipient_gets_exactly_one_copy(sandbox: Sandbox) -> None:
    """Several recipients in one transaction each get one copy (one LMTP transaction per recipient)."""
    submit(sandbox, make_email(), [KOMMUNE, "koordinator@helse-midt.no", sandbox.bot_user])

    sandbox.wait_for_sent(1)
    assert len(sandbox.messages(KOMMUNE)) == 1
    assert len(sandbox.messages("koordinator@helse-midt.no")) == 1
    assert len(sandbox.messages(sandbox.bot_user)) == 1


def test_unknown_recipients_land_in_the_catch_all_mailbox(sandbox: Sandbox) -> None:
    """Mail to an address that has no mailbox is kept in the catch-all mailbox, not lost."""
    submit(sandbox, make_email(to="postmottak@ukjent.kommune.no"), ["postmottak@ukjent.kommune.no"])

    [raw] = sandbox.messages(sandbox.catch_all_user)
    assert b"Delivered-To: catch-all@sandbox.invalid" in raw
    assert sandbox.sent[0].rcpt_tos == ("postmottak@ukjent.kommune.no",)


def test_wrong_password_is_refused_and_nothing_is_recorded(sandbox: Sandbox) -> None:
    """AUTH with a wrong password gets 535 promptly and the client cannot send."""
    with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
        submit(sandbox, make_email(), [KOMMUNE], password="feil-passord")

    assert refused.value.smtp_code == 535
    assert sandbox.sent == []


def test_mail_without_starttls_is_refused(sandbox: Sandbox) -> None:
    """The gateway requires STARTTLS before AUTH or MAIL, as a real submission server does."""
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port, timeout=10) as smtp:
        code, _ = smtp.docmd("MAIL FROM:<meldingsansvarlig@helse-midt.no>")
    assert code == 530


def test_the_server_certificate_verifies_against_the_sandbox_ca_only(sandbox: Sandbox) -> None:
    """STARTTLS verifies with ca_file and fails with the system CAs, so verification is real."""
    with (
        smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port, timeout=10) as smtp,
        pytest.raises(ssl.SSLCertVerificationError),
    ):
        smtp.starttls(context=ssl.create_default_context())


class _FixedToken:
    """A token source that always gives the same sandbox-issued token (a TokenProvider)."""

    def __init__(self, value: str) -> None:
        self.value = AccessToken(value, expires_at=time.monotonic() + 3600, renew_at=time.monotonic() + 3000)

    def token(self) -> AccessToken:
        return self.value

    def invalidate(self, token: AccessToken) -> None:
        """Nothing to renew: the test's token is good for its whole run."""


async def test_the_bots_sender_submits_through_the_gateway(sandbox: Sandbox) -> None:
    """The bot's SMTP sender submits with STARTTLS, AUTH and the sandbox CA."""
    sender = SmtpSender(sandbox.smtp_host, sandbox.smtp_port, "starttls", sandbox.bot_user, sandbox.password,
                        ca_file=sandbox.ca_file, timeout_s=10)
    [result] = await sender.send_many([make_email("Påminnelse")])

    assert result.accepted == (KOMMUNE,)
    [envelope] = sandbox.wait_for_sent(1)
    assert envelope.message["Subject"] == "Påminnelse"


async def test_smtp_accepts_xoauth2_with_an_issued_token(sandbox: Sandbox) -> None:
    """The gateway takes SASL XOAUTH2 with a sandbox-issued token, as the bot's sender speaks it."""
    sender = SmtpSender(sandbox.smtp_host, sandbox.smtp_port, "starttls", sandbox.bot_user, None,
                        ca_file=sandbox.ca_file, timeout_s=10, oauth2=_FixedToken(sandbox.issue_oauth2_token()))
    [result] = await sender.send_many([make_email("OAuth")])

    assert result.accepted == (KOMMUNE,)
    assert sandbox.wait_for_sent(1)[0].message["Subject"] == "OAuth"


def test_smtp_outage_refuses_connections_until_it_is_back(sandbox: Sandbox) -> None:
    """smtp_down() makes submission fail with a connection error; smtp_up() restores it on the same port."""
    sandbox.smtp_down()
    with pytest.raises(OSError):
        submit(sandbox, make_email(), [KOMMUNE])

    sandbox.smtp_up()
    submit(sandbox, make_email(), [KOMMUNE])
    assert len(sandbox.wait_for_sent(1)) == 1


def test_smtp_down_closes_the_gateways_open_connections(sandbox: Sandbox) -> None:
    """Stopping the gateway closes the server's side of open connections, leaving none to the garbage collector."""
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port, timeout=10) as smtp:
        smtp.starttls(context=sandbox.client_ssl_context())
        smtp.noop()
        assert sockets_at(sandbox.smtp_port) == 2  # the listener and our connection's server side
        sandbox.smtp_down()
        assert sockets_at(sandbox.smtp_port) == 0
        with pytest.raises(smtplib.SMTPServerDisconnected):
            smtp.noop()


def test_wait_for_sent_times_out_when_nothing_is_sent(sandbox: Sandbox) -> None:
    """wait_for_sent raises TimeoutError rather than waiting forever."""
    with pytest.raises(TimeoutError):
        sandbox.wait_for_sent(1, timeout_s=0.05)


def test_append_returns_the_uid_and_deliver_goes_through_lmtp(sandbox: Sandbox) -> None:
    """append() stores a message under a returned UID; deliver() adds it as the MX would."""
    first = sandbox.append(sandbox.bot_user, b"Subject: en\r\n\r\nen\r\n")
    sandbox.deliver(b"Subject: to\r\n\r\nto\r\n")

    raws = sandbox.messages(sandbox.bot_user)
    assert first >= 1
    assert raws[0] == b"Subject: en\r\n\r\nen\r\n"
    assert b"Delivered-To: meldingsansvarlig@helse-midt.no" in raws[1]
    assert sandbox.sent == []


def test_restart_keeps_mail_and_uidvalidity(fresh_sandbox: Sandbox) -> None:
    """Restarting Dovecot on the same directory keeps both the mail and the folder's UIDVALIDITY."""
    fresh_sandbox.append(fresh_sandbox.bot_user, b"Subject: x\r\n\r\nx\r\n")
    before = fresh_sandbox.uidvalidity()

    fresh_sandbox.restart_imap()

    assert fresh_sandbox.uidvalidity() == before
    assert len(fresh_sandbox.messages(fresh_sandbox.bot_user)) == 1


def test_change_uidvalidity_gives_the_folder_a_new_one(fresh_sandbox: Sandbox) -> None:
    """change_uidvalidity() makes the server report a different UIDVALIDITY for the folder."""
    fresh_sandbox.append(fresh_sandbox.bot_user, b"Subject: x\r\n\r\nx\r\n")
    before = fresh_sandbox.uidvalidity()

    after = fresh_sandbox.change_uidvalidity()

    assert after != before
    assert fresh_sandbox.uidvalidity() == after


def test_settings_env_configures_the_bot_for_the_sandbox(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """settings_env() gives BOT_* variables that the bot's settings accept as they are."""
    for name, value in sandbox.settings_env().items():
        monkeypatch.setenv(name, value)

    settings = load_settings()

    assert settings.imap_port == sandbox.imap_port
    assert settings.imap_security == Security.SSL
    assert settings.smtp_security == Security.STARTTLS
    assert settings.ca_file is not None and settings.ca_file.is_file()


@pytest.mark.usefixtures("require_dovecot")
def test_start_and_stop_take_well_under_a_second() -> None:
    """A whole sandbox starts and stops fast enough to use one per test."""
    started = time.monotonic()
    sandbox = Sandbox.start()
    up = time.monotonic()
    sandbox.stop()
    stopped = time.monotonic()

    assert up - started < 1.0
    assert stopped - up < 1.0
    assert not sandbox.dir.exists()
