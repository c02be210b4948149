"""The schema's version and its migrations (Alembic, bot/store/migrations/versions).

Revision 0001 is release 1's schema (which `create_all` made, with no alembic_version table: it is known by
its `meta` row), each later revision one step forward. An empty database is created by running every
migration; `run`, `run --once` and `web` refuse an older or a newer schema, and `db upgrade` moves an older one
forward, in one transaction, under a lock, so two instances starting together cannot both migrate.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from bot.store.db import reader_of

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).with_name("migrations")
# The newest revision in migrations/versions, written here so that a command on a current database never
# imports Alembic (read-only commands start faster); a test checks it against the scripts.
HEAD = "0002"
RELEASE_1 = "0001"  # the revision of a release-1 database, which has no alembic_version table
UPGRADE_COMMAND = "python -m bot db upgrade"
_PG_MIGRATION_LOCK = 0x0DB0_0002  # pg_advisory_xact_lock key: one migrator at a time


class SchemaError(Exception):
    """The database's schema is not the one this bot runs on; the message names the command that fixes it."""


@dataclass(frozen=True)
class SchemaState:
    revision: str | None  # None: an empty database
    head: str
    known: bool  # the revision is one of this bot's migrations

    @property
    def empty(self) -> bool:
        return self.revision is None

    @property
    def current(self) -> bool:
        return self.revision == self.head

    @property
    def older(self) -> bool:
        return self.known and not self.empty and not self.current

    def describe(self) -> str:
        if self.empty:
            return f"empty (this bot's schema is {self.head})"
        if self.current:
            return f"{self.revision} (current)"
        if self.older:
            return f"{self.revision}, older than this bot's {self.head}: run `{UPGRADE_COMMAND}`"
        return f"{self.revision}, newer than this bot's {self.head} (or not this bot's)"


def _config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


@lru_cache(maxsize=1)
def _script() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config())


def head() -> str:
    return HEAD


def scripts_head() -> str | None:
    """The newest revision as the migration scripts say (HEAD must equal it)."""
    return _script().get_current_head()


def _revisions() -> set[str]:
    return {s.revision for s in _script().walk_revisions()}


def state_of(conn: Connection) -> SchemaState:
    """Which revision the database is at, read on `conn`."""
    tables = set(inspect(conn).get_table_names())
    if not tables:
        return SchemaState(None, head(), True)
    if "alembic_version" in tables:
        rev = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        revision = str(rev) if rev is not None else "(none)"
        return SchemaState(revision, head(), revision == HEAD or revision in _revisions())
    if "meta" in tables:
        version = conn.execute(text("SELECT value FROM meta WHERE key = 'schema_version'")).scalar()
        if version == "1":
            return SchemaState(RELEASE_1, head(), True)
        return SchemaState(f"schema_version {version}", head(), False)
    return SchemaState(f"unknown tables ({', '.join(sorted(tables)[:3])})", head(), False)


def state(engine: Engine) -> SchemaState:
    with reader_of(engine).connect() as conn:  # a read: no SQLite write lock for a command that only looks
        return state_of(conn)


def ensure_current(engine: Engine) -> None:
    """Create an empty database through the migrations; SchemaError for an older or newer schema."""
    found = state(engine)
    if found.empty:
        found = upgrade(engine)[1]
    if found.current:
        return
    where = engine.url.render_as_string(hide_password=True)
    if found.older:
        raise SchemaError(f"the database {where} has schema {found.revision}, older than this bot's {found.head}: "
                          f"stop every instance, back it up, and run `{UPGRADE_COMMAND}`")
    raise SchemaError(f"the database {where} has schema {found.revision}, which this bot does not know "
                      f"(its schema is {found.head}): run the release that made it, or restore a backup")


def upgrade(engine: Engine) -> tuple[SchemaState, SchemaState]:
    """Bring the database to the head revision in one transaction; (state before, state after)."""
    # One transaction: the whole upgrade commits or rolls back together, and a second migrator waits, then
    # finds nothing to do (SQLite: the engine begins with BEGIN IMMEDIATE, bot.store.db).
    with engine.begin() as conn:
        if engine.dialect.name != "sqlite":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
        before = _upgrade_on(conn)
    return before, state(engine)


def _upgrade_on(conn: Connection) -> SchemaState:
    before = state_of(conn)
    if before.current:
        return before
    if not before.known:
        raise SchemaError(f"cannot upgrade schema {before.revision}: this bot's migrations end at {before.head}")
    from alembic import command

    cfg = _config(conn)
    if before.revision == RELEASE_1 and "alembic_version" not in inspect(conn).get_table_names():
        command.stamp(cfg, RELEASE_1)
    command.upgrade(cfg, "head")
    return before
