"""The in-memory Mailbox: the IMAP adapter's UID, size, move and wait behaviour, without a server."""

from __future__ import annotations

import threading
import time

import pytest

from bot.mail.mailbox import Mailbox, NoSuchFolder, UidValidityChanged
from bot.mail.memory import MemoryMailbox

DONE_FOLDER = "Behandlet/Ferdig æøå"


def mail(subject: str, body_bytes: int = 10) -> bytes:
    return f"From: a@malvik.kommune.no\r\nSubject: {subject}\r\n\r\n".encode() + b"x" * body_bytes + b"\r\n"


@pytest.fixture
def mailbox() -> MemoryMailbox:
    return MemoryMailbox()


def test_it_satisfies_the_mailbox_port(mailbox: MemoryMailbox) -> None:
    """MemoryMailbox can stand wherever a Mailbox is expected."""
    port: Mailbox = mailbox
    port.connect()
    assert port.select("INBOX") > 0
    port.close()


def test_fetch_new_yields_messages_after_the_uid_in_order(mailbox: MemoryMailbox) -> None:
    """fetch_new yields messages above after_uid, oldest first, tagged with folder and UIDVALIDITY."""
    uids = [mailbox.deliver(mail(f"m{i}")) for i in range(4)]
    uidvalidity = mailbox.select("INBOX")

    fetched = list(mailbox.fetch_new("INBOX", uids[1], 10_000, batch_size=1))

    assert [m.uid for m in fetched] == uids[2:]
    assert [m.raw for m in fetched] == [mail("m2"), mail("m3")]
    assert {(m.folder, m.uidvalidity) for m in fetched} == {("INBOX", uidvalidity)}


def test_oversize_message_has_no_raw(mailbox: MemoryMailbox) -> None:
    """A message above max_message_bytes is reported with its size and raw=None."""
    uid = mailbox.deliver(mail("stor", body_bytes=5_000))

    [fetched] = mailbox.fetch_new("INBOX", 0, max_message_bytes=1_000)

    assert fetched.uid == uid
    assert fetched.oversize and fetched.raw is None
    assert fetched.size_bytes == len(mail("stor", body_bytes=5_000))


def test_fetch_headers_gives_the_header_block(mailbox: MemoryMailbox) -> None:
    """fetch_headers returns the header block of each existing UID and skips missing ones."""
    uid = mailbox.deliver(mail("hode"))

    assert mailbox.fetch_headers("INBOX", [uid, 99]) == {uid: b"From: a@malvik.kommune.no\r\nSubject: hode\r\n\r\n"}


def test_move_creates_the_target_and_gives_new_uids(mailbox: MemoryMailbox) -> None:
    """Moving takes mail out of the source and appends it to the target, created if missing."""
    keep = mailbox.deliver(mail("blir"))
    moved = [mailbox.deliver(mail("flyttes 1")), mailbox.deliver(mail("flyttes 2"))]

    mailbox.move("INBOX", moved, DONE_FOLDER)

    assert mailbox.uids("INBOX") == [keep]
    assert mailbox.messages(DONE_FOLDER) == [mail("flyttes 1"), mail("flyttes 2")]
    assert mailbox.uids(DONE_FOLDER) == [1, 2]


def test_selecting_a_missing_folder_is_no_such_folder(mailbox: MemoryMailbox) -> None:
    """Selecting a folder that does not exist raises NoSuchFolder."""
    with pytest.raises(NoSuchFolder):
        mailbox.select("Finnes ikke")


def test_uidvalidity_change_renumbers_and_is_reported(mailbox: MemoryMailbox) -> None:
    """After a UIDVALIDITY change select() reports the new value and UIDs restart at 1."""
    for i in range(3):
        mailbox.deliver(mail(f"m{i}"))
    before = mailbox.select("INBOX")

    after = mailbox.change_uidvalidity()

    assert after != before
    assert mailbox.select("INBOX") == after
    assert mailbox.uids() == [1, 2, 3]


def test_uidvalidity_change_mid_fetch_stops_the_fetch(mailbox: MemoryMailbox) -> None:
    """A fetch that sees the UIDVALIDITY change raises rather than mixing two UID spaces."""
    for i in range(3):
        mailbox.deliver(mail(f"m{i}"))
    fetch = mailbox.fetch_new("INBOX", 0, 10_000)
    next(fetch)

    mailbox.change_uidvalidity()

    with pytest.raises(UidValidityChanged):
        list(fetch)


def test_wait_reports_mail_delivered_from_another_thread(mailbox: MemoryMailbox) -> None:
    """wait_for_new wakes when another thread delivers mail."""
    list(mailbox.fetch_new("INBOX", 0, 10_000))
    threading.Timer(0.05, lambda: mailbox.deliver(mail("ny"))).start()

    assert mailbox.wait_for_new(timeout_s=5)


def test_wait_reports_mail_that_came_before_it_started(mailbox: MemoryMailbox) -> None:
    """Mail newer than the last fetch counts even when it arrived before the wait began."""
    list(mailbox.fetch_new("INBOX", 0, 10_000))
    mailbox.deliver(mail("mellom"))

    assert mailbox.wait_for_new(timeout_s=0)


def test_wait_times_out_without_new_mail(mailbox: MemoryMailbox) -> None:
    """wait_for_new returns False after timeout_s when nothing newer than the last fetch exists."""
    mailbox.deliver(mail("gammel"))
    list(mailbox.fetch_new("INBOX", 0, 10_000))

    assert not mailbox.wait_for_new(timeout_s=0.05)


def test_interrupt_ends_a_wait(mailbox: MemoryMailbox) -> None:
    """interrupt() from another thread makes wait_for_new return False promptly."""
    threading.Timer(0.05, mailbox.interrupt).start()
    started = time.monotonic()

    assert not mailbox.wait_for_new(timeout_s=30)
    assert time.monotonic() - started < 1.0


def test_fetch_after_a_changed_uidvalidity_refuses_the_stale_place(mailbox: MemoryMailbox) -> None:
    """fetch_new raises when the UIDVALIDITY is no longer the one select() reported."""
    mailbox.deliver(mail("x"))
    before = mailbox.select("INBOX")
    mailbox.change_uidvalidity()

    with pytest.raises(UidValidityChanged) as changed:
        list(mailbox.fetch_new("INBOX", 1, 10_000))

    assert changed.value.old == before
