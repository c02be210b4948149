"""Shared helpers for the fault tests: mail factories, the bot as a subprocess, read-only database access."""

from __future__ import annotations

import asyncio
import base64
import csv
import os
import resource
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.app import App, build_app
from bot.clock import FixedClock
from bot.mail.memory import MemoryMailbox
from bot.mail.memory_sender import MemorySender
from bot.runner import CycleReport, run_once
from bot.settings import load_settings

OSLO = ZoneInfo("Europe/Oslo")
PROJECT = Path(__file__).resolve().parents[2]
PYTHON = PROJECT / ".venv" / "bin" / "python"
BOT = "meldingsansvarlig@helse-midt.no"
COORDINATOR = "koordinator@hemit.no"
COORDINATOR_2 = "e-meldinger@stolav.no"
COORDINATORS = (COORDINATOR, COORDINATOR_2)
# Monday 11 January 2027, 10:00 in Oslo: D = 1 March 2027 is a valid activation date from here.
T0 = datetime(2027, 1, 11, 10, 0, tzinfo=OSLO)
D_TEXT = "01.03.2027"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class Kommune:
    number: str
    name: str
    domain: str

    @property
    def mailbox(self) -> str:
        return f"meldingsansvarlig@{self.domain}"


def kommuner() -> list[Kommune]:
    """Every municipality of data/kommuner.csv, in file order."""
    with (PROJECT / "data" / "kommuner.csv").open(encoding="utf-8") as f:
        return [Kommune(r["number"], r["name"], r["domain"]) for r in csv.DictReader(f)]


def kommune(name: str) -> Kommune:
    """The registry's municipality of that name."""
    return next(k for k in kommuner() if k.name == name)


def encoded_word(text: str) -> str:
    """An RFC 2047 B-encoded word, which can carry CR, LF and specials through a header."""
    return "=?utf-8?b?" + base64.b64encode(text.encode()).decode() + "?="


def order_text(k: Kommune, *, her_id: int = 8142326, d: str | None = D_TEXT,
               types: str = "PLO 1.6, dialogmelding 1.1", extra: str = "") -> str:
    """An order's text in the `Felt: verdi` style; without `d` it lacks the activation date."""
    lines = ["Hei,", "", f"{k.name} kommune bestiller oppkobling av elektronisk meldingsutveksling.", ""]
    if d is not None:
        lines.append(f"Aktiveringsdato: {d}")
    lines += [f"Meldingstyper: {types}", f"Kommunikasjonspart: HER-id {her_id}", ""]
    if extra:
        lines += [extra, ""]
    lines += ["Med vennlig hilsen", f"Meldingsansvarlig, {k.name} kommune"]
    return "\n".join(lines) + "\n"


def order_mail(k: Kommune, *, sender: str | None = None, message_id: str, her_id: int = 8142326,
               d: str | None = D_TEXT, types: str = "PLO 1.6, dialogmelding 1.1", extra: str = "",
               subject: str | None = None, at: datetime = T0,
               headers: Sequence[tuple[str, str]] = ()) -> EmailMessage:
    """An order from a municipality's meldingsansvarlig (or `sender`), as a kommune would write it."""
    msg = EmailMessage()
    msg["From"] = sender or k.mailbox
    msg["To"] = BOT
    msg["Subject"] = subject if subject is not None else f"Bestilling av oppkobling – {k.name} kommune"
    msg["Date"] = format_datetime(at)
    msg["Message-ID"] = f"<{message_id}>"
    for name, value in headers:
        msg[name] = value
    msg.set_content(order_text(k, her_id=her_id, d=d, types=types, extra=extra))
    return msg


def order(k: Kommune, **kw: Any) -> bytes:
    """The raw bytes of `order_mail(k, **kw)`."""
    return order_mail(k, **kw).as_bytes()


def reply_to(original: EmailMessage, sender: str, body: str, *, message_id: str,
             subject: str | None = None, headers: Sequence[tuple[str, str]] = (),
             at: datetime = T0) -> bytes:
    """A reply to one of the bot's mails, threaded by In-Reply-To/References, Outlook-style quote below."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = BOT
    msg["Subject"] = subject if subject is not None else f"SV: {original['Subject']}"
    msg["Date"] = format_datetime(at)
    msg["Message-ID"] = f"<{message_id}>"
    msg["In-Reply-To"] = str(original["Message-ID"])
    msg["References"] = str(original["Message-ID"])
    for name, value in headers:
        msg[name] = value
    part = original.get_body(preferencelist=("plain",))
    quoted = part.get_content() if isinstance(part, EmailMessage) else ""
    msg.set_content(f"{body}\n\nFra: Meldingsansvarlig Helse Midt-Norge <{BOT}>\nSendt: {original['Date']}\n"
                    f"Til: {original['To']}\nEmne: {original['Subject']}\n\n{quoted}")
    return msg.as_bytes()


def body_text(msg: EmailMessage, subtype: str = "plain") -> str:
    """The text of a message's plain (or html) body part; fails the test when there is none."""
    part = msg.get_body((subtype,))
    assert isinstance(part, EmailMessage), f"no text/{subtype} part"
    text: str = part.get_content()
    return text


# -- the bot in-process, on fakes or on the sandbox ------------------------------------------------


def bot_settings_env(db: Path, **extra: str) -> dict[str, str]:
    """BOT_* variables for a database in `db` and coordinators; sandbox variables are added by callers."""
    env = {
        "BOT_DATABASE_URL": f"sqlite:///{db}",
        "BOT_COORDINATORS": ",".join(COORDINATORS),
        "BOT_MAILBOX_ADDRESS": BOT,
    }
    env.update(extra)
    return env


def make_app(env: Mapping[str, str], at: datetime = T0) -> tuple[App, FixedClock]:
    """An App from BOT_* variables (as the CLI would read them) on a fixed clock."""
    overrides = {k.removeprefix("BOT_").lower(): v for k, v in env.items() if k.startswith("BOT_")}
    clock = FixedClock(at)
    return build_app(load_settings(**overrides), clock), clock


@dataclass
class MemoryBot:
    """The bot on its fakes: a MemoryMailbox, a MemorySender and a real SQLite file."""

    app: App
    clock: FixedClock
    mailbox: MemoryMailbox = field(default_factory=MemoryMailbox)
    sender: MemorySender = field(default_factory=MemorySender)
    db: Path = Path()

    def cycle(self) -> CycleReport:
        """One `run --once` cycle on the fakes at the clock's time."""
        return asyncio.run(run_once(self.app, self.mailbox, self.sender))

    def deliver(self, raw: bytes) -> int:
        return self.mailbox.deliver(raw)

    def sent_to(self, address: str) -> list[EmailMessage]:
        return self.sender.sent_to(address)

    def latest_to(self, address: str, kind: str | None = None) -> EmailMessage:
        found = [m for m in self.sent_to(address) if kind is None or m["X-Oppkobling-Kind"] == kind]
        assert found, f"no mail{' of kind ' + kind if kind else ''} to {address}"
        return found[-1]

    def query(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        engine = self.app.store.engine
        if engine.dialect.name == "postgresql":  # the same SQL, with psycopg's placeholders
            with engine.connect() as conn:
                return [tuple(r) for r in conn.exec_driver_sql(sql.replace("?", "%s"), tuple(params))]
        return query(self.db, sql, params)


def memory_bot(tmp: Path, *, at: datetime = T0, env: Mapping[str, str] | None = None) -> MemoryBot:
    """A fresh bot on fakes with its own database under `tmp`; `env` adds or overrides BOT_* variables.

    With OPPK_TEST_DATABASE=postgresql in the environment, each such bot gets a new PostgreSQL database instead
    of the SQLite file: the tests on fakes then run against PostgreSQL (run them with
    `-W ignore::pytest.PytestUnraisableExceptionWarning`: their bots are not closed, and psycopg says so).
    """
    db = tmp / "bot.sqlite"
    extra = dict(env or {})
    if os.environ.get("OPPK_TEST_DATABASE") == "postgresql" and "BOT_DATABASE_URL" not in extra:
        from pg_kit import shared_server

        extra["BOT_DATABASE_URL"] = shared_server().create_database("fake")
    app, clock = make_app(bot_settings_env(db, **extra), at)
    return MemoryBot(app=app, clock=clock, db=db)


# -- the bot as a subprocess -----------------------------------------------------------------------


@dataclass
class CliBot:
    """`python -m bot …` in a working directory of its own, configured only through BOT_* variables."""

    cwd: Path
    env: dict[str, str]

    @property
    def db(self) -> Path:
        return self.cwd / "bot.sqlite"

    def command(self, *args: str) -> list[str]:
        return [str(PYTHON), "-m", "bot", *args]

    def run(self, *args: str, timeout_s: float = 60.0) -> subprocess.CompletedProcess[str]:
        """Run one command to its end; output captured as text."""
        return subprocess.run(self.command(*args), cwd=self.cwd, env=self.env, capture_output=True,
                              text=True, timeout=timeout_s, check=False)

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        """Start a command in the background, its output into files in cwd (no pipe can fill up)."""
        out = (self.cwd / "stdout.log").open("ab")
        err = (self.cwd / "stderr.log").open("ab")
        with out, err:
            return subprocess.Popen(self.command(*args), cwd=self.cwd, env=self.env, stdout=out, stderr=err)

    def stderr_log(self) -> str:
        path = self.cwd / "stderr.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def run_once(self, at: datetime = T0, timeout_s: float = 60.0) -> subprocess.CompletedProcess[str]:
        return self.run("run", "--once", "--now", at.isoformat(), timeout_s=timeout_s)

    def query(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        return query(self.db, sql, params)


def cli_bot(cwd: Path, sandbox_env: Mapping[str, str], **extra: str) -> CliBot:
    """A CliBot whose environment holds nothing BOT_* but the sandbox's and our own variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env.update(sandbox_env)
    env.update(bot_settings_env(cwd / "bot.sqlite", **extra))
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONPATH"] = str(PROJECT)
    return CliBot(cwd=cwd, env=env)


# -- the database, read-only -----------------------------------------------------------------------


@contextmanager
def read_only(db: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection that never writes, checkpoints or locks the file for writers."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    with closing(conn):
        yield conn


def query(db: Path, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
    """All rows of one read-only query."""
    with read_only(db) as conn:
        return list(conn.execute(sql, tuple(params)))


def wait_until(predicate: Callable[[], bool], timeout_s: float, interval_s: float = 0.02) -> bool:
    """Poll `predicate` until it holds or `timeout_s` passes; returns whether it held."""
    deadline = time.monotonic() + timeout_s
    while True:
        if predicate():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(interval_s)



def sandbox_cycle(app: App) -> CycleReport:
    """One `run --once` cycle in-process against the servers in the app's settings (the sandbox)."""
    from bot.app import build_clients

    clients = build_clients(app.settings)
    return asyncio.run(run_once(app, clients.mailbox, clients.sender))


def kinds_to(envelopes: Sequence[Any], address: str) -> list[str]:
    """The X-Oppkobling-Kind of every sandbox envelope that went to `address`, in order."""
    return [str(e.message["X-Oppkobling-Kind"]) for e in envelopes if address in e.rcpt_tos]


# -- intake in a child process: CPU time and peak memory per message, runaway messages stopped ------


CHILD_ADDRESS_SPACE_BYTES = 3 << 30  # a regression fails a test instead of taking a shared machine down
CHILD_CPU_S = 60  # per message, enforced with RLIMIT_CPU; the budgets under test are far lower


@dataclass(frozen=True)
class Measured:
    """What understanding one message cost in the worker, and what came out."""

    elapsed_s: float
    cpu_s: float
    peak_growth_bytes: int  # peak resident set during the call minus the resident set before it
    kind: str | None
    defects: tuple[str, ...]
    attachment_texts: tuple[str | None, ...]
    refused: str | None  # "BudgetExceeded: reason" when intake refused the message
    error: str | None  # any other exception, or how the worker died

    def report(self, label: str, size_bytes: int) -> str:
        outcome = self.refused or self.error or f"understood as {self.kind}"
        return (f"{label}: {size_bytes / 1000:.0f} KB in {self.cpu_s:.2f} s CPU, "
                f"peak +{self.peak_growth_bytes / 1e6:.0f} MB; {outcome}")


def _status_kib(field_name: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field_name} missing from /proc/self/status")


def _cpu_s() -> float:
    """This process's CPU time and that of the helpers it waited for (intake's PDF reader)."""
    own, helpers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + helpers.ru_utime + helpers.ru_stime


def _intake_worker(conn: Any) -> None:
    from bot.intake.budget import BudgetExceeded
    from bot.intake.understand import load_intake_rules, understand

    resource.setrlimit(resource.RLIMIT_AS, (CHILD_ADDRESS_SPACE_BYTES, CHILD_ADDRESS_SPACE_BYTES))
    rules = load_intake_rules()
    conn.send("ready")
    while True:
        try:
            raw, max_decompressed_bytes = conn.recv()
        except EOFError:
            return
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # resets the peak resident set (VmHWM) to the current one
        before = _status_kib("VmRSS")
        started, cpu_started = time.monotonic(), _cpu_s()
        resource.setrlimit(resource.RLIMIT_CPU, (int(cpu_started) + CHILD_CPU_S, resource.RLIM_INFINITY))
        kind, defects, texts, refused, error = None, (), (), None, None
        try:
            u = understand(raw, rules, own_address=BOT, max_decompressed_bytes=max_decompressed_bytes)
            kind, defects = u.verdict.kind.value, tuple(u.message.defects)
            texts = tuple(a.text for a in u.message.attachments)
        except BudgetExceeded as exc:
            refused = f"BudgetExceeded: {exc.reason}"
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"[:300]
        elapsed, cpu = time.monotonic() - started, _cpu_s() - cpu_started
        peak = (_status_kib("VmHWM") - before) * 1024
        conn.send(Measured(elapsed, cpu, peak, kind, defects, texts, refused, error))


class IntakeWorker:
    """understand() in a spawned child: a message that runs away is stopped at a deadline, not waited for."""

    def __init__(self) -> None:
        import multiprocessing

        self._ctx = multiprocessing.get_context("spawn")
        self._start()

    def _start(self) -> None:
        self._conn, child = self._ctx.Pipe()
        self._proc = self._ctx.Process(target=_intake_worker, args=(child,), daemon=True)
        self._proc.start()
        child.close()
        if not self._conn.poll(60) or self._conn.recv() != "ready":
            raise RuntimeError("the intake worker did not start")

    def measure(self, raw: bytes, *, deadline_s: float, max_decompressed_bytes: int = 20_000_000) -> Measured | None:
        """The cost and result of one message, or None when it did not finish within `deadline_s` (or the
        worker died on its RLIMIT_AS or RLIMIT_CPU)."""
        self._conn.send((raw, max_decompressed_bytes))
        if self._conn.poll(deadline_s):
            try:
                result: Measured = self._conn.recv()
                return result
            except EOFError:
                pass
        self._proc.kill()
        self._proc.join(10)
        self._conn.close()
        self._start()
        return None

    def close(self) -> None:
        self._conn.close()
        self._proc.join(10)
        if self._proc.is_alive():
            self._proc.kill()
            self._proc.join(10)
