"""`db copy --to URL`: release 1's data, upgraded, moves from SQLite into an empty PostgreSQL database with every row,
the numbering goes on there, and a target that holds anything is refused."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from pg_kit import PgServer
from sqlalchemy import text

from bot.cli import main
from bot.store.db import make_engine
from bot.store.repo import Store

RELEASE_1 = Path(__file__).with_name("release1.sqlite")


@pytest.fixture
def upgraded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Release 1's database, upgraded, as BOT_DATABASE_URL in a working directory without .env."""
    for key in [k for k in os.environ if k.startswith("BOT_")]:
        monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "bot.sqlite"
    shutil.copy(RELEASE_1, db)
    monkeypatch.setenv("BOT_DATABASE_URL", f"sqlite:///{db}")
    assert main(["db", "upgrade"]) == 0
    yield db


def test_copy_to_an_empty_postgresql_database_keeps_every_row(upgraded: Path, postgres: PgServer,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """Every table's count matches, raw bytes are equal, and the next case number follows the last one."""
    target = postgres.create_database("copy")
    capsys.readouterr()
    assert main(["db", "copy", "--to", target]) == 0
    out = capsys.readouterr().out
    assert "counts match" in out and "cases: 4" in out and "inbound: 6" in out
    with sqlite3.connect(upgraded) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT IN "
                                             "('sqlite_sequence', 'alembic_version', 'leader_lease')")]
        source = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        raw = dict(conn.execute("SELECT sha256, raw FROM raw_messages").fetchall())
    engine = make_engine(target)
    try:
        with engine.connect() as conn:
            assert {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in tables} == source
            assert {r[0]: bytes(r[1]) for r in conn.execute(text("SELECT sha256, raw FROM raw_messages"))} == raw
    finally:
        engine.dispose()
    store = Store(target, lambda _n: None)
    try:
        store.create_schema()
        with store.tx() as tx:
            assert [c.ref for c in tx.list_cases()] == ["OPK-1", "OPK-2", "OPK-3", "OPK-4"]
            assert tx.reserve_ref(tx.list_cases()[0].created_at) == "OPK-5"
    finally:
        store.dispose()

    assert main(["db", "copy", "--to", target]) == 1
    refused = capsys.readouterr().err.strip().splitlines()
    assert len(refused) == 1 and "not empty" in refused[0], refused
