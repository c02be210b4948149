"""The list of cases (`cases`, `cases --json`) read from the store: plain Core, the few columns the list shows.

No ORM models here: a read-only command that lists the cases starts without them (bot.readonly); the
repository reads its summaries through the same function (Tx.list_summaries)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Date, Integer, String, column, select, table
from sqlalchemy.engine import Connection

from bot.domain import CaseState, Municipality
from bot.routine.case import CaseSummary

MunicipalityLookup = Callable[[str], Municipality | None]

# The columns read here, of the tables bot.store.models defines (tests/unit/test_store.py reads both ways).
_CASES = table("cases", column("id", Integer), column("state", String), column("municipality_number", String),
               column("activation_date", Date))
_STEPS = table("steps", column("case_id", Integer), column("step", String), column("done_at"))


def ref_of(case_id: int) -> str:
    return f"OPK-{case_id}"


def read_summaries(conn: Connection, municipality: MunicipalityLookup) -> list[CaseSummary]:
    """Every case's summary, oldest first, in two queries (loading the whole cases took most of the time of
    `cases --json` with 10,000 cases)."""
    done: dict[int, set[str]] = {}
    steps = select(_STEPS.c.case_id, _STEPS.c.step).where(_STEPS.c.done_at.is_not(None))
    for case_id, step in conn.execute(steps).all():  # all(): one fetchall, not a fetchone per row
        done.setdefault(case_id, set()).add(step)
    c = _CASES.c
    rows = conn.execute(select(c.id, c.state, c.municipality_number, c.activation_date).order_by(c.id)).all()
    return [CaseSummary(ref_of(cid), CaseState(state), municipality(number) if number else None, activation,
                        frozenset(done.get(cid, ())))
            for cid, state, number, activation in rows]
