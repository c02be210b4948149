"""Order extraction rules added after the held-out corpus: tables in mail text, more date, version, HER-id
and contact phrasings. Each case is one general rule, not one mail."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from order_factory import make_msg as order_msg

from bot.intake.message import Attachment, InboundMessage
from bot.intake.order import OrderVocabulary, extract_order, load_order_vocabulary
from bot.intake.order_tables import text_tables
from bot.intake.type_tables import table_view
from bot.registry import Registry, load_registry

SENDER = "kari.nordmann@malvik.kommune.no"


def make_msg(body: str, *, subject: str = "Bestilling", from_addr: str = SENDER,
             attachments: tuple[Attachment, ...] = ()) -> InboundMessage:
    return order_msg(body, subject=subject, from_addr=from_addr, attachments=attachments)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


@pytest.fixture(scope="module")
def vocab() -> OrderVocabulary:
    return load_order_vocabulary()


# ------------------------------------------------------------------------------------------ tables


def test_aligned_tables_split_where_columns_change() -> None:
    """HTML tables as text: rows may be indented differently and have blank lines between them; a second
    table with other columns starts a new table."""
    text = (
        "  Meldingstype  PLO  Dialogmelding  Epikrise\n\n  Versjon       1.6  1.1            1.2\n\n"
        "Tjeneste                     HER      Org.nr\n\n  Malvik hjemmetjenester     8142326  971035560\n"
    )
    tables = text_tables(text)
    assert [t.rows[0][0] for t in tables] == ["Meldingstype", "Tjeneste"]
    assert tables[1].rows[1] == ("Malvik hjemmetjenester", "8142326", "971035560")


def test_stacked_table_reads_outlook_plain_text() -> None:
    """Outlook's text/plain for a table: one cell per line, a blank line between rows."""
    text = "Se under:\n\nTjeneste\nHER\nOrg.nr.\n\nHjemmetjenesten\n8142326\n971035560\n\nSykehjem\n8142334\n971035560"
    (table,) = text_tables(text)
    assert table.layout == "stacked"
    assert table.rows[2] == ("Sykehjem", "8142334", "971035560")


def test_prose_is_not_a_table() -> None:
    assert text_tables("Hei,\n\nVi bestiller PLO 1.6 fra 1. mars.\n\nMvh\nKari") == []


def test_transposed_type_table_gets_a_line_per_type(vocab: OrderVocabulary) -> None:
    text = (
        "Meldingstype  PLO  Dialogmelding  Svarrapport\n"
        "Versjon       1.6  1.1            1.4\n"
        "Bestilles     Ja   Ja             Nei"
    )
    assert table_view(text, vocab).split("\n")[1:] == [
        "PLO | 1.6 | Ja",
        "Dialogmelding | 1.1 | Ja",
        "Svarrapport | 1.4 | Nei",
    ]


@dataclass(frozen=True)
class Case:
    name: str
    body: str
    activation: str | None
    types: set[tuple[str, str | None]]
    her: set[int]
    contact: str | None = SENDER
    subject: str = "Bestilling"
    sender: str = SENDER


CASES = [
    Case(
        "html-table-her-column-next-to-org-number",
        "Aktiveringsdato: 22.03.2027\n\nTjeneste                          HER      Org.nr\n\n"
        "  Malvik kommune hjemmetjenester  4411223  971035560\n\nPLO 1.6",
        "2027-03-22",
        {("PLO", "1.6")},
        {4411223},
    ),
    Case(
        "stacked-table-her-column-and-types-per-row",
        "Oppstart 08.03.2027\n\nTjeneste\nHER\nMeldingstyper og versjon\n\nHjemmetjenesten\n7712345\n"
        "PLO 1.6, dialogmelding 1.1\n\nLegevakt\n7712399\nDialogmelding 1.1, epikrise 1.2",
        "2027-03-08",
        {("PLO", "1.6"), ("DIALOGMELDING", "1.1"), ("EPIKRISE", "1.2")},
        {7712345, 7712399},
    ),
    Case(
        "transposed-types-with-a-no",
        "Aktiveringsdato: 22.03.2027\n\n  Meldingstype  PLO  Dialogmelding  Svarrapport\n\n"
        "  Versjon       1.6  1.1            1.4\n\n  Skal brukes   Ja   Ja             Nei",
        "2027-03-22",
        {("PLO", "1.6"), ("DIALOGMELDING", "1.1")},
        set(),
    ),
    Case(
        "unmarked-row-in-a-yes-column-is-not-ordered",
        "Oppstart 01.03.2027\n\nMeldingstype     Versjon   Ønskes\nPLO              1.6       X\n"
        "Epikrise         1.2\nDialogmelding    1.1       X",
        "2027-03-01",
        {("PLO", "1.6"), ("DIALOGMELDING", "1.1")},
        set(),
    ),
    Case(
        "stacked-key-value-form",
        "Kommune\nMalvik\n\nØnsket dato\n01.02.2027\n\nAvtalt aktiveringsdato\n01.03.2027\n\nHER-id\n8142326\n\n"
        "Kontaktperson\nola.hansen@malvik.kommune.no",
        "2027-03-01",
        set(),
        {8142326},
        "ola.hansen@malvik.kommune.no",
    ),
    # ------------------------------------------------------------------------------ dates
    Case("day-in-month", "vi starter opp den 1. i 3. med PLO 1.6", "2027-03-01", {("PLO", "1.6")}, set()),
    Case(
        "one-digit-month-no-year",
        "DM 1.1 + PLO 1.6. Dato 15.2. HER 7766554",
        "2027-02-15",
        {("DIALOGMELDING", "1.1"), ("PLO", "1.6")},
        {7766554},
    ),
    Case("slash-no-year", "Oppstart 15/2, PLO 1.6", "2027-02-15", {("PLO", "1.6")}, set()),
    Case(
        "earliest-is-not-a-date",
        "Vi kan tidligst starte 15. mars, dato avtaler vi senere. PLO 1.6",
        None,
        {("PLO", "1.6")},
        set(),
    ),
    Case(
        "changed-from-to", "Oppstart er endret fra 1. mars til 8. mars. PLO 1.6.", "2027-03-08", {("PLO", "1.6")}, set()
    ),
    Case(
        "date-only-in-subject",
        "Vi bestiller PLO 1.6 som avtalt.",
        "2027-03-22",
        {("PLO", "1.6")},
        set(),
        subject="Bestilling oppkobling – aktivering 22.03.2027",
    ),
    Case(
        "dato-field-alone-counts",
        "Kommune: Malvik\nDato: 01.03.2027\nMeldingstyper: PLO 1.6",
        "2027-03-01",
        {("PLO", "1.6")},
        set(),
    ),
    Case(
        "dato-in-quote-header-does-not",
        "PLO 1.6.\n\nFra: Ola <ola@hemit.no>\nDato: 01.03.2027\nTil: Kari\nEmne: Oppkobling",
        None,
        {("PLO", "1.6")},
        set(),
    ),
    # ------------------------------------------------------------------------------ versions
    Case(
        "comma-decimal",
        "Oppstart 01.03.2027. Epikrise 1,2 og PLO v. 1.6",
        "2027-03-01",
        {("EPIKRISE", "1.2"), ("PLO", "1.6")},
        set(),
    ),
    Case(
        "comma-decimal-only-known-versions",
        "Oppstart 01.03.2027. PLO 1.6 for 1,5 årsverk",
        "2027-03-01",
        {("PLO", "1.6")},
        set(),
    ),
    Case(
        "version-before-type",
        "Oppstart 01.03.2027. Vi bruker versjon 1.6 av PLO-meldingene og versjon 1.1 av dialogmeldingen.",
        "2027-03-01",
        {("PLO", "1.6"), ("DIALOGMELDING", "1.1")},
        set(),
    ),
    Case(
        "version-glued-to-type",
        "Oppstart 01.03.2027. PLO1.6 og DM1.1",
        "2027-03-01",
        {("PLO", "1.6"), ("DIALOGMELDING", "1.1")},
        set(),
    ),
    Case(
        "version-then-slash",
        "Oppstart 01.03.2027. Meldinger og versjoner: PLO 1.6/DM 1.1",
        "2027-03-01",
        {("PLO", "1.6"), ("DIALOGMELDING", "1.1")},
        set(),
    ),
    Case(
        "nynorsk-replaces",
        "Oppstart 01.03.2027. PLO 1.6 (erstattar 1.5 som vi nyttar i dag)",
        "2027-03-01",
        {("PLO", "1.6")},
        set(),
    ),
    # ------------------------------------------------------------------------------ HER-ids
    Case(
        "her-label-after-number",
        "Oppstart 01.03.2027. Hjemmetjenesten: 8142326 (HER-id)",
        "2027-03-01",
        set(),
        {8142326},
    ),
    # ------------------------------------------------------------------------------ contact
    Case(
        "questions-to",
        "Oppstart 01.03.2027.\nSpørsmål kan rettes til systemansvarlig Ola Nordmo, ola.nordmo@malvik.kommune.no.",
        "2027-03-01",
        set(),
        set(),
        "ola.nordmo@malvik.kommune.no",
        sender="postmottak@malvik.kommune.no",
    ),
    Case(
        "questions-to-undersigned",
        "Oppstart 01.03.2027.\nSpørsmål kan rettes til undertegnede.",
        "2027-03-01",
        set(),
        set(),
        "kari@malvik.kommune.no",
        sender="kari@malvik.kommune.no",
    ),
    Case(
        "label-wins-over-weaker-phrase",
        "Spørsmål kan rettes til it@malvik.kommune.no\nKontaktperson: Ola (ola@malvik.kommune.no)",
        None,
        set(),
        set(),
        "ola@malvik.kommune.no",
    ),
    Case(
        "meldingsansvarlig-named",
        "Meldingsansvarlig i kommunen: Ola Hansen, ola.hansen@malvik.kommune.no",
        None,
        set(),
        set(),
        "ola.hansen@malvik.kommune.no",
        sender="postmottak@malvik.kommune.no",
    ),
    Case(
        "kopi-is-not-contact",
        "Kopi: leder@malvik.kommune.no\n\nOppstart 01.03.2027, PLO 1.6",
        "2027-03-01",
        {("PLO", "1.6")},
        set(),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_rule(case: Case, registry: Registry, vocab: OrderVocabulary) -> None:
    order = extract_order(make_msg(case.body, subject=case.subject, from_addr=case.sender), registry, vocab)
    assert (order.activation_date.isoformat() if order.activation_date else None) == case.activation
    assert {(t.code, t.version) for t in order.message_types} == case.types
    assert set(order.her_ids) == case.her
    assert order.contact_email == case.contact


def test_attachment_table_keeps_empty_cells(registry: Registry, vocab: OrderVocabulary) -> None:
    """A DOCX form's "Bestilles" column left empty for a type: that type is not ordered."""
    rows = (
        ("Meldingstype", "Versjon", "Bestilles"),
        ("PLO", "1.6", "X"),
        ("Epikrise", "1.2", ""),
        ("Dialogmelding", "1.1", "X"),
    )
    text = "Bestillingsskjema\n\n" + "\n".join("  ".join(r) for r in rows)
    att = Attachment("skjema.docx", "application/docx", 100, text, rows)
    order = extract_order(make_msg("Se vedlegg. Oppstart 01.03.2027.", attachments=(att,)), registry, vocab)
    assert {(t.code, t.version) for t in order.message_types} == {("PLO", "1.6"), ("DIALOGMELDING", "1.1")}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Vi ønsker oppstart 1. mars eller 8. mars. PLO 1.6", None),
        ("Hemit tilbød 1. mars eller 8. mars, og vi har avtalt oppstart 8. mars. PLO 1.6", "2027-03-08"),
    ],
)
def test_alternative_dates_settle_nothing(
    body: str, expected: str | None, registry: Registry, vocab: OrderVocabulary
) -> None:
    order = extract_order(make_msg(body), registry, vocab)
    assert (order.activation_date.isoformat() if order.activation_date else None) == expected


def test_stacked_key_value_pairs(registry: Registry, vocab: OrderVocabulary) -> None:
    """Outlook plain text of a two-column form table: label over value, a blank line between pairs."""
    body = (
        "Melhus kommune bestiller oppkobling:\n\nAktiveringsdato\n01.03.2027\n\nMeldingstyper\n"
        "PLO 1.6, Dialogmelding 1.1\n\nHER-id\n8142326\n\nKontaktperson\nOla Vik (ola.vik@melhus.kommune.no)"
    )
    order = extract_order(make_msg(body, from_addr="kari@melhus.kommune.no"), registry, vocab)
    assert order.contact_email == "ola.vik@melhus.kommune.no"
    assert order.her_ids == (8142326,)


def test_service_matrix_across_columns(registry: Registry, vocab: OrderVocabulary) -> None:
    """Services down, types across with the version in each cell; HER-ids in a column."""
    body = (
        "Oppstart 01.03.2027\n\n  Tjeneste         HER-id   PLO  Dialogmelding  Epikrise\n\n"
        "  Hjemmetjenesten  8142326  1.6  1.1\n\n  Legevakt         8142334       1.1            1.2\n"
    )
    order = extract_order(make_msg(body), registry, vocab)
    assert {(t.code, t.version) for t in order.message_types} == {
        ("PLO", "1.6"),
        ("DIALOGMELDING", "1.1"),
        ("EPIKRISE", "1.2"),
    }
    assert set(order.her_ids) == {8142326, 8142334}


REPLY_CHAIN = """Hei Lise,

Da bestiller vi oppkobling med oppstart 8. mars, se bestillingen under.

Jon

Fra: Lise Ødegård <lise.odegard@hemit.no>
Sendt: torsdag 3. desember 2026 10:12
Til: Jon Bakken <jon.bakken@skaun.kommune.no>
Emne: SV: Bestilling oppkobling Skaun

Hei Jon, 1. mars er opptatt. Kan dere 8. mars? Husk epikrise 1.2 hvis dere trenger det. HER-id 999.

Fra: Jon Bakken <jon.bakken@skaun.kommune.no>
Sendt: onsdag 2. desember 2026 09:00
Til: Meldingsansvarlig <meldingsansvarlig@helse-midt.no>
Emne: Bestilling oppkobling Skaun

Skaun kommune bestiller oppkobling med oppstart 1. mars 2027.
Meldinger: PLO 1.6 og dialogmelding 1.1.
HER-id 7013456.
Kontaktperson: Anne Skaun, anne.skaun@skaun.kommune.no
"""


def test_reply_chain_reads_the_kommunes_own_quoted_order(registry: Registry, vocab: OrderVocabulary) -> None:
    """New text first; what it leaves open comes from the kommune's own quoted order, never from Hemit's mail."""
    msg = make_msg(REPLY_CHAIN, subject="SV: SV: Bestilling oppkobling Skaun", from_addr="jon.bakken@skaun.kommune.no")
    new_text = REPLY_CHAIN.split("\n\nFra: Lise")[0]
    order = extract_order(msg, registry, vocab, new_text=new_text)
    assert order.activation_date is not None and order.activation_date.isoformat() == "2027-03-08"
    assert {(t.code, t.version) for t in order.message_types} == {("PLO", "1.6"), ("DIALOGMELDING", "1.1")}
    assert order.her_ids == (7013456,)
    assert order.contact_email == "anne.skaun@skaun.kommune.no"


GMAIL_CHAIN = """Hei igjen,

Vi bestiller da oppkobling med aktivering 15. mars som avtalt på telefon.

Per

tir. 5. jan. 2027 kl. 10:15 skrev Per Lund <per.lund@oppdal.kommune.no>:
> Oppdal kommune ønsker å koble opp PLO 1.6 og dialogmelding 1.1.
> HER-id: 2120099
> Kontakt: ehelse@oppdal.kommune.no
"""


def test_reply_chain_with_gmail_attribution(registry: Registry, vocab: OrderVocabulary) -> None:
    """The author of a '>'-quoted mail comes from the Gmail attribution line; no header block follows it."""
    msg = make_msg(GMAIL_CHAIN, subject="Re: Oppkobling Oppdal", from_addr="per.lund@oppdal.kommune.no")
    order = extract_order(msg, registry, vocab, new_text=GMAIL_CHAIN.split("\n\ntir.")[0])
    assert {(t.code, t.version) for t in order.message_types} == {("PLO", "1.6"), ("DIALOGMELDING", "1.1")}
    assert order.her_ids == (2120099,)
    assert order.contact_email == "ehelse@oppdal.kommune.no"


def test_a_sentence_with_skrev_is_not_a_quote(registry: Registry, vocab: OrderVocabulary) -> None:
    body = "Vi bestiller PLO 1.6.\nSom jeg skrev i forrige e-post:\nOppstart 01.03.2027, HER-id 4455667."
    msg = make_msg(body, subject="VS: Bestilling")
    order = extract_order(msg, registry, vocab)
    assert order.her_ids == (4455667,)
    assert order.activation_date is not None


@pytest.mark.parametrize(
    ("text", "first_line"),
    [
        ("PLO  Dialogmelding\n1.6  1.1", "PLO | 1.6"),
        ("Meldingstype  Versjon  Kommentar\nPLO           1.6      erstatter dialogmelding 1.0", None),
        ("Meldingstype  Versjon\nPLO           1.6\nEpikrise      1.2", None),
    ],
)
def test_only_types_across_a_row_are_turned(text: str, first_line: str | None, vocab: OrderVocabulary) -> None:
    view = table_view(text, vocab)
    assert (view.split("\n")[0] if view != text else None) == first_line
