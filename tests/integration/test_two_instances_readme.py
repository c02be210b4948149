"""The README's "Running two instances", followed step by step: a bot on SQLite is copied to PostgreSQL with
`db copy --to`, two `run` daemons share it (one leader, one standby), the standby takes over when the leader stops,
and an upgrade is stop, `db upgrade`, start. Real Dovecot and SMTP, a real PostgreSQL server."""

from __future__ import annotations

import json
import re
import signal
import subprocess
from pathlib import Path

import pytest
from pg_kit import PgServer
from reliability_kit import PROJECT, CliBot, cli_bot, kinds_to, kommune, order, wait_until

from sandbox import Sandbox

pytestmark = [pytest.mark.integration, pytest.mark.slow]

README = (PROJECT / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("## Running two instances"):README.index("## Configuration")]
README_URL = "postgresql+psycopg://oppkobling:SECRET@db.hemit.no/oppkobling"


def readme_commands() -> list[str]:
    """The `oppkobling …` commands of the section's code blocks, in order, without comments."""
    blocks = re.findall(r"```\n(.*?)```", SECTION, re.S)
    lines = [ln.split("#")[0].strip() for block in blocks for ln in block.splitlines()]
    return [ln.removeprefix("oppkobling ") for ln in lines if ln.startswith("oppkobling ")]


def test_the_readme_names_these_steps() -> None:
    """The section's commands are the ones the walk-through below runs, in this order."""
    assert readme_commands() == [f"db copy --to {README_URL}", "db current", "run", "db upgrade"]
    assert f"BOT_DATABASE_URL={README_URL}" in SECTION
    assert (PROJECT / "deploy" / "oppkoblingsbot-postgresql.service").is_file()


def _cli(bot: CliBot, command: str, url: str) -> subprocess.CompletedProcess[str]:
    done = bot.run(*command.replace(README_URL, url).split(), timeout_s=60)
    assert done.returncode == 0, f"{command}: {done.stderr[-2000:]}"
    return done


def test_two_instances_step_by_step(sandbox: Sandbox, postgres: PgServer, tmp_path: Path) -> None:
    """SQLite → `db copy` → two daemons on PostgreSQL → failover → stop, `db upgrade`, start: no case lost."""
    commands = iter(readme_commands())
    url = postgres.create_database("readme")
    # Until now: one bot on SQLite, with three cases.
    single = cli_bot(tmp_path, sandbox.settings_env())
    for i, name in enumerate(("Malvik", "Frosta", "Orkland")):
        k = kommune(name)
        sandbox.append(sandbox.bot_user, order(k, message_id=f"sqlite-{i}@{k.domain}", her_id=300_000 + i))
    assert "order=3" in _cli(single, "run --once", url).stdout

    # Step 3: stop it (it ran --once), copy every row, check the schema on the new database.
    assert "counts match" in _cli(single, next(commands), url).stdout
    on_pg = {"a": cli_bot(tmp_path / "a", sandbox.settings_env(), BOT_POLL_INTERVAL_S="1"),
             "b": cli_bot(tmp_path / "b", sandbox.settings_env(), BOT_POLL_INTERVAL_S="1")}
    for name, bot in on_pg.items():
        (tmp_path / name).mkdir()
        bot.env.update(BOT_DATABASE_URL=url, BOT_LEASE_SECONDS="3")
    assert "(current)" in _cli(on_pg["a"], next(commands), url).stdout

    # Step 4: both machines start the daemon; one leads, one stands by.
    run = next(commands)
    procs = {"a": on_pg["a"].start(run)}
    try:
        assert wait_until(lambda: " leader: " in on_pg["a"].stderr_log(), 30), on_pg["a"].stderr_log()
        procs["b"] = on_pg["b"].start(run)
        assert wait_until(lambda: " standby: " in on_pg["b"].stderr_log(), 30), on_pg["b"].stderr_log()
        steinkjer = kommune("Steinkjer")
        sandbox.append(sandbox.bot_user, order(steinkjer, message_id="pg-1@steinkjer.kommune.no", her_id=300_010))
        assert wait_until(lambda: "receipt" in kinds_to(sandbox.sent, steinkjer.mailbox), 30), on_pg["a"].stderr_log()

        # Failover: the leader stops (systemctl stop); the standby leads at once.
        procs["a"].send_signal(signal.SIGTERM)
        assert procs["a"].wait(timeout=30) == 0
        assert wait_until(lambda: " leader: " in on_pg["b"].stderr_log(), 10), on_pg["b"].stderr_log()
        levanger = kommune("Molde")
        sandbox.append(sandbox.bot_user, order(levanger, message_id="pg-2@molde.kommune.no", her_id=300_011))
        assert wait_until(lambda: "receipt" in kinds_to(sandbox.sent, levanger.mailbox), 30), on_pg["b"].stderr_log()

        # Upgrading: stop both, upgrade once, start both.
        procs["b"].send_signal(signal.SIGTERM)
        assert procs["b"].wait(timeout=30) == 0
        assert "nothing to do" in _cli(on_pg["b"], next(commands), url).stdout
        procs = {name: bot.start(run) for name, bot in on_pg.items()}
        assert wait_until(lambda: sum(bot.stderr_log().count(" leader: ") for bot in on_pg.values()) == 3, 30)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs.values():
            proc.wait(timeout=30)
    cases = json.loads(_cli(on_pg["a"], "cases --json", url).stdout)
    assert len(cases) == 5
    assert kinds_to(sandbox.sent, steinkjer.mailbox).count("receipt") == 1
    for bot in on_pg.values():
        assert "Traceback" not in bot.stderr_log()
