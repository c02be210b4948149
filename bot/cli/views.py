"""Case views for people and for the JSON contract of SPEC §6 (`cases --json`, `case OPK-n --json`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from bot.outbound.formatting import format_date_nb, format_datetime_nb
from bot.routine.calendar import BusinessCalendar
from bot.routine.case import Case, CaseSummary
from bot.routine.plan import Plan
from bot.routine.schedule import deadlines, next_deadline, step_status

if TYPE_CHECKING:
    from bot.store.repo import EventView

JsonObject = dict[str, object]


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt is not None else None


def _municipality(case: Case | CaseSummary) -> JsonObject | None:
    m = case.municipality
    return {"number": m.number, "name": m.name} if m else None


def summary_json(plan: Plan, cal: BusinessCalendar, case: CaseSummary, now: datetime) -> JsonObject:
    """One element of `cases --json` (SPEC §6)."""
    return {
        "ref": case.ref,
        "state": case.state.value,
        "municipality": _municipality(case),
        "activation_date": case.activation_date.isoformat() if case.activation_date else None,
        "next_deadline": _iso(next_deadline(case, now, plan, cal)),
    }


def case_summary_json(plan: Plan, cal: BusinessCalendar, case: Case, now: datetime) -> JsonObject:
    """The same for a whole case."""
    return summary_json(plan, cal, case.summary, now)


def case_json(plan: Plan, cal: BusinessCalendar, case: Case, events: list[EventView], now: datetime) -> JsonObject:
    dl = deadlines(case, plan, cal)
    steps = []
    for step in plan.steps:
        st = case.step(step)
        steps.append({
            "name": step,
            "status": step_status(case, step, now, plan, cal).value,
            "deadline": _iso(dl.get(step)),
            "done_at": _iso(st.done_at),
            "done_by": st.done_by,
        })
    return {
        "ref": case.ref,
        "state": case.state.value,
        "municipality": _municipality(case),
        "activation_date": case.activation_date.isoformat() if case.activation_date else None,
        "message_types": [{"type": t.code, "version": t.version} for t in case.message_types],
        "her_ids": list(case.her_ids),
        "contact_email": case.contact_email,
        "steps": steps,
        "deviations": [{"at": d.at.isoformat(), "text": d.text} for d in case.deviations],
        "events": [{"at": e.at.isoformat(), "kind": e.kind, "detail": e.detail} for e in events],
    }


def cases_table(plan: Plan, cal: BusinessCalendar, cases: Sequence[CaseSummary], now: datetime) -> str:
    tz = cal.tz
    rows = [("Sak", "Status", "Kommune", "Aktiveringsdato", "Neste frist")]
    for c in cases:
        nd = next_deadline(c, now, plan, cal)
        rows.append((c.ref, c.state.value, c.municipality.name if c.municipality else "-",
                     format_date_nb(c.activation_date, tz) if c.activation_date else "-",
                     format_datetime_nb(nd, tz) if nd else "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in rows)


def case_text(plan: Plan, cal: BusinessCalendar, case: Case, events: list[EventView], now: datetime) -> str:
    tz = cal.tz
    m = case.municipality
    lines = [
        f"{case.ref}  {m.name + ' kommune' if m else '(ukjent kommune)'}  [{case.state.value}]",
        f"Aktiveringsdato: {format_date_nb(case.activation_date, tz) if case.activation_date else '-'}",
        "Meldingstyper:   "
        + (", ".join(f"{t.code} {t.version or '(versjon mangler)'}" for t in case.message_types) or "-"),
        "HER-id:          " + (", ".join(str(h) for h in case.her_ids) or "-"),
        f"Kontakt:         {case.contact_email or '-'}",
        "",
        "Steg:",
    ]
    dl = deadlines(case, plan, cal)
    for step in plan.steps:
        st = case.step(step)
        status = step_status(case, step, now, plan, cal).value
        frist = format_datetime_nb(dl[step], tz) if step in dl else "-"
        done = f"  utført {format_datetime_nb(st.done_at, tz)} av {st.done_by}" if st.done_at else ""
        lines.append(f"  {step:<15} {status:<8} frist {frist}{done}")
    if case.deviations:
        lines += ["", "Avvik:"] + [f"  {format_datetime_nb(d.at, tz)}: {d.text}" for d in case.deviations]
    if events:
        lines += ["", "Hendelser:"] + [f"  {format_datetime_nb(e.at, tz)}  {e.kind}  {e.detail}" for e in events]
    return "\n".join(lines)
