"""What a template may show: the mail's context, and the values derived from it (steps, timeline, warnings)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from bot.domain import CaseState, MailKind, Municipality, Owner, Role
from bot.outbound.formatting import format_date_nb, format_datetime_nb, local
from bot.routine.calendar import BusinessCalendar
from bot.routine.case import Case
from bot.routine.plan import Plan, StepPlan
from bot.routine.schedule import TimelineEntry, step_status
from bot.routine.week import WeekItem

TYPE_LABELS: Mapping[str, str] = {
    "DIALOGMELDING": "Dialogmelding",
    "PLO": "PLO",
    "EPIKRISE": "Epikrise",
    "SVARRAPPORT": "Svarrapport (lab)",
    "HENVISNING": "Henvisning",
    "AVVIKSMELDING": "Avviksmelding",
}
OWNER_LABELS: Mapping[str, str] = {"kommune": "Kommunen", "coordinators": "Hemit/HF", "bot": "Boten"}
STATE_LABELS: Mapping[CaseState, str] = {
    CaseState.NEEDS_INFO: "venter på opplysninger",
    CaseState.ACTIVE: "under arbeid",
    CaseState.ACTIVATED: "aktivert",
    CaseState.CANCELLED: "avbrutt",
}
# A quoted sentence is shown at most this long (a reply's line can be longer than anyone reads).
QUOTE_CHARS = 300
# A receipt warns when a deadline of the kommune's is closer than this to the moment the order is confirmed.
TIGHT_LEAD = timedelta(days=7)


@dataclass(frozen=True)
class DigestCase:
    ref: str
    municipality_name: str
    state: CaseState
    activation_date: date | None
    next_label: str  # what happens next, e.g. "Publisering i Adresseregisteret"
    next_deadline: datetime | None


@dataclass(frozen=True)
class DigestOverdue:
    ref: str
    municipality_name: str
    step: str
    deadline: datetime


@dataclass(frozen=True)
class DigestMessage:
    received_at: datetime
    sender: str
    subject: str
    reason: str = ""  # why it was quarantined, empty for unknown senders


@dataclass(frozen=True)
class DigestView:
    """What the weekly digest shows coordinators."""

    open_cases: tuple[DigestCase, ...] = ()
    overdue: tuple[DigestOverdue, ...] = ()
    quarantined: tuple[DigestMessage, ...] = ()
    unknown_senders: tuple[DigestMessage, ...] = ()
    week: tuple[WeekItem, ...] = ()  # the status page's "this week" strip, as a plain list
    web_url: str | None = None  # the status page, when BOT_WEB_PUBLIC_URL is set


@dataclass(frozen=True, kw_only=True)
class MailContext:
    """Everything a mail is about; the templates' values are derived from it in this module only."""

    now: datetime
    case: Case | None = None
    step: str | None = None
    detail: str = ""  # recipient-supplied or engine text, always shown as data
    recipient_role: str = "kommune"  # "kommune", "coordinators" or "sender"
    help_text: str = ""
    digest: DigestView | None = None
    warnings: tuple[str, ...] = ()
    proposed_date: date | None = None
    problems: tuple[str, ...] = ()  # clarification: what is invalid, beyond the fields that are missing
    sender: str = ""  # forward/notice: whose message this is about
    previous_date: date | None = None  # date_changed: the activation date before the move
    quote: str = ""  # step_confirmed / step_reopened: the sentence the command was read from


@dataclass(frozen=True)
class TypeView:
    code: str
    label: str
    version: str | None
    outdated: bool

    @property
    def display(self) -> str:
        return f"{self.label} {self.version}" if self.version else f"{self.label} (versjon ikke oppgitt)"


@dataclass(frozen=True)
class StepView:
    step: str
    label: str
    status: str  # "done", "overdue", "pending" (bot.routine.schedule.step_status)
    deadline: datetime | None
    done_at: datetime | None
    done_by: str | None


@dataclass(frozen=True)
class PartnerView:
    key: str
    name: str
    confirmed: bool


def step_views(case: Case, now: datetime, plan: Plan, cal: BusinessCalendar,
               deadlines: Mapping[str, datetime]) -> tuple[StepView, ...]:
    """Every step of the routine with its status, in the routine's order."""
    return tuple(
        StepView(name, sp.short_label, step_status(case, name, now, plan, cal).value, deadlines.get(name),
                 case.step(name).done_at, case.step(name).done_by)
        for name, sp in plan.steps.items()
    )


def partner_views(case: Case | None, plan: Plan) -> tuple[PartnerView, ...]:
    """The health trusts, each confirmed or not for the step that is confirmed per health trust."""
    step = plan.part_step
    if step is None:
        return ()
    state = case.step(step.name) if case else None
    return tuple(PartnerView(t.key, t.name, bool(state and (state.done or t.key in state.confirmed_parts)))
                 for t in plan.health_trusts)


def template_values(kind: MailKind, ctx: MailContext, timeline: tuple[TimelineEntry, ...], plan: Plan,
                    cal: BusinessCalendar) -> dict[str, object]:
    """The jinja values of one mail: built here and nowhere else."""
    case, tz = ctx.case, cal.tz
    deadlines = {e.step: e.at for e in timeline if e.kind == "deadline"}
    event_days: dict[str, date] = {}
    for e in timeline:
        if e.kind != "deadline":
            event_days.setdefault(e.step, local(e.at, tz).date())
    types = tuple(_type_view(t.code, t.version, case) for t in (case.message_types if case else ()))
    municipality: Municipality | None = case.municipality if case else None
    kommune = municipality.name if municipality else "Ukjent kommune"
    prefix = ""
    if case is not None:
        prefix = f"[{case.ref}] {kommune} kommune:" if municipality else f"[{case.ref}]"
    step = plan.steps.get(ctx.step) if ctx.step else None
    return {
        "kind": kind.value,
        "subject_prefix": prefix,
        "case": case,
        "ref": case.ref if case else None,
        "kommune": kommune,
        "municipality": municipality,
        "state": case.state.value if case else None,
        "state_label": STATE_LABELS[case.state] if case else "",
        "activation_date": case.activation_date if case else None,
        "message_types": types,
        "has_lab": any(t.code == "SVARRAPPORT" for t in types),
        "her_ids": case.her_ids if case else (),
        "contact_email": case.contact_email if case else None,
        "deviations": case.deviations if case else (),
        "undeliverable": case.undeliverable if case else (),
        "timeline": timeline,
        "deadlines": deadlines,
        "event_days": event_days,
        "steps": step_views(case, ctx.now, plan, cal, deadlines) if case else (),
        "step": ctx.step,
        "step_label": step.short_label if step else (ctx.step or ""),
        "step_deadline": deadlines.get(ctx.step) if ctx.step else None,
        "step_done": bool(case and ctx.step and case.step(ctx.step).done),
        "quote": " ".join(ctx.quote.split())[:QUOTE_CHARS],
        "may_reopen": _may_reopen(step, ctx.recipient_role),
        "partners": partner_views(case, plan),
        "detail": ctx.detail,
        "recipient_role": ctx.recipient_role,
        "help_text": ctx.help_text,
        "digest": ctx.digest,
        "warnings": _warnings(case, types, deadlines, ctx, plan, tz),
        "problems": _problems(case, types, ctx, plan, tz),
        "proposed_date": ctx.proposed_date or (case.proposed_date if case else None),
        "sender": ctx.sender,
        "previous_date": ctx.previous_date,
        "now": ctx.now,
    }


def _may_reopen(step: StepPlan | None, recipient_role: str) -> bool:
    """Whether the recipient may reopen the step by reply: who may confirm a step may undo it."""
    role = Role.COORDINATOR if recipient_role == "coordinators" else Role.KOMMUNE
    return step is not None and step.confirmable and role in step.confirmed_by


def _type_view(code: str, version: str | None, case: Case | None) -> TypeView:
    outdated = any(t.code == code and t.version == version for t in (case.outdated_versions if case else ()))
    return TypeView(code, TYPE_LABELS.get(code, code), version, outdated)


def _warnings(case: Case | None, types: tuple[TypeView, ...], deadlines: Mapping[str, datetime],
              ctx: MailContext, plan: Plan, tz: tzinfo) -> tuple[str, ...]:
    out = [f"{t.display} er en eldre versjon – sjekk versjonen med Hemit." for t in types if t.outdated]
    if case is not None and case.state is CaseState.ACTIVE:
        for name, sp in plan.steps.items():
            at = deadlines.get(name)
            if sp.owner is Owner.KOMMUNE and at is not None and not case.step(name).done and at - ctx.now < TIGHT_LEAD:
                out.append(f"Kort tid: «{sp.short_label}» må være gjort innen {format_datetime_nb(at, tz)}.")
    out.extend(ctx.warnings)
    return tuple(dict.fromkeys(out))


def _problems(case: Case | None, types: tuple[TypeView, ...], ctx: MailContext, plan: Plan,
              tz: tzinfo) -> tuple[str, ...]:
    out: list[str] = []
    if case is not None:
        if case.municipality is None:
            out.append("Vi fant ikke hvilken kommune bestillingen gjelder. Oppgi kommunenavn eller -nummer.")
        if case.activation_date is None:
            out.append("Aktiveringsdato mangler.")
        if not types:
            out.append(
                "Meldingstyper mangler: skriv hvilke meldinger kommunen skal ta i bruk "
                "(for eksempel PLO 1.6, dialogmelding 1.1, epikrise 1.2, lab/svarrapport 1.4)."
            )
        no_version = [t.label for t in types if not t.version]
        if no_version:
            out.append(f"Versjon mangler for: {', '.join(no_version)}.")
    out.extend(ctx.problems)
    proposed = ctx.proposed_date or (case.proposed_date if case else None)
    d = case.activation_date if case else None
    if not ctx.problems and d is not None and proposed is not None and proposed != d:
        out.append(
            f"Aktiveringsdatoen {format_date_nb(d, tz)} kan ikke brukes: den må være en virkedag minst "
            f"{plan.min_lead_days} dager etter at bestillingen kom inn."
        )
    return tuple(out)
