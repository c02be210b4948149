"""Tables written in mail text: what HTML tables, Outlook plain text and hand-typed columns look like as text.

Layouts that reach the extractor:

- *aligned*: one row per line, cells separated by two or more spaces, a tab or `|` (HTML tables converted to
  text, hand-typed columns, pipe tables, DOCX/XLSX rows). Rows may have blank lines between them.
- *stacked*: Outlook's text/plain rendering of an HTML table, one cell per line and a blank line between
  rows. Read when a header paragraph (short lines, no digits) is followed by paragraphs of as many lines,
  or as a key/value form: two-line paragraphs, a short label over its value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PIPE_OR_TAB = re.compile(r"\s*[|\t]\s*")
_CELL = re.compile(r"\S+(?: \S+)*")
MAX_HEADER_CELL_CHARS = 40
MAX_STACKED_COLUMNS = 8
ALIGN_TOLERANCE = 3
MAX_LABEL_WORDS = 5
MAX_COLUMNS = 64


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
    """Cells of one line with their start columns; one cell means "not a table row".

    A line of more than MAX_COLUMNS cells is not a row either: every cell is placed against every column
    of the table, so 20,000 cells in 100 KB of text would have cost minutes."""
    if _delimited(line):
        inner = line.strip()
        if inner.startswith("|") and inner.endswith("|") and len(inner) > 1:
            inner = inner[1:-1]  # "| a | b |"; "a | b | " keeps its empty last cell
        parts = _PIPE_OR_TAB.split(inner)
        if 2 <= len(parts) <= MAX_COLUMNS:
            return [(i, p.strip()) for i, p in enumerate(parts)]
    found = [(m.start(), m.group(0)) for m in _CELL.finditer(line)]
    return found if 2 <= len(found) <= MAX_COLUMNS else [(0, line.strip())]


def _aligned_rows(cells: list[list[tuple[int, str]]], delimited: bool) -> tuple[tuple[str, ...], ...]:
    width = max(len(c) for c in cells)
    if delimited or all(len(c) == width for c in cells):
        return tuple(tuple(t for _, t in c) + ("",) * (width - len(c)) for c in cells)
    # Space-aligned with empty cells: place each cell under the nearest column of the widest row.
    anchors = _relative(max(cells, key=len))
    rows: list[tuple[str, ...]] = []
    for row in cells:
        out = [""] * len(anchors)
        for start, (_, value) in zip(_relative(row), row, strict=True):
            k = min(range(len(anchors)), key=lambda i: abs(anchors[i] - start))
            out[k] = f"{out[k]} {value}".strip()
        rows.append(tuple(out))
    return tuple(rows)


def _relative(cells: list[tuple[int, str]]) -> list[int]:
    """Cell starts measured from the row's first cell (HTML-to-text output indents rows unevenly)."""
    return [start - cells[0][0] for start, _ in cells]


def _continues(
    block: list[list[tuple[int, str]]], anchors: set[int], row: list[tuple[int, str]], line: str, gap: bool
) -> bool:
    """Whether `row` belongs to the table so far (`anchors`: its column starts, relative to each row).

    `|`/tab rows need the same cell count. A space-aligned row with the previous row's cell count continues;
    otherwise its cells must sit under the table's columns (exactly when a blank line separates them)."""
    if _delimited(line):
        return len(row) == len(block[-1])
    if len(row) == len(block[-1]):
        return True
    tolerance = 0 if gap else ALIGN_TOLERANCE
    near = [any(abs(r - a) <= tolerance for a in anchors) for r in _relative(row)[1:]]
    return all(near) if gap else any(near)


def _aligned_tables(text: str, spans: list[tuple[int, int]]) -> list[TextTable]:
    tables: list[TextTable] = []
    block: list[int] = []
    cells: list[list[tuple[int, str]]] = []
    anchors: set[int] = set()

    def flush() -> None:
        if len(block) >= 2:
            lines = [text[spans[i][0] : spans[i][1]] for i in block]
            rows = _aligned_rows(cells, all(_delimited(line) for line in lines))
            tables.append(TextTable(spans[block[0]][0], spans[block[-1]][1], rows, "aligned"))
        block.clear()
        cells.clear()
        anchors.clear()

    for i, (s, e) in enumerate(spans):
        line = text[s:e]
        if not line.strip():
            if block and i - block[-1] > 1:
                flush()  # two blank lines end a table
            continue
        row = _cells(line)
        if len(row) < 2:
            flush()
            continue
        if block and not _continues(cells, anchors, row, line, gap=i - block[-1] > 1):
            flush()
        block.append(i)
        cells.append(row)
        anchors.update(_relative(row)[1:])
    flush()
    return tables


def _delimited(line: str) -> bool:
    return "|" in line or "\t" in line


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
    indices = _paragraphs(text, spans)
    paras = [[text[spans[k][0] : spans[k][1]] for k in p] for p in indices]
    single = [all(len(_cells(x)) == 1 for x in para) for para in paras]
    # run_end[i]: the first paragraph after i that is not one more row of i's shape. Computed once from the
    # end, so a long run of short paragraphs is walked once, not once per paragraph.
    run_end = list(range(1, len(paras) + 1))
    for k in range(len(paras) - 2, -1, -1):
        if len(paras[k + 1]) == len(paras[k]) and single[k + 1]:
            run_end[k] = run_end[k + 1]
    starts = [spans[p[0]][0] for p in indices]
    ends = [spans[p[-1]][1] for p in indices]
    i = 0
    while i < len(paras):
        j = run_end[i]
        if not (_is_header(paras[i]) and j > i + 1):
            # A key/value form: two-line paragraphs, a label over its value ("Aktiveringsdato" / "01.03.2027").
            j = i
            while j < len(paras) and len(paras[j]) == 2 and _is_label(paras[j][0]) and len(_cells(paras[j][1])) == 1:
                j += 1
            if j - i < 2:
                i += 1
                continue
        rows = tuple(tuple(x.strip() for x in paras[k]) for k in range(i, j))
        tables.append(TextTable(starts[i], ends[j - 1], rows, "stacked"))
        i = j
    return tables


def _is_label(line: str) -> bool:
    """A short field name: no digits or address, not a sentence or a greeting ("Hei Lise,")."""
    x = line.strip()
    return (
        0 < len(x) <= MAX_HEADER_CELL_CHARS
        and not re.search(r"\d|@", x)
        and not re.search(r"[.,!?;]$", x)
        and len(x.split()) <= MAX_LABEL_WORDS
    )


def line_before(text: str, pos: int, max_blank: int = 3) -> str:
    """The nearest non-blank line that ends before `pos` (skipping at most `max_blank` blank lines): the
    heading over a table. Reads only those lines, however long the text before them."""
    end = text.rfind("\n", 0, pos)
    for _ in range(max_blank + 1):
        if end < 0:
            return ""
        start = text.rfind("\n", 0, end) + 1
        line = text[start:end].strip()
        if line:
            return line
        end = start - 1
    return ""


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
