"""Completing steps by reply, as rules/routine.yaml says: who may confirm, per part or whole, what it does."""

from __future__ import annotations

from dataclasses import replace

from bot.domain import Audience, CaseState, MailKind, Role
from bot.routine.actions import Action, CommandReceived, Decision, RecordEvent, Schedule, SendMail
from bot.routine.calendar import BusinessCalendar
from bot.routine.case import Case, StepState
from bot.routine.plan import Completion, OnDone, Plan, StepPlan
from bot.routine.schedule import deadlines

ALREADY_CONFIRMED = "allerede bekreftet (already confirmed)"


def answer(ev: CommandReceived, detail: str, step: str | None = None,
           kind: MailKind = MailKind.COMMAND_RESULT) -> SendMail:
    """The answer to the command's sender, in reply to the command."""
    return SendMail(kind, Audience.SENDER, step, detail=detail, in_reply_to=ev.message_id, to=(ev.sender,))


def refuse(case: Case, ev: CommandReceived, reason: str) -> Decision:
    """Nothing changes; a known sender is told why (no backscatter to strangers)."""
    actions: list[Action] = [RecordEvent("command_refused", f"{ev.command.value} by {ev.sender}: {reason}")]
    if ev.role is not Role.STRANGER:
        actions.append(answer(ev, reason, ev.step))
    return Decision(case, tuple(actions))


def _ignored(case: Case, ev: CommandReceived, detail: str, step: str | None) -> Decision:
    return Decision(case, (RecordEvent("command_ignored", detail), answer(ev, detail, step)))


def target_step(case: Case, ev: CommandReceived, plan: Plan, cal: BusinessCalendar) -> str | None:
    """The named (or replied-to) step, else the open step with the earliest deadline the sender may confirm."""
    if ev.step is not None:
        return ev.step
    allowed = [s for s in plan.steps.values() if s.confirmable and ev.role in s.confirmed_by]
    if not allowed:
        return None
    due = deadlines(case, plan, cal)
    open_steps = sorted((s for s in allowed if not case.step(s.name).done),
                        key=lambda s: (s.name not in due, due.get(s.name), plan.index(s.name)))
    return open_steps[0].name if open_steps else allowed[-1].name


def confirm(case: Case, ev: CommandReceived, plan: Plan, cal: BusinessCalendar) -> Decision:
    """A confirmation: the step (or one part of it) is done, with whatever completing it does."""
    name = target_step(case, ev, plan, cal)
    step = plan.steps.get(name) if name is not None else None
    if step is None:
        return _ignored(case, ev, "Fant ikke hvilket steg bekreftelsen gjelder (no step to confirm).", None)
    if step.completion is Completion.ORDER_ACCEPTED:
        return _ignored(case, ev, "Bestillingen er allerede mottatt (the order is already accepted).", step.name)
    if step.completion is Completion.AUTOMATIC:
        detail = f"«{step.short_label}» skjer automatisk og bekreftes ikke (the step completes automatically)."
        return _ignored(case, ev, detail, step.name)
    if ev.role not in step.confirmed_by:
        who = "koordinatorene" if step.confirmed_by == {Role.COORDINATOR} else "kommunen"
        return refuse(case, ev, f"Bare {who} kan bekrefte «{step.short_label}» "
                                f"(you may not confirm {step.name}).")
    current = case.step(step.name)
    if plan.parts(step.name):
        return _confirm_part(case, ev, current, step, plan)
    if current.done:
        return _already(case, ev, step)
    return complete(case, ev, replace(current, done_at=ev.at, done_by=ev.sender), plan)


def _already(case: Case, ev: CommandReceived, step: StepPlan) -> Decision:
    return Decision(case, (RecordEvent("already_confirmed", f"{step.name} by {ev.sender}"),
                           answer(ev, f"{step.short_label}: {ALREADY_CONFIRMED}", step.name)))


def _confirm_part(case: Case, ev: CommandReceived, current: StepState, step: StepPlan, plan: Plan) -> Decision:
    all_parts = plan.parts(step.name)
    if ev.part is not None and ev.part not in all_parts:
        detail = f"Ukjent helseforetak «{ev.part}» (unknown health trust); bruk {', '.join(sorted(all_parts))}."
        return _ignored(case, ev, detail, step.name)
    wanted = frozenset({ev.part}) if ev.part is not None else all_parts
    new_parts = wanted - current.confirmed_parts
    if current.done or not new_parts:
        return _already(case, ev, step)
    parts = current.confirmed_parts | new_parts
    names = ", ".join(t.name for t in plan.health_trusts if t.key in new_parts)
    if parts >= all_parts:
        return complete(case, ev, replace(current, confirmed_parts=parts, done_at=ev.at, done_by=ev.sender), plan,
                        names)
    progress = f"{step.short_label}: bekreftet for {names} ({len(parts)} av {len(all_parts)})"
    return Decision(case.with_step(replace(current, confirmed_parts=parts)), (
        RecordEvent("part_confirmed", f"{progress} by {ev.sender}"),
        answer(ev, progress, step.name, MailKind.STEP_CONFIRMED),
    ))


def complete(case: Case, ev: CommandReceived, done: StepState, plan: Plan, detail: str = "") -> Decision:
    """Mark the step done, then the automatic steps that follow it, and carry out their `on_done`."""
    updated, actions, activated_by = finish(case, done, plan)
    actions.insert(0, RecordEvent("step_done", f"{done.step} by {ev.sender}"))
    if activated_by is not None:
        # The activated mail says it all: no separate step confirmation.
        return Decision(updated, (*actions, *activated_mails(activated_by)))
    actions.append(answer(ev, detail, done.step, MailKind.STEP_CONFIRMED))
    # When a coordinator completes a step, the kommune hears about the progress too.
    if ev.role is Role.COORDINATOR:
        actions.append(SendMail(MailKind.STEP_CONFIRMED, Audience.KOMMUNE, done.step, detail=detail))
    return Decision(updated, tuple(actions))


def finish(case: Case, done: StepState, plan: Plan) -> tuple[Case, list[Action], str | None]:
    """The step done and the automatic steps after it, with their `on_done` carried out: the case, what to
    record, and the step that activated the case (if one did). Mails are the caller's."""
    assert done.done_at is not None
    updated = case.with_step(done)
    actions: list[Action] = []
    activated_by: str | None = None
    for step in (plan.step(done.step), *plan.completed_with(done.step)):
        if step.name != done.step:
            updated = updated.with_step(StepState(step.name, done_at=done.done_at, done_by="bot"))
        for effect in step.on_done:
            if effect is OnDone.DEACTIVATE_UNTIL_D:
                updated = replace(updated, service_deactivated_until_d=True)
                actions.append(RecordEvent("service_deactivated_until_d", ""))
            elif effect is OnDone.ACTIVATE and activated_by is None:
                updated, activated_by = replace(updated, state=CaseState.ACTIVATED), step.name
                actions += [RecordEvent("activated", ""), Schedule(())]
    return updated, actions, activated_by


def activated_mails(step: str) -> tuple[SendMail, ...]:
    return (SendMail(MailKind.ACTIVATED, Audience.KOMMUNE, step),
            SendMail(MailKind.ACTIVATED, Audience.COORDINATORS, step))
