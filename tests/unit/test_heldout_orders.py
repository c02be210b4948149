"""The held-out order corpora: every message parsed in-process like `parse --json`.

tests/orders/heldout (first round, tests/orders/make_heldout.py) and tests/orders/blind2 (issue 14's blind
set: forwards, replies, HER-ids that are not the kommune's, mentioned-but-not-ordered types, typos;
tests/orders/blind2/make_blind2.py) were written without looking at the extractor's rules. Each field is
compared the way the acceptance scorer compares it (/work/shared/corpus/score.py): types and HER-ids as
sets, the contact case-insensitively.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.intake.understand import IntakeRules, load_intake_rules, parse_json, understand

ORDERS = Path(__file__).resolve().parents[1] / "orders"
CORPORA = {"heldout": 40, "blind2": 60}  # folder: the least number of messages it must hold
MAILBOX = "meldingsansvarlig@helse-midt.no"
NAMES = sorted(f"{folder}/{p.stem}" for folder in CORPORA for p in (ORDERS / folder).glob("*.eml"))


@pytest.fixture(scope="module")
def rules() -> IntakeRules:
    return load_intake_rules()


def _fields(obj: dict[str, Any]) -> dict[str, Any]:
    """The scored fields of a `parse --json` object, normalised like score.py."""
    out: dict[str, Any] = {"kind": obj["kind"], "case_ref": obj["case_ref"]}
    order = obj.get("order")
    if obj["kind"] != "order" or order is None:
        return out
    mun = order["municipality"]
    out["municipality.number"] = None if mun is None else str(mun["number"])
    out["activation_date"] = order["activation_date"]
    out["message_types"] = {(t["type"], t["version"]) for t in order["message_types"]}
    out["her_ids"] = set(order["her_ids"])
    out["contact_email"] = order["contact_email"].lower() if order["contact_email"] else None
    out["missing"] = set(order["missing"])
    return out


@pytest.mark.parametrize(("folder", "least"), CORPORA.items())
def test_corpus_is_there(folder: str, least: int) -> None:
    """Each corpus holds its messages, each with its expected answer."""
    names = [n for n in NAMES if n.startswith(f"{folder}/")]
    assert len(names) >= least
    assert all((ORDERS / f"{n}.json").exists() for n in names)


@pytest.mark.parametrize("name", NAMES)
def test_heldout_message(name: str, rules: IntakeRules) -> None:
    """Kind, case reference and every order field as a careful reader decided them."""
    expected = json.loads((ORDERS / f"{name}.json").read_text(encoding="utf-8"))
    got = parse_json(understand((ORDERS / f"{name}.eml").read_bytes(), rules, own_address=MAILBOX))
    assert all(isinstance(h, int) for h in (got.get("order") or {}).get("her_ids", []))
    want, have = _fields(expected), _fields(got)
    wrong = {k: (want[k], have.get(k)) for k in want if have.get(k) != want[k]}
    assert not wrong, f"{name}: field: (expected, got) = {wrong}"
