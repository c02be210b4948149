"""Mail loops: a header-less autoresponder is capped at 10 mails a day; marked auto-replies are never answered."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from reliability_kit import COORDINATOR, T0, MemoryBot, body_text, kommune, memory_bot, order, reply_to

AUTORESPONSE = "Takk for din e-post, vi svarer så snart vi kan."
ROUNDS = 15
LIMIT_PER_DAY = 10


def test_headerless_autoresponder_gets_at_most_ten_mails_a_day(tmp_path: Path) -> None:
    """An autoresponder without any auto headers answering every bot mail for 15 rounds is cut off at 10."""
    bot = memory_bot(tmp_path)
    malvik = kommune("Malvik")
    # An order without D: every reply to the clarification is read again as a possible amendment.
    bot.deliver(order(malvik, message_id="order@malvik.kommune.no", d=None))
    bot.cycle()
    for n in range(ROUNDS):
        latest = bot.latest_to(malvik.mailbox)
        bot.clock.set(T0 + timedelta(minutes=30 * (n + 1)))
        bot.deliver(reply_to(latest, malvik.mailbox, AUTORESPONSE, message_id=f"auto-{n}@malvik.kommune.no",
                             at=bot.clock.now()))
        bot.cycle()
    assert bot.clock.now() - T0 < timedelta(hours=24)
    to_kommune = bot.sent_to(malvik.mailbox)
    assert 1 <= len(to_kommune) <= LIMIT_PER_DAY, [m["X-Oppkobling-Kind"] for m in to_kommune]
    notices = [m for m in bot.sent_to(COORDINATOR) if m["X-Oppkobling-Kind"] == "notice"]
    assert len(notices) <= 1
    if len(to_kommune) == LIMIT_PER_DAY:
        assert len(notices) == 1 and malvik.mailbox in body_text(notices[0])


# Every auto-reply style of DOMAIN.md: (headers, subject prefix).
STYLES: dict[str, tuple[tuple[tuple[str, str], ...], str]] = {
    "auto-submitted-auto-replied": ((("Auto-Submitted", "auto-replied"),), "SV: "),
    "auto-submitted-auto-generated": ((("Auto-Submitted", "auto-generated"),), "SV: "),
    "auto-submitted-with-parameter": ((("Auto-Submitted", "auto-replied; owner-email=\"x@malvik.kommune.no\""),),
                                      "SV: "),
    "auto-submitted-auto-notified": ((("Auto-Submitted", "auto-notified"),), "SV: "),
    "x-autoreply": ((("X-Autoreply", "yes"),), "SV: "),
    "x-autorespond": ((("X-Autorespond", "yes"),), "SV: "),
    "precedence-auto-reply": ((("Precedence", "auto_reply"),), "SV: "),
    "exchange-oof-header-pair": ((("X-MS-Exchange-Inbox-Rules-Loop", "meldingsansvarlig@malvik.kommune.no"),
                                  ("X-Auto-Response-Suppress", "All")), "SV: "),
    "null-return-path": ((("Return-Path", "<>"),), "SV: "),
    "subject-automatisk-svar": ((), "Automatisk svar: "),
    "subject-autosvar": ((), "Autosvar: "),
    "subject-fravaerende": ((), "Fraværende: "),
    "subject-fravaersmelding": ((), "Fraværsmelding: "),
    "subject-ute-av-kontoret": ((), "Ute av kontoret: "),
    "subject-out-of-office": ((), "Out of Office: "),
    "subject-automatic-reply": ((), "Automatic reply: "),
    "subject-automatiskt-svar": ((), "Automatiskt svar: "),
    "subject-nested-sv-automatisk-svar": ((), "SV: Automatisk svar: "),
}


def _active_case(tmp_path: Path) -> tuple[MemoryBot, str]:
    bot = memory_bot(tmp_path)
    malvik = kommune("Malvik")
    bot.deliver(order(malvik, message_id="order@malvik.kommune.no"))
    bot.cycle()
    return bot, malvik.mailbox


def _answer(bot: MemoryBot, kommune_address: str, headers: tuple[tuple[str, str], ...], prefix: str) -> bytes:
    receipt = bot.latest_to(kommune_address, "receipt")
    subject = prefix + str(receipt["Subject"])
    body = "status\n\nJeg er på ferie til 15. mars 2027 og leser ikke e-post. Haster det, ring sentralbordet."
    return reply_to(receipt, kommune_address, body, message_id="answer@malvik.kommune.no", subject=subject,
                    headers=headers, at=T0 + timedelta(hours=1))


def test_a_human_answer_of_the_same_shape_is_answered(tmp_path: Path) -> None:
    """Control: the same message without auto-reply marks gets a command_result, so the checks below bite."""
    bot, address = _active_case(tmp_path)
    before = len(bot.sent_to(address))
    bot.deliver(_answer(bot, address, (), "SV: "))
    bot.clock.set(T0 + timedelta(hours=1))
    report = bot.cycle()
    assert report.outcomes["command"] == 1, report.summary()
    assert [m["X-Oppkobling-Kind"] for m in bot.sent_to(address)[before:]] == ["command_result"]


@pytest.mark.parametrize("style", sorted(STYLES))
def test_auto_reply_is_logged_and_never_answered(tmp_path: Path, style: str) -> None:
    """An auto-reply of each style is recorded as such and gets no mail back, whatever its text says."""
    bot, address = _active_case(tmp_path)
    before = len(bot.sent_to(address))
    headers, prefix = STYLES[style]
    bot.deliver(_answer(bot, address, headers, prefix))
    bot.clock.set(T0 + timedelta(hours=1))
    report = bot.cycle()
    assert report.outcomes["auto_reply"] == 1, report.summary()
    assert bot.sent_to(address)[before:] == []
