"""Shared helpers for the fault tests: mail factories, the bot as a subprocess, read-only database access."""

from __future__ import annotations

import asyncio
import base64
import csv
import os
import sqlite3
import subprocess
import sys
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
    return next(k for k in kommuner() if k.name == name)


def encoded_word(text: str) -> str:
    """An RFC 2047 B-encoded word, which can carry CR, LF and specials through a header."""
    return "=?utf-8?b?" + base64.b64encode(text.encode()).decode() + "?="


def order_text(k: Kommune, *, her_id: int = 8142326, d: str | None = D_TEXT,
               types: str = "PLO 1.6, dialogmelding 1.1", extra: str = "") -> str:
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
    return order_mail(k, **kw).as_bytes()


def reply_to(original: EmailMessage, sender: str, body: str, *, message_id: str,
             subject: str | None = None, headers: Sequence[tuple[str, str]] = (),
             quote: bool = True, at: datetime = T0, raw_headers: bytes = b"") -> bytes:
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
    text = body
    if quote:
        part = original.get_body(preferencelist=("plain",))
        quoted = part.get_content() if isinstance(part, EmailMessage) else ""
        text += (f"\n\nFra: Meldingsansvarlig Helse Midt-Norge <{BOT}>\nSendt: {original['Date']}\n"
                 f"Til: {original['To']}\nEmne: {original['Subject']}\n\n{quoted}")
    msg.set_content(text)
    raw = msg.as_bytes()
    return raw_headers + raw if raw_headers else raw


def message_ids(messages: Sequence[EmailMessage]) -> list[str]:
    return [str(m["Message-ID"]).strip().strip("<>") for m in messages]


# -- the bot in-process, on fakes or on the sandbox ------------------------------------------------


def bot_settings_env(db: Path, data_dir: Path, **extra: str) -> dict[str, str]:
    """BOT_* variables for a database in `db` and coordinators; sandbox variables are added by callers."""
    env = {
        "BOT_DATABASE_URL": f"sqlite:///{db}",
        "BOT_DATA_DIR": str(data_dir),
        "BOT_COORDINATORS": ",".join(COORDINATORS),
        "BOT_SECRET_KEY": "reliability-tests-secret",
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
        return query(self.db, sql, params)


def memory_bot(tmp: Path, at: datetime = T0, **extra: str) -> MemoryBot:
    """A fresh bot on fakes with its own database under `tmp`."""
    db = tmp / "bot.sqlite"
    app, clock = make_app(bot_settings_env(db, tmp, **extra), at)
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
    env.update(bot_settings_env(cwd / "bot.sqlite", cwd, **extra))
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


def python_startup_ok() -> bool:
    """The project's venv interpreter exists (subprocess tests need it)."""
    return PYTHON.is_file() and sys.version_info >= (3, 11)


def sandbox_cycle(app: App) -> CycleReport:
    """One `run --once` cycle in-process against the servers in the app's settings (the sandbox)."""
    from bot.runner import make_mailbox, make_sender

    return asyncio.run(run_once(app, make_mailbox(app.settings), make_sender(app.settings)))


def kinds_to(envelopes: Sequence[Any], address: str) -> list[str]:
    """The X-Oppkobling-Kind of every sandbox envelope that went to `address`, in order."""
    return [str(e.message["X-Oppkobling-Kind"]) for e in envelopes if address in e.rcpt_tos]
