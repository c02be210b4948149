"""Norwegian date expressions: every form SPEC §3 names, years left out, and what is not a date."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.intake.dates import find_dates, parse_date_cell

REF = date(2026, 11, 16)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15.02.2027", date(2027, 2, 15)),
        ("15.2.27", date(2027, 2, 15)),
        ("15/2-2027", date(2027, 2, 15)),
        ("15/2/2027", date(2027, 2, 15)),
        ("15. februar 2027", date(2027, 2, 15)),
        ("15 feb. 2027", date(2027, 2, 15)),
        ("mandag 15. februar", date(2027, 2, 15)),
        ("måndag 15. februar", date(2027, 2, 15)),
        ("tysdag 3. mai 2027", date(2027, 5, 3)),
        ("den 3. desember", date(2026, 12, 3)),
        ("2027-03-09", date(2027, 3, 9)),
        ("2027-03-24 00:00:00", date(2027, 3, 24)),
        ("16. november", date(2026, 11, 16)),
        ("15. november", date(2027, 11, 15)),
        ("20.01", date(2027, 1, 20)),
        ("15.2.", date(2027, 2, 15)),
        ("15/2", date(2027, 2, 15)),
        ("1/3-27", date(2027, 3, 1)),
        ("1.3.", date(2027, 3, 1)),
        ("den 1. i 3.", date(2027, 3, 1)),
        ("1ste mars 2027", date(2027, 3, 1)),
    ],
)
def test_date_forms(text: str, expected: date) -> None:
    """Each written form yields its date; a missing year is the next occurrence on or after the reference."""
    found = find_dates(f"Aktivering {text}.", REF)
    assert [d.value for d in found] == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "uke 12",
        "i løpet av april",
        "PLO 1.6",
        "versjon 1.2.",
        "31.02.2027",
        "tlf 73 98 12 40",
        "30.13.2027",
        "saksnr 2026/1234",
        "v1.10",
        "kl. 09.00",
        "kl. 11.05",
        "1/2 stilling",
        "døgnbemanning 24/7",
        "dialogmelding 1.1.",
        "fra PLO 1.5 til 1.6.",
        "punkt 1. i 3 deler",
    ],
)
def test_not_dates(text: str) -> None:
    """Week numbers, months alone, versions, impossible dates, phone and case numbers are not dates."""
    assert find_dates(text, REF) == []


def test_no_reference_leaves_yearless_dates_out() -> None:
    """Without the message date a date written without a year cannot be placed."""
    assert find_dates("mandag 15. februar", None) == []


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2027-03-24", date(2027, 3, 24)),
        ("46470", date(2027, 3, 24)),
        ("24.03.2027", date(2027, 3, 24)),
        ("Leka kommune", None),
        ("1230567", None),
    ],
)
def test_date_cells(cell: str, expected: date | None) -> None:
    """Spreadsheet cells: ISO text, Excel serial numbers and Norwegian forms; other values are not dates."""
    assert parse_date_cell(cell, REF) == expected


@given(
    st.text(alphabet=st.sampled_from(list("0123456789./- abdefjmnoprstuvå,.")), max_size=60),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
)
def test_find_dates_never_crashes_or_invents(text: str, ref: date) -> None:
    """On any input the parser returns only real dates, each at a span of the input."""
    for d in find_dates(text, ref):
        assert isinstance(d.value, date)
        assert text[d.start : d.end] == d.text


@given(
    st.integers(min_value=1, max_value=31),
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=2000, max_value=2099),
)
def test_numeric_dates_are_valid_or_absent(day: int, month: int, year: int) -> None:
    """d.m.yyyy yields exactly that date when it exists and nothing when it does not."""
    try:
        expected: date | None = date(year, month, day)
    except ValueError:
        expected = None
    found = find_dates(f"Oppstart {day}.{month}.{year}", None)
    assert [d.value for d in found] == ([expected] if expected else [])
