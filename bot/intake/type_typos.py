"""Misspelt message-type names: a word one edit (a letter missing, extra or wrong, two letters swapped) away
from a type's name written in full ("Dialogmeldng", "Epikirse", "henvsining")."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Shorter names have too many everyday neighbours one edit away; longer words are not type names.
MIN_LETTERS = 7
MAX_LETTERS = 24
_WORD = re.compile(rf"(?<![\w-])[^\W\d_]{{{MIN_LETTERS},{MAX_LETTERS}}}(?![\w])")


@dataclass(frozen=True)
class Spellings:
    """Type names spelt in full, indexed by every form with one letter left out (symmetric deletion)."""

    by_deletion: dict[str, tuple[tuple[str, str], ...]]  # deletion form or name → ((name, code), …)
    names: frozenset[str]
    heads: frozenset[str]  # first two letters of the names, also swapped: a word starting otherwise is no typo


@dataclass(frozen=True)
class Typo:
    start: int
    end: int
    code: str
    name: str  # the name it was read as


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))} | {word}


def build_spellings(pairs: Iterable[tuple[str, str]]) -> Spellings:
    """`pairs` of (name in lower case without diacritics, type code)."""
    index: dict[str, list[tuple[str, str]]] = {}
    names: set[str] = set()
    for name, code in pairs:
        names.add(name)
        for form in _deletions(name):
            index.setdefault(form, []).append((name, code))
    heads = {n[:2] for n in names} | {n[1] + n[0] for n in names}
    return Spellings({k: tuple(v) for k, v in index.items()}, frozenset(names), frozenset(heads))


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions, adjacent transpositions."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], prev2[j - 2] + 1)
        prev2, prev = prev, row
    return prev[len(b)]


def find_typos(folded: str, spellings: Spellings) -> list[Typo]:
    """Words of `folded` text one edit away from exactly one type's name (never the name itself)."""
    out: list[Typo] = []
    if not spellings.names:
        return out
    for m in _WORD.finditer(folded):
        word = m.group(0)
        if word[:2] not in spellings.heads or word in spellings.names:
            continue
        near: dict[str, str] = {}
        for form in _deletions(word):
            for name, code in spellings.by_deletion.get(form, ()):
                if edit_distance(word, name) == 1:
                    near[code] = name
        if len(near) == 1:
            code, name = next(iter(near.items()))
            out.append(Typo(m.start(), m.end(), code, name))
    return out
