"""The documentation cannot drift: every setting, command and mail kind is documented and has templates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli import build_parser
from bot.domain import MailKind
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
ENV_EXAMPLE = (ROOT / ".env.example").read_text(encoding="utf-8")
KOORDINATOR = (ROOT / "docs" / "koordinator.md").read_text(encoding="utf-8")
SETTINGS = [f"BOT_{name.upper()}" for name in Settings.model_fields]


@pytest.mark.parametrize("variable", SETTINGS)
def test_every_setting_is_in_the_readme_table(variable: str) -> None:
    """The README's configuration table has a row for every setting."""
    assert re.search(rf"^\| `{variable}` \|", README, re.MULTILINE), variable


@pytest.mark.parametrize("variable", SETTINGS)
def test_every_setting_is_in_env_example(variable: str) -> None:
    """.env.example documents every setting."""
    assert re.search(rf"^{variable}=", ENV_EXAMPLE, re.MULTILINE), variable


def test_readme_table_has_no_unknown_setting() -> None:
    """Every BOT_ variable in the README's table is a real setting."""
    documented = set(re.findall(r"^\| `(BOT_[A-Z_0-9]+)` \|", README, re.MULTILINE))
    assert documented == set(SETTINGS)


def test_every_cli_command_is_in_the_readme() -> None:
    """Each subcommand of the CLI appears in the README's command table."""
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in sub.choices:  # type: ignore[union-attr]
        assert f"| `{name}" in README, name


@pytest.mark.parametrize("kind", list(MailKind))
def test_every_mail_kind_has_templates_and_a_coordinator_explanation(kind: MailKind) -> None:
    """Each kind of outgoing mail has a text and an HTML template and is explained in docs/koordinator.md."""
    assert (ROOT / "templates" / f"{kind.value}.txt.j2").is_file()
    assert (ROOT / "templates" / f"{kind.value}.html.j2").is_file()
    assert f"(`{kind.value}`)" in KOORDINATOR


def test_the_systemd_unit_runs_the_daemon() -> None:
    """The unit file in the repository starts `oppkobling run`."""
    unit = (ROOT / "deploy" / "oppkoblingsbot.service").read_text(encoding="utf-8")
    assert "ExecStart=" in unit and "oppkobling run" in unit


def test_the_status_page_has_a_systemd_unit_beside_the_daemon() -> None:
    """deploy/ has a unit that starts `oppkobling web` with the same settings file."""
    unit = (ROOT / "deploy" / "oppkoblingsbot-web.service").read_text(encoding="utf-8")
    assert "ExecStart=/opt/oppkoblingsbot/.venv/bin/oppkobling web" in unit
    assert "EnvironmentFile=-/opt/oppkoblingsbot/.env" in unit and "UMask=0077" in unit
