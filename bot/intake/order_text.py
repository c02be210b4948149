"""An order mail cut into the texts the extractor reads: covering note, forwarded original(s), attachments."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from bot.intake.addresses import TEXT_ADDRESS
from bot.intake.message import InboundMessage
from bot.intake.order_vocab import OrderVocabulary
from bot.registry import fold

# A physical line this long was probably wrapped by the sender's client (Outlook plain text wraps at 76).
WRAPPED_LINE_CHARS = 55
_LIST_ITEM = re.compile(r"^\s*(?:[-*•·▪–]|\d{1,2}[.)]|[a-z][.)]|☐|☒|☑|□|■|\[[ xX]?\])\s")
_FIELD_LINE = re.compile(r"^\s*[\wæøåÆØÅ() /.-]{2,40}(?::|\s{2,}|\t|\|)\s*\S")
_SENTENCE_END = re.compile(
    r"(?<!\b[Ss]t)(?<!\bnr)(?<!\btlf)(?<!\bca)(?<!\bkl)(?<!\borg)(?<!\binkl)(?<!\bjf)"
    r"(?<![.!?])[.!?]++(?=\s+[A-ZÆØÅ\"'«(])"
)


@dataclass(frozen=True)
class Part:
    """One text of the order. `text` has quote headers and the signature cut; `full` keeps them."""

    source: str  # "note", "forwarded", "embedded", "attachment:<filename>"
    text: str
    full: str
    author: str | None  # address of whoever wrote this text (None for attachments)
    rows: tuple[tuple[str, ...], ...] = ()
    author_name: str = ""  # the name on a quoted mail's From line ("Fra: Ragnar Lian"), folded

    @property
    def is_attachment(self) -> bool:
        return self.source.startswith("attachment")


@dataclass(frozen=True)
class Unit:
    """A sentence or list item: the scope in which a type meets its version and a date meets its label."""

    start: int
    end: int
    line: int  # index of the logical line it sits on
    paragraph: int


def first_address(text: str) -> str | None:
    m = TEXT_ADDRESS.search(text)
    return m.group(0).lower().rstrip(".") if m else None


def _is_header_start(keys: list[str], i: int, vocab: OrderVocabulary) -> bool:
    """An Outlook/Gmail/Apple header block: a From line with another header line within the next five."""
    if not vocab.from_line.match(keys[i]):
        return False
    return any(vocab.header_line.match(keys[j]) for j in range(i + 1, min(len(keys), i + 6)))


def _find_break(keys: list[str], start: int, vocab: OrderVocabulary) -> tuple[int, bool] | None:
    """Index of the next quoted/forwarded block, and whether its marker says it is a forward."""
    for i in range(start, len(keys)):
        key = keys[i]
        if any(p.match(key) for p in vocab.forward_markers):
            return i, True
        if any(p.match(key) for p in vocab.reply_markers) or _is_header_start(keys, i, vocab):
            return i, False
    return None


def _cut_signature(lines: list[str], vocab: OrderVocabulary) -> list[str]:
    for i, line in enumerate(lines):
        if i > 0 and len(lines) - i <= 25 and vocab.signature_start.match(fold(line)):
            return lines[:i]
    return lines


def _header_block(
    lines: list[str], keys: list[str], start: int, vocab: OrderVocabulary
) -> tuple[int, str | None, str]:
    """Skip a marker line and the header lines after it; return where the quoted body starts, the address
    on its From line and the name there."""
    i, author, name = start, None, ""
    if not vocab.header_line.match(keys[i]):
        author = first_address(lines[i])  # "… skrev Navn <adr>:" names the author itself
        i += 1  # the marker line itself ("-----Opprinnelig melding-----", "… skrev:")
    body = i
    while i < len(lines) and not keys[i].strip():
        i += 1
    if i < len(lines) and not vocab.header_line.match(keys[i]):
        return body, author, name  # an attribution line ("… skrev …:") has no header block under it
    # The block ends at the first blank line, also a quoted one ("> " under Apple Mail's "> Emne: …").
    while i < len(lines) and keys[i].strip():
        label = vocab.from_line.match(keys[i])
        if label and author is None:
            author = first_address(lines[i])
            name = _display_name(keys[i][label.end() :])
        i += 1
    return i, author, name


def _display_name(value: str) -> str:
    """ "Ragnar Lian [mailto:…]", "\"Lian, Ragnar\" <…>": the name alone, without addresses and quotes."""
    value = TEXT_ADDRESS.sub(" ", value)
    return " ".join(re.sub(r"[<>\[\]\"*]|mailto:", " ", value).split()).strip(" ,")


_QUOTE_MARKS = re.compile(r"^(?:\s?>)+ ?")


def _unquoted(line: str) -> str:
    return _QUOTE_MARKS.sub("", line)


def split_body(text: str, author: str | None, forward: bool, vocab: OrderVocabulary) -> list[Part]:
    """The body's own text, then (for forwards) each forwarded mail with the address it came from."""
    lines = text.split("\n")
    # What the mail markers are matched on: each line folded ("Frå:" → "fra:") and without its quote marks.
    keys = [_unquoted(line) for line in fold(text).split("\n")]
    parts: list[Part] = []
    pos, source, who, name = 0, "note", author, ""
    while True:
        found = _find_break(keys, pos, vocab)
        end = found[0] if found else len(lines)
        own = lines[pos:end] if source != "note" or forward else [ln for ln in lines[pos:end] if not ln.startswith(">")]
        own = [_unquoted(line) for line in own]
        parts.append(Part(source, "\n".join(_cut_signature(own, vocab)), "\n".join(own), who, author_name=name))
        if found is None:
            break
        if not (forward or found[1]):
            break  # a reply's quoted history is not part of the order
        forward = True
        pos, who, name = _header_block(lines, keys, found[0], vocab)
        source = "forwarded"
    return parts


def message_parts(msg: InboundMessage, vocab: OrderVocabulary, new_text: str | None = None) -> list[Part]:
    """All texts of an order: body (split at forwards), embedded mails and attachments, in that order."""
    forward = bool(vocab.forward_subject.search(msg.subject or ""))
    # A forward's original is the order: read the whole body even if the caller cut "quotes" from it.
    body = msg.body_text if forward or new_text is None else new_text
    parts = split_body(body, msg.from_addr, forward, vocab)
    for inner in msg.embedded:
        for p in split_body(inner.body_text, inner.from_addr, True, vocab):
            parts.append(Part("embedded", p.text, p.full, p.author))
    for sub in (msg, *msg.embedded):
        for att in sub.attachments:
            if att.text or att.rows:
                text = _with_table_rows(att.text, att.rows) if att.text else "\n".join(" | ".join(r) for r in att.rows)
                parts.append(Part(f"attachment:{att.filename or att.content_type}", text, text, None, att.rows))
    return parts


def quoted_history(msg: InboundMessage, vocab: OrderVocabulary, new_text: str | None = None) -> list[Part]:
    """The mails quoted under a reply-chain order ("SV: Oppkobling …" answering a person), each with the
    address it came from. Empty for forwards (their originals are already parts) and when nothing was cut."""
    forward = bool(vocab.forward_subject.search(msg.subject or ""))
    if forward or new_text is None:
        return []
    quoted = split_body(msg.body_text, msg.from_addr, True, vocab)[1:]
    return [Part("quoted", p.text, p.full, p.author, author_name=p.author_name) for p in quoted]


def _with_table_rows(text: str, rows: tuple[tuple[str, ...], ...]) -> str:
    """An attachment's text with its table rows (written with two spaces, empty cells lost) written with
    " | " and every cell kept, so a blank "Bestilles" cell stays in its column. A row shorter than the rows
    above it (a spreadsheet leaves out empty cells at the end) is padded to their width."""
    lines = text.split("\n")
    k = 0
    width = 0  # of the rows written so far: a spreadsheet drops a row's empty cells at its end
    for i, line in enumerate(lines):
        if k >= len(rows):
            break
        row = rows[k]
        if len(row) > 1 and line.strip() in ("  ".join(row).strip(), "  ".join(c for c in row if c).strip()):
            width = max(width, len(row))
            lines[i] = " | ".join(row + ("",) * (width - len(row)))
            k += 1
        elif len(row) <= 1 and line.strip() == "".join(row).strip():
            k += 1
            width = 0
    return "\n".join(lines)


def logical_lines(text: str) -> list[tuple[int, int]]:
    """Line spans with lines wrapped by the mail client joined back together."""
    spans: list[tuple[int, int]] = []
    pos = 0
    # Of the logical line so far: is it long enough to have been wrapped, and does it end with ":"? Kept as
    # flags rather than re-read from the text, which copied a growing line once per joined line (quadratic).
    wrapped = ends_with_colon = False
    for raw in text.split("\n"):
        start, end = pos, pos + len(raw)
        pos = end + 1
        content = raw.rstrip()
        if spans and content.strip() and wrapped and not ends_with_colon and not _LIST_ITEM.match(raw) and not (
            _FIELD_LINE.match(raw)
        ):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
            wrapped = len(content) >= WRAPPED_LINE_CHARS
        ends_with_colon = content.endswith(":")
    return spans


def units(text: str) -> list[Unit]:
    """Sentences within logical lines; blank lines separate paragraphs."""
    out: list[Unit] = []
    paragraph = 0
    for index, (start, end) in enumerate(logical_lines(text)):
        line = text[start:end]
        if not line.strip():
            paragraph += 1
            continue
        cut = start
        for m in _SENTENCE_END.finditer(line):
            out.append(Unit(cut, start + m.end(), index, paragraph))
            cut = start + m.end()
        out.append(Unit(cut, end, index, paragraph))
    return out


def unit_at(all_units: list[Unit], pos: int) -> int:
    """Index of the unit containing `pos` (or the last one before it)."""
    return max(0, bisect.bisect_right(all_units, pos, key=lambda u: u.start) - 1)
