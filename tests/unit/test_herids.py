"""HER-ids: labelled numbers, lists, table columns; never org numbers, phone numbers or postcodes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.intake.herids import find_her_column, find_her_ids, find_her_in_rows, plausible_her_id, taken
from bot.registry import is_org_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("HER-id 8142326", [8142326]),
        ("HER-ID: 8142326", [8142326]),
        ("HER: 8817340", [8817340]),
        ("herid 90412", [90412]),
        ("her-id 77", [77]),
        ("HER-nummer: 1234567.", [1234567]),
        ("HER-id for Steinkjer sykehjem: 5523190", [5523190]),
        ("HER-id: 123456, 234567 og 345678", [123456, 234567, 345678]),
        ("Her er bestillingen for 2027", []),
        ("HER-id 971035560", []),
        ("HER-id: tlf 73981240", []),
        ("HER-id 15.02.2027", []),
        ("HER 1.6", []),
        ("HER-id 73 98 12 40", []),
        ("HER-id: 7100 Rissa", []),
        ("Hjemmetjenesten: 8142326 (HER-id)", [8142326]),
        ("971035560 (HER-id)", []),
    ],
)
def test_labelled(text: str, expected: list[int]) -> None:
    """Labelled numbers count; org numbers, phones, dates, versions and postcodes after a label do not."""
    assert [h.value for h in taken(find_her_ids(text))] == expected


@pytest.mark.parametrize(
    ("text", "value", "reason"),
    [
        ("HER-id 73 98 12 40", 73981240, "phone number"),
        ("Spørsmål om HER-id-ene kan rettes til Per på 924 55 120", 92455120, "phone number"),
        ("HER-id: +47 906 11 482", 90611482, "phone number"),
        ("HER-id: tlf 73981240", 73981240, "phone number"),
        ("HER-id 971035560", 971035560, "organisation number (9 digits, valid mod-11)"),
        ("HER-id: 7100 Rissa", 7100, "postcode"),
        ("HER-id: org.nr 12345678", 12345678, "another number («org.nr»)"),
    ],
)
def test_left_out_numbers_say_why(text: str, value: int, reason: str) -> None:
    """A number after a HER label that is something else comes back with the reason it is not taken."""
    found = find_her_ids(text)
    assert [(h.value, h.doubt) for h in found] == [(value, reason)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("HER-id (teneste 1): 8810044", [8810044]),
        ("HER-id (slik den står i Adresseregisteret etter at vi la om til tjenestebasert adressering i fjor "
         "høst, altså ikke den gamle kommuneadressen): 8214390", [8214390]),
        ("HER-id: Gjemnes sjukeheim 8931007, heimetenesta 8931015", [8931007, 8931015]),
        ("HER-id for sykehjemmet: 8931007, ring Per på 92644801", [8931007]),
        ("HER-id: 8931007, kontaktperson Ola 92644801", [8931007]),
    ],
)
def test_brackets_and_named_lists(text: str, expected: list[int]) -> None:
    """A bracket after the label is skipped; a list of "name number" items is read, a phone after it is not."""
    assert [h.value for h in taken(find_her_ids(text))] == expected


def test_text_column() -> None:
    """Numbers under a header line that names a HER column, with blank lines between the rows."""
    text = (
        "Kommunikasjonspart      HER-id\n\n  Hjemmetjenesten   1098765\n\n  Sykehjem  1098773\n\nAktivering 2027-03-09"
    )
    assert [h.value for h in taken(find_her_column(text))] == [1098765, 1098773]


def test_prose_mentioning_her_id_is_not_a_header() -> None:
    """A sentence about HER-ids is not a table header: the phone number below it is not taken."""
    assert find_her_column("HER-id kommer vi tilbake til.\nOla 91234567") == []


def test_rows_column() -> None:
    """Table rows: the HER column is read down to the next empty row; float cells lose their .0."""
    rows = [("Eining", "HER-id"), ("Helsesenter", "7711002"), ("Heim", "7711010.0"), ("", ""), ("Tlf", "71000000")]
    assert [h.value for h in taken(find_her_in_rows(rows))] == [7711002, 7711010]


@given(st.text(alphabet=st.sampled_from(list("0123456789 HERidh-:,.og/\n")), max_size=80))
def test_never_crashes_never_org_number(text: str) -> None:
    """On any input: HER-ids are 2–9 digits and never a mod-11-valid organisation number."""
    for h in taken(find_her_ids(text) + find_her_column(text)):
        digits = str(h.value)
        assert 2 <= len(digits) <= 9
        assert not is_org_number(digits)


@given(st.integers(min_value=100_000_000, max_value=999_999_999))
def test_org_numbers_are_never_her_ids(number: int) -> None:
    """A labelled 9-digit number is a HER-id only when it fails the org.nr check."""
    found = [h.value for h in taken(find_her_ids(f"HER-id {number}"))]
    assert found == ([] if is_org_number(str(number)) else [number])


def test_plausible_rejects_leading_zero_and_length() -> None:
    """Leading zeros, one digit and ten digits are not HER-ids."""
    assert not plausible_her_id("0123")
    assert not plausible_her_id("7")
    assert not plausible_her_id("1234567890")
