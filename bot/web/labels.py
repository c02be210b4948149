"""The names people read on the status page: steps (from the plan), case states and owners, in Norwegian."""

from __future__ import annotations

from bot.domain import CaseState
from bot.outbound.views import OWNER_LABELS, STATE_LABELS
from bot.routine.plan import Plan


def short_label(plan: Plan, step: str) -> str:
    """A step's short name from rules/routine.yaml (its label when it has none)."""
    return plan.step(step).short_label


def state_label(state: CaseState) -> str:
    return STATE_LABELS.get(state, state.value)


def owner_label(owner: str) -> str:
    return OWNER_LABELS.get(owner, owner)
