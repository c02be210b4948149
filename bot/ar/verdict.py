"""What AR's answer means for an order and for the AR step: pure judgements, in the Norwegian mail shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.ar.model import Certificate, CommunicationParty

_CERTS = (("signeringssertifikat", "current_signing_certificate"),
          ("krypteringssertifikat", "current_encryption_certificate"))


@dataclass(frozen=True)
class Found:
    """One HER-id as AR answered it: the party, or None when AR has no such HER-id (404)."""

    her_id: int
    party: CommunicationParty | None


@dataclass(frozen=True)
class RegisterAnswer:
    """What the Adresseregister said of some HER-ids, looked up at the edge (BOT_AR=rest) for one event."""

    found: tuple[Found, ...] = ()
    unavailable: str | None = None  # AR gave no answer: why, in one line (then `found` is empty)

    def lines(self) -> str:
        """One line per HER-id, as the receipt and the step_confirmed mail show them."""
        return "\n".join(what_ar_says(f) for f in self.found)


def order_problem(found: Found, organization_numbers: set[str], kommune: str, now: datetime) -> str | None:
    """Why an ordered HER-id cannot be used (unknown, inactive, another kommune's), or None when it can."""
    party = found.party
    if party is None:
        return f"HER-id {found.her_id} finnes ikke i Adresseregisteret. Sjekk nummeret."
    if not party.active(now):
        return f"HER-id {found.her_id} ({party.describe()}) er ikke aktiv i Adresseregisteret."
    if organization_numbers and not party.belongs_to(organization_numbers):
        owner = party.parent.name if party.parent and party.parent.name else party.name
        return (f"HER-id {found.her_id} ({party.describe()}) hører til {owner or 'en annen virksomhet'}, "
                f"ikke {kommune}.")
    return None


def publication_gaps(found: Found, now: datetime, activation: date, tz: ZoneInfo) -> list[str]:
    """What keeps a HER-id from being ready for D: not in AR, inactive, no EDI address, certificates missing
    or not valid past the activation day. Empty when everything is in place."""
    party = found.party
    if party is None:
        return [f"HER-id {found.her_id} finnes ikke i Adresseregisteret"]
    gaps = []
    if not party.active(now):
        gaps.append(f"HER-id {found.her_id} er ikke aktiv i Adresseregisteret")
    if not (party.edi_address or "").strip():
        gaps.append(f"HER-id {found.her_id} har ingen EDI-adresse")
    end_of_d = datetime.combine(activation + timedelta(days=1), time(0), tz)
    for label, attr in _CERTS:
        cert: Certificate | None = getattr(party, attr)
        if cert is None or not (cert.thumbprint or "").strip():
            gaps.append(f"HER-id {found.her_id} mangler {label}")
        elif cert.valid_from is not None and cert.valid_from > now:
            gaps.append(f"HER-id {found.her_id} har {label} som først gjelder fra {_day(cert.valid_from, tz)}")
        elif cert.valid_to is not None and cert.valid_to < end_of_d:
            gaps.append(f"HER-id {found.her_id} har {label} som går ut {_day(cert.valid_to, tz)}, "
                        f"før oppkoblingsdagen {activation:%d.%m.%Y}")
    return gaps


def certificate_warnings(found: Found, activation: date, within_days: int, tz: ZoneInfo) -> list[str]:
    """Certificates valid past D that run out within `within_days` of it (a warning to coordinators)."""
    party = found.party
    if party is None:
        return []
    end_of_d = datetime.combine(activation + timedelta(days=1), time(0), tz)
    warnings = []
    for label, attr in _CERTS:
        cert: Certificate | None = getattr(party, attr)
        if cert is not None and cert.valid_to is not None and end_of_d <= cert.valid_to \
                < end_of_d + timedelta(days=within_days):
            warnings.append(f"HER-id {found.her_id} ({party.describe()}): {label} går ut "
                            f"{_day(cert.valid_to, tz)}, {(cert.valid_to.date() - activation).days} dager etter "
                            "oppkoblingsdagen")
    return warnings


def what_ar_says(found: Found) -> str:
    """The receipt's line for one HER-id: "HER-id 8142326: Malvik kommune – Hjemmetjenesten, tjeneste"."""
    if found.party is None:
        return f"HER-id {found.her_id}: finnes ikke i Adresseregisteret"
    return f"HER-id {found.her_id}: {found.party.describe()}"


def _day(moment: datetime, tz: ZoneInfo) -> str:
    return f"{moment.astimezone(tz):%d.%m.%Y}"
