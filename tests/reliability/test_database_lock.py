"""The database locked by another process: run --once fails with one clear line, and recovers afterwards."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from reliability_kit import cli_bot, kinds_to, kommune, make_app, order

from bot.store.repo import Store, StoreError
from sandbox import Sandbox


@pytest.mark.integration
def test_locked_database_fails_with_one_line_and_a_later_run_succeeds(sandbox: Sandbox, workdir: Path) -> None:
    """Another process holding BEGIN EXCLUSIVE: exit non-zero, one line naming the database, no traceback."""
    box = sandbox
    bot = cli_bot(workdir, box.settings_env())
    # Wait one second for the lock instead of the default 15 (the URL's standard SQLite `timeout`).
    bot.env["BOT_DATABASE_URL"] = f"sqlite:///{bot.db}?timeout=1"
    app, _clock = make_app(bot.env)  # the schema exists, as after any earlier run
    app.store.dispose()
    malvik = kommune("Malvik")
    box.append(box.bot_user, order(malvik, message_id="m@malvik.kommune.no", her_id=111111))

    locker = sqlite3.connect(bot.db, isolation_level=None)
    try:
        locker.execute("BEGIN EXCLUSIVE")
        locked = bot.run_once(timeout_s=60)
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert locked.returncode != 0
    assert "Traceback" not in locked.stderr
    problems = [ln for ln in locked.stderr.splitlines() if " INFO " not in ln]
    assert len(problems) == 1, locked.stderr
    assert "database" in problems[0] and "locked" in problems[0] and str(bot.db) in problems[0]
    assert box.sent == []

    run = bot.run_once()
    assert run.returncode == 0, run.stderr[-3000:]
    assert "order=1" in run.stdout
    assert "receipt" in kinds_to(box.sent, malvik.mailbox)
    assert bot.query("PRAGMA integrity_check") == [("ok",)]
    assert bot.query("SELECT count(*) FROM inbound") == [(1,)]


@pytest.mark.parametrize("timeout", ["abc", "-1", "99999"])
def test_a_bad_lock_timeout_in_the_url_is_a_clear_start_up_error(tmp_path: Path, timeout: str) -> None:
    """`?timeout=` must be seconds between 0 and 3600; anything else stops start-up with the variable named."""
    with pytest.raises(StoreError, match="BOT_DATABASE_URL: timeout"):
        Store(f"sqlite:///{tmp_path / 'bot.sqlite'}?timeout={timeout}", lambda _number: None)
