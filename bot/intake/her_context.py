"""Whose HER-id: a candidate weighed by its sentence, its table row and the heading over its table."""

from __future__ import annotations

import bisect
import re
from dataclasses import replace

from bot.intake.herids import HerIdMatch
from bot.intake.order_text import unit_at, units
from bot.intake.order_vocab import OrderVocabulary
from bot.registry import fold

# A sentence that starts with a pronoun speaks of the one before it ("… HER-id 8021345). Den er Stjørdals
# og er ikke med i denne bestillingen.").
_PRONOUN_START = re.compile(r"\s*(?:den|dei|de|det|denne|dette|disse|desse|it|they|these|those)\b")


def weigh_ownership(text: str, matches: list[HerIdMatch], vocab: OrderVocabulary) -> list[HerIdMatch]:
    """`matches` (read from `text`) with a `doubt` where the mail says a HER-id is not the kommune's own:
    the hospital's ("HNT sin HER-id", a row naming a sykehus), someone else's ("ikke våre"), or retired.

    A cue in a sentence belongs to the nearest HER-id in that sentence or, when the sentence starts with a
    pronoun, in the sentence before. A table's heading and row speak for every HER-id in the row."""
    if not matches:
        return matches
    doubts: dict[int, str] = {}  # by index in `matches`
    for k, m in enumerate(matches):
        reason = _table_doubt(m, vocab) if m.rule == "column" else None
        if reason is not None:
            doubts[k] = reason
    in_text = sorted((k for k, m in enumerate(matches) if m.rule != "column" and m.end > m.start),
                     key=lambda k: matches[k].start)
    if in_text:
        folded = fold(text)
        all_units = units(text)
        by_unit: dict[int, list[int]] = {}
        for k in in_text:
            by_unit.setdefault(unit_at(all_units, matches[k].start), []).append(k)
        for cue in vocab.her_not_ours:
            if cue.scope != "any":
                continue
            for hit in cue.pattern.finditer(folded):
                u = unit_at(all_units, hit.start())
                near = _nearest(matches, by_unit.get(u, []), hit.start(), hit.end())
                if u > 0 and near is None and _PRONOUN_START.match(folded, all_units[u].start):
                    near = _nearest(matches, by_unit.get(u - 1, []), hit.start(), hit.end())
                if near is not None:
                    doubts.setdefault(near, cue.reason)
    return [replace(m, doubt=doubts[k]) if k in doubts and m.doubt is None else m for k, m in enumerate(matches)]


def _table_doubt(m: HerIdMatch, vocab: OrderVocabulary) -> str | None:
    row, heading = fold(m.span), fold(m.heading)
    for cue in vocab.her_not_ours:
        if cue.pattern.search(row) or (cue.scope != "row" and cue.pattern.search(heading)):
            return cue.reason
    return None


def _nearest(matches: list[HerIdMatch], candidates: list[int], start: int, end: int) -> int | None:
    """Of `candidates` (indexes into `matches`, by position), the one nearest to the text [start, end)."""
    if not candidates:
        return None
    i = bisect.bisect_left(candidates, start, key=lambda k: matches[k].start)
    around = candidates[max(0, i - 1) : i + 1]
    return min(around, key=lambda k: _distance(matches[k], start, end))


def _distance(m: HerIdMatch, start: int, end: int) -> int:
    lo = m.label_start if 0 <= m.label_start <= m.start else m.start
    if end <= lo:
        return lo - end
    if start >= m.end:
        return start - m.end
    return 0
