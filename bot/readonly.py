"""The light half of the composition root, for read-only commands (`cases`, `case`, `quarantine list`):
the settings, the clock, the plan and calendar, the registry and the store — no intake rules, templates,
mail clients or engine, so such a command starts in a fraction of the time the whole bot takes. `cases`
goes further: it reads its list on plain Core (bot.store.case_list), without the ORM models."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

from bot.clock import Clock, FixedClock, SystemClock
from bot.registry import load_registry
from bot.routine.calendar import BusinessCalendar
from bot.routine.case import CaseSummary
from bot.routine.plan import Plan, load_plan
from bot.settings import Settings, load_settings
from bot.store.case_list import MunicipalityLookup, read_summaries
from bot.store.db import open_engine, reading

if TYPE_CHECKING:
    from bot.store.repo import Store


@dataclass(frozen=True)
class Routine:
    """What turns the store's rows into figures: the settings, the clock, the plan, calendar and registry."""

    settings: Settings
    clock: Clock
    plan: Plan
    calendar: BusinessCalendar
    municipality: MunicipalityLookup


@dataclass(frozen=True)
class View(Routine):
    """What a read-only command needs: the routine and the store."""

    store: Store


def build_routine(settings: Settings | None = None, *, now: datetime | None = None) -> Routine:
    """The routine the settings point at; `now` (the CLI's --now) fixes the clock."""
    settings = settings or load_settings()
    clock = FixedClock(at(now, settings)) if now is not None else SystemClock()
    plan = load_plan(settings.rules_dir / "routine.yaml")
    calendar = BusinessCalendar(plan.closed_days, tz=settings.tz)
    return Routine(settings=settings, clock=clock, plan=plan, calendar=calendar,
                   municipality=load_registry().by_number)


def build_view(settings: Settings | None = None, *, now: datetime | None = None) -> View:
    """The store and the routine the settings point at; `now` (the CLI's --now) fixes the clock."""
    from bot.store.repo import Store

    r = build_routine(settings, now=now)
    store = Store.open(database_url(r.settings), r.municipality)
    return View(settings=r.settings, clock=r.clock, plan=r.plan, calendar=r.calendar, municipality=r.municipality,
                store=store)


def list_cases(routine: Routine) -> list[CaseSummary]:
    """Every case's summary (Tx.list_summaries), read on plain Core: the ORM is never imported."""
    engine = open_engine(database_url(routine.settings))
    try:
        with reading(engine) as conn:
            return read_summaries(conn, routine.municipality)
    finally:
        engine.dispose()


def at(now: datetime, settings: Settings) -> datetime:
    """A `--now` instant: a naive one is local time in BOT_TIMEZONE."""
    return (now if now.tzinfo is not None else now.replace(tzinfo=settings.tz)).astimezone(UTC)


def database_url(settings: Settings) -> str:
    """SQLite paths are relative to the working directory; make sure the file exists, private to the bot."""
    url = settings.database_url
    if url.startswith("sqlite:") and (database := make_url(url).database) and database != ":memory:":
        make_private(Path(database))
    return url


def make_private(path: Path) -> None:
    """Create the database file 0600 (and folders it needs 0700) before SQLite opens it: it holds every
    raw inbound mail. An existing file (and its -wal/-shm/-journal) readable by others is tightened."""
    missing = [d for d in (path.parent, *path.parent.parents) if not d.exists()]
    path.parent.mkdir(parents=True, exist_ok=True)
    for folder in missing:
        folder.chmod(0o700)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    for file in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))):
        if file.exists() and file.stat().st_mode & 0o077:
            file.chmod(0o600)
