"""`run` and `run --once [--now]`: the daemon, or one full cycle."""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import DBAPIError

from bot.cli import EXIT_FAIL, EXIT_OK, started

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from bot.app import App
    from bot.store.leader import Leadership

log = logging.getLogger("bot.run")


def one_line(text: str, limit: int = 300) -> str:
    """Text on one line for terminal output: whitespace runs (newlines too) collapsed, long text cut with …."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def setup_logging(fmt: str) -> None:
    if fmt == "json":
        import json

        class JsonFormatter(logging.Formatter):
            def format(self, record: logging.LogRecord) -> str:
                return json.dumps({"at": self.formatTime(record), "level": record.levelname,
                                   "logger": record.name, "msg": record.getMessage()}, ensure_ascii=False)

        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    else:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s",
                            force=True)


def run_main(*, once: bool, now: datetime | None) -> int:
    from bot.app import build_app, build_clients
    from bot.mail import clients as _clients  # noqa: F401  (IMAP and SMTP libraries: loaded before `started`)
    from bot.mail.mailbox import MailboxError
    from bot.runner import run_daemon, run_once
    from bot.store.leader import AlreadyRunning, NotLeader

    if now is not None and not once:
        print("oppkobling run: --now only goes with --once", file=sys.stderr)
        return EXIT_FAIL
    app = build_app(now=now)
    started()  # everything above lives as long as the process
    setup_logging(app.settings.log_format)
    try:
        with one_instance(app, once=once) as leadership:
            if leadership is _STOPPED:
                return EXIT_OK
            clients = build_clients(app.settings)
            mailbox, sender = clients.mailbox, clients.sender
            if once:
                report = asyncio.run(run_once(app, mailbox, sender))
                print(report.summary())
                for q in report.quarantined:
                    print(f"quarantined: uid {q.uid}: {one_line(q.error or '')}")
                return EXIT_OK
            asyncio.run(run_daemon(app, mailbox, sender, leadership=leadership))
            if leadership is not None and leadership.epoch is None:
                print("oppkobling run: lost the lead to another instance; stopped (start again to stand by)",
                      file=sys.stderr)
                return EXIT_FAIL
            return EXIT_OK
    except (AlreadyRunning, NotLeader) as exc:
        print(f"oppkobling run: {exc}", file=sys.stderr)
        return EXIT_FAIL
    except MailboxError as exc:
        print(f"oppkobling run: {exc}", file=sys.stderr)
        return EXIT_FAIL
    finally:
        app.store.dispose()


_STOPPED: Any = object()  # asked to stop while standing by


@contextmanager
def one_instance(app: App, *, once: bool) -> Iterator[Leadership | None]:
    """Make this process the only one that acts on the database: on SQLite an OS lock on `<db>.lock` (a second
    process refuses); on PostgreSQL the lead (bot.store.leader), waited for as a standby, with every commit and
    send fenced by it. Yields the Leadership (None on SQLite), or _STOPPED when SIGTERM came while waiting."""
    from sqlalchemy.engine import make_url

    from bot.store.leader import Leadership, lock_sqlite

    engine = app.store.engine
    if engine.dialect.name == "sqlite":
        database = make_url(app.store.url).database
        if not database or database == ":memory:":
            yield None
            return
        lock = lock_sqlite(Path(database).resolve())
        try:
            yield None
        finally:
            lock.release()
        return
    lease_s = app.settings.lease_s
    enable_daemon_sessions(engine, lease_s)
    leadership = Leadership(engine, lease_s)
    if not wait_for_the_lead(leadership, once=once):
        yield _STOPPED
        return
    app.store.fence = leadership.fence_commit
    app.store.send_fence = leadership.fence_send
    try:
        yield leadership
    finally:
        app.store.fence = app.store.send_fence = None
        leadership.release()


def enable_daemon_sessions(engine: Engine, lease_s: float) -> None:
    """Every PostgreSQL connection of a daemon ends a transaction left idle past the lease (bot.store.leader)."""
    from sqlalchemy import event

    from bot.store.leader import session_settings

    timeout = session_settings(lease_s)["idle_in_transaction_session_timeout"]

    def configure(dbapi_conn: Any, _record: Any) -> None:
        autocommit = dbapi_conn.autocommit
        dbapi_conn.autocommit = True
        dbapi_conn.execute(f"SET idle_in_transaction_session_timeout = {int(timeout)}")
        dbapi_conn.autocommit = autocommit

    event.listen(engine, "connect", configure)
    engine.dispose()  # connections opened before (the schema check) are replaced by configured ones


def wait_for_the_lead(leadership: Leadership, *, once: bool) -> bool:
    """Stand by until this process leads; False when SIGTERM/SIGINT came first. `run --once` waits one lease
    at most, then NotLeader (a daemon is running)."""
    import signal
    import threading

    from bot.store.leader import NotLeader, standby_line, wait_s

    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
    give_up = time.monotonic() + leadership.lease_s + 5
    said: tuple[str, int] | None = None
    try:
        while not stop.is_set():
            try:
                lease = leadership.try_acquire()
            except DBAPIError as exc:
                # The database is away, or the lease row is locked by a leader paused in mid-commit (the server
                # ends that transaction after idle_in_transaction_session_timeout): try again shortly.
                log.warning("cannot take the lead yet, retrying: %s", " ".join(str(exc.orig).split())[:300])
                stop.wait(wait_s(leadership.lease_s))
                continue
            if lease is None:
                log.info("leader: %s took the lead (epoch %s, lease %.0f s)", leadership.holder, leadership.epoch,
                         leadership.lease_s)
                return True
            if said != (lease.holder, lease.epoch):
                log.info(standby_line(lease, leadership.holder))
                said = (lease.holder, lease.epoch)
            if once and time.monotonic() > give_up:
                raise NotLeader(f"{lease.holder} leads on this database (epoch {lease.epoch}); run --once runs "
                                "only while no daemon does")
            stop.wait(wait_s(leadership.lease_s))
        return False
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
