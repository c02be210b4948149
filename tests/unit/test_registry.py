"""The municipality registry: domains, numbers, names in text (ambiguous ones too) and validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.registry import Registry, is_org_number, load_registry
from bot.rulefile import DATA_DIR, RulesError


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


def test_registry_size(registry: Registry) -> None:
    """67 municipalities (the health trusts are defined once, in rules/routine.yaml)."""
    assert len(registry.municipalities) == 67


@pytest.mark.parametrize(
    ("domain", "number"),
    [
        ("malvik.kommune.no", "5031"),
        ("helse.malvik.kommune.no", "5031"),
        ("sande-mr.kommune.no", "1514"),
        ("MIDTRE-GAULDAL.KOMMUNE.NO", "5027"),
        ("os.kommune.no", "3430"),
        ("gmail.com", None),
        ("kommune.no", None),
        ("xmalvik.kommune.no", None),
    ],
)
def test_by_domain(registry: Registry, domain: str, number: str | None) -> None:
    """Exact domains and their subdomains match; look-alikes do not."""
    found = registry.by_domain(domain)
    assert (found.number if found else None) == number


def test_by_number_and_org(registry: Registry) -> None:
    """Lookup by kommunenummer (text or int) and by org.nr with spaces."""
    assert registry.by_number(5031) is not None
    assert registry.by_number("5031") == registry.by_org_number("971 035 560")


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Bestilling frå Trondheim kommune", ["Trondheim - Tråante"]),
        ("Tråante tjïelte", ["Trondheim - Tråante"]),
        ("Snåasen tjïelte / Snasa kommune", ["Snåase - Snåsa", "Snåase - Snåsa"]),
        ("Roros og Midtre-Gauldal", ["Røros - Rosse", "Midtre Gauldal"]),
        ("Naeroysund kommune", ["Nærøysund"]),
        ("Sykehuset Namsos og Kristiansund sjukehus", []),
        ("Os kommune", ["Os"]),
        ("heim til os", []),
        ("Sande", []),
        ("Sande kommune", ["Sande"]),
        ("Sande kommune i Vestfold", []),
        ("Herøy i Møre og Romsdal", ["Herøy"]),
        ("Herøy kommune i Nordland", []),
        ("malvik.kommune.no", []),
    ],
)
def test_find_in_text(registry: Registry, text: str, names: list[str]) -> None:
    """Plain, Sami and diacritic-free names; ambiguous names need "kommune" or their county; hospitals skip."""
    assert [m.name for m, _ in registry.find_in_text(text)] == names


def test_ambiguous_name_settled_by_sender_domain(registry: Registry) -> None:
    """A bare "Sande" counts when the mail comes from Sande's domain."""
    hits = registry.find_in_text("Hilsen Sande", sender_domain="sande-mr.kommune.no")
    assert [(m.number, span) for m, span in hits] == [("1514", (7, 12))]


def test_org_number_check() -> None:
    """Mod-11 check of organisation numbers."""
    assert is_org_number("971035560") and not is_org_number("971035561") and not is_org_number("12345678")


@pytest.mark.parametrize(
    ("column", "bad", "key"),
    [
        ("domain", "not a domain", "row 2.domain"),
        ("number", "50311", "row 2.number"),
        ("org_number", "971035561", "row 2.org_number"),
    ],
)
def test_bad_rows_raise(tmp_path: Path, column: str, bad: str, key: str) -> None:
    """A malformed cell stops loading with file, row and column named."""
    lines = (DATA_DIR / "kommuner.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index(column)] = bad
    (tmp_path / "kommuner.csv").write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n", encoding="utf-8")
    with pytest.raises(RulesError) as err:
        load_registry(tmp_path)
    assert err.value.key == key
