"""The light half of the composition root, for read-only commands (`cases`, `case`, `quarantine list`):
the settings, the clock, the plan and calendar, the registry and the store — no intake rules, templates,
mail clients or engine, so such a command starts in a fraction of the time the whole bot takes."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.clock import Clock, FixedClock, SystemClock
from bot.registry import load_registry
from bot.routine.calendar import BusinessCalendar
from bot.routine.plan import Plan, load_plan
from bot.settings import Settings, load_settings
from bot.store.repo import Store


@dataclass(frozen=True)
class View:
    """What a read-only command needs: the store and what turns its rows into figures (plan, calendar)."""

    settings: Settings
    clock: Clock
    plan: Plan
    calendar: BusinessCalendar
    store: Store


def build_view(settings: Settings | None = None, *, now: datetime | None = None) -> View:
    """The store and the routine the settings point at; `now` (the CLI's --now) fixes the clock."""
    settings = settings or load_settings()
    clock = FixedClock(at(now, settings)) if now is not None else SystemClock()
    plan = load_plan(settings.rules_dir / "routine.yaml")
    calendar = BusinessCalendar(plan.closed_days, tz=settings.tz)
    store = Store.open(database_url(settings), load_registry().by_number)
    return View(settings=settings, clock=clock, plan=plan, calendar=calendar, store=store)


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
