"""OAuth2 as on Microsoft 365, against the sandbox's authority: tokens, renewal, revocation, XOAUTH2, no leaks."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import threading
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from mailmaker import BOT, order, order_body, oslo
from tokens import sandbox_tokens

from bot.mail.imap import ImapMailbox
from bot.mail.oauth2 import OAuth2Error
from bot.mail.smtp import SmtpSender
from bot.settings import Security
from sandbox import APP_SECRET, Sandbox

CONTACT = "ingrid.saether@malvik.kommune.no"


def mailbox(sandbox: Sandbox, tokens: object, **options: float) -> ImapMailbox:
    return ImapMailbox(sandbox.imap_host, sandbox.imap_port, sandbox.bot_user, oauth2=tokens,  # type: ignore[arg-type]
                       security=Security.SSL, ca_file=sandbox.ca_file, timeout_s=5.0, reconnect_initial_s=0.05,
                       **options)


def sender(sandbox: Sandbox, tokens: object) -> SmtpSender:
    return SmtpSender(sandbox.smtp_host, sandbox.smtp_port, "starttls", sandbox.bot_user, None,
                      ca_file=sandbox.ca_file, timeout_s=5.0, oauth2=tokens)  # type: ignore[arg-type]


def note(subject: str) -> bytes:
    return f"From: {CONTACT}\r\nTo: {BOT}\r\nSubject: {subject}\r\n\r\nhei\r\n".encode()


def test_a_token_from_a_secret_is_cached_until_it_is_due(sandbox: Sandbox) -> None:
    """The first call asks the authority; later ones reuse the token while it is fresh."""
    tokens = sandbox_tokens(sandbox)
    first = tokens.token()
    assert tokens.token() is first
    assert len(sandbox.authority.issued) == 1
    assert first.claims()["roles"] == ["IMAP.AccessAsApp", "SMTP.SendAsApp"]


def test_a_token_from_a_certificate_signs_a_client_assertion(sandbox: Sandbox, tmp_path: Path) -> None:
    """With a certificate instead of a secret the authority checks a JWT signed with the app's key."""
    tokens = sandbox_tokens(sandbox, certificate_file=sandbox.certificate_file(tmp_path / "app.pem"))
    assert tokens.token().claims()["appid"] == sandbox.app.client_id


def test_the_authority_is_verified_against_our_cas_even_with_requests_ca_bundle(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """REQUESTS_CA_BUNDLE cannot make the bot trust an authority: only the system store and BOT_CA_FILE do."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(sandbox.ca_file))
    monkeypatch.setenv("CURL_CA_BUNDLE", str(sandbox.ca_file))
    tokens = sandbox_tokens(sandbox, trust_sandbox_ca=False)
    with pytest.raises(OAuth2Error, match=r"TLS certificate of https://127\.0\.0\.1:\d+ not trusted"):
        tokens.token()
    assert sandbox.authority.issued == []


def test_a_revoked_token_is_replaced_and_imap_goes_on(sandbox: Sandbox) -> None:
    """After the admin revokes the app's tokens, the next login gets a fresh one and nothing is lost."""
    tokens = sandbox_tokens(sandbox)
    box = mailbox(sandbox, tokens)
    try:
        box.select("INBOX")
        sandbox.authority.revoke_all()
        sandbox.kick()  # Exchange Online ends the session of a revoked token
        sandbox.append(BOT, note("etter tilbakekalling"))
        fetched = list(box.fetch_new("INBOX", 0, 10_000_000))
    finally:
        box.close()
    assert [b"etter tilbakekalling" in (f.raw or b"") for f in fetched] == [True]
    assert len(sandbox.authority.issued) == 2


def test_a_revoked_token_is_replaced_and_smtp_sends(sandbox: Sandbox) -> None:
    """SMTP refuses the revoked token; the sender asks for a fresh one once and the mail goes out."""
    tokens = sandbox_tokens(sandbox)
    tokens.token()
    sandbox.authority.revoke_all()
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = BOT, "kommune@malvik.kommune.no", "Kvittering"
    msg["Message-ID"] = "<kvittering-1@helse-midt.no>"
    msg.set_content("Takk for bestillingen.")
    results = asyncio.run(sender(sandbox, tokens).send_many([msg]))
    assert [r.accepted for r in results] == [("kommune@malvik.kommune.no",)]
    assert len(sandbox.authority.issued) == 2


def test_idle_outlives_expiring_tokens_and_misses_no_mail(sandbox: Sandbox) -> None:
    """Tokens that expire every 2 s: the session is renewed with a fresh token and new mail is still seen."""
    sandbox.authority.token_lifetime_s = 2.0
    tokens = sandbox_tokens(sandbox)
    box = mailbox(sandbox, tokens, poll_interval_s=30.0)
    box.select("INBOX")
    list(box.fetch_new("INBOX", 0, 10_000_000))
    threading.Timer(5.0, sandbox.append, args=(BOT, note("under IDLE"))).start()
    try:
        started = time.monotonic()
        assert box.wait_for_new(timeout_s=15)
        assert time.monotonic() - started >= 4.5
        fetched = list(box.fetch_new("INBOX", 0, 10_000_000))
    finally:
        box.close()
    assert [b"under IDLE" in (f.raw or b"") for f in fetched] == [True]
    assert len(sandbox.authority.issued) >= 3  # renewed about every 1.6 s while idling


def test_a_session_dropped_for_an_expired_token_reconnects_with_a_fresh_one(sandbox: Sandbox) -> None:
    """When the server ends the session (its token expired by the server's clock), IDLE resumes and mail is seen."""
    tokens = sandbox_tokens(sandbox)
    box = mailbox(sandbox, tokens, poll_interval_s=30.0)
    box.select("INBOX")
    list(box.fetch_new("INBOX", 0, 10_000_000))

    def expire_then_deliver() -> None:
        sandbox.authority.revoke_all()  # the cached token is no longer accepted
        sandbox.kick()
        time.sleep(1.0)
        sandbox.append(BOT, note("etter utløp"))

    threading.Timer(1.0, expire_then_deliver).start()
    try:
        assert box.wait_for_new(timeout_s=15)
        fetched = list(box.fetch_new("INBOX", 0, 10_000_000))
    finally:
        box.close()
    assert [b"etter utl" in (f.raw or b"") for f in fetched] == [True]
    assert box.reconnects >= 1
    assert len(sandbox.authority.issued) == 2


def test_run_once_with_oauth2_reads_an_order_and_sends_the_receipt(sandbox: Sandbox, tmp_path: Path) -> None:
    """`run --once` with BOT_AUTH=oauth2 only: one token serves IMAP and SMTP; nothing secret is printed."""
    sandbox.microsoft365(basic_auth=False)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env.update(sandbox.oauth2_env(), BOT_DATABASE_URL=f"sqlite:///{tmp_path}/bot.sqlite",
               BOT_COORDINATORS="koordinator@hemit.no")
    body = order_body(date_phrase="mandag 1. mars 2027", contact=CONTACT)
    sandbox.append(BOT, order(CONTACT, body, at=oslo(2027, 1, 12, 9, 14)))
    proc = subprocess.run([sys.executable, "-m", "bot", "run", "--once", "--now", "2027-01-12T09:15:00+01:00"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    kinds = sorted(str(e.message["X-Oppkobling-Kind"]) for e in sandbox.sent)
    assert "receipt" in kinds and "new_case" in kinds
    assert len(sandbox.authority.issued) == 1
    printed = proc.stdout + proc.stderr
    assert APP_SECRET not in printed
    assert sandbox.authority.issued[0] not in printed
    assert "xoauth2" in sandbox.dovecot_log().lower()


def test_no_secret_or_token_in_any_log_line_even_at_debug(sandbox: Sandbox, caplog: pytest.LogCaptureFixture,
                                                         tmp_path: Path) -> None:
    """Token request, IMAP and SMTP logins, a refused token and a retry: no record shows the secret or a token."""
    caplog.set_level(logging.DEBUG)
    tokens = sandbox_tokens(sandbox)
    box = mailbox(sandbox, tokens)
    try:
        box.select("INBOX")
        sandbox.authority.revoke_all()
        sandbox.kick()
        box.select("INBOX")
    finally:
        box.close()
    asyncio.run(sender(sandbox, tokens).check())
    sandbox.app.secret = "ny-hemmelighet"  # the old secret is now wrong: the refusal must not show it
    with pytest.raises(OAuth2Error) as refused:
        sandbox_tokens(sandbox).token()
    text = "\n".join(r.getMessage() for r in caplog.records) + str(refused.value)
    assert sandbox.authority.issued and caplog.records
    for secret in (APP_SECRET, "ny-hemmelighet", *sandbox.authority.issued):
        assert secret not in text
