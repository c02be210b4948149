"""Picking one value per order field from the texts of a mail: municipality, activation date, contact."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from bot.domain import Municipality
from bot.intake.addresses import text_addresses
from bot.intake.budget import MAX_DATES, BudgetExceeded
from bot.intake.dates import WEEKDAYS, find_dates
from bot.intake.order_text import Part, logical_lines, unit_at, units
from bot.intake.order_vocab import OrderVocabulary
from bot.registry import Registry, fold

# Cues right next to the date ("Aktiveringsdato: 15.02.2027", "satt til tirsdag 11.05.2027") count more.
_ADJACENT = re.compile(rf"^[\s:|=–-]*(?:(?:er|blir|vert|til|den|pa|på|:)\s*)*(?:(?:{WEEKDAYS})\.?,?\s*)?$", re.I)
_CLAUSE_BREAK = re.compile(r",\s*men\b|\bmen\b|;|\(|\)", re.IGNORECASE)
_NOT_CONTACT_DOMAINS = ("helse-midt.no", "hemit.no")
MAX_CUE_CHARS = 300
Vote = Callable[[Municipality | None, float, str, str], None]


@dataclass(frozen=True)
class Pick:
    """A chosen value with the rule that chose it and the text it was read from."""

    score: float
    rule: str
    span: str


@dataclass(frozen=True)
class MunicipalityPick:
    municipality: Municipality
    pick: Pick


@dataclass(frozen=True)
class DatePick:
    value: date
    pick: Pick


@dataclass(frozen=True)
class ContactPick:
    address: str
    pick: Pick


def _decay(distance: int) -> float:
    return 1.0 if distance <= 30 else max(0.3, 1.0 - (distance - 30) / 150)


def _score_date(text: str, start: int, end: int, clause: tuple[int, int], vocab: OrderVocabulary) -> float:
    # Cues more than MAX_CUE_CHARS away are not read (no sentence is that long); keeps huge lines linear.
    before = fold(text[max(clause[0], start - MAX_CUE_CHARS) : start])
    after = fold(text[end : min(clause[1], end + MAX_CUE_CHARS)])
    score = 0.0
    for cue in vocab.date_cues:
        hits = list(cue.pattern.finditer(before))
        if hits:
            last = hits[-1]
            factor = _decay(len(before) - last.end())
            if cue.weight > 0 and _ADJACENT.match(before[last.end() :]):
                factor *= 1.5
            score += cue.weight * factor
            continue
        hit = cue.pattern.search(after)
        if hit:
            score += cue.weight * 0.5 * _decay(hit.start())
    return score


def _clause_bounds(text: str, u_start: int, u_end: int, pos: int, end: int) -> tuple[int, int]:
    start, stop = max(u_start, pos - MAX_CUE_CHARS), min(u_end, end + MAX_CUE_CHARS)
    for m in _CLAUSE_BREAK.finditer(text, start, stop):
        if m.end() <= pos:
            start = m.end() if m.group(0) in "()" else m.start()
        elif m.start() >= end:
            stop = m.start()
            break
    return start, stop


def _in_header_block(text: str, line_start: int, line: str, vocab: OrderVocabulary) -> bool:
    """A "Dato:"/"Fra:" line next to another quote header line ("Emne:", "Til:" …)."""
    if not any(p.search(line) for p in vocab.date_header_only_lines):
        return False
    before = text[: max(0, line_start - 1)].rsplit("\n", 1)[-1]
    after_start = line_start + len(line) + 1
    after = text[after_start:].split("\n", 1)[0] if after_start <= len(text) else ""
    return bool(vocab.header_line.match(fold(before)) or vocab.header_line.match(fold(after)))


def date_candidates(part: Part, vocab: OrderVocabulary, ref: date | None) -> list[DatePick]:
    """Every date in the part with its score: labelled activation dates high, meetings and signatures low."""
    text = part.text
    all_units = units(text)
    out: list[DatePick] = []
    found = find_dates(text, ref)
    if len(found) > MAX_DATES:
        raise BudgetExceeded(f"{len(found)} dates in one text (limit {MAX_DATES})")
    skipped: dict[int, bool] = {}  # by line start: a long line is checked once, not once per date on it
    for i, d in enumerate(found):
        line_start = text.rfind("\n", 0, d.start) + 1
        if line_start not in skipped:
            line_end = text.find("\n", d.end)
            line = text[line_start : line_end if line_end >= 0 else len(text)]
            skipped[line_start] = any(p.search(line) for p in vocab.date_skip_lines) or _in_header_block(
                text, line_start, line, vocab
            )
        if skipped[line_start]:
            continue
        u = all_units[unit_at(all_units, d.start)]
        clause = _clause_bounds(text, u.start, u.end, d.start, d.end)
        score = 5 + _score_date(text, d.start, d.end, clause, vocab)
        if ref is not None and d.value <= ref:  # on or before the day it was sent: a letter or meeting date
            score -= 30
        if i > 0 and re.fullmatch(r"\s*\(\D{0,40}", text[found[i - 1].end : d.start]):
            score -= vocab.date_aside_penalty  # "20.04.2027 (avtalt med Hemit 7. desember)"
        before_gap = text[found[i - 1].end : d.start] if i > 0 else None
        after_gap = text[d.end : found[i + 1].start] if i + 1 < len(found) else None
        if any(g is not None and vocab.date_alternative.fullmatch(fold(g)) for g in (before_gap, after_gap)):
            score -= vocab.date_alternative_penalty  # "1. mars eller 8. mars"
        out.append(
            DatePick(
                d.value,
                Pick(score, "date.cue" if score > 5 else "date.bare", text[clause[0] : clause[1]].strip()),
            )
        )
    return out


def pick_date(parts: list[Part], vocab: OrderVocabulary, ref: date | None, subject: str = "") -> DatePick | None:
    """The best date of the mail text; attachments only when the mail text settles none, and the subject
    ("Bestilling oppkobling – aktivering 22.03.2027") when neither does."""
    in_subject = [Part("subject", subject, subject, None)] if subject.strip() else []
    for group in ([p for p in parts if not p.is_attachment], [p for p in parts if p.is_attachment], in_subject):
        best: DatePick | None = None
        for part in group:
            for cand in date_candidates(part, vocab, ref):
                if cand.pick.score > 0 and (best is None or cand.pick.score > best.pick.score):
                    best = cand
        if best is not None:
            return best
    return None


def pick_municipality(
    parts: list[Part],
    subject: str,
    sender: str | None,
    forward: bool,
    registry: Registry,
    vocab: OrderVocabulary,
) -> MunicipalityPick | None:
    """Sender domain, forwarded sender, names, numbers and "på vegne av" in the text, weighed together."""
    scores: dict[str, tuple[float, Pick]] = {}
    counts: dict[str, int] = {}

    def vote(mun: Municipality | None, score: float, rule: str, span: str) -> None:
        if mun is None:
            return
        counts[mun.number] = counts.get(mun.number, 0) + 1
        if mun.number not in scores or score > scores[mun.number][0]:
            scores[mun.number] = (score, Pick(score, rule, span))

    sender_domain = sender.rsplit("@", 1)[-1] if sender else None
    vote(registry.by_domain(sender_domain), 40 if forward else 80, "municipality.sender_domain", sender or "")
    for part in parts:
        if part.source != "note" and part.author:
            vote(
                registry.by_domain(part.author.rsplit("@", 1)[-1]),
                90,
                "municipality.original_sender",
                part.author,
            )
        _text_votes(part.full, sender_domain, registry, vocab, vote)
        for address, _ in text_addresses(part.full):
            vote(registry.by_domain(address.rsplit("@", 1)[-1]), 20, "municipality.address_in_text", address)
    _text_votes(subject, sender_domain, registry, vocab, vote)
    if not scores:
        return None
    number = max(scores, key=lambda n: scores[n][0] + min(10, 2 * (counts[n] - 1)))
    found = registry.by_number(number)
    assert found is not None
    return MunicipalityPick(found, scores[number][1])


def _text_votes(text: str, sender_domain: str | None, registry: Registry, vocab: OrderVocabulary, vote: Vote) -> None:
    folded = fold(text)
    for hit in registry.name_hits(text, sender_domain=sender_domain):
        start, end = hit.span
        before = folded[max(0, start - 40) : start]
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        # Only the start of the line and the words around the name are read, so a hit on a 300 KB line
        # costs no more than one on a short line.
        head = folded[line_start : min(line_end, line_start + MAX_CUE_CHARS)]
        line = text[max(line_start, start - MAX_CUE_CHARS) : min(line_end, end + MAX_CUE_CHARS)]
        if vocab.on_behalf.search(before):
            vote(hit.municipality, 100, "municipality.on_behalf", line.strip())
        elif vocab.field_labels.search(folded[max(0, start - 30) : start]) or vocab.field_labels.match("\n" + head):
            vote(hit.municipality, 85, "municipality.field", line.strip())
        elif hit.with_kommune and vocab.for_kommune.search(before):
            vote(hit.municipality, 60, "municipality.for_kommune", line.strip())
        else:
            score = 50 if hit.with_kommune else 25
            vote(hit.municipality, score, "municipality.name_in_text", text[start:end])
    for m in vocab.number_labels.finditer(folded):
        vote(registry.by_number(m.group(1)), 85, "municipality.kommunenummer", text[m.start() : m.end()])
    for m in vocab.org_labels.finditer(folded):
        vote(registry.by_org_number(m.group(1)), 75, "municipality.org_number", text[m.start() : m.end()])


def _name_to_address(name: str, known: list[str]) -> str | None:
    """An address whose local part is made of the named person's names ("Håvard Lien" → havard.lien@…)."""
    tokens = [t for t in re.findall(r"[a-z]+", fold(name)) if len(t) > 1]
    if len(tokens) < 2:
        return None
    for address in known:
        local = fold(address.split("@", 1)[0])
        if all(t in local for t in (tokens[0], tokens[-1])):
            return address
    return None


def pick_contact(parts: list[Part], sender: str | None, vocab: OrderVocabulary) -> ContactPick | None:
    """The address the order names as contact; "undertegnede" means the author of that text. Labels
    ("Kontaktperson:") anywhere win over weaker phrases ("Spørsmål kan rettes til …")."""
    known = [a for p in parts for a, _ in text_addresses(p.full)] + ([sender] if sender else [])
    groups = ([p for p in parts if not p.is_attachment], [p for p in parts if p.is_attachment])
    for group in groups:
        for part in group:
            folded = fold(part.text)
            for pattern in vocab.contact_self:
                m = pattern.search(folded)
                author = part.author or sender
                if m and author:
                    return ContactPick(author.lower(), Pick(90, "contact.self", part.text[m.start() : m.end()]))
            found = _labelled_contact(part.text, folded, [vocab.contact_labels], known, "contact.labelled")
            if found is not None:
                return found
    for group in groups:
        for part in group:
            found = _labelled_contact(
                part.text,
                fold(part.text),
                list(vocab.contact_secondary),
                known,
                "contact.secondary",
                author=part.author or sender,
            )
            if found is not None:
                return found
    return None


# After a weaker phrase ("Spørsmål kan rettes til undertegnede"): the author of the text is the contact.
_SELF_AFTER = re.compile(r"\s*(?:undert[ae]gnede|undert[ae]ikna|meg|avsender|avsendar)\b")


def _labelled_contact(
    text: str,
    folded: str,
    labels: list[re.Pattern[str]],
    known: list[str],
    rule: str,
    author: str | None = None,
) -> ContactPick | None:
    """The first address after a label (same line or the next two), or the address of the person it names.
    With `author`, a label followed by "undertegnede"/"meg" names the author."""
    lines = logical_lines(text)
    hits = sorted((m for pattern in labels for m in pattern.finditer(folded)), key=lambda m: m.start())
    starts = [s for s, _ in lines]
    for m in hits:
        index = max(0, bisect.bisect_right(starts, m.start()) - 1)
        window_end = min(lines[min(index + 2, len(lines) - 1)][1], m.end() + MAX_CUE_CHARS)
        line_text = text[m.end() : min(lines[index][1], m.end() + MAX_CUE_CHARS)]
        span = text[m.start() : lines[index][1]].strip()
        if author is not None and _SELF_AFTER.match(folded, m.end()):
            return ContactPick(author.lower(), Pick(60, f"{rule}_self", span))
        for address, _ in text_addresses(text[m.end() : window_end]):
            if not address.endswith(_NOT_CONTACT_DOMAINS):
                return ContactPick(address, Pick(80, rule, span))
        named = _name_to_address(line_text.split(",")[0], known)
        if named is not None:
            return ContactPick(named, Pick(70, "contact.named_person", span))
    return None
