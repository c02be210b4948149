"""The composition root: builds every adapter from settings. Nothing else reads settings or opens clients."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.clock import Clock, SystemClock
from bot.domain import MailKind, Role
from bot.effects import Effects, MailRequest
from bot.intake.commands import CommandRules, help_text, load_command_rules
from bot.intake.understand import IntakeRules, load_intake_rules
from bot.mail.compose import Composer, MailContext, make_message_id
from bot.mail.ics import build_ics
from bot.recipient_gate import RecipientGate
from bot.routine.actions import Event
from bot.routine.calendar import BusinessCalendar
from bot.routine.case import Case
from bot.routine.engine import handle
from bot.routine.plan import Plan, load_plan
from bot.routine.schedule import timeline
from bot.rulefile import RULES_DIR, TEMPLATES_DIR
from bot.settings import Settings, load_settings
from bot.store.repo import Store, Tx

# Mail kinds that carry the case's calendar (.ics): the receipt and a moved date.
ICS_KINDS = frozenset({MailKind.RECEIPT, MailKind.DATE_CHANGED})


@dataclass
class App:
    settings: Settings
    clock: Clock
    plan: Plan
    calendar: BusinessCalendar
    intake: IntakeRules
    commands: CommandRules
    composer: Composer
    store: Store
    effects: Effects = field(init=False)
    gate: RecipientGate = field(init=False)

    def __post_init__(self) -> None:
        s = self.settings
        self.gate = RecipientGate(own_address=s.mailbox_address, coordinators=s.coordinator_list,
                                  max_per_day=s.max_mails_per_recipient_per_day,
                                  max_per_coordinator_per_day=s.max_mails_per_coordinator_per_day,
                                  notify=self.enqueue)
        self.effects = Effects(coordinators=s.coordinator_list, enqueue=self.enqueue)

    def enqueue(self, tx: Tx, req: MailRequest, now: datetime) -> tuple[str, ...]:
        """Compose a mail and put it in the outbox, in the caller's transaction; returns who it goes to.

        Every mail passes the recipient gate first: invalid addresses and mailboxes over their daily cap
        are left out, and a mail nobody may get is not queued at all.
        """
        to = self.gate.admit(tx, req, now)
        if not to:
            return ()
        req = replace(req, to=to)
        case = req.case
        tl = timeline(case, self.plan, self.calendar) if case is not None and case.activation_date else ()
        role = Role.COORDINATOR if req.recipient_role == "coordinators" else Role.KOMMUNE
        ctx = MailContext(
            now=now,
            case=case,
            timeline=tl,
            step=req.step,
            detail=req.detail,
            recipient_role=req.recipient_role,
            help_text=help_text(self.commands, role),
            proposed_date=case.proposed_date if case else None,
            previous_date=req.previous_date,
            sender=req.sender,
            # A clarification's engine text is the list of reasons D cannot be used.
            problems=req.problems or (tuple(req.detail.splitlines()) if req.kind is MailKind.CLARIFICATION else ()),
            digest=req.digest,
        )
        ics = None
        if req.kind in ICS_KINDS and case is not None and case.activation_date is not None:
            ics = build_ics(case, tl, self.settings.tz, domain=self.settings.own_domain, stamp=now)
        message_id = make_message_id(self.settings.own_domain)
        msg = self.composer.build(
            req.kind, ctx, req.to, message_id=message_id, in_reply_to=req.in_reply_to,
            references=req.references, auto_replied=req.in_reply_to is not None, ics=ics,
        )
        tx.enqueue(ref=case.ref if case else None, kind=req.kind, step=req.step,
                   message_id=message_id.strip("<>"), in_reply_to=req.in_reply_to, subject=str(msg["Subject"]),
                   raw=msg.as_bytes(), recipients=req.to, at=now)
        return to


    def run_event(self, tx: Tx, case: Case | None, event: Event, now: datetime, *,
                  order_message_id: str | None = None, sender: str | None = None,
                  message_from: str | None = None) -> Case:
        """The engine's answer to one event, carried out in the caller's transaction; returns the new case."""
        outcome = handle(case, event, now, self.plan, self.calendar)
        self.effects.apply(tx, outcome, now, order_message_id=order_message_id, sender=sender,
                           message_from=message_from)
        return outcome.case


def build_app(settings: Settings | None = None, clock: Clock | None = None, *,
              rules_dir: Path = RULES_DIR, templates_dir: Path = TEMPLATES_DIR) -> App:
    settings = settings or load_settings()
    plan = load_plan(rules_dir / "routine.yaml")
    calendar = BusinessCalendar(plan.closed_days, tz=settings.tz)
    intake = load_intake_rules(rules_dir)
    store = Store(_database_url(settings), intake.registry.by_number)
    store.create_schema()
    composer = Composer(templates_dir, settings.mailbox_address, settings.tz)
    return App(
        settings=settings, clock=clock or SystemClock(), plan=plan, calendar=calendar, intake=intake,
        commands=load_command_rules(rules_dir), composer=composer, store=store,
    )


def _database_url(settings: Settings) -> str:
    """SQLite paths are relative to the working directory; make sure the file exists, private to the bot."""
    url = settings.database_url
    if url.startswith("sqlite:") and (database := make_url(url).database) and database != ":memory:":
        make_private(Path(database))
    return url


def make_private(path: Path) -> None:
    """Create the database file 0600 (and folders it needs 0700) before SQLite opens it: it holds every
    raw inbound mail. An existing file (and its -wal/-shm/-journal) readable by others is tightened."""
    missing = [d for d in (path.parent, *path.parent.parents) if not d.exists()]
    path.parent.mkdir(parents=True, exist_ok=True)
    for folder in missing:
        folder.chmod(0o700)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    for file in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))):
        if file.exists() and file.stat().st_mode & 0o077:
            file.chmod(0o600)
