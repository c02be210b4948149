"""Fixtures shared by the integration and fault tests: the local mail sandbox (a real Dovecot and SMTP gateway)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from pg_kit import PgServer, pg_bin, pg_server

from sandbox import DOVECOT_BINARY, NhnServices, Sandbox, dovecot_available

# Extra mailboxes besides the bot's own and the catch-all, for tests that mail "people".
SANDBOX_USERS = (
    "kommune@malvik.kommune.no",
    "koordinator@helse-midt.no",
    "meldingsansvarlig@malvik.kommune.no",
    "koordinator@hemit.no",
)


def _require_dovecot() -> None:
    if dovecot_available():
        return
    reason = f"Dovecot is not installed at {DOVECOT_BINARY} (make dovecot)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}: integration tests may not be skipped in CI", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def require_dovecot() -> None:
    """For tests that start sandboxes themselves: skip (or fail in CI) without Dovecot."""
    _require_dovecot()


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


@pytest.fixture(scope="session")
def _shared_nhn() -> Iterator[NhnServices]:
    with NhnServices.standalone() as services:
        yield services


@pytest.fixture
def nhn(_shared_nhn: NhnServices) -> NhnServices:
    """NHN's HelseID and AR API (fakes, no Dovecot needed), fresh: no tokens or nonces, the table as shipped."""
    _shared_nhn.reset()
    return _shared_nhn


def _require_postgresql() -> None:
    if pg_bin() is not None:
        return
    reason = "PostgreSQL is not installed under /usr/lib/postgresql (make postgresql)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}: PostgreSQL tests may not be skipped in CI", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PgServer]:
    """One PostgreSQL cluster for the session (initdb in a temporary directory, an unprivileged user)."""
    _require_postgresql()
    with pg_server() as server:
        yield server


@pytest.fixture
def fresh_postgres() -> Iterator[PgServer]:
    """A cluster of its own, for tests that stop or restart the server."""
    _require_postgresql()
    with pg_server() as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """An empty database, once SQLite and once PostgreSQL (a new database in the session's cluster)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'bot.sqlite'}"
    server: PgServer = request.getfixturevalue("postgres")
    return server.create_database()
