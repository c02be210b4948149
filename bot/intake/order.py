"""Order extraction: an order mail (body, forwarded original, attachments) → `Order` with evidence."""

from __future__ import annotations

from dataclasses import replace

from bot.domain import Evidence, Municipality, Order, OrderedType
from bot.intake.budget import MAX_ORDER_TEXT_CHARS, BudgetExceeded
from bot.intake.explain import format_explanation
from bot.intake.her_context import weigh_ownership
from bot.intake.herids import HerIdMatch, find_her_column, find_her_ids, find_her_in_rows
from bot.intake.message import InboundMessage
from bot.intake.order_fields import pick_contact, pick_date, pick_municipality
from bot.intake.order_tables import line_before, text_tables
from bot.intake.order_text import Part, message_parts, quoted_history
from bot.intake.order_types import TypeFinding, find_types
from bot.intake.order_vocab import OrderVocabulary, load_order_vocabulary
from bot.intake.type_tables import table_view
from bot.registry import Registry, fold

__all__ = ["OrderVocabulary", "extract_order", "format_explanation", "load_order_vocabulary"]


def _her_ids(
    parts: list[Part], vocab: OrderVocabulary, trust_ids: frozenset[int]
) -> tuple[list[HerIdMatch], list[HerIdMatch]]:
    """Labelled HER-ids from every text, each weighed by its context: (taken, not taken with the reason).
    A number the mail speaks against anywhere (a phone number, the hospital's) is not taken."""
    found: list[HerIdMatch] = []
    for part in parts:
        in_text = find_her_ids(part.text, vocab.her_labels) + find_her_column(part.text, vocab.her_labels)
        for table in text_tables(part.text):
            in_text += find_her_in_rows(table.rows, vocab.her_labels, line_before(part.text, table.start))
        found += weigh_ownership(part.text, in_text, vocab)
        found += weigh_ownership("", find_her_in_rows(part.rows, vocab.her_labels), vocab)
    trust = "a health trust's own HER-id (rules/routine.yaml)"
    found = [replace(m, doubt=trust) if m.value in trust_ids and m.doubt is None else m for m in found]
    doubted: dict[int, HerIdMatch] = {}
    for m in found:
        if m.doubt is not None:
            doubted.setdefault(m.value, m)
    taken: dict[int, HerIdMatch] = {}
    for m in found:
        if m.doubt is None and m.value not in doubted:
            taken.setdefault(m.value, m)
    return list(taken.values()), list(doubted.values())


def _merge_types(findings: list[tuple[Part, TypeFinding]], vocab: OrderVocabulary) -> list[TypeFinding]:
    """One entry per ordered code, in order of first mention; mail text versions before an attachment's."""
    by_code: dict[str, list[tuple[Part, TypeFinding]]] = {}
    for part, f in findings:
        if not f.declined:
            by_code.setdefault(f.code, []).append((part, f))
    out: list[TypeFinding] = []
    for entries in by_code.values():
        in_mail = [f for p, f in entries if f.version and not p.is_attachment]
        with_version = in_mail or [f for _, f in entries if f.version]
        out.append(_resolve_version(with_version, vocab) if with_version else entries[0][1])
    return out


def _left_out_types(findings: list[tuple[Part, TypeFinding]], chosen: list[TypeFinding]) -> list[TypeFinding]:
    """Types the mail names but does not order (declined, already in use, not marked in the form): the first
    such mention of each, for `parse --explain`."""
    ordered = {f.code for f in chosen}
    out: dict[str, TypeFinding] = {}
    for _, f in findings:
        if f.declined and f.code not in ordered:
            out.setdefault(f.code, f)
    return list(out.values())


def _resolve_version(findings: list[TypeFinding], vocab: OrderVocabulary) -> TypeFinding:
    """Several versions for one type: a replacement sentence decides ("fra 1.5 til 1.6"), else the highest."""
    versions = list(dict.fromkeys(f.version for f in findings if f.version))
    if len(versions) == 1:
        return findings[0]
    for f in findings:
        both = sorted((v for v in versions if v in f.unit_text), key=f.unit_text.index)
        if len(both) < 2:
            continue
        if vocab.replace_keep_first.search(fold(f.unit_text)):
            return next(g for g in findings if g.version == both[0])
        if vocab.replace_keep_last.search(fold(f.unit_text)):
            return next(g for g in findings if g.version == both[-1])
    return max(findings, key=lambda f: tuple(int(p) for p in (f.version or "0").split(".")))


def _own_history(
    history: list[Part], msg: InboundMessage, mun: Municipality | None, registry: Registry, refers: bool
) -> list[Part]:
    """Quoted mails the kommune wrote itself (its earlier order in a reply chain), not Hemit's or an HF's:
    from the sender's address, the kommune's domain, or the sender's name on an address-less "Fra:" line.
    When the new text refers to the order below ("Resten som i bestillingen under"), a quoted mail whose
    author the headers do not give counts too."""
    own: list[Part] = []
    sender = (msg.from_addr or "").lower()
    name = _name_tokens(msg.from_name)
    for part in history:
        author = (part.author or "").lower()
        if author:
            if author == sender or (mun is not None and registry.by_domain(author) == mun):
                own.append(part)
        elif (name and _name_tokens(part.author_name) == name) or refers:
            own.append(part)
    return own


def _name_tokens(name: str) -> frozenset[str]:
    return frozenset(t for t in fold(name).replace(",", " ").split() if len(t) > 1)


def _text_size(msg: InboundMessage) -> int:
    """Characters the extractor would read: bodies of the mail and its embedded mails, attachment texts."""
    size = 0
    for sub in (msg, *msg.embedded):
        size += len(sub.body_text)
        for att in sub.attachments:
            size += len(att.text or "") + sum(len(cell) + 3 for row in att.rows for cell in row)
    return size


def extract_order(
    msg: InboundMessage, registry: Registry, vocab: OrderVocabulary, *, new_text: str | None = None,
    trust_her_ids: frozenset[int] = frozenset(),
) -> Order:
    """Read an order from a mail. Fields the mail does not settle are None/empty (see `Order.missing`).
    `trust_her_ids` are the health trusts' own HER-ids (rules/routine.yaml), never the kommune's.

    A reply-chain order ("SV: …" answering a person) is read from its new text; the kommune's own earlier
    mail quoted under it fills only what the new text leaves open (types, HER-ids, date, a named contact)."""
    # Tables are read in one layout (a row per line) by every field below.
    size = _text_size(msg)
    if size > MAX_ORDER_TEXT_CHARS:
        raise BudgetExceeded(f"order mail with {size} characters of text (limit {MAX_ORDER_TEXT_CHARS})")
    parts = [replace(p, text=table_view(p.text, vocab)) for p in message_parts(msg, vocab, new_text)]
    history = [replace(p, text=table_view(p.text, vocab)) for p in quoted_history(msg, vocab, new_text)]
    forward = bool(vocab.forward_subject.search(msg.subject or "")) or any(p.source != "note" for p in parts)
    evidence: list[Evidence] = []

    mun = pick_municipality(parts, msg.subject or "", msg.from_addr, forward, registry, vocab)
    if mun is not None:
        evidence.append(Evidence("municipality", mun.municipality.name, mun.pick.rule, mun.pick.span))
    refers = any(p.search(fold(part.text)) for part in parts if part.source == "note" for p in vocab.refers_to_quoted)
    own = _own_history(history, msg, mun.municipality if mun is not None else None, registry, refers)

    ref = msg.date.date() if msg.date is not None else None
    when = pick_date(parts, vocab, ref, msg.subject or "") or pick_date(own, vocab, ref)
    if when is not None:
        evidence.append(Evidence("activation_date", when.value.isoformat(), when.pick.rule, when.pick.span))

    findings = [(part, f) for part in parts for f in find_types(part.text, vocab)]
    chosen = _merge_types(findings, vocab)
    if not chosen:
        findings = [(part, f) for part in own for f in find_types(part.text, vocab)]
        chosen = _merge_types(findings, vocab)
    types = tuple(OrderedType(f.code, f.version) for f in chosen)
    for f in chosen:
        evidence.append(Evidence("message_types", f"{f.code} {f.version or '(no version)'}", f.rule, f.span))
    for f in _left_out_types(findings, chosen):
        value = f"{f.code} {f.version or '(no version)'}"
        evidence.append(Evidence("message_types", value, f.rule, f.span, not_taken=f.declined))
    outdated = tuple(t for t in types if vocab.is_outdated(t.code, t.version))
    for t in outdated:
        evidence.append(Evidence("outdated_versions", f"{t.code} {t.version}", "type.outdated_below", t.version or ""))

    her, left_out = _her_ids(parts, vocab, trust_her_ids)
    if not her:
        her, left_out = _her_ids(own, vocab, trust_her_ids)
    for h in her:
        evidence.append(Evidence("her_ids", str(h.value), f"her_id.{h.rule}", h.span))
    for h in left_out:
        evidence.append(Evidence("her_ids", str(h.value), f"her_id.{h.rule}", h.span, not_taken=h.doubt))

    contact = pick_contact(parts, msg.from_addr, vocab) or pick_contact(own, msg.from_addr, vocab)
    contact_email = contact.address if contact is not None else None
    if contact is not None:
        evidence.append(Evidence("contact_email", contact.address, contact.pick.rule, contact.pick.span))
    elif mun is not None and msg.from_addr and registry.by_domain(msg.from_addr) == mun.municipality:
        contact_email = msg.from_addr.lower()
        evidence.append(Evidence("contact_email", contact_email, "contact.sender_at_kommune", msg.from_addr))

    return Order(
        municipality=mun.municipality if mun is not None else None,
        activation_date=when.value if when is not None else None,
        message_types=types,
        her_ids=tuple(h.value for h in her),
        contact_email=contact_email,
        outdated_versions=outdated,
        evidence=tuple(evidence),
    )
