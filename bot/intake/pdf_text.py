"""PDF attachments: a pre-check of what the streams inflate to, and the text of the first pages under limits."""

from __future__ import annotations

import io
import re
import zlib

from bot.intake.budget import Deadline

MAX_PDF_PAGES = 20
# pypdf's own defaults allow 75 MB per decoded stream and 2 million content-stream tokens; a page of an
# order has a few KB. The pre-check below sees only Flate data written plainly, so these also hold for
# streams hidden under /ASCIIHexDecode, /ASCII85Decode, LZW or run-length filters.
PYPDF_LIMITS: dict[str, int] = {
    "zlib_maximum_output_length": 5_000_000,
    "lzw_maximum_output_length": 5_000_000,
    "run_length_maximum_output_length": 5_000_000,
    "brotli_maximum_output_length": 5_000_000,
    "array_based_stream_maximum_output_length": 5_000_000,
    "jbig2_maximum_output_length": 5_000_000,
    "image_maximum_buffer_size": 5_000_000,
    "stream_decoding_work_maximum_length": 10_000_000,
    "stream_parsing_work_maximum_count": 200_000,
    "xform_maximum_invocations_per_extraction": 200,
    "page_tree_maximum_entries": 10_000,
}
# PDF allows CR LF or LF after "stream"; pypdf also reads a lone CR, which the pre-check once missed.
_PDF_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\r|\n)")
_CHUNK = 1 << 16


class ExtractionError(Exception):
    """An attachment could not be read; the reason becomes a defect."""


def _inflated_size(stream: memoryview, budget: int) -> int:
    """What `stream` inflates to, counted up to just past `budget`; its own length when it is not zlib data.

    The input is fed in chunks, so neither a bomb nor a large real stream is ever held or copied whole."""
    inflater = zlib.decompressobj()
    size = 0
    try:
        for offset in range(0, len(stream), _CHUNK):
            piece: bytes | memoryview = stream[offset : offset + _CHUNK]
            while piece:
                out = inflater.decompress(piece, _CHUNK)
                size += len(out)
                if size > budget or inflater.eof:
                    return size
                piece = inflater.unconsumed_tail
    except zlib.error:
        return max(size, len(stream))
    return size


def check_pdf(data: bytes, max_decompressed_bytes: int) -> None:
    """Refuse a PDF whose Flate streams inflate past the limit, before any parser inflates them.

    Streams that are not zlib data (other filters, images) count by their raw size. The scan moves on from
    each stream's end, so every byte is looked at once however many "stream" keywords the file holds."""
    total, pos = 0, 0
    view = memoryview(data)
    while (match := _PDF_STREAM.search(data, pos)) is not None:
        start = match.end()
        end = data.find(b"endstream", start)
        end = len(data) if end < 0 else end
        total += _inflated_size(view[start:end], max_decompressed_bytes - total)
        if total > max_decompressed_bytes:
            raise ExtractionError(f"PDF streams inflate past {max_decompressed_bytes} bytes")
        pos = end


def pdf_text(data: bytes, deadline: Deadline | None = None) -> str:
    """The text of the first MAX_PDF_PAGES pages, read by pypdf under PYPDF_LIMITS."""
    import logging

    import pypdf

    # pypdf logs warnings for every small spec violation in real PDFs; they are not our problem.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    texts: list[str] = []
    with pypdf.apply_configuration(pypdf.get_configuration().with_overwrites(**PYPDF_LIMITS)):
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        for page in reader.pages[:MAX_PDF_PAGES]:
            if deadline is not None:
                deadline.check("reading a PDF attachment")
            texts.append(page.extract_text() or "")
    return "\n".join(texts)
