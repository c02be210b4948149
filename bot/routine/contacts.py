"""Contact addresses outside the kommune's domain: held without rights until a coordinator approves them."""

from __future__ import annotations

from dataclasses import replace

from bot.addresses import domain_of, recipient_problem
from bot.domain import Audience, CaseState, MailKind
from bot.routine.actions import Action, CommandReceived, Decision, RecordEvent, SendMail
from bot.routine.case import Case

CONTACT_PENDING = "contact_pending"  # event: an outside contact address waits for `godkjenn kontakt`
CONTACT_APPROVED = "contact_approved"


def outside_contact(case: Case) -> str | None:
    """The case's contact address when it is not at the kommune's own domain (or the kommune is unknown)."""
    if case.contact_email is None:
        return None
    if recipient_problem(case.contact_email) is not None:
        return case.contact_email  # not a plain address at all: never trusted, never mailed
    if case.municipality is not None and domain_of(case.contact_email) == case.municipality.domain.lower():
        return None
    return case.contact_email


def hold_outside_contact(case: Case, order_step: str, keep: str | None = None) -> tuple[Case, tuple[Action, ...]]:
    """Take an outside contact off the case (back to `keep`): it gets no mail and no rights, and the
    coordinators are asked.

    Anyone can write an order naming any address; until a coordinator has approved it, only the kommune's
    own domain gets the receipt and may answer for the kommune.
    """
    address = outside_contact(case)
    if address is None:
        return case, ()
    domain = case.municipality.domain if case.municipality else None
    where = f"utenfor kommunens domene ({domain})" if domain else "og kommunen er ikke kjent ennå"
    notice = (f"Bestillingen oppgir kontaktadressen {address}, som er {where}. Adressen får ingen e-post og "
              f"ingen rettigheter i saken før en koordinator godkjenner den: svar «godkjenn kontakt» på denne "
              f"e-posten hvis adressen er riktig. Ellers trenger dere ikke gjøre noe.")
    return replace(case, contact_email=keep), (
        RecordEvent(CONTACT_PENDING, address),
        SendMail(MailKind.NOTICE, Audience.COORDINATORS, order_step, detail=notice),
    )


def approve_contact(case: Case, ev: CommandReceived, order_step: str) -> Decision:
    """`godkjenn kontakt`: the pending address (intake puts it in `ev.text`) becomes the case's contact."""
    address = ev.text.strip().lower()
    if not address:
        detail = "Ingen kontaktadresse venter på godkjenning i denne saken (no contact address is pending)."
        return Decision(case, (RecordEvent("command_ignored", detail), _answer(ev, detail)))
    approved = replace(case, contact_email=address)
    actions: list[Action] = [
        RecordEvent(CONTACT_APPROVED, f"{address} by {ev.sender}"),
        _answer(ev, f"Kontaktadressen {address} er godkjent og får heretter e-post om saken."),
    ]
    if case.state is CaseState.ACTIVE:
        # The receipt it never got: the timeline and the calendar, to the new contact only.
        actions.append(SendMail(MailKind.RECEIPT, Audience.SENDER, order_step, to=(address,)))
    return Decision(approved, tuple(actions))


def _answer(ev: CommandReceived, detail: str) -> SendMail:
    return SendMail(MailKind.COMMAND_RESULT, Audience.SENDER, detail=detail, in_reply_to=ev.message_id,
                    to=(ev.sender,))
