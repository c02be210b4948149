"""Tables written in mail text: what HTML tables, Outlook plain text and hand-typed columns look like as text.

Three layouts reach the extractor:

- *aligned*: one row per line, cells separated by two or more spaces, a tab or `|` (HTML tables converted to
  text, hand-typed columns, pipe tables). Rows may have blank lines between them.
- *stacked*: Outlook's text/plain rendering of an HTML table, one cell per line and a blank line between
  rows. Only read when a header paragraph (short lines, no digits) is followed by paragraphs of the same
  number of lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PIPE_OR_TAB = re.compile(r"\s*[|\t]\s*")
_GAP = re.compile(r"\S(?:.*?\S)?(?=\s{2,}|$)")
MAX_HEADER_CELL_CHARS = 40
MAX_STACKED_COLUMNS = 8


@dataclass(frozen=True)
class TextTable:
    """A table found in text: the character span of its lines and its rows (cells stripped, padded)."""

    start: int
    end: int
    rows: tuple[tuple[str, ...], ...]
    layout: str  # "aligned" or "stacked"


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos = 0
    for raw in text.split("\n"):
        spans.append((pos, pos + len(raw)))
        pos += len(raw) + 1
    return spans


def _cells(line: str) -> list[tuple[int, str]]:
    """Cells of one line with their start columns; one cell means "not a table row"."""
    if "|" in line or "\t" in line:
        inner = line.strip()
        if inner.startswith("|"):
            inner = inner[1:]
        if inner.endswith("|"):
            inner = inner[:-1]
        parts = _PIPE_OR_TAB.split(inner)
        if len(parts) >= 2:
            return [(i, p.strip()) for i, p in enumerate(parts)]
    found = [(m.start(), m.group(0)) for m in _GAP.finditer(line)]
    return found if len(found) >= 2 else [(0, line.strip())]


def _aligned_rows(cells: list[list[tuple[int, str]]], delimited: bool) -> tuple[tuple[str, ...], ...]:
    width = max(len(c) for c in cells)
    if delimited or all(len(c) == width for c in cells):
        return tuple(tuple(t for _, t in c) + ("",) * (width - len(c)) for c in cells)
    # Space-aligned with empty cells: place each cell under the nearest column of the widest row.
    anchors = [s for s, _ in max(cells, key=len)]
    rows: list[tuple[str, ...]] = []
    for row in cells:
        out = [""] * len(anchors)
        for start, value in row:
            k = min(range(len(anchors)), key=lambda i: abs(anchors[i] - start))
            out[k] = f"{out[k]} {value}".strip()
        rows.append(tuple(out))
    return tuple(rows)


def _aligned_tables(text: str, spans: list[tuple[int, int]]) -> list[TextTable]:
    tables: list[TextTable] = []
    block: list[int] = []

    def flush() -> None:
        if len(block) >= 2:
            lines = [text[spans[i][0] : spans[i][1]] for i in block]
            cells = [_cells(line) for line in lines]
            delimited = all("|" in line or "\t" in line for line in lines)
            rows = _aligned_rows(cells, delimited)
            tables.append(TextTable(spans[block[0]][0], spans[block[-1]][1], rows, "aligned"))
        block.clear()

    blank_run = 0
    for i, (s, e) in enumerate(spans):
        line = text[s:e]
        if not line.strip():
            blank_run += 1
            if blank_run > 1:
                flush()
            continue
        if len(_cells(line)) >= 2:
            block.append(i)
        else:
            flush()
        blank_run = 0
    flush()
    return tables


def _paragraphs(text: str, spans: list[tuple[int, int]]) -> list[list[int]]:
    paras: list[list[int]] = []
    current: list[int] = []
    for i, (s, e) in enumerate(spans):
        if text[s:e].strip():
            current.append(i)
        elif current:
            paras.append(current)
            current = []
    if current:
        paras.append(current)
    return paras


def _is_header(lines: list[str]) -> bool:
    return (
        2 <= len(lines) <= MAX_STACKED_COLUMNS
        and all(len(x.strip()) <= MAX_HEADER_CELL_CHARS for x in lines)
        and not any(re.search(r"\d|@", x) for x in lines)
        and all(len(_cells(x)) == 1 for x in lines)
    )


def _stacked_tables(text: str, spans: list[tuple[int, int]]) -> list[TextTable]:
    tables: list[TextTable] = []
    paras = [[text[spans[k][0] : spans[k][1]] for k in p] for p in _paragraphs(text, spans)]
    starts = [spans[p[0]][0] for p in _paragraphs(text, spans)]
    ends = [spans[p[-1]][1] for p in _paragraphs(text, spans)]
    i = 0
    while i < len(paras):
        j = i + 1
        while j < len(paras) and len(paras[j]) == len(paras[i]) and all(len(_cells(x)) == 1 for x in paras[j]):
            j += 1
        if _is_header(paras[i]) and j > i + 1:
            rows = tuple(tuple(x.strip() for x in paras[k]) for k in range(i, j))
            tables.append(TextTable(starts[i], ends[j - 1], rows, "stacked"))
            i = j
        else:
            i += 1
    return tables


def text_tables(text: str) -> list[TextTable]:
    """Every table in `text`, in order of appearance."""
    spans = _line_spans(text)
    found = _aligned_tables(text, spans) + _stacked_tables(text, spans)
    found.sort(key=lambda t: t.start)
    out: list[TextTable] = []
    for t in found:
        if out and t.start < out[-1].end:
            continue
        out.append(t)
    return out
