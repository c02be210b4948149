"""AR at the edge: which events get a look-up, how many calls one mail may cost, and what a failure becomes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.app import build_app
from bot.ar import MemoryAddressRegister, parse_party
from bot.casework import Casework
from bot.domain import Municipality, Order, OrderedType, Role
from bot.register_checks import MAX_HER_IDS, RegisterLookups
from bot.routine.actions import Command, CommandReceived, Event, OrderReceived
from bot.routine.case import Case
from bot.routine.engine import handle
from bot.settings import load_settings
from sandbox.cpapi import fixture_parties

MALVIK = Municipality("5031", "Malvik", "Trøndelag", "malvik.kommune.no", org_number="971035560")
KOMMUNE = "meldingsansvarlig@malvik.kommune.no"
AT = datetime(2027, 1, 12, 9, 0, tzinfo=UTC)


@pytest.fixture
def casework(tmp_path: Path) -> Casework:
    return build_app(load_settings(database_url=f"sqlite:///{tmp_path}/bot.sqlite", data_dir=tmp_path)).casework


@pytest.fixture
def register() -> MemoryAddressRegister:
    return MemoryAddressRegister.of(parse_party(h, row) for h, row in fixture_parties().items())


def order_event(*her_ids: int) -> OrderReceived:
    o = Order(MALVIK, date(2027, 3, 1), (OrderedType("PLO", "1.6"),), her_ids, KOMMUNE)
    return OrderReceived("OPK-1", o, KOMMUNE, None, AT)


def active_case(casework: Casework) -> Case:
    return handle(None, order_event(8142326), AT, casework.plan, casework.calendar).case


def confirmation(role: Role, refused: str | None = None) -> CommandReceived:
    sender = KOMMUNE if role is Role.KOMMUNE else "x@example.org"
    return CommandReceived(Command.CONFIRM, sender, role, None, AT, step="ar_publisering", refused_reason=refused)


def test_an_order_gets_ar_s_answer(casework: Casework, register: MemoryAddressRegister) -> None:
    """Each HER-id once; a 404 is an answer too."""
    event = RegisterLookups(register, casework).enrich(None, order_event(8142326, 8142399, 8142326))
    assert isinstance(event, OrderReceived) and event.register is not None
    assert [(f.her_id, f.party is not None) for f in event.register.found] == [(8142326, True), (8142399, False)]


def test_an_order_without_her_ids_costs_no_call(casework: Casework, register: MemoryAddressRegister) -> None:
    """Nothing to check: the event goes on without an answer."""
    assert RegisterLookups(register, casework).enrich(None, order_event()) == order_event()
    assert register.looked_up == []


def test_one_mail_costs_a_bounded_number_of_calls(casework: Casework, register: MemoryAddressRegister) -> None:
    """An order listing 500 HER-ids is checked for the first MAX_HER_IDS only."""
    RegisterLookups(register, casework).enrich(None, order_event(*range(1000, 1500)))
    assert len(register.looked_up) == MAX_HER_IDS == 20


def test_the_first_failure_stands_for_all(casework: Casework, register: MemoryAddressRegister) -> None:
    """AR down: one call, and the answer says why."""
    register.down = "cannot reach the AR API"
    answer = RegisterLookups(register, casework).answer((8142326, 8142320, 8140002))
    assert answer.unavailable == "cannot reach the AR API" and answer.found == () and register.looked_up == [8142326]


def test_an_unexpected_error_is_unavailability_not_a_crash(casework: Casework) -> None:
    """Whatever breaks in the client, the mail is still handled: AR counts as unavailable."""

    class Broken:
        def lookup(self, her_id: int) -> object:
            raise KeyError("surprise")

    answer = RegisterLookups(Broken(), casework).answer((8142326,))  # type: ignore[arg-type]
    assert answer.unavailable == "KeyError: 'surprise'"


@pytest.mark.parametrize(("event", "looked_up"), [
    (confirmation(Role.KOMMUNE), True),
    (confirmation(Role.KOMMUNE, refused="no reply key"), False),
    (confirmation(Role.COORDINATOR), False),
    (confirmation(Role.STRANGER), False),
    (CommandReceived(Command.STATUS, KOMMUNE, Role.KOMMUNE, None, AT), False),
], ids=["kommune", "refused", "coordinator", "stranger", "status"])
def test_only_the_kommune_s_confirmation_of_the_ar_step_is_checked(
        casework: Casework, register: MemoryAddressRegister, event: Event, looked_up: bool) -> None:
    """A stranger, a refused command or a coordinator's confirmation never costs a look-up."""
    enriched = RegisterLookups(register, casework).enrich(active_case(casework), event)
    assert isinstance(enriched, CommandReceived)
    assert (enriched.register is not None) is looked_up and bool(register.looked_up) is looked_up
