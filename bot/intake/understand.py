"""The intake facade: raw bytes → parsed, classified message with its new text and, for orders, the order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.domain import MessageKind, Order
from bot.intake.budget import Deadline, check_raw
from bot.intake.classify import TriageContext, TriageRules, Verdict, classify, load_triage_rules, text_for
from bot.intake.message import InboundMessage, parse_message
from bot.intake.order import OrderVocabulary, extract_order, load_order_vocabulary
from bot.intake.quotes import QuoteCut
from bot.registry import Registry, load_registry
from bot.rulefile import DATA_DIR, RULES_DIR


@dataclass(frozen=True)
class IntakeRules:
    """Everything intake reads from rules/ and data/, loaded once at start-up."""

    triage: TriageRules
    registry: Registry
    vocabulary: OrderVocabulary


def load_intake_rules(rules_dir: Path = RULES_DIR, data_dir: Path = DATA_DIR) -> IntakeRules:
    return IntakeRules(
        triage=load_triage_rules(rules_dir / "triage.yaml"),
        registry=load_registry(data_dir),
        vocabulary=load_order_vocabulary(rules_dir),
    )


@dataclass(frozen=True)
class Understood:
    message: InboundMessage
    verdict: Verdict
    cut: QuoteCut
    order: Order | None


def no_lookup(_message_id: str) -> str | None:
    return None


def understand(
    raw: bytes,
    rules: IntakeRules,
    *,
    own_address: str,
    case_for_message_id: Callable[[str], str | None] = no_lookup,
    max_decompressed_bytes: int = 20_000_000,
) -> Understood:
    """Parse, classify and (for orders) extract one message; raises BudgetExceeded for one that costs too much."""
    deadline = Deadline()
    check_raw(raw)
    msg = parse_message(raw, max_decompressed_bytes=max_decompressed_bytes, deadline=deadline)
    ctx = TriageContext(
        own_address=own_address,
        own_domain=own_address.rsplit("@", 1)[-1],
        case_for_message_id=case_for_message_id,
    )
    verdict = classify(msg, ctx, rules.triage)
    cut = text_for(msg, verdict.kind, rules.triage)
    order = None
    if verdict.kind is MessageKind.ORDER:
        deadline.check("reading the order")
        order = extract_order(msg, rules.registry, rules.vocabulary, new_text=cut.new_text)
    return Understood(message=msg, verdict=verdict, cut=cut, order=order)


def order_json(order: Order) -> dict[str, object]:
    """The `order` object of SPEC §6."""
    m = order.municipality
    return {
        "municipality": {"number": m.number, "name": m.name} if m else None,
        "activation_date": order.activation_date.isoformat() if order.activation_date else None,
        "message_types": [{"type": t.code, "version": t.version} for t in order.message_types],
        "her_ids": list(order.her_ids),
        "contact_email": order.contact_email,
        "missing": list(order.missing),
    }


def parse_json(u: Understood) -> dict[str, object]:
    """The `parse --json` object of SPEC §6; our own mail come back counts as "other"."""
    kind = MessageKind.OTHER if u.verdict.kind is MessageKind.OWN else u.verdict.kind
    return {
        "kind": kind.value,
        "case_ref": u.verdict.case_ref,
        "text": u.cut.new_text,
        "order": order_json(u.order) if u.order is not None else None,
    }
