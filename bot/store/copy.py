"""`db copy --to URL`: every row of the current database into an empty one (SQLite to PostgreSQL, or back)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Table, func, inspect, select, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

import bot.store.models  # noqa: F401  (registers the tables)
from bot.store.migrate import SchemaError, state, upgrade

BATCH_ROWS = 500
# Raw mail rows are up to BOT_MAX_MESSAGE_BYTES each: a handful at a time keeps the copy's memory bounded.
RAW_BATCH_ROWS = 8
# Leadership belongs to the deployment, not the data; the schema's own rows are made by the migrations.
NOT_COPIED = ("leader_lease",)


class CopyError(Exception):
    """The copy was refused or did not add up; the target was left as it was."""


@dataclass(frozen=True)
class CopyReport:
    counts: dict[str, int]  # rows per table, equal in source and target


def _tables() -> list[Table]:
    return [t for t in SQLModel.metadata.sorted_tables if t.name not in NOT_COPIED]


def _count(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def copy_database(source: Engine, target: Engine, progress: Callable[[str, int], None] | None = None) -> CopyReport:
    """Copy every row; refuses a source not at this bot's schema and a target that holds any row."""
    found = state(source)
    if not found.current:
        raise CopyError(f"the source database's schema is {found.describe()}")
    target_state = state(target)
    if not target_state.empty and not target_state.current:
        raise CopyError(f"the target is not empty: its schema is {target_state.describe()}")
    if not target_state.empty:
        with target.connect() as conn:
            full = [t.name for t in _tables() if t.name != "meta" and _count(conn, t)]
        if full:
            raise CopyError(f"the target is not empty: {', '.join(full[:5])} hold rows; copy only into an empty "
                            "database")
    try:
        upgrade(target)
    except SchemaError as exc:
        raise CopyError(str(exc)) from None
    counts: dict[str, int] = {}
    with source.connect() as src, target.begin() as dst:
        dst.execute(SQLModel.metadata.tables["meta"].delete())  # the migrations' own row; the source has its own
        for table in _tables():
            n = 0
            rows = RAW_BATCH_ROWS if table.name == "raw_messages" else BATCH_ROWS
            result = src.execution_options(yield_per=rows).execute(select(table).order_by(*table.primary_key))
            for batch in result.partitions():
                dst.execute(table.insert(), [dict(row._mapping) for row in batch])
                n += len(batch)
            counts[table.name] = n
            if progress is not None:
                progress(table.name, n)
        _continue_sequences(src, dst)
        for table in _tables():
            if _count(dst, table) != counts[table.name] or _count(src, table) != counts[table.name]:
                raise CopyError(f"{table.name}: {counts[table.name]} rows read but {_count(dst, table)} in the "
                                "target (was the bot running?); nothing was copied")
    return CopyReport(counts=counts)


def _continue_sequences(src: Connection, dst: Connection) -> None:
    """Numbers go on from where the source stopped: a case reference is never handed out twice."""
    for table in _tables():
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not pk[0].autoincrement or pk[0].name != "id":
            continue
        last = int(src.execute(select(func.coalesce(func.max(pk[0]), 0))).scalar_one())
        last = max(last, _source_sequence(src, table.name))
        if dst.dialect.name == "postgresql":
            dst.execute(text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v, :called)"),
                        {"t": table.name, "v": max(last, 1), "called": last > 0})
        elif "sqlite_sequence" in inspect(dst).get_table_names() and last > 0:
            dst.execute(text("UPDATE sqlite_sequence SET seq = max(seq, :v) WHERE name = :t"),
                        {"t": table.name, "v": last})


def _source_sequence(src: Connection, table: str) -> int:
    if src.dialect.name == "postgresql":
        seq = src.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table}).scalar()
        if seq is None:
            return 0
        row = src.execute(text(f"SELECT last_value, is_called FROM {seq}")).one()
        return int(row[0]) if row[1] else 0
    if "sqlite_sequence" not in inspect(src).get_table_names():
        return 0
    return int(src.execute(text("SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = :t"),
                           {"t": table}).scalar_one())
