"""rules/routine.yaml → the frozen `Plan`: steps, deadlines, reminders, closed days and health trusts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, field_validator, model_validator

from bot.domain import Audience, MailKind, Owner, Step
from bot.routine.calendar import ClosedDays, parse_hhmm
from bot.rulefile import RULES_DIR, RulesError, load_yaml

# Offsets further out than this are almost certainly a typo (a year instead of a day count).
_MAX_OFFSET_DAYS = 90


class Anchor(StrEnum):
    D = "d"
    DEADLINE = "deadline"


class Completion(StrEnum):
    ORDER_ACCEPTED = "order_accepted"
    CONFIRM = "confirm"
    CONFIRM_EACH_HEALTH_TRUST = "confirm_each_health_trust"
    AUTOMATIC = "automatic"


# --- the file's schema (pydantic) ---------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class OffsetModel(_Strict):
    anchor: Anchor = Field(alias="from")
    days: StrictInt | None = None
    business_days: StrictInt | None = None
    time: str | None = None

    @field_validator("days", "business_days")
    @classmethod
    def _backwards_and_near(cls, v: int | None) -> int | None:
        if v is not None and not -_MAX_OFFSET_DAYS <= v <= 0:
            raise ValueError(f"must be between -{_MAX_OFFSET_DAYS} and 0 (offsets count backwards)")
        return v

    @field_validator("time")
    @classmethod
    def _hhmm(cls, v: str | None) -> str | None:
        if v is not None:
            parse_hhmm(v)
        return v

    @model_validator(mode="after")
    def _one_kind_of_days(self) -> OffsetModel:
        if self.days is not None and self.business_days is not None:
            raise ValueError("give either days or business_days, not both")
        if self.anchor is Anchor.D and self.time is None:
            raise ValueError("an offset from d needs a time (HH:MM)")
        return self


class DueModel(_Strict):
    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
    audience: Audience
    kind: MailKind
    at: OffsetModel | None = None  # escalations default to the deadline itself


class EventModel(_Strict):
    label: Annotated[str, Field(min_length=1)]
    owner: Owner
    at: OffsetModel


class StepModel(_Strict):
    owner: Owner
    label: Annotated[str, Field(min_length=1)]
    completion: Completion
    deadline: OffsetModel | None = None
    reminders: tuple[DueModel, ...] = ()
    escalations: tuple[DueModel, ...] = ()
    events: tuple[EventModel, ...] = ()

    @field_validator("deadline")
    @classmethod
    def _deadline_from_d(cls, v: OffsetModel | None) -> OffsetModel | None:
        if v is not None and v.anchor is not Anchor.D:
            raise ValueError("a deadline is counted from d")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> StepModel:
        from_deadline = any(e.at.anchor is Anchor.DEADLINE for e in self.events)
        if (self.reminders or self.escalations or from_deadline) and self.deadline is None:
            raise ValueError("reminders, escalations and events from the deadline need a deadline")
        names = [r.name for r in (*self.reminders, *self.escalations)]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate reminder/escalation name(s): {', '.join(dupes)}")
        return self


class HealthTrustModel(_Strict):
    name: Annotated[str, Field(min_length=1)]
    org_number: Annotated[str, Field(pattern=r"^\d{9}$")]
    her_id: StrictInt | None = None


class ClosedDaysModel(_Strict):
    julaften: StrictBool = True
    nyttarsaften: StrictBool = True
    onsdag_for_skjaertorsdag: StrictBool = False


class RoutineFile(_Strict):
    min_lead_days: Annotated[StrictInt, Field(ge=0, le=120)]
    closed_days: ClosedDaysModel = ClosedDaysModel()
    health_trusts: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")], HealthTrustModel]
    steps: dict[Step, StepModel]

    @field_validator("health_trusts")
    @classmethod
    def _some_trusts(cls, v: dict[str, HealthTrustModel]) -> dict[str, HealthTrustModel]:
        if not v:
            raise ValueError("at least one health trust is needed for partneravtaler")
        return v


# --- the value the engine uses ------------------------------------------------------------------


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
class TimelineEvent:
    label: str
    owner: Owner
    at: Offset


@dataclass(frozen=True)
class StepPlan:
    step: Step
    owner: Owner
    label: str
    completion: Completion
    deadline: Offset | None
    reminders: tuple[DueRule, ...]
    escalations: tuple[DueRule, ...]
    events: tuple[TimelineEvent, ...]


@dataclass(frozen=True)
class HealthTrust:
    key: str
    name: str
    org_number: str
    her_id: int | None


@dataclass(frozen=True)
class Plan:
    min_lead_days: int
    closed_days: ClosedDays
    health_trusts: tuple[HealthTrust, ...]
    steps: MappingProxyType[Step, StepPlan]

    def step(self, name: Step) -> StepPlan:
        return self.steps[name]

    def trust(self, key: str) -> HealthTrust | None:
        return next((t for t in self.health_trusts if t.key == key), None)

    @property
    def trust_keys(self) -> frozenset[str]:
        return frozenset(t.key for t in self.health_trusts)


def _offset(m: OffsetModel) -> Offset:
    return Offset(
        anchor=m.anchor,
        days=m.days or 0,
        business_days=m.business_days,
        time=parse_hhmm(m.time) if m.time is not None else None,
    )


def _due(m: DueModel) -> DueRule:
    at = _offset(m.at) if m.at is not None else Offset(anchor=Anchor.DEADLINE)
    return DueRule(name=m.name, audience=m.audience, kind=m.kind, at=at)


def _step(step: Step, m: StepModel) -> StepPlan:
    return StepPlan(
        step=step,
        owner=m.owner,
        label=m.label,
        completion=m.completion,
        deadline=_offset(m.deadline) if m.deadline is not None else None,
        reminders=tuple(_due(r) for r in m.reminders),
        escalations=tuple(_due(e) for e in m.escalations),
        events=tuple(TimelineEvent(e.label, e.owner, _offset(e.at)) for e in m.events),
    )


def build_plan(raw: RoutineFile) -> Plan:
    return Plan(
        min_lead_days=raw.min_lead_days,
        closed_days=ClosedDays(**raw.closed_days.model_dump()),
        health_trusts=tuple(
            HealthTrust(key, t.name, t.org_number, t.her_id) for key, t in raw.health_trusts.items()
        ),
        steps=MappingProxyType({s: _step(s, raw.steps[s]) for s in Step}),
    )


def load_plan(path: Path = RULES_DIR / "routine.yaml") -> Plan:
    """Load and validate the routine; any typo raises RulesError naming file, key and reason."""
    raw = load_yaml(path, RoutineFile)
    missing = [s.value for s in Step if s not in raw.steps]
    if missing:
        raise RulesError(path, f"steps.{missing[0]}", f"missing step(s): {', '.join(missing)}")
    if raw.steps[Step.PARTNERAVTALER].completion is not Completion.CONFIRM_EACH_HEALTH_TRUST:
        raise RulesError(path, "steps.partneravtaler.completion", "must be confirm_each_health_trust")
    if raw.steps[Step.AKTIVERING].completion is not Completion.AUTOMATIC:
        raise RulesError(path, "steps.aktivering.completion", "must be automatic")
    return build_plan(raw)
