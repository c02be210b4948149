"""Fixtures for the fault tests: sandboxes (a real Dovecot and SMTP gateway) and the bot's working dirs."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox import DOVECOT_BINARY, Sandbox, dovecot_available

SANDBOX_USERS = ("meldingsansvarlig@malvik.kommune.no", "koordinator@hemit.no")


def _require_dovecot() -> None:
    if dovecot_available():
        return
    reason = f"Dovecot is not installed at {DOVECOT_BINARY} (make dovecot)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}: integration tests may not be skipped in CI", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def _shared_sandbox() -> Iterator[Sandbox]:
    _require_dovecot()
    with Sandbox.start(users=SANDBOX_USERS) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(_shared_sandbox: Sandbox) -> Sandbox:
    """The session's sandbox, emptied for this test (mailboxes, recorded envelopes; servers back up)."""
    _shared_sandbox.reset()
    return _shared_sandbox


@pytest.fixture
def fresh_sandbox() -> Iterator[Sandbox]:
    """A sandbox of its own, for tests that restart servers or change UIDVALIDITY."""
    _require_dovecot()
    with Sandbox.start(users=SANDBOX_USERS) as sandbox:
        yield sandbox


@pytest.fixture
def workdir() -> Iterator[Path]:
    """A working directory under /tmp for the bot (its database, data dir and logs), removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix="oppk-reliability-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)
