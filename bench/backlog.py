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

from bench.harness import PYTHON, Measured, bot_env, fmt_s, run_measured
from bench.mails import MailFactory
from bench.report import Section, Target
from bot.sandbox import BOT_MAILBOX, Sandbox

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
    floor_again: Measured
    floor_again_json: dict[str, float]
    sent: int
    outcomes: dict[str, int]

    @property
    def floor_s(self) -> float:
        return min(self.floor.wall_s, self.floor_again.wall_s)

    @property
    def floor_work_s(self) -> float:
        return min(self.floor_json["work_s"], self.floor_again_json["work_s"])

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


def measure(n: int, *, profile_to: Path | None = None, seed: int = 2026) -> BacklogRun:
    factory = MailFactory(seed=seed, tag=f"n{n}")
    generated = list(factory.backlog(n))
    expected = Counter(g.kind for g in generated)
    workdir = Path(tempfile.mkdtemp(prefix="oppk-bench-backlog-"))
    try:
        with Sandbox.start() as sandbox:
            append_s = append_all(sandbox, [g.raw for g in generated])
            del generated
            env = bot_env(sandbox.settings_env(), workdir, BOT_MAX_MAILS_PER_RECIPIENT_PER_DAY=BENCH_MAIL_LIMIT)
            floor_cmd = [PYTHON, "-m", "bench.floor"]
            floor = run_measured(floor_cmd, env, workdir).check()
            bot_cmd = [PYTHON, "-m", "bot", "run", "--once"]
            if profile_to is not None:
                bot_cmd = [PYTHON, "-m", "cProfile", "-o", str(profile_to), "-m", "bot", "run", "--once"]
            bot = run_measured(bot_cmd, env, workdir, timeout_s=1800).check()
            sent = len(sandbox.sent)
            idle = run_measured([PYTHON, "-m", "bot", "run", "--once"], env, workdir).check()
            floor_again = run_measured(floor_cmd, env, workdir).check()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return BacklogRun(n=n, orders=expected["order"], expected=expected, append_s=append_s, floor=floor,
                      floor_json=json.loads(floor.stdout), bot=bot, idle=idle, floor_again=floor_again,
                      floor_again_json=json.loads(floor_again.stdout), sent=sent,
                      outcomes=parse_summary(bot.stdout))


def describe(r: BacklogRun, section: Section) -> None:
    say = section.say
    say(f"-- backlog of {r.n:,} messages ({dict(sorted(r.expected.items()))}); APPEND took {r.append_s:.1f} s")
    fj = r.floor_json
    say(f"floor  (imapclient fetch in batches of 200 + policy.default parse + body), subprocess wall: "
        f"{fmt_s(r.floor.wall_s)} then {fmt_s(r.floor_again.wall_s)} after the bot; best {fmt_s(r.floor_s)}")
    say(f"       inside the process: {fmt_s(fj['work_s'])} = fetch {fmt_s(fj['fetch_s'])} + parse "
        f"{fmt_s(fj['parse_s'])}; {r.n / r.floor_work_s:,.0f} msg/s; peak RSS {r.floor.maxrss_mb:.0f} MB")
    say(f"bot    `run --once` subprocess wall: {fmt_s(r.bot.wall_s)} ({r.n / r.bot.wall_s:,.0f} msg/s); "
        f"peak RSS {r.bot.maxrss_mb:.1f} MB")
    samples = [r.bot.rss_at(f) for f in (0.1, 0.25, 0.5, 0.75, 0.95)]
    say("       RSS at 10/25/50/75/95 % of the run: " + " / ".join(f"{s:.0f}" for s in samples if s) + " MB")
    say(f"       outcomes: {r.outcomes}; mails reaching the SMTP gateway: {r.sent} "
        f"(expected {2 * r.orders}: a receipt and a coordinator notice per order)")
    say(f"bot    empty cycle (start-up, SEARCH, tick, empty outbox): {fmt_s(r.idle.wall_s)}; "
        f"peak RSS {r.idle.maxrss_mb:.1f} MB")
    say(f"ratio  bot / floor (both subprocess wall): {r.ratio:.2f}x; without start-up on either side: "
        f"{r.ratio_warm:.2f}x")


def run(quick: bool) -> Section:
    section = Section("1. Backlog", "python -m bench backlog" + (" --quick" if quick else ""))
    sizes = (2000,) if quick else (2000, 10000)
    results = []
    for n in sizes:
        r = measure(n)
        describe(r, section)
        results.append(r)
    first = results[0]
    section.targets.append(Target(
        "backlog 2,000: bot ≤ 1.5 × floor", "≤ 1.50x", f"{first.ratio:.2f}x (start-up excluded: "
        f"{first.ratio_warm:.2f}x)", first.ratio <= RATIO_TARGET,
        f"bot {fmt_s(first.bot.wall_s)}, floor {fmt_s(first.floor_s)}"))
    for r in results:
        section.targets.append(Target(f"backlog {r.n:,}: peak RSS", f"≤ {RSS_TARGET_MB:.0f} MB",
                                      f"{r.bot.maxrss_mb:.1f} MB", r.bot.maxrss_mb <= RSS_TARGET_MB))
        section.targets.append(Target(
            f"backlog {r.n:,}: every order answered", f"{2 * r.orders} mails", f"{r.sent} mails",
            r.sent == 2 * r.orders))
    if len(results) > 1:
        small, big = results[0], results[-1]
        growth = big.bot.maxrss_mb - small.bot.maxrss_mb
        flat = growth <= max(10.0, 0.15 * small.bot.maxrss_mb)
        section.say(f"RSS growth 2,000 → 10,000 messages: {growth:+.1f} MB "
                    f"({big.bot.maxrss_mb / small.bot.maxrss_mb:.2f}x); wall {big.bot.wall_s / small.bot.wall_s:.2f}x "
                    f"for 5x the messages; ratio to floor at 10,000: {big.ratio:.2f}x")
        section.targets.append(Target("RSS flat 2,000 → 10,000", "growth ≤ max(10 MB, 15 %)",
                                      f"{growth:+.1f} MB", flat))
        section.targets.append(Target("backlog 10,000: bot ≤ 1.5 × floor", "≤ 1.50x", f"{big.ratio:.2f}x",
                                      big.ratio <= RATIO_TARGET, "(same target, larger backlog)"))
    else:
        section.targets.append(Target("RSS flat 2,000 → 10,000", "growth ≤ max(10 MB, 15 %)", "-", None,
                                      "skipped with --quick"))
    return section


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
    args = p.parse_args(argv)
    if args.profile is not None:
        profile(args.n, args.profile, args.top)
        return None
    return run(args.quick)
