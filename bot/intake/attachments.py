"""Text from attached files: DOCX, PDF, XLSX, winmail.dat (TNEF) and plain text, safe against zip bombs."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date, datetime, time

# Each extractor gets only bytes in memory; a filename is metadata and is never used as a path.
DOCX_TYPES = {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
XLSX_TYPES = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
PDF_TYPES = {"application/pdf", "application/x-pdf"}
TNEF_TYPES = {"application/ms-tnef", "application/vnd.ms-tnef"}
MAX_XLSX_ROWS = 5_000
MAX_PDF_PAGES = 50


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


class ExtractionError(Exception):
    """An attachment could not be read; the reason becomes a defect."""


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
    for info in infos:
        # A tiny member claiming a huge ratio is the classic bomb shape even under the total limit.
        if info.compress_size and info.file_size / info.compress_size > 1000 and info.file_size > 1_000_000:
            raise ExtractionError(f"zip member {info.filename!r} has a suspicious compression ratio")


def _docx(data: bytes, limit: int) -> tuple[str, tuple[tuple[str, ...], ...]]:
    check_zip(data, limit)
    import docx

    document = docx.Document(io.BytesIO(data))
    lines: list[str] = []
    rows: list[tuple[str, ...]] = []
    # Walk the body in document order so a form's headings stay next to their tables.
    for block in document.iter_inner_content():
        if not hasattr(block, "rows"):
            lines.append(block.text)
            continue
        lines.append("")
        for row in block.rows:
            cells: list[str] = []
            for cell in row.cells:
                text = cell.text.strip()
                # Merged cells repeat in python-docx; keep one copy so the row reads naturally.
                if not cells or cells[-1] != text:
                    cells.append(text)
            rows.append(tuple(cells))
            lines.append("  ".join(c for c in cells))
    return "\n".join(lines), tuple(rows)


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


def _xlsx(data: bytes, limit: int) -> tuple[str, tuple[tuple[str, ...], ...]]:
    check_zip(data, limit)
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    lines: list[str] = []
    rows: list[tuple[str, ...]] = []
    try:
        for sheet in workbook.worksheets:
            lines.append(f"[{sheet.title}]")
            for count, row in enumerate(sheet.iter_rows(values_only=True)):
                if count >= MAX_XLSX_ROWS:
                    break
                cells = [_cell_text(v) for v in row]
                while cells and not cells[-1]:
                    cells.pop()
                if not cells:
                    continue
                rows.append(tuple(cells))
                lines.append("  ".join(c for c in cells if c))
    finally:
        workbook.close()
    return "\n".join(lines), tuple(rows)


_PDF_STREAM = re.compile(rb"(?<!end)stream\r?\n")
_PDF_FLATE_BUDGET_CHUNK = 1 << 16


def check_pdf(data: bytes, max_decompressed_bytes: int) -> None:
    """Refuse a PDF whose Flate streams inflate past the limit, before any parser inflates them.

    Each stream is inflated in chunks with a running total, so a bomb costs at most the limit in work and
    one chunk of memory. Streams that are not zlib data (other filters, images) count by their raw size.
    """
    total = 0
    for match in _PDF_STREAM.finditer(data):
        start = match.end()
        end = data.find(b"endstream", start)
        if end < 0:
            end = len(data)
        inflater = zlib.decompressobj()
        chunk = data[start:end]
        try:
            while chunk:
                out = inflater.decompress(chunk, _PDF_FLATE_BUDGET_CHUNK)
                total += len(out)
                if total > max_decompressed_bytes:
                    raise ExtractionError(f"PDF streams inflate past {max_decompressed_bytes} bytes")
                chunk = inflater.unconsumed_tail
                if inflater.eof or not out:
                    break  # after the end of the zlib stream the last input byte stays in unconsumed_tail
        except zlib.error:
            total += end - start  # not Flate data: counted as it stands
        if total > max_decompressed_bytes:
            raise ExtractionError(f"PDF streams inflate past {max_decompressed_bytes} bytes")


def _pdf(data: bytes) -> str:
    import logging

    import pypdf

    # pypdf logs warnings for every small spec violation in real PDFs; they are not our problem.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
    texts = [page.extract_text() or "" for page in reader.pages[:MAX_PDF_PAGES]]
    return "\n".join(texts)


def _html(data: bytes, charset: str | None) -> str:
    from bot.intake.message import _html_to_text, decode_bytes

    return _html_to_text(decode_bytes(data, charset))


def _tnef(data: bytes, limit: int, depth: int) -> Extracted:
    from tnefparse.tnef import TNEF

    parsed = TNEF(data, do_checksum=False)
    files: list[ExtractedFile] = []
    defects: list[str] = []
    for att in parsed.attachments:
        try:
            name = att.long_filename() or att.name or None
        except Exception:
            name = None
        payload = att.data if isinstance(att.data, bytes) else b""
        inner = extract_attachment(
            name, "application/octet-stream", payload, max_decompressed_bytes=limit, _depth=depth + 1
        )
        files.extend(inner.attachments)
        defects.extend(inner.defects)
    body: str | None = None
    raw_body = parsed.body
    if isinstance(raw_body, bytes):
        from bot.intake.message import decode_bytes

        body = decode_bytes(raw_body.rstrip(b"\x00"))
    elif isinstance(raw_body, str):
        body = raw_body
    if not body and parsed.htmlbody:
        html = parsed.htmlbody
        from bot.intake.message import _html_to_text, decode_bytes

        body = _html_to_text(html if isinstance(html, str) else decode_bytes(html))
    return Extracted(tuple(files), body.strip("\x00").strip() if body else None, tuple(defects))


def extract_attachment(
    filename: str | None,
    content_type: str,
    data: bytes,
    *,
    charset: str | None = None,
    max_decompressed_bytes: int = 20_000_000,
    _depth: int = 0,
) -> Extracted:
    """Read one attached file's text; a failing extractor gives text=None and a defect, never an exception."""
    content_type = content_type.lower()
    kind = _kind(filename, content_type)
    label = filename or content_type
    text: str | None = None
    rows: tuple[tuple[str, ...], ...] = ()
    try:
        if kind == "tnef":
            if _depth > 2:
                raise ExtractionError("TNEF nested too deep")
            inner = _tnef(data, max_decompressed_bytes, _depth)
            container = ExtractedFile(filename, content_type, len(data), inner.body_text)
            return Extracted((container, *inner.attachments), inner.body_text, inner.defects)
        if kind == "docx":
            text, rows = _docx(data, max_decompressed_bytes)
        elif kind == "xlsx":
            text, rows = _xlsx(data, max_decompressed_bytes)
        elif kind == "pdf":
            check_pdf(data, max_decompressed_bytes)
            text = _pdf(data)
        elif kind == "text":
            from bot.intake.message import decode_bytes

            text = decode_bytes(data, charset)
        elif kind == "html":
            text = _html(data, charset)
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
