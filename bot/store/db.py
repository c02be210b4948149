"""The database engine: SQLite (embedded, the default) or PostgreSQL (psycopg 3), from BOT_DATABASE_URL.

Everything that differs between the two dialects is decided here, from the URL, once: connection
arguments, SQLite's pragmas, PostgreSQL's reconnects, and an `insert` that can skip a duplicate key.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from sqlalchemy import Table, create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.sql.dml import Insert

# How long a SQLite writer waits for another process's lock before the run fails with "database is locked".
DEFAULT_BUSY_TIMEOUT_S = 15.0
# How long a PostgreSQL connection attempt may take (a server that is down fails fast; the daemon retries).
PG_CONNECT_TIMEOUT_S = 10


class DatabaseUrlError(ValueError):
    """BOT_DATABASE_URL names no database this bot can use; the message says why."""


class StoreError(Exception):
    """The database cannot be used (locked, wrong schema, unreachable); the message says why."""


def normalize_url(url: str) -> str:
    """The URL as SQLAlchemy should read it: `postgresql://` and `postgres://` mean psycopg 3."""
    text = url.strip()
    for prefix in ("postgresql://", "postgres://", "postgresql+psycopg2://"):
        if text.startswith(prefix):
            return "postgresql+psycopg://" + text[len(prefix):]
    return text


def dialect_of(url: str) -> str:
    """"sqlite" or "postgresql"; DatabaseUrlError for anything else."""
    try:
        parsed = make_url(normalize_url(url))
    except Exception as exc:
        raise DatabaseUrlError(f"not a database URL: {exc}") from None
    if parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        return "sqlite"
    if parsed.drivername == "postgresql+psycopg":
        return "postgresql"
    raise DatabaseUrlError(f"{parsed.drivername!r} is not supported: use sqlite:///path or "
                           "postgresql+psycopg://user:password@host/database")


def busy_timeout_s(url: str) -> float:
    """How long to wait for another process's lock: `?timeout=<seconds>` in the SQLite URL, else 15 s."""
    value = make_url(url).query.get("timeout", str(DEFAULT_BUSY_TIMEOUT_S))
    text = value[-1] if isinstance(value, tuple) else value
    try:
        seconds = float(text)
    except ValueError:
        raise DatabaseUrlError(f"BOT_DATABASE_URL: timeout={text!r} is not a number of seconds") from None
    if not 0 <= seconds <= 3600:
        raise DatabaseUrlError(f"BOT_DATABASE_URL: timeout={text!r} must be between 0 and 3600 seconds")
    return seconds


def make_engine(url: str) -> Engine:
    """An engine for the URL: SQLite in WAL mode with a busy timeout, or PostgreSQL with pre-pinged
    connections (a server restarted under the bot costs one failed transaction, not the process)."""
    url = normalize_url(url)
    if dialect_of(url) == "sqlite":
        timeout = busy_timeout_s(url)
        engine = create_engine(url, connect_args={"timeout": timeout, "check_same_thread": False})
        event.listen(engine, "connect", partial(_sqlite_pragmas, busy_timeout_ms=int(timeout * 1000)))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    parsed = make_url(url)
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in parsed.query:
        connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
    engine = create_engine(url, connect_args=connect_args, pool_pre_ping=True, pool_size=5, max_overflow=5)
    event.listen(engine, "before_cursor_execute", _no_nul_characters, retval=True)
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any, *, busy_timeout_ms: int) -> None:
    # The driver's own transaction handling starts a transaction only before the first INSERT/UPDATE/DELETE,
    # so a SAVEPOINT opened earlier began one by itself and its RELEASE committed: a message's effects were
    # durable before its outcome was recorded, and a kill in between processed it twice. SQLAlchemy emits
    # BEGIN instead (_sqlite_begin); nothing may set the driver's isolation level again (no AUTOCOMMIT).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql(f"BEGIN {conn.get_execution_options().get('sqlite_begin', 'IMMEDIATE')}")


def reader_of(engine: Engine) -> Engine:
    """The engine for read-only units: on SQLite they read a snapshot (BEGIN DEFERRED) and never wait for
    a writer; a writing unit takes the write lock at its start, so what it read is still true when it writes."""
    return engine.execution_options(sqlite_begin="DEFERRED") if engine.dialect.name == "sqlite" else engine


def _clean(value: Any) -> Any:
    return value.replace("\x00", "\ufffd") if isinstance(value, str) and "\x00" in value else value


def _no_nul_characters(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
                       _executemany: bool) -> tuple[str, Any]:
    """PostgreSQL refuses U+0000 in text, which hostile mail can carry in a subject or body: store U+FFFD
    instead (SQLite keeps it), so such a message is recorded like any other instead of failing its commit."""
    if isinstance(parameters, dict):
        parameters = {k: _clean(v) for k, v in parameters.items()}
    elif isinstance(parameters, (list, tuple)):
        parameters = type(parameters)(
            {k: _clean(v) for k, v in p.items()} if isinstance(p, dict)
            else type(p)(_clean(v) for v in p) if isinstance(p, (list, tuple)) else _clean(p)
            for p in parameters)
    return statement, parameters


def insert_ignoring_duplicates(engine_or_dialect: Engine | str, table: Table) -> Insert:
    """INSERT … that skips a row whose key exists (SQLite's OR IGNORE, PostgreSQL's ON CONFLICT DO NOTHING)."""
    # Imported here: a command that only reads never loads the PostgreSQL dialect for a SQLite database.
    from sqlalchemy.dialects import postgresql, sqlite

    name = engine_or_dialect if isinstance(engine_or_dialect, str) else engine_or_dialect.dialect.name
    if name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def engine_for(url: str) -> Engine:
    """make_engine, refusing a URL this bot cannot use with a StoreError."""
    try:
        return make_engine(url)
    except DatabaseUrlError as exc:
        raise StoreError(str(exc)) from None


def check_schema(engine: Engine) -> None:
    """Bring an empty database to the current schema through the migrations; refuse an older or a newer one
    with the command that fixes it (bot.store.migrate)."""
    from bot.store.migrate import SchemaError, ensure_current

    try:
        ensure_current(engine)
    except SchemaError as exc:
        raise StoreError(str(exc)) from None
    except OperationalError as exc:
        raise StoreError(f"cannot use the database {safe_url(engine)}: {exc.orig}") from exc


def open_engine(url: str) -> Engine:
    """An engine on a database at this bot's schema (an empty one is created); StoreError otherwise, with
    nothing left connected."""
    engine = engine_for(url)
    try:
        check_schema(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """One read-only transaction on plain Core (no ORM): a snapshot that never waits for a writer."""
    try:
        with reader_of(engine).connect() as conn, conn.begin():
            yield conn
    except OperationalError as exc:
        raise StoreError(f"database error on {safe_url(engine)}: {exc.orig}") from exc


def safe_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)
