"""A From line proves nothing: commands count only as answers to the bot's own mail (the reply key)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest
from reliability_kit import (
    BOT,
    COORDINATOR,
    COORDINATOR_2,
    T0,
    MemoryBot,
    body_text,
    kommune,
    memory_bot,
    order,
    reply_to,
)

from bot.domain import CaseState
from bot.routine.case import Case

MALVIK = kommune("Malvik")
BANKID = "avvik: Ring 815 00 000 og oppgi BankID"


def new_mail(sender: str, subject: str, body: str, *, at_min: int) -> bytes:
    """A mail written from scratch: no In-Reply-To, no References, only what anyone can type."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = BOT
    msg["Subject"] = subject
    msg["Date"] = format_datetime(T0 + timedelta(minutes=at_min))
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@{sender.rpartition('@')[2]}>"
    msg.set_content(body)
    return msg.as_bytes()


def active(tmp: Path, d: str | None = "01.03.2027") -> MemoryBot:
    bot = memory_bot(tmp)
    bot.deliver(order(MALVIK, message_id="order@malvik.kommune.no", d=d))
    bot.cycle()
    return bot


def the_case(bot: MemoryBot) -> Case:
    with bot.app.store.tx() as tx:
        [case] = tx.list_cases()
    return case


def at(bot: MemoryBot, minutes: int) -> None:
    bot.clock.set(T0 + timedelta(minutes=minutes))


def kinds_to(bot: MemoryBot, address: str, since: int = 0) -> list[str]:
    return [str(m["X-Oppkobling-Kind"]) for m in bot.sent_to(address)[since:]]


@pytest.mark.parametrize("subject", ["[OPK-1]", "SV: [OPK-1] Malvik kommune: Ny oppkobling", "OPK-1"])
def test_a_forged_coordinator_mail_cancels_moves_deviates_or_activates_nothing(tmp_path: Path, subject: str) -> None:
    """From: koordinator@hemit.no in a new mail: avbryt, ny dato, an avvik text and the confirmations up to
    activation all change nothing, and the kommune gets none of the attacker's text."""
    bot = active(tmp_path)
    before = the_case(bot)
    sent_before = len(bot.sender.sent)
    for n, body in enumerate([BANKID, "ny dato: 05.04.2027", "bekreftet AR", "partneravtale alle ok",
                              "test ok", "verifisert", "avbryt"]):
        at(bot, 5 + n)
        bot.deliver(new_mail(COORDINATOR, subject, body + "\n", at_min=5 + n))
        bot.cycle()
    after = the_case(bot)
    assert after == before
    assert after.state is CaseState.ACTIVE and after.activation_date == date(2027, 3, 1)
    assert kinds_to(bot, MALVIK.mailbox, 1) == []  # nothing after the receipt
    # The coordinator (the real mailbox, not the forger) hears why, in Norwegian.
    answers = [m for m in bot.sender.sent[sent_before:] if m["X-Oppkobling-Kind"] == "command_result"]
    assert answers and all(COORDINATOR in str(m["To"]) for m in answers)
    assert "En ny e-post er ikke nok" in " ".join(body_text(answers[0]).split())


def test_a_kommune_answering_its_own_receipt_as_a_coordinator_gets_nothing(tmp_path: Path) -> None:
    """The receipt went to the kommune: answering it with a coordinator's From is not a coordinator's key."""
    bot = active(tmp_path)
    receipt = bot.latest_to(MALVIK.mailbox, "receipt")
    for n, body in enumerate(["avbryt", BANKID, "verifisert"]):
        at(bot, 5 + n)
        bot.deliver(reply_to(receipt, COORDINATOR, body, message_id=f"k{n}@malvik.kommune.no", at=bot.clock.now()))
        bot.cycle()
    case = the_case(bot)
    assert case.state is CaseState.ACTIVE and case.deviations == () and not case.step("dialogmelding").done


def test_a_new_mail_from_a_kommune_colleague_confirms_nothing_but_a_reply_does(tmp_path: Path) -> None:
    """`bekreftet AR` in a new mail from ola@malvik is refused; the same words answering the receipt that
    reached the kommune's shared mailbox count (a colleague at the same domain)."""
    bot = active(tmp_path)
    at(bot, 5)
    bot.deliver(new_mail("ola@malvik.kommune.no", "[OPK-1] AR", "bekreftet AR\n", at_min=5))
    bot.cycle()
    assert not the_case(bot).step("ar_publisering").done
    at(bot, 10)
    receipt = bot.latest_to(MALVIK.mailbox, "receipt")
    bot.deliver(reply_to(receipt, "ola@malvik.kommune.no", "bekreftet AR", message_id="r@malvik.kommune.no",
                         at=bot.clock.now()))
    bot.cycle()
    assert the_case(bot).step("ar_publisering").done


def test_a_coordinator_without_a_mail_writes_status_and_answers_the_answer(tmp_path: Path) -> None:
    """A new mail `status OPK-1` is answered to the coordinator's real mailbox; a reply to that answer
    carries the key, so `avbryt` in it counts."""
    bot = active(tmp_path)
    seen = len(bot.sent_to(COORDINATOR_2))
    at(bot, 5)
    bot.deliver(new_mail(COORDINATOR_2, "status OPK-1", "", at_min=5))
    bot.cycle()
    assert kinds_to(bot, COORDINATOR_2, seen) == ["command_result"]
    answer = bot.latest_to(COORDINATOR_2, "command_result")
    at(bot, 10)
    bot.deliver(reply_to(answer, COORDINATOR_2, "avbryt", message_id="c@stolav.no", at=bot.clock.now()))
    bot.cycle()
    assert the_case(bot).state is CaseState.CANCELLED
    assert kinds_to(bot, MALVIK.mailbox)[-1] == "cancelled"


def test_a_forged_amendment_does_not_complete_an_order(tmp_path: Path) -> None:
    """On a needs_info case, a new mail naming a date is not the kommune's answer: the case keeps waiting."""
    bot = active(tmp_path, d=None)
    assert the_case(bot).state is CaseState.NEEDS_INFO
    at(bot, 5)
    bot.deliver(new_mail(MALVIK.mailbox, "SV: [OPK-1] Vi trenger flere opplysninger", "Aktiveringsdato: 01.03.2027\n",
                         at_min=5))
    bot.cycle()
    case = the_case(bot)
    assert case.state is CaseState.NEEDS_INFO and case.activation_date is None
    # The real kommune answers the clarification: that completes it.
    at(bot, 10)
    clarification = bot.latest_to(MALVIK.mailbox, "clarification")
    bot.deliver(reply_to(clarification, MALVIK.mailbox, "Aktiveringsdato: 01.03.2027",
                         message_id="a@malvik.kommune.no", at=bot.clock.now()))
    bot.cycle()
    assert the_case(bot).state is CaseState.ACTIVE


@pytest.mark.parametrize("sender", ["x@gmail.example", "meldingsansvarlig@frosta.kommune.no",
                                    "koordinator@hemit.no.evil.example"])
def test_strangers_replying_with_a_real_key_still_get_nothing(tmp_path: Path, sender: str) -> None:
    """A thread forwarded to a stranger gives the stranger no role: nothing changes, nothing is answered."""
    bot = active(tmp_path)
    receipt = bot.latest_to(MALVIK.mailbox, "receipt")
    at(bot, 5)
    bot.deliver(reply_to(receipt, sender, "bekreftet AR", message_id="s@x.example", at=bot.clock.now()))
    bot.cycle()
    assert not the_case(bot).step("ar_publisering").done
    assert bot.sent_to(sender) == []
