"""Text from attached files: DOCX, PDF, XLSX, winmail.dat (TNEF) and plain text, safe against zip bombs."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time

from bot.intake.budget import BudgetExceeded, Deadline
from bot.intake.charsets import decode_bytes
from bot.intake.html_text import html_to_text
from bot.intake.pdf_text import ExtractionError, check_pdf, pdf_text

# Each extractor gets only bytes in memory; a filename is metadata and is never used as a path.
DOCX_TYPES = {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
XLSX_TYPES = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
PDF_TYPES = {"application/pdf", "application/x-pdf"}
TNEF_TYPES = {"application/ms-tnef", "application/vnd.ms-tnef"}
MAX_XLSX_ROWS = 5_000  # over all sheets of a workbook
MAX_XLSX_COLUMNS = 64  # a far-right cell (XFD, column 16,384) made every row 16,384 cells: 5.8 GB
# The XML parts of a DOCX or XLSX are parsed into trees and walked in Python (~20 µs per paragraph or cell);
# a real order form has 50–300 KB of them. Media members (images) count only towards the overall limit.
MAX_XML_BYTES = 4_000_000
MAX_TNEF_FILES = 50  # files read out of one winmail.dat


@dataclass(frozen=True)
class ExtractedFile:
    """One file with its text; message.py turns it into an `Attachment`."""

    filename: str | None
    content_type: str
    size_bytes: int
    text: str | None
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Extracted:
    """What one attached part yields: files (several for a TNEF container), a body text, problems met."""

    attachments: tuple[ExtractedFile, ...]
    body_text: str | None = None
    defects: tuple[str, ...] = ()


def _kind(filename: str | None, content_type: str) -> str:
    name = (filename or "").lower()
    if content_type in TNEF_TYPES or name == "winmail.dat" or name.endswith(".tnef"):
        return "tnef"
    if content_type in DOCX_TYPES or name.endswith(".docx"):
        return "docx"
    if content_type in XLSX_TYPES or name.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if content_type in PDF_TYPES or name.endswith(".pdf"):
        return "pdf"
    if content_type in ("text/plain", "text/csv") or name.endswith((".txt", ".csv")):
        return "text"
    if content_type == "text/html" or name.endswith((".html", ".htm")):
        return "html"
    return "other"


def check_zip(data: bytes, max_decompressed_bytes: int) -> None:
    """Refuse a zip whose declared uncompressed size is too large, before any member is inflated."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise ExtractionError(f"not a readable zip container: {exc}") from exc
    if len(infos) > 10_000:
        raise ExtractionError("zip container has too many members")
    total = sum(info.file_size for info in infos)
    if total > max_decompressed_bytes:
        raise ExtractionError(f"zip members decompress to {total} bytes, limit {max_decompressed_bytes}")
    xml = sum(info.file_size for info in infos if info.filename.lower().endswith((".xml", ".rels")))
    if xml > MAX_XML_BYTES:
        raise ExtractionError(f"XML parts decompress to {xml} bytes, limit {MAX_XML_BYTES}")
    for info in infos:
        # A tiny member claiming a huge ratio is the classic bomb shape even under the total limit.
        if info.compress_size and info.file_size / info.compress_size > 1000 and info.file_size > 1_000_000:
            raise ExtractionError(f"zip member {info.filename!r} has a suspicious compression ratio")


def _docx(data: bytes, limit: int, deadline: Deadline | None) -> tuple[str, tuple[tuple[str, ...], ...]]:
    check_zip(data, limit)
    import docx
    from docx.table import Table

    document = docx.Document(io.BytesIO(data))
    lines: list[str] = []
    rows: list[tuple[str, ...]] = []
    # Walk the body in document order so a form's headings stay next to their tables.
    for n, block in enumerate(document.iter_inner_content()):
        if deadline is not None and n % 500 == 0:
            deadline.check("reading a DOCX attachment")
        if not isinstance(block, Table):
            lines.append(block.text)
            continue
        lines.append("")
        for cells in _table_rows(block):
            rows.append(cells)
            lines.append("  ".join(cells))
    return "\n".join(lines), tuple(rows)


def _table_rows(table: object) -> list[tuple[str, ...]]:
    """Each row's cell texts, a merged cell once. python-docx's `row.cells` repeats a cell once per grid column
    it spans (a gridSpan of 10^6 in 8 KB of XML) and follows vertical merges upwards row by row (quadratic);
    this reads every <w:tc> once and remembers the text of each column's last cell for "continue" merges."""
    from docx.table import Table, _Cell

    assert isinstance(table, Table)
    out: list[tuple[str, ...]] = []
    above: dict[int, str] = {}
    for tr in table._tbl.tr_lst:
        column = tr.grid_before
        cells: list[str] = []
        for tc in tr.tc_lst:
            text = above.get(column, "") if tc.vMerge == "continue" else _Cell(tc, table).text.strip()
            above[column] = text
            column += max(1, min(tc.grid_span, MAX_XLSX_COLUMNS))
            # Merged cells read as one: keep one copy so the row reads naturally.
            if not cells or cells[-1] != text:
                cells.append(text)
        out.append(tuple(cells))
    return out


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx(data: bytes, limit: int, deadline: Deadline | None) -> tuple[str, tuple[tuple[str, ...], ...]]:
    check_zip(data, limit)
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    lines: list[str] = []
    rows: list[tuple[str, ...]] = []
    budget = MAX_XLSX_ROWS
    try:
        for sheet in workbook.worksheets:
            lines.append(f"[{sheet.title}]")
            # Explicit bounds: without them read-only openpyxl pads every row out to the sheet's last column.
            for row in sheet.iter_rows(max_row=budget, max_col=MAX_XLSX_COLUMNS, values_only=True):
                budget -= 1
                if deadline is not None and budget % 500 == 0:
                    deadline.check("reading an XLSX attachment")
                cells = [_cell_text(v) for v in row]
                while cells and not cells[-1]:
                    cells.pop()
                if not cells:
                    continue
                rows.append(tuple(cells))
                lines.append("  ".join(c for c in cells if c))
            if budget <= 0:
                break
    finally:
        workbook.close()
    return "\n".join(lines), tuple(rows)


def _html(data: bytes, charset: str | None) -> str:
    return html_to_text(decode_bytes(data, charset))


def _tnef(data: bytes, limit: int, deadline: Deadline | None, depth: int) -> Extracted:
    from tnefparse.tnef import TNEF

    parsed = TNEF(data, do_checksum=False)
    files: list[ExtractedFile] = []
    defects: list[str] = []
    if len(parsed.attachments) > MAX_TNEF_FILES:
        defects.append(f"winmail.dat holds {len(parsed.attachments)} files; only the first {MAX_TNEF_FILES} are read")
    for att in parsed.attachments[:MAX_TNEF_FILES]:
        try:
            name = att.long_filename() or att.name or None
        except Exception:
            name = None
        payload = att.data if isinstance(att.data, bytes) else b""
        inner = extract_attachment(
            name, "application/octet-stream", payload, max_decompressed_bytes=limit, deadline=deadline,
            _depth=depth + 1,
        )
        files.extend(inner.attachments)
        defects.extend(inner.defects)
    body: str | None = None
    raw_body = parsed.body
    if isinstance(raw_body, bytes):
        body = decode_bytes(raw_body.rstrip(b"\x00"))
    elif isinstance(raw_body, str):
        body = raw_body
    if not body and parsed.htmlbody:
        html = parsed.htmlbody
        body = html_to_text(html if isinstance(html, str) else decode_bytes(html))
    return Extracted(tuple(files), body.strip("\x00").strip() if body else None, tuple(defects))


def extract_attachment(
    filename: str | None,
    content_type: str,
    data: bytes,
    *,
    charset: str | None = None,
    max_decompressed_bytes: int = 20_000_000,
    deadline: Deadline | None = None,
    _depth: int = 0,
) -> Extracted:
    """Read one attached file's text; a failing extractor gives text=None and a defect.

    Only BudgetExceeded passes through: when the message's CPU time is spent it is quarantined whole."""
    content_type = content_type.lower()
    kind = _kind(filename, content_type)
    label = filename or content_type
    if deadline is not None:
        deadline.check(f"reading attachment {label!r}")
    text: str | None = None
    rows: tuple[tuple[str, ...], ...] = ()
    try:
        if kind == "tnef":
            if _depth > 2:
                raise ExtractionError("TNEF nested too deep")
            inner = _tnef(data, max_decompressed_bytes, deadline, _depth)
            container = ExtractedFile(filename, content_type, len(data), inner.body_text)
            return Extracted((container, *inner.attachments), inner.body_text, inner.defects)
        if kind == "docx":
            text, rows = _docx(data, max_decompressed_bytes, deadline)
        elif kind == "xlsx":
            text, rows = _xlsx(data, max_decompressed_bytes, deadline)
        elif kind == "pdf":
            check_pdf(data, max_decompressed_bytes)
            text = pdf_text(data, deadline)
        elif kind == "text":
            text = decode_bytes(data, charset)
        elif kind == "html":
            text = _html(data, charset)
    except BudgetExceeded:
        raise
    except Exception as exc:  # third-party parsers raise anything on hostile files
        reason = str(exc).splitlines()[0][:200] if str(exc) else ""
        return Extracted(
            (ExtractedFile(filename, content_type, len(data), None),),
            None,
            (f"attachment {label!r} ({kind}) unreadable: {type(exc).__name__}: {reason}",),
        )
    if text is not None:
        text = re.sub(r"\r\n?", "\n", text).strip()
    return Extracted((ExtractedFile(filename, content_type, len(data), text, rows),))
