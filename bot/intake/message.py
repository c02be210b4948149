"""MIME → InboundMessage: decoded headers, the text body, attachments with their text."""

from __future__ import annotations

import codecs
import email
import email.utils
import hashlib
import re
import textwrap
from base64 import b64decode
from binascii import Error as BinasciiError
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from email.policy import compat32
from html.parser import HTMLParser

from bot.intake.attachments import Extracted, extract_attachment


@dataclass(frozen=True)
class Attachment:
    filename: str | None  # decoded (RFC 2047 / RFC 2231); never used as a filesystem path
    content_type: str
    size_bytes: int
    text: str | None  # extracted text (DOCX, PDF, XLSX, plain text), None when not extractable
    rows: tuple[tuple[str, ...], ...] = ()  # table rows for DOCX tables and XLSX sheets (cells as text)


@dataclass(frozen=True)
class InboundMessage:
    """One message as intake sees it. Built by `parse_message`; pure data, no IO."""

    message_id: str | None  # without angle brackets
    in_reply_to: tuple[str, ...]  # Message-IDs without angle brackets
    references: tuple[str, ...]
    from_addr: str | None  # lower-cased bare address
    from_name: str
    return_path: str | None  # "" for the null sender <>, None when absent
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str  # decoded, unfolded
    date: datetime | None  # aware
    headers: tuple[tuple[str, str], ...]  # (lower-cased name, decoded value) in order, all of them
    body_text: str  # text/plain preferred, else HTML converted to text; line breaks kept
    attachments: tuple[Attachment, ...]
    embedded: tuple[InboundMessage, ...]  # attached message/rfc822 parts (and .eml attachments)
    content_type: str  # of the top-level part, e.g. "multipart/report"
    report_type: str | None  # the report-type parameter of a multipart/report
    delivery_status: tuple[tuple[str, str], ...]  # message/delivery-status fields, names lower-cased
    defects: tuple[str, ...]  # parsing problems that did not stop us
    size_bytes: int
    sha256: str
    body_is_html: bool = False  # True when body_text was converted from an HTML part (no usable text/plain)

    def header(self, name: str) -> str | None:
        """The first header of that name (case-insensitive), decoded."""
        wanted = name.lower()
        for key, value in self.headers:
            if key == wanted:
                return value
        return None

    def header_all(self, name: str) -> tuple[str, ...]:
        wanted = name.lower()
        return tuple(value for key, value in self.headers if key == wanted)


# --------------------------------------------------------------------------- charsets and headers

# WHATWG maps these labels to windows-1252 because mail and web clients send cp1252 bytes under them.
_CP1252_ALIASES = {"us-ascii", "ascii", "iso-8859-1", "iso8859-1", "latin1", "latin-1", "iso_8859-1"}


def _codec(name: str | None) -> str | None:
    """A Python codec name for a declared charset, or None when unknown."""
    if not name:
        return None
    cleaned = name.strip().strip('"').lower()
    if cleaned in _CP1252_ALIASES:
        return "windows-1252"
    try:
        return codecs.lookup(cleaned).name
    except (LookupError, ValueError):
        return None


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode with the declared charset, then utf-8, then windows-1252, then iso-8859-1 (never fails)."""
    candidates: list[str] = []
    declared_codec = _codec(declared)
    if declared_codec is not None:
        candidates.append(declared_codec)
    candidates += ["utf-8", "windows-1252"]
    for name in candidates:
        try:
            return data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("iso-8859-1")


_ENCODED_WORD = re.compile(r"=\?([^?\s*]+)(?:\*[^?\s]*)?\?([qQbB])\?([^?\s]*)\?=")
_SURROGATES = re.compile(r"[\udc80-\udcff]")


def _word_bytes(encoding: str, text: str) -> bytes:
    if encoding in "bB":
        padded = text + "=" * (-len(text) % 4)
        try:
            return b64decode(padded)
        except (BinasciiError, ValueError):
            return text.encode("ascii", "replace")
    raw = text.replace("_", " ")
    out = bytearray()
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == "=" and i + 2 < len(raw) + 0 and re.fullmatch(r"[0-9A-Fa-f]{2}", raw[i + 1 : i + 3]):
            out.append(int(raw[i + 1 : i + 3], 16))
            i += 3
            continue
        out += ch.encode("utf-8", "replace")
        i += 1
    return bytes(out)


def decode_header_value(value: str) -> str:
    """Unfold and decode a raw header value: RFC 2047 words (adjacent words joined first) and raw 8-bit."""
    if _SURROGATES.search(value):
        # compat32 keeps raw 8-bit header bytes as surrogates; most senders mean utf-8, old ones cp1252.
        value = decode_bytes(value.encode("ascii", "surrogateescape"))
    value = re.sub(r"\r?\n[ \t]", " ", value).replace("\r", "").replace("\n", "")
    if "=?" not in value:
        return value.strip()
    pieces: list[str] = []
    pending: bytearray = bytearray()
    pending_charset: str | None = None
    pos = 0

    def flush() -> None:
        nonlocal pending, pending_charset
        if pending:
            pieces.append(decode_bytes(bytes(pending), pending_charset))
        pending = bytearray()
        pending_charset = None

    for match in _ENCODED_WORD.finditer(value):
        between = value[pos : match.start()]
        # RFC 2047 §6.2: whitespace between adjacent encoded words is not displayed.
        if between and not (pending and between.isspace()):
            flush()
            pieces.append(between)
        charset = match.group(1).lower()
        if pending and charset != pending_charset:
            flush()
        # Joining the bytes of adjacent words first repairs a multibyte character split across two words.
        pending += _word_bytes(match.group(2), match.group(3))
        pending_charset = charset
        pos = match.end()
    flush()
    pieces.append(value[pos:])
    return "".join(pieces).strip()


def _bare_ids(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    ids = re.findall(r"<([^<>\s]+)>", value)
    if not ids:
        ids = [tok for tok in value.split() if "@" in tok]
    return tuple(i.strip() for i in ids)


def _addresses(raw_values: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """(decoded name, lower-cased address) pairs; parses before decoding so encoded commas stay in names."""
    cleaned = [re.sub(r"\r?\n[ \t]", " ", v) for v in raw_values]
    out: list[tuple[str, str]] = []
    for name, addr in email.utils.getaddresses(cleaned):
        addr = decode_header_value(addr).strip().lower()
        if addr:
            out.append((decode_header_value(name), addr))
    return tuple(out)


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:
        # "-0000" means UTC with unknown local zone (RFC 5322 §3.3).
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type().lower()
    except Exception:  # a malformed Content-Type must not stop intake
        return "text/plain"


def _param(part: Message, name: str) -> str | None:
    try:
        value = part.get_param(name)
    except Exception:
        return None
    if isinstance(value, tuple):
        value = email.utils.collapse_rfc2231_value(value)
    return value if isinstance(value, str) else None


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename() or _param(part, "name")
    except Exception:
        name = None
    if not name:
        return None
    return decode_header_value(name) or None


def _is_attachment(part: Message) -> bool:
    disposition = (part.get("content-disposition") or "").split(";")[0].strip().lower()
    return disposition == "attachment"


def _payload_bytes(part: Message) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        return b""
    return payload if isinstance(payload, bytes) else b""


_BLOCKQUOTE_TAG = re.compile(r"<(/?)blockquote\b([^>]*)>", re.IGNORECASE)
# A blockquote that a mail client made for a quoted message: Apple Mail and Thunderbird mark it
# type="cite", Gmail class="gmail_quote", Yahoo "yahoo_quoted". Gmail's "indent" button also makes a
# blockquote (style="margin:0 0 0 40px; border:none"), which is the sender's own text and stays.
_QUOTING_BLOCKQUOTE = re.compile(r"""\btype\s*=\s*["']?cite\b|\bclass\s*=\s*["'][^"']*quote""", re.IGNORECASE)
_QUOTE_START = "\ue000"
_QUOTE_END = "\ue001"


def _mark_quoted_blockquotes(html: str) -> str:
    """Put start/end markers inside quoting blockquotes, so their text can become '>' lines."""
    if "blockquote" not in html.lower():
        return html
    out: list[str] = []
    stack: list[bool] = []
    pos = 0
    for match in _BLOCKQUOTE_TAG.finditer(html):
        out.append(html[pos : match.start()])
        if match.group(1):  # </blockquote>
            if stack and stack.pop():
                out.append(f"<div>{_QUOTE_END}</div>")
            out.append(match.group(0))
        else:
            quoting = bool(_QUOTING_BLOCKQUOTE.search(match.group(2)))
            stack.append(quoting)
            out.append(match.group(0))
            if quoting:
                out.append(f"<div>{_QUOTE_START}</div>")
        pos = match.end()
    out.append(html[pos:])
    return "".join(out)


def _quote_marked_lines(text: str) -> str:
    if _QUOTE_START not in text:
        return text
    depth = 0
    lines: list[str] = []
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped in (_QUOTE_START, _QUOTE_END):
            depth = max(0, depth + (1 if stripped == _QUOTE_START else -1))
            continue
        line = line.replace(_QUOTE_START, "").replace(_QUOTE_END, "")
        lines.append(f"{'>' * depth} {stripped}".rstrip() if depth else line)
    return "\n".join(lines)


# inscriptis builds a full tree (about 75 bytes of memory per byte of HTML); past this size a streaming
# converter with the same line structure is used, so a 2 MB HTML table stays within the memory bound.
_LARGE_HTML = 400_000
_BLOCK_TAGS = frozenset(
    {"address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "footer", "form", "header", "hr"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody"}
    | {"thead", "tfoot", "tr", "ul"}
)


class _LightHtmlText(HTMLParser):
    """Text of an HTML document, streaming: block elements and <br> end lines, table cells are spaced."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head", "title"):
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self._newline()
        elif tag in ("td", "th"):
            self.parts.append("  ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "title"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self._newline()

    def _newline(self) -> None:
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if data.strip():
            self.parts.append(re.sub(r"\s+", " ", data))
        elif data and self.parts and not self.parts[-1].endswith((" ", "\n")):
            self.parts.append(" ")  # the space between two inline elements

    def text(self) -> str:
        lines = (line.strip() for line in "".join(self.parts).split("\n"))
        return "\n".join(lines)


def _html_to_text_light(html: str) -> str:
    parser = _LightHtmlText()
    parser.feed(html)
    parser.close()
    return parser.text()


def _html_to_text(html: str) -> str:
    if not html.strip():
        return ""
    marked = _mark_quoted_blockquotes(html)
    if len(html) > _LARGE_HTML:
        text = _html_to_text_light(marked)
    else:
        from inscriptis import get_text
        from inscriptis.css_profiles import RELAXED_CSS_PROFILE
        from inscriptis.model.config import ParserConfig

        config = ParserConfig(css=RELAXED_CSS_PROFILE.copy(), display_links=False, table_cell_separator="  ")
        text = get_text(marked, config)
    # Word HTML indents the whole body and puts paragraph margins everywhere; flatten both.
    text = _quote_marked_lines(textwrap.dedent(text.replace("\r\n", "\n")))
    return re.sub(r"\n[ \t]*(?:\n[ \t]*){2,}", "\n\n", text)


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


# --------------------------------------------------------------------------- the MIME walk


@dataclass
class _Walk:
    """Mutable state of one parse: budgets shared across nested messages, and what was collected."""

    max_parts: int
    max_depth: int
    max_decompressed_bytes: int
    parts_seen: int = 0
    defects: list[str] = field(default_factory=list)
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    embedded: list[InboundMessage] = field(default_factory=list)
    delivery_status: list[tuple[str, str]] = field(default_factory=list)
    tnef_bodies: list[str] = field(default_factory=list)


def _text_of(part: Message, walk: _Walk) -> str:
    charset = _param(part, "charset")
    if charset and _codec(charset) is None:
        walk.defects.append(f"unknown charset {charset!r}")
    return decode_bytes(_payload_bytes(part), charset)


def _delivery_status(part: Message, walk: _Walk) -> None:
    payload = part.get_payload()
    blocks: list[Message] = []
    if isinstance(payload, list):
        blocks = [b for b in payload if isinstance(b, Message)]
    elif isinstance(payload, str):
        text = decode_bytes(_payload_bytes(part))
        for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
            blocks.append(email.message_from_string(chunk.strip() + "\n", policy=compat32))
    for block in blocks:
        for name, value in block.items():
            walk.delivery_status.append((name.lower(), decode_header_value(str(value))))


def _embed(msg_bytes: bytes, walk: _Walk, depth: int) -> None:
    if depth >= walk.max_depth:
        walk.defects.append("embedded message nested too deep; skipped")
        return
    try:
        sub = email.message_from_bytes(msg_bytes, policy=compat32)
    except Exception as exc:  # never raise on malformed input
        walk.defects.append(f"embedded message unreadable: {type(exc).__name__}")
        return
    _add_embedded(_build(sub, msg_bytes, walk, depth), walk)


def _message_bytes(msg: Message) -> bytes:
    try:
        return msg.as_bytes(policy=compat32)
    except Exception:
        try:
            return msg.as_string(policy=compat32).encode("utf-8", "surrogateescape")
        except Exception:
            return b""


def _add_extracted(extracted: Extracted, walk: _Walk) -> None:
    for item in extracted.attachments:
        walk.attachments.append(
            Attachment(item.filename, item.content_type, item.size_bytes, item.text, item.rows)
        )
    walk.defects.extend(extracted.defects)
    if extracted.body_text:
        walk.tnef_bodies.append(extracted.body_text)


def _walk(part: Message, walk: _Walk, depth: int, in_alternative: bool = False) -> None:
    walk.parts_seen += 1
    if walk.parts_seen > walk.max_parts:
        if walk.parts_seen == walk.max_parts + 1:
            walk.defects.append(f"more than {walk.max_parts} MIME parts; the rest was skipped")
        return
    if depth > walk.max_depth:
        walk.defects.append("MIME structure nested too deep; skipped")
        return
    walk.defects.extend(type(d).__name__ for d in getattr(part, "defects", ()))
    ctype = _content_type(part)
    filename = _filename(part)

    if ctype == "message/delivery-status":
        _delivery_status(part, walk)
        return
    if ctype in ("message/rfc822", "message/global"):
        payload = part.get_payload()
        if isinstance(payload, list) and payload and isinstance(payload[0], Message):
            inner = payload[0]
            _embed_message(inner, walk, depth + 1)
        else:
            _embed(_payload_bytes(part), walk, depth + 1)
        return
    if ctype == "text/rfc822-headers":
        _embed(_payload_bytes(part), walk, depth + 1)
        return
    if part.is_multipart():
        children = [c for c in (part.get_payload() or []) if isinstance(c, Message)]
        if ctype == "multipart/alternative":
            _walk_alternative(children, walk, depth)
            return
        if ctype == "multipart/related" and children:
            # Only the root of a related group is body; the rest are its inline images.
            _walk(children[0], walk, depth + 1)
            for child in children[1:]:
                _walk(child, walk, depth + 1)
            return
        for child in children:
            _walk(child, walk, depth + 1)
        return

    is_eml = bool(filename and filename.lower().endswith(".eml"))
    if is_eml:
        _embed(_payload_bytes(part), walk, depth + 1)
        return
    if ctype in ("text/plain", "text/html") and not _is_attachment(part) and not filename:
        text = _text_of(part, walk)
        (walk.plain if ctype == "text/plain" else walk.html).append(text)
        return
    if ctype.startswith("multipart/"):
        return  # a multipart with no parts: nothing to read
    data = _payload_bytes(part)
    _add_extracted(
        extract_attachment(
            filename,
            ctype,
            data,
            charset=_param(part, "charset"),
            max_decompressed_bytes=walk.max_decompressed_bytes,
        ),
        walk,
    )


def _embed_message(inner: Message, walk: _Walk, depth: int) -> None:
    if depth >= walk.max_depth:
        walk.defects.append("embedded message nested too deep; skipped")
        return
    _add_embedded(_build(inner, _message_bytes(inner), walk, depth), walk)


def _add_embedded(embedded: InboundMessage, walk: _Walk) -> None:
    walk.embedded.append(embedded)
    # The outer message reports problems anywhere inside it, so one look at its defects is enough.
    walk.defects.extend(d if d.startswith("embedded: ") else f"embedded: {d}" for d in embedded.defects)


def _walk_alternative(children: list[Message], walk: _Walk, depth: int) -> None:
    """Read one alternative: the plain text one when it has text, else the richest other."""
    plain_walk = _Walk(walk.max_parts, walk.max_depth, walk.max_decompressed_bytes, walk.parts_seen)
    for child in children:
        _walk(child, plain_walk, depth + 1)
    walk.parts_seen = plain_walk.parts_seen
    walk.defects.extend(plain_walk.defects)
    walk.attachments.extend(plain_walk.attachments)
    walk.embedded.extend(plain_walk.embedded)
    walk.delivery_status.extend(plain_walk.delivery_status)
    walk.tnef_bodies.extend(plain_walk.tnef_bodies)
    plain = "\n".join(t for t in plain_walk.plain if t.strip())
    if plain.strip():
        walk.plain.append(plain)
    elif plain_walk.html:
        walk.html.append(plain_walk.html[-1])


def _build(msg: Message, raw: bytes, walk: _Walk, depth: int) -> InboundMessage:
    """One InboundMessage from a parsed tree; nested messages get their own body and attachment lists."""
    local = _Walk(walk.max_parts, walk.max_depth, walk.max_decompressed_bytes, walk.parts_seen)
    headers: list[tuple[str, str]] = []
    try:
        # raw_items keeps undeclared 8-bit bytes as surrogates; items() would turn them into U+FFFD.
        items = list(msg.raw_items())
    except Exception:
        items = []
        local.defects.append("headers unreadable")
    for name, value in items:
        headers.append((str(name).strip().lower(), decode_header_value(str(value))))
    try:
        _walk(msg, local, depth)
    except Exception as exc:  # never raise on malformed input: the rest of the mailbox keeps flowing
        local.defects.append(f"MIME walk stopped: {type(exc).__name__}: {exc}")
    walk.parts_seen = local.parts_seen

    body_is_html = False
    body = "\n\n".join(t for t in local.plain if t.strip())
    if not body.strip() and local.html:
        try:
            body = "\n\n".join(_html_to_text(h) for h in local.html)
            body_is_html = True
        except Exception as exc:
            local.defects.append(f"HTML conversion failed: {type(exc).__name__}")
            body = "\n\n".join(re.sub(r"<[^>]+>", " ", h) for h in local.html)
    if not body.strip() and local.tnef_bodies:
        body = "\n\n".join(local.tnef_bodies)

    def raw_all(name: str) -> list[str]:
        return [str(v) for k, v in items if str(k).strip().lower() == name]

    senders = _addresses(raw_all("from"))
    return_path_raw = raw_all("return-path")
    return_path: str | None = None
    if return_path_raw:
        rp = return_path_raw[0].strip()
        rp_addr = email.utils.parseaddr(rp)[1].strip().lower()
        return_path = "" if rp in ("<>", "") or not rp_addr else rp_addr

    def first(name: str) -> str | None:
        for key, value in headers:
            if key == name:
                return value
        return None

    ctype = _content_type(msg)
    message_id = _bare_ids(first("message-id"))
    return InboundMessage(
        message_id=message_id[0] if message_id else None,
        in_reply_to=_bare_ids(first("in-reply-to")),
        references=_bare_ids(" ".join(v for k, v in headers if k == "references")),
        from_addr=senders[0][1] if senders else None,
        from_name=senders[0][0] if senders else "",
        return_path=return_path,
        to=tuple(addr for _, addr in _addresses(raw_all("to"))),
        cc=tuple(addr for _, addr in _addresses(raw_all("cc"))),
        subject=first("subject") or "",
        date=_parse_date(first("date")),
        headers=tuple(headers),
        body_text=_normalise(body),
        attachments=tuple(local.attachments),
        embedded=tuple(local.embedded),
        content_type=ctype,
        report_type=_report_type(msg, ctype),
        delivery_status=tuple(local.delivery_status),
        defects=tuple(dict.fromkeys(local.defects)),
        size_bytes=len(raw),
        sha256=hashlib.sha256(raw).hexdigest(),
        body_is_html=body_is_html,
    )


def _report_type(msg: Message, ctype: str) -> str | None:
    if ctype != "multipart/report":
        return None
    return (_param(msg, "report-type") or "").strip().lower() or None


def parse_message(
    raw: bytes, *, max_parts: int = 200, max_depth: int = 10, max_decompressed_bytes: int = 20_000_000
) -> InboundMessage:
    """Parse raw message bytes; never raises on malformed mail (problems land in `defects`)."""
    walk = _Walk(max_parts, max_depth, max_decompressed_bytes)
    try:
        # compat32 is ~4x faster than policy.default and never raises lazily on header access;
        # header decoding is done here (decode_header_value), which is where policy.default would help.
        msg = email.message_from_bytes(raw, policy=compat32)
    except Exception as exc:
        msg = Message()
        walk.defects.append(f"unparseable message: {type(exc).__name__}")
    result = _build(msg, raw, walk, 0)
    if walk.defects:
        result = _with_defects(result, walk.defects)
    return result


def _with_defects(msg: InboundMessage, extra: list[str]) -> InboundMessage:
    from dataclasses import replace

    return replace(msg, defects=tuple(dict.fromkeys([*extra, *msg.defects])))
