"""Backlog benchmark: `run --once` over 2,000 (and 10,000) appended messages against the fetch+parse floor."""

from __future__ import annotations

import argparse
import json
import pstats
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.harness import COORDINATORS, PYTHON, Measured, bot_env, fmt_s, run_measured
from bench.mails import MailFactory
from bench.report import Section, Target
from sandbox import BOT_MAILBOX, Sandbox

RATIO_TARGET = 1.5
RSS_TARGET_MB = 150.0
APPEND_CHUNK = 250
# Generous on purpose: 10,000 messages carry 1,000 orders from 67 municipalities, and the per-recipient
# daily limit (default 10) would otherwise hold back receipts, which is not what is being measured.
BENCH_MAIL_LIMIT = "1000000"


@dataclass
class BacklogRun:
    n: int
    orders: int
    expected: Counter[str]
    append_s: float
    floor: Measured
    floor_json: dict[str, float]
    bot: Measured
    idle: Measured
    floor_again: Measured | None
    floor_again_json: dict[str, float] | None
    sent: int
    outcomes: dict[str, int]
    mails_by_kind: Counter[str]

    @property
    def floor_s(self) -> float:
        return min(self.floor.wall_s, self.floor_again.wall_s if self.floor_again else float("inf"))

    @property
    def floor_cpu_s(self) -> float:
        return min(self.floor.cpu_s, self.floor_again.cpu_s if self.floor_again else float("inf"))

    @property
    def floor_work_s(self) -> float:
        again = self.floor_again_json["work_s"] if self.floor_again_json else float("inf")
        return min(self.floor_json["work_s"], again)

    @property
    def ratio_cpu(self) -> float:
        """CPU seconds of the bot over those of the floor: less sensitive to other load on the machine."""
        return self.bot.cpu_s / self.floor_cpu_s

    @property
    def answered(self) -> bool:
        return self.mails_by_kind["receipt"] == self.orders and self.mails_by_kind["new_case"] == self.orders

    @property
    def ratio(self) -> float:
        return self.bot.wall_s / self.floor_s

    @property
    def ratio_warm(self) -> float:
        """Both sides without interpreter start-up: the bot's empty cycle subtracted, the floor's own timer."""
        return max(self.bot.wall_s - self.idle.wall_s, 0.0) / self.floor_work_s


def append_all(sandbox: Sandbox, raws: list[bytes]) -> float:
    """MULTIAPPEND in chunks over one connection (one login per message would dominate the set-up)."""
    started = time.perf_counter()
    with sandbox.imap(BOT_MAILBOX) as client:
        for i in range(0, len(raws), APPEND_CHUNK):
            client.multiappend("INBOX", raws[i:i + APPEND_CHUNK])
    return time.perf_counter() - started


def parse_summary(stdout: str) -> dict[str, int]:
    found = re.search(r"messages: (.*?); due handled", stdout)
    if not found:
        return {}
    return {k: int(v) for k, v in (kv.split("=") for kv in found.group(1).split(", ") if "=" in kv)}


_LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) INFO bot\.\w+ (message uid|mail sent)", re.MULTILINE)


def phases(log: str) -> tuple[float, float, int] | None:
    """From the bot's log: seconds from the first to the last message recorded, then to the last mail sent,
    and how many mails went out before the last message was recorded (the outbox sends while the mailbox is
    read)."""
    from datetime import datetime

    stamps: dict[str, list[datetime]] = {"message uid": [], "mail sent": []}
    for at, what in _LOG_LINE.findall(log):
        stamps[what].append(datetime.strptime(at, "%Y-%m-%d %H:%M:%S,%f"))
    messages, mails = stamps["message uid"], stamps["mail sent"]
    if not messages or not mails:
        return None
    early = sum(1 for m in mails if m <= messages[-1])
    return (messages[-1] - messages[0]).total_seconds(), (mails[-1] - messages[-1]).total_seconds(), early


def mails_sent(log: str) -> Counter[str]:
    """Kinds of the mails the bot logged as accepted by the SMTP server."""
    return Counter(re.findall(r"mail sent id=\S+ kind=(\w+)", log))


def measure(n: int, *, profile_to: Path | None = None, seed: int = 2026, floor_twice: bool = True) -> BacklogRun:
    factory = MailFactory(seed=seed, tag=f"n{n}")
    generated = list(factory.backlog(n))
    expected = Counter(g.kind for g in generated)
    workdir = Path(tempfile.mkdtemp(prefix="oppk-bench-backlog-"))
    try:
        with Sandbox.start() as sandbox:
            append_s = append_all(sandbox, [g.raw for g in generated])
            del generated
            env = bot_env(sandbox.settings_env(), workdir, BOT_MAX_MAILS_PER_RECIPIENT_PER_DAY=BENCH_MAIL_LIMIT,
                          BOT_MAX_MAILS_PER_COORDINATOR_PER_DAY=BENCH_MAIL_LIMIT)
            floor_cmd = [PYTHON, "-m", "bench.floor"]
            floor = run_measured(floor_cmd, env, workdir).check()
            bot_cmd = [PYTHON, "-m", "bot", "run", "--once"]
            if profile_to is not None:
                bot_cmd = [PYTHON, "-m", "cProfile", "-o", str(profile_to), "-m", "bot", "run", "--once"]
            bot = run_measured(bot_cmd, env, workdir, timeout_s=1800).check()
            sent = len(sandbox.sent)
            idle = run_measured([PYTHON, "-m", "bot", "run", "--once"], env, workdir).check()
            floor_again = run_measured(floor_cmd, env, workdir).check() if floor_twice else None
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return BacklogRun(n=n, orders=expected["order"], expected=expected, append_s=append_s, floor=floor,
                      floor_json=json.loads(floor.stdout), bot=bot, idle=idle, floor_again=floor_again,
                      floor_again_json=json.loads(floor_again.stdout) if floor_again else None, sent=sent,
                      outcomes=parse_summary(bot.stdout), mails_by_kind=mails_sent(bot.stderr))


def describe(r: BacklogRun, section: Section) -> None:
    say = section.say
    say(f"-- backlog of {r.n:,} messages ({dict(sorted(r.expected.items()))}); APPEND took {r.append_s:.1f} s")
    fj = r.floor_json
    again = f" then {fmt_s(r.floor_again.wall_s)} after the bot" if r.floor_again else ""
    say(f"floor  (imapclient fetch in batches of 200 + policy.default parse + body), subprocess wall: "
        f"{fmt_s(r.floor.wall_s)}{again}; best {fmt_s(r.floor_s)}; CPU {fmt_s(r.floor_cpu_s)}")
    say(f"       inside the process: {fmt_s(fj['work_s'])} = fetch {fmt_s(fj['fetch_s'])} + parse "
        f"{fmt_s(fj['parse_s'])}; {r.n / r.floor_work_s:,.0f} msg/s; peak RSS {r.floor.peak_rss_mb:.0f} MB")
    say(f"bot    `run --once` subprocess wall: {fmt_s(r.bot.wall_s)} ({r.n / r.bot.wall_s:,.0f} msg/s); "
        f"CPU {fmt_s(r.bot.cpu_s)}; peak RSS {r.bot.peak_rss_mb:.1f} MB")
    samples = [r.bot.rss_at(f) for f in (0.1, 0.25, 0.5, 0.75, 0.95)]
    say("       RSS at 10/25/50/75/95 % of the run: " + " / ".join(f"{s:.0f}" for s in samples if s) + " MB")
    split = phases(r.bot.stderr)
    if split is not None:
        intake_s, outbox_s, early = split
        rest = r.bot.wall_s - intake_s - outbox_s
        say(f"       phases from its log: messages {fmt_s(intake_s)} ({intake_s / r.n * 1000:.1f} ms each; "
            f"{early} of {r.sent} mails sent meanwhile); the other {r.sent - early} mails after the last message "
            f"{fmt_s(outbox_s)}; start-up, first fetch, tick and exit {fmt_s(rest)}")
    say(f"       outcomes: {r.outcomes}")
    say(f"       mails accepted by SMTP: {dict(sorted(r.mails_by_kind.items()))}, {r.sent} at the gateway "
        f"(a receipt and a coordinator notice per order: {r.orders} each expected)")
    say(f"bot    empty cycle (start-up, SEARCH, tick, empty outbox): {fmt_s(r.idle.wall_s)}, CPU "
        f"{fmt_s(r.idle.cpu_s)}; peak RSS {r.idle.peak_rss_mb:.1f} MB")
    say(f"ratio  bot / floor: wall {r.ratio:.2f}x; CPU {r.ratio_cpu:.2f}x; wall without start-up on either "
        f"side {r.ratio_warm:.2f}x")


def run(quick: bool) -> Section:
    section = Section("1. Backlog", "python -m bench backlog" + (" --quick" if quick else ""))
    sizes = (2000,) if quick else (2000, 10000)
    results = []
    for n in sizes:
        r = measure(n, floor_twice=n == sizes[0])
        describe(r, section)
        results.append(r)
    first = results[0]
    section.targets.append(Target(
        "backlog 2,000: bot ≤ 1.5 × floor", "≤ 1.50x", f"{first.ratio:.2f}x (CPU {first.ratio_cpu:.2f}x, "
        f"start-up excluded {first.ratio_warm:.2f}x)", first.ratio <= RATIO_TARGET,
        f"bot {fmt_s(first.bot.wall_s)}, floor {fmt_s(first.floor_s)}"))
    for r in results:
        section.targets.append(Target(f"backlog {r.n:,}: peak RSS", f"≤ {RSS_TARGET_MB:.0f} MB",
                                      f"{r.bot.peak_rss_mb:.1f} MB", r.bot.peak_rss_mb <= RSS_TARGET_MB))
        section.targets.append(Target(
            f"backlog {r.n:,}: every order answered", f"{r.orders} receipts + {r.orders} notices",
            f"{r.mails_by_kind['receipt']} + {r.mails_by_kind['new_case']}", r.answered))
    if len(results) > 1:
        small, big = results[0], results[-1]
        growth = big.bot.peak_rss_mb - small.bot.peak_rss_mb
        flat = growth <= max(10.0, 0.15 * small.bot.peak_rss_mb)
        section.say(f"RSS growth 2,000 → 10,000 messages: {growth:+.1f} MB "
                    f"({big.bot.peak_rss_mb / small.bot.peak_rss_mb:.2f}x); "
                    f"wall {big.bot.wall_s / small.bot.wall_s:.2f}x for 5x the messages; "
                    f"ratio to floor at 10,000: {big.ratio:.2f}x")
        section.targets.append(Target("RSS flat 2,000 → 10,000", "growth ≤ max(10 MB, 15 %)",
                                      f"{growth:+.1f} MB", flat))
        section.targets.append(Target("backlog 10,000: bot ≤ 1.5 × floor", "≤ 1.50x", f"{big.ratio:.2f}x",
                                      big.ratio <= RATIO_TARGET, "(same target, larger backlog)"))
    else:
        section.targets.append(Target("RSS flat 2,000 → 10,000", "growth ≤ max(10 MB, 15 %)", "-", None,
                                      "skipped with --quick"))
    if not quick:
        breakdown(1000, section)
    return section


def breakdown(n: int, section: Section) -> None:
    """In-process CPU per message kind: intake alone (`understand`) against the whole `process_fetched`.

    The difference is what the store, the engine and composing replies cost; the outbox drain is timed
    against an in-memory sender, so no SMTP is in it.
    """
    import asyncio
    import logging
    import os

    from bot.app import build_app
    from bot.intake.understand import understand
    from bot.mail.mailbox import FetchedMessage
    from bot.mail.memory_sender import MemorySender
    from bot.settings import load_settings

    generated = list(MailFactory(seed=99, tag="bd").backlog(n))
    workdir = Path(tempfile.mkdtemp(prefix="oppk-bench-breakdown-"))
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("BOT_")}
    logging.disable(logging.INFO)
    try:
        settings = load_settings(database_url=f"sqlite:///{workdir / 'bot.sqlite'}",
                                 coordinators=",".join(COORDINATORS),
                                 max_mails_per_recipient_per_day=int(BENCH_MAIL_LIMIT),
                                 max_mails_per_coordinator_per_day=int(BENCH_MAIL_LIMIT))
        app = build_app(settings)
        intake: Counter[str] = Counter()
        whole: Counter[str] = Counter()
        count = Counter(g.kind for g in generated)
        for g in generated:
            t = time.process_time()
            understand(g.raw, app.intake, own_address=settings.mailbox_address)
            intake[g.kind] += time.process_time() - t
        # As the bot does it: batches of 200 in one transaction each. Each message's own share is its
        # `_handle_guarded` (timed through a wrapper); the batch's shared statements are spread evenly over it.
        inbox = app.inbox
        handle = inbox._handle_guarded
        kind_of_uid = {uid: g.kind for uid, g in enumerate(generated, 1)}

        def timed(tx: Any, one: Any, row: Any, now: Any) -> None:
            t0 = time.process_time()
            try:
                handle(tx, one, row, now)
            finally:
                whole[kind_of_uid[row.uid]] += time.process_time() - t0

        object.__setattr__(inbox, "_handle_guarded", timed)
        shared = 0.0
        fetched = [FetchedMessage("INBOX", 1, uid, len(g.raw), g.raw) for uid, g in enumerate(generated, 1)]
        for start in range(0, n, 200):
            before = sum(whole.values())
            t = time.process_time()
            inbox.process_batch(fetched[start:start + 200], "bench")
            shared += time.process_time() - t - (sum(whole.values()) - before)
        for kind in whole:
            whole[kind] += shared * count[kind] / n
        t = time.process_time()
        report = asyncio.run(app.outbox.drain(MemorySender()))
        drain_s = time.process_time() - t
        app.store.dispose()
    finally:
        logging.disable(logging.NOTSET)
        os.environ.update(saved)
        shutil.rmtree(workdir, ignore_errors=True)
    section.say(f"-- in-process CPU per message over {n:,} generated messages (no IMAP, no SMTP):")
    for kind in sorted(count):
        k = count[kind]
        section.say(f"   {kind:<10} n={k:<5} understand {intake[kind] / k * 1000:5.2f} ms; process_batch "
                    f"{whole[kind] / k * 1000:6.2f} ms (store, engine, replies: "
                    f"{(whole[kind] - intake[kind]) / k * 1000:5.2f} ms)")
    total = sum(whole.values())
    intake_ms = sum(intake.values()) / n * 1000
    section.say(f"   batch statements shared by all (seen check, raw, in-progress, inbound rows, commits): "
                f"{shared / n * 1000:.2f} ms/message")
    section.say(f"   all kinds: {total / n * 1000:.2f} ms/message, of which intake {intake_ms:.2f}"
                f" ms; orders are {count['order'] / n:.0%} of the messages and {whole['order'] / total:.0%} of the CPU")
    section.say(f"   outbox drain to an in-memory sender: {drain_s / max(report.sent, 1) * 1000:.2f} ms per mail "
                f"({report.sent} mails; the in-memory sender parses each to keep it, SMTP sends the stored bytes)")


def profile(n: int, out: Path, top: int) -> None:
    """Run the bot under cProfile and print where the time goes (tottime and cumulative)."""
    r = measure(n, profile_to=out)
    section = Section("backlog profile", f"python -m bench backlog --profile --n {n}")
    describe(r, section)
    stats = pstats.Stats(str(out), stream=sys.stdout)
    stats.strip_dirs().sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top * 2)


def main(argv: list[str]) -> Section | None:
    p = argparse.ArgumentParser(prog="python -m bench backlog")
    p.add_argument("--quick", action="store_true", help="2,000 messages only (skip 10,000)")
    p.add_argument("--n", type=int, default=2000, help="backlog size for --profile")
    p.add_argument("--profile", type=Path, nargs="?", const=Path("/tmp/bench-backlog.prof"),
                   help="run the bot under cProfile and print the top functions (no targets)")
    p.add_argument("--top", type=int, default=30)
    p.add_argument("--breakdown", action="store_true", help="only the in-process CPU per message kind")
    args = p.parse_args(argv)
    if args.breakdown:
        section = Section("backlog breakdown", f"python -m bench backlog --breakdown --n {args.n}")
        breakdown(args.n, section)
        return section
    if args.profile is not None:
        profile(args.n, args.profile, args.top)
        return None
    return run(args.quick)
