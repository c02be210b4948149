"""`make demo ARGS=--keep`, then the status page command it prints: a coordinator logs in by the mailed link."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import pytest
from web_kit import Browser

from sandbox.dovecot import free_port

ROOT = Path(__file__).resolve().parents[2]


class Lines:
    """A child's stdout, read line by line in a thread, so the test can wait for a line with a timeout."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.q: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        assert proc.stdout is not None
        self.thread = threading.Thread(target=self._read, args=(proc.stdout,), daemon=True)
        self.thread.start()

    def _read(self, stream: IO[str]) -> None:
        with stream:  # closed at the end of output, when the child has exited
            for line in stream:
                self.q.put(line)

    def wait_for(self, pattern: str, timeout_s: float) -> re.Match[str]:
        deadline = time.monotonic() + timeout_s
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.q.get(timeout=left)
            except queue.Empty:
                break
            self.seen.append(line)
            if found := re.search(pattern, line):
                return found
        raise AssertionError(f"no line matching {pattern!r} in:\n{''.join(self.seen)[-3000:]}")


def _stop(proc: subprocess.Popen[str], lines: Lines) -> int:
    proc.send_signal(signal.SIGINT)
    try:
        return proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise
    finally:
        lines.thread.join(10)


@pytest.mark.timeout(150)
def test_the_demo_prints_the_page_command_and_the_mailed_link_logs_in(require_dovecot: None, tmp_path: Path) -> None:
    """The printed `web` command serves the demo's database; the login mail appears in the demo's output, and
    its link opens the Malvik case's timeline."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    demo = subprocess.Popen([sys.executable, "-m", "bot", "demo", "--keep"], cwd=tmp_path, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = Lines(demo)
    web: tuple[subprocess.Popen[str], Lines] | None = None
    try:
        command = out.wait_for(r"^  (BOT_DATABASE_URL=\S+ BOT_COORDINATORS=\S+ \S+ -m bot web --now \S+)$", 90)
        out.wait_for("Press Ctrl-C", 5)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(["bash", "-c", command.group(1)], cwd=tmp_path, text=True,
                                  env={**env, "BOT_WEB_PORT": str(port), "BOT_WEB_PUBLIC_URL": base},
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        web = (server, Lines(server))
        web[1].wait_for("Uvicorn running", 30)

        browser = Browser(base)
        assert browser.ask_for_link("koordinator@hemit.no").status == 200
        link = out.wait_for(rf"Lenke: ({re.escape(base)}/login/\S+)", 30).group(1)
        assert browser.get(link.removeprefix(base)).location == "/"
        page = browser.get("/cases/OPK-1")
        assert page.status == 200 and "OPK-1 Malvik kommune" in page.body
        assert '<svg class="timeline"' in page.body and 'class="today-mark"' in page.body
        assert page.body.count('<g class="lane done"') == page.body.count('<g class="lane ')  # all done
    finally:
        if web is not None:
            _stop(*web)
        assert _stop(demo, out) == 0
    assert not list(tmp_path.iterdir())
