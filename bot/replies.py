"""Replies to a case: who wrote, whether a command counts (reply key, sender authentication), or a forward."""

from __future__ import annotations

from datetime import datetime

from bot.app import App
from bot.domain import CaseState, Role, SentMail
from bot.domain import MessageOutcome as Outcome
from bot.intake.auth import role_of, sender_authenticated
from bot.intake.commands import read_command
from bot.intake.message import InboundMessage
from bot.intake.order import extract_order
from bot.intake.reply_key import KeyVerdict, answered_ids, not_forwarded_because, reply_key, rights_sender
from bot.intake.understand import Understood
from bot.routine.actions import STATE_CHANGING, Command, CommandReceived, OrderAmended, ReplyReceived
from bot.routine.case import Case
from bot.routine.contacts import CONTACT_APPROVED, CONTACT_PENDING
from bot.store.repo import Tx


def handle_reply(app: App, tx: Tx, u: Understood, case: Case, now: datetime, raw: bytes) -> str:
    msg = u.message
    sender = msg.from_addr or ""
    role = role_of(rights_sender(msg), app.settings.coordinator_list,
                   case.municipality.domain if case.municipality else None, case.contact_email)
    if role is Role.STRANGER:
        # No backscatter: nothing is answered, the attempt is on the case's record.
        tx.add_event(case.ref, now, "reply_from_stranger", f"{sender}: {msg.subject[:200]}")
        return Outcome.UNKNOWN
    answered = tx.sent_mails(answered_ids(msg.in_reply_to, msg.references))
    parsed = read_command(msg.subject, u.cut.new_text, app.commands, today=app.calendar.local_date(now))
    if parsed is None:
        return _plain_reply(app, tx, u, case, role, answered, now)
    event = CommandReceived(
        command=parsed.command, sender=sender, role=role, message_id=msg.message_id, at=now,
        step=parsed.step or (answered[0].step if answered else None), part=parsed.part,
        text=_pending_contact(tx, case) if parsed.command is Command.APPROVE_CONTACT else parsed.text,
        new_date=parsed.new_date,
        refused_reason=_command_refusal(app, raw, msg, parsed.command, case, role, answered),
    )
    app.run_event(tx, case, event, now)
    return Outcome.COMMAND


def _plain_reply(app: App, tx: Tx, u: Understood, case: Case, role: Role, answered: list[SentMail],
                 now: datetime) -> str:
    """A reply without a command: completes a needs_info order (with the reply key), else is forwarded."""
    msg = u.message
    sender = msg.from_addr or ""
    if case.state is CaseState.NEEDS_INFO:
        if _key(app, case, sender, role, answered).ok:
            order = extract_order(msg, app.intake.registry, app.intake.vocabulary, new_text=u.cut.new_text)
            app.run_event(tx, case, OrderAmended(order, sender, msg.message_id, now), now)
            return Outcome.REPLY
        tx.add_event(case.ref, now, "amendment_refused", f"{sender}: no reply key")
    why_not = not_forwarded_because(role, answered[0].kind if answered else None)
    if why_not is not None:
        tx.add_event(case.ref, now, "reply_not_forwarded", f"{role.value} {sender}: {why_not}")
        return Outcome.REPLY
    # The forward names who wrote: a coordinator or another kommune address, not always the contact.
    app.run_event(tx, case, ReplyReceived(sender, role, msg.message_id, now, u.cut.new_text), now,
         message_from=sender)
    return Outcome.REPLY


def _key(app: App, case: Case, sender: str, role: Role, answered: list[SentMail]) -> KeyVerdict:
    return reply_key(answered, case_ref=case.ref, sender=sender, role=role,
                     coordinators=app.settings.coordinator_list)


def _command_refusal(app: App, raw: bytes, msg: InboundMessage, command: Command, case: Case, role: Role,
                     answered: list[SentMail]) -> str | None:
    """Why a command may not count (sender authentication, then the reply key), or None."""
    auth = sender_authenticated(raw, msg.from_addr, app.settings.sender_auth_mode, app.settings.trusted_authserv_id)
    if not auth.ok:
        return auth.reason
    if command in STATE_CHANGING:
        key = _key(app, case, msg.from_addr or "", role, answered)
        if not key.ok:
            return key.reason
    return None


def _pending_contact(tx: Tx, case: Case) -> str:
    """The outside contact address waiting for `godkjenn kontakt` on the case, or ""."""
    latest = tx.latest_event(case.ref, (CONTACT_PENDING, CONTACT_APPROVED))
    return latest.detail if latest is not None and latest.kind == CONTACT_PENDING else ""
