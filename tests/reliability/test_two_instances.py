"""Two daemons on one PostgreSQL database and one mailbox: one leads, the other stands by and takes over when the
leader dies; a leader paused past its lease sends and commits nothing when it resumes; PostgreSQL restarted under
them loses nothing. A real PostgreSQL server (pg_kit), the real Dovecot and SMTP sandbox, `python -m bot run`."""

from __future__ import annotations

import json
import random
import re
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from pg_kit import PgServer, pg_count, pg_query
from reliability_kit import CliBot, Kommune, cli_bot, kommuner, order, wait_until

from sandbox import Sandbox

pytestmark = [pytest.mark.integration, pytest.mark.slow]

LEASE_S = 3  # production default 15; short here so that a takeover costs the tests little
TAKEOVER_LIMIT_S = 30  # what the issue allows
SEED = 20261208
POLL_S = 0.2  # the database is asked this often how far the daemons are (each time on a new connection)


def orders(n: int, tag: str) -> list[tuple[Kommune, bytes, str]]:
    """`n` orders from varied municipalities, all complete (activation in March 2027, beyond any notice)."""
    rng = random.Random(f"{SEED}-{tag}")
    everyone = kommuner()
    out = []
    for i in range(n):
        k = everyone[i % len(everyone)]
        mid = f"{tag}-{i}@{k.domain}"
        d = rng.choice(["01.03.2027", "15.3.27", "2027-04-05"])
        out.append((k, order(k, message_id=mid, her_id=2_000_000 + i, d=d), mid))
    return out


@pytest.fixture
def pair(sandbox: Sandbox, postgres: PgServer, workdir: Path) -> Iterator[tuple[CliBot, CliBot, str]]:
    """Two daemons' configurations (working directories a/ and b/) on one new database and the shared mailbox."""
    url = postgres.create_database("pair")
    yield *two_bots(sandbox, workdir, url), url


def two_bots(box: Sandbox, workdir: Path, url: str) -> tuple[CliBot, CliBot]:
    bots = []
    for name in ("a", "b"):
        (workdir / name).mkdir()
        bot = cli_bot(workdir / name, box.settings_env(), BOT_MAX_MAILS_PER_COORDINATOR_PER_DAY="1000",
                      BOT_POLL_INTERVAL_S="1", BOT_TICK_INTERVAL_S="2")
        bot.env.update(BOT_DATABASE_URL=url, BOT_LEASE_SECONDS=str(LEASE_S))
        bots.append(bot)
    return bots[0], bots[1]


class Daemons:
    """The two `run` processes, restarted as needed; who leads is read from their logs."""

    def __init__(self, a: CliBot, b: CliBot) -> None:
        self.bots = {"a": a, "b": b}
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str) -> None:
        self.procs[name] = self.bots[name].start("run")

    def log(self, name: str) -> str:
        return self.bots[name].stderr_log()

    def leads(self, name: str) -> int:
        return len(re.findall(r" leader: ", self.log(name)))

    def leader(self) -> str | None:
        """The live process that logged its latest takeover last (each log line is one lead taken)."""
        live = [n for n, p in self.procs.items() if p.poll() is None and self.leads(n)]
        return max(live, key=lambda n: _last_lead_at(self.log(n)), default=None)

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGCONT)
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def _last_lead_at(log: str) -> str:
    stamps = re.findall(r"^(\S+ \S+) INFO bot.run leader: ", log, re.MULTILINE)
    return stamps[-1] if stamps else ""


@pytest.fixture
def daemons(pair: tuple[CliBot, CliBot, str]) -> Iterator[Daemons]:
    d = Daemons(pair[0], pair[1])
    yield d
    d.stop_all()


def progress(url: str, box: Sandbox) -> int:
    """Work done: messages recorded plus mails the SMTP server accepted (repeats included)."""
    return pg_count(url, "SELECT count(*) FROM inbound") + len(box.sent)


def all_done(url: str, n: int) -> bool:
    return (pg_count(url, "SELECT count(*) FROM inbound") == n
            and pg_count(url, "SELECT count(*) FROM outbox WHERE status <> 'sent'") == 0
            and pg_count(url, "SELECT count(*) FROM outbox") > 0)


def check_every_order_one_case(bot: CliBot, url: str, sent: list[object], mids: list[str]) -> Counter[str]:
    """One case per order, one outcome per message, every queued mail sent; returns copies per Message-ID."""
    listed = bot.run("cases", "--json")
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == len(mids)
    assert sorted(r[0] for r in pg_query(url, "SELECT order_message_id FROM cases")) == sorted(mids)
    rows = pg_query(url, "SELECT uid, outcome FROM inbound")
    assert len(rows) == len(mids) and len({r[0] for r in rows}) == len(mids)
    assert {r[1] for r in rows} == {"order"}
    queued = {r[0] for r in pg_query(url, "SELECT message_id FROM outbox WHERE status = 'sent'")}
    copies = Counter(str(e.message["Message-ID"]).strip("<>") for e in sent)  # type: ignore[attr-defined]
    assert set(copies) == queued
    return copies


def test_sigkill_of_the_leader_three_times_loses_no_order(sandbox: Sandbox, daemons: Daemons,
                                                          pair: tuple[CliBot, CliBot, str]) -> None:
    """200 orders, two daemons, the leader SIGKILLed at three random points (and started again as a standby):
    every order one case, at most one repeated mail per kill, each takeover within 30 s."""
    url = pair[2]
    backlog = orders(200, "kill")
    with sandbox.imap(sandbox.bot_user) as client:
        for _k, raw, _mid in backlog:
            client.append("INBOX", raw)
    daemons.start("a")
    assert wait_until(lambda: daemons.leads("a") == 1, 30), daemons.log("a")
    daemons.start("b")
    assert wait_until(lambda: "standby: " in daemons.log("b"), 30), daemons.log("b")

    rng = random.Random(SEED)
    targets = sorted(rng.sample(range(20, 500), 3))
    takeovers = []
    for target in targets:
        assert wait_until(lambda t=target: progress(url, sandbox) >= t or all_done(url, 200), 120, POLL_S)
        victim = daemons.leader()
        assert victim is not None
        other = "b" if victim == "a" else "a"
        before = daemons.leads(other)
        daemons.procs[victim].send_signal(signal.SIGKILL)
        daemons.procs[victim].wait(timeout=10)
        killed_at = time.monotonic()
        assert wait_until(lambda o=other, b=before: daemons.leads(o) > b, TAKEOVER_LIMIT_S, 0.05), daemons.log(other)
        takeovers.append(time.monotonic() - killed_at)
        daemons.start(victim)  # back as a standby
    print(f"takeover after SIGKILL: {', '.join(f'{t:.1f} s' for t in takeovers)} (lease {LEASE_S} s)")

    assert wait_until(lambda: all_done(url, 200), 180, POLL_S), daemons.log("a")[-3000:] + daemons.log("b")[-3000:]
    daemons.stop_all()
    copies = check_every_order_one_case(pair[0], url, list(sandbox.sent), [m for _k, _r, m in backlog])
    repeats = sum(n - 1 for n in copies.values())
    print(f"mails repeated: {repeats} over 3 kills")
    assert repeats <= 3, {mid: n for mid, n in copies.items() if n > 1}
    for name in ("a", "b"):
        assert "Traceback" not in daemons.log(name)


def test_a_leader_paused_past_its_lease_sends_and_commits_nothing_when_it_resumes(
        sandbox: Sandbox, daemons: Daemons, pair: tuple[CliBot, CliBot, str]) -> None:
    """SIGSTOP of the leader mid-backlog, the standby takes over, SIGCONT: no mail is sent twice after the
    takeover, the old leader logs no commit or send after it resumes, and it stops."""
    url = pair[2]
    backlog = orders(30, "stop")
    with sandbox.imap(sandbox.bot_user) as client:
        for _k, raw, _mid in backlog:
            client.append("INBOX", raw)
    daemons.start("a")
    assert wait_until(lambda: daemons.leads("a") == 1, 30), daemons.log("a")
    daemons.start("b")
    assert wait_until(lambda: "standby: " in daemons.log("b"), 30), daemons.log("b")
    assert wait_until(lambda: progress(url, sandbox) >= 45, 60, POLL_S)

    old = daemons.procs["a"]
    old.send_signal(signal.SIGSTOP)
    stopped_at = time.monotonic()
    assert wait_until(lambda: daemons.leads("b") == 1, TAKEOVER_LIMIT_S), daemons.log("b")
    print(f"takeover after SIGSTOP: {time.monotonic() - stopped_at:.1f} s (lease {LEASE_S} s)")
    sent_at_takeover = len(sandbox.sent)
    time.sleep(1.0)
    log_at_resume = len(daemons.log("a"))
    old.send_signal(signal.SIGCONT)
    assert old.wait(timeout=30) != 0  # it finds the newer epoch and stops

    assert wait_until(lambda: all_done(url, 30), 120, POLL_S), daemons.log("b")[-3000:]
    daemons.stop_all()
    after_resume = daemons.log("a")[log_at_resume:]
    assert "lost the lead" in after_resume, after_resume
    # A message's log line follows its commit ("mail sent" precedes it: the server had the mail before the pause).
    assert not re.search(r"message uid=\d+ .*outcome=", after_resume), after_resume
    sent = list(sandbox.sent)
    copies = check_every_order_one_case(pair[0], url, sent, [m for _k, _r, m in backlog])
    after = Counter(str(e.message["Message-ID"]).strip("<>") for e in sent[sent_at_takeover:])
    assert all(n == 1 for n in after.values()), {m: n for m, n in after.items() if n > 1}
    assert sum(n - 1 for n in copies.values()) <= 1  # only a mail in flight at the SIGSTOP, sent before it


def test_postgresql_restarted_under_the_daemons_loses_nothing(sandbox: Sandbox, fresh_postgres: PgServer,
                                                             workdir: Path) -> None:
    """PostgreSQL stopped and started while both daemons run: they reconnect, one leads, every order is a case."""
    url = fresh_postgres.create_database("restart")
    daemons = Daemons(*two_bots(sandbox, workdir, url))
    try:
        first, second = orders(8, "before"), orders(8, "after")
        for _k, raw, _mid in first:
            sandbox.append(sandbox.bot_user, raw)
        daemons.start("a")
        assert wait_until(lambda: daemons.leads("a") == 1, 30), daemons.log("a")
        daemons.start("b")
        assert wait_until(lambda: "standby: " in daemons.log("b"), 30), daemons.log("b")  # both run
        assert wait_until(lambda: progress(url, sandbox) >= 4, 60, POLL_S)
        fresh_postgres.stop()
        time.sleep(1.0)
        for _k, raw, _mid in second:
            sandbox.append(sandbox.bot_user, raw)
        fresh_postgres.start()

        def logs() -> str:
            return daemons.log("a")[-3000:] + daemons.log("b")[-3000:]

        assert wait_until(lambda: all_done(url, 16), 120, POLL_S), logs()
        assert any(p.poll() is None for p in daemons.procs.values()), logs()
    finally:
        daemons.stop_all()
    copies = check_every_order_one_case(daemons.bots["a"], url, list(sandbox.sent),
                                        [m for _k, _r, m in first + second])
    assert sum(n - 1 for n in copies.values()) <= 1
