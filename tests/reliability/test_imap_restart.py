"""The IMAP server restarted under the daemon's IDLE: it reconnects, keeps processing, and stops cleanly."""

from __future__ import annotations

import signal
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from reliability_kit import cli_bot, kinds_to, kommune, order, wait_until

from bot.routine.calendar import BusinessCalendar
from sandbox import Sandbox

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _valid_d_today() -> str:
    """An activation date the bot accepts for an order sent now (the daemon runs on the real clock)."""
    d = BusinessCalendar().earliest_valid_d(datetime.now(UTC), 14)
    return d.strftime("%d.%m.%Y")


def test_daemon_reconnects_after_an_imap_restart_and_stops_cleanly_on_sigterm(
    fresh_sandbox: Sandbox, workdir: Path
) -> None:
    """Mail appended after a restart during IDLE is answered within 5 s; SIGTERM ends the daemon with exit 0."""
    box = fresh_sandbox
    bot = cli_bot(workdir, box.settings_env(), BOT_POLL_INTERVAL_S="1")
    d = _valid_d_today()
    before, after = kommune("Malvik"), kommune("Frosta")
    daemon = bot.start("run")
    try:
        assert wait_until(lambda: "running:" in bot.stderr_log(), 20), bot.stderr_log()
        box.append(box.bot_user, order(before, message_id="before@malvik.kommune.no", her_id=111111, d=d))
        assert wait_until(lambda: "receipt" in kinds_to(box.sent, before.mailbox), 5), bot.stderr_log()
        time.sleep(0.5)  # back in IDLE

        box.restart_imap()
        box.append(box.bot_user, order(after, message_id="after@frosta.kommune.no", her_id=222222, d=d))
        assert wait_until(lambda: "receipt" in kinds_to(box.sent, after.mailbox), 30), bot.stderr_log()
        assert daemon.poll() is None

        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=20) == 0
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait(timeout=10)
    log = bot.stderr_log()
    assert "stopped cleanly" in log.splitlines()[-1], log[-3000:]
    assert "Traceback" not in log
    assert [k for k in kinds_to(box.sent, before.mailbox) + kinds_to(box.sent, after.mailbox)] == [
        "receipt", "receipt"]
