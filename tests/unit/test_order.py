"""Order extraction from plain-text order mails (bokmål, nynorsk, forwards, incomplete orders)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from order_factory import make_msg

from bot.domain import OrderedType
from bot.intake.message import Attachment
from bot.intake.order import OrderVocabulary, extract_order, format_explanation, load_order_vocabulary
from bot.registry import Registry, is_org_number, load_registry
from bot.rulefile import RulesError


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


@pytest.fixture(scope="module")
def vocab() -> OrderVocabulary:
    return load_order_vocabulary()


@dataclass(frozen=True)
class Case:
    name: str
    body: str
    municipality: str | None
    activation: str | None
    types: set[tuple[str, str | None]]
    her: set[int]
    contact: str | None
    sender: str = "kari.nordmann@malvik.kommune.no"
    subject: str = "Bestilling av e-meldinger"


CASES = [
    Case(
        "prose-bokmal-textual-date",
        "Hei,\n\nMalvik kommune bestiller oppkobling. Vi har avtalt med Hemit at aktivering skjer "
        "15. februar 2027.\n\nVi tar i bruk PLO-meldinger (v1.6) og dialogmelding (1.1). "
        "HER-id 1234567.\n\nKontaktperson: Kari Nordmann, kari.nordmann@malvik.kommune.no\n\nMvh\nKari",
        "5031",
        "2027-02-15",
        {("PLO", "1.6"), ("DIALOGMELDING", "1.1")},
        {1234567},
        "kari.nordmann@malvik.kommune.no",
    ),
    Case(
        "nynorsk-self-contact-ambiguous-name-by-domain",
        "Hei\n\nHerøy kommune ynskjer å ta i bruk PLO-meldingar versjon 1.6, dialogmelding 1.1 og epikrise 1.2.\n"
        "Oppstart vert 2. mars 2027, som avtalt med Hemit.\n\nHER-id for heimetenesta: 8812345\n\n"
        "Eg er sjølv kontaktperson.\n\nMed venleg helsing\nAse Dimmen\nHerøy kommune",
        "1515",
        "2027-03-02",
        {("PLO", "1.6"), ("DIALOGMELDING", "1.1"), ("EPIKRISE", "1.2")},
        {8812345},
        "ase.dimmen@heroy.kommune.no",
        sender="ase.dimmen@heroy.kommune.no",
    ),
    Case(
        "shared-version-list-pairs-in-order",
        "Vi bestiller PLO 1.6. I tillegg skal vi bruke dialogmelding og epikrise, versjon 1.1 og 1.2.\n"
        "Aktiveringsdato: 08.03.2027\nHER: 445566",
        "5031",
        "2027-03-08",
        {("PLO", "1.6"), ("DIALOGMELDING", "1.1"), ("EPIKRISE", "1.2")},
        {445566},
        "kari.nordmann@malvik.kommune.no",
    ),
    Case(
        "declined-types-bokmal-and-nynorsk",
        "Vi ønsker PLO 1.6 og dialogmelding 1.1 fra 10.03.2027, som er avtalt aktiveringsdato.\n"
        "Henvisning er ikke aktuelt for oss nå.\nLab ønskjer vi ikkje i denne omgang.\nHER-id 7001234",
        "5031",
        "2027-03-10",
        {("PLO", "1.6"), ("DIALOGMELDING", "1.1")},
        {7001234},
        "kari.nordmann@malvik.kommune.no",
    ),
    Case(
        "checkbox-form-in-body",
        "Bestillingsskjema\nKommune: Malvik kommune\nAktiveringsdato: 16.03.2027\nMeldingstyper:\n"
        "☒ PLO 1.6\n☒ Dialogmelding 1.1\n☐ Epikrise\n☐ Henvisning\nHER-id: 5550001",
        "5031",
        "2027-03-16",
        {("PLO", "1.6"), ("DIALOGMELDING", "1.1")},
        {5550001},
        "kari.nordmann@malvik.kommune.no",
    ),
    Case(
        "ja-nei-form-lines",
        "Oppstartsdato: 17.03.2027\nPLO-meldinger: Ja, versjon 1.6\nHenvisning: Nei\nEpikrise: Ja (1.2)\n"
        "Svarrapport: Nei\nHER-nummer: 99887",
        "5031",
        "2027-03-17",
        {("PLO", "1.6"), ("EPIKRISE", "1.2")},
        {99887},
        "kari.nordmann@malvik.kommune.no",
    ),
    Case(
        "old-version-replaced",
        "Vi bruker i dag PLO 1.5 og skal over på PLO 1.6 fra aktiveringsdato 01.03.2027. "
        "Dialogmelding 1.1 ønskes også. HER-id 3030303.",
        "5031",
        "2027-03-01",
        {("PLO", "1.6"), ("DIALOGMELDING", "1.1")},
        {3030303},
        "kari.nordmann@malvik.kommune.no",
    ),
    Case(
        "outdated-versions-kept-as-written",
        "Vi ønsker oppkobling med Dialogmelding 1.0 og PLO 1.5 inntil leverandøren oppgraderer. "
        "Avtalt oppstart er 12.04.2027. HER-id 1112223.",
        "5031",
        "2027-04-12",
        {("PLO", "1.5"), ("DIALOGMELDING", "1.0")},
        {1112223},
        "kari.nordmann@malvik.kommune.no",
    ),
    Case(
        "dialogmote-and-meeting-date-ignored",
        "Vi hadde dialogmøte med Hemit 12.01.2027 og avtalte oppstart 22.03.2027.\n"
        "Vi bestiller PLO 1.6.\nHER-id 4455667",
        "5031",
        "2027-03-22",
        {("PLO", "1.6")},
        {4455667},
        "kari.nordmann@malvik.kommune.no",
    ),
    Case(
        "deadline-and-test-dates-ignored",
        "Tidsplan:\nAR-publisering senest 01.03.2027\nTestmeldinger fra Hemit 08.03.2027\n"
        "Aktivering 15.03.2027\n\nMeldinger: PLO 1.6, DM 1.1\nHER-id 6655443",
        "5031",
        "2027-03-15",
        {("PLO", "1.6"), ("DIALOGMELDING", "1.1")},
        {6655443},
        "kari.nordmann@malvik.kommune.no",
    ),
    Case(
        "weekday-without-year-next-occurrence",
        "Vi har avtalt at vi starter opp torsdag 4. mars. Meldingstyper: PLO v1.6, DM v1.1. HER 2223334",
        "5031",
        "2027-03-04",
        {("PLO", "1.6"), ("DIALOGMELDING", "1.1")},
        {2223334},
        "kari.nordmann@malvik.kommune.no",
    ),
    Case(
        "week-number-and-month-are-not-dates",
        "Vi ønsker å starte i uke 12, eventuelt i løpet av april. PLO 1.6 og dialogmelding 1.1.",
        "5031",
        None,
        {("PLO", "1.6"), ("DIALOGMELDING", "1.1")},
        set(),
        "kari.nordmann@malvik.kommune.no",
    ),
    Case(
        "iso-date-go-live",
        "Vi skal gå live 2027-04-06 med epikrise 1.2 og svarrapport 1.4 (labsvar).\nHER-id 1200345",
        "5031",
        "2027-04-06",
        {("EPIKRISE", "1.2"), ("SVARRAPPORT", "1.4")},
        {1200345},
        "kari.nordmann@malvik.kommune.no",
    ),
    Case(
        "slash-dash-date-ta-i-bruk",
        "Vi ønsker å ta i bruk e-meldinger fra 12/4-2027. Henvisning 2.0 og dialogmelding 1.1.",
        "5031",
        "2027-04-12",
        {("HENVISNING", "2.0"), ("DIALOGMELDING", "1.1")},
        set(),
        "kari.nordmann@malvik.kommune.no",
    ),
    Case(
        "outlook-forward-from-hemit-original-kommune-wins",
        "Hei,\n\nVideresender til riktig postkasse.\n\nMvh\nOla Hemit\n\n"
        "Fra: Kari Holm <kari.holm@melhus.kommune.no>\nSendt: mandag 9. november 2026 10:12\n"
        "Til: Ola Hemit <ola@hemit.no>\nEmne: Bestilling\n\nHei!\n\nMelhus kommune ønsker oppkobling "
        "av PLO 1.6 og dialogmelding 1.1. Aktiveringsdato er avtalt til 09.03.2027.\nHER-id 7654321\n\n"
        "Hilsen Kari",
        "5028",
        "2027-03-09",
        {("PLO", "1.6"), ("DIALOGMELDING", "1.1")},
        {7654321},
        None,
        sender="ola@hemit.no",
        subject="VS: Bestilling",
    ),
    Case(
        "gmail-forward-from-vendor",
        "Se under.\n\n---------- Forwarded message ---------\nFra: Per Vik <per.vik@levanger.kommune.no>\n"
        "Date: tir. 3. nov. 2026 kl. 14:02\nSubject: E-meldinger\nTo: <konsulent@dips.no>\n\n"
        "Levanger kommune skal ta i bruk PLO-meldinger 1.6. Oppstart 23.02.2027.\n"
        "Kontaktperson: Per Vik, per.vik@levanger.kommune.no\n",
        "5037",
        "2027-02-23",
        {("PLO", "1.6")},
        set(),
        "per.vik@levanger.kommune.no",
        sender="konsulent@dips.no",
        subject="Fwd: E-meldinger",
    ),
    Case(
        "on-behalf-from-non-kommune-domain",
        "Hei. Jeg skriver på vegne av Skaun kommune. Vi bestiller PLO 1.6 med aktivering 11.03.2027.\n"
        "Kontakt: meldingsansvarlig@skaun.kommune.no",
        "5029",
        "2027-03-11",
        {("PLO", "1.6")},
        set(),
        "meldingsansvarlig@skaun.kommune.no",
        sender="ikt@orkdalsregionen.no",
    ),
    Case(
        "on-behalf-from-another-kommune",
        "Vi sender denne bestillingen på vegne av Tydal kommune, som vi har felles IKT med.\n"
        "Dialogmelding 1.1 og PLO 1.6, oppstart 18.03.2027.",
        "5033",
        "2027-03-18",
        {("DIALOGMELDING", "1.1"), ("PLO", "1.6")},
        set(),
        None,
        sender="ikt@selbu.kommune.no",
    ),
    Case(
        "sami-name-private-sender",
        "Bestilling fra Raarvihke - Røyrvik: PLO 1.6 og DM 1.1, aktiveringsdato 24.03.2027. HER-id 5566778",
        "5043",
        "2027-03-24",
        {("PLO", "1.6"), ("DIALOGMELDING", "1.1")},
        {5566778},
        None,
        sender="anne.r@outlook.com",
    ),
    Case(
        "name-without-diacritics",
        "Bestilling for Stjordal kommune. Epikrise 1.2, oppstartsdato 30.03.2027.",
        "5035",
        "2027-03-30",
        {("EPIKRISE", "1.2")},
        set(),
        None,
        sender="lise@gmail.com",
    ),
    Case(
        "kommunenummer-only",
        "Kunde: kommunenr. 5053\nØnsket oppstart: 06.04.2027\nPLO 1.6",
        "5053",
        "2027-04-06",
        {("PLO", "1.6")},
        set(),
        None,
        sender="support@cosdoc.no",
    ),
    Case(
        "org-number-only",
        "Bestiller: org.nr. 964 981 604\nAktiveringsdato: 07.04.2027\nDialogmelding 1.1",
        "1563",
        "2027-04-07",
        {("DIALOGMELDING", "1.1")},
        set(),
        None,
        sender="support@vendor.no",
    ),
    Case(
        "her-id-list-next-to-org-phone-postcode",
        "HER-id: 123456, 234567 og 345678\nOrg.nr. 971035560\nTlf 73 80 00 00\nPostboks 140, 7551 Hommelvik\n"
        "PLO 1.6, aktivering 13.04.2027",
        "5031",
        "2027-04-13",
        {("PLO", "1.6")},
        {123456, 234567, 345678},
        "kari.nordmann@malvik.kommune.no",
    ),
    Case(
        "her-column-with-pipes",
        "Aktiveringsdato | 14.04.2027\n\nTjeneste | HER\nHjemmetjenesten | 3344556\nSykehjemmet | 3344564\n\n"
        "Meldingstype | Versjon\nPLO | 1.6\nDialogmelding | 1.1",
        "5031",
        "2027-04-14",
        {("PLO", "1.6"), ("DIALOGMELDING", "1.1")},
        {3344556, 3344564},
        "kari.nordmann@malvik.kommune.no",
    ),
    Case(
        "incomplete-no-date-no-types",
        "Hei! Malvik kommune ønsker oppkobling. Detaljer om meldingstyper og dato kommer.",
        "5031",
        None,
        set(),
        set(),
        "kari.nordmann@malvik.kommune.no",
    ),
    Case(
        "types-without-versions",
        "Vi ønsker PLO og dialogmelding. Aktivering 20.04.2027.",
        "5031",
        "2027-04-20",
        {("PLO", None), ("DIALOGMELDING", None)},
        set(),
        "kari.nordmann@malvik.kommune.no",
    ),
    Case(
        "nynorsk-version-in-next-sentence",
        "Vi treng PLO-meldingar. Versjonen vi brukar er 1.6.\nOppstartsdato: 21.04.2027",
        "5031",
        "2027-04-21",
        {("PLO", "1.6")},
        set(),
        "kari.nordmann@malvik.kommune.no",
    ),
    Case(
        "med-henvisning-til-is-not-a-type",
        "Med henvisning til samtale med Hemit bestiller vi PLO 1.6. Aktiveringsdato er satt til 26.04.2027.",
        "5031",
        "2027-04-26",
        {("PLO", "1.6")},
        set(),
        "kari.nordmann@malvik.kommune.no",
    ),
    Case(
        "reply-order-quoted-proposal-ignored",
        "Takk! Vi bekrefter aktiveringsdato 07.04.2027 og bestiller PLO 1.6.\n\nMvh Kari\n\n"
        "Fra: Ola Hemit <ola@hemit.no>\nSendt: 3. november 2026 09:00\nTil: Kari\nEmne: Oppkobling\n\n"
        "Vi foreslår aktivering 31.03.2027. HER-id 1010101?",
        "5031",
        "2027-04-07",
        {("PLO", "1.6")},
        set(),
        "kari.nordmann@malvik.kommune.no",
        subject="SV: Oppkobling",
    ),
    Case(
        "other-kommune-mentioned-sender-domain-wins",
        "Trondheim kommune bestiller PLO 1.6. Vi har samme oppsett som for Malvik kommune. Oppstart 27.04.2027.",
        "5001",
        "2027-04-27",
        {("PLO", "1.6")},
        set(),
        "kari@trondheim.kommune.no",
        sender="kari@trondheim.kommune.no",
    ),
    Case(
        "two-dates-earlier-wish-and-agreed",
        "Vi ønsket opprinnelig oppstart 19.04.2027, men etter dialog med Hemit er aktiveringsdato avtalt til "
        "tirsdag 11.05.2027. PLO 1.6.",
        "5031",
        "2027-05-11",
        {("PLO", "1.6")},
        set(),
        "kari.nordmann@malvik.kommune.no",
    ),
    Case(
        "named-contact-resolved-from-signature",
        "PLO 1.6 fra 03.05.2027.\nKontaktperson: Per Hansen, tlf. 900 00 000\n\nKopi til per.hansen@malvik.kommune.no",
        "5031",
        "2027-05-03",
        {("PLO", "1.6")},
        set(),
        "per.hansen@malvik.kommune.no",
    ),
    Case(
        "contact-in-signature-only-is-not-named",
        "PLO 1.6 fra 04.05.2027.\n\nMed vennlig hilsen\nPer Hansen\nper.hansen@malvik.kommune.no",
        "5031",
        "2027-05-04",
        {("PLO", "1.6")},
        set(),
        None,
        sender="post@vendor.no",
    ),
    Case(
        "weak-dialog-needs-version",
        "Etter dialog med Hemit bestiller vi PLO 1.6 og forespørsel 1.1. Oppstart 05.05.2027.",
        "5031",
        "2027-05-05",
        {("PLO", "1.6"), ("DIALOGMELDING", "1.1")},
        set(),
        "kari.nordmann@malvik.kommune.no",
    ),
    Case(
        "wished-date-alone-counts",
        "Ønsket dato: 15.03.2027\nMeldingstyper: versjon 1.6 av PLO-meldingane og DM 1.1\n"
        "HER-idene er 1234560 og 1234579.",
        "5031",
        "2027-03-15",
        {("PLO", "1.6"), ("DIALOGMELDING", "1.1")},
        {1234560, 1234579},
        "kari.nordmann@malvik.kommune.no",
    ),
    Case(
        "her-list-with-names-in-brackets-and-contact-for-phrase",
        "Aktiveringsdato avtalt til 16.03.2027. PLO 1.6.\n"
        "HER-id: 8142326 (hjemmetjenesten), 8142334 (sykehjemmet)\n"
        "Kontaktperson for oppkoblingen er Per Olsen, per.olsen@malvik.kommune.no.",
        "5031",
        "2027-03-16",
        {("PLO", "1.6")},
        {8142326, 8142334},
        "per.olsen@malvik.kommune.no",
    ),
    Case(
        "meeting-date-before-agreed-date",
        "Vi hadde møte med Hemit 12. januar, der vi avtalte oppstart 8. mars. Vi skal bruke PLO 1.6.",
        "5031",
        "2027-03-08",
        {("PLO", "1.6")},
        set(),
        "kari.nordmann@malvik.kommune.no",
    ),
    Case(
        "subject-names-kommune-for-private-sender",
        "Hei, vi ønsker oppkobling av PLO 1.6 og dialogmelding 1.1 fra 22.03.2027.",
        "5038",
        "2027-03-22",
        {("PLO", "1.6"), ("DIALOGMELDING", "1.1")},
        set(),
        None,
        sender="ola.verdal@hotmail.com",
        subject="Bestilling - Verdal kommune",
    ),
    Case(
        "nynorsk-declined-table-row-and-tilvising",
        "Oppstart: 23.03.2027\nMeldingstype  Versjon  Bestilling\nPLO  1.6  Ja\nDialogmelding  1.1  Ja\n"
        "Tilvising  2.0  Nei\nEpikrise  1.2  Ikkje aktuelt",
        "5031",
        "2027-03-23",
        {("PLO", "1.6"), ("DIALOGMELDING", "1.1")},
        set(),
        "kari.nordmann@malvik.kommune.no",
    ),
    Case(
        "plo-subtypes-and-nynorsk-months",
        "Vi tek i bruk innleggingsrapport og utskrivingsrapport (PLO 1.6). Aktiveringsdato: 3. mai 2027.",
        "5031",
        "2027-05-03",
        {("PLO", "1.6")},
        set(),
        "kari.nordmann@malvik.kommune.no",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_order_fixture(case: Case, registry: Registry, vocab: OrderVocabulary) -> None:
    """Each fixture mail yields the municipality, date, types, HER-ids and contact a careful reader would."""
    msg = make_msg(case.body, subject=case.subject, from_addr=case.sender)
    order = extract_order(msg, registry, vocab)
    assert (order.municipality.number if order.municipality else None) == case.municipality
    assert (order.activation_date.isoformat() if order.activation_date else None) == case.activation
    assert {(t.code, t.version) for t in order.message_types} == case.types
    assert set(order.her_ids) == case.her
    assert order.contact_email == case.contact


def test_outdated_versions_are_listed(registry: Registry, vocab: OrderVocabulary) -> None:
    """PLO 1.5 and Dialogmelding 1.0 stay as written and are also listed as outdated."""
    msg = make_msg("Vi bestiller PLO 1.5, dialogmelding 1.0 og epikrise 1.2. Oppstart 12.04.2027.")
    order = extract_order(msg, registry, vocab)
    assert set(order.outdated_versions) == {OrderedType("PLO", "1.5"), OrderedType("DIALOGMELDING", "1.0")}


def test_missing_lists_what_is_not_stated(registry: Registry, vocab: OrderVocabulary) -> None:
    """An order from an unknown sender with types but no versions misses municipality, date and versions."""
    order = extract_order(make_msg("Vi ønsker PLO.", from_addr="x@gmail.com"), registry, vocab)
    assert order.missing == ("municipality", "activation_date", "versions")


def test_attachment_fills_what_the_note_does_not_state(registry: Registry, vocab: OrderVocabulary) -> None:
    """The covering note's date wins; the form supplies types, HER-ids and contact."""
    form = Attachment(
        "skjema.docx",
        "application/octet-stream",
        100,
        "Aktiveringsdato  01.06.2027\nMeldingstyper  PLO 1.6\nKontaktperson  ola@malvik.kommune.no\nHER-id 7070707",
    )
    msg = make_msg("Vedlagt skjema. Aktiveringsdato er endret til 02.06.2027.", attachments=(form,))
    order = extract_order(msg, registry, vocab)
    assert order.activation_date == date(2027, 6, 2)
    assert order.message_types == (OrderedType("PLO", "1.6"),)
    assert order.her_ids == (7070707,)
    assert order.contact_email == "ola@malvik.kommune.no"


def test_embedded_original_is_read(registry: Registry, vocab: OrderVocabulary) -> None:
    """An order forwarded as an attached message is read from the attached message."""
    inner = make_msg("Rindal kommune bestiller PLO 1.6, aktivering 10.05.2027.", from_addr="a@rindal.kommune.no")
    msg = make_msg("Se vedlegg.", from_addr="x@hemit.no", subject="VS: bestilling", embedded=(inner,))
    order = extract_order(msg, registry, vocab)
    assert order.municipality is not None and order.municipality.number == "5061"
    assert order.activation_date == date(2027, 5, 10)


def test_evidence_and_explanation_cover_every_field(registry: Registry, vocab: OrderVocabulary) -> None:
    """Every extracted field has evidence, and the explanation shows rule and matched text."""
    order = extract_order(make_msg(CASES[0].body), registry, vocab)
    fields = {e.field for e in order.evidence}
    assert {"municipality", "activation_date", "message_types", "her_ids", "contact_email"} <= fields
    text = format_explanation(order)
    assert "activation_date: 2027-02-15" in text
    assert "[her_id.labelled]" in text and "HER-id 1234567" in text


@pytest.mark.parametrize(
    ("file", "content", "key"),
    [
        (
            "message_types.yaml",
            "types:\n  - code: PLO\n    name: x\n    versions: []\n    aliases:\n      - pattern: 'plo('\n",
            "types.0.aliases.0.pattern",
        ),
        (
            "message_types.yaml",
            "types:\n  - code: PLO\n    name: x\n    versions: []\n    colour: red\n    aliases: [{pattern: plo}]\n",
            "types.0.colour",
        ),
        (
            "message_types.yaml",
            "types:\n  - code: PLO\n    name: x\n    versions: ['1.x']\n    aliases: [{pattern: plo}]\n",
            "types.0.versions",
        ),
    ],
)
def test_bad_rule_files_raise_rules_error(tmp_path: Path, file: str, content: str, key: str) -> None:
    """A bad regex, an unknown key or a malformed version stops loading with file and key named."""
    rules = Path(__file__).resolve().parents[2] / "rules"
    (tmp_path / "order.yaml").write_text((rules / "order.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / file).write_text(content, encoding="utf-8")
    with pytest.raises(RulesError) as err:
        load_order_vocabulary(tmp_path)
    assert err.value.key == key and err.value.path.endswith(file)


def test_bad_order_yaml_regex_raises(tmp_path: Path) -> None:
    """A broken pattern in order.yaml names its key."""
    rules = Path(__file__).resolve().parents[2] / "rules"
    text = (rules / "order.yaml").read_text(encoding="utf-8").replace("  her_ids:\n", "  her_ids:\n", 1)
    text = text.replace("her_ids:\n  # Labels", "her_ids:\n  labels: '(['\n  # Labels", 1)
    text = text.replace("  labels: '\\b[Hh]", "  old: '\\b[Hh]", 1)
    (tmp_path / "order.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "message_types.yaml").write_text(
        (rules / "message_types.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    with pytest.raises(RulesError) as err:
        load_order_vocabulary(tmp_path)
    assert err.value.key.startswith("her_ids")


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("PLOplo DM1.60249 HER-id:herid,\nKontaktperson:@x.no Aktivering ikke ☐☒|İæøå")),
        max_size=200,
    )
)
def test_extract_order_never_crashes(body: str) -> None:
    """Any text yields an Order; its HER-ids are never organisation numbers."""
    registry, vocab = load_registry(), load_order_vocabulary()
    order = extract_order(make_msg(body, subject=body[:30]), registry, vocab)
    assert all(not is_org_number(str(h)) for h in order.her_ids)
