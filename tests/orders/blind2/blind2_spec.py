"""What one blind-set mail is (sender, body, expectation) and the order-form attachment builders."""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field

MIME_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MIME_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIME_PDF = "application/pdf"
FIXED_TIME = dt.datetime(2026, 11, 2, 8, 0, 0)


@dataclass
class Expect:
    """The order the mail carries, as a careful human reads it (SPEC §6)."""

    kommune: tuple[str, str] | None  # (number, name exactly as in the registry)
    date: str | None  # ISO activation date
    types: str  # "PLO 1.6, DIALOGMELDING 1.1, EPIKRISE -" ("-" = version not stated)
    her: list[int]
    contact: str | None


@dataclass
class Attachment:
    filename: str
    content_type: str
    data: bytes
    text: str  # what a reader sees in it (used only by the self-checks)


@dataclass
class Mail:
    """One message of the set: the style names the mail client that wrote it."""

    name: str
    what: str
    sender: tuple[str, str]
    date: str  # "2026-12-02 07:41 +0100" (local time as the client stamps it)
    subject: str
    new: str  # the writer's own new text
    expect: Expect
    style: str = "outlook"  # outlook | outlook_plain | outlook_html | gmail | apple | iphone | thunderbird | android
    sig: str = ""
    quote: str = ""  # the quoted or forwarded part exactly as the client lays it out
    quote_kind: str = ""  # "forward" (text keeps it) | "reply" (text drops it)
    lang: str = "nb"
    charset: str = "utf-8"
    cte: str = "quoted-printable"
    crlf: bool = False
    attachments: list[Attachment] = field(default_factory=list)
    cc: str = ""
    in_reply_to: str = ""

    def body(self) -> str:
        parts = [self.new.strip("\n")]
        if self.sig:
            parts.append(self.sig.strip("\n"))
        if self.quote:
            parts.append(self.quote.strip("\n"))
        return "\n\n".join(parts) + "\n"

    def expected_text(self) -> str:
        """The new text the bot keeps: signature and reply quotes cut, a forwarded part kept."""
        text = self.new.strip("\n")
        if self.quote_kind == "forward":
            text += "\n\n" + self.quote.strip("\n")
        return text


def _stable_zip(data: bytes) -> bytes:
    """The same OOXML package with fixed entry times and save time, so regenerating gives the same bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp, body)
            out.writestr(zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6]), body,
                         compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def docx_form(blocks: list[tuple[str, object]]) -> Attachment:
    """A Word order form: ("h", text), ("p", text) or ("table", [[cell, ...], ...]) blocks."""
    import docx  # python-docx, from the project's .venv

    doc = docx.Document()
    doc.core_properties.author = "Skjema"
    doc.core_properties.created = FIXED_TIME
    doc.core_properties.modified = FIXED_TIME
    seen: list[str] = []
    for kind, value in blocks:
        if kind == "h":
            doc.add_heading(str(value), level=1)
            seen.append(str(value))
        elif kind == "p":
            doc.add_paragraph(str(value))
            seen.append(str(value))
        else:
            rows = value if isinstance(value, list) else []
            table = doc.add_table(rows=len(rows), cols=len(rows[0]))
            table.style = "Table Grid"
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = str(cell)
                seen.append("\t".join(str(cell) for cell in row))
    buf = io.BytesIO()
    doc.save(buf)
    return Attachment("", MIME_DOCX, _stable_zip(buf.getvalue()), "\n".join(seen))


def xlsx_form(sheets: dict[str, list[list[object]]], widths: dict[str, float] | None = None) -> Attachment:
    """An Excel order form; a dt.date cell is written as a real date cell (dd.mm.yyyy)."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.properties.creator = "Skjema"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    first = True
    seen: list[str] = []
    for title, rows in sheets.items():
        ws = wb.active if first else wb.create_sheet()
        first = False
        ws.title = title
        for row in rows:
            ws.append(row)
            seen.append("\t".join("" if v is None else str(v) for v in row))
        for cells in ws.iter_rows():
            for cell in cells:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "dd.mm.yyyy"
        for col, width in (widths or {"A": 38, "B": 16, "C": 16, "D": 28}).items():
            ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return Attachment("", MIME_XLSX, _stable_zip(buf.getvalue()), "\n".join(seen))


def _pdf_escape(line: str) -> bytes:
    raw = line.encode("cp1252")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def pdf_form(lines: list[str]) -> Attachment:
    """A one-page text PDF (Helvetica, WinAnsiEncoding) as a scanner-free 'Skriv ut til PDF' form."""
    stream = b"BT /F1 11 Tf 56 790 Td 16 TL\n"
    for line in lines:
        stream += b"(" + _pdf_escape(line) + b") Tj T*\n"
    stream += b"ET\n"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"endstream",
        b"<< /Producer (Microsoft Word for Microsoft 365) /CreationDate (D:20261102080000+01'00') >>",
    ]
    out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += str(i).encode() + b" 0 obj\n" + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 " + str(len(objects) + 1).encode() + b"\n0000000000 65535 f \n"
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += b"trailer\n<< /Size " + str(len(objects) + 1).encode() + b" /Root 1 0 R /Info 6 0 R >>\n"
    out += b"startxref\n" + str(xref).encode() + b"\n%%EOF\n"
    return Attachment("", MIME_PDF, out, "\n".join(lines))


def named(att: Attachment, filename: str) -> Attachment:
    att.filename = filename
    return att
