"""An SMTP outage: mails wait in the outbox with growing backoff, and each goes out exactly once afterwards."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from reliability_kit import T0, cli_bot, kommune, make_app, memory_bot, order, sandbox_cycle

from sandbox import Sandbox

pytestmark = pytest.mark.integration


def _outbox(bot_query: object) -> list[tuple[str, str, int, datetime]]:
    assert callable(bot_query)
    rows = bot_query("SELECT message_id, status, attempts, next_attempt_at FROM outbox ORDER BY id")
    return [(mid, status, n, datetime.fromisoformat(at).replace(tzinfo=UTC)) for mid, status, n, at in rows]


def test_smtp_down_keeps_mail_in_the_outbox_and_sends_each_once_when_back(
    sandbox: Sandbox, workdir: Path
) -> None:
    """While SMTP is down nothing is lost and retries back off; after it is back every mail goes out once."""
    box = sandbox
    box.append(box.bot_user, order(kommune("Malvik"), message_id="m@malvik.kommune.no", her_id=111111))
    box.append(box.bot_user, order(kommune("Verdal"), message_id="v@verdal.kommune.no", her_id=222222))
    bot = cli_bot(workdir, box.settings_env())
    box.smtp_down()

    run = bot.run_once(T0)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "order=2" in run.stdout and "sent=0" in run.stdout
    first = _outbox(bot.query)
    kinds = Counter(kind for (kind,) in bot.query("SELECT kind FROM outbox"))
    assert kinds["receipt"] == 2 and kinds["new_case"] == 2, kinds
    assert all(status == "pending" and n == 1 and at > T0 for _mid, status, n, at in first), first
    assert box.sent == []

    # Not due yet: nobody knocks; due again and still down: the next attempt moves further out.
    app, clock = make_app(bot.env, T0 + timedelta(seconds=30))
    sandbox_cycle(app)
    assert _outbox(bot.query) == first
    clock.set(T0 + timedelta(minutes=2))
    sandbox_cycle(app)
    second = _outbox(bot.query)
    assert all(status == "pending" and n == 2 for _mid, status, n, _at in second), second
    gaps = [at2 - T0 - timedelta(minutes=2) for (_m, _s, _n, at2) in second]
    assert all(gap > at1 - T0 for gap, (_m, _s, _n, at1) in zip(gaps, first, strict=True)), (first, second)
    app.store.dispose()

    box.smtp_up()
    run = bot.run_once(T0 + timedelta(hours=1))
    assert run.returncode == 0, run.stderr[-3000:]
    assert f"sent={len(first)} " in run.stdout
    done = _outbox(bot.query)
    assert {status for _mid, status, _n, _at in done} == {"sent"}
    sent = Counter(str(e.message["Message-ID"]).strip("<>") for e in box.sent)
    assert sent == Counter({mid: 1 for mid, _s, _n, _at in done})


def test_an_unreachable_server_is_tried_once_per_drain_not_once_per_mail(tmp_path: Path) -> None:
    """With the server unreachable, one attempt defers the whole batch (no timeout per queued mail)."""
    bot = memory_bot(tmp_path)
    for n, name in enumerate(["Malvik", "Frosta", "Selbu"]):
        bot.deliver(order(kommune(name), message_id=f"{n}@{kommune(name).domain}", her_id=100000 + n))
    bot.sender.down = True
    bot.cycle()
    assert bot.sender.batches == 1
    rows = bot.query("SELECT status, attempts, last_error FROM outbox")
    assert len(rows) >= 6
    assert all(status == "pending" and n == 1 and "unreachable" in (error or "") for status, n, error in rows), rows
