"""The Adresseregister in the engine (pure): AR's answers arrive in events for orders, confirmations, daily checks."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.ar import parse_party
from bot.ar.verdict import Found, RegisterAnswer
from bot.domain import Audience, CaseState, MailKind, Municipality, Order, OrderedType, Role
from bot.routine.actions import (
    Command,
    CommandReceived,
    Decision,
    OrderAmended,
    OrderReceived,
    RecordEvent,
    RegisterChecked,
    SendMail,
)
from bot.routine.calendar import OSLO, BusinessCalendar
from bot.routine.case import Case
from bot.routine.engine import handle
from bot.routine.plan import load_plan
from bot.routine.register import BY_REGISTER, checks_from, step_check_due
from sandbox.cpapi import fixture_parties

PLAN = load_plan()
CAL = BusinessCalendar(PLAN.closed_days)
TABLE = fixture_parties()
MALVIK = Municipality("5031", "Malvik", "Trøndelag", "malvik.kommune.no", org_number="971035560")
KOMMUNE = "meldingsansvarlig@malvik.kommune.no"
COORD = "koordinator@hemit.no"
AR = "ar_publisering"
D = date(2027, 3, 1)
ORDERED = datetime(2027, 1, 12, 8, 14, tzinfo=UTC)


def oslo(y: int, m: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=OSLO)


def answer(*her_ids: int, **changes: dict[str, Any]) -> RegisterAnswer:
    """AR's answer from the sandbox table; `changes` edits a row ("h8142327": {...})."""
    found = []
    for h in her_ids:
        row = TABLE.get(h)
        if row is not None:
            row = {**copy.deepcopy(row), **changes.get(f"h{h}", {})}
        found.append(Found(h, parse_party(h, row) if row is not None else None))
    return RegisterAnswer(tuple(found))


DOWN = RegisterAnswer(unavailable="cannot reach the AR API at https://cpapi.example: Connection refused")


def order(*her_ids: int, register: RegisterAnswer | None) -> Decision:
    o = Order(MALVIK, D, (OrderedType("PLO", "1.6"), OrderedType("DIALOGMELDING", "1.1")), her_ids, KOMMUNE)
    return handle(None, OrderReceived("OPK-1", o, KOMMUNE, "<o@malvik.kommune.no>", ORDERED, register=register),
                  ORDERED, PLAN, CAL)


def mails(decision: Decision) -> list[tuple[MailKind, Audience]]:
    return [(a.kind, a.audience) for a in decision.actions if isinstance(a, SendMail)]


def mail(decision: Decision, kind: MailKind, audience: Audience) -> SendMail:
    [found] = [a for a in decision.actions if isinstance(a, SendMail) and (a.kind, a.audience) == (kind, audience)]
    return found


def records(decision: Decision) -> dict[str, str]:
    return {a.kind: a.detail for a in decision.actions if isinstance(a, RecordEvent)}


def active(*her_ids: int) -> Case:
    return order(*her_ids, register=answer(*her_ids)).case


# --- orders -------------------------------------------------------------------------------------


def test_the_receipt_shows_what_ar_says() -> None:
    """A HER-id AR knows as the kommune's: the order is accepted and the receipt names the party."""
    decision = order(8142326, register=answer(8142326))
    assert decision.case.state is CaseState.ACTIVE
    receipt = mail(decision, MailKind.RECEIPT, Audience.KOMMUNE)
    assert receipt.detail == "HER-id 8142326: Malvik kommune – Hjemmetjenesten, tjeneste"
    assert "register_order_checked" in records(decision)


@pytest.mark.parametrize(("her_id", "why"), [
    (8142399, "HER-id 8142399 finnes ikke i Adresseregisteret"),
    (8140002, "HER-id 8140002 (Trondheim kommune – Helsevakten, tjeneste) hører til Trondheim kommune, ikke Malvik"),
    (8142329, "HER-id 8142329 (Malvik kommune – Helsestasjonen, tjeneste) er ikke aktiv"),
], ids=["unknown", "another kommune's", "inactive"])
def test_a_her_id_ar_rejects_makes_the_order_incomplete(her_id: int, why: str) -> None:
    """needs_info, and the clarification to the sender says which HER-id and why."""
    decision = order(8142326, her_id, register=answer(8142326, her_id))
    assert decision.case.state is CaseState.NEEDS_INFO
    assert mails(decision) == [(MailKind.CLARIFICATION, Audience.SENDER), (MailKind.NEW_CASE, Audience.COORDINATORS)]
    assert why in mail(decision, MailKind.CLARIFICATION, Audience.SENDER).detail
    assert why in records(decision)["order_needs_info"]


def test_ar_down_accepts_the_order_and_warns_the_coordinators() -> None:
    """No answer from AR: accepted as without AR, the coordinators told, the check marked for tomorrow."""
    decision = order(8142399, register=DOWN)
    assert decision.case.state is CaseState.ACTIVE
    assert mail(decision, MailKind.RECEIPT, Audience.KOMMUNE).detail == ""
    notice = mail(decision, MailKind.NOTICE, Audience.COORDINATORS)
    assert "svarte ikke" in notice.detail and "Connection refused" in notice.detail
    assert records(decision)["register_order_pending"] == DOWN.unavailable


def test_without_ar_an_order_is_handled_as_before() -> None:
    """BOT_AR=off: no answer in the event, the same decision as ever."""
    decision = order(8142399, register=None)
    assert decision.case.state is CaseState.ACTIVE
    assert mails(decision) == [(MailKind.RECEIPT, Audience.KOMMUNE), (MailKind.NEW_CASE, Audience.COORDINATORS)]
    assert not any(k.startswith("register") for k in records(decision))


def test_the_right_her_id_in_the_answer_replaces_the_rejected_one() -> None:
    """The kommune answers the clarification with the right HER-id: the wrong one is dropped, the order accepted."""
    pending = order(8142399, register=answer(8142399)).case
    o = Order(None, None, (), (8142326,), None)
    at = datetime(2027, 1, 13, 9, 0, tzinfo=UTC)
    decision = handle(pending, OrderAmended(o, KOMMUNE, "<a@malvik.kommune.no>", at,
                                            register=answer(8142399, 8142326)), at, PLAN, CAL)
    assert decision.case.state is CaseState.ACTIVE and decision.case.her_ids == (8142326,)
    assert records(decision)["her_ids_replaced"] == "8142399"


# --- the kommune's "publisert" ------------------------------------------------------------------


PUBLISERT_AT = oslo(2027, 2, 3, 10)
CHECK_AT = oslo(2027, 2, 8, 7, 1)


def publisert(case: Case, register: RegisterAnswer | None, role: Role = Role.KOMMUNE,
              at: datetime = PUBLISERT_AT) -> Decision:
    sender = KOMMUNE if role is Role.KOMMUNE else COORD
    ev = CommandReceived(Command.CONFIRM, sender, role, "<p@x>", at, step=AR, register=register)
    return handle(case, ev, at, PLAN, CAL)


def test_publisert_that_ar_confirms() -> None:
    """AR shows everything in place: the step is done and the confirmation says what AR shows."""
    decision = publisert(active(8142326), answer(8142326))
    assert decision.case.step(AR).done_by == KOMMUNE
    confirmed = mail(decision, MailKind.STEP_CONFIRMED, Audience.SENDER)
    assert "Bekreftet i Adresseregisteret" in confirmed.detail and "HER-id 8142326" in confirmed.detail


def test_publisert_that_ar_disagrees_gets_what_is_missing() -> None:
    """AR lacks the EDI address and certificates: a short answer naming them; the step stays open."""
    decision = publisert(active(8142327), answer(8142327))
    assert not decision.case.step(AR).done
    assert mails(decision) == [(MailKind.COMMAND_RESULT, Audience.SENDER)]
    text = mail(decision, MailKind.COMMAND_RESULT, Audience.SENDER).detail
    assert "HER-id 8142327 har ingen EDI-adresse" in text and "mangler krypteringssertifikat" in text
    assert "register_disagrees" in records(decision)


def test_publisert_while_ar_is_down_counts_with_a_word_to_the_coordinators() -> None:
    """AR gives no answer: the kommune's word is taken, as without AR, and the coordinators know it was not checked."""
    decision = publisert(active(8142327), DOWN)
    assert decision.case.step(AR).done
    assert "kunne ikke sjekke" in mail(decision, MailKind.NOTICE, Audience.COORDINATORS).detail


def test_a_coordinator_confirms_without_ar() -> None:
    """Coordinators may still confirm the step themselves (AR is not asked)."""
    decision = publisert(active(8142327), answer(8142327), role=Role.COORDINATOR)
    assert decision.case.step(AR).done_by == COORD


# --- the daily check ----------------------------------------------------------------------------


def check(case: Case, register: RegisterAnswer, at: datetime = CHECK_AT, *,
          order_check: bool = False, step_check: bool = True) -> Decision:
    return handle(case, RegisterChecked(register, at, order_check, step_check), at, PLAN, CAL)


def test_the_daily_check_completes_the_step_by_ar() -> None:
    """Everything in place: done "by AR", and the kommune gets a step_confirmed saying what was found."""
    decision = check(active(8142326), answer(8142326))
    state = decision.case.step(AR)
    assert state.done and state.done_by == BY_REGISTER == "Adresseregisteret"
    assert mails(decision) == [(MailKind.STEP_CONFIRMED, Audience.KOMMUNE)]
    detail = mail(decision, MailKind.STEP_CONFIRMED, Audience.KOMMUNE).detail
    assert "HER-id 8142326: Malvik kommune – Hjemmetjenesten" in detail
    assert records(decision)["step_done"] == f"{AR} by Adresseregisteret"


def test_the_daily_check_waits_quietly_while_something_is_missing() -> None:
    """Not ready: recorded, no mail (the reminders do the asking)."""
    decision = check(active(8142327), answer(8142327))
    assert not decision.case.step(AR).done and mails(decision) == []
    assert "ingen EDI-adresse" in records(decision)["register_not_ready"]


def test_every_her_id_must_be_ready() -> None:
    """One HER-id ready and one not: the step stays open."""
    assert not check(active(8142326, 8142327), answer(8142326, 8142327)).case.step(AR).done


def test_a_certificate_ending_soon_after_d_warns_the_coordinators() -> None:
    """Valid past D but ending within 60 days of it: the step is done, and the coordinators are warned."""
    decision = check(active(8142328), answer(8142328))
    assert decision.case.step(AR).done
    warning = mail(decision, MailKind.NOTICE, Audience.COORDINATORS).detail
    assert "krypteringssertifikat går ut 01.04.2027, 31 dager etter oppkoblingsdagen" in warning


def test_the_order_checked_again_after_ar_was_down() -> None:
    """A HER-id AR did not know: the coordinators and the kommune are told which."""
    case = order(8142399, register=DOWN).case
    decision = check(case, answer(8142399), oslo(2027, 1, 13, 7, 1), order_check=True, step_check=False)
    assert mails(decision) == [(MailKind.NOTICE, Audience.COORDINATORS), (MailKind.NOTICE, Audience.KOMMUNE)]
    assert "HER-id 8142399 finnes ikke" in mail(decision, MailKind.NOTICE, Audience.KOMMUNE).detail
    assert "register_order_checked" in records(decision)


def test_the_daily_check_without_an_answer_is_only_recorded() -> None:
    """AR down in the morning: recorded on the case; nothing else changes."""
    decision = check(active(8142326), DOWN)
    assert not decision.case.step(AR).done and mails(decision) == []
    assert records(decision) == {"register_unavailable": DOWN.unavailable}


def test_checks_begin_the_morning_of_the_first_reminder() -> None:
    """From the day of kommune_week_before (D − 14 days − 7 days = 8 Feb) at 07:00, not before."""
    case = active(8142326)
    assert checks_from(case, PLAN, CAL) == oslo(2027, 2, 8, 7, 0)
    assert not step_check_due(case, oslo(2027, 2, 8, 6, 59), PLAN, CAL)
    assert step_check_due(case, oslo(2027, 2, 8, 7, 0), PLAN, CAL)
    assert not step_check_due(active(), oslo(2027, 2, 9, 7, 0), PLAN, CAL)  # no HER-ids: nothing to check
    done = publisert(active(8142326), answer(8142326)).case
    assert not step_check_due(done, oslo(2027, 2, 9, 7, 0), PLAN, CAL)


def test_a_her_id_left_unchecked_keeps_the_step_open() -> None:
    """AR's answer covering only some of the case's HER-ids (the rest over the cap) is not "all ready"."""
    decision = check(active(8142326, 8142320), answer(8142326))
    assert not decision.case.step(AR).done
    assert "HER-id 8142320 er ikke sjekket" in records(decision)["register_not_ready"]


def test_an_empty_answer_completes_nothing() -> None:
    """No HER-id looked up (nothing AR could say): the daily check does not claim the step done."""
    assert not check(active(8142326), RegisterAnswer()).case.step(AR).done
