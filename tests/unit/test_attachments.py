"""Attachment text: DOCX, XLSX, PDF, TNEF and plain text; zip-bomb limits; failures become defects."""

from __future__ import annotations

import base64
import io
import zipfile
from datetime import date
from pathlib import Path

import docx
import openpyxl
import pytest

from bot.intake.attachments import extract_attachment
from bot.intake.message import parse_message

EMAILS = Path(__file__).resolve().parent.parent / "emails"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def make_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Bestilling av oppkobling – Røros kommune")
    table = document.add_table(rows=3, cols=2)
    for row, (label, value) in zip(
        table.rows,
        [("Kommune", "Røros kommune"), ("Aktiveringsdato", "05.04.2027"), ("HER-id", "3321876")],
        strict=True,
    ):
        row.cells[0].text, row.cells[1].text = label, value
    document.add_paragraph("Dato og underskrift")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Bestilling"
    sheet.append(["Kommune", "Snåsa kommune"])
    sheet.append(["Aktiveringsdato", date(2027, 3, 1)])
    sheet.append(["HER-id", 1230567])
    sheet.append(["Versjon", 1.6])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def make_pdf(lines: list[str]) -> bytes:
    """A minimal one-page PDF with Helvetica text, xref offsets computed exactly."""
    content = "BT /F1 12 Tf 72 720 Td " + " ".join(f"({line}) Tj 0 -16 Td" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def make_bomb(member: str, size_bytes: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(member, b"\0" * size_bytes)
    return out.getvalue()


def test_docx_paragraphs_and_table_rows() -> None:
    """DOCX text keeps paragraphs and tables in document order; table rows are exposed as cells."""
    result = extract_attachment("skjema.docx", DOCX, make_docx())
    (item,) = result.attachments
    assert item.text is not None
    assert item.text.index("Røros kommune") < item.text.index("Aktiveringsdato  05.04.2027")
    assert item.text.index("HER-id  3321876") < item.text.index("Dato og underskrift")
    assert item.rows == (
        ("Kommune", "Røros kommune"),
        ("Aktiveringsdato", "05.04.2027"),
        ("HER-id", "3321876"),
    )
    assert result.defects == ()


def test_xlsx_dates_as_iso_and_numbers_plain() -> None:
    """XLSX date cells read as ISO dates and whole numbers without a trailing .0."""
    (item,) = extract_attachment("bestilling.xlsx", XLSX, make_xlsx()).attachments
    assert item.rows == (
        ("Kommune", "Snåsa kommune"),
        ("Aktiveringsdato", "2027-03-01"),
        ("HER-id", "1230567"),
        ("Versjon", "1.6"),
    )
    assert item.text is not None and "Aktiveringsdato  2027-03-01" in item.text


def test_pdf_text() -> None:
    """PDF text is extracted page by page."""
    (item,) = extract_attachment(
        "b.pdf", "application/pdf", make_pdf(["Aktiveringsdato: 20.04.2027"])
    ).attachments
    assert item.text is not None and "Aktiveringsdato: 20.04.2027" in item.text


@pytest.mark.parametrize(
    ("filename", "content_type", "member"),
    [("bomb.docx", DOCX, "word/document.xml"), ("bomb.xlsx", XLSX, "xl/worksheets/sheet1.xml")],
)
def test_zip_bomb_is_refused_before_inflating(filename: str, content_type: str, member: str) -> None:
    """A DOCX/XLSX whose members decompress beyond the limit gives no text and a defect."""
    result = extract_attachment(
        filename, content_type, make_bomb(member, 5_000_000), max_decompressed_bytes=1_000_000
    )
    (item,) = result.attachments
    assert item.text is None
    assert any("limit 1000000" in d for d in result.defects)


@pytest.mark.parametrize(
    ("filename", "content_type", "data"),
    [
        ("x.docx", DOCX, b"PK\x03\x04 not really"),
        ("x.xlsx", XLSX, b"garbage"),
        ("x.pdf", "application/pdf", b"%PDF-1.4 garbage"),
        ("winmail.dat", "application/ms-tnef", b"\x00\x01garbage"),
        ("x.docx", DOCX, make_xlsx()),
    ],
)
def test_broken_files_give_a_defect_not_an_exception(filename: str, content_type: str, data: bytes) -> None:
    """A file an extractor cannot read yields text=None plus a defect naming it."""
    result = extract_attachment(filename, content_type, data)
    assert [a.text for a in result.attachments] == [None]
    assert len(result.defects) == 1 and filename in result.defects[0]


def test_unknown_binary_has_no_text_and_no_defect() -> None:
    """An image is listed with its size but no text, and that is not a problem."""
    (item,) = extract_attachment("logo.png", "image/png", b"\x89PNG....").attachments
    assert (item.text, item.size_bytes, item.content_type) == (None, 8, "image/png")


def test_text_attachment_uses_its_charset() -> None:
    """A text/plain attachment decodes with its declared charset."""
    result = extract_attachment("a.txt", "text/plain", "Frøya".encode("iso-8859-1"), charset="iso-8859-1")
    assert result.attachments[0].text == "Frøya"


def test_tnef_body_and_inner_files() -> None:
    """winmail.dat gives its body as the mail text and its files as attachments with text."""
    msg = parse_message((EMAILS / "order-tnef-winmail.eml").read_bytes())
    assert msg.body_text.startswith("Hei,\n\nVedlagt bestilling fra Hitra kommune.")
    names = [a.filename for a in msg.attachments]
    assert names == ["winmail.dat", "bestilling.txt"]
    assert msg.attachments[1].text is not None and "HER-id 556677" in msg.attachments[1].text


def _with_attachment(disposition: str, content_type: str, data: bytes) -> bytes:
    return (
        "From: a@roros.kommune.no\nSubject: Bestilling\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="B"\n\n'
        "--B\nContent-Type: text/plain; charset=utf-8\n\nVedlagt.\n"
        f"--B\nContent-Type: {content_type}\nContent-Disposition: {disposition}\n"
        "Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(data).decode() + "--B--\n"
    ).encode()


@pytest.mark.parametrize(
    ("disposition", "filename"),
    [
        ('attachment; filename="=?utf-8?Q?Bestilling_R=C3=B8ros.docx?="', "Bestilling Røros.docx"),
        ("attachment; filename*=utf-8''Bestilling%20R%C3%B8ros.docx", "Bestilling Røros.docx"),
        (
            "attachment;\n filename*0*=utf-8''Bestilling%20;\n filename*1*=R%C3%B8ros.docx",
            "Bestilling Røros.docx",
        ),
        ('attachment; filename="../../etc/passwd.docx"', "../../etc/passwd.docx"),
    ],
)
def test_attachment_filenames_are_decoded(disposition: str, filename: str) -> None:
    """RFC 2047 and RFC 2231 filenames decode; a path-like name is only a label, its text still read."""
    msg = parse_message(_with_attachment(disposition, DOCX, make_docx()))
    (attachment,) = msg.attachments
    assert attachment.filename == filename
    assert attachment.text is not None and "Røros kommune" in attachment.text
    assert attachment.rows[1] == ("Aktiveringsdato", "05.04.2027")
    assert msg.body_text == "Vedlagt."


def test_pdf_whose_streams_inflate_past_the_limit_is_refused() -> None:
    """A small PDF whose Flate stream inflates past the limit is refused before pypdf inflates it."""
    import zlib

    from bot.intake.attachments import ExtractionError, check_pdf

    bomb = b"%PDF-1.4\n1 0 obj\n<< /Filter /FlateDecode >>\nstream\n" + zlib.compress(b" " * 3_000_000, 9)
    bomb += b"\nendstream\nendobj\n%%EOF\n"
    with pytest.raises(ExtractionError):
        check_pdf(bomb, 1_000_000)
    check_pdf(bomb, 5_000_000)  # within the limit: no objection
    check_pdf(b"%PDF-1.4\nstream\nnot zlib at all\nendstream\n", 1_000)
