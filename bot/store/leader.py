"""One leader among the daemons sharing a database.

PostgreSQL: a lease row (`leader_lease`) with an epoch. A daemon leads while the row names it, with its epoch,
and the lease has not expired by the database server's clock; it renews the lease every third of its length. A
standby takes over an expired lease by raising the epoch. Every commit of the leader (Store.tx) and every mail
it sends (Outbox, just before each message) first locks the row (SELECT … FOR UPDATE) and checks that epoch and
expiry are still its own: a leader that was paused (SIGSTOP, a frozen VM) past the lease finds a newer epoch
when it resumes, and its commit or send is refused (NotLeader) before anything leaves.

SQLite: one process at a time, enforced by an OS lock on `<database>.lock` (flock: the kernel releases it when
the process dies, however it dies); a second daemon refuses to start.
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from bot.store.repo import StoreError

log = logging.getLogger("bot.leader")
LEASE_NAME = "daemon"
# A send goes out only this soon after the check that allowed it (monotonic time, counting a pause).
SEND_CHECK_FRESH_S = 1.0


class NotLeader(StoreError):
    """This process does not (or no longer) lead: nothing may be committed or sent."""


class AlreadyRunning(StoreError):
    """Another process runs the bot on this SQLite database."""


@dataclass(frozen=True)
class LeaseView:
    holder: str
    epoch: int
    expires_at: datetime
    expired: bool


def holder_name() -> str:
    """Who this process is, in the lease row and the logs: host, pid and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _boottime() -> float:
    """Seconds on a clock that keeps counting while the process is stopped or the machine suspended."""
    return time.clock_gettime(time.CLOCK_BOOTTIME)


_NOW = "(clock_timestamp() AT TIME ZONE 'UTC')"
_LOCK_ROW = text(f"SELECT holder, epoch, expires_at, expires_at <= {_NOW} AS expired "
                 "FROM leader_lease WHERE name = :name FOR UPDATE")


class Leadership:
    """The lease on PostgreSQL, from one daemon's side."""

    def __init__(self, engine: Engine, lease_s: float, holder: str | None = None) -> None:
        self.engine = engine
        self.lease_s = lease_s
        self.holder = holder or holder_name()
        self.epoch: int | None = None  # set while this process leads
        self._checked_at = -1e18

    # --- taking and keeping the lead ---------------------------------------------------------------

    def try_acquire(self) -> LeaseView | None:
        """Take the lead if nobody holds an unexpired lease; None when this process now leads, else the lease
        that someone else holds."""
        with self.engine.begin() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '5s'"))
            row = conn.execute(_LOCK_ROW, {"name": LEASE_NAME}).one_or_none()
            if row is None:
                inserted = conn.execute(text(
                    f"INSERT INTO leader_lease (name, holder, epoch, acquired_at, expires_at) "
                    f"VALUES (:name, :holder, 1, {_NOW}, {_NOW} + make_interval(secs => :lease)) "
                    "ON CONFLICT (name) DO NOTHING"), {"name": LEASE_NAME, "holder": self.holder,
                                                      "lease": self.lease_s})
                if inserted.rowcount == 1:
                    self.epoch = 1
                    return None
                return self.current(conn)
            if row.holder == self.holder and row.epoch == self.epoch and not row.expired:
                return None
            if not row.expired:
                return LeaseView(row.holder, row.epoch, row.expires_at, False)
            conn.execute(text(
                f"UPDATE leader_lease SET holder = :holder, epoch = :epoch, acquired_at = {_NOW}, "
                f"expires_at = {_NOW} + make_interval(secs => :lease) WHERE name = :name"),
                {"name": LEASE_NAME, "holder": self.holder, "epoch": row.epoch + 1, "lease": self.lease_s})
            self.epoch = row.epoch + 1
            return None

    def current(self, conn: Connection | None = None) -> LeaseView | None:
        """The lease as the database holds it now."""
        q = text(f"SELECT holder, epoch, expires_at, expires_at <= {_NOW} AS expired FROM leader_lease "
                 "WHERE name = :name")
        if conn is None:
            with self.engine.connect() as own:
                row = own.execute(q, {"name": LEASE_NAME}).one_or_none()
        else:
            row = conn.execute(q, {"name": LEASE_NAME}).one_or_none()
        return None if row is None else LeaseView(row.holder, row.epoch, row.expires_at, bool(row.expired))

    def renew(self) -> bool:
        """Extend the lease; False when another process has taken it (a newer epoch). Raises when the database
        cannot be reached (then the lease may run out, and a standby may take it)."""
        if self.epoch is None:
            return False
        with self.engine.begin() as conn:
            done = conn.execute(text(
                f"UPDATE leader_lease SET expires_at = {_NOW} + make_interval(secs => :lease) "
                "WHERE name = :name AND holder = :holder AND epoch = :epoch"),
                {"name": LEASE_NAME, "holder": self.holder, "epoch": self.epoch, "lease": self.lease_s})
            renewed = done.rowcount == 1
        if not renewed:
            self.epoch = None
        return renewed

    def release(self) -> None:
        """Give the lead up (a clean stop): a standby takes over at once instead of after the lease."""
        if self.epoch is None:
            return
        try:
            with self.engine.begin() as conn:
                conn.execute(text(f"UPDATE leader_lease SET expires_at = {_NOW} "
                                  "WHERE name = :name AND holder = :holder AND epoch = :epoch"),
                             {"name": LEASE_NAME, "holder": self.holder, "epoch": self.epoch})
        except DBAPIError as exc:
            log.warning("could not release the lead (it runs out in %.0f s): %s", self.lease_s, exc.orig)
        self.epoch = None

    # --- fencing ----------------------------------------------------------------------------------

    def _check(self, conn: Connection) -> None:
        row = conn.execute(_LOCK_ROW, {"name": LEASE_NAME}).one_or_none()
        if self.epoch is None or row is None or row.holder != self.holder or row.epoch != self.epoch:
            theirs = f"{row.holder} (epoch {row.epoch})" if row is not None else "nobody"
            raise NotLeader(f"lost the lead: {theirs} leads now; nothing was committed or sent")
        if row.expired:
            raise NotLeader(f"the lead (epoch {self.epoch}) has expired and is not renewed yet; "
                            "nothing was committed or sent")
        self._checked_at = _boottime()

    def fence_commit(self, session: Session) -> None:
        """Store.tx's fence: in the committing transaction, lock the lease row and check it is still ours.

        The row stays locked until the commit, so a standby's takeover waits for it: no commit of an old epoch
        lands after a newer epoch began."""
        self._check(session.connection())

    def fence_send(self) -> None:
        """Just before each mail: the lease is still ours (checked in a transaction on the row), and that check
        is fresh on a clock that counts pauses; NotLeader otherwise, and a StoreError when the database cannot be
        asked (the mail is not sent; the outbox tries again later, as after any interrupted send)."""
        try:
            with self.engine.begin() as conn:
                self._check(conn)
        except DBAPIError as exc:
            raise StoreError(f"cannot check the lead before sending: {' '.join(str(exc.orig).split())[:300]}; "
                             "not sent") from exc
        if _boottime() - self._checked_at > SEND_CHECK_FRESH_S:
            raise NotLeader("paused between the check of the lead and the send; not sent")


def session_settings(lease_s: float) -> dict[str, int]:
    """PostgreSQL settings for a daemon's connections: a transaction left open by a process that was paused
    (holding the lease row's lock) is ended by the server, so a standby's takeover is never blocked for long."""
    return {"idle_in_transaction_session_timeout": int(max(lease_s, 10.0) * 1000)}


# --- SQLite: one process -----------------------------------------------------------------------------------


@dataclass
class FileLock:
    path: Path
    handle: IO[bytes]

    def release(self) -> None:
        self.handle.close()


def lock_sqlite(database: Path) -> FileLock:
    """Hold `<database>.lock` for this process's life; AlreadyRunning when another process holds it."""
    path = database.with_name(database.name + ".lock")
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    handle = os.fdopen(fd, "r+b")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise AlreadyRunning(
            f"another instance is already running on {database} (it holds {path}); SQLite allows one: for two "
            "instances use PostgreSQL (README, Running two instances)") from None
    handle.truncate(0)
    handle.write(f"{os.getpid()}\n".encode())
    handle.flush()
    return FileLock(path, handle)


def standby_line(lease: LeaseView | None, me: str) -> str:
    who = f"{lease.holder} leads (epoch {lease.epoch}, lease until {lease.expires_at:%H:%M:%S} UTC)" if lease \
        else "the lease is being taken"
    return f"standby: {who}; {me} waits to take over"


def wait_s(lease_s: float) -> float:
    """How often a standby looks at the lease: takeover within a second or two of its expiry."""
    return min(1.0, lease_s / 3)
