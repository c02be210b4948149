"""`check` validates whatever BOT_RULES_DIR and BOT_TEMPLATES_DIR point at, naming file, key and reason."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bot.cli import EXIT_FAIL, EXIT_OK, main
from bot.rulefile import RULES_DIR, TEMPLATES_DIR


@pytest.fixture
def copies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """Copies of rules/ and templates/ that BOT_RULES_DIR and BOT_TEMPLATES_DIR point at (no .env in cwd)."""
    rules, templates = tmp_path / "rules", tmp_path / "templates"
    shutil.copytree(RULES_DIR, rules)
    shutil.copytree(TEMPLATES_DIR, templates)
    for name in [n for n in os.environ if n.startswith("BOT_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("BOT_RULES_DIR", str(rules))
    monkeypatch.setenv("BOT_TEMPLATES_DIR", str(templates))
    monkeypatch.chdir(tmp_path)
    return rules, templates


def test_the_copies_pass(copies: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """Unchanged copies of the shipped folders pass, and the output names the folders it checked."""
    assert main(["check"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "FAIL" not in out and str(copies[0] / "routine.yaml") in out and str(copies[1]) in out


def test_a_step_the_routine_lacks_is_named(copies: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """Reply words for a step routine.yaml does not have stop `check` with commands.yaml and the key."""
    path = copies[0] / "commands.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  dialogmelding:\n    words", "  dialog:\n    words"),
                    encoding="utf-8")
    assert main(["check"]) == EXIT_FAIL
    assert f"FAIL  {path}: {path}: steps.dialog: not a step of routine.yaml" in capsys.readouterr().out


def test_a_template_that_names_a_missing_step_is_named(copies: tuple[Path, Path],
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """A template using a step's deadline the routine no longer has fails the render check, naming the kind."""
    path = copies[1] / "receipt.txt.j2"
    path.write_text(path.read_text(encoding="utf-8").replace("deadlines.ar_publisering", "deadlines.ar"),
                    encoding="utf-8")
    assert main(["check"]) == EXIT_FAIL
    assert "FAIL  template: receipt: UndefinedError" in capsys.readouterr().out
