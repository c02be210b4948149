"""What reply commands do to a case (SPEC §4): who may use them and their effects."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.domain import Audience, CaseState, MailKind, Role, Step
from bot.routine.actions import (
    STATE_CHANGING,
    Action,
    Command,
    CommandReceived,
    Outcome,
    RecordEvent,
    Schedule,
    SendMail,
)
from bot.routine.calendar import BusinessCalendar
from bot.routine.case import Case, Deviation, StepState
from bot.routine.contacts import approve_contact
from bot.routine.orders import answer_order, fmt_date, move_problems, proposed_move_date
from bot.routine.plan import Plan
from bot.routine.schedule import schedule_for

# Steps a person confirms, in routine order; bestilling and aktivering are never confirmed by hand.
CONFIRMABLE = (Step.AR_PUBLISERING, Step.PARTNERAVTALER, Step.TESTMELDINGER, Step.DIALOGMELDING)
_COORDINATOR_ONLY = {
    Command.DEVIATION: "Bare koordinatorer kan registrere avvik (only coordinators may record deviations).",
    Command.NEW_DATE: "Bare koordinatorer kan endre aktiveringsdatoen (only coordinators may change D).",
    Command.CANCEL: "Bare koordinatorer kan avbryte saken (only coordinators may cancel a case).",
    Command.APPROVE_CONTACT: "Bare koordinatorer kan godkjenne en kontaktadresse (only coordinators may approve "
                             "a contact).",
}
ALREADY_CONFIRMED = "allerede bekreftet (already confirmed)"
_NOT_CONFIRMABLE = {
    Step.BESTILLING: "Bestillingen er allerede mottatt (the order is already accepted).",
    Step.AKTIVERING: "Aktivering skjer automatisk etter bekreftet dialogmelding (activation is automatic).",
}


def authorize(command: Command, role: Role, step: Step | None) -> str | None:
    """None when `role` may run `command` on `step`, else the reason (Norwegian, English in brackets)."""
    if role is Role.STRANGER:
        return "Ukjent avsender (unknown sender)."
    if role is Role.COORDINATOR or command in (Command.HELP, Command.STATUS):
        return None
    if command is Command.CONFIRM:
        if step is None or step is Step.AR_PUBLISERING:
            return None
        return "Kommunen kan bare bekrefte AR-publisering (the kommune may only confirm ar_publisering)."
    return _COORDINATOR_ONLY[command]


def _answer(
    ev: CommandReceived, detail: str, step: Step | None = None, kind: MailKind = MailKind.COMMAND_RESULT
) -> SendMail:
    return SendMail(kind, Audience.SENDER, step, detail=detail, in_reply_to=ev.message_id, to=(ev.sender,))


def _refuse(case: Case, ev: CommandReceived, reason: str) -> Outcome:
    actions: list[Action] = [RecordEvent("command_refused", f"{ev.command.value} by {ev.sender}: {reason}")]
    if ev.role is not Role.STRANGER:  # no backscatter to unknown senders
        actions.append(_answer(ev, reason, ev.step))
    return Outcome(case, tuple(actions))


def run_command(case: Case, ev: CommandReceived, now: datetime, plan: Plan, cal: BusinessCalendar) -> Outcome:
    reason = authorize(ev.command, ev.role, ev.step) or ev.refused_reason
    if reason is None and not case.is_open and ev.command in STATE_CHANGING:
        reason = f"Saken er avsluttet ({case.state.value}); ingenting er endret (the case is closed)."
    if reason is None and case.state is CaseState.NEEDS_INFO and ev.command is Command.CONFIRM:
        reason = "Bestillingen mangler opplysninger; ingen steg kan bekreftes ennå (the order is incomplete)."
    if reason is not None:
        return _refuse(case, ev, reason)
    match ev.command:
        case Command.CONFIRM:
            return _confirm(case, ev, plan)
        case Command.DEVIATION:
            return _deviation(case, ev)
        case Command.NEW_DATE:
            return _new_date(case, ev, now, plan, cal)
        case Command.STATUS:
            # The command_result template shows the case's status and the commands; no text of our own.
            return Outcome(case, (RecordEvent("status", ev.sender), _answer(ev, "")))
        case Command.CANCEL:
            return _cancel(case, ev)
        case Command.HELP:
            return Outcome(case, (RecordEvent("help", ev.sender), _answer(ev, "")))
        case Command.APPROVE_CONTACT:
            return approve_contact(case, ev)
    raise ValueError(f"unknown command {ev.command!r}")  # pragma: no cover - the enum is closed


# --- confirmations ------------------------------------------------------------------------------


def _target_step(case: Case, ev: CommandReceived) -> Step:
    """The named (or replied-to) step, else the earliest open step the sender may confirm."""
    if ev.step is not None:
        return ev.step
    allowed = CONFIRMABLE if ev.role is Role.COORDINATOR else (Step.AR_PUBLISERING,)
    open_steps = [s for s in allowed if not case.step(s).done]
    return open_steps[0] if open_steps else allowed[-1]


def _confirm(case: Case, ev: CommandReceived, plan: Plan) -> Outcome:
    step = _target_step(case, ev)
    if step not in CONFIRMABLE:
        detail = _NOT_CONFIRMABLE[step]
        return Outcome(case, (RecordEvent("command_ignored", detail), _answer(ev, detail, step)))
    current = case.step(step)
    if step is Step.PARTNERAVTALER:
        return _confirm_partner(case, ev, current, plan)
    if current.done:
        return _already(case, ev, step)
    return _mark_done(case, ev, replace(current, done_at=ev.at, done_by=ev.sender))


def _already(case: Case, ev: CommandReceived, step: Step) -> Outcome:
    return Outcome(
        case,
        (
            RecordEvent("already_confirmed", f"{step.value} by {ev.sender}"),
            _answer(ev, f"{step.value}: {ALREADY_CONFIRMED}", step),
        ),
    )


def _confirm_partner(case: Case, ev: CommandReceived, current: StepState, plan: Plan) -> Outcome:
    if ev.part is not None and plan.trust(ev.part) is None:
        keys = ", ".join(sorted(plan.trust_keys))
        detail = f"Ukjent helseforetak «{ev.part}» (unknown health trust); bruk {keys}."
        return Outcome(
            case, (RecordEvent("command_ignored", detail), _answer(ev, detail, Step.PARTNERAVTALER))
        )
    wanted = frozenset({ev.part}) if ev.part is not None else plan.trust_keys
    new_parts = wanted - current.confirmed_parts
    if current.done or not new_parts:
        return _already(case, ev, Step.PARTNERAVTALER)
    parts = current.confirmed_parts | new_parts
    names = ", ".join(t.name for t in plan.health_trusts if t.key in new_parts)
    if parts >= plan.trust_keys:
        return _mark_done(
            case, ev, replace(current, confirmed_parts=parts, done_at=ev.at, done_by=ev.sender), names
        )
    partial = case.with_step(replace(current, confirmed_parts=parts))
    progress = f"Partneravtale bekreftet: {names} ({len(parts)} av {len(plan.trust_keys)})"
    return Outcome(
        partial,
        (
            RecordEvent("part_confirmed", f"{progress} by {ev.sender}"),
            _answer(ev, progress, Step.PARTNERAVTALER, MailKind.STEP_CONFIRMED),
        ),
    )


def _mark_done(case: Case, ev: CommandReceived, done: StepState, detail: str = "") -> Outcome:
    step = done.step
    updated = case.with_step(done)
    actions: list[Action] = [RecordEvent("step_done", f"{step.value} by {ev.sender}")]
    if step is Step.TESTMELDINGER:
        updated = replace(updated, service_deactivated_until_d=True)
        actions.append(RecordEvent("service_deactivated_until_d", ""))
    if step is Step.DIALOGMELDING:
        activated = replace(
            updated.with_step(StepState(Step.AKTIVERING, done_at=ev.at, done_by="bot")),
            state=CaseState.ACTIVATED,
        )
        return Outcome(
            activated,
            (
                *actions,
                RecordEvent("activated", ""),
                Schedule(()),
                SendMail(MailKind.ACTIVATED, Audience.KOMMUNE, Step.AKTIVERING),
                SendMail(MailKind.ACTIVATED, Audience.COORDINATORS, Step.AKTIVERING),
            ),
        )
    actions.append(_answer(ev, detail, step, MailKind.STEP_CONFIRMED))
    # When a coordinator completes a step, the kommune hears about the progress too.
    if ev.role is Role.COORDINATOR:
        actions.append(SendMail(MailKind.STEP_CONFIRMED, Audience.KOMMUNE, step, detail=detail))
    return Outcome(updated, tuple(actions))


# --- the other commands -------------------------------------------------------------------------


def _deviation(case: Case, ev: CommandReceived) -> Outcome:
    text = ev.text.strip()
    if not text:
        detail = "Skriv avviket etter «avvik:» (the deviation text is missing)."
        return Outcome(case, (RecordEvent("command_ignored", detail), _answer(ev, detail)))
    updated = replace(case, deviations=(*case.deviations, Deviation(at=ev.at, text=text, by=ev.sender)))
    return Outcome(
        updated,
        (
            RecordEvent("deviation", text),
            SendMail(MailKind.DEVIATION, Audience.KOMMUNE, ev.step, detail=text),
        ),
    )


def _new_date(case: Case, ev: CommandReceived, now: datetime, plan: Plan, cal: BusinessCalendar) -> Outcome:
    new_d = ev.new_date
    if new_d is None:
        detail = "Fant ingen dato etter «ny dato:» (no date found); skriv f.eks. «ny dato: 15.03.2027»."
        return Outcome(case, (RecordEvent("command_ignored", detail), _answer(ev, detail)))
    if case.state is CaseState.NEEDS_INFO:
        # Before acceptance a new D is part of the order: validated like the order, from its arrival.
        changed = replace(case, activation_date=new_d)
        outcome = answer_order(
            changed, case.order_received_at, now, ev.sender, ev.message_id, plan, cal, first=False
        )
        return Outcome(
            outcome.case,
            (RecordEvent("date_changed", f"{case.activation_date} -> {new_d}"), *outcome.actions),
        )
    old_d = case.activation_date
    if new_d == old_d:
        detail = f"Aktiveringsdatoen er allerede {fmt_date(new_d)}; ingenting er endret."
        return Outcome(case, (RecordEvent("command_ignored", detail), _answer(ev, detail)))
    problems = move_problems(case, new_d, now, plan, cal)
    if problems:
        proposal = proposed_move_date(case, new_d, now, plan, cal)
        detail = "\n".join(problems)
        if proposal is not None:
            detail += f"\nForslag: {fmt_date(proposal)}."
        return Outcome(case, (RecordEvent("command_refused", detail), _answer(ev, detail)))
    moved = replace(case, activation_date=new_d)
    change = f"{fmt_date(old_d) if old_d else '-'} → {fmt_date(new_d)}"
    return Outcome(
        moved,
        (
            RecordEvent("date_changed", change),
            # New deadlines are new keys: reminders already sent for the old D fire again once.
            Schedule(schedule_for(moved, plan, cal, after=now)),
            SendMail(MailKind.DATE_CHANGED, Audience.KOMMUNE, detail=change),
            _answer(ev, f"Ny aktiveringsdato registrert: {change}"),
        ),
    )


def _cancel(case: Case, ev: CommandReceived) -> Outcome:
    cancelled = replace(case, state=CaseState.CANCELLED)
    return Outcome(
        cancelled,
        (
            RecordEvent("cancelled", f"by {ev.sender}: {ev.text}".strip()),
            Schedule(()),
            SendMail(MailKind.CANCELLED, Audience.KOMMUNE, detail=ev.text),
        ),
    )
