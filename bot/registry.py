"""The municipality and health-trust registry (data/*.csv): lookup by domain, number and name in text."""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from bot.domain import Municipality
from bot.rulefile import DATA_DIR, RulesError

KOMMUNER_FILE = "kommuner.csv"
_KOMMUNE_COLUMNS = ("number", "name", "county", "org_number", "domain", "ambiguous", "aliases")
MAX_DOMAIN_CHARS = 253  # RFC 1035
_DOMAIN_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")
# Folding keeps string length, so spans found in folded text are spans in the original.
_FOLD = str.maketrans("øåæöäüéèáóØÅÆÖÄÜÉÈÁÓ", "oaaoaueeaoOAAOAUEEAO")
# Words after a place name that make it a hospital or another body, not the kommune.
_NOT_KOMMUNE_AFTER = re.compile(r"\s*(?:sykehus|sjukehus|sykehuset|sjukehuset|legevakt\w*\s+for)\b", re.I)
_NOT_KOMMUNE_BEFORE = re.compile(r"\b(?:sykehuset|sjukehuset|sykehus|sjukehus)\s+(?:i\s+)?$", re.I)
_KOMMUNE_AFTER = re.compile(r"[\s-]*(?:kommune|kommunes|kommunen|tjïelte|tjielte)\b", re.I)
_COUNTIES = (
    "more og romsdal",
    "trondelag",
    "nordland",
    "innlandet",
    "vestland",
    "hordaland",
    "vestfold",
    "rogaland",
    "agder",
    "viken",
    "akershus",
    "ostfold",
    "buskerud",
    "telemark",
    "troms",
    "finnmark",
    "hedmark",
    "oppland",
)
_KOMMUNE_BEFORE = re.compile(r"\b(?:kommune|kommunenavn|kommunenamn)\s*[:|]\s*$", re.I)


def fold(text: str) -> str:
    """Lower-case and strip Norwegian/Nordic diacritics without changing the length."""
    lowered = text.translate(_FOLD).lower()
    if len(lowered) == len(text):
        return lowered
    # A few characters ("İ") grow when lower-cased; keep those as they are so spans stay aligned.
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text.translate(_FOLD))


def is_org_number(digits: str) -> bool:
    """A 9-digit Norwegian organisation number with a valid mod-11 check digit."""
    if len(digits) != 9 or not digits.isdigit():
        return False
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    rest = sum(int(d) * w for d, w in zip(digits[:8], weights, strict=True)) % 11
    check = 0 if rest == 0 else 11 - rest
    return check != 10 and check == int(digits[8])


@dataclass(frozen=True)
class NameHit:
    """One municipality name found in text: where, and whether the text itself makes it unambiguous."""

    municipality: Municipality
    span: tuple[int, int]
    with_kommune: bool  # "X kommune", "Kommune: X"


@dataclass(frozen=True)
class Registry:
    municipalities: tuple[Municipality, ...]
    ambiguous: frozenset[str]  # numbers whose names need "kommune", the domain or the county to count
    _by_domain: Mapping[str, Municipality]
    _by_number: Mapping[str, Municipality]
    _by_org: Mapping[str, Municipality]
    _name_re: re.Pattern[str]
    _by_folded_name: Mapping[str, Municipality]

    def by_domain(self, domain: str | None) -> Municipality | None:
        """The municipality whose mail domain is `domain` or a parent of it (helse.x.kommune.no)."""
        if not domain:
            return None
        d = domain.rsplit("@", 1)[-1].lower().strip().rstrip(".")
        if len(d) > MAX_DOMAIN_CHARS:
            return None  # not a domain; walking up 200,000 labels one copy at a time took 52 s
        while d.count(".") >= 2:
            hit = self._by_domain.get(d)
            if hit is not None:
                return hit
            d = d.split(".", 1)[1]
        return None

    def by_number(self, number: str | int) -> Municipality | None:
        return self._by_number.get(str(number).strip().zfill(4))

    def by_org_number(self, org_number: str) -> Municipality | None:
        return self._by_org.get(re.sub(r"\D", "", org_number))

    def find_in_text(
        self, text: str, *, sender_domain: str | None = None
    ) -> list[tuple[Municipality, tuple[int, int]]]:
        """Municipality names in `text`, in order; ambiguous names only where text or domain settles them."""
        return [(h.municipality, h.span) for h in self.name_hits(text, sender_domain=sender_domain)]

    def name_hits(self, text: str, *, sender_domain: str | None = None) -> list[NameHit]:
        """Like `find_in_text`, keeping whether each hit reads as "X kommune"."""
        sender = self.by_domain(sender_domain)
        folded = fold(text)
        hits: list[NameHit] = []
        for m in self._name_re.finditer(folded):
            mun = self._by_folded_name[m.group(1)]
            start, end = m.span(1)
            if mun.number in self.ambiguous and not text[start].isupper():
                continue
            if _NOT_KOMMUNE_AFTER.match(folded, end) or _NOT_KOMMUNE_BEFORE.search(folded[max(0, start - 20) : start]):
                continue
            with_kommune = bool(_KOMMUNE_AFTER.match(folded, end)) or bool(
                _KOMMUNE_BEFORE.search(folded[max(0, start - 30) : start])
            )
            if mun.number in self.ambiguous and sender != mun:
                line_end = folded.find("\n", end)
                line_start = max(folded.rfind("\n", 0, start) + 1, start - 60)
                line = folded[line_start : min(line_end if line_end >= 0 else len(folded), end + 60)]
                own_county = fold(mun.county)
                if any(c in line for c in _COUNTIES if c != own_county):
                    continue  # "Sande kommune i Vestfold" is another Sande
                if not with_kommune and own_county not in line:
                    continue
            hits.append(NameHit(mun, (start, end), with_kommune))
        return hits


def _fail(path: Path, key: str, reason: str) -> RulesError:
    return RulesError(path, key, reason)


def _read_rows(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            if tuple(reader.fieldnames or ()) != columns:
                raise _fail(path, "header", f"expected columns {','.join(columns)}")
            rows = [{k: (v or "").strip() for k, v in row.items() if k is not None} for row in reader]
    except OSError as exc:
        raise _fail(path, "", f"cannot read: {exc.strerror}") from exc
    return rows


def _load_municipalities(path: Path) -> tuple[list[Municipality], set[str]]:
    out: list[Municipality] = []
    ambiguous: set[str] = set()
    seen: dict[str, set[str]] = {"number": set(), "domain": set()}
    for i, row in enumerate(_read_rows(path, _KOMMUNE_COLUMNS), start=2):
        key = f"row {i}"
        if not re.fullmatch(r"\d{4}", row["number"]):
            raise _fail(path, f"{key}.number", f"not a 4-digit kommunenummer: {row['number']!r}")
        if not row["name"]:
            raise _fail(path, f"{key}.name", "empty")
        if not row["county"]:
            raise _fail(path, f"{key}.county", "empty")
        if row["org_number"] and not is_org_number(row["org_number"]):
            raise _fail(path, f"{key}.org_number", f"not a valid organisation number: {row['org_number']!r}")
        domain = row["domain"].lower()
        if not _DOMAIN_RE.match(domain):
            raise _fail(path, f"{key}.domain", f"not a domain name: {row['domain']!r}")
        if row["ambiguous"] not in ("", "yes"):
            raise _fail(path, f"{key}.ambiguous", "must be empty or 'yes'")
        for col, value in (("number", row["number"]), ("domain", domain)):
            if value in seen[col]:
                raise _fail(path, f"{key}.{col}", f"duplicate {value!r}")
            seen[col].add(value)
        names = [p.strip() for p in row["name"].split(" - ")]
        aliases = [a.strip() for a in row["aliases"].split("|") if a.strip()]
        out.append(
            Municipality(
                number=row["number"],
                name=row["name"],
                county=row["county"],
                domain=domain,
                org_number=row["org_number"] or None,
                aliases=tuple(dict.fromkeys([*names, *aliases])),
            )
        )
        if row["ambiguous"] == "yes":
            ambiguous.add(row["number"])
    if not out:
        raise _fail(path, "", "no municipalities")
    return out, ambiguous


def _name_index(municipalities: list[Municipality], path: Path) -> dict[str, Municipality]:
    index: dict[str, Municipality] = {}
    for mun in municipalities:
        for alias in mun.aliases:
            key = fold(alias)
            other = index.get(key)
            if other is not None and other != mun:
                raise _fail(path, f"{mun.number}.aliases", f"{alias!r} also names {other.name}")
            index[key] = mun
    return index


def load_registry(data_dir: Path = DATA_DIR) -> Registry:
    """Read and validate data/kommuner.csv (the health trusts are in rules/routine.yaml)."""
    kommune_path = data_dir / KOMMUNER_FILE
    municipalities, ambiguous = _load_municipalities(kommune_path)
    by_name = _name_index(municipalities, kommune_path)
    # Longest names first so "Midtre Gauldal" wins over a shorter alias at the same place.
    alternation = "|".join(re.escape(k) for k in sorted(by_name, key=len, reverse=True))
    name_re = re.compile(rf"(?<![\w@.-])({alternation})(?![\w@]|\.\w|-\w)")
    return Registry(
        municipalities=tuple(municipalities),
        ambiguous=frozenset(ambiguous),
        _by_domain=MappingProxyType({m.domain: m for m in municipalities}),
        _by_number=MappingProxyType({m.number: m for m in municipalities}),
        _by_org=MappingProxyType({m.org_number: m for m in municipalities if m.org_number}),
        _name_re=name_re,
        _by_folded_name=MappingProxyType(by_name),
    )


def fold_pattern(pattern: str) -> str:
    """Strip diacritics from a regex written by a person, keeping its case (escapes like \\D stay)."""
    return pattern.translate(_FOLD)
