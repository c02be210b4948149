"""A flood in front of or behind real orders: the orders are answered while the flood is still being read."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from reliability_kit import BOT, kommune, memory_bot, order

from bot.mail.memory_sender import MemorySender
from bot.mail.sender import BeforeSend, OnResult, SendResult, StoredMail
from bot.runner import run_once
from bot.store.repo import Store

FLOOD = 120


def auto_reply(i: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"ansatt{i}@malvik.kommune.no"
    msg["To"] = BOT
    msg["Subject"] = "Automatisk svar: Fravær"
    msg["Message-ID"] = f"<fravaer-{i}@malvik.kommune.no>"
    msg["Auto-Submitted"] = "auto-replied"
    msg.set_content("Jeg er på ferie og leser ikke e-post før mandag.")
    return msg.as_bytes()


@dataclass
class WatchingSender(MemorySender):
    """The SMTP fake, noting how many messages the store had recorded when each mail went out."""

    store: Store | None = None
    recorded_when_sent: list[int] = field(default_factory=list)

    async def send_stored(self, mails: Sequence[StoredMail], on_result: OnResult | None = None,
                          before_send: BeforeSend | None = None) -> list[SendResult]:
        assert self.store is not None
        with self.store.tx(read_only=True) as tx:
            recorded = len(tx.s.connection().exec_driver_sql("SELECT id FROM inbound").all())
        self.recorded_when_sent.extend([recorded] * len(mails))
        return await super().send_stored(mails, on_result, before_send)


def test_an_order_in_front_of_a_flood_is_answered_while_the_flood_is_still_being_read(tmp_path: Path) -> None:
    """One `run --once` over an order and 120 auto-replies behind it, read 10 at a time: the receipt and the
    coordinators' notice go out after the first batch, not after the whole mailbox."""
    bot = memory_bot(tmp_path, env={"BOT_FETCH_BATCH_SIZE": "10"})
    bot.deliver(order(kommune("Malvik"), message_id="first@malvik.kommune.no"))
    for i in range(FLOOD):
        bot.deliver(auto_reply(i))
    sender = WatchingSender(store=bot.app.store)
    report = asyncio.run(run_once(bot.app, bot.mailbox, sender))
    assert report.outcomes["order"] == 1 and report.outcomes["auto_reply"] == FLOOD
    assert report.outbox is not None and report.outbox.sent == 2
    assert len(sender.recorded_when_sent) == 2
    assert max(sender.recorded_when_sent) < 1 + FLOOD
    bot.app.store.dispose()


def test_mail_that_asks_for_nothing_is_recorded_without_a_savepoint_of_its_own(tmp_path: Path) -> None:
    """Reading and understanding write nothing, so only a message that acts (here the order) opens a SAVEPOINT
    for its writes; the auto-replies around it are recorded by their rows alone. (On PostgreSQL, where a failed
    statement ends the transaction, every message has one.)"""
    from sqlalchemy import event

    bot = memory_bot(tmp_path)
    for i in range(5):
        bot.deliver(auto_reply(i))
    bot.deliver(order(kommune("Malvik"), message_id="first@malvik.kommune.no"))
    savepoints: list[str] = []
    event.listen(bot.app.store.engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: savepoints.append(statement)
                 if statement.startswith("SAVEPOINT") else None)
    report = bot.cycle()
    assert report.outcomes == {"auto_reply": 5, "order": 1}
    assert len(savepoints) == (6 if bot.app.store.errors_end_the_transaction else 1)
    bot.app.store.dispose()
