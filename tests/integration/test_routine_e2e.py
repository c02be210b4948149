"""The whole routine through the real CLI: `run --once --now` against Dovecot + SMTP, mail in, mail out."""

from __future__ import annotations

from datetime import datetime

import pytest
from cli_bot import (
    CONTACT,
    COORDINATORS,
    HEMIT,
    KOMMUNE,
    KOMMUNE_MA,
    ST_OLAV,
    Bot,
    event_kinds,
    ignoring_digest,
    of_kind,
    one,
    step,
    summary,
    to_anyone_of,
)
from mailmaker import BOT, address, auto_reply, mail, order, order_body, oslo, parse, plain_text, reply

from sandbox import SentEnvelope

pytestmark = pytest.mark.integration

D_TEXT = "mandag 1. mars 2027"  # D of every case below unless a test says otherwise


def place_order(bot: Bot, at: datetime, date_phrase: str | None = D_TEXT) -> tuple[bytes, list[SentEnvelope]]:
    raw = order(CONTACT, order_body(date_phrase=date_phrase, contact=CONTACT), at=at)
    bot.deliver(raw)
    return raw, bot.run(at)


# --- scenarios ----------------------------------------------------------------------------------


def test_an_order_gets_a_receipt_with_a_calendar_and_the_coordinators_a_new_case(bot: Bot) -> None:
    """A complete order is answered with a receipt (.ics attached) to the kommune and new_case to coordinators."""
    at = oslo(2027, 1, 12, 9, 14)
    raw, sent = place_order(bot, at)
    order_id = str(parse(raw)["Message-ID"])

    receipt = one(sent, "receipt", KOMMUNE)
    new_case = one(sent, "new_case", COORDINATORS)
    assert summary(ignoring_digest(sent)) == [("receipt", KOMMUNE), ("new_case", COORDINATORS)]
    for msg in (receipt, new_case):
        assert address(msg["From"]) == BOT
        assert msg["X-Oppkobling-Case"] == "OPK-1"
        assert msg["X-Auto-Response-Suppress"] == "All"
        assert str(msg["Message-ID"]).endswith("@helse-midt.no>")
        assert str(msg["Subject"]).startswith("[OPK-1] Malvik kommune: ")
    assert receipt["X-Oppkobling-Kind"] == "receipt"
    assert receipt["Auto-Submitted"] == "auto-replied"
    assert receipt["In-Reply-To"] == order_id
    assert order_id in str(receipt["References"]).split()
    assert D_TEXT in str(receipt["Subject"])
    assert new_case["X-Oppkobling-Kind"] == "new_case"
    assert new_case["Auto-Submitted"] == "auto-generated"
    [ics] = [p for p in receipt.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert str(ics.get_filename()).endswith(".ics")
    calendar = ics.get_content()
    calendar = calendar.decode() if isinstance(calendar, bytes) else calendar
    assert "BEGIN:VCALENDAR" in calendar
    assert "20270301T090000" in calendar  # the 09:00 test dialogmelding on D
    assert "8142326" in plain_text(receipt)


def test_the_same_order_delivered_twice_makes_one_case_and_one_answer(bot: Bot) -> None:
    """Identical bytes delivered again, and a relayed copy with the same Message-ID, add no case and no mail."""
    at = oslo(2027, 1, 12, 9, 14)
    raw = order(CONTACT, order_body(date_phrase=D_TEXT, contact=CONTACT), at=at)
    relayed = b"Received: from relay2.malvik.kommune.no by mx.helse-midt.no; Tue, 12 Jan 2027 09:15:02 +0100\r\n" + raw
    for copy in (raw, raw, relayed):
        bot.deliver(copy)

    sent = bot.run(oslo(2027, 1, 12, 9, 20))

    assert summary(ignoring_digest(sent)) == [("receipt", KOMMUNE), ("new_case", COORDINATORS)]
    assert [c["ref"] for c in bot.cases()] == ["OPK-1"]


def test_an_order_without_a_date_is_completed_by_the_kommunes_reply(bot: Bot) -> None:
    """No D → clarification; the answer (date above the Outlook quote of it) completes the order → receipt."""
    _, sent = place_order(bot, oslo(2027, 1, 12, 9, 14), date_phrase=None)
    clarification = one(sent, "clarification", (CONTACT,))
    assert not of_kind(sent, "receipt")
    assert "aktiveringsdato" in plain_text(clarification).lower()

    answer = reply(clarification, CONTACT, "Hei,\n\nAktiveringsdato: mandag 1. mars 2027.\n\nMvh\nIngrid",
                   at=oslo(2027, 1, 13, 10, 2))
    bot.deliver(answer)
    sent = bot.run(oslo(2027, 1, 13, 10, 2))

    receipt = one(sent, "receipt", KOMMUNE)
    assert D_TEXT in str(receipt["Subject"])
    assert receipt["In-Reply-To"] == parse(answer)["Message-ID"]
    assert receipt["X-Oppkobling-Case"] == "OPK-1"
    # The coordinators heard of the case when it came in; now they get an update, not a second «Ny oppkobling».
    update = one(sent, "order_completed", COORDINATORS)
    assert "komplett" in str(update["Subject"]) and not of_kind(sent, "new_case")


def test_an_order_for_a_public_holiday_gets_a_clarification_proposing_the_next_business_day(bot: Bot) -> None:
    """D on 17 May (Grunnlovsdag) is not a business day: the clarification proposes 18.05.2027."""
    _, sent = place_order(bot, oslo(2027, 3, 1, 10, 0), date_phrase="mandag 17. mai 2027")

    clarification = one(sent, "clarification", (CONTACT,))
    text = plain_text(clarification)
    assert "17.05.2027" in text
    assert "18.05.2027" in text
    assert not of_kind(sent, "receipt")


def test_a_spoofed_command_is_refused_silently_and_a_kommune_cancel_gets_a_refusal(bot: Bot) -> None:
    """`avbryt` from a stranger changes nothing and is never answered; from the kommune it is refused by mail."""
    place_order(bot, oslo(2027, 1, 12, 9, 14))
    stranger = "someone@gmail.com"
    at = oslo(2027, 1, 14, 11, 0)
    bot.deliver(mail(stranger, "Re: [OPK-1] Malvik kommune: Bestilling mottatt", "avbryt\n", at=at))
    bot.deliver(mail(CONTACT, "SV: [OPK-1] Malvik kommune: Bestilling mottatt", "avbryt\n", at=at))

    sent = bot.run(at)

    assert not [e for e in sent if stranger in e.rcpt_tos]
    refusal = one(sent, "command_result", (CONTACT,))
    assert "koordinator" in plain_text(refusal).lower()
    assert summary(sent) == [("command_result", (CONTACT,))]
    case = bot.case("OPK-1", at)
    assert case["state"] == "active"
    assert event_kinds(case).count("command_refused") == 1
    assert "reply_from_stranger" in event_kinds(case)


@pytest.mark.parametrize("bot", ["password", "oauth2"], indirect=True)
def test_a_whole_onboarding_from_order_to_activation(bot: Bot) -> None:
    """D = Monday 1 March 2027: reminders at their instants, replies confirm steps, avvik, activation, quiet.

    The same with passwords and with Microsoft 365's OAuth2 login: only the settings differ.
    """
    # The order (Tuesday 12 January).
    _, sent = place_order(bot, oslo(2027, 1, 12, 9, 14))
    one(sent, "receipt", KOMMUNE)

    # AR reminders: deadline Monday 15 February 16:00; at −7 days 08:00 and −2 business days 08:00.
    assert to_anyone_of(bot.run(oslo(2027, 2, 8, 7, 59)), KOMMUNE) == []
    first = bot.run(oslo(2027, 2, 8, 8, 0))
    reminder_1 = one(first, "reminder", KOMMUNE)
    assert summary(ignoring_digest(first)) == [("reminder", KOMMUNE)]
    assert "Adresseregisteret" in str(reminder_1["Subject"])
    assert bot.run(oslo(2027, 2, 8, 8, 0)) == []
    # A minute later the kommune's out-of-office answers the reminder: logged, never answered.
    bot.deliver(auto_reply(reminder_1, CONTACT, at=oslo(2027, 2, 8, 8, 1)))
    assert bot.run(oslo(2027, 2, 8, 8, 1)) == []

    assert bot.run(oslo(2027, 2, 11, 7, 59)) == []
    second = bot.run(oslo(2027, 2, 11, 8, 0))
    reminder_2 = one(second, "reminder", KOMMUNE)
    assert summary(second) == [("reminder", KOMMUNE)]
    assert bot.run(oslo(2027, 2, 11, 8, 0)) == []
    assert bot.run(oslo(2027, 2, 11, 8, 1)) == []

    # The kommune confirms AR as people write, greeting first, above an Outlook quote of the reminder
    # (which itself says «publisert»); the answer quotes the sentence it read and says how to undo it.
    at = oslo(2027, 2, 11, 10, 5)
    bot.deliver(reply(reminder_2, CONTACT, "Hei!\n\nDette er nå publisert i AR.\n\nMvh Ingrid", at=at))
    sent = bot.run(at)
    confirmed = one(sent, "step_confirmed", (CONTACT,))
    assert summary(sent) == [("step_confirmed", (CONTACT,))]
    assert "Adresseregisteret" in str(confirmed["Subject"])
    assert "Vi leste: «Dette er nå publisert i AR.»" in plain_text(confirmed)
    assert "«angre»" in plain_text(confirmed)

    # Partneravtaler reminder at −3 business days 08:00; the AR escalation and «D at risk» (due at the
    # AR deadline, Monday 15 February 16:00, and caught up by this run) stay unsent: AR is done.
    sent = ignoring_digest(bot.run(oslo(2027, 2, 17, 8, 0)))
    partner_reminder = one(sent, "reminder", COORDINATORS)
    assert summary(sent) == [("reminder", COORDINATORS)]
    assert "St. Olavs hospital HF" in plain_text(partner_reminder)

    # Partner agreements: one HF by Hemit, then «alle HF» by St. Olav's e-meldingsansvarlig.
    at = oslo(2027, 2, 17, 10, 0)
    one_hf = reply(partner_reminder, HEMIT, "Partneravtale St. Olav ok", at=at)
    all_hf = reply(partner_reminder, ST_OLAV, "Partneravtaler med alle HF opprettet.", at=at, quote="gmail")
    bot.deliver(one_hf)
    bot.deliver(all_hf)
    sent = bot.run(at)
    partial = one(sent, "step_confirmed", (HEMIT,))
    assert partial["In-Reply-To"] == parse(one_hf)["Message-ID"]
    assert "1 av 3" in plain_text(partial)
    done = one(sent, "step_confirmed", (ST_OLAV,))
    assert done["In-Reply-To"] == parse(all_hf)["Message-ID"]
    one(sent, "step_confirmed", KOMMUNE)
    assert len(sent) == 3

    # Test week (D − 7 days 08:00): coordinators are reminded, the kommune told not to answer.
    sent = ignoring_digest(bot.run(oslo(2027, 2, 22, 8, 0)))
    test_reminder = one(sent, "reminder", COORDINATORS)
    one(sent, "test_notice", KOMMUNE)
    assert len(sent) == 2

    # An avvik from Hemit reaches the kommune's meldingsansvarlig; then the tests are confirmed OK
    # (both replies wait in the mailbox for the next cycle, which reads them in order).
    avvik = "Testepikrisen fra St. Olav fikk ikke apprec. Sjekk mottakstjenesten for Epikrise 1.2."
    bot.deliver(reply(test_reminder, HEMIT, f"avvik: {avvik}", at=oslo(2027, 2, 22, 13, 40)))
    bot.deliver(reply(test_reminder, HEMIT, "Test ok – transportkvittering og apprec mottatt.",
                      at=oslo(2027, 2, 23, 10, 0)))
    sent = bot.run(oslo(2027, 2, 23, 10, 0))
    deviation = one(sent, "deviation", KOMMUNE)
    assert KOMMUNE_MA in deviation.get_all("To", [])[0]
    assert avvik in plain_text(deviation)
    one(sent, "step_confirmed", (HEMIT,))
    one(sent, "step_confirmed", KOMMUNE)
    assert len(sent) == 3

    # dialog_notice on the business day before D at 12:00; the coordinators' reminder at D 09:00.
    assert bot.run(oslo(2027, 2, 26, 11, 59)) == []
    sent = bot.run(oslo(2027, 2, 26, 12, 0))
    one(sent, "dialog_notice", KOMMUNE)
    assert len(sent) == 1
    sent = ignoring_digest(bot.run(oslo(2027, 3, 1, 9, 0)))
    dialog_reminder = one(sent, "reminder", COORDINATORS)
    assert len(sent) == 1

    # «Verifisert» from a coordinator activates the service; kommune and coordinators are told.
    at = oslo(2027, 3, 1, 9, 40)
    bot.deliver(reply(dialog_reminder, ST_OLAV, "Verifisert – kommunen svarte på dialogmeldingen kl. 09:12.", at=at))
    sent = bot.run(at)
    one(sent, "activated", KOMMUNE)
    one(sent, "activated", COORDINATORS)
    assert len(sent) == 2

    # Afterwards: no escalation at the dialogmelding deadline, no digest (nothing open), nothing at all.
    for later in (oslo(2027, 3, 1, 15, 0), oslo(2027, 3, 8, 8, 0)):
        assert bot.run(later) == [], later

    case = bot.case("OPK-1", oslo(2027, 3, 8, 8, 0))
    assert case["state"] == "activated"
    assert {s["name"]: s["status"] for s in case["steps"]} == dict.fromkeys(
        ("bestilling", "ar_publisering", "partneravtaler", "testmeldinger", "dialogmelding", "aktivering"), "done")
    assert step(case, "ar_publisering")["done_by"] == CONTACT
    assert step(case, "partneravtaler")["done_by"] == ST_OLAV
    assert step(case, "testmeldinger")["done_by"] == HEMIT
    assert step(case, "dialogmelding")["done_by"] == ST_OLAV
    assert [d["text"] for d in case["deviations"]] == [avvik]
    kinds = event_kinds(case)
    assert "service_deactivated_until_d" in kinds
    assert "auto_reply" in kinds
    skipped = [e["detail"] for e in case["events"] if e["kind"] == "due_skipped"]
    assert any(d.startswith("ar_publisering/escalation@") and d.endswith("step done") for d in skipped)
    assert any(d.startswith("ar_publisering/kommune_d_at_risk@") and d.endswith("step done") for d in skipped)
    assert kinds.count("due_sent") == 7  # AR ×2, partneravtaler, tests + test_notice, dialog_notice, D 09:00
