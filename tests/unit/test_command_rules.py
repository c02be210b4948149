"""rules/commands.yaml: the shipped file loads, typos stop start-up, and hjelp lists every command."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain import Role
from bot.intake.command_registry import help_text, load_command_rules
from bot.routine.actions import Command
from bot.routine.plan import load_plan
from bot.rulefile import RULES_DIR, RulesError

SHIPPED = (RULES_DIR / "commands.yaml").read_text(encoding="utf-8")
PLAN = load_plan()


def test_shipped_rules_load() -> None:
    """The shipped command file validates and names every command once."""
    rules = load_command_rules(RULES_DIR, PLAN)
    assert sorted(c.name for c in rules.spec.commands) == sorted(Command)


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("  ar_publisering:\n    words", "  ar_publiseringg:\n    words", "steps.ar_publiseringg"),
        ("  partneravtaler:\n    words", "  aktivering:\n    words", "steps.aktivering"),
        ("    roles: [coordinator, kommune]\n    usage: \"bekreftet",
         "    roles: [coordinator, kommune]\n    kommune_steps: [partneravtaler]\n    usage: \"bekreftet",
         "commands.0.kommune_steps"),
        ("  - name: status", "  - name: statsu", "commands.3.name"),
        (
            '    roles: [coordinator]\n    usage: "avbryt"',
            '    roles: [coordinatr]\n    usage: "avbryt"',
            "commands.4.roles.0",
        ),
        (
            '    description: "Viser denne oversikten."',
            '    descripton: "Viser denne oversikten."',
            "commands.5.description",
        ),
        ("  hnt:\n", "  hnf:\n", "hospitals.hnf"),
        ("  negations:", "  negation:", "vocabulary.negation"),
        ("words: [avbryt, kanseller, cancel]", "words: [avbryt, kanseller, status]", "commands"),
        ("  - name: help", "  - name: cancel", "commands"),
    ],
)
def test_typo_is_a_rules_error(tmp_path: Path, old: str, new: str, key: str) -> None:
    """A typo in the command file raises RulesError naming the file and the key."""
    assert old in SHIPPED
    (tmp_path / "commands.yaml").write_text(SHIPPED.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_command_rules(tmp_path, PLAN)
    assert caught.value.path.endswith("commands.yaml")
    assert caught.value.key.startswith(key)


def test_missing_file_is_a_rules_error(tmp_path: Path) -> None:
    """A missing command file is reported with its path."""
    with pytest.raises(RulesError, match=r"commands\.yaml"):
        load_command_rules(tmp_path, PLAN)


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.KOMMUNE])
def test_help_lists_what_the_role_may_use(role: Role) -> None:
    """hjelp is generated from the registry: every usable command with its words, and none other."""
    rules = load_command_rules(RULES_DIR, PLAN)
    text = " ".join(help_text(rules, role).split())  # the lines are wrapped
    for spec in rules.spec.commands:
        shown = spec.usage in text and " ".join(spec.description.split()) in text
        assert shown is (role in spec.roles), spec.name
        if shown:
            assert all(word in text for word in spec.words + spec.weak_words)


def test_coordinator_help_lists_every_command() -> None:
    """A coordinator's hjelp names all six commands."""
    text = help_text(load_command_rules(RULES_DIR, PLAN), Role.COORDINATOR)
    assert all(word in text for word in ("bekreftet", "avvik:", "ny dato:", "status", "avbryt", "hjelp"))


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.KOMMUNE])
def test_help_says_why_a_new_mail_is_not_enough(role: Role) -> None:
    """hjelp explains the reply key: a From line can be forged, an answer to the bot's mail cannot."""
    text = " ".join(help_text(load_command_rules(RULES_DIR, PLAN), role).split())
    assert "avsenderadressen i en ny e-post kan forfalskes" in text
    assert "status OPK-n" in text


def test_kommune_help_says_only_ar() -> None:
    """A kommune's hjelp says it may confirm only the AR publication (the step it owns in routine.yaml)."""
    text = help_text(load_command_rules(RULES_DIR, PLAN), Role.KOMMUNE)
    assert "Kommunen kan bare bekrefte: Publisering i Adresseregisteret." in text
    assert "avbryt" not in text


def test_the_old_kommune_steps_key_still_loads_when_it_agrees(tmp_path: Path) -> None:
    """A rules copy that still says `kommune_steps: [ar_publisering]` loads as before."""
    roles = '    roles: [coordinator, kommune]\n'
    usage = '    usage: "bekreftet'
    old = SHIPPED.replace(roles + usage, roles + "    kommune_steps: [ar_publisering]\n" + usage, 1)
    assert old != SHIPPED
    (tmp_path / "commands.yaml").write_text(old, encoding="utf-8")
    assert load_command_rules(tmp_path, PLAN).kommune_confirms == ("ar_publisering",)
