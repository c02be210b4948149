"""Which of the bot's own mails a bounce is about, and which of its recipients failed: a bounce must prove both."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.addresses import mailbox_key
from bot.domain import SentMail
from bot.intake.classify import BounceInfo
from bot.intake.message import InboundMessage
from bot.intake.reply_key import answered_ids

_RECIPIENT_FIELDS = ("final-recipient", "original-recipient")


@dataclass(frozen=True)
class BounceMatch:
    mail: SentMail
    recipient: str  # as the bot sent to it


def referenced_ids(msg: InboundMessage, info: BounceInfo | None) -> tuple[str, ...]:
    """Message-IDs a bounce names: the returned message or its headers, then In-Reply-To/References."""
    embedded = [e.message_id for e in msg.embedded if e.message_id]
    first = [info.original_message_id] if info is not None and info.original_message_id else []
    return tuple(dict.fromkeys((*first, *embedded, *answered_ids(msg.in_reply_to, msg.references))))


def named_recipients(msg: InboundMessage, info: BounceInfo | None) -> tuple[str, ...]:
    """Every address the bounce says failed: its DSN recipient fields, X-Failed-Recipients, the triage pick."""
    out = [value.split(";", 1)[-1].strip().strip("<>") for name, value in msg.delivery_status
           if name in _RECIPIENT_FIELDS]
    out += [a.strip().strip("<>") for a in (msg.header("x-failed-recipients") or "").split(",")]
    if info is not None and info.recipient:
        out.append(info.recipient)
    return tuple(dict.fromkeys(a.lower() for a in out if "@" in a))[:50]


def match_bounce(sent: Sequence[SentMail], named: Sequence[str]) -> BounceMatch | None:
    """The bot mail the bounce references and the recipient of it that it names, or None.

    `[OPK-n]` in a subject is not evidence: anyone can write it. A bounce counts only when it quotes the
    Message-ID of a mail we sent (random, unguessable) and names an address that mail actually went to,
    so even someone who received one of our mails can only report their own address.
    """
    keys = {mailbox_key(a): a for a in named}
    for mail in sent:
        for rcpt in mail.recipients:
            if mailbox_key(rcpt) in keys:
                return BounceMatch(mail, rcpt)
    return None
