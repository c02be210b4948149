"""Order extraction end to end from raw mail: HTML tables, DOCX/XLSX/PDF order forms, attached originals."""

from __future__ import annotations

import io
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

import docx
import openpyxl
import pytest

from bot.domain import Order, OrderedType
from bot.intake.message import parse_message
from bot.intake.order import OrderVocabulary, extract_order, load_order_vocabulary
from bot.registry import Registry, load_registry

SENT = datetime.fromisoformat("2026-12-01T10:00:00+01:00")


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


@pytest.fixture(scope="module")
def vocab() -> OrderVocabulary:
    return load_order_vocabulary()


def make_mail(sender: str, subject: str, text: str | None = None, html: str | None = None) -> EmailMessage:
    """A raw order mail with a text and/or HTML body, ready for attachments."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = "meldingsansvarlig@helse-midt.no"
    mail["Subject"] = subject
    mail["Date"] = format_datetime(SENT)
    mail["Message-ID"] = "<t@test>"
    if text is not None:
        mail.set_content(text)
    if html is not None:
        if text is None:
            mail.set_content(html, subtype="html")
        else:
            mail.add_alternative(html, subtype="html")
    return mail


def extract(mail: EmailMessage, registry: Registry, vocab: OrderVocabulary) -> Order:
    return extract_order(parse_message(mail.as_bytes()), registry, vocab)


def docx_form(rows: list[tuple[str, str]], intro: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(intro)
    table = document.add_table(rows=0, cols=2)
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    document.add_paragraph("Dato og underskrift: Hitra, 30.11.2026")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_form() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (
        ("Bestilling e-meldinger", None),
        ("Kommune", "Leka kommune"),
        ("Oppstart", datetime(2027, 4, 13)),
        ("Kontaktperson", "meldingsansvarleg@leka.kommune.no"),
        (None, None),
        ("Meldingstype", "Versjon"),
        ("Dialogmelding", "1.1"),
        ("Epikrise", 1.2),
        (None, None),
        ("Eining", "HER-id"),
        ("Leka helsesenter", 7711002),
        ("Heimetenesta", 7711010),
    ):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf_with_lines(lines: list[str]) -> bytes:
    """A minimal one-page PDF whose text layer holds `lines` (WinAnsi, so æøå survive)."""

    def esc(s: str) -> bytes:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("cp1252")

    stream = b"BT /F1 11 Tf 50 800 Td 14 TL " + b" ".join(b"(" + esc(line) + b") '" for line in lines) + b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += str(number).encode() + b" 0 obj\n" + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 " + str(len(objects) + 1).encode() + b"\n0000000000 65535 f \n"
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += b"trailer\n<< /Size " + str(len(objects) + 1).encode() + b" /Root 1 0 R >>\nstartxref\n"
    return out + str(xref).encode() + b"\n%%EOF\n"


HTML_TABLES = """<html><body>
<p>Hei,</p><p>Vestnes kommune bestiller oppkobling. Aktiveringsdato er avtalt med Hemit.</p>
<table border=1><tr><td><b>Meldingstype</b></td><td><b>Versjon</b></td></tr>
<tr><td>PLO</td><td>1.6</td></tr><tr><td>Dialogmelding</td><td>1.1</td></tr>
<tr><td>Henvisning</td><td>Ikke aktuelt</td></tr></table>
<p>&nbsp;</p>
<table border=1><tr><td><b>Tjeneste</b></td><td><b>HER-id</b></td></tr>
<tr><td>Vestnes sjukeheim</td><td>6600112</td></tr><tr><td>Heimetenesta</td><td>6600120</td></tr></table>
<p>&nbsp;</p><table><tr><td>Aktiveringsdato</td><td>02.03.2027</td></tr></table>
<p>Kontaktperson er undertegnede.</p><p>Med vennleg helsing<br>Nils Vik<br>Tlf 71 18 40 00</p>
</body></html>"""


def test_html_only_outlook_tables(registry: Registry, vocab: OrderVocabulary) -> None:
    """Types, versions and HER-ids are read from HTML tables; a declined table row is not ordered."""
    order = extract(make_mail("nils.vik@vestnes.kommune.no", "Bestilling", html=HTML_TABLES), registry, vocab)
    assert order.municipality is not None and order.municipality.number == "1535"
    assert str(order.activation_date) == "2027-03-02"
    assert set(order.message_types) == {OrderedType("PLO", "1.6"), OrderedType("DIALOGMELDING", "1.1")}
    assert order.her_ids == (6600112, 6600120)
    assert order.contact_email == "nils.vik@vestnes.kommune.no"


def test_docx_form_with_covering_note(registry: Registry, vocab: OrderVocabulary) -> None:
    """A DOCX form supplies every field; the signature date in the form is not the activation date."""
    form = docx_form(
        [
            ("Kommune", "Hitra kommune"),
            ("Avtalt aktiveringsdato", "12.04.2027"),
            ("Meldingstyper og versjon", "PLO-meldinger 1.6\nDialogmelding 1.1\nSvarrapport 1.4"),
            ("Kommunikasjonspart (navn og HER-id)", "Hitra helsetun – HER-id 4400123"),
            ("Kontaktperson (navn, telefon, e-post)", "Ola Strand, 72 44 00 00, ola.strand@hitra.kommune.no"),
        ],
        "Bestilling av oppkobling",
    )
    mail = make_mail("post@hitra.kommune.no", "Bestilling", text="Vedlagt er bestillingsskjemaet vårt.\n")
    mail.add_attachment(
        form,
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
        filename="Bestilling Hitra.docx",
    )
    order = extract(mail, registry, vocab)
    assert order.municipality is not None and order.municipality.number == "5056"
    assert str(order.activation_date) == "2027-04-12"
    assert {t.code for t in order.message_types} == {"PLO", "DIALOGMELDING", "SVARRAPPORT"}
    assert order.her_ids == (4400123,)
    assert order.contact_email == "ola.strand@hitra.kommune.no"


def test_xlsx_form_with_date_cell_and_numeric_her_ids(registry: Registry, vocab: OrderVocabulary) -> None:
    """An XLSX sheet: a real date cell, numeric HER-ids under a HER-id column, a numeric version cell."""
    mail = make_mail("tone@gmail.com", "Bestilling", text="Hei, sjå vedlagt rekneark frå Leka kommune.\n")
    mail.add_attachment(
        xlsx_form(),
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename="leka.xlsx",
    )
    order = extract(mail, registry, vocab)
    assert order.municipality is not None and order.municipality.number == "5052"
    assert str(order.activation_date) == "2027-04-13"
    assert set(order.message_types) == {OrderedType("DIALOGMELDING", "1.1"), OrderedType("EPIKRISE", "1.2")}
    assert order.her_ids == (7711002, 7711010)
    assert order.contact_email == "meldingsansvarleg@leka.kommune.no"


def test_pdf_form_nynorsk(registry: Registry, vocab: OrderVocabulary) -> None:
    """A PDF form in nynorsk: the agreed date wins over the signature date, HER-id beside an org.nr."""
    pdf = pdf_with_lines(
        [
            "Bestilling av e-meldingar",
            "Kommune: Aukra kommune, org.nr. 964981337",
            "Oppstartsdato: 19.04.2027",
            "Meldingstypar: PLO 1.6, dialogmelding 1.1",
            "HER-id: 8800441",
            "Kontaktperson: meldingsansvarleg@aukra.kommune.no",
            "Aukra, 1. desember 2026",
        ]
    )
    mail = make_mail("sigrid@aukra.kommune.no", "Bestilling", text="Vedlagt.\n")
    mail.add_attachment(pdf, maintype="application", subtype="pdf", filename="bestilling.pdf")
    order = extract(mail, registry, vocab)
    assert order.municipality is not None and order.municipality.number == "1547"
    assert str(order.activation_date) == "2027-04-19"
    assert order.her_ids == (8800441,)
    assert order.contact_email == "meldingsansvarleg@aukra.kommune.no"


def test_original_attached_as_message(registry: Registry, vocab: OrderVocabulary) -> None:
    """A forward that attaches the original (message/rfc822) is read from the original."""
    inner = make_mail(
        "berit@orsta.kommune.no",
        "Bestilling",
        text="Ørsta kommune bestiller PLO 1.6. Aktivering 26.04.2027. HER-id 1500770.\n",
    )
    outer = make_mail("konsulent@visma.com", "VS: Bestilling", text="Videresender bestillinga.\n")
    outer.add_attachment(inner)
    order = extract(outer, registry, vocab)
    assert order.municipality is not None and order.municipality.number == "1520"
    assert str(order.activation_date) == "2027-04-26"
    assert order.her_ids == (1500770,)
    assert order.contact_email is None
