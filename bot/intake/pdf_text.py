"""PDF attachments: a pre-check of what the streams inflate to, then the first pages' text in a limited process."""

from __future__ import annotations

import io
import json
import re
import signal
import subprocess
import sys
import zlib

from bot.intake.budget import MAX_CPU_S, Deadline

MAX_PDF_PAGES = 20
# pypdf's own defaults allow 75 MB per decoded stream and 2 million content-stream tokens (text extraction
# takes ~1.2 s per 200,000 tokens); a page of an order has a few KB and a few thousand tokens. The pre-check
# below sees only Flate data written plainly, so these also hold for streams hidden under /ASCIIHexDecode,
# /ASCII85Decode, LZW or run-length filters.
PYPDF_LIMITS: dict[str, int] = {
    "zlib_maximum_output_length": 5_000_000,
    "lzw_maximum_output_length": 5_000_000,
    "run_length_maximum_output_length": 5_000_000,
    "brotli_maximum_output_length": 5_000_000,
    "array_based_stream_maximum_output_length": 5_000_000,
    "jbig2_maximum_output_length": 5_000_000,
    "image_maximum_buffer_size": 5_000_000,
    "stream_decoding_work_maximum_length": 10_000_000,
    "stream_parsing_work_maximum_count": 50_000,
    "xform_maximum_invocations_per_extraction": 20,
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
    """The text of the first MAX_PDF_PAGES pages, read by pypdf in a process of its own.

    pypdf's limits bound each stream, but a 2 KB PDF that draws one 45,000-token form 200 times took 44 s
    in process; its own process runs under RLIMIT_CPU (what is left of the message's budget) and RLIMIT_AS,
    and is charged to the message. Over its CPU time: BudgetExceeded; any other failure: ExtractionError."""
    cpu_s = deadline.remaining_s() if deadline is not None else MAX_CPU_S
    if cpu_s <= 0 and deadline is not None:
        deadline.check("reading a PDF attachment")
    command = [sys.executable, "-m", "bot.intake.pdf_worker", f"{max(cpu_s, 1.0):.1f}"]
    try:
        # The wall-clock timeout only backs up RLIMIT_CPU (a loaded machine stretches wall time).
        done = subprocess.run(command, input=data, capture_output=True, timeout=30 + 3 * cpu_s, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ExtractionError("the PDF reader did not finish in time") from exc
    if done.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        if deadline is not None:
            deadline.charge(cpu_s)
            deadline.check("reading a PDF attachment")
        raise ExtractionError(f"the PDF reader used its {cpu_s:.0f} s of CPU")
    if done.returncode != 0:
        last = (done.stderr.decode("utf-8", "replace").strip().splitlines() or [""])[-1][:200]
        raise ExtractionError(f"the PDF reader failed (exit {done.returncode}): {last}")
    result = json.loads(done.stdout)
    if deadline is not None:
        deadline.charge(float(result["cpu_s"]))
    if result.get("error"):
        raise ExtractionError(str(result["error"]))
    return str(result["text"])


def read_pdf(data: bytes) -> str:
    """pypdf's text of the first MAX_PDF_PAGES pages under PYPDF_LIMITS (in the worker process)."""
    import logging

    import pypdf

    # pypdf logs warnings for every small spec violation in real PDFs; they are not our problem.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    with pypdf.apply_configuration(pypdf.get_configuration().with_overwrites(**PYPDF_LIMITS)):
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        return "\n".join(page.extract_text() or "" for page in reader.pages[:MAX_PDF_PAGES])
