"""What each page shows: view models built from the store's read API and the routine's schedule."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage

from bot.app import App
from bot.domain import StepStatus
from bot.routine.case import Case, Deviation
from bot.routine.schedule import deadlines, step_status
from bot.routine.week import WeekItem, this_week, week_bounds
from bot.store import web_repo
from bot.store.repo import EventView
from bot.store.web_repo import OutboundMail
from bot.web.labels import owner_label, short_label, state_label
from bot.web.timeline import Picture, timeline_picture

# A mail's text on the page is cut here: enough for any real mail, bounded for a hostile one.
MAX_TEXT_CHARS = 20_000


@dataclass(frozen=True)
class CaseLine:
    """One case in the overview's tables."""

    ref: str
    municipality: str
    state: str
    state_label: str
    activation_date: date | None
    current: str  # the first step not done yet (short name), "" when the case is closed
    current_deadline: datetime | None
    current_overdue: bool
    overdue: tuple[str, ...]  # every overdue step (short names)
    deviations: int
    last_deviation: str


@dataclass(frozen=True)
class Overview:
    open_cases: tuple[CaseLine, ...]
    closed_cases: tuple[CaseLine, ...]
    week: tuple[WeekItem, ...]
    week_start: datetime
    week_end: datetime
    quarantined: int
    failed: tuple[OutboundMail, ...]
    outbox_pending: int

    @property
    def week_last_day(self) -> datetime:
        """An instant on the week's Sunday (week_end is the Monday after)."""
        return self.week_end - timedelta(hours=12)


@dataclass(frozen=True)
class StepLine:
    label: str
    owner: str
    status: str  # done, overdue, pending
    deadline: datetime | None
    done_at: datetime | None
    done_by: str | None


@dataclass(frozen=True)
class PartnerLine:
    name: str
    confirmed: bool


@dataclass(frozen=True)
class MailLine:
    direction: str  # "in" or "out"
    at: datetime
    sender: str
    recipients: str
    kind: str
    subject: str
    status: str  # inbound: the recorded outcome; outbound: pending, sent or failed
    text: str


@dataclass(frozen=True)
class CasePage:
    line: CaseLine
    case: Case
    steps: tuple[StepLine, ...]
    partners: tuple[PartnerLine, ...]
    deviations: tuple[Deviation, ...]
    events: tuple[EventView, ...]
    mails: tuple[MailLine, ...]
    picture: Picture | None


@dataclass(frozen=True)
class QuarantineLine:
    id: int
    at: datetime
    sender: str
    subject: str
    reason: str


def overview(app: App, now: datetime) -> Overview:
    with app.store.tx(read_only=True) as tx:
        cases = tx.list_cases()
        health = web_repo.health(tx)
        failed = web_repo.failed_mails(tx)
    lines = [case_line(app, c, now) for c in cases]
    start, end = week_bounds(now, app.calendar)
    return Overview(
        open_cases=tuple(sorted((ln for ln, c in zip(lines, cases, strict=True) if c.is_open),
                                key=lambda ln: (ln.activation_date or date.max, ln.ref))),
        closed_cases=tuple(ln for ln, c in zip(lines[::-1], cases[::-1], strict=True) if not c.is_open),
        week=this_week(cases, now, app.plan, app.calendar), week_start=start, week_end=end,
        quarantined=health.quarantined, failed=tuple(failed), outbox_pending=health.outbox_pending,
    )


def case_line(app: App, case: Case, now: datetime) -> CaseLine:
    plan, cal = app.plan, app.calendar
    status = {step: step_status(case, step, now, plan, cal) for step in plan.steps}
    current = next((s for s in plan.steps if status[s] is not StepStatus.DONE), None) if case.is_open else None
    return CaseLine(
        ref=case.ref,
        municipality=case.municipality.name if case.municipality else "(ukjent kommune)",
        state=case.state.value,
        state_label=state_label(case.state),
        activation_date=case.activation_date,
        current=short_label(plan, current) if current is not None else "",
        current_deadline=deadlines(case, plan, cal).get(current) if current is not None else None,
        current_overdue=current is not None and status[current] is StepStatus.OVERDUE,
        overdue=tuple(short_label(plan, s) for s in plan.steps if status[s] is StepStatus.OVERDUE),
        deviations=len(case.deviations),
        last_deviation=case.deviations[-1].text if case.deviations else "",
    )


def case_page(app: App, ref: str, now: datetime) -> CasePage | None:
    with app.store.tx(read_only=True) as tx:
        case = tx.load_case(ref)
        if case is None:
            return None
        events = tx.events(case.ref)
        schedule = tx.schedule_of(case.ref)
        inbound = web_repo.inbound_of(tx, case.ref)
        outbound = web_repo.outbound_of(tx, case.ref)
    plan, cal = app.plan, app.calendar
    dl = deadlines(case, plan, cal)
    steps = tuple(
        StepLine(short_label(plan, s), owner_label(sp.owner.value), step_status(case, s, now, plan, cal).value,
                 dl.get(s), case.step(s).done_at, case.step(s).done_by)
        for s, sp in plan.steps.items()
    )
    mails = [MailLine("in", m.at, m.sender, app.settings.mailbox_address, m.kind, m.subject, m.outcome, m.text)
             for m in inbound]
    mails += [MailLine("out", m.at, app.settings.mailbox_address, ", ".join(m.recipients), m.kind, m.subject,
                       m.status, text_of(m.raw)) for m in outbound]
    return CasePage(
        line=case_line(app, case, now), case=case, steps=steps, partners=_partners(app, case),
        deviations=case.deviations, events=tuple(events), mails=tuple(sorted(mails, key=lambda m: m.at)),
        picture=timeline_picture(case, plan, cal, now, schedule),
    )


def _partners(app: App, case: Case) -> tuple[PartnerLine, ...]:
    """Each health trust and whether the case's partner agreement with it is confirmed."""
    step = app.plan.part_step
    if step is None:
        return ()
    state = case.step(step.name)
    return tuple(PartnerLine(t.name, state.done or t.key in state.confirmed_parts) for t in app.plan.health_trusts)


def quarantine(app: App) -> tuple[QuarantineLine, ...]:
    with app.store.tx(read_only=True) as tx:
        rows = tx.inbound(["quarantined"], limit=500)
    return tuple(QuarantineLine(r.id, r.received_at, r.sender or "", r.subject, r.error or "") for r in rows)


def text_of(raw: bytes) -> str:
    """The text part of a mail the bot composed (cut at MAX_TEXT_CHARS)."""
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        body = msg.get_body(preferencelist=("plain",)) if isinstance(msg, EmailMessage) else None
        text = body.get_content() if body is not None else ""
    except (LookupError, ValueError) as exc:
        return f"(teksten kunne ikke leses: {exc})"
    return text if len(text) <= MAX_TEXT_CHARS else text[:MAX_TEXT_CHARS] + "\n…"
