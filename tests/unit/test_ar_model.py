"""NHN's CommunicationParty model as the bot reads it: names, validity, ownership, and what it refuses to guess."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.ar import ArError, CommunicationParty, MemoryAddressRegister, UnknownHerId, parse_party
from sandbox.cpapi import fixture_parties

TABLE = fixture_parties()
MALVIK_ORG, TRONDHEIM_ORG = "971035560", "942110464"


def party(her_id: int, **changes: Any) -> CommunicationParty:
    return parse_party(her_id, {**copy.deepcopy(TABLE[her_id]), **changes})


def test_every_row_of_the_sandbox_table_is_read() -> None:
    """The fixture table is in the model the parser expects (both are NHN's documented model)."""
    assert [parse_party(h, row).her_id for h, row in TABLE.items()] == list(TABLE)


def test_a_service_is_named_with_its_organisation() -> None:
    """A service reads "Malvik kommune – Hjemmetjenesten, tjeneste", as on the receipt."""
    assert party(8142326).describe() == "Malvik kommune – Hjemmetjenesten, tjeneste"
    assert party(8142320).describe() == "Malvik kommune, virksomhet"


def test_the_display_name_wins_and_a_parent_in_it_is_not_repeated() -> None:
    """displayName is shown when set; a name already holding the parent's is not prefixed again."""
    assert party(8142326, displayName="Malvik kommune hjemmetjeneste").describe() == \
        "Malvik kommune hjemmetjeneste, tjeneste"


@pytest.mark.parametrize(("valid_from", "valid_to", "active"), [
    ("2020-01-01T00:00:00+00:00", None, True),
    ("2020-01-01T00:00:00+00:00", "2027-01-10T12:30:00+01:00", True),
    ("2020-01-01T00:00:00+00:00", "2027-01-10T12:00:00+01:00", False),
    ("2027-01-10T11:00:01+00:00", None, False),
], ids=["open end", "ends later", "ends at now (Oslo time)", "not yet"])
def test_active_means_valid_from_up_to_valid_to(valid_from: str, valid_to: str | None, active: bool) -> None:
    """validFrom ≤ now < validTo, with offsets taken into account."""
    now = datetime(2027, 1, 10, 11, 0, tzinfo=UTC)
    assert party(8142326, validFrom=valid_from, validTo=valid_to).active(now) is active


def test_a_time_without_offset_is_utc() -> None:
    """A naive time is not read in this machine's zone."""
    assert party(8142326, validTo="2027-01-10T11:00:00").valid_to == datetime(2027, 1, 10, 11, tzinfo=UTC)


def test_ownership_by_own_or_parent_organisation_number() -> None:
    """A kommune's organisation, and its services through their parent, belong to it; others do not."""
    assert party(8142320).belongs_to({MALVIK_ORG}) and party(8142326).belongs_to({MALVIK_ORG})
    assert not party(8140002).belongs_to({MALVIK_ORG}) and party(8140002).belongs_to({TRONDHEIM_ORG})


def test_certificates_and_edi_address() -> None:
    """The current signing and encryption certificates and the EDI address are read as they are."""
    p = party(8142328)
    assert p.edi_address == "malvik-sykehjemmet@edi.sandbox.invalid"
    assert p.current_encryption_certificate is not None
    assert p.current_encryption_certificate.valid_to == datetime(2027, 4, 1, tzinfo=UTC)
    assert party(8142327).edi_address is None and party(8142327).current_signing_certificate is None


@pytest.mark.parametrize(("data", "fragment"), [
    ({"herId": 8142326}, "type"),
    ({"herId": 8142326, "type": "Kommune"}, "type"),
    ({"herId": "åtte", "type": "Service"}, "herId"),
    ([], "body"),
    ({"herId": 8142326, "type": "Service", "validTo": "i morgen"}, "validTo"),
], ids=["no type", "unknown type", "herId not a number", "not an object", "bad time"])
def test_data_the_bot_cannot_read_is_one_line(data: object, fragment: str) -> None:
    """A malformed answer is an ArError naming the HER-id and the field, not a guess."""
    with pytest.raises(ArError) as caught:
        parse_party(8142326, data)
    assert "HER-id 8142326" in str(caught.value) and fragment in str(caught.value)


def test_an_answer_about_another_her_id_is_refused() -> None:
    """The API answering with another party than asked for is not taken as an answer."""
    with pytest.raises(ArError, match="answered HER-id 8142326 with HER-id 8142320"):
        parse_party(8142326, TABLE[8142320])


def test_the_memory_register_answers_fails_and_records() -> None:
    """The fake at the seam: parties by HER-id, UnknownHerId for others, ArError while down."""
    register = MemoryAddressRegister.of([party(8142326)])
    assert register.lookup(8142326).her_id == 8142326
    with pytest.raises(UnknownHerId, match="HER-id 1234 is not in the Adresseregister"):
        register.lookup(1234)
    register.down = "cannot reach the AR API"
    with pytest.raises(ArError, match="cannot reach"):
        register.lookup(8142326)
    assert register.looked_up == [8142326, 1234, 8142326]
