"""Measuring subprocesses (wall time, peak RSS, RSS over time) and describing the machine they ran on."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
COORDINATORS = ("koordinator@hemit.no", "e-meldinger@stolav.no")


@dataclass
class Measured:
    """One finished subprocess: wall time from spawn to exit, CPU time, peak RSS, RSS over time.

    Peak RSS is the largest VmHWM read from /proc while the child ran (sampled every 50 ms). Not
    wait4()/getrusage(RUSAGE_CHILDREN): on Linux a child's ru_maxrss includes the high-water mark
    of the parent's memory it was forked (vforked) from, so a 40 MB child of a 400 MB bench process
    reports 400 MB.
    """

    argv: tuple[str, ...]
    returncode: int
    wall_s: float
    peak_rss_mb: float
    cpu_s: float  # user + system time of the child itself
    stdout: str
    stderr: str
    rss_samples_mb: list[tuple[float, float]] = field(default_factory=list)  # (seconds since start, MB)

    def check(self) -> Measured:
        if self.returncode != 0:
            raise RuntimeError(f"{' '.join(self.argv)} exited {self.returncode}:\n{self.stderr[-3000:]}")
        return self

    def rss_at(self, fraction: float) -> float | None:
        """The sampled RSS at a fraction (0..1) of the run, for showing whether memory grows."""
        if not self.rss_samples_mb:
            return None
        t = self.wall_s * fraction
        return min(self.rss_samples_mb, key=lambda s: abs(s[0] - t))[1]


def _status_kb(text: str, field_name: str) -> int | None:
    for line in text.splitlines():
        if line.startswith(field_name):
            return int(line.split()[1])
    return None


def run_measured(argv: Sequence[str], env: Mapping[str, str], cwd: Path, timeout_s: float = 600,
                 sample_every_s: float = 0.05) -> Measured:
    """Run argv to completion, sampling its memory from /proc; CPU time comes from wait4() for this child."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        # Popen returns once the child has exec'd, so every sample below is of the new program.
        proc = subprocess.Popen(list(argv), env=dict(env), cwd=cwd, stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL)
        samples: list[tuple[float, float]] = []
        peak_kb = [0]
        done = threading.Event()

        def sample() -> None:
            status = Path(f"/proc/{proc.pid}/status")
            while not done.is_set():
                try:
                    text = status.read_text()
                except OSError:
                    break
                rss, hwm = _status_kb(text, "VmRSS:"), _status_kb(text, "VmHWM:")
                if rss is None or hwm is None:
                    break  # a zombie has no memory left to report
                samples.append((time.perf_counter() - started, rss / 1024))
                peak_kb[0] = max(peak_kb[0], hwm)
                done.wait(sample_every_s)

        def kill_after_timeout() -> None:
            if not done.wait(timeout_s):
                proc.kill()

        threads = [threading.Thread(target=sample, daemon=True), threading.Thread(target=kill_after_timeout,
                                                                                   daemon=True)]
        for t in threads:
            t.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        done.set()
        proc.returncode = os.waitstatus_to_exitcode(status)
        for t in threads:
            t.join()
        out.seek(0)
        err.seek(0)
        return Measured(tuple(argv), proc.returncode, wall, peak_kb[0] / 1024, usage.ru_utime + usage.ru_stime,
                        out.read().decode(errors="replace"), err.read().decode(errors="replace"), samples)


def bot_env(settings_env: Mapping[str, str], workdir: Path, **extra: str) -> dict[str, str]:
    """The environment of a bot subprocess: no inherited BOT_* settings, a private database and data dir."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env.update(settings_env)
    env.update({
        "BOT_DATABASE_URL": f"sqlite:///{workdir / 'bot.sqlite'}",
        "BOT_COORDINATORS": ",".join(COORDINATORS),
        "PYTHONPATH": str(PROJECT_ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    env.update(extra)
    return env


def machine() -> dict[str, str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    try:
        load = " / ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        load = "unknown"
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load average (1/5/15 min) at start": load,
        "nproc": str(os.cpu_count()),
        "cpu": model,
        "memory": mem,
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank-with-interpolation percentile (statistics.quantiles with n=100 needs ≥ 2 values)."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(sorted(values), n=100, method="inclusive")[round(p) - 1]


def fmt_s(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"
