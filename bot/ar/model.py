"""What the Adresseregister says of one HER-id: the fields of NHN's CommunicationParty model the bot reads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal, Protocol

from pydantic import AfterValidator, AliasChoices, BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

# NHN's names for the three kinds of communication party, as the bot writes them in mail.
_KIND_NB = {"Organization": "virksomhet", "Service": "tjeneste", "Person": "person"}


class ArError(Exception):
    """No answer from the Adresseregister (or HelseID): one line an administrator can act on, never a secret."""


class UnknownHerId(LookupError):
    """The Adresseregister answered: no communication party has this HER-id (HTTP 404)."""

    def __init__(self, her_id: int) -> None:
        super().__init__(f"HER-id {her_id} is not in the Adresseregister (404)")
        self.her_id = her_id


class _Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True)


def _aware(value: datetime) -> datetime:
    """AR's times carry an offset; one without is read as UTC rather than as this machine's zone."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


Time = Annotated[datetime, AfterValidator(_aware)]


class Certificate(_Model):
    """CertificateMetadata: a signing or encryption certificate's thumbprint and validity."""

    thumbprint: str | None = None
    valid_from: Time | None = None
    valid_to: Time | None = None


class ParentOrganization(_Model):
    """The organisation (virksomhet) a service or person belongs to."""

    her_id: int
    name: str | None = None
    organization_number: str | None = None


class _Code(_Model):
    value: str | None = None
    name: str | None = None


class _OrganizationDetails(_Model):
    organization_number: str | None = None


class _Details(_Model):
    parent_organization: ParentOrganization | None = None
    service_type: _Code | None = None


class CommunicationParty(_Model):
    """GET /api/v1/communicationparty/{herId}: one party in NHN's (new, simplified) data model."""

    her_id: int
    name: str | None = None
    display_name: str | None = None
    type: Literal["Organization", "Service", "Person"]
    organization_details: _OrganizationDetails | None = None
    details: _Details | None = Field(default=None, validation_alias=AliasChoices("serviceDetails", "personDetails"))
    edi_address: str | None = None
    valid_from: Time | None = None
    valid_to: Time | None = None
    current_signing_certificate: Certificate | None = None
    current_encryption_certificate: Certificate | None = None

    @property
    def organization_number(self) -> str | None:
        """The party's own organisation number (an Organization's)."""
        return self.organization_details.organization_number if self.organization_details else None

    @property
    def parent(self) -> ParentOrganization | None:
        """The organisation a Service or Person belongs to."""
        return self.details.parent_organization if self.details else None

    def active(self, now: datetime) -> bool:
        """validFrom ≤ now < validTo (an open end counts as valid)."""
        return (self.valid_from is None or self.valid_from <= now) and (self.valid_to is None or now < self.valid_to)

    def belongs_to(self, organization_numbers: set[str]) -> bool:
        """Whether the party, or the organisation it belongs to, has one of these organisation numbers."""
        own = {self.organization_number, self.parent.organization_number if self.parent else None}
        return bool({n.strip() for n in own if n} & organization_numbers)

    def describe(self) -> str:
        """How mail names the party: "Malvik kommune – Hjemmetjenesten, tjeneste"."""
        name = (self.display_name or self.name or "").strip() or "uten navn"
        parent = self.parent.name.strip() if self.parent and self.parent.name else ""
        shown = f"{parent} – {name}" if parent and parent.casefold() not in name.casefold() else name
        return f"{shown}, {_KIND_NB[self.type]}"


def parse_party(her_id: int, data: object) -> CommunicationParty:
    """The API's JSON for `her_id` as a CommunicationParty; ArError when it is not one (or another HER-id's)."""
    try:
        party = CommunicationParty.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise ArError(f"the Adresseregister answered HER-id {her_id} with data the bot cannot read "
                      f"({where}: {first['msg']})") from None
    if party.her_id != her_id:
        raise ArError(f"the Adresseregister answered HER-id {her_id} with HER-id {party.her_id}")
    return party


class AddressRegister(Protocol):
    """Where the bot looks HER-ids up: the REST client, or a fake in tests."""

    def lookup(self, her_id: int) -> CommunicationParty:
        """The party with this HER-id; UnknownHerId when AR has none, ArError when AR gives no answer."""
        ...
