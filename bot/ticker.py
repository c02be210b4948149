"""The scheduler's tick: due reminders from the database into the engine, held-back summaries, the weekly digest."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from bot.casework import Casework
from bot.clock import Clock
from bot.domain import CaseState, MailKind, StepStatus
from bot.outbound.gate import RecipientGate
from bot.outbound.mail_request import MailRequest
from bot.outbound.views import DigestCase, DigestMessage, DigestOverdue, DigestView
from bot.register_checks import DailyRegisterCheck
from bot.routine.actions import DueReached
from bot.routine.case import Case
from bot.routine.schedule import deadlines, next_deadline, step_status
from bot.routine.week import this_week
from bot.store.repo import Store, Tx

log = logging.getLogger("bot.tick")
DIGEST_MAX_DELAY = timedelta(hours=24)


@dataclass(frozen=True)
class DigestTime:
    weekday: int  # 0 = Monday
    at: time


@dataclass(frozen=True, kw_only=True)
class Ticker:
    """What the clock makes happen; one transaction per case, so one broken case cannot stop the others."""

    store: Store
    clock: Clock
    casework: Casework
    gate: RecipientGate
    coordinators: tuple[str, ...]
    digest: DigestTime
    web_url: str | None = None  # the status page (BOT_WEB_PUBLIC_URL): the digest links to it when set
    register_check: DailyRegisterCheck | None = None  # BOT_AR=rest: the morning look-ups in the Adresseregister

    def tick(self) -> int:
        """Feed every due schedule row to the engine; returns rows handled."""
        now = self.clock.now()
        if self.register_check is not None:
            # First: a step the Adresseregister shows done this morning needs no reminder.
            self.register_check.run(now)
        with self.store.tx() as tx:
            due = tx.due(now)
        handled = 0
        for ref, items in due.items():
            with self.store.tx() as tx:
                case = tx.load_case(ref)
                if case is None:
                    continue
                self.casework.run(tx, case, DueReached(tuple(items), now), now)
            handled += len(items)
        self.send_digest_if_due(now)
        self.send_held_back_summaries(now)
        return handled

    def send_held_back_summaries(self, now: datetime) -> int:
        """Tell each coordinator, at most once a day, what the daily cap kept from them (bot.outbound.gate)."""
        with self.store.tx() as tx:
            summaries = self.gate.summaries(tx, now)
            self.casework.post.send(tx, summaries, now)
        return len(summaries)

    def last_digest_instant(self, now: datetime) -> datetime:
        """The most recent weekly digest time (weekday and HH:MM in the local zone) at or before `now`."""
        cal = self.casework.calendar
        local = cal.local(now)
        back = (local.weekday() - self.digest.weekday) % 7
        day = (local - timedelta(days=back)).date()
        instant = cal.at(day, self.digest.at)
        if instant > now:
            instant = cal.at(day - timedelta(days=7), self.digest.at)
        return instant

    def send_digest_if_due(self, now: datetime) -> bool:
        """Once per week, at most a day late (a bot down longer waits for the next one).

        Skipped when there was nothing to report at the digest's time: no case open then and no
        quarantined or unknown mail in the week before it (so a fresh install sends none on its first day).
        """
        if not self.coordinators:
            return False
        instant = self.last_digest_instant(now)
        if now - instant > DIGEST_MAX_DELAY:
            return False
        key = instant.isoformat()
        with self.store.tx() as tx:
            if tx.has_event_since("digest", key, instant - timedelta(days=8)):
                return False
            cases = tx.list_cases([CaseState.NEEDS_INFO, CaseState.ACTIVE])
            view = self.build_digest(tx, cases, now, since=instant - timedelta(days=7))
            tx.add_event(None, now, "digest", key)
            open_then = any(c.created_at <= instant for c in cases)
            odd_mail = any(m.received_at <= instant for m in (*view.quarantined, *view.unknown_senders))
            if not (open_then or odd_mail):
                return False
            self.casework.post.send(tx, [MailRequest(kind=MailKind.DIGEST, case=None, to=self.coordinators,
                                                     recipient_role="coordinators", digest=view)], now)
        log.info("digest queued for %s", key)
        return True

    def build_digest(self, tx: Tx, cases: list[Case], now: datetime, *, since: datetime) -> DigestView:
        plan, cal = self.casework.plan, self.casework.calendar
        open_cases, overdue = [], []
        for case in cases:
            name = case.municipality.name if case.municipality else "(ukjent kommune)"
            nxt = next_deadline(case, now, plan, cal)
            label = ""
            for step, at in sorted(deadlines(case, plan, cal).items(), key=lambda kv: kv[1]):
                if step_status(case, step, now, plan, cal) is StepStatus.OVERDUE:
                    overdue.append(DigestOverdue(ref=case.ref, municipality_name=name, step=step, deadline=at))
                if nxt is not None and at == nxt and not label:
                    label = plan.step(step).label
            if case.state is CaseState.NEEDS_INFO:
                label = plan.order_step.label
            open_cases.append(DigestCase(ref=case.ref, municipality_name=name, state=case.state,
                                         activation_date=case.activation_date, next_label=label,
                                         next_deadline=nxt))
        quarantined = tuple(
            DigestMessage(received_at=m.received_at, sender=m.sender or "", subject=m.subject, reason=m.error or "")
            for m in tx.inbound(["quarantined"], since=since)
        )
        unknown = tuple(
            DigestMessage(received_at=m.received_at, sender=m.sender or "", subject=m.subject)
            for m in tx.inbound(["unknown"], since=since)
        )
        return DigestView(open_cases=tuple(open_cases), overdue=tuple(overdue), quarantined=quarantined,
                          unknown_senders=unknown, week=this_week(cases, now, plan, cal), web_url=self.web_url)
