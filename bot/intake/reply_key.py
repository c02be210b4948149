"""The reply key: a state-changing command counts only when it answers a bot mail that reached the sender."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.addresses import domain_of, mailbox_key
from bot.domain import MailKind, Role, SentMail
from bot.intake.message import InboundMessage

NO_REPLY_KEY = (
    "Kommandoen ble ikke utført: den må være et svar på en e-post fra boten om denne saken, sendt til deg, "
    "til en annen adresse i samme domene eller (for koordinatorer) til koordinatorene. En ny e-post er ikke "
    "nok, fordi avsenderadressen i en e-post kan forfalskes. Svar på den siste e-posten fra boten om saken, "
    "eller skriv «status OPK-n» og svar på svaret (a command must answer a bot mail about this case)."
)


# Mails that only inform the coordinators: an answer to one is never forwarded to them again, or two
# autoresponders among the coordinators would make every forward breed two more.
NOT_FORWARDED_AGAIN = frozenset({MailKind.FORWARD, MailKind.NOTICE, MailKind.DIGEST})


@dataclass(frozen=True)
class KeyVerdict:
    ok: bool
    reason: str


def answered_ids(in_reply_to: Sequence[str], references: Sequence[str]) -> tuple[str, ...]:
    """The Message-IDs a message answers, nearest first: In-Reply-To, then References newest first."""
    return tuple(dict.fromkeys((*in_reply_to, *reversed(references))))


def reply_key(answered: Sequence[SentMail], *, case_ref: str, sender: str, role: Role,
              coordinators: Sequence[str]) -> KeyVerdict:
    """Whether the bot mails a message answers (as the store found them) prove the sender may act on the case.

    Our Message-IDs are random, so only someone who received one of our mails can quote it. The mail must
    be about `case_ref` and have gone to the sender's own mailbox, to another address at the sender's
    domain (a colleague answering what reached the kommune's shared mailbox), or, when the sender is a
    coordinator, to a coordinator: a kommune that answers its own receipt with a coordinator's From line
    gets nothing.
    """
    own, domain = mailbox_key(sender), domain_of(sender)
    coordinator_keys = {mailbox_key(c) for c in coordinators}
    for mail in answered:
        if mail.case_ref != case_ref:
            continue
        for rcpt in mail.recipients:
            if mailbox_key(rcpt) == own:
                return KeyVerdict(True, f"answers {mail.kind.value} {mail.message_id} sent to the sender")
            if domain and domain_of(rcpt) == domain:
                return KeyVerdict(True, f"answers {mail.kind.value} {mail.message_id} sent to {domain}")
            if role is Role.COORDINATOR and mailbox_key(rcpt) in coordinator_keys:
                return KeyVerdict(True, f"answers {mail.kind.value} {mail.message_id} sent to a coordinator")
    return KeyVerdict(False, NO_REPLY_KEY)


def not_forwarded_because(role: Role, answered_kind: MailKind | None) -> str | None:
    """Why a reply without a command is not forwarded to the coordinators, or None when it is.

    An answer to a forward, notice or digest went to the coordinators only, so it has nobody new to
    inform; a coordinator's mail that answers no bot mail at all (a subject tag only) neither.
    """
    if answered_kind in NOT_FORWARDED_AGAIN:
        return f"answers a {answered_kind.value} (never forwarded again)"
    if role is Role.COORDINATOR and answered_kind is None:
        return "a coordinator's mail that answers no bot mail"
    return None


def rights_sender(msg: InboundMessage) -> str | None:
    """The From address, or None when the From proves nothing (several addresses, an address inside the
    display name, unparseable): intake's `from_problem` says why. Such a sender is treated as a stranger."""
    return None if getattr(msg, "from_problem", None) else msg.from_addr
