"""The bot as an operator runs it, for the end-to-end tests: `python -m bot` subprocesses and what they sent."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from mailmaker import BOT

from sandbox import Sandbox, SentEnvelope

CONTACT = "ingrid.saether@malvik.kommune.no"
KOMMUNE_MA = "meldingsansvarlig@malvik.kommune.no"
KOMMUNE = (CONTACT, KOMMUNE_MA)
HEMIT = "koordinator@hemit.no"
ST_OLAV = "e-meldinger@stolav.no"
COORDINATORS = (HEMIT, ST_OLAV)


@dataclass
class Bot:
    """The bot as an operator runs it: one `python -m bot` subprocess per call, its own DB and data dir."""

    sandbox: Sandbox
    workdir: Path
    env: dict[str, str]
    seen: int = 0

    def deliver(self, raw: bytes) -> None:
        """Put one message in the shared mailbox's INBOX."""
        self.sandbox.append(BOT, raw)

    def cli(self, *args: str) -> str:
        proc = subprocess.run([sys.executable, "-m", "bot", *args], cwd=self.workdir, env=self.env,
                              capture_output=True, text=True, timeout=60, check=False)
        assert proc.returncode == 0, f"bot {' '.join(args)} exited {proc.returncode}:\n{proc.stderr}"
        return proc.stdout

    def run(self, at: datetime) -> list[SentEnvelope]:
        """`run --once --now at`; returns the envelopes the SMTP server accepted during it."""
        out = self.cli("run", "--once", "--now", at.isoformat())
        assert "quarantined" not in out, out
        sent = self.sandbox.sent
        new, self.seen = sent[self.seen:], len(sent)
        return new

    def case(self, ref: str, at: datetime) -> dict[str, Any]:
        found: dict[str, Any] = json.loads(self.cli("case", ref, "--json", "--now", at.isoformat()))
        return found

    def cases(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = json.loads(self.cli("cases", "--json"))
        return found


def cli_bot(sandbox: Sandbox, workdir: Path, **env: str) -> Bot:
    """A bot with a fresh database in `workdir`, pointed at the (emptied) session sandbox; cwd has no .env."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    full.update(sandbox.settings_env())
    full.update(BOT_COORDINATORS=",".join(COORDINATORS), BOT_DATABASE_URL=f"sqlite:///{workdir}/bot.sqlite", **env)
    return Bot(sandbox=sandbox, workdir=workdir, env=full)



# --- reading what was sent ----------------------------------------------------------------------


def kind_of(env: SentEnvelope) -> str:
    return str(env.message.get("X-Oppkobling-Kind", ""))


def of_kind(sent: Iterable[SentEnvelope], kind: str) -> list[SentEnvelope]:
    return [e for e in sent if kind_of(e) == kind]


def one(sent: Sequence[SentEnvelope], kind: str, to: tuple[str, ...] | None = None) -> EmailMessage:
    """The single mail of `kind` (to exactly `to` when given); fails on none or several."""
    found = [e for e in of_kind(sent, kind) if to is None or e.rcpt_tos == to]
    assert len(found) == 1, f"{len(found)} {kind} mails to {to}; sent: {summary(sent)}"
    return found[0].message


def to_anyone_of(sent: Iterable[SentEnvelope], addresses: Iterable[str]) -> list[SentEnvelope]:
    wanted = set(addresses)
    return [e for e in sent if wanted & set(e.rcpt_tos)]


def summary(sent: Iterable[SentEnvelope]) -> list[tuple[str, tuple[str, ...]]]:
    return [(kind_of(e), e.rcpt_tos) for e in sent]


def ignoring_digest(sent: Iterable[SentEnvelope]) -> list[SentEnvelope]:
    """Everything but the weekly digest (which goes out on Mondays, and once on a fresh database)."""
    return [e for e in sent if kind_of(e) != "digest"]


def step(case: dict[str, Any], name: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [s for s in case["steps"] if s["name"] == name]
    assert len(found) == 1
    return found[0]


def event_kinds(case: dict[str, Any]) -> list[str]:
    return [e["kind"] for e in case["events"]]
