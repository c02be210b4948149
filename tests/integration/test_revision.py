"""A revision of the routine is a change to rules/ only: a fifth step, a fourth health trust, a longer lead.

The bot runs as an operator runs it (`run --once --now` against Dovecot + SMTP) with BOT_RULES_DIR pointing
at a revised copy of rules/; no Python changes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from cli_bot import CONTACT, COORDINATORS, HEMIT, KOMMUNE, Bot, cli_bot, ignoring_digest, one, step, summary
from mailmaker import order, order_body, oslo, plain_text, reply

from bot.rulefile import RULES_DIR
from sandbox import Sandbox

pytestmark = pytest.mark.integration

NEW_STEP = "epj_mottak"
NEW_LABEL = "Sette opp mottak av e-meldinger i kommunens EPJ"
NEW_TRUST = "sunnaas"
D_TEXT = "mandag 1. mars 2027"


def revise(rules: Path) -> None:
    """The regional coordinator's revision, written into a copy of rules/ as an operator would."""
    routine = yaml.safe_load((rules / "routine.yaml").read_text(encoding="utf-8"))
    routine["min_lead_days"] = 21
    routine["health_trusts"][NEW_TRUST] = {"name": "Sunnaas sykehus HF", "org_number": "883971752", "her_id": None}
    routine["steps"][NEW_STEP] = {
        "owner": "kommune",
        "label": NEW_LABEL,
        "completion": "confirm",
        "deadline": {"from": "d", "days": -10, "time": "16:00"},
        "reminders": [{"name": "kommune_three_business_days_before", "audience": "kommune", "kind": "reminder",
                       "at": {"from": "deadline", "business_days": -3, "time": "08:00"}}],
    }
    (rules / "routine.yaml").write_text(yaml.safe_dump(routine, allow_unicode=True, sort_keys=False),
                                        encoding="utf-8")
    commands = yaml.safe_load((rules / "commands.yaml").read_text(encoding="utf-8"))
    commands["steps"][NEW_STEP] = {"words": ["EPJ", "EPJ-mottak", "EPJ-oppsett"]}
    commands["hospitals"][NEW_TRUST] = {"words": ["Sunnaas", "Sunnaas sykehus"]}
    (rules / "commands.yaml").write_text(yaml.safe_dump(commands, allow_unicode=True, sort_keys=False),
                                         encoding="utf-8")


@pytest.fixture
def revised(sandbox: Sandbox, tmp_path: Path) -> Bot:
    """The bot with BOT_RULES_DIR at a revised copy of the shipped rules/."""
    rules = tmp_path / "revised-rules"
    shutil.copytree(RULES_DIR, rules)
    revise(rules)
    bot = cli_bot(sandbox, tmp_path, BOT_RULES_DIR=str(rules))
    assert "FAIL" not in bot.cli("check")
    return bot


def test_the_new_step_is_in_the_receipt_reminded_at_its_instant_and_confirmed_by_the_kommune(revised: Bot) -> None:
    """The receipt's timeline shows the fifth step, its reminder comes 3 business days before its deadline
    (D − 10 days = Friday 19 February, 16:00 → Tuesday 16 February, 08:00), and the kommune confirms it by name."""
    bot = revised
    at = oslo(2027, 1, 12, 9, 14)
    bot.deliver(order(CONTACT, order_body(date_phrase=D_TEXT, contact=CONTACT), at=at))
    sent = bot.run(at)
    receipt = one(sent, "receipt", KOMMUNE)
    assert f"fredag 19. februar 2027 kl. 16:00 – Kommunen: {NEW_LABEL}" in plain_text(receipt)
    assert step(bot.case("OPK-1", at), NEW_STEP)["deadline"] == "2027-02-19T15:00:00+00:00"

    # The kommune publishes in AR early, so the only kommune reminder left in mid-February is the new step's.
    publisert = oslo(2027, 1, 13, 10, 0)
    bot.deliver(reply(receipt, CONTACT, "Publisert i AR.", at=publisert))
    assert summary(bot.run(publisert)) == [("step_confirmed", (CONTACT,))]

    assert [e for e in ignoring_digest(bot.run(oslo(2027, 2, 16, 7, 59))) if set(e.rcpt_tos) & set(KOMMUNE)] == []
    reminded = ignoring_digest(bot.run(oslo(2027, 2, 16, 8, 0)))
    reminder = one(reminded, "reminder", KOMMUNE)
    assert summary(reminded) == [("reminder", KOMMUNE)]
    assert NEW_LABEL in str(reminder["Subject"]) and "fredag 19. februar 2027 kl. 16:00" in str(reminder["Subject"])

    # The kommune answers the receipt (a mail about the order, not the step) naming the new step.
    answered = oslo(2027, 2, 17, 9, 30)
    bot.deliver(reply(receipt, CONTACT, "Bekreftet EPJ-mottak", at=answered))
    confirmed = one(bot.run(answered), "step_confirmed", (CONTACT,))
    assert NEW_LABEL in str(confirmed["Subject"])
    new = step(bot.case("OPK-1", answered), NEW_STEP)
    assert (new["status"], new["done_by"]) == ("done", CONTACT)
    # Done: its escalation-free deadline passes in silence.
    assert [e for e in ignoring_digest(bot.run(oslo(2027, 2, 19, 16, 0))) if set(e.rcpt_tos) & set(KOMMUNE)] == []


def test_partner_agreements_need_all_four_health_trusts(revised: Bot) -> None:
    """With a fourth health trust in routine.yaml, three confirmations leave partneravtaler open; the fourth,
    named by its new reply words, completes it."""
    bot = revised
    at = oslo(2027, 1, 12, 9, 14)
    bot.deliver(order(CONTACT, order_body(date_phrase=D_TEXT, contact=CONTACT), at=at))
    new_case = one(bot.run(at), "new_case", COORDINATORS)

    later = oslo(2027, 2, 1, 10, 0)
    for hf in ("St. Olav", "HNT", "HMR"):
        bot.deliver(reply(new_case, HEMIT, f"Partneravtale {hf} ok", at=later))
    progress = [e for e in bot.run(later) if e.rcpt_tos == (HEMIT,)]
    assert len(progress) == 3
    assert "(3 av 4)" in plain_text(progress[-1].message)
    assert step(bot.case("OPK-1", later), "partneravtaler")["status"] == "pending"

    last = oslo(2027, 2, 1, 11, 0)
    bot.deliver(reply(new_case, HEMIT, "Partneravtale Sunnaas ok", at=last))
    bot.run(last)
    partner = step(bot.case("OPK-1", last), "partneravtaler")
    assert (partner["status"], partner["done_by"]) == ("done", HEMIT)


def test_an_order_15_days_ahead_needs_21_days_now(revised: Bot) -> None:
    """min_lead_days: 21 — D 15 days after the order gets a clarification proposing the earliest valid date."""
    bot = revised
    at = oslo(2027, 1, 12, 9, 14)
    bot.deliver(order(CONTACT, order_body(date_phrase="onsdag 27. januar 2027", contact=CONTACT), at=at))
    sent = bot.run(at)
    clarification = one(sent, "clarification", (CONTACT,))
    text = " ".join(plain_text(clarification).split())
    assert "minst 21 dager" in text
    assert "02.02.2027" in text  # 12 January + 21 days, a Tuesday
    assert bot.cases()[0]["state"] == "needs_info"
