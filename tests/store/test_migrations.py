"""The schema's migrations: a database made by release 1 is carried forward without losing a row, an empty one is
created through the migrations, and `run` and `web` refuse an older or a newer schema with the command to run."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel

from bot.cli import main
from bot.store.db import make_engine
from bot.store.migrate import HEAD, head, scripts_head, state
from bot.store.repo import Store, StoreError

RELEASE_1 = Path(__file__).with_name("release1.sqlite")  # made by make_release1_db.py with release 1's code
RELEASE_1_TABLES = ("meta", "cases", "raw_messages", "folders", "steps", "deviations", "events", "due", "inbound",
                    "outbox", "deliveries")


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A working directory without .env and no BOT_* variables but the coordinators."""
    import os

    for key in [k for k in os.environ if k.startswith("BOT_")]:
        monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_COORDINATORS", "koordinator@hemit.no")
    yield tmp_path


def fresh(url: str) -> None:
    """Open the database as the bot does (creating it through the migrations when empty), then close it."""
    store = Store(url, lambda _n: None)
    try:
        store.create_schema()
    finally:
        store.dispose()


def counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in RELEASE_1_TABLES}


def test_release_1_database_is_upgraded_without_losing_a_row(cli_env: Path, monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """`run` refuses release 1's file naming `db upgrade`; after it every row is there and the bot runs on it."""
    db = cli_env / "bot.sqlite"
    shutil.copy(RELEASE_1, db)
    before = counts(db)
    assert before["cases"] == 4 and before["inbound"] == 6 and before["outbox"] == 10
    with sqlite3.connect(db) as conn:
        raw_before = dict(conn.execute("SELECT sha256, raw FROM raw_messages").fetchall())
        cases_before = conn.execute("SELECT id, state, municipality_number, activation_date, order_message_id, "
                                    "created_at FROM cases ORDER BY id").fetchall()
    monkeypatch.setenv("BOT_DATABASE_URL", f"sqlite:///{db}")

    assert main(["run", "--once"]) == 1
    refused = capsys.readouterr().err.strip().splitlines()
    assert len(refused) == 1 and "python -m bot db upgrade" in refused[0] and "older" in refused[0], refused
    assert main(["cases"]) == 1  # the read-only commands refuse it too
    capsys.readouterr()

    assert main(["db", "upgrade"]) == 0
    assert f"0001 upgraded to {head()}" in capsys.readouterr().out
    assert counts(db) == before
    with sqlite3.connect(db) as conn:
        assert dict(conn.execute("SELECT sha256, raw FROM raw_messages").fetchall()) == raw_before
        assert conn.execute("SELECT id, state, municipality_number, activation_date, order_message_id, created_at "
                            "FROM cases ORDER BY id").fetchall() == cases_before
        assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == ("2",)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    assert main(["db", "upgrade"]) == 0
    assert "nothing to do" in capsys.readouterr().out
    assert main(["case", "OPK-1", "--json"]) == 0
    shown = capsys.readouterr().out
    assert '"ref": "OPK-1"' in shown and "5031" in shown
    store = Store(f"sqlite:///{db}", lambda _n: None)
    store.create_schema()
    with store.tx() as tx:
        assert [c.ref for c in tx.list_cases()] == ["OPK-1", "OPK-2", "OPK-3", "OPK-4"]
        assert tx.reserve_ref(tx.list_cases()[0].created_at) == "OPK-5"  # numbering goes on
    store.dispose()


def test_migrations_make_exactly_the_models_schema(database_url: str) -> None:
    """An empty database created through the migrations has the tables, columns and indexes of the models."""
    engine = make_engine(database_url)
    try:
        fresh(database_url)
        with engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
        assert diffs == []
        assert state(engine).current
    finally:
        engine.dispose()


def test_a_newer_schema_is_refused_by_every_command(database_url: str, cli_env: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """A database upgraded by a later release stops `run` with one line, and `db upgrade` does not touch it."""
    engine = make_engine(database_url)
    try:
        fresh(database_url)
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
        monkeypatch.setenv("BOT_DATABASE_URL", database_url)
        for argv in (["run", "--once"], ["cases"], ["db", "upgrade"]):
            assert main(argv) == 1
            err = capsys.readouterr().err.strip().splitlines()
            assert len(err) == 1 and "0099" in err[0], err
    finally:
        engine.dispose()
    with pytest.raises(StoreError, match="does not know"):
        fresh(database_url)


def test_the_head_written_in_the_code_is_the_newest_migration_script() -> None:
    """A new migration script needs HEAD moved too: commands on a current database never load Alembic."""
    assert scripts_head() == HEAD
