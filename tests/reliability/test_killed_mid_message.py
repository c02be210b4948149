"""A message the bot dies on: marked in progress before processing, retried, then quarantined.

A batch is marked in progress as a whole (starts = 0): after a crash in a batch nobody knows which message
was in hand, so its messages are then read one at a time, each start committed; a message killed twice
while read alone is quarantined. An order that merely shared a batch with a crash is never quarantined.

How the kill is made deterministic without touching the bot: the message is a large one (an 8 MB
attachment, about half a second to parse), the test watches the real database for the `in_progress` row
the bot commits before parsing, stops the process with SIGSTOP the moment it appears, checks that no
outcome was committed yet, and only then sends SIGKILL. Nothing in the product knows it is under test.
"""

from __future__ import annotations

import os
import signal
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from reliability_kit import COORDINATOR, T0, CliBot, cli_bot, kinds_to, kommune, order, query, wait_until

from sandbox import Sandbox

pytestmark = [pytest.mark.integration, pytest.mark.slow]
MALVIK, FROSTA = kommune("Malvik"), kommune("Frosta")


def heavy_message() -> bytes:
    """A kommune's mail with a large binary attachment: legitimate, but slow enough to be caught mid-way."""
    msg = EmailMessage()
    msg["From"] = MALVIK.mailbox
    msg["To"] = "meldingsansvarlig@helse-midt.no"
    msg["Subject"] = "Loggfil fra testen"
    msg["Message-ID"] = "<heavy@malvik.kommune.no>"
    msg.set_content("Hei, vedlagt loggfilen fra testmeldingene.\n")
    msg.add_attachment(os.urandom(8_000_000), maintype="application", subtype="octet-stream", filename="logg.bin")
    return msg.as_bytes()


def _starts(bot: CliBot, uid: int) -> int:
    """How often the message was started alone (0: marked with its batch); -1 while it is not in progress."""
    if not bot.db.exists():
        return -1
    try:
        rows = query(bot.db, "SELECT starts FROM in_progress WHERE uid = ?", (uid,))
    except Exception:  # the schema is not there yet
        return -1
    return int(rows[0][0]) if rows else -1


def _outcome(bot: CliBot, uid: int) -> tuple[str, str | None] | None:
    rows = query(bot.db, "SELECT outcome, error FROM inbound WHERE uid = ?", (uid,))
    return (rows[0][0], rows[0][1]) if rows else None


def kill_mid_message(bot: CliBot, uid: int, starts: int, minute: int) -> None:
    """Run `run --once` and SIGKILL it while it holds message `uid` for the `starts`-th time."""
    proc = bot.start("run", "--once", "--now", (T0 + timedelta(minutes=minute)).isoformat())
    try:
        assert wait_until(lambda: proc.poll() is not None or _starts(bot, uid) >= starts, 60), "never started it"
        proc.send_signal(signal.SIGSTOP)
        assert proc.poll() is None, f"run --once ended first: {bot.stderr_log()[-2000:]}"
        assert _starts(bot, uid) == starts
        assert _outcome(bot, uid) is None, "the message was finished before the kill: not mid-message"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def _setup(sandbox: Sandbox, workdir: Path) -> tuple[CliBot, int, int]:
    sandbox.append(sandbox.bot_user, order(MALVIK, message_id="before@malvik.kommune.no"))
    heavy = sandbox.append(sandbox.bot_user, heavy_message())
    after = sandbox.append(sandbox.bot_user, order(FROSTA, message_id="after@frosta.kommune.no"))
    return cli_bot(workdir, sandbox.settings_env()), heavy, after


def test_a_message_killed_twice_is_quarantined_and_the_rest_flows(sandbox: Sandbox, workdir: Path) -> None:
    """Killed in its batch, then killed twice while read alone: the next pass quarantines it with the reason,
    keeps its bytes, tells the coordinators, and processes the mail behind it (before: retried forever)."""
    bot, heavy, after = _setup(sandbox, workdir)
    kill_mid_message(bot, heavy, starts=0, minute=0)
    kill_mid_message(bot, heavy, starts=1, minute=1)
    kill_mid_message(bot, heavy, starts=2, minute=2)

    done = bot.run_once(T0 + timedelta(minutes=3))
    assert done.returncode == 0, done.stderr[-3000:]
    outcome = _outcome(bot, heavy)
    assert outcome is not None and outcome[0] == "quarantined"
    assert "interrupted 2 times" in (outcome[1] or "")
    assert _outcome(bot, after) == ("order", None)
    assert bot.query("SELECT count(*) FROM in_progress") == [(0,)]
    kept = bot.query("SELECT length(r.raw) FROM inbound i JOIN raw_messages r ON r.sha256 = i.sha256 "
                     "WHERE i.uid = ?", (heavy,))
    assert kept and kept[0][0] > 8_000_000
    assert kinds_to(sandbox.sent, COORDINATOR).count("notice") == 1
    assert bot.query("SELECT count(*) FROM cases") == [(2,)]  # Malvik before, Frosta after: once each

    again = bot.run_once(T0 + timedelta(minutes=4))
    assert again.returncode == 0 and "messages: none" in again.stdout


def test_a_message_killed_once_is_retried_and_recorded_once(sandbox: Sandbox, workdir: Path) -> None:
    """One kill in the message's batch, one while it is read alone: each next pass processes normally, once."""
    bot, heavy, after = _setup(sandbox, workdir)
    kill_mid_message(bot, heavy, starts=0, minute=0)
    kill_mid_message(bot, heavy, starts=1, minute=1)
    done = bot.run_once(T0 + timedelta(minutes=2))
    assert done.returncode == 0, done.stderr[-3000:]
    assert _outcome(bot, heavy) == ("other", None)
    assert _outcome(bot, after) == ("order", None)
    assert bot.query("SELECT count(*) FROM inbound WHERE uid = ?", (heavy,)) == [(1,)]
    assert bot.query("SELECT count(*) FROM in_progress") == [(0,)]
    assert kinds_to(sandbox.sent, MALVIK.mailbox).count("receipt") == 1


def test_sigstop_is_not_what_quarantines(sandbox: Sandbox, workdir: Path) -> None:
    """Control: a pass that is only paused (SIGSTOP, SIGCONT) finishes the message normally."""
    bot, heavy, _after = _setup(sandbox, workdir)
    proc = bot.start("run", "--once", "--now", T0.isoformat())
    assert wait_until(lambda: proc.poll() is not None or _starts(bot, heavy) >= 0, 60)
    proc.send_signal(signal.SIGSTOP)
    proc.send_signal(signal.SIGCONT)
    assert proc.wait(timeout=60) == 0
    assert _outcome(bot, heavy) == ("other", None)
