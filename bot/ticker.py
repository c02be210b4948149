"""The scheduler's tick: due reminders from the database into the engine, and the weekly digest."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.app import App
from bot.domain import CaseState, MailKind, Step, StepStatus
from bot.effects import MailRequest
from bot.mail.compose import DigestCase, DigestMessage, DigestOverdue, DigestView
from bot.routine.actions import DueReached
from bot.routine.case import Case
from bot.routine.engine import handle
from bot.routine.schedule import deadlines, next_deadline, step_status
from bot.routine.week import this_week
from bot.store.repo import Tx

log = logging.getLogger("bot.tick")
DIGEST_MAX_DELAY = timedelta(hours=24)


def tick(app: App) -> int:
    """Feed every due schedule row to the engine, one transaction per case; returns rows handled."""
    now = app.clock.now()
    with app.store.tx() as tx:
        due = tx.due(now)
    handled = 0
    for ref, items in due.items():
        with app.store.tx() as tx:
            case = tx.load_case(ref)
            if case is None:
                continue
            outcome = handle(case, DueReached(tuple(items), now), now, app.plan, app.calendar)
            app.effects.apply(tx, outcome, now)
        handled += len(items)
    send_digest_if_due(app, now)
    send_held_back_summaries(app, now)
    return handled


def send_held_back_summaries(app: App, now: datetime) -> int:
    """Tell each coordinator, at most once a day, what the daily cap kept from them (bot.recipient_gate)."""
    with app.store.tx() as tx:
        summaries = app.gate.summaries(tx, now)
        for req in summaries:
            app.enqueue(tx, req, now)
    return len(summaries)


def last_digest_instant(app: App, now: datetime) -> datetime:
    """The most recent weekly digest time (weekday and HH:MM in the local zone) at or before `now`."""
    local = app.calendar.local(now)
    back = (local.weekday() - app.settings.digest_weekday) % 7
    day = (local - timedelta(days=back)).date()
    instant = app.calendar.at(day, app.settings.digest_time)
    if instant > now:
        instant = app.calendar.at(day - timedelta(days=7), app.settings.digest_time)
    return instant


def send_digest_if_due(app: App, now: datetime) -> bool:
    """Once per week, at most a day late (a bot down longer waits for the next one).

    Skipped when there was nothing to report at the digest's time: no case open then and no
    quarantined or unknown mail in the week before it (so a fresh install sends none on its first day).
    """
    if not app.settings.coordinator_list:
        return False
    instant = last_digest_instant(app, now)
    if now - instant > DIGEST_MAX_DELAY:
        return False
    key = instant.isoformat()
    with app.store.tx() as tx:
        if tx.has_event_since("digest", key, instant - timedelta(days=8)):
            return False
        cases = tx.list_cases([CaseState.NEEDS_INFO, CaseState.ACTIVE])
        view = build_digest(app, tx, cases, now, since=instant - timedelta(days=7))
        tx.add_event(None, now, "digest", key)
        open_then = any(c.created_at <= instant for c in cases)
        odd_mail = any(m.received_at <= instant for m in (*view.quarantined, *view.unknown_senders))
        if not (open_then or odd_mail):
            return False
        app.enqueue(tx, MailRequest(kind=MailKind.DIGEST, case=None, to=app.settings.coordinator_list,
                                    recipient_role="coordinators", digest=view), now)
    log.info("digest queued for %s", key)
    return True


def build_digest(app: App, tx: Tx, cases: list[Case], now: datetime, *, since: datetime) -> DigestView:
    open_cases, overdue = [], []
    for case in cases:
        name = case.municipality.name if case.municipality else "(ukjent kommune)"
        nxt = next_deadline(case, now, app.plan, app.calendar)
        label = ""
        dl = deadlines(case, app.plan, app.calendar)
        for step, at in sorted(dl.items(), key=lambda kv: kv[1]):
            if step_status(case, step, now, app.plan, app.calendar) is StepStatus.OVERDUE:
                overdue.append(DigestOverdue(ref=case.ref, municipality_name=name, step=step, deadline=at))
            if nxt is not None and at == nxt and not label:
                label = app.plan.step(step).label
        if case.state is CaseState.NEEDS_INFO:
            label = app.plan.step(Step.BESTILLING).label
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
                      unknown_senders=unknown, week=this_week(cases, now, app.plan, app.calendar),
                      web_url=app.settings.web_public_url)
