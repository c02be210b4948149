"""rules/routine.yaml loads with SPEC §2's defaults, and every typo stops start-up with file and key."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest
import yaml

from bot.domain import Owner, Step
from bot.routine.calendar import ClosedDays
from bot.routine.plan import Anchor, Completion, Offset, load_plan
from bot.rulefile import RULES_DIR, RulesError

SHIPPED = RULES_DIR / "routine.yaml"


def test_shipped_routine_has_spec_defaults() -> None:
    """The shipped routine is SPEC §2: lead time, closed days, trusts and every step's deadline."""
    plan = load_plan()
    assert plan.min_lead_days == 14
    assert plan.closed_days == ClosedDays(julaften=True, nyttarsaften=True, onsdag_for_skjaertorsdag=False)
    assert [(t.key, t.org_number) for t in plan.health_trusts] == [
        ("st_olav", "883974832"),
        ("hnt", "983974791"),
        ("hmr", "997005562"),
    ]
    assert list(plan.steps) == list(Step)
    deadlines = {s: p.deadline for s, p in plan.steps.items() if p.deadline is not None}
    assert deadlines == {
        Step.AR_PUBLISERING: Offset(Anchor.D, -14, None, time(16, 0)),
        Step.PARTNERAVTALER: Offset(Anchor.D, -7, None, time(8, 0)),
        Step.TESTMELDINGER: Offset(Anchor.D, -5, None, time(16, 0)),
        Step.DIALOGMELDING: Offset(Anchor.D, 0, None, time(15, 0)),
    }
    assert plan.step(Step.PARTNERAVTALER).completion is Completion.CONFIRM_EACH_HEALTH_TRUST
    assert plan.step(Step.AKTIVERING).completion is Completion.AUTOMATIC


# (step, name, audience, kind, anchor, calendar days, business days, clock time or None = the deadline's)
SHIPPED_DUE = [
    ("ar_publisering", "kommune_week_before", "kommune", "reminder", "deadline", -7, None, "08:00"),
    ("ar_publisering", "kommune_two_business_days_before", "kommune", "reminder", "deadline", 0, -2, "08:00"),
    ("ar_publisering", "escalation", "coordinators", "escalation", "deadline", 0, None, None),
    ("ar_publisering", "kommune_d_at_risk", "kommune", "escalation", "deadline", 0, None, None),
    (
        "partneravtaler",
        "coordinators_three_business_days_before",
        "coordinators",
        "reminder",
        "deadline",
        0,
        -3,
        "08:00",
    ),
    ("partneravtaler", "escalation", "coordinators", "escalation", "deadline", 0, None, None),
    ("testmeldinger", "coordinators_send_tests", "coordinators", "reminder", "d", -7, None, "08:00"),
    ("testmeldinger", "test_notice", "kommune", "test_notice", "d", -7, None, "08:00"),
    ("testmeldinger", "escalation", "coordinators", "escalation", "deadline", 0, None, None),
    ("dialogmelding", "dialog_notice", "kommune", "dialog_notice", "d", 0, -1, "12:00"),
    ("dialogmelding", "coordinators_send_dialogmelding", "coordinators", "reminder", "d", 0, None, "09:00"),
    ("dialogmelding", "escalation", "coordinators", "escalation", "deadline", 0, None, None),
]


def test_shipped_reminders_and_escalations_are_spec_defaults() -> None:
    """Every reminder, notice and escalation of SPEC §2 is in the shipped routine, and nothing else."""
    plan = load_plan()
    got = [
        (
            step.value,
            r.name,
            r.audience.value,
            r.kind.value,
            r.at.anchor.value,
            r.at.days,
            r.at.business_days,
            r.at.time.strftime("%H:%M") if r.at.time else None,
        )
        for step, sp in plan.steps.items()
        for r in (*sp.reminders, *sp.escalations)
    ]
    assert got == SHIPPED_DUE


def test_shipped_steps_have_norwegian_labels_and_owners() -> None:
    """Each step carries a label for the timeline and the owner of SPEC §2's table."""
    plan = load_plan()
    owners = {s: p.owner for s, p in plan.steps.items()}
    assert owners == {
        Step.BESTILLING: Owner.KOMMUNE,
        Step.AR_PUBLISERING: Owner.KOMMUNE,
        Step.PARTNERAVTALER: Owner.COORDINATORS,
        Step.TESTMELDINGER: Owner.COORDINATORS,
        Step.DIALOGMELDING: Owner.COORDINATORS,
        Step.AKTIVERING: Owner.BOT,
    }
    assert all(p.label for p in plan.steps.values())


def _variant(tmp_path: Path, edit: str) -> Path:
    """Write the shipped routine with one edit applied (a dotted path → new value, or deletion)."""
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    EDITS[edit](data)
    path = tmp_path / "routine.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _set(path: str, value: object) -> object:
    def apply(data: dict[str, object]) -> None:
        *parents, last = path.split(".")
        node: object = data
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]  # type: ignore[index]
        if isinstance(node, list):
            node[int(last)] = value
        elif value is _DELETE:
            del node[last]  # type: ignore[attr-defined]
        else:
            node[last] = value  # type: ignore[index]

    return apply


_DELETE = object()

EDITS = {
    "unknown step": _set("steps.ar_publiserng", {"owner": "kommune", "label": "x", "completion": "confirm"}),
    "missing step": _set("steps.testmeldinger", _DELETE),
    "bad time": _set("steps.ar_publisering.deadline.time", "25:00"),
    "bad time format": _set("steps.dialogmelding.reminders.1.at.time", "9"),
    "positive offset": _set("steps.partneravtaler.deadline.days", 7),
    "huge offset": _set("steps.ar_publisering.reminders.0.at.days", -700),
    "offset as text": _set("steps.ar_publisering.reminders.0.at.days", "seven"),
    "unknown anchor": _set("steps.ar_publisering.deadline.from", "dd"),
    "unknown key": _set("steps.ar_publisering.remnders", []),
    "unknown top-level key": _set("min_lead_dayz", 14),
    "wrong type": _set("min_lead_days", "fourteen"),
    "wrong type bool": _set("closed_days.julaften", "ja"),
    "missing key": _set("steps.ar_publisering.owner", _DELETE),
    "missing top-level key": _set("min_lead_days", _DELETE),
    "unknown audience": _set("steps.ar_publisering.reminders.0.audience", "kommunen"),
    "unknown mail kind": _set("steps.ar_publisering.reminders.0.kind", "remind"),
    "unknown closed day": _set("closed_days.julaftan", True),
    "bad org number": _set("health_trusts.hnt.org_number", "98397479"),
}

EXPECTED_KEY = {
    "unknown step": "steps.ar_publiserng",
    "missing step": "steps.testmeldinger",
    "bad time": "steps.ar_publisering.deadline.time",
    "bad time format": "steps.dialogmelding.reminders.1.at.time",
    "positive offset": "steps.partneravtaler.deadline.days",
    "huge offset": "steps.ar_publisering.reminders.0.at.days",
    "offset as text": "steps.ar_publisering.reminders.0.at.days",
    "unknown anchor": "steps.ar_publisering.deadline.from",
    "unknown key": "steps.ar_publisering.remnders",
    "unknown top-level key": "min_lead_dayz",
    "wrong type": "min_lead_days",
    "wrong type bool": "closed_days.julaften",
    "missing key": "steps.ar_publisering.owner",
    "missing top-level key": "min_lead_days",
    "unknown audience": "steps.ar_publisering.reminders.0.audience",
    "unknown mail kind": "steps.ar_publisering.reminders.0.kind",
    "unknown closed day": "closed_days.julaftan",
    "bad org number": "health_trusts.hnt.org_number",
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_typos_name_file_and_key(tmp_path: Path, edit: str) -> None:
    """A typo in routine.yaml raises RulesError naming the file and the offending key."""
    path = _variant(tmp_path, edit)
    with pytest.raises(RulesError) as err:
        load_plan(path)
    assert err.value.path == str(path)
    assert err.value.key.startswith(EXPECTED_KEY[edit])
    assert err.value.reason
    assert str(path) in str(err.value)


@pytest.mark.parametrize(
    ("yaml_text", "key"),
    [
        ("steps: [1, 2", "line"),  # broken YAML
        ("- just\n- a list\n", ""),  # not a mapping
    ],
)
def test_broken_yaml_is_a_rules_error(tmp_path: Path, yaml_text: str, key: str) -> None:
    """Unparseable YAML is reported as a RulesError, not a traceback."""
    path = tmp_path / "routine.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(RulesError) as err:
        load_plan(path)
    assert err.value.key.startswith(key)


def test_missing_file_is_a_rules_error(tmp_path: Path) -> None:
    """A missing routine file names the file."""
    with pytest.raises(RulesError, match="cannot read"):
        load_plan(tmp_path / "nope.yaml")


def test_closed_days_can_be_changed_in_the_file(tmp_path: Path) -> None:
    """Setting onsdag_for_skjaertorsdag: true in the file reaches the plan."""
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    data["closed_days"]["onsdag_for_skjaertorsdag"] = True
    data["closed_days"]["julaften"] = False
    path = tmp_path / "routine.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert load_plan(path).closed_days == ClosedDays(julaften=False, onsdag_for_skjaertorsdag=True)


def test_duplicate_reminder_names_are_refused(tmp_path: Path) -> None:
    """Two reminders of one step with the same name would share a send-once key, so that is an error."""
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    data["steps"]["ar_publisering"]["reminders"][1]["name"] = "kommune_week_before"
    path = tmp_path / "routine.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulesError, match="duplicate") as err:
        load_plan(path)
    assert err.value.key == "steps.ar_publisering"
