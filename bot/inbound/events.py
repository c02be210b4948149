"""What intake understood → the one engine event it becomes, and the outcome recorded for the message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain import CaseState, MessageKind, MessageOutcome, Role
from bot.intake.reply_key import not_forwarded_because
from bot.intake.understand import Understood
from bot.routine.actions import (
    AutoReplyReceived,
    BounceReceived,
    Command,
    CommandReceived,
    Event,
    OrderAmended,
    OrderReceived,
    ReplyReceived,
)


@dataclass(frozen=True)
class Intent:
    """The message's outcome, the event for its case (an OrderReceived still needs its reference), or a
    note for the log when no case is involved."""

    outcome: MessageOutcome
    event: Event | None = None
    note: tuple[str, str] | None = None  # (event kind, detail) recorded without a case

    @property
    def writes(self) -> bool:
        """Whether acting on it writes to the store (beyond the message's own row)."""
        return self.event is not None or self.note is not None


_SIMPLE = {MessageKind.OWN: MessageOutcome.OWN, MessageKind.BULK: MessageOutcome.BULK}


def intent_for(u: Understood, now: datetime) -> Intent:
    msg, kind, case = u.message, u.verdict.kind, u.case
    if kind in _SIMPLE:
        return Intent(_SIMPLE[kind])
    if kind is MessageKind.BOUNCE:
        return _bounce(u, now)
    if kind is MessageKind.AUTO_REPLY:
        event = AutoReplyReceived(msg.from_addr, msg.message_id, now) if case is not None else None
        return Intent(MessageOutcome.AUTO_REPLY, event)
    if kind is MessageKind.REPLY and case is not None:
        return _reply(u, now)
    if kind is MessageKind.ORDER and u.order is not None:
        if not u.known_sender:
            # No backscatter: a stranger's "order" is logged for the coordinators' digest, never answered.
            return Intent(MessageOutcome.UNKNOWN, note=("unknown_sender_order",
                                                        f"{msg.from_addr or '?'}: {msg.subject[:200]}"))
        return Intent(MessageOutcome.ORDER, OrderReceived("", u.order, u.sender, msg.message_id, now))
    # Questions, misdirected mail and replies naming a case we do not have: logged for people.
    return Intent(MessageOutcome.OTHER if u.known_sender else MessageOutcome.UNKNOWN)


def _bounce(u: Understood, now: datetime) -> Intent:
    msg, info, found = u.message, u.verdict.bounce, u.bounce
    if found is None:
        # Anyone can write "[OPK-1]" in a subject; only a bounce of a mail we sent, naming one of its
        # recipients, may touch a case. The rest is logged and dropped (and never answered).
        why = "names no recipient of the mail it returns" if u.returned else "returns no mail the bot sent"
        return Intent(MessageOutcome.BOUNCE, note=("bounce_ignored",
                                                   f"{msg.from_addr or '?'} {msg.subject[:150]!r}: {why}"))
    status, permanent = (info.status, info.permanent) if info is not None else (None, True)
    if u.case is None:
        return Intent(MessageOutcome.BOUNCE, note=("bounce", f"{found.recipient} {status or ''}".strip()))
    return Intent(MessageOutcome.BOUNCE, BounceReceived(found.recipient, status, permanent, now))


def _reply(u: Understood, now: datetime) -> Intent:
    msg, case, role = u.message, u.case, u.role
    assert case is not None
    sender = msg.from_addr or ""
    if u.command is not None:
        c = u.command
        text = u.pending_contact if c.command is Command.APPROVE_CONTACT else c.text
        step = c.step or (u.answered[0].step if u.answered else None)
        return Intent(MessageOutcome.COMMAND, CommandReceived(
            command=c.command, sender=sender, role=role, message_id=msg.message_id, at=now, step=step,
            parts=c.parts, text=text, new_date=c.new_date, refused_reason=u.refusal, sentence=c.sentence))
    if case.state is CaseState.NEEDS_INFO and u.key is not None and u.key.ok and u.order is not None:
        return Intent(MessageOutcome.REPLY, OrderAmended(u.order, sender, msg.message_id, now))
    outcome = MessageOutcome.UNKNOWN if role is Role.STRANGER else MessageOutcome.REPLY
    return Intent(outcome, ReplyReceived(
        sender, role, msg.message_id, now, u.cut.with_signature, subject=msg.subject,
        not_forwarded=not_forwarded_because(role, u.answered[0].kind if u.answered else None),
        amendment_refused=case.state is CaseState.NEEDS_INFO and u.key is not None and not u.key.ok))
