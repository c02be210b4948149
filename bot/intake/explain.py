"""`parse --explain`: an order's fields, each with the rule that set it and the text it was read from."""

from __future__ import annotations

from bot.domain import Evidence, Order

_FIELDS = (
    "municipality",
    "activation_date",
    "message_types",
    "outdated_versions",
    "her_ids",
    "contact_email",
)
_SPAN_CHARS = 160


def _value(order: Order, field: str) -> str:
    if field == "municipality":
        m = order.municipality
        return f"{m.number} {m.name}" if m else "—"
    if field == "activation_date":
        return order.activation_date.isoformat() if order.activation_date else "—"
    if field == "message_types":
        return ", ".join(f"{t.code} {t.version or '(no version)'}" for t in order.message_types) or "—"
    if field == "outdated_versions":
        return ", ".join(f"{t.code} {t.version}" for t in order.outdated_versions) or "—"
    if field == "her_ids":
        return ", ".join(str(h) for h in order.her_ids) or "—"
    return order.contact_email or "—"


def _span(e: Evidence) -> str:
    flat = " ".join(e.span.split())
    return flat if len(flat) <= _SPAN_CHARS else flat[: _SPAN_CHARS - 1] + "…"


def format_explanation(order: Order) -> str:
    """One block per field: the value, then for each piece of evidence its rule and the matched text, then
    every candidate that was left out and why ("not taken: 96420 — belongs to the hospital")."""
    blocks: list[str] = []
    for field in _FIELDS:
        lines = [f"{field}: {_value(order, field)}"]
        items = [e for e in order.evidence if e.field == field and e.not_taken is None]
        if not items and field != "outdated_versions":
            lines.append("  (nothing found)")
        for e in items:
            lines.append(f"  {e.value}  [{e.rule}]  «{_span(e)}»")
        for e in order.evidence:
            if e.field == field and e.not_taken is not None:
                lines.append(f"  not taken: {e.value} — {e.not_taken}  [{e.rule}]  «{_span(e)}»")
        blocks.append("\n".join(lines))
    missing = ", ".join(order.missing) or "nothing"
    blocks.append(f"missing: {missing}")
    return "\n\n".join(blocks) + "\n"
