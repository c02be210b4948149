"""Bounces must point at the bot: a subject tag is not evidence, the returned mail and its recipient are."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from reliability_kit import BOT, COORDINATOR, T0, MemoryBot, kommune, memory_bot, order

from bot.routine.case import Case

MALVIK = kommune("Malvik")


def dsn(recipient: str, *, returned: EmailMessage | None = None, message_id: str, subject: str = "",
        in_reply_to: str | None = None, status: str = "5.1.1") -> bytes:
    """An RFC 3464 report for `recipient`, with the headers of `returned` attached when given."""
    headers = "".join(f"{n}: {returned[n]}\r\n" for n in ("From", "To", "Subject", "Message-ID") if returned
                      and returned[n])
    extra = f"In-Reply-To: {in_reply_to}\r\n" if in_reply_to else ""
    b = "DSN-B"
    parts = [f"--{b}\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n",
             f"--{b}\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.evil.example\r\n\r\n"
             f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: {status}\r\n"]
    if headers:
        parts.append(f"--{b}\r\nContent-Type: text/rfc822-headers\r\n\r\n{headers}")
    return (f"Return-Path: <>\r\nFrom: Mail Delivery System <MAILER-DAEMON@mx.evil.example>\r\nTo: {BOT}\r\n"
            f"Subject: Undelivered Mail Returned to Sender {subject}\r\nDate: {format_datetime(T0)}\r\n"
            f"Message-ID: <{message_id}>\r\n{extra}MIME-Version: 1.0\r\n"
            f'Content-Type: multipart/report; report-type=delivery-status; boundary="{b}"\r\n\r\n'
            + "\r\n".join(parts) + f"\r\n--{b}--\r\n").encode()


def active(tmp: Path) -> MemoryBot:
    bot = memory_bot(tmp)
    bot.deliver(order(MALVIK, message_id="order@malvik.kommune.no"))
    bot.cycle()
    bot.clock.set(T0 + timedelta(minutes=5))
    return bot


def the_case(bot: MemoryBot) -> Case:
    with bot.app.store.tx() as tx:
        [case] = tx.list_cases()
    return case


def notices(bot: MemoryBot) -> int:
    return len([m for m in bot.sent_to(COORDINATOR) if m["X-Oppkobling-Kind"] == "notice"])


def events(bot: MemoryBot, kind: str) -> int:
    return int(bot.query("SELECT count(*) FROM events WHERE kind = ?", (kind,))[0][0])


def test_thirty_two_forged_bounces_tagged_with_the_case_change_nothing(tmp_path: Path) -> None:
    """`[OPK-1]` in the subject and the kommune's address in the report, but no mail of ours: nothing is marked
    undeliverable and the coordinators get no notice (before: the address was marked, and 32 notices)."""
    bot = active(tmp_path)
    before = notices(bot)
    for n in range(32):
        bot.deliver(dsn(MALVIK.mailbox, message_id=f"b{n}@mx.evil.example", subject="[OPK-1]"))
    report = bot.cycle()
    assert report.outcomes["bounce"] == 32
    assert the_case(bot).undeliverable == ()
    assert notices(bot) == before
    assert events(bot, "bounce_ignored") == 32


def test_a_bounce_of_our_mail_naming_someone_it_never_went_to_changes_nothing(tmp_path: Path) -> None:
    """The kommune knows its receipt's Message-ID; a report that it failed for the coordinator is refused."""
    bot = active(tmp_path)
    receipt = bot.latest_to(MALVIK.mailbox, "receipt")
    bot.deliver(dsn(COORDINATOR, returned=receipt, message_id="x1@mx.evil.example"))
    bot.deliver(dsn("victim@gmail.example", in_reply_to=str(receipt["Message-ID"]), message_id="x2@mx.evil.example"))
    bot.cycle()
    assert the_case(bot).undeliverable == ()
    assert events(bot, "bounce_ignored") == 2


def test_a_real_bounce_marks_the_address_once_and_tells_the_coordinators_once(tmp_path: Path) -> None:
    """A DSN that returns our receipt and names its recipient counts (by its attached headers or by
    In-Reply-To); twenty more for the same address add no notice."""
    bot = active(tmp_path)
    before = notices(bot)
    receipt = bot.latest_to(MALVIK.mailbox, "receipt")
    bot.deliver(dsn(MALVIK.mailbox, returned=receipt, message_id="real@mx.malvik.kommune.no"))
    for n in range(20):
        bot.deliver(dsn(MALVIK.mailbox.upper(), in_reply_to=str(receipt["Message-ID"]), message_id=f"r{n}@mx"))
    bot.cycle()
    assert the_case(bot).undeliverable == (MALVIK.mailbox,)
    assert notices(bot) == before + 1
    assert events(bot, "bounce_repeated") == 20
