"""No mail to third parties: forged orders, outside contacts, decoded display text and tagged mailboxes."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from reliability_kit import (
    COORDINATOR,
    COORDINATORS,
    T0,
    MemoryBot,
    body_text,
    bot_settings_env,
    kommune,
    make_app,
    memory_bot,
    order,
    reply_to,
    sandbox_cycle,
)

from bot.routine.case import Case
from sandbox import Sandbox

MALVIK = kommune("Malvik")
VICTIM = "victim@gmail.example"
# Decodes to "victim@gmail.example <x1@malvik.kommune.no": an address that looks like Malvik's.
ENCODED_FROM = b"=?utf-8?q?victim=40gmail.example_=3C?=x1@malvik.kommune.no"


def all_rcpts(bot: MemoryBot) -> list[str]:
    """Every RCPT TO the (fake) SMTP server accepted."""
    return [a.lower() for _m, rcpts in bot.sender.envelopes for a in rcpts]


def cases(bot: MemoryBot) -> list[Case]:
    with bot.app.store.tx() as tx:
        return tx.list_cases()


def test_fifteen_forged_orders_naming_tagged_victims_send_them_nothing(tmp_path: Path) -> None:
    """Orders "from" Malvik naming victim+N@ as contact open cases, but no mail goes to the victim and the
    coordinators are asked to approve the address instead (before: 15 receipts in one mailbox)."""
    bot = memory_bot(tmp_path)
    for n in range(15):
        bot.deliver(order(MALVIK, sender=f"x{n}@malvik.kommune.no", message_id=f"forged-{n}@evil.example",
                          her_id=8142326 + n, extra=f"Kontaktperson: victim+{n}@gmail.example"))
    bot.cycle()
    assert len(cases(bot)) == 15
    assert all(c.contact_email is None for c in cases(bot))
    assert [a for a in all_rcpts(bot) if "gmail.example" in a] == []
    notices = [body_text(m) for m in bot.sent_to(COORDINATOR) if m["X-Oppkobling-Kind"] == "notice"]
    assert any("victim+0@gmail.example" in n and "godkjenn kontakt" in n for n in notices)


def test_an_outside_contact_has_no_rights_until_a_coordinator_approves_it(tmp_path: Path) -> None:
    """The named outside contact cannot confirm or ask; a kommune cannot approve it; a coordinator's
    `godkjenn kontakt` answering the notice sends it the receipt, and from then on it acts for the kommune."""
    bot = memory_bot(tmp_path)
    bot.deliver(order(MALVIK, message_id="o@malvik.kommune.no", extra=f"Kontaktperson: {VICTIM}"))
    bot.cycle()
    receipt = bot.latest_to(MALVIK.mailbox, "receipt")
    # The contact has seen nothing; even with the kommune's thread forwarded to it, it has no role.
    bot.clock.set(T0 + timedelta(minutes=5))
    bot.deliver(reply_to(receipt, VICTIM, "bekreftet AR", message_id="v1@gmail.example", at=bot.clock.now()))
    bot.deliver(reply_to(receipt, MALVIK.mailbox, "godkjenn kontakt", message_id="k1@malvik.kommune.no",
                         at=bot.clock.now()))
    bot.cycle()
    [case] = cases(bot)
    assert case.contact_email is None and not case.step("ar_publisering").done
    assert bot.sent_to(VICTIM) == []

    notice = next(m for m in bot.sent_to(COORDINATOR) if VICTIM in body_text(m))
    bot.clock.set(T0 + timedelta(minutes=10))
    bot.deliver(reply_to(notice, COORDINATOR, "godkjenn kontakt", message_id="g@hemit.no", at=bot.clock.now()))
    bot.cycle()
    assert cases(bot)[0].contact_email == VICTIM
    assert [m["X-Oppkobling-Kind"] for m in bot.sent_to(VICTIM)] == ["receipt"]

    bot.clock.set(T0 + timedelta(minutes=15))
    bot.deliver(reply_to(bot.latest_to(VICTIM, "receipt"), VICTIM, "bekreftet AR", message_id="v2@gmail.example",
                         at=bot.clock.now()))
    bot.cycle()
    assert cases(bot)[0].step("ar_publisering").done


def test_one_tagged_mailbox_gets_at_most_the_daily_cap(tmp_path: Path) -> None:
    """ola+1@, Ola+2@ … are one mailbox: 15 orders from its tags give it at most 10 mails a day, and the
    kommune's shared mailbox the same (before: 15 each)."""
    bot = memory_bot(tmp_path)
    for n in range(15):
        bot.deliver(order(MALVIK, sender=f"{'Ola' if n % 2 else 'ola'}+{n}@malvik.kommune.no",
                          message_id=f"t{n}@malvik.kommune.no", her_id=8142326 + n))
    bot.cycle()
    to_ola = [a for a in all_rcpts(bot) if re.fullmatch(r"ola\+\d+@malvik\.kommune\.no", a)]
    assert 1 <= len(to_ola) <= 10
    assert all_rcpts(bot).count(MALVIK.mailbox) <= 10


@pytest.mark.integration
def test_an_encoded_from_never_reaches_rcpt_to(sandbox: Sandbox, tmp_path: Path) -> None:
    """A From whose encoded word decodes into "victim@… <x1@malvik…" gets no mail: the real SMTP server never
    sees RCPT TO:<victim@gmail.example> (before: it did). An encoded word inside the address names nobody,
    so the order is a stranger's: recorded, never answered."""
    raw = order(MALVIK, message_id="enc@evil.example").replace(f"From: {MALVIK.mailbox}".encode(),
                                                               b"From: " + ENCODED_FROM)
    sandbox.append(sandbox.bot_user, raw)
    app, _clock = make_app({**sandbox.settings_env(), **bot_settings_env(tmp_path / "bot.sqlite")})
    sandbox_cycle(app)
    with app.store.tx() as tx:
        [row] = tx.inbound()
    assert (row.outcome, row.sender) == ("unknown", None)
    rcpts = [r.lower() for e in sandbox.sent for r in e.rcpt_tos]
    assert not [r for r in rcpts if "gmail" in r or "<" in r or " " in r], rcpts
    assert set(rcpts) <= set(COORDINATORS)
