"""The Adresseregister in the routine: an order's HER-ids, the AR step verified, and when the daily check is due."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.ar.verdict import RegisterAnswer, certificate_warnings, order_problem, publication_gaps
from bot.domain import Audience, CaseState, MailKind, Role
from bot.routine.actions import Action, CommandReceived, Decision, RecordEvent, RegisterChecked, SendMail
from bot.routine.calendar import BusinessCalendar
from bot.routine.case import Case
from bot.routine.confirm import activated_mails, answer, complete, confirm, finish, target_step
from bot.routine.plan import Completion, Plan, StepPlan
from bot.routine.schedule import deadlines, resolve

BY_REGISTER = "Adresseregisteret"
ORDER_PENDING = "register_order_pending"  # AR gave no answer at the order: the daily check tries again
ORDER_CHECKED = "register_order_checked"


def _judged(case: Case, register: RegisterAnswer | None, at: datetime, plan: Plan) -> list[tuple[int, str]]:
    """(HER-id, why it cannot be used) for each of the order's HER-ids AR rejects: unknown, inactive, another
    kommune's. The health trusts' own HER-ids are not the kommune's to publish and are not judged."""
    if register is None or register.unavailable is not None or case.municipality is None:
        return []
    own = {case.municipality.org_number} if case.municipality.org_number else set()
    return [(found.her_id, problem) for found in register.found if found.her_id not in plan.trust_her_ids
            and (problem := order_problem(found, own, case.municipality.name, at)) is not None]


def order_register_problems(case: Case, register: RegisterAnswer | None, at: datetime,
                            plan: Plan) -> tuple[str, ...]:
    """Why the order's HER-ids cannot be used, as AR tells it (for the clarification)."""
    return tuple(problem for _, problem in _judged(case, register, at, plan))


def rejected_her_ids(case: Case, register: RegisterAnswer | None, at: datetime, plan: Plan) -> frozenset[int]:
    """The HER-ids AR rejects for this kommune."""
    return frozenset(her_id for her_id, _ in _judged(case, register, at, plan))


def order_register_actions(register: RegisterAnswer | None) -> tuple[Action, ...]:
    """For an accepted order: what AR said on the record, or, when AR gave no answer, a warning to the
    coordinators and a mark for the daily check to try again."""
    if register is None:
        return ()
    if register.unavailable is not None:
        return (RecordEvent(ORDER_PENDING, register.unavailable),
                SendMail(MailKind.NOTICE, Audience.COORDINATORS, detail=(
                    "Adresseregisteret svarte ikke da bestillingen kom, så HER-id-ene er ikke sjekket. "
                    f"Bestillingen er tatt imot som vanlig; boten sjekker igjen ved neste daglige kontroll.\n"
                    f"Feil: {register.unavailable}")))
    return (RecordEvent(ORDER_CHECKED, register.lines().replace("\n", "; ")),)


def checks_from(case: Case, plan: Plan, cal: BusinessCalendar) -> datetime | None:
    """From when the AR step's daily checks run: the morning of its `checked_from` reminder's day (without
    one, from the order); None when the routine has no such step or D is not known."""
    step = plan.register_step
    if step is None or case.activation_date is None:
        return None
    if step.checked_from is None:
        return case.order_received_at
    deadline = deadlines(case, plan, cal).get(step.name)
    day = cal.local(resolve(step.checked_from.at, case.activation_date, deadline, cal)).date()
    return cal.at(day, plan.register.daily_check).astimezone(UTC)


def step_check_due(case: Case, now: datetime, plan: Plan, cal: BusinessCalendar) -> bool:
    """Whether the daily check should look at the AR step: open, with HER-ids, and its checks begun."""
    step, start = plan.register_step, checks_from(case, plan, cal)
    return (case.state is CaseState.ACTIVE and step is not None and not case.step(step.name).done
            and bool(case.her_ids) and start is not None and start <= now)


def _ready(case: Case, register: RegisterAnswer, at: datetime, plan: Plan,
           cal: BusinessCalendar) -> tuple[list[str], list[str]]:
    """What keeps the case's HER-ids from being ready for D, and the certificate warnings."""
    assert case.activation_date is not None
    checked = {f.her_id for f in register.found}
    gaps = [f"HER-id {h} er ikke sjekket i Adresseregisteret" for h in case.her_ids
            if h not in checked and h not in plan.trust_her_ids]
    gaps += [g for f in register.found for g in publication_gaps(f, at, case.activation_date, cal.tz)]
    warnings = [w for f in register.found
                for w in certificate_warnings(f, case.activation_date, plan.register.certificate_warning_days, cal.tz)]
    return gaps, warnings


def _warn(warnings: list[str], plan: Plan) -> tuple[Action, ...]:
    if not warnings:
        return ()
    text = "\n".join(f"- {w}" for w in warnings)
    return (RecordEvent("certificate_warning", "; ".join(warnings)),
            SendMail(MailKind.NOTICE, Audience.COORDINATORS, plan.register_step.name if plan.register_step else None,
                     detail=f"Sertifikater i Adresseregisteret som går ut kort tid etter aktiveringsdatoen "
                            f"(innen {plan.register.certificate_warning_days} dager):\n{text}"))


def confirm_with_register(case: Case, ev: CommandReceived, step: StepPlan, plan: Plan,
                          cal: BusinessCalendar) -> Decision:
    """The kommune says the AR step is done: it counts when AR agrees; otherwise it is told what is missing."""
    register, current = ev.register, case.step(step.name)
    assert register is not None
    done = replace(current, done_at=ev.at, done_by=ev.sender)
    if register.unavailable is None and not register.found:
        return complete(case, ev, done, plan)  # nothing AR could say (only the health trusts' HER-ids)
    if register.unavailable is not None:
        decision = complete(case, ev, done, plan)
        return Decision(decision.case, (*decision.actions, RecordEvent("register_unavailable", register.unavailable),
                                        SendMail(MailKind.NOTICE, Audience.COORDINATORS, step.name, detail=(
            f"Kommunen meldte «{step.short_label}» som gjort, men Adresseregisteret svarte ikke, så boten kunne "
            f"ikke sjekke det. Steget er registrert som utført på kommunens ord.\nFeil: {register.unavailable}"))))
    gaps, warnings = _ready(case, register, ev.at, plan, cal)
    if gaps:
        missing = "\n".join(f"- {g}" for g in gaps)
        return Decision(case, (
            RecordEvent("register_disagrees", f"{ev.sender}: " + "; ".join(gaps)),
            answer(ev, f"Takk! Adresseregisteret viser ennå ikke alt som trengs for «{step.short_label}»:\n"
                       f"{missing}\nSteget står derfor åpent. Boten sjekker Adresseregisteret hver morgen og "
                       "registrerer steget som utført når alt er på plass.", step.name),
        ))
    decision = complete(case, ev, done, plan, f"Bekreftet i Adresseregisteret:\n{register.lines()}")
    return Decision(decision.case, (RecordEvent("register_verified", register.lines().replace("\n", "; ")),
                                    *decision.actions, *_warn(warnings, plan)))


def register_checked(case: Case, ev: RegisterChecked, plan: Plan, cal: BusinessCalendar) -> Decision:
    """The daily check: an order AR could not check before, and the AR step done "by AR" once AR shows it."""
    answer_ = ev.answer
    if answer_.unavailable is not None:
        return Decision(case, (RecordEvent("register_unavailable", answer_.unavailable),))
    actions: list[Action] = [RecordEvent("register_checked", answer_.lines().replace("\n", "; "))]
    if ev.order_check:
        actions += _order_checked_again(case, answer_, ev.at, plan)
    step = plan.register_step
    if not (ev.step_check and answer_.found and step is not None and case.state is CaseState.ACTIVE
            and not case.step(step.name).done and case.activation_date is not None):
        return Decision(case, tuple(actions))
    gaps, warnings = _ready(case, answer_, ev.at, plan, cal)
    if gaps:
        return Decision(case, (*actions, RecordEvent("register_not_ready", "; ".join(gaps))))
    done = replace(case.step(step.name), done_at=ev.at, done_by=BY_REGISTER)
    updated, finished, activated_by = finish(case, done, plan)
    actions += [RecordEvent("step_done", f"{step.name} by {BY_REGISTER}"), *finished]
    if activated_by is not None:
        return Decision(updated, (*actions, *activated_mails(activated_by), *_warn(warnings, plan)))
    return Decision(updated, (*actions, SendMail(MailKind.STEP_CONFIRMED, Audience.KOMMUNE, step.name, detail=(
        f"Boten har sjekket Adresseregisteret: alt er på plass.\n{answer_.lines()}")), *_warn(warnings, plan)))


def _order_checked_again(case: Case, register: RegisterAnswer, at: datetime, plan: Plan) -> list[Action]:
    problems = order_register_problems(case, register, at, plan)
    actions: list[Action] = [RecordEvent(ORDER_CHECKED, register.lines().replace("\n", "; "))]
    if problems:
        text = "\n".join(f"- {p}" for p in problems)
        actions += [
            SendMail(MailKind.NOTICE, Audience.COORDINATORS, detail=(
                f"HER-id-ene i bestillingen er nå sjekket i Adresseregisteret (det svarte ikke da bestillingen "
                f"kom):\n{text}")),
            SendMail(MailKind.NOTICE, Audience.KOMMUNE, detail=(
                f"Vi har sjekket HER-id-ene i bestillingen i NHN Adresseregisteret:\n{text}\n"
                "Svar på denne e-posten med riktig HER-id, så retter vi saken.")),
        ]
    return actions


def wants_register(case: Case | None, ev: CommandReceived, step: StepPlan | None) -> bool:
    """Whether a confirmation is checked against AR: the kommune's, of the open AR step, on a case with HER-ids."""
    return (case is not None and step is not None and step.completion is Completion.ADRESSEREGISTER
            and ev.role is Role.KOMMUNE and not case.step(step.name).done and bool(case.her_ids))


def confirm_checked(case: Case, ev: CommandReceived, plan: Plan, cal: BusinessCalendar) -> Decision:
    """A confirmation that came with AR's answer: checked against AR when it is the kommune's for the AR step,
    otherwise an ordinary confirmation."""
    name = target_step(case, ev, plan, cal)
    step = plan.steps.get(name) if name is not None else None
    if step is None or ev.register is None or not wants_register(case, ev, step) or ev.role not in step.confirmed_by:
        return confirm(case, ev, plan, cal)
    return confirm_with_register(case, ev, step, plan, cal)
