"""SIGKILL in the middle of a batch: nothing lost, nothing processed twice, at most one repeated mail per kill."""

from __future__ import annotations

import json
import random
import signal
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from reliability_kit import T0, CliBot, Kommune, cli_bot, kommuner, order, query, wait_until

from sandbox import Sandbox

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ORDERS = 200
KILLS = 6
SEED = 20270111


def _orders(rng: random.Random) -> list[tuple[Kommune, bytes, str]]:
    """200 orders from varied municipalities; some lack D or versions, so both case states occur."""
    everyone = kommuner()
    out = []
    for i in range(ORDERS):
        k = everyone[i % len(everyone)]
        mid = f"order-{i}@{k.domain}"
        d = rng.choice(["01.03.2027", "1. mars 2027", "15.3.27", "2027-04-05", None])
        types = rng.choice(["PLO 1.6, dialogmelding 1.1", "PLO, epikrise 1.2", "dialogmelding 1.1"])
        sender = rng.choice([k.mailbox, f"ola.nordmann{i}@{k.domain}"])
        out.append((k, order(k, message_id=mid, her_id=1_000_000 + i, d=d, types=types, sender=sender), mid))
    return out


def _count(db: Path, sql: str) -> int:
    if not db.exists():
        return 0
    try:
        return int(query(db, sql)[0][0])
    except Exception:  # schema not there yet, or the file is mid-creation: no progress to report
        return 0


def _progress(bot: CliBot, box: Sandbox) -> int:
    """Work done so far: messages recorded plus mails the SMTP server accepted (repeats included)."""
    return _count(bot.db, "SELECT count(*) FROM inbound") + len(box.sent)


def _kill_at(bot: CliBot, box: Sandbox, target: int, minute: int) -> str:
    """Start `run --once` and SIGKILL it once progress reaches `target`; returns where the kill landed."""
    target = max(target, _progress(bot, box) + 1)
    proc = bot.start("run", "--once", "--now", (T0 + timedelta(minutes=minute)).isoformat())
    try:
        wait_until(lambda: proc.poll() is not None or _progress(bot, box) >= target, 60)
        if proc.poll() is not None:
            return f"{target}: already finished"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        return f"{target}: killed at {_progress(bot, box)}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


@pytest.mark.timeout(240)
def test_sigkill_mid_batch_loses_nothing_and_repeats_at_most_one_mail_per_kill(
    sandbox: Sandbox, workdir: Path
) -> None:
    """Six SIGKILLs at seeded-random points, then a full run: one case per order, one outcome per message."""
    rng = random.Random(SEED)
    orders = _orders(rng)
    with sandbox.imap(sandbox.bot_user) as client:
        for _k, raw, _mid in orders:
            client.append("INBOX", raw)
    # 200 new cases in a day is far beyond the coordinators' daily cap; this test is about kills, not caps.
    bot = cli_bot(workdir, sandbox.settings_env(), BOT_MAX_MAILS_PER_COORDINATOR_PER_DAY=str(2 * ORDERS))

    # Kill points spread over the whole job (200 messages in, about 400 mails out), in order.
    targets = sorted(rng.sample(range(1, 3 * ORDERS - 20), KILLS))
    landed = [_kill_at(bot, sandbox, target, minute=i) for i, target in enumerate(targets)]
    assert all("killed" in x for x in landed), landed

    final = bot.run_once(T0 + timedelta(minutes=KILLS + 1), timeout_s=120)
    assert final.returncode == 0, final.stderr[-3000:]
    again = bot.run_once(T0 + timedelta(minutes=KILLS + 2))
    assert again.returncode == 0, again.stderr[-3000:]
    assert "messages: none" in again.stdout

    # Every order is exactly one case, of the municipality that sent it.
    listed = bot.run("cases", "--json")
    assert listed.returncode == 0, listed.stderr
    cases = json.loads(listed.stdout)
    assert len(cases) == ORDERS
    assert Counter(c["municipality"]["number"] for c in cases) == Counter(k.number for k, _r, _m in orders)
    order_ids = [row[0] for row in bot.query("SELECT order_message_id FROM cases")]
    assert sorted(order_ids) == sorted(mid for _k, _r, mid in orders)

    # Every inbound message exactly one recorded outcome.
    rows = bot.query("SELECT account, folder, uidvalidity, uid, outcome, message_id FROM inbound")
    assert len(rows) == ORDERS
    assert len({r[:4] for r in rows}) == ORDERS
    uids = sorted(r[3] for r in rows)  # the shared sandbox's UIDs go on from earlier tests
    assert uids == list(range(uids[0], uids[0] + ORDERS))
    assert Counter(r[4] for r in rows).keys() <= {"order", "needs_info"}, Counter(r[4] for r in rows)
    assert sorted(r[5] for r in rows) == sorted(mid for _k, _r, mid in orders)

    # Everything queued went out; a repeat only for a mail in flight at a kill.
    outbox = bot.query("SELECT message_id, status FROM outbox")
    assert {status for _mid, status in outbox} == {"sent"}
    queued = {mid for mid, _status in outbox}
    sent = Counter(str(e.message["Message-ID"]).strip("<>") for e in sandbox.sent)
    assert set(sent) == queued
    repeats = sum(n - 1 for n in sent.values())
    assert repeats <= KILLS, {mid: n for mid, n in sent.items() if n > 1}
    integrity = bot.query("PRAGMA integrity_check")
    assert integrity == [("ok",)]

