"""Mail loops: a header-less autoresponder is capped at 10 mails a day; marked auto-replies are never answered."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from reliability_kit import COORDINATOR, COORDINATORS, T0, MemoryBot, body_text, kommune, memory_bot, order, reply_to

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


# -- coordinators whose autoresponders carry no auto headers ------------------------------------------

OUT_OF_OFFICE = "Jeg er på ferie til 1. februar og leser ikke e-post."


def _coordinator_storm(bot: MemoryBot, *, threaded: bool, rounds: int = 6) -> list[int]:
    """A kommune asks a question; both coordinators answer every bot mail they get with a header-less
    out-of-office, `rounds` cycles long. Returns the mails to the coordinators per cycle."""
    malvik = kommune("Malvik")
    seen = {c: len(bot.sent_to(c)) for c in COORDINATORS}
    receipt = bot.latest_to(malvik.mailbox, "receipt")
    bot.deliver(reply_to(receipt, malvik.mailbox, "Hei, når er testdagen?", message_id="q@malvik.kommune.no",
                         at=T0 + timedelta(minutes=5)))
    per_cycle = []
    for n in range(rounds):
        bot.clock.set(T0 + timedelta(minutes=10 + n))
        bot.cycle()
        fresh = []
        for c in COORDINATORS:
            fresh += [(c, m) for m in bot.sent_to(c)[seen[c]:]]
            seen[c] = len(bot.sent_to(c))
        per_cycle.append(len(fresh))
        for i, (c, m) in enumerate(fresh):
            raw = reply_to(m, c, OUT_OF_OFFICE, message_id=f"ooo-{n}-{i}@{c.rpartition('@')[2]}", at=bot.clock.now())
            if not threaded:  # some autoresponders keep only the subject
                raw = b"\n".join(ln for ln in raw.split(b"\n") if not ln.startswith((b"In-Reply-To:", b"References:")))
            bot.deliver(raw)
    return per_cycle


@pytest.mark.parametrize("threaded", [True, False])
def test_two_autoresponding_coordinators_do_not_breed_forwards(tmp_path: Path, threaded: bool) -> None:
    """Answers to a forward are never forwarded again: one forward to each coordinator, then silence
    (before: 2, 4, 8, 16, 32, 64 mails in six cycles)."""
    bot, _address = _active_case(tmp_path)
    per_cycle = _coordinator_storm(bot, threaded=threaded)
    assert per_cycle == [2, 0, 0, 0, 0, 0]
    events = [r[0] for r in bot.query("SELECT kind FROM events WHERE kind = 'reply_not_forwarded'")]
    assert len(events) == 2


def test_coordinators_are_capped_too_and_get_one_summary_a_day(tmp_path: Path) -> None:
    """Past the coordinators' cap nothing more goes out to them; what was held back comes in one notice,
    and the next summary waits a day."""
    bot = memory_bot(tmp_path, env={"BOT_MAX_MAILS_PER_COORDINATOR_PER_DAY": "5"})
    malvik = kommune("Malvik")
    bot.deliver(order(malvik, message_id="order@malvik.kommune.no"))
    bot.cycle()  # one new_case to each coordinator

    def questions(first: int, count: int, at: timedelta) -> None:
        receipt = bot.latest_to(malvik.mailbox, "receipt")
        for n in range(first, first + count):
            bot.deliver(reply_to(receipt, f"ansatt{n}@malvik.kommune.no", f"Spørsmål nummer {n}?",
                                 message_id=f"q{n}@malvik.kommune.no", at=T0 + at))
        bot.clock.set(T0 + at)
        bot.cycle()

    questions(0, 8, timedelta(hours=1))  # 4 forwards fit under the cap of 5, 4 are held back
    for c in COORDINATORS:
        kinds = [str(m["X-Oppkobling-Kind"]) for m in bot.sent_to(c)]
        assert kinds == ["new_case"] + ["forward"] * 4 + ["notice"], (c, kinds)
        summary = body_text(bot.sent_to(c)[-1])
        assert "holdt tilbake 4 automatiske e-poster" in summary and "OPK-1: 4 × forward" in summary

    questions(8, 3, timedelta(hours=2))  # still over the cap, and a summary went out an hour ago
    assert all(len(bot.sent_to(c)) == 6 for c in COORDINATORS)

    bot.clock.set(T0 + timedelta(hours=26))  # a day later: the next summary, with the three held back since
    bot.cycle()
    for c in COORDINATORS:
        last = bot.sent_to(c)[-1]
        assert last["X-Oppkobling-Kind"] == "notice" and "holdt tilbake 3 automatiske" in body_text(last)
