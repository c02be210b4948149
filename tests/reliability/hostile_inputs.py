"""Hostile-input generators: the small mails of issue 10 that once cost minutes of CPU or gigabytes of memory."""

from __future__ import annotations

import base64
import io
import zipfile
import zlib
from collections.abc import Callable

BOT = "meldingsansvarlig@helse-midt.no"
SENDER = "kari.nordmann@malvik.kommune.no"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def head(*, subject: str = "Bestilling av oppkobling", sender: str = SENDER, extra: bytes = b"") -> bytes:
    """The header block of a plain order-looking mail from a kommune (without the blank line)."""
    return (
        f"From: Kari Nordmann <{sender}>\r\nTo: {BOT}\r\nSubject: {subject}\r\n"
        "Date: Mon, 11 Jan 2027 09:00:00 +0100\r\nMessage-ID: <hostile@malvik.kommune.no>\r\nMIME-Version: 1.0\r\n"
    ).encode() + extra


def text_mail(body: str) -> bytes:
    """A one-part text/plain mail whose body is `body` (utf-8, 8bit)."""
    return head() + b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + body.encode() + b"\r\n"


ORDER_TEXT = "Hei\nMalvik kommune bestiller oppkobling av PLO 1.6. Aktiveringsdato: 01.03.2027. HER-id 8142326.\n"


def order_mail(extra: str) -> bytes:
    """An order mail with `extra` after the order text, so the order extractor reads all of it."""
    return text_mail(ORDER_TEXT + "\n" + extra + "\n\nMvh Kari\n")


def with_attachment(filename: str, ctype: str, data: bytes, note: str = "Se vedlagt bestilling.") -> bytes:
    """A multipart/mixed mail: a short note and one base64 attachment."""
    encoded = base64.encodebytes(data).replace(b"\n", b"\r\n")
    return (
        head()
        + b'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n'
        + note.encode()
        + f'\r\n--b1\r\nContent-Type: {ctype}\r\nContent-Disposition: attachment; filename="{filename}"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n".encode()
        + encoded
        + b"--b1--\r\n"
    )


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="%s"/></Relationships>'
)


def docx(paragraphs: list[str]) -> bytes:
    """A minimal hand-made DOCX (no styles, no theme): one paragraph per string."""
    body = b"".join(b"<w:p><w:r><w:t>%s</w:t></w:r></w:p>" % p.encode() for p in paragraphs)
    return _zip({
        "[Content_Types].xml": b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.'
        b'org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
        b'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
        b'"/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
        b'document.main+xml"/></Types>',
        "_rels/.rels": _RELS % b"word/document.xml",
        "word/document.xml": b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
        b'openxmlformats.org/wordprocessingml/2006/main"><w:body>' + body + b"</w:body></w:document>",
    })


def docx_of_size(zipped_bytes: int, *, numbered: bool = False) -> bytes:
    """A DOCX of about `zipped_bytes` whose paragraphs read "PLO 1.6" (numbered: compresses less, so more
    paragraphs fit under the zip-bomb limits). The paragraph count is found by doubling, then bisecting."""
    def make(n: int) -> bytes:
        return docx([f"PLO 1.6 ({i})" if numbered else "PLO 1.6" for i in range(n)])

    lo, hi = 1, 2
    while len(make(hi)) < zipped_bytes:
        lo, hi = hi, hi * 2
    while hi - lo > max(1, lo // 50):
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if len(make(mid)) < zipped_bytes else (lo, mid)
    return make(lo)


def xlsx_far_right_cell(rows: int = 5_000, column: str = "XFD") -> bytes:
    """A hand-made XLSX whose rows each hold one value in the sheet's last column (16,384 columns wide)."""
    sheet_rows = b"".join(b'<row r="%d"><c r="%s%d" t="n"><v>1</v></c></row>' % (r, column.encode(), r)
                          for r in range(1, rows + 1))
    ns = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel_ns = b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    return _zip({
        "[Content_Types].xml": b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.'
        b'org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
        b'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
        b'"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main'
        b'+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": _RELS % b"xl/workbook.xml",
        "xl/workbook.xml": b"<workbook %s %s><sheets><sheet name=\"Ark1\" sheetId=\"1\" r:id=\"rId1\"/></sheets>"
        b"</workbook>" % (ns, rel_ns),
        "xl/_rels/workbook.xml.rels": b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
        b'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        b"</Relationships>",
        "xl/worksheets/sheet1.xml": b'<?xml version="1.0" encoding="UTF-8"?><worksheet %s><dimension ref="A1:%s%d"/>'
        b"<sheetData>%s</sheetData></worksheet>" % (ns, column.encode(), rows, sheet_rows),
    })


def _pdf_file(objects: list[bytes]) -> bytes:
    """A PDF of these objects (1 is the catalog), with its xref table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _pdf(stream_dict: bytes, stream: bytes, eol: bytes = b"\n") -> bytes:
    """A one-page PDF whose page content is `stream` (with its /Filter etc. in `stream_dict`)."""
    return _pdf_file([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R"
        b" >> >> >>",
        b"<< /Length %d %s >>\nstream%s" % (len(stream), stream_dict, eol) + stream + b"\nendstream",
        _FONT,
    ])


def pdf_forms(pages: int, draws: int, tokens: int) -> bytes:
    """A PDF of `pages` pages that each draw one form XObject `draws` times; the form shows text in about
    `tokens` content-stream tokens. A few KB that pypdf reads as pages * draws * tokens tokens."""
    line = b"BT /F1 12 Tf 72 720 Td (Bestilling PLO 1.6) Tj ET\n"  # 11 tokens
    form = zlib.compress(line * (tokens // 11), 9)
    content = zlib.compress(b"/X1 Do\n" * draws, 9)
    kids = b" ".join(b"%d 0 R" % (6 + i) for i in range(pages))
    page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
            b" /Resources << /Font << /F1 3 0 R >> /XObject << /X1 5 0 R >> >> >>")
    return _pdf_file([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        _FONT,
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >>"
        b" /Length %d /Filter /FlateDecode >>\nstream\n" % len(form) + form + b"\nendstream",
        *[page] * pages,
    ])


def _text_ops(inflated_bytes: int) -> bytes:
    """A content stream of about `inflated_bytes`: one text line, then spaces."""
    ops = b"BT /F1 12 Tf 72 720 Td (Bestilling PLO 1.6) Tj ET\n"
    return ops + b" " * max(0, inflated_bytes - len(ops))


def pdf_bomb_hex(inflated_bytes: int) -> bytes:
    """A PDF whose Flate content stream is hidden under /ASCIIHexDecode, so it does not look like zlib."""
    return _pdf(b"/Filter [/ASCIIHexDecode /FlateDecode]", zlib.compress(_text_ops(inflated_bytes), 9).hex().encode())


def pdf_bomb_cr(inflated_bytes: int) -> bytes:
    """A PDF whose Flate content stream starts after a lone CR ("stream\\r"), which pypdf accepts."""
    return _pdf(b"/Filter /FlateDecode", zlib.compress(_text_ops(inflated_bytes), 9), eol=b"\r")


def many_headers(total_bytes: int) -> bytes:
    """`total_bytes` of short extra header fields above an ordinary mail."""
    line = b"X-Spam-Flag: NO\r\n"
    return line * (total_bytes // len(line)) + head() + b"Content-Type: text/plain\r\n\r\nHei\r\n"


def long_to_header(total_bytes: int) -> bytes:
    """One To: field of `total_bytes` holding one address after another."""
    one = b"a@malvik.kommune.no, "
    return head(extra=b"Cc: " + one * (total_bytes // len(one)) + b"x@y.no\r\n") + b"\r\nHei\r\n"


def nested_html(open_tag: bytes, close_tag: bytes, total_bytes: int) -> bytes:
    """An HTML mail of about `total_bytes`: elements nested as deep as the size allows, each with a word."""
    depth = total_bytes // (len(open_tag) + 1 + len(close_tag))
    html = b"<html><body>" + (open_tag + b"x") * depth + close_tag * depth + b"</body></html>"
    return head() + b"Content-Type: text/html; charset=utf-8\r\n\r\n" + html + b"\r\n"


def bounce_mail(body: str) -> bytes:
    """A delivery report from a mailer daemon (null sender) with `body` as its text."""
    return (
        b"From: Mail Delivery System <MAILER-DAEMON@mx.malvik.kommune.no>\r\nTo: " + BOT.encode() + b"\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\nReturn-Path: <>\r\nMessage-ID: <b@mx.malvik.kommune.no>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        + ("This is the mail system. Your message could not be delivered.\n" + body).encode() + b"\r\n"
    )


def delivery_report(blocks: int) -> bytes:
    """A multipart/report whose message/delivery-status part holds `blocks` one-field blocks."""
    status = b"Reporting-MTA: dns; mx.malvik.kommune.no\n\n" + b"Action: failed\n\n" * blocks
    return (
        b"From: MAILER-DAEMON@mx.malvik.kommune.no\r\nTo: " + BOT.encode() + b"\r\nSubject: Undelivered\r\n"
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\n"
        b"Content-Type: text/plain\r\n\r\nDelivery failed.\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        + status + b"\r\n--b--\r\n"
    )


# name -> a mail of about n bytes of that shape (n counts the hostile part, not the mail around it)
GENERATORS: dict[str, Callable[[int], bytes]] = {
    "plo-lines": lambda n: text_mail("PLO 1.6\n" * (n // 8)),
    "plo-paragraphs": lambda n: text_mail("PLO 1.6\n\n" * (n // 9)),
    "one-word": lambda n: order_mail("a" * n),
    "dashes": lambda n: order_mail("-" * n),
    "dotted-domain": lambda n: order_mail("kontakt@" + "a." * (n // 2) + "no"),
    "dated-lines": lambda n: order_mail("01.03.2027 " * (n // 11)),
    "spaced-lines": lambda n: text_mail("Hei\n" + (" " * 240 + "skrev " + " " * 240 + "x\n") * (n // 487)),
    "blank-lines-bounce": lambda n: bounce_mail("\n" * n + "x"),
    "delivery-report-blocks": lambda n: delivery_report(n // 16),
    "nested-blockquotes": lambda n: nested_html(b'<blockquote type="cite">', b"</blockquote>", n),
    "nested-divs": lambda n: nested_html(b"<div>", b"</div>", n),
    "many-headers": many_headers,
    "long-to-header": long_to_header,
    "short-lines": lambda n: text_mail("a\n" * (n // 2)),
    # Issue 14's readings: near-typos of type names, long named HER-id lists, ownership cues next to HER-ids,
    # Apple Mail forwards quoted by ">", and a reply that refers to many quoted mails.
    "near-typos": lambda n: order_mail("epikxxse " * (n // 9)),
    "named-her-list": lambda n: order_mail("HER-id: Navn 1234567" + ", heim 1234567" * (n // 14)),
    "her-not-ours": lambda n: order_mail("HER-id 8142326 ikke våre, " * (n // 26)),
    "quoted-forwards": lambda n: text_mail(
        "Hei\n" + "Videresendt melding:\n> Fra: a@malvik.kommune.no\n> Til: c\n>\n> PLO 1.6\n" * (n // 64)
    ),
    "refers-to-quoted": lambda n: text_mail(
        "Resten som i bestillingen under.\n\n" + "Fra: Kari\nSendt: i dag\nTil: x\nEmne: y\n\nPLO 1.6\n" * (n // 45)
    ),
    "docx-plo-lines": lambda n: with_attachment("bestilling.docx", DOCX_TYPE, docx_of_size(n)),
    "docx-plo-numbered": lambda n: with_attachment("bestilling.docx", DOCX_TYPE, docx_of_size(n, numbered=True)),
    "xlsx-far-right": lambda n: with_attachment("skjema.xlsx", XLSX_TYPE, xlsx_far_right_cell(n)),
    "pdf-hex": lambda n: with_attachment("b.pdf", "application/pdf", pdf_bomb_hex(n)),
    "pdf-cr": lambda n: with_attachment("b.pdf", "application/pdf", pdf_bomb_cr(n)),
    "pdf-form-200-draws": lambda n: with_attachment("b.pdf", "application/pdf", pdf_forms(1, 200, n)),
}
