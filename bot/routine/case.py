"""The case value the engine works on: one onboarding of one kommune, with its steps."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from bot.domain import CaseState, Municipality, OrderedType


@dataclass(frozen=True)
class StepState:
    step: str  # a step of rules/routine.yaml
    done_at: datetime | None = None  # aware UTC
    done_by: str | None = None
    # a step confirmed per health trust: the keys (rules/routine.yaml `health_trusts`) confirmed so far
    confirmed_parts: frozenset[str] = frozenset()

    @property
    def done(self) -> bool:
        return self.done_at is not None


@dataclass(frozen=True)
class Deviation:
    at: datetime
    text: str
    by: str


@dataclass(frozen=True)
class CaseSummary:
    """What a list of cases shows of one (`cases`, `cases --json`): the store reads it straight from its rows,
    without the rest of the case; `Case.summary` gives the same for a whole case."""

    ref: str
    state: CaseState
    municipality: Municipality | None
    activation_date: date | None
    done_steps: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Case:
    """One onboarding case. `ref` is "OPK-<n>"; the store assigns n, never reused."""

    ref: str
    state: CaseState
    municipality: Municipality | None
    activation_date: date | None
    message_types: tuple[OrderedType, ...]
    her_ids: tuple[int, ...]
    contact_email: str | None
    created_at: datetime
    order_received_at: datetime  # when the (first) order arrived: the lead-time rule counts from here
    steps: tuple[StepState, ...] = ()
    deviations: tuple[Deviation, ...] = ()
    undeliverable: tuple[str, ...] = ()
    service_deactivated_until_d: bool = False
    outdated_versions: tuple[OrderedType, ...] = field(default=())
    proposed_date: date | None = None  # what the last clarification proposed

    def step(self, name: str) -> StepState:
        for s in self.steps:
            if s.step == name:
                return s
        return StepState(step=name)

    def with_step(self, new: StepState) -> Case:
        others = tuple(s for s in self.steps if s.step != new.step)
        ordered = tuple(sorted((*others, new), key=lambda s: s.step))
        return replace(self, steps=ordered)

    @property
    def summary(self) -> CaseSummary:
        return CaseSummary(self.ref, self.state, self.municipality, self.activation_date,
                           frozenset(s.step for s in self.steps if s.done))

    @property
    def is_open(self) -> bool:
        return self.state in (CaseState.NEEDS_INFO, CaseState.ACTIVE)
