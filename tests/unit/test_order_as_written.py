"""Orders as people write them (issue 14): quoted forwards, replies that complete an order, HER-ids that are
not the kommune's, types named but not ordered, misspelt type names, contacts named in forwarded text.
Each case is one general rule, read through the whole intake (triage, quote cutting, extraction)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from order_factory import make_msg

from bot.domain import OrderedType
from bot.intake.explain import format_explanation
from bot.intake.message import Attachment
from bot.intake.order import extract_order, load_order_vocabulary
from bot.intake.type_typos import edit_distance
from bot.intake.understand import IntakeRules, Understood, load_intake_rules, parse_json, understand
from bot.rulefile import RulesError

MAILBOX = "meldingsansvarlig@helse-midt.no"


@pytest.fixture(scope="module")
def rules() -> IntakeRules:
    return load_intake_rules()


def _mail(body: str, *, subject: str, sender: str = "Kari Nordmann <kari.nordmann@malvik.kommune.no>") -> bytes:
    return (
        f"From: {sender}\r\nTo: {MAILBOX}\r\nSubject: {subject}\r\nDate: Mon, 07 Dec 2026 09:00:00 +0100\r\n"
        "Message-ID: <t@test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n" + body.replace("\n", "\r\n")
    ).encode()


def _read(rules: IntakeRules, body: str, **kw: str) -> tuple[dict[str, Any], Understood]:
    u = understand(_mail(body, **kw), rules, own_address=MAILBOX)
    got = parse_json(u)
    assert got["kind"] == "order", got
    order = got["order"]
    assert isinstance(order, dict)
    return order, u


def _types(order: dict[str, Any]) -> set[tuple[str, str | None]]:
    return {(t["type"], t["version"]) for t in order["message_types"]}


def _explained(u: Understood) -> str:
    assert u.order is not None
    return format_explanation(u.order)


QUOTED_ORDER = (
    "Hitra kommune bestiller oppkobling av:\n- PLO-meldinger versjon 1.6\n- Dialogmelding versjon 1.1\n\n"
    "Kommunikasjonsparter:\n- Hitra helsetun, HER-id 8125552\n\n"
    "Oppstart er avtalt med Hemit til mandag 8. februar 2027.\n\n"
    "Kontaktperson: Solveig Strand, solveig.strand@hitra.kommune.no, tlf. 72 44 17 00\n\nHilsen\nSolveig"
)
FORWARDER = "Tor Inge Hammer <tor.inge.hammer@hitra.kommune.no>"


def _quoted(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.split("\n"))


# ---------------------------------------------------------------------------------------------- forwards


@pytest.mark.parametrize(
    ("subject", "block"),
    [
        (  # iPhone / Apple Mail (nb): the original under "Videresendt melding:", quoted by ">"
            "Fwd: Bestilling",
            "Videresendt melding:\n\n" + _quoted(
                "Fra: Solveig Strand <solveig.strand@hitra.kommune.no>\nDato: 1. desember 2026 kl. 15:22:08 CET\n"
                "Til: Tor Inge Hammer <tor.inge.hammer@hitra.kommune.no>\nEmne: Bestilling\n\n" + QUOTED_ORDER
            ),
        ),
        (  # iPhone with English UI
            "Fwd: Bestilling",
            "Begin forwarded message:\n\n" + _quoted(
                "From: Solveig Strand <solveig.strand@hitra.kommune.no>\nDate: December 1, 2026 at 15:22 CET\n"
                "To: tor.inge.hammer@hitra.kommune.no\nSubject: Bestilling\n\n" + QUOTED_ORDER
            ),
        ),
        (  # Gmail: the date line of the header block is not the activation date
            "Fwd: Bestilling",
            "---------- Forwarded message ---------\nFra: Solveig Strand <solveig.strand@hitra.kommune.no>\n"
            "Date: tir. 1. des. 2026 kl. 15:22\nSubject: Bestilling\nTo: <tor.inge.hammer@hitra.kommune.no>\n\n"
            + QUOTED_ORDER,
        ),
        (  # Outlook nynorsk, no marker line: "Frå:/Sendt:/Til:/Emne:"
            "VS: Bestilling",
            "Frå: Solveig Strand <solveig.strand@hitra.kommune.no>\nSendt: måndag 30. november 2026 13:55\n"
            "Til: Tor Inge Hammer <tor.inge.hammer@hitra.kommune.no>\nEmne: Bestilling\n\n" + QUOTED_ORDER,
        ),
        (  # Outlook with English UI
            "FW: Bestilling",
            "From: Solveig Strand <solveig.strand@hitra.kommune.no>\nSent: Monday, November 30, 2026 1:55 PM\n"
            "To: Tor Inge Hammer <tor.inge.hammer@hitra.kommune.no>\nSubject: Bestilling\n\n" + QUOTED_ORDER,
        ),
    ],
    ids=["apple-nb", "apple-en", "gmail", "outlook-nn", "outlook-en"],
)
def test_forwarded_order_is_read_from_the_forwarded_part(rules: IntakeRules, subject: str, block: str) -> None:
    """Every field, and the contact named in the forwarded text, come from the forwarded order."""
    body = f"Hei\n\nSe bestillingen fra Solveig under.\n\nTor Inge\n\nSendt fra min iPhone\n\n{block}\n"
    order, _ = _read(rules, body, subject=subject, sender=FORWARDER)
    assert order["municipality"]["number"] == "5056"
    assert order["activation_date"] == "2027-02-08"
    assert _types(order) == {("PLO", "1.6"), ("DIALOGMELDING", "1.1")}
    assert order["her_ids"] == [8125552]
    assert order["contact_email"] == "solveig.strand@hitra.kommune.no"


def test_forwarder_who_takes_over_is_the_contact(rules: IntakeRules) -> None:
    """"Eg tek over som kontaktperson" in the forwarder's note outweighs the contact named in the original."""
    body = (
        "Hei\n\nSolveig er i permisjon. Eg tek over som kontaktperson for oppkoplinga.\n\n"
        "Frå: Solveig Strand <solveig.strand@hitra.kommune.no>\nSendt: 30. november 2026 13:55\nTil: Tor Inge\n"
        f"Emne: Bestilling\n\n{QUOTED_ORDER}\n"
    )
    order, _ = _read(rules, body, subject="VS: Bestilling", sender=FORWARDER)
    assert order["contact_email"] == "tor.inge.hammer@hitra.kommune.no"


# ----------------------------------------------------------------------------------------------- replies

ORIGINAL = (
    "Heim kommune ønsker å bestille oppkobling av:\n- PLO 1.6\n- Dialogmelding 1.1\n\n"
    "Heim helsetun, HER-id 8960412\n\nDato er ikke avklart ennå.\n\nMvh\nRagnar Lian"
)
RAGNAR = "Ragnar Lian <ragnar.lian@heim.kommune.no>"


def _reply(new_text: str, quoted_from: str) -> str:
    return (
        f"Hei igjen,\n\n{new_text}\n\nMvh\nRagnar Lian\n\nFra: {quoted_from}\nSendt: fredag 11. desember 2026 10:44\n"
        f"Til: {MAILBOX}\nEmne: Bestilling av e-meldinger\n\n{ORIGINAL}\n"
    )


@pytest.mark.parametrize(
    ("new_text", "quoted_from"),
    [
        ("Nå er oppstart avtalt til 1. mars 2027. Resten som i bestillingen under.", "Ole Hansen"),
        ("Nå er oppstart avtalt til 1. mars 2027. Elles som i tinginga nedanfor.", "Ole Hansen"),
        ("Nå er oppstart avtalt til 1. mars 2027.", "Ragnar Lian"),  # the sender's own name on the Fra: line
        ("Nå er oppstart avtalt til 1. mars 2027.", "ragnar.lian@heim.kommune.no"),
    ],
    ids=["refers-nb", "refers-nn", "own-name", "own-address"],
)
def test_reply_completing_an_order_merges_with_the_quoted_original(
    rules: IntakeRules, new_text: str, quoted_from: str
) -> None:
    """The new text gives the date; types and HER-ids come from the order quoted under it."""
    order, _ = _read(rules, _reply(new_text, quoted_from), subject="SV: Bestilling av e-meldinger", sender=RAGNAR)
    assert order["activation_date"] == "2027-03-01"
    assert _types(order) == {("PLO", "1.6"), ("DIALOGMELDING", "1.1")}
    assert order["her_ids"] == [8960412]


def test_reply_quoting_someone_else_without_reference_does_not_merge(rules: IntakeRules) -> None:
    """A quoted mail by an unnamed other writer, not referred to, is not taken as the kommune's order."""
    body = _reply("Vi bestiller oppkobling med oppstart 1. mars 2027.", "Ole Hansen")
    order, _ = _read(rules, body, subject="SV: Bestilling av e-meldinger", sender=RAGNAR)
    assert order["message_types"] == [] and order["her_ids"] == []


# ------------------------------------------------------------------------------------------------ HER-ids


def test_her_ids_left_out_are_explained(rules: IntakeRules) -> None:
    """A phone number after "HER-id", the hospital's HER-id and a retired one are not taken; --explain says why."""
    body = (
        "Malvik kommune bestiller PLO 1.6 med oppstart 1. mars 2027.\n\n"
        "Vår kommunikasjonspart er Malvik helsetun, HER-id 8142326.\n"
        "Vi har partneravtale mot St. Olavs hospital sin HER-id 59870.\n"
        "Den gamle HER-id 72455 skal ikke brukes lenger.\n"
        "Spørsmål om HER-id kan rettes til Per på 924 55 120.\n"
    )
    order, u = _read(rules, body, subject="Bestilling av oppkobling")
    assert order["her_ids"] == [8142326]
    text = _explained(u)
    assert "not taken: 59870 — belongs to the hospital" in text
    assert "not taken: 72455 — retired" in text
    assert "not taken: 92455120 — phone number" in text


def test_talk_of_hospitals_takes_nothing_away(rules: IntakeRules) -> None:
    """Ordering towards the hospitals' counterparts keeps the kommune's own HER-id."""
    body = (
        "Malvik kommune bestiller PLO 1.6 mot motpartene på sykehusene, oppstart 1. mars 2027. "
        "Vår HER-id er 8142326, den skal ikke være i bruk før oppstart.\n"
    )
    order, _ = _read(rules, body, subject="Bestilling av oppkobling")
    assert order["her_ids"] == [8142326]


def test_trust_her_ids_are_explained(rules: IntakeRules) -> None:
    """A health trust's HER-id (configured in rules/routine.yaml) is left out with that reason."""
    with_trust = replace(rules, trust_her_ids=frozenset({59011}))
    body = "Malvik kommune bestiller PLO 1.6 fra 1. mars 2027. HER-id 8142326 og HER-id 59011.\n"
    u = understand(_mail(body, subject="Bestilling av oppkobling"), with_trust, own_address=MAILBOX)
    assert u.order is not None and u.order.her_ids == (8142326,)
    assert "not taken: 59011 — a health trust's own HER-id" in _explained(u)


# -------------------------------------------------------------------------------------- ordered or named


@pytest.mark.parametrize(
    ("sentence", "ordered", "reason"),
    [
        ("Vi har allerede dialogmelding i produksjon. Dette gjelder bare PLO 1.6.", {("PLO", "1.6")},
         "DIALOGMELDING (no version) — already in use"),
        ("Dialogmelding 1.1 har vi hatt i produksjon siden 2020, så vi bestiller bare PLO 1.6.", {("PLO", "1.6")},
         "DIALOGMELDING 1.1 — already in use"),
        ("Vi har PLO i produksjon fra før, og bestiller nå dialogmelding 1.1.", {("DIALOGMELDING", "1.1")},
         "PLO (no version) — already in use"),
        ("Vi bestiller PLO 1.6. Lab ynskjer vi heller ikkje no.", {("PLO", "1.6")},
         "SVARRAPPORT (no version) — declined in the text"),
        ("Vi bestiller PLO 1.6. Epikrise kommer vi tilbake til – det blir en egen bestilling.", {("PLO", "1.6")},
         "EPIKRISE (no version) — declined in the text"),
    ],
)
def test_types_named_but_not_ordered(
    rules: IntakeRules, sentence: str, ordered: set[tuple[str, str | None]], reason: str
) -> None:
    """Types already in use, declined or put off are named in the mail but not ordered."""
    order, u = _read(rules, f"Malvik kommune, oppstart 1. mars 2027. HER-id 8142326.\n\n{sentence}\n",
                     subject="Bestilling av oppkobling")
    assert _types(order) == ordered
    assert f"not taken: {reason}" in _explained(u)


@pytest.mark.parametrize(
    "sentence",
    [
        "Vi ønsker å ta alt i bruk 1. mars: PLO 1.6 og dialogmelding 1.1.",
        "Vi vil sette PLO 1.6 og dialogmelding 1.1 i produksjon allerede 1. mars.",
        "Vi ønsker allerede nå å ta i bruk PLO 1.6 og dialogmelding 1.1.",
        "PLO 1.6 og dialogmelding 1.1 skal i produksjon 1. mars.",
    ],
)
def test_plans_to_start_are_not_already_in_use(rules: IntakeRules, sentence: str) -> None:
    """Taking types into use ("ta i bruk", "sette i produksjon") orders them."""
    order, _ = _read(rules, f"Malvik kommune bestiller. HER-id 8142326.\n{sentence}\n", subject="Bestilling")
    assert _types(order) == {("PLO", "1.6"), ("DIALOGMELDING", "1.1")}


def test_version_replacement_is_not_already_in_use(rules: IntakeRules) -> None:
    """"Vi har PLO 1.5 i produksjon og går over til PLO 1.6" orders PLO 1.6."""
    order, _ = _read(rules, "Malvik kommune, oppstart 1. mars 2027. Vi har PLO 1.5 i produksjon og går over "
                            "til PLO 1.6.\n", subject="Bestilling av oppkobling")
    assert _types(order) == {("PLO", "1.6")}


# ------------------------------------------------------------------------------------------------ typos


@pytest.mark.parametrize(
    ("written", "code"),
    [("Dialogmeldng", "DIALOGMELDING"), ("Epikirse", "EPIKRISE"), ("henvsining", "HENVISNING"),
     ("svarraport", "SVARRAPPORT"), ("Avviksmeldnig", "AVVIKSMELDING"), ("epikrsie", "EPIKRISE")],
)
def test_misspelt_type_keeps_its_version(rules: IntakeRules, written: str, code: str) -> None:
    """A type name one edit off is read as the type, with its own version; the next type keeps its own."""
    order, u = _read(rules, f"Malvik kommune bestiller, oppstart 1. mars 2027:\n{written} 1.4\nPLO 1.6\n",
                     subject="Bestilling av oppkobling")
    assert _types(order) == {(code, "1.4"), ("PLO", "1.6")}
    assert "[type.typo_of:" in _explained(u)


@pytest.mark.parametrize(
    "sentence",
    [
        "Vi bestiller PLO 1.6 med henvsining til samtalen i går.",  # "med henvisning til" = "with reference to"
        "Vi bestiller PLO 1.6, epikxxse 1.2 ble feil.",  # two edits off
        "Vi bestiller PLO 1.6. Henvendelse om dette kan rettes til oss.",  # an everyday word
    ],
)
def test_typos_are_bounded(rules: IntakeRules, sentence: str) -> None:
    """Two edits off, an everyday word, or "med henvisning til" misspelt: no extra type."""
    order, _ = _read(rules, f"Malvik kommune, oppstart 1. mars 2027.\n{sentence}\n", subject="Bestilling av PLO")
    assert _types(order) == {("PLO", "1.6")}


# ------------------------------------------------------------------------------------ order-form columns


def _sheet_form(rows: list[tuple[str, ...]]) -> Attachment:
    """An XLSX sheet as the attachment reader gives it: empty cells at a row's end are left out."""
    text = "[Bestilling]\n" + "\n".join("  ".join(c for c in r if c) for r in rows)
    return Attachment("skjema.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                      100, text, tuple(rows))


def test_sheet_order_column_under_other_tables(rules: IntakeRules) -> None:
    """In a sheet with a field table above and a HER-id table below, only rows marked in "Bestilles (X)"
    are ordered; rows left blank (their empty cell dropped by the sheet) are not, and --explain says so."""
    form = _sheet_form([
        ("Kommune", "Malvik kommune"), ("Oppstartsdato", "2027-03-01"),
        ("Meldingstype", "Versjon", "Bestilles (X)", "Merknad"),
        ("PLO", "1.6", "X"), ("Epikrise", "1.2"), ("Dialogmelding", "1.1", "X", "Legekontoret"), ("Henvisning", "2.0"),
        ("Kommunikasjonspart", "HER-id", "Org.nr."), ("Malvik helsetun", "8142326"),
    ])
    order = extract_order(make_msg("Vedlagt bestillingsskjema.", attachments=(form,)), rules.registry, rules.vocabulary)
    assert set(order.message_types) == {OrderedType("PLO", "1.6"), OrderedType("DIALOGMELDING", "1.1")}
    assert order.her_ids == (8142326,)
    assert "not taken: EPIKRISE 1.2 — not marked in the form (left blank)" in format_explanation(order)


def test_sheet_without_any_mark_orders_every_row(rules: IntakeRules) -> None:
    """An order column nobody filled in says nothing: the listed types are ordered."""
    form = _sheet_form([("Meldingstype", "Versjon", "Bestilles"), ("PLO", "1.6"), ("Dialogmelding", "1.1")])
    msg = make_msg("Malvik kommune. Vedlagt skjema.", attachments=(form,))
    order = extract_order(msg, rules.registry, rules.vocabulary)
    assert set(order.message_types) == {OrderedType("PLO", "1.6"), OrderedType("DIALOGMELDING", "1.1")}


def test_empty_boxes_are_explained(rules: IntakeRules) -> None:
    """A pre-filled form line with an empty box is not ordered: "not marked in the form (empty box)"."""
    body = "Malvik kommune, oppstart 1. mars 2027:\n☒ PLO – versjon 1.6\n☐ Epikrise – versjon 1.2\n"
    order = extract_order(make_msg(body), rules.registry, rules.vocabulary)
    assert order.message_types == (OrderedType("PLO", "1.6"),)
    assert "not taken: EPIKRISE 1.2 — not marked in the form (empty box)" in format_explanation(order)


# ------------------------------------------------------------------------------------ typo vocabulary


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("epikrise", "epikirse", 1), ("dialogmelding", "dialogmeldng", 1), ("henvisning", "henvsining", 1),
     ("epikrise", "epikxxse", 2), ("plo", "plo", 0), ("abc", "", 3)],
)
def test_edit_distance(a: str, b: str, distance: int) -> None:
    """Insertions, deletions, substitutions and swapped neighbours each cost one edit."""
    assert edit_distance(a, b) == distance == edit_distance(b, a)


def test_type_names_too_alike_stop_loading(tmp_path: Path) -> None:
    """Two types' spellings less than three edits apart would make typos ambiguous: loading stops."""
    rules_dir = Path(__file__).resolve().parents[2] / "rules"
    (tmp_path / "order.yaml").write_text((rules_dir / "order.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "message_types.yaml").write_text(
        "types:\n"
        "  - {code: PLO, name: x, versions: [], spellings: [meldinger], aliases: [{pattern: plo}]}\n"
        "  - {code: EPIKRISE, name: y, versions: [], spellings: [meldingar], aliases: [{pattern: epikrise}]}\n",
        encoding="utf-8",
    )
    with pytest.raises(RulesError) as err:
        load_order_vocabulary(tmp_path)
    assert err.value.key == "types.spellings"
