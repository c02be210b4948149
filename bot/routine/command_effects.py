"""What reply commands do to a case (SPEC §4): the checks every command passes, and each command's effect."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.domain import Audience, CaseState, MailKind, Role
from bot.routine.actions import (
    STATE_CHANGING,
    Command,
    CommandReceived,
    Decision,
    RecordEvent,
    Schedule,
    SendMail,
)
from bot.routine.calendar import BusinessCalendar
from bot.routine.case import Case, Deviation
from bot.routine.confirm import answer, confirm, refuse
from bot.routine.contacts import approve_contact
from bot.routine.orders import answer_order, fmt_date, move_problems, proposed_move_date
from bot.routine.plan import Plan
from bot.routine.register import confirm_checked
from bot.routine.schedule import schedule_for


def apply_command(case: Case, ev: CommandReceived, now: datetime, plan: Plan, cal: BusinessCalendar) -> Decision:
    """Carry out one command. Who may use which command (rules/commands.yaml) intake has checked and put in
    `refused_reason`, with the reply key and sender authentication; a stranger never gets anything done."""
    reason = "Ukjent avsender (unknown sender)." if ev.role is Role.STRANGER else ev.refused_reason
    if reason is None and not case.is_open and ev.command in STATE_CHANGING:
        reason = f"Saken er avsluttet ({case.state.value}); ingenting er endret (the case is closed)."
    if reason is None and case.state is CaseState.NEEDS_INFO and ev.command is Command.CONFIRM:
        reason = "Bestillingen mangler opplysninger; ingen steg kan bekreftes ennå (the order is incomplete)."
    if reason is not None:
        return refuse(case, ev, reason)
    match ev.command:
        case Command.CONFIRM:
            return confirm_checked(case, ev, plan, cal) if ev.register is not None else confirm(case, ev, plan, cal)
        case Command.DEVIATION:
            return _deviation(case, ev)
        case Command.NEW_DATE:
            return _new_date(case, ev, now, plan, cal)
        case Command.STATUS:
            # The command_result template shows the case's status and the commands; no text of our own.
            return Decision(case, (RecordEvent("status", ev.sender), answer(ev, "")))
        case Command.CANCEL:
            return _cancel(case, ev)
        case Command.HELP:
            return Decision(case, (RecordEvent("help", ev.sender), answer(ev, "")))
        case Command.APPROVE_CONTACT:
            return approve_contact(case, ev, plan.order_step.name)
    raise ValueError(f"unknown command {ev.command!r}")  # pragma: no cover - the enum is closed


# --- the other commands -------------------------------------------------------------------------


def _deviation(case: Case, ev: CommandReceived) -> Decision:
    text = ev.text.strip()
    if not text:
        detail = "Skriv avviket etter «avvik:» (the deviation text is missing)."
        return Decision(case, (RecordEvent("command_ignored", detail), answer(ev, detail)))
    updated = replace(case, deviations=(*case.deviations, Deviation(at=ev.at, text=text, by=ev.sender)))
    return Decision(
        updated,
        (
            RecordEvent("deviation", text),
            SendMail(MailKind.DEVIATION, Audience.KOMMUNE, ev.step, detail=text),
        ),
    )


def _new_date(case: Case, ev: CommandReceived, now: datetime, plan: Plan, cal: BusinessCalendar) -> Decision:
    new_d = ev.new_date
    if new_d is None:
        detail = "Fant ingen dato etter «ny dato:» (no date found); skriv f.eks. «ny dato: 15.03.2027»."
        return Decision(case, (RecordEvent("command_ignored", detail), answer(ev, detail)))
    if case.state is CaseState.NEEDS_INFO:
        # Before acceptance a new D is part of the order: validated like the order, from its arrival.
        changed = replace(case, activation_date=new_d)
        outcome = answer_order(
            changed, case.order_received_at, now, ev.sender, ev.message_id, plan, cal, first=False
        )
        return Decision(
            outcome.case,
            (RecordEvent("date_changed", f"{case.activation_date} -> {new_d}"), *outcome.actions),
        )
    old_d = case.activation_date
    if new_d == old_d:
        detail = f"Aktiveringsdatoen er allerede {fmt_date(new_d)}; ingenting er endret."
        return Decision(case, (RecordEvent("command_ignored", detail), answer(ev, detail)))
    problems = move_problems(case, new_d, now, plan, cal)
    if problems:
        proposal = proposed_move_date(case, new_d, now, plan, cal)
        detail = "\n".join(problems)
        if proposal is not None:
            detail += f"\nForslag: {fmt_date(proposal)}."
        return Decision(case, (RecordEvent("command_refused", detail), answer(ev, detail)))
    moved = replace(case, activation_date=new_d)
    change = f"{fmt_date(old_d) if old_d else '-'} → {fmt_date(new_d)}"
    return Decision(
        moved,
        (
            RecordEvent("date_changed", change),
            # New deadlines are new keys: reminders already sent for the old D fire again once.
            Schedule(schedule_for(moved, plan, cal, after=now)),
            SendMail(MailKind.DATE_CHANGED, Audience.KOMMUNE, detail=change),
            answer(ev, f"Ny aktiveringsdato registrert: {change}"),
        ),
    )


def _cancel(case: Case, ev: CommandReceived) -> Decision:
    cancelled = replace(case, state=CaseState.CANCELLED)
    return Decision(
        cancelled,
        (
            RecordEvent("cancelled", f"by {ev.sender}: {ev.text}".strip()),
            Schedule(()),
            SendMail(MailKind.CANCELLED, Audience.KOMMUNE, detail=ev.text),
        ),
    )
