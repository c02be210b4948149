"""The intake facade: a message → everything intake knows about it (kind, case, sender, command, order)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from bot.domain import CaseState, MessageKind, Order, Role, SentMail
from bot.intake.auth import AuthVerdict, role_of, sender_authenticated
from bot.intake.bounce_match import BounceMatch, match_bounce, named_recipients, referenced_ids
from bot.intake.budget import Deadline, check_raw
from bot.intake.classify import TriageContext, TriageRules, Verdict, classify, load_triage_rules, text_for
from bot.intake.command_registry import CommandRules, load_command_rules
from bot.intake.message import InboundMessage, parse_message
from bot.intake.order import OrderVocabulary, extract_order, load_order_vocabulary
from bot.intake.quotes import QuoteCut, load_quote_rules
from bot.intake.reply_commands import ParsedCommand, read_command
from bot.intake.reply_key import KeyVerdict, answered_ids, reply_key, rights_sender
from bot.intake.signatures import SignatureRules, cut_sign_off, load_signature_rules
from bot.registry import Registry, load_registry
from bot.routine.actions import STATE_CHANGING, Command
from bot.routine.case import Case
from bot.routine.plan import Plan, load_plan
from bot.rulefile import DATA_DIR, RULES_DIR
from bot.settings import SenderAuth

# A message may name at most this many Message-IDs worth looking up (headers, attached reports, quoted lines).
MAX_MENTIONED_IDS = 50
_QUOTED_ID = re.compile(r"^\s*>?\s*Message-ID\s*:\s*<?([^<>\s]+@[^<>\s]+)>?", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class IntakeRules:
    """Everything intake reads from rules/ and data/, loaded once at start-up."""

    triage: TriageRules
    registry: Registry
    vocabulary: OrderVocabulary
    commands: CommandRules
    signatures: SignatureRules
    trust_her_ids: frozenset[int] = frozenset()  # the health trusts' own HER-ids (rules/routine.yaml)


def load_intake_rules(rules_dir: Path = RULES_DIR, data_dir: Path = DATA_DIR, plan: Plan | None = None) -> IntakeRules:
    plan = plan or load_plan(rules_dir / "routine.yaml")
    return IntakeRules(
        triage=load_triage_rules(rules_dir / "triage.yaml", load_quote_rules(rules_dir / "quotes.yaml")),
        registry=load_registry(data_dir),
        vocabulary=load_order_vocabulary(rules_dir),
        commands=load_command_rules(rules_dir, plan),
        signatures=load_signature_rules(rules_dir / "signatures.yaml"),
        trust_her_ids=plan.trust_her_ids,
    )


@dataclass(frozen=True)
class Known:
    """What the store knows about the bot mails a message mentions, looked up before intake runs."""

    sent: tuple[SentMail, ...] = ()  # bot mails among the Message-IDs the message mentions
    cases: Mapping[str, Case] = field(default_factory=dict)  # the cases those mails or the subject tag name
    pending_contacts: Mapping[str, str] = field(default_factory=dict)  # case ref → contact awaiting approval

    def mails(self, message_ids: Sequence[str]) -> tuple[SentMail, ...]:
        by_id = {m.message_id: m for m in self.sent}
        return tuple(by_id[i] for i in message_ids if i in by_id)


@dataclass(frozen=True)
class Mailroom:
    """Who the bot is and whom it trusts: the parts of the settings intake needs."""

    own_address: str
    coordinators: tuple[str, ...] = ()
    sender_auth: SenderAuth = SenderAuth.OFF
    trusted_authserv_id: str | None = None

    @property
    def own_domain(self) -> str:
        return self.own_address.rsplit("@", 1)[-1]


@dataclass(frozen=True)
class Understood:
    message: InboundMessage
    verdict: Verdict
    cut: QuoteCut
    order: Order | None  # a new order; or what a reply to a needs_info case adds to it (with the reply key)
    case: Case | None = None  # the case it is about; for a bounce, the case of the bot mail it returns
    sender: str | None = None  # the From address, when it proves anything (see reply_key.rights_sender)
    role: Role = Role.STRANGER  # the sender's role on `case`
    known_sender: bool = False  # a coordinator, or an address at a registry municipality's domain
    answered: tuple[SentMail, ...] = ()  # the bot mails it answers, nearest first
    said: ParsedCommand | None = None  # a reply's command as read from the message alone (`parse --json`)
    command: ParsedCommand | None = None  # the command of a reply to a known case, from a known sender
    auth: AuthVerdict | None = None  # sender authentication, for a command
    key: KeyVerdict | None = None  # the reply key, for a state-changing command or an amendment
    refusal: str | None = None  # why the command may not count: authentication, its roles, the reply key
    returned: tuple[SentMail, ...] = ()  # for a bounce: the bot mails it references
    bounce: BounceMatch | None = None  # the bot mail a bounce returns, and which recipient failed
    pending_contact: str = ""  # the outside contact address waiting for `godkjenn kontakt` on `case`


def mentioned_ids(msg: InboundMessage, own_domain: str) -> tuple[str, ...]:
    """Message-IDs at our own domain that the message names (In-Reply-To, References, attached or quoted
    headers): the only ones the store could know."""
    quoted = [m.group(1) for m, _ in zip(_QUOTED_ID.finditer(msg.body_text), range(MAX_MENTIONED_IDS), strict=False)]
    candidates = (*msg.in_reply_to, *reversed(msg.references), *(e.message_id for e in msg.embedded if e.message_id),
                  *quoted)
    suffix = "@" + own_domain.lower()
    return tuple(dict.fromkeys(i for i in candidates if i and i.lower().endswith(suffix)))[:MAX_MENTIONED_IDS]


def read_message(raw: bytes, *, max_decompressed_bytes: int, deadline: Deadline) -> InboundMessage:
    """Parse one message within its budget: its shape is checked first, then parsing keeps the deadline."""
    check_raw(raw)
    return parse_message(raw, max_decompressed_bytes=max_decompressed_bytes, deadline=deadline)


def understand(
    raw: bytes | InboundMessage,
    rules: IntakeRules,
    *,
    own_address: str,
    known: Known | None = None,
    mailroom: Mailroom | None = None,
    today: date | None = None,
    max_decompressed_bytes: int = 20_000_000,
    raw_bytes: bytes | None = None,
    deadline: Deadline | None = None,
) -> Understood:
    """Read one message: raw bytes, or a message the caller parsed already (with `read_message`) to look up
    what it mentions. Raises BudgetExceeded for a message that costs too much.

    Sender authentication reads the raw header block undecoded: a caller that passes a parsed message
    passes its bytes as `raw_bytes` too (without them, a configured sender authentication fails closed),
    and the Deadline it parsed under as `deadline`.
    """
    if isinstance(raw, InboundMessage):
        msg = raw
    else:
        deadline = Deadline()
        msg, raw_bytes = read_message(raw, max_decompressed_bytes=max_decompressed_bytes, deadline=deadline), raw
    deadline = deadline or Deadline()
    known = known or Known()
    room = mailroom or Mailroom(own_address)
    ctx = TriageContext(own_address=own_address, own_domain=own_address.rsplit("@", 1)[-1],
                        sent_cases={m.message_id: m.case_ref for m in known.sent})
    verdict = classify(msg, ctx, rules.triage)
    cut = text_for(msg, verdict.kind, rules.triage)
    sender = rights_sender(msg)
    base = Understood(message=msg, verdict=verdict, cut=cut, order=None, sender=sender,
                      known_sender=_known_sender(sender, room, rules.registry))
    if verdict.kind is MessageKind.ORDER:
        deadline.check("reading the order")
        return _with(base, order=extract_order(msg, rules.registry, rules.vocabulary, new_text=cut.new_text,
                                               trust_her_ids=rules.trust_her_ids))
    if verdict.kind is MessageKind.BOUNCE:
        info = verdict.bounce
        returned = known.mails(referenced_ids(msg, info))
        found = match_bounce(returned, named_recipients(msg, info))
        case = known.cases.get(found.mail.case_ref) if found is not None and found.mail.case_ref else None
        return _with(base, returned=returned, bounce=found, case=case)
    case = known.cases.get(verdict.case_ref) if verdict.case_ref else None
    if verdict.kind is not MessageKind.REPLY:
        return _with(base, case=case)
    # A reply's own text ends at its sign-off ("Mvh Ingrid"); the signature is kept beside it.
    cut = cut_sign_off(cut, rules.signatures)
    base = _with(base, cut=cut)
    said = read_command(msg.subject, cut.new_text, rules.commands,
                        today=today or (msg.date.date() if msg.date else date.today()))
    if case is None:
        return _with(base, said=said)
    return _reply(_with(base, said=said), case, rules, known, room, raw_bytes or b"", deadline)


def _with(u: Understood, **changes: object) -> Understood:
    return replace(u, **changes)  # type: ignore[arg-type]


def _known_sender(sender: str | None, room: Mailroom, registry: Registry) -> bool:
    if not sender:
        return False
    return sender in room.coordinators or registry.by_domain(sender.rpartition("@")[2]) is not None


def _reply(u: Understood, case: Case, rules: IntakeRules, known: Known, room: Mailroom,
           raw: bytes, deadline: Deadline) -> Understood:
    """A reply to a case: who wrote it, the bot mails it answers, its command and whether that counts."""
    msg = u.message
    role = role_of(u.sender, room.coordinators, case.municipality.domain if case.municipality else None,
                   case.contact_email)
    answered = known.mails(answered_ids(msg.in_reply_to, msg.references))
    u = _with(u, case=case, role=role, answered=answered, pending_contact=known.pending_contacts.get(case.ref, ""))
    if role is Role.STRANGER:
        return u

    def key() -> KeyVerdict:
        return reply_key(answered, case_ref=case.ref, sender=msg.from_addr or "", role=role,
                         coordinators=room.coordinators)

    command = u.said
    if command is None:
        if case.state is not CaseState.NEEDS_INFO:
            return u
        amendment_key = key()
        if amendment_key.ok:
            deadline.check("reading the amended order")
        order = extract_order(msg, rules.registry, rules.vocabulary, new_text=u.cut.with_signature,
                              trust_her_ids=rules.trust_her_ids) if amendment_key.ok else None
        return _with(u, key=amendment_key, order=order)
    auth = sender_authenticated(raw, msg.from_addr, room.sender_auth, room.trusted_authserv_id)
    command_key = key() if command.command in STATE_CHANGING else None
    refusal = rules.commands.refusal(command.command, role) or (None if auth.ok else auth.reason) or (
        command_key.reason if command_key is not None and not command_key.ok else None)
    return _with(u, command=command, auth=auth, key=command_key, refusal=refusal)


def order_json(order: Order) -> dict[str, object]:
    """The `order` object of SPEC §6."""
    m = order.municipality
    return {
        "municipality": {"number": m.number, "name": m.name} if m else None,
        "activation_date": order.activation_date.isoformat() if order.activation_date else None,
        "message_types": [{"type": t.code, "version": t.version} for t in order.message_types],
        "her_ids": list(order.her_ids),
        "contact_email": order.contact_email,
        "missing": list(order.missing),
    }


def command_json(c: ParsedCommand | None) -> dict[str, object] | None:
    """The `command` object of SPEC §6.1: what a reply says, read from the message alone."""
    if c is None:
        return None
    return {
        "name": c.command.value,
        "step": c.step,
        "parts": list(c.parts) or None,
        "date": c.new_date.isoformat() if c.new_date else None,
        "sentence": c.sentence,
    }


def describe_command(c: ParsedCommand | None) -> str:
    """The command for people (`parse --explain`): what it is, which step and trusts, the sentence it was read from."""
    if c is None:
        return "none (the reply is forwarded to the coordinators)"
    said = " ".join(x for x in (
        c.command.value,
        c.step or ("(the step the replied-to mail is about)" if c.command in (Command.CONFIRM, Command.REOPEN) else ""),
        f"for {', '.join(c.parts)}" if c.parts else "",
        c.new_date.isoformat() if c.new_date else "",
    ) if x)
    return f"{said}\n          read from: «{c.sentence}»" if c.sentence else said


def parse_json(u: Understood) -> dict[str, object]:
    """The `parse --json` object of SPEC §6; our own mail come back counts as "other"; an amendment is not
    a new order (`order` is null for replies)."""
    kind = MessageKind.OTHER if u.verdict.kind is MessageKind.OWN else u.verdict.kind
    order = u.order if u.verdict.kind is MessageKind.ORDER else None
    return {
        "kind": kind.value,
        "case_ref": u.verdict.case_ref,
        "text": u.cut.new_text,
        "order": order_json(order) if order is not None else None,
        "command": command_json(u.said),
    }
