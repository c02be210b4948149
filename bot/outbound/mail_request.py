"""A mail to compose and queue: what the effects, the inbox and the ticker hand to the post office."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain import MailKind
from bot.outbound.views import DigestView
from bot.routine.case import Case


@dataclass(frozen=True)
class MailRequest:
    """Recipients are resolved (addresses); the recipient gate may still drop some."""

    kind: MailKind
    case: Case | None
    to: tuple[str, ...]
    step: str | None = None
    detail: str = ""
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    recipient_role: str = "kommune"  # "kommune" or "coordinators": which hjelp text and wording
    previous_date: date | None = None
    sender: str = ""
    quote: str = ""  # the sentence a command was read from
    problems: tuple[str, ...] = ()
    digest: DigestView | None = None
    capped: bool = True  # False only for the daily summary of what the cap held back (bot.outbound.gate)
