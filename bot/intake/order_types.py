"""Message types and their versions in order text: aliases, version pairing, declined and replaced types."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.intake.budget import MAX_TYPE_MENTIONS, BudgetExceeded
from bot.intake.dates import find_dates
from bot.intake.order_text import Unit, logical_lines, unit_at, units
from bot.intake.order_vocab import OrderVocabulary
from bot.intake.type_typos import Typo, find_typos
from bot.registry import fold

# "1.6", "v1.6", "versjon 1.6", "1,6" (comma decimal); not "1.6.2", "1/6-27" or a date.
_VERSION = re.compile(
    r"(?<![\w.,/-])(?:(?P<kw>[A-Za-zæøå]+)\.?\s*)?(?P<v>\d{1,2}(?P<sep>[.,])\d{1,2})(?![\w]|[.,]\d|/\d|-\d)"
)
# "versjon 1.6 av PLO-meldingane", "1.1 for dialogmelding": a version written before its type.
_VERSION_OF = re.compile(r"\s*(?:av|for|p[aå])\s+(?:den|det|de|dei)?\s*$", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r",\s*men\b|\bmen\b|;|\bbortsett\s+fr[aå]\b|\bunntatt\b|\bunnateke\b", re.IGNORECASE)
# Where "already in use" stops applying: a new clause that orders ("…, og bestiller nå …", "…, så …").
_IN_USE_BREAK = re.compile(
    r"[,:;]\s*(?:og|men|så|mens|medan)\b|\bog\s+(?:vi\s+)?(?:bestill|[oø]nsk|ynskj|ting|vil\b|skal\b)|:|;|\bmen\b",
    re.IGNORECASE,
)
_CHECKBOX = re.compile(r"☐|□|☒|☑|✓|✔|\[\s?\]|\[[xX]\]|\(\s\)|\([xX]\)")
_EMPTY_BOX = re.compile(r"☐|□|\[\s?\]|\(\s\)")
_EMPTY_FORM_BOX = "not marked in the form (empty box)"
_STANDALONE_GLUE = re.compile(r"^[\s\-*•·▪–:|,.()☐☒☑✓✔\[\]xX]*$")
MAX_WORDS_TO_VERSION = 8
MAX_CLAUSE_CHARS = 300
MAX_WORDS_WITH_KEYWORD = 15


@dataclass(frozen=True)
class Mention:
    code: str
    start: int
    end: int
    weak: bool
    unit: int
    typo_of: str = ""  # the type name a misspelt word was read as ("epikrise" for "Epikirse")


@dataclass(frozen=True)
class VersionToken:
    value: str
    start: int
    end: int
    unit: int
    keyword: bool  # written as "versjon 1.6" / "v1.6"


@dataclass(frozen=True)
class TypeFinding:
    """One ordered type found in one text, with the version written for it (None when none)."""

    code: str
    version: str | None
    declined: str | None  # why this mention is not an order ("already in use", …); None: ordered
    span: str
    rule: str
    unit_text: str


def _mentions(text: str, folded: str, vocab: OrderVocabulary, all_units: list[Unit]) -> list[Mention]:
    raw: list[tuple[int, int, str, bool]] = []
    for alias in vocab.aliases:
        haystack = text if alias.case_sensitive else folded
        raw.extend((m.start(), m.end(), alias.code, alias.weak) for m in alias.pattern.finditer(haystack))
    typos = {t.start: t for t in find_typos(folded, vocab.spellings) if _typo_fits(folded, t, vocab)}
    raw.extend((t.start, t.end, t.code, False) for t in typos.values())
    raw.sort(key=lambda r: (r[0], -(r[1] - r[0]), r[0] in typos))
    kept: list[Mention] = []
    for start, end, code, weak in raw:
        if kept and start < kept[-1].end:
            continue
        typo = typos.get(start)
        typo_of = typo.name if typo is not None and typo.end == end and typo.code == code else ""
        kept.append(Mention(code, start, end, weak, unit_at(all_units, start), typo_of))
    if len(kept) > MAX_TYPE_MENTIONS:
        raise BudgetExceeded(f"{len(kept)} message-type names in one text (limit {MAX_TYPE_MENTIONS})")
    return kept


def _typo_fits(folded: str, typo: Typo, vocab: OrderVocabulary) -> bool:
    """The name a typo was read as, put in its place, is a (strong) alias of its type there: "med henvsining
    til" stays "with reference to", as "med henvisning til" does."""
    before = folded[max(0, typo.start - 20) : typo.start]
    context = before + typo.name
    for alias in vocab.aliases:
        if alias.code == typo.code and not alias.weak and not alias.case_sensitive:
            m = alias.pattern.match(context, len(before))
            if m is not None and m.end() == len(context):
                return True
    return False


def _versions(text: str, folded: str, vocab: OrderVocabulary, all_units: list[Unit]) -> list[VersionToken]:
    date_spans = [(d.start, d.end) for d in find_dates(text)]
    known = {v for t in vocab.types for v in t.versions}
    out: list[VersionToken] = []
    for m in _VERSION.finditer(text):
        start = m.start("v")
        if any(s <= start < e for s, e in date_spans):
            continue
        kw = m["kw"] or ""
        keyword = bool(kw) and bool(vocab.version_keyword.fullmatch(fold(kw)))
        # "Versjonen vi brukar er 1.6": the keyword a few words back still marks a version.
        unit_start = all_units[unit_at(all_units, start)].start
        near = re.findall(r"\w+", folded[max(unit_start, start - 40) : start])
        keyword_near = keyword or any(vocab.version_keyword.fullmatch(w) for w in near)
        value = m["v"].replace(",", ".")
        major, minor = value.split(".")
        if not keyword and (int(major) > 9 or len(minor) > 1):
            continue
        if m["sep"] == "," and value not in known:
            continue  # "1,5 årsverk": a comma decimal only when it is a version some type has
        if vocab.version_not_for_types.search(folded[max(0, m.start() - 30) : start]):
            continue
        out.append(
            VersionToken(value, m.start() if keyword else start, m.end(), unit_at(all_units, start), keyword_near)
        )
    return out


def _clause(text: str, u: Unit, pos: int, breaks: re.Pattern[str] = _CLAUSE_BREAK) -> str:
    """The part of the unit around `pos` between clause breaks ("…, men ikke henvisning")."""
    # A clause longer than this is not a sentence a person wrote; the window keeps huge lines linear.
    lo, hi = max(u.start, pos - MAX_CLAUSE_CHARS), min(u.end, pos + MAX_CLAUSE_CHARS)
    segment = text[lo:hi]
    rel = pos - lo
    start, end = 0, len(segment)
    for m in breaks.finditer(segment):
        if m.end() <= rel:
            start = m.start()
        elif m.start() > rel:
            end = m.start()
            break
    return segment[start:end]


def _declined(
    text: str, folded: str, m: Mention, u: Unit, line: tuple[int, int], vocab: OrderVocabulary
) -> str | None:
    """Why the mention is not an order: declined or put off in its clause, already in use, or not marked
    in a form (an empty box, "Nei" in its row). None when it is ordered."""
    clause = fold(_clause(text, u, m.start))
    hit = next((h for p in vocab.type_declined if (h := p.search(clause))), None)
    if hit:
        return f"declined in the text («{hit.group(0)}»)"
    if not vocab.replace_keep_last.search(clause) and not vocab.replace_keep_first.search(clause):
        # "Vi har PLO i produksjon fra før, og bestiller nå dialogmelding 1.1": only PLO is in use.
        narrow = fold(_clause(text, u, m.start, _IN_USE_BREAK))
        hit = next((h for p in vocab.type_in_use if (h := p.search(narrow))), None)
        if hit:
            return f"already in use («{hit.group(0)}»)"
    lo, hi = max(line[0], m.start - MAX_CLAUSE_CHARS), min(line[1], m.end + MAX_CLAUSE_CHARS)
    before = folded[max(lo, u.start) : m.start]
    hit = vocab.type_declined_before.search(before)
    if hit:
        word = hit.group(0).strip(" :,-")
        return _EMPTY_FORM_BOX if _EMPTY_BOX.fullmatch(word) else f"declined in the text («{word}»)"
    row = text[lo:hi]
    boxes = list(_CHECKBOX.finditer(text, lo, m.start)) or list(_CHECKBOX.finditer(text, m.end, hi))
    if boxes:
        nearest = boxes[-1] if boxes[-1].start() < m.start else boxes[0]
        return _EMPTY_FORM_BOX if _EMPTY_BOX.fullmatch(nearest.group(0)) else None
    hit = vocab.type_declined_row.search(fold(row))
    if hit is None:
        return None
    answer = hit.group(0).strip(" |:\t")
    if answer in ("-", ""):
        return "not marked in the form (left blank)"
    return _EMPTY_FORM_BOX if _EMPTY_BOX.fullmatch(answer) else f"not marked in the form («{answer}»)"


def _words_between(text: str, a: int, b: int) -> int:
    return len(re.findall(r"[\wæøå]+", text[a:b]))


def _pair_unit(text: str, tokens: list[Mention | VersionToken]) -> dict[int, list[VersionToken]]:
    """Pair versions with the mentions before them in one unit; shared lists pair in order."""
    paired: dict[int, list[VersionToken]] = {}
    tokens = _pair_version_of(text, tokens, paired)
    i = 0
    while i < len(tokens):
        if not isinstance(tokens[i], Mention):
            _pair_leading(text, tokens, i, paired)
            i += 1
            continue
        group: list[Mention] = []
        while i < len(tokens) and isinstance(tokens[i], Mention):
            tok = tokens[i]
            assert isinstance(tok, Mention)
            if not group or group[-1].code != tok.code:
                group.append(tok)
            i += 1
        vers: list[VersionToken] = []
        while i < len(tokens) and isinstance(tokens[i], VersionToken):
            tok = tokens[i]
            assert isinstance(tok, VersionToken)
            limit = MAX_WORDS_WITH_KEYWORD if tok.keyword else MAX_WORDS_TO_VERSION
            anchor = vers[-1].end if vers else group[-1].end
            if _words_between(text, anchor, tok.start) > limit:
                break
            vers.append(tok)
            i += 1
        if not vers:
            continue
        if len(vers) == len(group):
            for mention, ver in zip(group, vers, strict=True):
                paired.setdefault(mention.start, []).append(ver)
        elif len(group) == 1:
            paired.setdefault(group[0].start, []).extend(vers)
        else:
            # "PLO og dialogmelding 1.1": the version sits with the type written next to it.
            for mention, ver in zip(group[-len(vers) :], vers, strict=False):
                paired.setdefault(mention.start, []).append(ver)
    return paired


def _pair_version_of(
    text: str, tokens: list[Mention | VersionToken], paired: dict[int, list[VersionToken]]
) -> list[Mention | VersionToken]:
    """Pair "versjon 1.6 av PLO" up front and leave the rest of the unit to the usual pairing."""
    rest: list[Mention | VersionToken] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if (
            isinstance(tok, VersionToken)
            and isinstance(nxt, Mention)
            and _VERSION_OF.fullmatch(text[tok.end : nxt.start])
        ):
            paired.setdefault(nxt.start, []).append(tok)
            i += 2
            continue
        rest.append(tok)
        i += 1
    return rest


def _pair_leading(
    text: str, tokens: list[Mention | VersionToken], i: int, paired: dict[int, list[VersionToken]]
) -> None:
    """A version written before its type ("versjon 1.6 av PLO-meldingane") pairs with the next type."""
    tok = tokens[i]
    if i > 0 or not isinstance(tok, VersionToken) or i + 1 >= len(tokens):
        return
    nxt = tokens[i + 1]
    if isinstance(nxt, Mention) and _words_between(text, tok.end, nxt.start) <= 3 and nxt.start not in paired:
        paired[nxt.start] = [tok]


def find_types(text: str, vocab: OrderVocabulary) -> list[TypeFinding]:
    """Every type mention in `text` with its version, in order of appearance."""
    folded = fold(text)
    all_units = units(text)
    if not all_units:
        return []
    lines = logical_lines(text)
    mentions = _mentions(text, folded, vocab, all_units)
    versions = _versions(text, folded, vocab, all_units)
    paired: dict[int, list[VersionToken]] = {}
    used: set[int] = set()
    by_unit: dict[int, list[Mention | VersionToken]] = {}
    tokens_in_order: list[Mention | VersionToken] = sorted([*mentions, *versions], key=lambda t: t.start)
    for token in tokens_in_order:
        by_unit.setdefault(token.unit, []).append(token)
    for tokens in by_unit.values():
        for start, vers in _pair_unit(text, tokens).items():
            paired.setdefault(start, []).extend(vers)
            used.update(v.start for v in vers)
    _pair_orphans(text, all_units, mentions, versions, paired, used)
    out: list[TypeFinding] = []
    for m in mentions:
        u = all_units[m.unit]
        line = lines[all_units[m.unit].line]
        vers = paired.get(m.start, [])
        if m.weak and not vers and not _STANDALONE_GLUE.match(text[line[0] : m.start] + text[m.end : line[1]]):
            continue
        unit_text = text[u.start : u.end].strip()
        declined = _declined(text, folded, m, u, line, vocab)
        version = _choose_version(vers, fold(unit_text), vocab)
        span = text[m.start : max([m.end, *(v.end for v in vers)])]
        rule = (f"type.typo_of:{m.typo_of}" if m.typo_of else "type.alias") + ("+version" if version else "")
        out.append(TypeFinding(m.code, version, declined, span, rule, unit_text))
    return out


def _pair_orphans(
    text: str,
    all_units: list[Unit],
    mentions: list[Mention],
    versions: list[VersionToken],
    paired: dict[int, list[VersionToken]],
    used: set[int],
) -> None:
    """Versions in a unit without types ("Der bruker vi versjon 1.6.", "Versjonar: 1.6, 1.1") go to the
    types of the unit just before, in order."""
    mentions_in: dict[int, list[Mention]] = {}
    for m in mentions:
        mentions_in.setdefault(m.unit, []).append(m)
    by_unit: dict[int, list[VersionToken]] = {}
    for v in versions:
        if v.start not in used and v.unit not in mentions_in:
            by_unit.setdefault(v.unit, []).append(v)
    for index, vers in by_unit.items():
        u = all_units[index]
        alone = text[u.start : u.end].strip(" .:-|\n") in {v.value for v in vers}
        if not (alone or any(v.keyword for v in vers)):
            continue
        earlier = [*mentions_in.get(index - 2, ()), *mentions_in.get(index - 1, ())]
        if not earlier:
            continue
        last_unit = earlier[-1].unit
        if u.paragraph - all_units[last_unit].paragraph > (1 if alone else 0):
            continue
        targets: list[Mention] = []
        for m in earlier:
            if m.unit == last_unit and m.start not in paired and not any(t.code == m.code for t in targets):
                targets.append(m)
        if len(vers) == 1 and targets:
            targets = targets[-1:]
        for m, v in zip(targets, vers, strict=False):
            paired[m.start] = [v]
            used.add(v.start)


def _choose_version(vers: list[VersionToken], unit_folded: str, vocab: OrderVocabulary) -> str | None:
    values = list(dict.fromkeys(v.value for v in vers))
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    if vocab.replace_keep_first.search(unit_folded):
        return values[0]
    if vocab.replace_keep_last.search(unit_folded):
        return values[-1]
    return max(values, key=lambda s: tuple(int(p) for p in s.split(".")))
