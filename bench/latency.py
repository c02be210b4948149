"""Latency benchmark: the daemon (`python -m bot run`, IMAP IDLE) from APPEND of an order to its receipt at SMTP."""

from __future__ import annotations

import argparse
import random
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from imapclient import IMAPClient

from bench.harness import PYTHON, bot_env, percentile
from bench.mails import MailFactory
from bench.report import Section, Target
from sandbox import BOT_MAILBOX, Sandbox, SentEnvelope

P50_TARGET_S, P95_TARGET_S = 1.0, 1.5
POLL_S = 0.002
RECEIPT_TIMEOUT_S = 15.0


def receipt_for(sent: list[SentEnvelope], order_message_id: str) -> SentEnvelope | None:
    """The bot's answer to an order: the mail whose In-Reply-To names the order and that goes to the kommune."""
    wanted = f"<{order_message_id}>"
    for env in sent:
        if str(env.message.get("In-Reply-To", "")).strip() == wanted:
            return env
    return None


def wait_for_receipt(sandbox: Sandbox, order_message_id: str, seen: int) -> float | None:
    """Poll the gateway's envelopes (new ones only) until the receipt arrives; returns perf_counter() then."""
    deadline = time.perf_counter() + RECEIPT_TIMEOUT_S
    while time.perf_counter() < deadline:
        sent = sandbox.sent
        if len(sent) > seen and receipt_for(sent[seen:], order_message_id) is not None:
            return time.perf_counter()
        time.sleep(POLL_S)
    return None


def idle_floor(sandbox: Sandbox, factory: MailFactory, rounds: int) -> list[float]:
    """APPEND → EXISTS on a second IDLEing connection: Dovecot's notify delay, which no bot can beat."""
    out = []
    watcher = IMAPClient(sandbox.imap_host, port=sandbox.imap_plain_port, ssl=False, timeout=10)
    watcher.login(BOT_MAILBOX, sandbox.password)
    watcher.select_folder("INBOX")
    with sandbox.imap(BOT_MAILBOX) as client:
        for _ in range(rounds):
            watcher.idle()
            raw = factory.make("bulk").raw
            started = time.perf_counter()
            client.append("INBOX", raw)
            while True:
                responses = watcher.idle_check(timeout=5)
                if any(isinstance(r, tuple) and len(r) >= 2 and r[1] == b"EXISTS" for r in responses):
                    out.append(time.perf_counter() - started)
                    break
                if not responses:
                    break
            watcher.idle_done()
    watcher.logout()
    return out


def wait_for_log(path: Path, needle: str, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if needle in path.read_text(errors="replace"):
            return True
        time.sleep(0.05)
    return False


def measure(orders: int, section: Section, seed: int = 7) -> tuple[list[float], list[float], float | None]:
    rng = random.Random(seed)
    factory = MailFactory(seed=seed, tag="lat")
    workdir = Path(tempfile.mkdtemp(prefix="oppk-bench-latency-"))
    latencies: list[float] = []
    try:
        with Sandbox.start() as sandbox:
            floor = idle_floor(sandbox, factory, 20)
            env = bot_env(sandbox.settings_env(), workdir, BOT_MAX_MAILS_PER_RECIPIENT_PER_DAY="1000000")
            # The backlog the daemon finds at start is left out: it starts on an empty folder.
            with sandbox.imap(BOT_MAILBOX) as c:
                c.select_folder("INBOX")
                uids = c.search("ALL")
                if uids:
                    c.delete_messages(uids)
                    c.expunge()
            log = workdir / "daemon.log"
            with log.open("wb") as log_fh:
                daemon = subprocess.Popen([PYTHON, "-m", "bot", "run"], env=env, cwd=workdir, stdout=log_fh,
                                          stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            started = time.perf_counter()
            try:
                if not wait_for_log(log, "running: mailbox", 60):
                    raise RuntimeError(f"daemon did not start:\n{log.read_text()[-3000:]}")
                ready_s = time.perf_counter() - started
                time.sleep(1.0)  # let the watcher reach IDLE
                cold = None
                with sandbox.imap(BOT_MAILBOX) as client:
                    for i in range(orders + 1):
                        order = factory.make("order")
                        seen = len(sandbox.sent)
                        t0 = time.perf_counter()
                        client.append("INBOX", order.raw)
                        t1 = wait_for_receipt(sandbox, order.message_id, seen)
                        if t1 is None:
                            raise RuntimeError(f"no receipt for order {i} within {RECEIPT_TIMEOUT_S} s:\n"
                                               f"{log.read_text()[-3000:]}")
                        if i == 0:
                            cold = t1 - t0  # first order: templates, TLS and SMTP login are cold
                        else:
                            latencies.append(t1 - t0)
                        # The coordinator notice follows the receipt in the same drain; let it pass.
                        time.sleep(rng.uniform(0.2, 0.5))
                section.say(f"daemon ready (first tick done) {ready_s:.2f} s after spawn")
            finally:
                daemon.send_signal(signal.SIGTERM)
                try:
                    daemon.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    daemon.kill()
                    daemon.wait()
            section.say(f"daemon stopped with exit code {daemon.returncode} after SIGTERM")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return latencies, floor, cold


def run(quick: bool, orders: int = 50) -> Section:
    section = Section("2. Latency", f"python -m bench latency --orders {orders}")
    latencies, floor, cold = measure(orders, section)
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    f50, f95 = percentile(floor, 50), percentile(floor, 95)
    section.say(f"IDLE floor (APPEND → EXISTS on another IDLEing connection, {len(floor)} rounds): "
                f"p50 {f50 * 1000:.0f} ms, p95 {f95 * 1000:.0f} ms")
    section.say(f"APPEND → receipt at the SMTP gateway over {len(latencies)} orders: p50 {p50 * 1000:.0f} ms, "
                f"p95 {p95 * 1000:.0f} ms, min {min(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms")
    if cold is not None:
        section.say(f"first order after start (not counted; cold templates and SMTP): {cold * 1000:.0f} ms")
    section.say(f"bot's own share above the IDLE floor: p50 {(p50 - f50) * 1000:.0f} ms")
    section.targets.append(Target("latency p50", f"≤ {P50_TARGET_S:.1f} s", f"{p50:.2f} s", p50 <= P50_TARGET_S,
                                  f"IDLE floor p50 {f50:.2f} s"))
    section.targets.append(Target("latency p95", f"≤ {P95_TARGET_S:.1f} s", f"{p95:.2f} s", p95 <= P95_TARGET_S))
    return section


def main(argv: list[str]) -> Section:
    p = argparse.ArgumentParser(prog="python -m bench latency")
    p.add_argument("--orders", type=int, default=50)
    p.add_argument("--quick", action="store_true")
    args = p.parse_args(argv)
    return run(args.quick, args.orders)

