"""BOT_AR=rest end to end: `run --once --now` against the sandbox's mail servers and NHN's HelseID and AR API."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from cli_bot import (
    CONTACT,
    COORDINATORS,
    KOMMUNE,
    Bot,
    cli_bot,
    event_kinds,
    ignoring_digest,
    of_kind,
    one,
    step,
    summary,
)
from mailmaker import order, order_body, oslo, plain_text, reply

from sandbox import Sandbox

pytestmark = pytest.mark.integration

D_TEXT = "mandag 1. mars 2027"
ORDERED = oslo(2027, 1, 12, 9, 14)
FIRST_CHECK = oslo(2027, 2, 8, 7, 5)  # the morning of the first AR reminder (D − 21 days), after 07:00
AR = "ar_publisering"


@pytest.fixture
def ar_bot(sandbox: Sandbox, tmp_path: Path) -> Bot:
    """The bot with BOT_AR=rest against the sandbox's HelseID and CommunicationParty API."""
    return cli_bot(sandbox, tmp_path, **sandbox.ar_env())


def place(bot: Bot, her_id: int, at: datetime = ORDERED) -> list:  # type: ignore[type-arg]
    bot.deliver(order(CONTACT, order_body(date_phrase=D_TEXT, contact=CONTACT, her_id=her_id), at=at))
    return bot.run(at)


def test_a_wrong_her_id_gets_a_clarification_naming_it(ar_bot: Bot, sandbox: Sandbox) -> None:
    """A HER-id AR does not know: no receipt, and the clarification says which HER-id and why."""
    sent = place(ar_bot, 8142399)
    assert not of_kind(sent, "receipt")
    text = plain_text(one(sent, "clarification", (CONTACT,)))
    assert "HER-id 8142399 finnes ikke i Adresseregisteret" in text
    assert sandbox.nhn.api.looked_up == [8142399]
    assert ar_bot.cases()[0]["state"] == "needs_info"


def test_a_her_id_of_another_kommune(ar_bot: Bot) -> None:
    """Trondheim's service in Malvik's order: the clarification names the owner."""
    text = plain_text(one(place(ar_bot, 8140002), "clarification", (CONTACT,)))
    assert "HER-id 8140002 (Trondheim kommune – Helsevakten, tjeneste) hører til Trondheim kommune, ikke Malvik" in text


def test_a_published_her_id_is_confirmed_in_ar_without_any_reply(ar_bot: Bot, sandbox: Sandbox) -> None:
    """The receipt shows what AR says; on the morning of the first reminder the step is done by AR."""
    receipt = one(place(ar_bot, 8142326), "receipt", KOMMUNE)
    assert "HER-id 8142326: Malvik kommune – Hjemmetjenesten, tjeneste" in plain_text(receipt)

    before = ar_bot.run(oslo(2027, 2, 1, 7, 5))  # a daily run, but the step's checks have not begun
    assert summary(ignoring_digest(before)) == [] and sandbox.nhn.api.looked_up == [8142326]

    sent = ar_bot.run(FIRST_CHECK)
    confirmed = one(sent, "step_confirmed", KOMMUNE)
    assert "Boten har sjekket Adresseregisteret" in plain_text(confirmed)
    assert "HER-id 8142326: Malvik kommune – Hjemmetjenesten, tjeneste" in plain_text(confirmed)
    case = ar_bot.case("OPK-1", FIRST_CHECK)
    assert step(case, AR)["status"] == "done" and step(case, AR)["done_by"] == "Adresseregisteret"
    assert any(e["kind"] == "step_done" and e["detail"] == f"{AR} by Adresseregisteret" for e in case["events"])

    later = ar_bot.run(oslo(2027, 2, 8, 8, 5))  # the reminder that would have gone out at 08:00
    assert not of_kind(later, "reminder")


def test_publisert_that_ar_disagrees_with(ar_bot: Bot, sandbox: Sandbox) -> None:
    """The kommune says "publisert", AR lacks the EDI address: told what is missing; done once AR shows it."""
    receipt = one(place(ar_bot, 8142327), "receipt", KOMMUNE)
    at = oslo(2027, 2, 3, 10, 0)
    ar_bot.deliver(reply(receipt, CONTACT, "Publisert.\n\nMvh\nIngrid", at=at))
    answer = one(ar_bot.run(at), "command_result", (CONTACT,))
    text = plain_text(answer)
    assert "HER-id 8142327 har ingen EDI-adresse" in text and "mangler signeringssertifikat" in text
    assert step(ar_bot.case("OPK-1", at), AR)["status"] == "pending"

    row = sandbox.nhn.api.party(8142327)
    row["ediAddress"] = "malvik-legevakten@edi.sandbox.invalid"
    for kind in ("currentSigningCertificate", "currentEncryptionCertificate"):
        row[kind] = {"thumbprint": f"SANDBOX-{kind}", "validFrom": "2026-01-01T00:00:00+00:00",
                     "validTo": "2029-01-01T00:00:00+00:00"}
    one(ar_bot.run(FIRST_CHECK), "step_confirmed", KOMMUNE)


def test_ar_unavailable_at_the_order_and_checked_the_next_morning(ar_bot: Bot, sandbox: Sandbox) -> None:
    """AR down: the order is accepted as without AR and the coordinators warned; the next morning's check
    finds the HER-id unknown and says so to the coordinators and the kommune."""
    sandbox.nhn.api.outage = 503
    sent = place(ar_bot, 8142399)
    one(sent, "receipt", KOMMUNE)
    notice = one(sent, "notice", COORDINATORS)
    assert "Adresseregisteret svarte ikke" in plain_text(notice) and "HTTP 503" in plain_text(notice)
    assert "register_order_pending" in event_kinds(ar_bot.case("OPK-1", ORDERED))

    sandbox.nhn.api.outage = None
    assert not of_kind(ar_bot.run(oslo(2027, 1, 12, 15, 0)), "notice")  # not before the next morning
    morning = ar_bot.run(oslo(2027, 1, 13, 7, 5))
    assert "HER-id 8142399 finnes ikke" in plain_text(one(morning, "notice", KOMMUNE))
    one(morning, "notice", COORDINATORS)
    assert "register_order_checked" in event_kinds(ar_bot.case("OPK-1", oslo(2027, 1, 13, 7, 5)))
    assert not of_kind(ar_bot.run(oslo(2027, 1, 14, 7, 5)), "notice")  # checked once, not every day


def test_ar_down_in_the_morning_is_one_notice_and_a_retry_the_day_after(ar_bot: Bot, sandbox: Sandbox) -> None:
    """The daily check without AR tells the coordinators once, and the next morning completes the step."""
    place(ar_bot, 8142326)
    sandbox.nhn.api.outage = 500
    down = ar_bot.run(FIRST_CHECK)
    assert "ved den daglige kontrollen" in plain_text(one(down, "notice", COORDINATORS))
    assert not of_kind(down, "step_confirmed")
    sandbox.nhn.api.outage = None
    one(ar_bot.run(oslo(2027, 2, 9, 7, 5)), "step_confirmed", KOMMUNE)


def test_a_certificate_expiring_soon_after_d_warns_the_coordinators(ar_bot: Bot) -> None:
    """The encryption certificate ends a month after D: the step is done, and the coordinators are warned."""
    place(ar_bot, 8142328)
    sent = ar_bot.run(FIRST_CHECK)
    one(sent, "step_confirmed", KOMMUNE)
    warning = plain_text(one(sent, "notice", COORDINATORS))
    assert "krypteringssertifikat går ut 01.04.2027, 31 dager etter oppkoblingsdagen" in warning


def test_with_ar_off_nothing_is_looked_up(bot: Bot, sandbox: Sandbox) -> None:
    """BOT_AR=off (the default): the unknown HER-id gets a receipt as before; neither fake is asked."""
    one(place(bot, 8142399), "receipt", KOMMUNE)
    bot.run(FIRST_CHECK)
    assert sandbox.nhn.helseid.requests == 0 and sandbox.nhn.api.looked_up == []
