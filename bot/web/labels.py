"""The names people read on the status page: steps, case states and owners, in Norwegian."""

from __future__ import annotations

from bot.domain import CaseState, Step
from bot.mail.compose import OWNER_LABELS, STATE_LABELS, STEP_LABELS
from bot.routine.plan import Plan


def short_label(plan: Plan, step: Step) -> str:
    """A step's short name (the mails' name for it), else its label from rules/routine.yaml."""
    return STEP_LABELS.get(step) or plan.step(step).label


def state_label(state: CaseState) -> str:
    return STATE_LABELS.get(state, state.value)


def owner_label(owner: str) -> str:
    return OWNER_LABELS.get(owner, owner)
