"""`db upgrade`, `db current` and `db copy --to URL`: the database's schema and moving it elsewhere."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli import EXIT_FAIL, EXIT_OK

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


@contextmanager
def no_daemon_running(engine: Engine) -> Iterator[None]:
    """A copy needs a source nobody writes to: on SQLite hold the daemon's lock meanwhile, on PostgreSQL refuse
    while a leader's lease is live."""
    from sqlalchemy import inspect

    from bot.store.leader import Leadership, lock_sqlite
    from bot.store.repo import StoreError

    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if not database or database == ":memory:":
            yield
            return
        lock = lock_sqlite(Path(database).resolve())
        try:
            yield
        finally:
            lock.release()
        return
    if "leader_lease" in inspect(engine).get_table_names():
        lease = Leadership(engine, 0).current()
        if lease is not None and not lease.expired:
            raise StoreError(f"{lease.holder} is running on the source database (epoch {lease.epoch}): stop every "
                             "instance first")
    yield


def db_main(action: str, *, to: str | None) -> int:
    from sqlalchemy.engine import make_url

    from bot.readonly import database_url, make_private
    from bot.settings import load_settings
    from bot.store.copy import CopyError, copy_database
    from bot.store.db import DatabaseUrlError, make_engine, normalize_url
    from bot.store.migrate import SchemaError, state, upgrade
    from bot.store.repo import StoreError

    settings = load_settings()
    engine = make_engine(database_url(settings))
    shown = engine.url.render_as_string(hide_password=True)
    try:
        if action == "current":
            print(f"{shown}: schema {state(engine).describe()}")
            return EXIT_OK
        if action == "upgrade":
            before, after = upgrade(engine)
            if before.current:
                print(f"{shown}: schema {after.revision} is current; nothing to do")
            else:
                print(f"{shown}: schema {before.revision or 'empty'} upgraded to {after.revision}")
            return EXIT_OK
        if action == "copy":
            if not to:
                print("oppkobling db copy: --to URL is required", file=sys.stderr)
                return EXIT_FAIL
            try:
                url = normalize_url(to)
                if url.startswith("sqlite:") and (file := make_url(url).database) and file != ":memory:":
                    make_private(Path(file))  # it will hold every raw inbound mail, as the source does
                target = make_engine(url)
            except DatabaseUrlError as exc:
                print(f"oppkobling db copy: --to: {exc}", file=sys.stderr)
                return EXIT_FAIL
            where = target.url.render_as_string(hide_password=True)
            try:
                with no_daemon_running(engine):
                    report = copy_database(engine, target)
            finally:
                target.dispose()
            total = sum(report.counts.values())
            print(f"copied {total} rows from {shown} to {where}; counts match in every table:")
            for name, n in report.counts.items():
                print(f"  {name}: {n}")
            return EXIT_OK
    except (SchemaError, CopyError, StoreError) as exc:
        print(f"oppkobling db {action}: {' '.join(str(exc).split())}", file=sys.stderr)
        return EXIT_FAIL
    finally:
        engine.dispose()
    return EXIT_FAIL
