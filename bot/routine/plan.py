"""rules/routine.yaml → the frozen `Plan`: steps and what they mean, deadlines, reminders, closed days, trusts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from pathlib import Path
from types import MappingProxyType

from bot.domain import Audience, MailKind, Owner, Role
from bot.routine.calendar import ClosedDays, parse_hhmm
from bot.routine.plan_file import (
    Anchor,
    CalendarModel,
    Completion,
    DueModel,
    OffsetModel,
    OnDone,
    RegisterModel,
    RoutineFile,
    StepModel,
)
from bot.rulefile import RULES_DIR, RulesError, load_yaml

__all__ = ["Anchor", "CalendarSpec", "Completion", "OnDone", "Plan", "RegisterRules", "StepPlan", "build_plan",
           "load_plan"]


@dataclass(frozen=True)
class Offset:
    """A moment relative to D or to a step's deadline; `time` None = the deadline's clock time."""

    anchor: Anchor
    days: int = 0
    business_days: int | None = None
    time: time | None = None


@dataclass(frozen=True)
class DueRule:
    name: str
    audience: Audience
    kind: MailKind
    at: Offset  # escalations: Offset(DEADLINE) = at the deadline


@dataclass(frozen=True)
class CalendarSpec:
    """How a deadline or event appears in the receipt's .ics; summary and description are jinja text."""

    summary: str
    description: str
    minutes: int | None  # None: an all-day event on the entry's day
    busy: bool


@dataclass(frozen=True)
class TimelineEvent:
    label: str
    owner: Owner
    at: Offset
    calendar: CalendarSpec | None = None


@dataclass(frozen=True)
class StepPlan:
    """One step of the routine: what it is, how it completes, who may confirm it, what completing it does."""

    name: str
    owner: Owner
    label: str
    short_label: str
    completion: Completion
    confirmed_by: frozenset[Role]
    on_done: tuple[OnDone, ...]
    after: str | None  # automatic steps: the step whose completion completes this one
    deadline: Offset | None
    reminders: tuple[DueRule, ...]
    escalations: tuple[DueRule, ...]
    events: tuple[TimelineEvent, ...]
    calendar: CalendarSpec | None  # the deadline in the .ics: a block of `minutes` ending at it
    checked_from: DueRule | None = None  # adresseregister: daily AR checks from this reminder's day

    @property
    def confirmable(self) -> bool:
        return self.completion in (Completion.CONFIRM, Completion.CONFIRM_EACH_HEALTH_TRUST,
                                   Completion.ADRESSEREGISTER)


@dataclass(frozen=True)
class HealthTrust:
    key: str
    name: str
    org_number: str
    her_id: int | None


@dataclass(frozen=True)
class RegisterRules:
    """The bot's own checks in the Adresseregister (BOT_AR=rest): when each day, and how near to D a
    certificate may end before the coordinators are warned."""

    daily_check: time
    certificate_warning_days: int


@dataclass(frozen=True)
class Plan:
    min_lead_days: int
    max_lead_days: int
    closed_days: ClosedDays
    health_trusts: tuple[HealthTrust, ...]
    steps: MappingProxyType[str, StepPlan]  # in the file's order
    register: RegisterRules = RegisterRules(time(7, 0), 60)

    def step(self, name: str) -> StepPlan:
        return self.steps[name]

    def trust(self, key: str) -> HealthTrust | None:
        return next((t for t in self.health_trusts if t.key == key), None)

    @property
    def trust_keys(self) -> frozenset[str]:
        return frozenset(t.key for t in self.health_trusts)

    @property
    def trust_her_ids(self) -> frozenset[int]:
        return frozenset(t.her_id for t in self.health_trusts if t.her_id is not None)

    @property
    def order_step(self) -> StepPlan:
        """The step an accepted order completes (validated: exactly one)."""
        return next(s for s in self.steps.values() if s.completion is Completion.ORDER_ACCEPTED)

    @property
    def register_step(self) -> StepPlan | None:
        """The step the Adresseregister verifies, if the routine has one (validated: at most one)."""
        return next((s for s in self.steps.values() if s.completion is Completion.ADRESSEREGISTER), None)

    @property
    def part_step(self) -> StepPlan | None:
        """The step confirmed once per health trust, if the routine has one (validated: at most one)."""
        return next((s for s in self.steps.values() if s.completion is Completion.CONFIRM_EACH_HEALTH_TRUST), None)

    def parts(self, step: str) -> frozenset[str]:
        """The parts that must each be confirmed for `step` (the health trusts), or none."""
        per_part = self.steps[step].completion is Completion.CONFIRM_EACH_HEALTH_TRUST
        return self.trust_keys if per_part else frozenset()

    def completed_with(self, step: str) -> tuple[StepPlan, ...]:
        """The automatic steps that complete when `step` does (and, in turn, the ones after those)."""
        out: list[StepPlan] = []
        todo = [step]
        while todo:
            done = todo.pop(0)
            for s in self.steps.values():
                if s.completion is Completion.AUTOMATIC and s.after == done and s not in out:
                    out.append(s)
                    todo.append(s.name)
        return tuple(out)

    def index(self, step: str) -> int:
        """The step's position in the routine, for stable ordering (unknown names sort last)."""
        names = list(self.steps)
        return names.index(step) if step in names else len(names)


def _offset(m: OffsetModel) -> Offset:
    return Offset(anchor=m.anchor, days=m.days or 0, business_days=m.business_days,
                  time=parse_hhmm(m.time) if m.time is not None else None)


def _due(m: DueModel) -> DueRule:
    at = _offset(m.at) if m.at is not None else Offset(anchor=Anchor.DEADLINE)
    return DueRule(name=m.name, audience=m.audience, kind=m.kind, at=at)


def _calendar(m: CalendarModel | None) -> CalendarSpec | None:
    if m is None:
        return None
    return CalendarSpec(summary=m.summary, description=m.description, minutes=m.minutes, busy=m.busy)


def _step(name: str, m: StepModel, previous: str | None) -> StepPlan:
    confirmed_by = m.confirmed_by
    if confirmed_by is None:
        # By default coordinators confirm every step, and the kommune the steps it owns itself.
        confirmed_by = (Role.COORDINATOR, Role.KOMMUNE) if m.owner is Owner.KOMMUNE else (Role.COORDINATOR,)
    on_done = m.on_done
    if on_done is None:
        on_done = (OnDone.ACTIVATE,) if m.completion is Completion.AUTOMATIC else ()
    automatic = m.completion is Completion.AUTOMATIC
    reminders = tuple(_due(r) for r in m.reminders)
    checked_from = next((r for r in reminders if r.name == m.checked_from), None) if m.checked_from else None
    if m.completion is Completion.ADRESSEREGISTER and checked_from is None and reminders:
        checked_from = reminders[0]
    return StepPlan(
        name=name, owner=m.owner, label=m.label, short_label=m.short_label or m.label, completion=m.completion,
        confirmed_by=frozenset(confirmed_by), on_done=tuple(on_done),
        after=(m.after or previous) if automatic else None,
        deadline=_offset(m.deadline) if m.deadline is not None else None,
        reminders=reminders,
        escalations=tuple(_due(e) for e in m.escalations),
        events=tuple(TimelineEvent(e.label, e.owner, _offset(e.at), _calendar(e.calendar)) for e in m.events),
        calendar=_calendar(m.calendar),
        checked_from=checked_from,
    )


def _register(m: RegisterModel) -> RegisterRules:
    return RegisterRules(daily_check=parse_hhmm(m.daily_check), certificate_warning_days=m.certificate_warning_days)


def build_plan(raw: RoutineFile) -> Plan:
    steps: dict[str, StepPlan] = {}
    previous: str | None = None
    for name, model in raw.steps.items():
        steps[name] = _step(name, model, previous)
        previous = name
    return Plan(
        min_lead_days=raw.min_lead_days,
        max_lead_days=raw.max_lead_days,
        closed_days=ClosedDays(**raw.closed_days.model_dump()),
        health_trusts=tuple(HealthTrust(key, t.name, t.org_number, t.her_id) for key, t in raw.health_trusts.items()),
        steps=MappingProxyType(steps),
        register=_register(raw.adresseregister),
    )


def _check(plan: Plan, path: Path) -> None:
    """What the schema cannot see: how the steps refer to each other."""
    order_steps = [s.name for s in plan.steps.values() if s.completion is Completion.ORDER_ACCEPTED]
    if len(order_steps) != 1:
        raise RulesError(path, "steps", f"exactly one step needs completion: order_accepted (found {len(order_steps)})")
    per_trust = [s.name for s in plan.steps.values() if s.completion is Completion.CONFIRM_EACH_HEALTH_TRUST]
    if len(per_trust) > 1:
        raise RulesError(path, f"steps.{per_trust[1]}.completion", "only one step can be confirmed per health trust")
    checked = [s.name for s in plan.steps.values() if s.completion is Completion.ADRESSEREGISTER]
    if len(checked) > 1:
        raise RulesError(path, f"steps.{checked[1]}.completion", "only one step can be checked in the Adresseregister")
    if per_trust and not plan.health_trusts:
        raise RulesError(path, "health_trusts", f"{per_trust[0]} is confirmed per health trust, but none is listed")
    for step in plan.steps.values():
        if step.after is not None and (step.after not in plan.steps or step.after == step.name):
            raise RulesError(path, f"steps.{step.name}.after", f"not another step of the routine: {step.after!r}")
        if step.completion is Completion.AUTOMATIC and step.after is None:
            raise RulesError(path, f"steps.{step.name}.after", "an automatic step needs a step before it")
        if step.completion is Completion.ORDER_ACCEPTED and step.deadline is not None:
            raise RulesError(path, f"steps.{step.name}.deadline", "the order step has no deadline")
    if not any(OnDone.ACTIVATE in s.on_done for s in plan.steps.values()):
        raise RulesError(path, "steps", "no step activates the case (on_done: [activate])")


def load_plan(path: Path = RULES_DIR / "routine.yaml") -> Plan:
    """Load and validate the routine; any typo raises RulesError naming file, key and reason."""
    plan = build_plan(load_yaml(path, RoutineFile))
    _check(plan, path)
    return plan
