"""What AR's answer means: an order's HER-ids, the AR step's readiness for D, and certificates about to expire."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.ar import parse_party
from bot.ar.verdict import Found, certificate_warnings, order_problem, publication_gaps, what_ar_says
from sandbox.cpapi import fixture_parties

TABLE = fixture_parties()
OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2027, 1, 10, 7, 0, tzinfo=UTC)
D = date(2027, 2, 15)
MALVIK = {"971035560"}


def found(her_id: int, **changes: Any) -> Found:
    if her_id not in TABLE:
        return Found(her_id, None)
    return Found(her_id, parse_party(her_id, {**copy.deepcopy(TABLE[her_id]), **changes}))


def test_the_receipt_line() -> None:
    """The receipt shows what AR says of each HER-id, or that AR has none."""
    assert what_ar_says(found(8142326)) == "HER-id 8142326: Malvik kommune – Hjemmetjenesten, tjeneste"
    assert what_ar_says(found(1234567)) == "HER-id 1234567: finnes ikke i Adresseregisteret"


def test_an_order_s_her_ids() -> None:
    """Unknown, inactive and foreign HER-ids each get a reason naming the number; the kommune's own pass."""
    assert order_problem(found(8142326), MALVIK, "Malvik", NOW) is None
    assert order_problem(found(8142320), MALVIK, "Malvik", NOW) is None
    assert order_problem(found(1234567), MALVIK, "Malvik", NOW) == \
        "HER-id 1234567 finnes ikke i Adresseregisteret. Sjekk nummeret."
    assert order_problem(found(8142329), MALVIK, "Malvik", NOW) == \
        "HER-id 8142329 (Malvik kommune – Helsestasjonen, tjeneste) er ikke aktiv i Adresseregisteret."
    assert order_problem(found(8140002), MALVIK, "Malvik", NOW) == \
        "HER-id 8140002 (Trondheim kommune – Helsevakten, tjeneste) hører til Trondheim kommune, ikke Malvik."


def test_a_kommune_without_a_known_organisation_number_is_not_judged_on_ownership() -> None:
    """Without the kommune's organisation number ownership cannot be told, so it is not held against the order."""
    assert order_problem(found(8140002), set(), "Ålesund", NOW) is None


def test_a_published_service_is_ready() -> None:
    """Active, an EDI address, both certificates valid past D: nothing missing."""
    assert publication_gaps(found(8142326), NOW, D, OSLO) == []


def test_what_is_missing_is_said() -> None:
    """Each gap is its own line: EDI address, certificates, activity, existence."""
    assert publication_gaps(found(8142327), NOW, D, OSLO) == [
        "HER-id 8142327 har ingen EDI-adresse", "HER-id 8142327 mangler signeringssertifikat",
        "HER-id 8142327 mangler krypteringssertifikat"]
    assert publication_gaps(found(8142329), NOW, D, OSLO) == ["HER-id 8142329 er ikke aktiv i Adresseregisteret"]
    assert publication_gaps(found(7654321), NOW, D, OSLO) == ["HER-id 7654321 finnes ikke i Adresseregisteret"]


def test_a_certificate_that_ends_before_d() -> None:
    """A certificate running out before the end of D is a gap, dated in Norwegian time."""
    gaps = publication_gaps(found(8142328), NOW, date(2027, 4, 1), OSLO)
    assert gaps == ["HER-id 8142328 har krypteringssertifikat som går ut 01.04.2027, før oppkoblingsdagen 01.04.2027"]
    assert publication_gaps(found(8142328), NOW, date(2027, 3, 31), OSLO) == []


def test_a_certificate_not_yet_valid() -> None:
    """A certificate that starts later than now is not in place yet."""
    future = {"thumbprint": "X", "validFrom": "2027-02-01T00:00:00+00:00", "validTo": "2030-01-01T00:00:00+00:00"}
    assert publication_gaps(found(8142326, currentSigningCertificate=future), NOW, D, OSLO) == [
        "HER-id 8142326 har signeringssertifikat som først gjelder fra 01.02.2027"]


def test_certificates_expiring_within_sixty_days_of_d_are_a_warning() -> None:
    """Valid past D but ending within the window: one warning per certificate, with the days after D."""
    assert certificate_warnings(found(8142328), D, 60, OSLO) == [
        "HER-id 8142328 (Malvik kommune – Sykehjemmet, tjeneste): krypteringssertifikat går ut 01.04.2027, "
        "45 dager etter oppkoblingsdagen"]
    assert certificate_warnings(found(8142328), D, 40, OSLO) == []
    assert certificate_warnings(found(8142326), D, 60, OSLO) == []
