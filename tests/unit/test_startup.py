"""Read-only commands load only what they use: no templates, mail clients or intake (speed is in bench/)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import EXIT_FAIL, EXIT_OK, main
from sandbox import Sandbox

PROJECT = Path(__file__).resolve().parents[2]
# What a command that only reads the store must never import: composing mail, the mail clients, intake.
HEAVY = ("jinja2", "imapclient", "aiosmtplib", "bot.intake", "bot.outbound.render", "bot.mail.imap",
         "bot.mail.smtp", "bot.app", "joserfc")


# What `run` never imports unless configured: the AR client (HelseID: JOSE, HTTP) without BOT_AR=rest, PyJWT and
# msal without BOT_AUTH=oauth2, the status page, and Alembic once the database is current.
NOT_CONFIGURED = ("joserfc", "httpx", "bot.ar.helseid", "bot.ar.rest", "jwt", "cryptography", "msal", "bot.web",
                  "alembic")


def run_bot(args: list[str], tmp_path: Path,
            settings: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """`python -X importtime -m bot <args>` against an empty store: the run and every module it imported."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env.update(settings or {})
    env.update({"BOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite'}", "PYTHONPATH": str(PROJECT)})
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "bot", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    names = {ln.rsplit("|", 1)[1].strip() for ln in done.stderr.splitlines() if ln.startswith("import time:")}
    return done, names


# What listing the cases never imports besides: the ORM and its models (it reads plain Core, bot.store.case_list).
ORM = ("sqlmodel", "sqlalchemy.orm", "bot.store.models", "bot.store.repo")


def heavy(modules: set[str], names: tuple[str, ...] = HEAVY) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in names))


@pytest.mark.parametrize(("args", "status"), [(["cases", "--json"], 0), (["cases"], 0), (["case", "OPK-1"], 1),
                                              (["quarantine", "list"], 0)], ids=lambda v: str(v))
def test_read_only_commands_import_no_templates_clients_or_intake(args: list[str], status: int,
                                                                   tmp_path: Path) -> None:
    """`cases --json` and the other read-only commands never import jinja2, the IMAP/SMTP clients or intake."""
    done, modules = run_bot(args, tmp_path)
    assert done.returncode == status, done.stderr[-2000:]
    assert "bot.store.db" in modules  # it did read the store
    assert heavy(modules) == []


@pytest.mark.parametrize("args", [["cases", "--json"], ["cases"]], ids=" ".join)
def test_listing_the_cases_imports_no_orm(args: list[str], tmp_path: Path) -> None:
    """`cases` reads its list on plain Core: neither sqlmodel, the ORM nor the store's models are imported."""
    run_bot(args, tmp_path)  # the first run creates the store through the migrations, which use the models
    done, modules = run_bot(args, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "bot.store.case_list" in modules
    assert heavy(modules, ORM) == []


def test_help_imports_nothing_of_the_bot(tmp_path: Path) -> None:
    """`python -m bot --help` parses arguments only: no database, rules, settings or mail library is loaded."""
    done, modules = run_bot(["--help"], tmp_path)
    assert done.returncode == 0 and "oppkobling" in done.stdout
    assert {"sqlalchemy", "pydantic", "yaml", "bot.settings", "bot.store.repo"} & modules == set()
    assert heavy(modules) == []


def test_a_current_database_is_read_without_loading_the_migrations(tmp_path: Path) -> None:
    """The first command creates the store through Alembic; later ones find it current and never import Alembic."""
    first, modules = run_bot(["cases", "--json"], tmp_path)
    assert first.returncode == 0 and "alembic" in modules
    again, modules = run_bot(["cases", "--json"], tmp_path)
    assert again.returncode == 0 and not {m for m in modules if m.split(".")[0] == "alembic"}


def test_run_imports_only_what_the_settings_ask_for(sandbox: Sandbox, tmp_path: Path) -> None:
    """`run --once` with passwords and no AR loads neither the HelseID client, OAuth2, the status page nor Alembic."""
    first, _ = run_bot(["run", "--once"], tmp_path, sandbox.settings_env())
    assert first.returncode == 0, first.stderr[-2000:]
    done, modules = run_bot(["run", "--once"], tmp_path, sandbox.settings_env())
    assert done.returncode == 0, done.stderr[-2000:]
    assert {"bot.app", "imapclient", "aiosmtplib"} <= modules  # it did run
    assert heavy(modules, NOT_CONFIGURED) == []


def test_a_short_read_turns_the_garbage_collector_back_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`cases` and `case` run without the cyclic garbage collector and turn it back on when they end, failed or not."""
    for name in [k for k in os.environ if k.startswith("BOT_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("BOT_DATABASE_URL", f"sqlite:///{tmp_path / 'bot.sqlite'}")
    monkeypatch.chdir(tmp_path)
    assert gc.isenabled()
    assert main(["cases", "--json"]) == EXIT_OK and gc.isenabled()
    assert main(["case", "OPK-1"]) == EXIT_FAIL and gc.isenabled()
    monkeypatch.setenv("BOT_DATABASE_URL", "mysql://nowhere/bot")
    assert main(["cases"]) == EXIT_FAIL and gc.isenabled()
