"""rules/routine.yaml loads with SPEC §2's defaults, and every typo stops start-up with file and key."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest
import yaml

from bot.domain import Owner
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
    assert list(plan.steps) == ["bestilling", "ar_publisering", "partneravtaler", "testmeldinger", "dialogmelding",
                                "aktivering"]
    deadlines = {s: p.deadline for s, p in plan.steps.items() if p.deadline is not None}
    assert deadlines == {
        "ar_publisering": Offset(Anchor.D, -14, None, time(16, 0)),
        "partneravtaler": Offset(Anchor.D, -7, None, time(8, 0)),
        "testmeldinger": Offset(Anchor.D, -5, None, time(16, 0)),
        "dialogmelding": Offset(Anchor.D, 0, None, time(15, 0)),
    }
    assert plan.max_lead_days == 730
    assert plan.step("partneravtaler").completion is Completion.CONFIRM_EACH_HEALTH_TRUST
    assert plan.step("aktivering").completion is Completion.AUTOMATIC


def test_shipped_steps_say_what_they_mean() -> None:
    """Who confirms each step, what completing it does, and what completes the automatic one, as SPEC §2 says."""
    plan = load_plan()
    meaning = {name: (sorted(r.value for r in s.confirmed_by) if s.confirmable else None,
                      [e.value for e in s.on_done], s.after) for name, s in plan.steps.items()}
    assert meaning == {
        "bestilling": (None, [], None),
        "ar_publisering": (["coordinator", "kommune"], [], None),
        "partneravtaler": (["coordinator"], [], None),
        "testmeldinger": (["coordinator"], ["deactivate_until_d"], None),
        "dialogmelding": (["coordinator"], [], None),
        "aktivering": (None, ["activate"], "dialogmelding"),
    }
    assert plan.order_step.name == "bestilling"
    assert plan.part_step is not None and plan.part_step.name == "partneravtaler"
    assert plan.parts("partneravtaler") == {"st_olav", "hnt", "hmr"} and plan.parts("dialogmelding") == set()
    assert [s.name for s in plan.completed_with("dialogmelding")] == ["aktivering"]
    register = plan.register_step
    assert register is not None and register.name == "ar_publisering"
    assert register.checked_from is not None and register.checked_from.name == "kommune_week_before"
    assert (plan.register.daily_check.isoformat(), plan.register.certificate_warning_days) == ("07:00:00", 60)


def test_today_s_keys_alone_still_make_a_working_routine(tmp_path: Path) -> None:
    """A routine.yaml without the new keys (short_label, on_done, after, calendar) still loads: the automatic
    step follows the step above it and activates the case."""
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    for step in data["steps"].values():
        for key in ("short_label", "on_done", "after", "calendar"):
            step.pop(key, None)
        for event in step.get("events", []):
            event.pop("calendar", None)
    del data["max_lead_days"]
    path = tmp_path / "routine.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    plan = load_plan(path)
    assert plan.step("aktivering").after == "dialogmelding"
    assert [e.value for e in plan.step("aktivering").on_done] == ["activate"]
    assert plan.step("ar_publisering").short_label == plan.step("ar_publisering").label


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
            step,
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
        "bestilling": Owner.KOMMUNE,
        "ar_publisering": Owner.KOMMUNE,
        "partneravtaler": Owner.COORDINATORS,
        "testmeldinger": Owner.COORDINATORS,
        "dialogmelding": Owner.COORDINATORS,
        "aktivering": Owner.BOT,
    }
    assert all(p.label for p in plan.steps.values())


def _variant(tmp_path: Path, edit: str) -> Path:
    """Write the shipped routine with one edit applied (a dotted path → new value, or deletion)."""
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    EDITS[edit](data)
    path = tmp_path / "routine.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
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
    "bad step name": _set("steps.AR publisering", {"owner": "kommune", "label": "x", "completion": "confirm"}),
    "no order step": _set("steps.bestilling.completion", "confirm"),
    "two steps per trust": _set("steps.testmeldinger.completion", "confirm_each_health_trust"),
    "after an unknown step": _set("steps.aktivering.after", "dialog"),
    "after on a confirmed step": _set("steps.dialogmelding.after", "testmeldinger"),
    "a stranger confirms": _set("steps.ar_publisering.confirmed_by", ["stranger"]),
    "unknown effect": _set("steps.testmeldinger.on_done", ["deactivate"]),
    "nothing activates": _set("steps.aktivering.on_done", []),
    "deadline calendar without minutes": _set("steps.ar_publisering.calendar.minutes", _DELETE),
    "lead limit too short": _set("max_lead_days", 3),
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
    "checked from no reminder": _set("steps.ar_publisering.checked_from", "kommune_week"),
    "checked from on a confirmed step": _set("steps.dialogmelding.checked_from", "dialog_notice"),
    "two steps checked in AR": _set("steps.dialogmelding.completion", "adresseregister"),
    "bad daily check time": _set("adresseregister.daily_check", "7"),
    "warning days as text": _set("adresseregister.certificate_warning_days", "sixty"),
}

EXPECTED_KEY = {
    "bad step name": "steps.AR publisering",
    "no order step": "steps",
    "two steps per trust": "steps.testmeldinger.completion",
    "after an unknown step": "steps.aktivering.after",
    "after on a confirmed step": "steps.dialogmelding",
    "a stranger confirms": "steps.ar_publisering.confirmed_by",
    "unknown effect": "steps.testmeldinger.on_done.0",
    "nothing activates": "steps",
    "deadline calendar without minutes": "steps.ar_publisering",
    "lead limit too short": "max_lead_days",
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
    "checked from no reminder": "steps.ar_publisering",
    "checked from on a confirmed step": "steps.dialogmelding",
    "two steps checked in AR": "steps.dialogmelding.completion",
    "bad daily check time": "adresseregister.daily_check",
    "warning days as text": "adresseregister.certificate_warning_days",
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
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert load_plan(path).closed_days == ClosedDays(julaften=False, onsdag_for_skjaertorsdag=True)


def test_duplicate_reminder_names_are_refused(tmp_path: Path) -> None:
    """Two reminders of one step with the same name would share a send-once key, so that is an error."""
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    data["steps"]["ar_publisering"]["reminders"][1]["name"] = "kommune_week_before"
    path = tmp_path / "routine.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(RulesError, match="duplicate") as err:
        load_plan(path)
    assert err.value.key == "steps.ar_publisering"
