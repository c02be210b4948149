"""Order-form tables in text: types listed across a row turned into one line each, and the order-mark
column ("Bestilles", "X", "Ja/Nei") made explicit, so a type left unmarked there reads as not ordered."""

from __future__ import annotations

from bot.intake.order_tables import text_tables
from bot.intake.order_vocab import OrderVocabulary
from bot.registry import fold


def _names_type(cell: str, vocab: OrderVocabulary) -> bool:
    folded = fold(cell)
    return any(not a.weak and a.pattern.search(cell if a.case_sensitive else folded) for a in vocab.aliases)


def _is_transposed(rows: tuple[tuple[str, ...], ...], vocab: OrderVocabulary) -> bool:
    """Types across a row ("Meldingstype | PLO | Dialogmelding", or a first row "PLO | Dialogmelding") rather
    than down the first column."""
    if sum(_names_type(row[0], vocab) for row in rows if row) > 1:
        return False
    labelled = any(
        sum(_names_type(c, vocab) for c in row[1:]) >= 2 and not _names_type(row[0], vocab) for row in rows if row
    )
    headerless = bool(rows) and sum(_names_type(c, vocab) for c in rows[0]) >= 2
    return labelled or headerless


def _transpose(rows: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
    width = max(len(r) for r in rows)
    return tuple(tuple(r[c] if c < len(r) else "" for r in rows) for c in range(width))


def _mark_unordered(rows: tuple[tuple[str, ...], ...], vocab: OrderVocabulary) -> tuple[tuple[str, ...], ...]:
    """A column that answers yes/no per type ("Bestilles", "X", "Ja"): a type row left empty there is not
    ordered once some other row says yes, so it is written "-" (a "no"). A form sheet may hold several tables one
    under another ("Kommune | …", then "Meldingstype | Versjon | Bestilles (X)", then "Teneste | HER-id"):
    each row that names no type heads the type rows under it."""
    if len(rows) < 3:
        return rows
    out = list(rows)
    names = [any(_names_type(cell, vocab) for cell in r) for r in rows]
    k = 0
    while k < len(rows):
        head = k if not names[k] else -1
        first = k + 1 if head >= 0 else k
        end = first
        while end < len(rows) and names[end]:
            end += 1
        if end - first >= 2:
            header = rows[head] if head >= 0 else ()
            out[first:end] = _mark_block(header, rows[first:end], vocab)
        k = max(end, k + 1)
    return tuple(out)


def _mark_block(
    header: tuple[str, ...], body: tuple[tuple[str, ...], ...], vocab: OrderVocabulary
) -> tuple[tuple[str, ...], ...]:
    width = max(len(r) for r in body)
    for c in range(1, width):
        values = [fold(r[c]).strip() if c < len(r) else "" for r in body]
        title = fold(header[c]) if c < len(header) else ""
        filled = [v for v in values if v]
        is_marker = bool(filled) and all(
            vocab.type_marker_yes.fullmatch(v) or vocab.type_marker_no.fullmatch(v) for v in filled
        )
        if not (is_marker or (filled and vocab.type_order_column.search(title))):
            continue
        if not any(vocab.type_marker_yes.fullmatch(v) for v in filled):
            continue
        out = []
        for r, v in zip(body, values, strict=True):
            if not v:
                padded = r + ("",) * (c + 1 - len(r))
                r = tuple("-" if k == c else cell for k, cell in enumerate(padded))
            out.append(r)
        return tuple(out)
    return body


def table_view(text: str, vocab: OrderVocabulary) -> str:
    """`text` with its tables made readable line by line: one-cell-per-line (stacked) tables written one row
    per line, tables that list the types across a row turned so each type gets its own line with its version
    and answer, and a type left unmarked in a yes/no column answered "-". Rewritten rows use " | "."""
    out = text
    for table in reversed(text_tables(text)):
        rows = table.rows
        changed = table.layout == "stacked"
        if _is_transposed(rows, vocab):
            rows, changed = _transpose(rows), True
        marked = _mark_unordered(rows, vocab)
        if not changed and marked == rows:
            continue
        lines = [" | ".join(row) for row in marked]
        out = out[: table.start] + "\n".join(lines) + out[table.end :]
    return out
