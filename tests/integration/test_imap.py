"""The IMAP adapter against a real Dovecot: TLS, UID fetch, sizes, \\Seen, move, IDLE, poll, reconnects."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from tokens import sandbox_tokens

from bot.mail.imap import ImapMailbox
from bot.mail.mailbox import (
    MailboxAuthError,
    MailboxError,
    MailboxUnavailable,
    NoSuchFolder,
    UidValidityChanged,
)
from bot.mail.oauth2 import AccessToken
from bot.settings import Security
from sandbox import Sandbox

MakeMailbox = Callable[..., ImapMailbox]
# Time bounds sit far from both the expected time (well under a second) and the failure's time, so that
# a loaded 2-core machine cannot flip them: a retry would first wait RETRY_S, a missed wake-up WAIT_S.
RETRY_S = 30.0
WAIT_S = 30.0
DONE_FOLDER = "Behandlet/Ferdig æøå"


def mail(subject: str, body_bytes: int = 10) -> bytes:
    return f"From: kommune@malvik.kommune.no\r\nSubject: {subject}\r\n\r\n".encode() + b"x" * body_bytes + b"\r\n"


def make_factory(sandbox: Sandbox) -> Iterator[MakeMailbox]:
    made: list[ImapMailbox] = []

    def make(**overrides: Any) -> ImapMailbox:
        options: dict[str, Any] = {
            "password": sandbox.password,
            "security": Security.SSL,
            "ca_file": sandbox.ca_file,
            "timeout_s": 5.0,
            "reconnect_initial_s": 0.05,
            "reconnect_max_s": 0.5,
        }
        options.update(overrides)
        port = sandbox.imap_port if options["security"] == Security.SSL else sandbox.imap_plain_port
        mailbox = ImapMailbox(sandbox.imap_host, port, sandbox.bot_user, **options)
        made.append(mailbox)
        return mailbox

    yield make
    for mailbox in made:
        mailbox.close()


@pytest.fixture
def make_mailbox(sandbox: Sandbox) -> Iterator[MakeMailbox]:
    yield from make_factory(sandbox)


@pytest.fixture
def make_fresh_mailbox(fresh_sandbox: Sandbox) -> Iterator[MakeMailbox]:
    yield from make_factory(fresh_sandbox)


def later(delay_s: float, action: Callable[[], object]) -> threading.Thread:
    def run() -> None:
        time.sleep(delay_s)
        action()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


# -- connecting ---------------------------------------------------------------------------------------


def test_ssl_with_ca_file_verifies_and_selects(sandbox: Sandbox, make_mailbox: MakeMailbox) -> None:
    """Implicit TLS verified against a private CA connects and reports the folder's UIDVALIDITY."""
    assert make_mailbox().select("INBOX") == sandbox.uidvalidity()


def test_ssl_without_the_ca_is_refused_at_once(make_mailbox: MakeMailbox) -> None:
    """An untrusted certificate is an error naming BOT_CA_FILE, not something to retry."""
    started = time.monotonic()
    with pytest.raises(MailboxError, match="BOT_CA_FILE"):
        make_mailbox(ca_file=None, reconnect_initial_s=RETRY_S).connect()
    assert time.monotonic() - started < RETRY_S / 2  # no retry: a retry would wait RETRY_S first


def test_tls_spoken_to_the_plain_port_is_a_configuration_error(sandbox: Sandbox, make_mailbox: MakeMailbox) -> None:
    """security=ssl against a plain-IMAP port fails at once with a hint, instead of retrying for minutes."""
    mailbox = make_mailbox(reconnect_initial_s=RETRY_S)
    mailbox.port = sandbox.imap_plain_port
    started = time.monotonic()

    with pytest.raises(MailboxError, match="BOT_IMAP_SECURITY"):
        mailbox.connect()
    assert time.monotonic() - started < RETRY_S / 2  # no retry: a retry would wait RETRY_S first


def test_starttls_on_the_plain_port(sandbox: Sandbox, make_mailbox: MakeMailbox) -> None:
    """STARTTLS upgrades the plain port and verifies the certificate."""
    assert make_mailbox(security=Security.STARTTLS).select("INBOX") == sandbox.uidvalidity()


def test_security_none_on_the_loopback_plain_port(sandbox: Sandbox, make_mailbox: MakeMailbox) -> None:
    """security=none talks plain IMAP (allowed by settings only for loopback hosts)."""
    uid = sandbox.append(sandbox.bot_user, mail("klartekst"))
    mailbox = make_mailbox(security=Security.NONE, ca_file=None)

    assert [m.uid for m in mailbox.fetch_new("INBOX", 0, 10_000)] == [uid]


def test_wrong_password_is_an_auth_error_without_retries(make_mailbox: MakeMailbox) -> None:
    """A refused login raises MailboxAuthError straight away."""
    with pytest.raises(MailboxAuthError, match="refused"):
        make_mailbox(password="feil").connect()


def test_xoauth2_login_with_a_token_from_the_authority(sandbox: Sandbox, make_mailbox: MakeMailbox) -> None:
    """With an OAuth2 token source the adapter logs in by SASL XOAUTH2 with one token from the authority."""
    mailbox = make_mailbox(password=None, oauth2=sandbox_tokens(sandbox))
    assert mailbox.select("INBOX") == sandbox.uidvalidity()
    assert len(sandbox.authority.issued) == 1


class StaticToken:
    """A token provider that only ever has one token (a fake at the seam)."""

    def token(self) -> AccessToken:
        return AccessToken("utgått-token", time.monotonic() + 3600, time.monotonic() + 3000)

    def invalidate(self, token: AccessToken) -> None:
        pass


def test_xoauth2_with_a_bad_token_is_an_auth_error(make_mailbox: MakeMailbox) -> None:
    """A token the server does not accept raises MailboxAuthError, not a retry loop."""
    with pytest.raises(MailboxAuthError, match="refused the OAuth2 token"):
        make_mailbox(password=None, oauth2=StaticToken()).connect()


def test_unreachable_server_gives_up_after_the_configured_attempts(make_mailbox: MakeMailbox) -> None:
    """A server that never answers ends in MailboxUnavailable after max_reconnect_attempts."""
    mailbox = make_mailbox(max_reconnect_attempts=2, reconnect_initial_s=0.01)
    mailbox.port = 1  # nothing listens on port 1 of loopback
    with pytest.raises(MailboxUnavailable):
        mailbox.connect()


def test_selecting_a_missing_folder_is_no_such_folder(make_mailbox: MakeMailbox) -> None:
    """Selecting a folder that does not exist raises NoSuchFolder."""
    with pytest.raises(NoSuchFolder):
        make_mailbox().select("Finnes ikke")


# -- fetching -----------------------------------------------------------------------------------------


def test_fetch_new_returns_messages_after_the_uid_in_order(sandbox: Sandbox, make_mailbox: MakeMailbox) -> None:
    """fetch_new yields every message with a UID above after_uid, oldest first, across batches."""
    uids = [sandbox.append(sandbox.bot_user, mail(f"m{i}")) for i in range(5)]
    mailbox = make_mailbox()
    uidvalidity = mailbox.select("INBOX")

    fetched = list(mailbox.fetch_new("INBOX", uids[0], 10_000, batch_size=2))

    assert [m.uid for m in fetched] == uids[1:]
    assert all(m.uidvalidity == uidvalidity and m.folder == "INBOX" for m in fetched)
    assert fetched[0].raw == mail("m1")
    assert fetched[0].size_bytes == len(mail("m1"))


def test_fetch_new_after_the_last_uid_yields_nothing(sandbox: Sandbox, make_mailbox: MakeMailbox) -> None:
    """ "UID n:*" matches the last message even when n is past it; the adapter filters that out."""
    last = sandbox.append(sandbox.bot_user, mail("siste"))

    assert list(make_mailbox().fetch_new("INBOX", last, 10_000)) == []


def test_fetching_leaves_seen_unset(sandbox: Sandbox, make_mailbox: MakeMailbox) -> None:
    """Reading with BODY.PEEK[] never marks mail \\Seen, which the people sharing the mailbox rely on."""
    uid = sandbox.append(sandbox.bot_user, mail("ulest"))
    mailbox = make_mailbox()

    list(mailbox.fetch_new("INBOX", 0, 10_000))
    mailbox.fetch_headers("INBOX", [uid])

    assert "\\Seen" not in sandbox.flags(sandbox.bot_user)[uid]


def test_oversize_message_is_reported_but_not_downloaded(sandbox: Sandbox, make_mailbox: MakeMailbox) -> None:
    """A message above max_message_bytes comes back with its size and raw=None, and its body is never sent."""
    small = sandbox.append(sandbox.bot_user, mail("liten"))
    big = sandbox.append(sandbox.bot_user, mail("stor", body_bytes=50_000))
    mailbox = make_mailbox()

    fetched = {m.uid: m for m in mailbox.fetch_new("INBOX", small, max_message_bytes=10_000)}
    mailbox.close()

    assert fetched[big].oversize and fetched[big].raw is None
    assert fetched[big].size_bytes > 50_000
    # Dovecot counts the body bytes each session fetched; it logs them at logout.
    deadline = time.monotonic() + 2
    while not (sessions := re.findall(r"Logged out .*body_bytes=(\d+)", sandbox.dovecot_log())):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert int(sessions[-1]) < 50_000


def test_fetch_headers_returns_the_header_block(sandbox: Sandbox, make_mailbox: MakeMailbox) -> None:
    """fetch_headers gives each existing UID's header block, for header-first triage."""
    uid = sandbox.append(sandbox.bot_user, mail("hode"))

    headers = make_mailbox().fetch_headers("INBOX", [uid, uid + 100])

    assert list(headers) == [uid]
    assert headers[uid].startswith(b"From: kommune@malvik.kommune.no\r\nSubject: hode\r\n")


# -- moving -------------------------------------------------------------------------------------------


def test_move_creates_a_nested_folder_with_norwegian_letters(sandbox: Sandbox, make_mailbox: MakeMailbox) -> None:
    """Moving to "Behandlet/Ferdig æøå" creates it (modified UTF-7 on the wire) and moves the mail."""
    keep = sandbox.append(sandbox.bot_user, mail("blir"))
    moved = [sandbox.append(sandbox.bot_user, mail(f"flyttes {i}")) for i in range(2)]
    mailbox = make_mailbox()

    mailbox.move("INBOX", moved, DONE_FOLDER)

    assert sandbox.messages(sandbox.bot_user) == [mail("blir")]
    assert sandbox.messages(sandbox.bot_user, DONE_FOLDER) == [mail("flyttes 0"), mail("flyttes 1")]
    assert [m.uid for m in mailbox.fetch_new("INBOX", 0, 10_000)] == [keep]


def test_move_into_an_existing_folder(sandbox: Sandbox, make_mailbox: MakeMailbox) -> None:
    """A second move into the same folder reuses it."""
    first = sandbox.append(sandbox.bot_user, mail("en"))
    second = sandbox.append(sandbox.bot_user, mail("to"))
    mailbox = make_mailbox()

    mailbox.move("INBOX", [first], DONE_FOLDER)
    mailbox.move("INBOX", [second], DONE_FOLDER)

    assert len(sandbox.messages(sandbox.bot_user, DONE_FOLDER)) == 2


# -- waiting ------------------------------------------------------------------------------------------


def test_idle_notices_new_mail_within_two_seconds(sandbox: Sandbox, make_mailbox: MakeMailbox) -> None:
    """wait_for_new returns True soon after mail arrives while idling (Dovecot notifies after ~0.5 s)."""
    mailbox = make_mailbox(poll_interval_s=WAIT_S)
    list(mailbox.fetch_new("INBOX", 0, 10_000))
    later(0.2, lambda: sandbox.deliver(mail("ny")))

    started = time.monotonic()
    assert mailbox.wait_for_new(timeout_s=WAIT_S)
    assert time.monotonic() - started < WAIT_S / 3  # IDLE woke it, not the poll or the timeout


def test_wait_returns_false_when_nothing_arrives(make_mailbox: MakeMailbox) -> None:
    """wait_for_new gives up after timeout_s with False."""
    started = time.monotonic()
    assert not make_mailbox().wait_for_new(timeout_s=0.3)
    assert 0.25 < time.monotonic() - started < WAIT_S / 3


def test_wait_sees_mail_that_arrived_before_it_started(sandbox: Sandbox, make_mailbox: MakeMailbox) -> None:
    """Mail delivered after the last fetch but before waiting (no IDLE notice for it) is reported at once."""
    mailbox = make_mailbox()
    list(mailbox.fetch_new("INBOX", 0, 10_000))
    sandbox.deliver(mail("mellom"))

    started = time.monotonic()
    assert mailbox.wait_for_new(timeout_s=WAIT_S)
    assert time.monotonic() - started < WAIT_S / 3  # no IDLE notice comes for it: the wait checked first


def test_fallback_poll_notices_mail_without_idle(sandbox: Sandbox, make_mailbox: MakeMailbox) -> None:
    """With IDLE off, the poll every poll_interval_s finds new mail."""
    mailbox = make_mailbox(use_idle=False, poll_interval_s=0.2)
    list(mailbox.fetch_new("INBOX", 0, 10_000))
    later(0.3, lambda: sandbox.deliver(mail("ny")))

    started = time.monotonic()
    assert mailbox.wait_for_new(timeout_s=WAIT_S)
    assert time.monotonic() - started < WAIT_S / 3


def test_interrupt_ends_a_wait_from_another_thread(make_mailbox: MakeMailbox) -> None:
    """interrupt() makes a long wait_for_new return False promptly (clean shutdown)."""
    mailbox = make_mailbox()
    mailbox.select("INBOX")
    later(0.2, mailbox.interrupt)

    started = time.monotonic()
    assert not mailbox.wait_for_new(timeout_s=WAIT_S)
    assert time.monotonic() - started < WAIT_S / 3


# -- server trouble -----------------------------------------------------------------------------------


def test_server_restart_during_idle_loses_nothing(fresh_sandbox: Sandbox, make_fresh_mailbox: MakeMailbox) -> None:
    """When Dovecot restarts under an IDLE, the adapter reconnects and reports mail from the outage."""
    sandbox = fresh_sandbox
    first = sandbox.append(sandbox.bot_user, mail("før"))
    mailbox = make_fresh_mailbox()
    assert [m.uid for m in mailbox.fetch_new("INBOX", 0, 10_000)] == [first]

    def restart_with_mail() -> None:
        sandbox.restart_imap()
        sandbox.deliver(mail("under omstart"))

    later(0.2, restart_with_mail)
    assert mailbox.wait_for_new(timeout_s=10)

    [after] = mailbox.fetch_new("INBOX", first, 10_000)
    assert after.raw is not None and after.raw.endswith(mail("under omstart"))
    assert mailbox.reconnects == 1


def test_fetch_reconnects_after_a_restart(fresh_sandbox: Sandbox, make_fresh_mailbox: MakeMailbox) -> None:
    """A connection dropped between calls is reopened and the folder reselected transparently."""
    uid = fresh_sandbox.append(fresh_sandbox.bot_user, mail("etter"))
    mailbox = make_fresh_mailbox()
    mailbox.select("INBOX")

    fresh_sandbox.restart_imap()

    assert [m.uid for m in mailbox.fetch_new("INBOX", 0, 10_000)] == [uid]


def test_uidvalidity_change_is_visible_to_the_caller(fresh_sandbox: Sandbox, make_fresh_mailbox: MakeMailbox) -> None:
    """After the server changes UIDVALIDITY, select() reports the new value."""
    fresh_sandbox.append(fresh_sandbox.bot_user, mail("x"))
    mailbox = make_fresh_mailbox()
    before = mailbox.select("INBOX")

    after = fresh_sandbox.change_uidvalidity()

    assert mailbox.select("INBOX") == after != before


def test_uidvalidity_change_mid_fetch_stops_the_fetch(fresh_sandbox: Sandbox, make_fresh_mailbox: MakeMailbox) -> None:
    """A fetch that finds the UIDVALIDITY changed between batches raises instead of mixing UID spaces."""
    for i in range(3):
        fresh_sandbox.append(fresh_sandbox.bot_user, mail(f"m{i}"))
    mailbox = make_fresh_mailbox()
    fetch = mailbox.fetch_new("INBOX", 0, 10_000, batch_size=1)
    first = next(fetch)

    fresh_sandbox.change_uidvalidity()

    with pytest.raises(UidValidityChanged) as changed:
        list(fetch)
    assert changed.value.old == first.uidvalidity


def test_fetch_after_a_changed_uidvalidity_refuses_the_stale_place(
    fresh_sandbox: Sandbox, make_fresh_mailbox: MakeMailbox
) -> None:
    """fetch_new raises when the folder's UIDVALIDITY is no longer the one select() reported."""
    fresh_sandbox.append(fresh_sandbox.bot_user, mail("x"))
    mailbox = make_fresh_mailbox()
    before = mailbox.select("INBOX")
    fresh_sandbox.change_uidvalidity()

    with pytest.raises(UidValidityChanged) as changed:
        list(mailbox.fetch_new("INBOX", 1, 10_000))

    assert changed.value.old == before
    assert mailbox.select("INBOX") != before
    assert len(list(mailbox.fetch_new("INBOX", 0, 10_000))) == 1
