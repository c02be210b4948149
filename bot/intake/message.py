"""MIME → InboundMessage: decoded headers, the text body, attachments with their text."""

from __future__ import annotations

import email
import email.utils
import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.message import Message
from email.policy import compat32

from bot.intake.addresses import addresses_of, parse_address_list, sender_of
from bot.intake.attachments import Extracted, extract_attachment
from bot.intake.budget import BudgetExceeded, Deadline
from bot.intake.charsets import decode_bytes, decode_header_value, known_codec
from bot.intake.html_text import html_to_text

__all__ = ["Attachment", "InboundMessage", "decode_bytes", "decode_header_value", "parse_message"]


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
    from_addr: str | None  # lower-cased addr-spec read from the structure of the From field, never decoded text
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
    # Why the From field gives no rights, None when it names exactly one clean mailbox: several From fields or
    # mailboxes (from_addr None), no or a malformed address (None), another address in the display name.
    from_problem: str | None = None

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


# --------------------------------------------------------------------------- headers


def _bare_ids(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    ids = re.findall(r"<([^<>\s]+)>", value)
    if not ids:
        ids = [tok for tok in value.split() if "@" in tok]
    return tuple(i.strip() for i in ids)


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
    deadline: Deadline | None
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
    if charset and known_codec(charset) is None:
        walk.defects.append(f"unknown charset {charset!r}")
    return decode_bytes(_payload_bytes(part), charset)


# A delivery report names a few fields per recipient; a report of 250,000 blocks is not read to its end.
MAX_DSN_BLOCKS = 200


def _delivery_status(part: Message, walk: _Walk) -> None:
    payload = part.get_payload()
    blocks: list[Message] = []
    if isinstance(payload, list):
        blocks = [b for b in payload if isinstance(b, Message)]
    elif isinstance(payload, str):
        text = decode_bytes(_payload_bytes(part))
        chunks = re.split(r"\n\s*\n", text.replace("\r\n", "\n"), maxsplit=MAX_DSN_BLOCKS)
        blocks = [email.message_from_string(c.strip() + "\n", policy=compat32) for c in chunks]
    if len(blocks) > MAX_DSN_BLOCKS:
        walk.defects.append(f"delivery report of more than {MAX_DSN_BLOCKS} blocks; the rest was not read")
    for block in blocks[:MAX_DSN_BLOCKS]:
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
            deadline=walk.deadline,
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
    plain_walk = _Walk(walk.max_parts, walk.max_depth, walk.max_decompressed_bytes, walk.deadline, walk.parts_seen)
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
    local = _Walk(walk.max_parts, walk.max_depth, walk.max_decompressed_bytes, walk.deadline, walk.parts_seen)
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
    except BudgetExceeded:
        raise
    except Exception as exc:  # never raise on malformed input: the rest of the mailbox keeps flowing
        local.defects.append(f"MIME walk stopped: {type(exc).__name__}: {exc}")
    walk.parts_seen = local.parts_seen

    body_is_html = False
    body = "\n\n".join(t for t in local.plain if t.strip())
    if not body.strip() and local.html:
        try:
            body = "\n\n".join(html_to_text(h) for h in local.html)
            body_is_html = True
        except Exception as exc:
            local.defects.append(f"HTML conversion failed: {type(exc).__name__}")
            body = "\n\n".join(re.sub(r"<[^<>]*+>", " ", h) for h in local.html)
    if not body.strip() and local.tnef_bodies:
        body = "\n\n".join(local.tnef_bodies)

    def raw_all(name: str) -> list[str]:
        return [str(v) for k, v in items if str(k).strip().lower() == name]

    sender = sender_of(raw_all("from"), decode_header_value)
    to, to_problems = addresses_of(raw_all("to"), decode_header_value)
    cc, cc_problems = addresses_of(raw_all("cc"), decode_header_value)
    local.defects.extend([*(f"To: {p}" for p in to_problems), *(f"Cc: {p}" for p in cc_problems)])
    return_path_raw = raw_all("return-path")
    return_path: str | None = None
    if return_path_raw:
        boxes, _ = parse_address_list(return_path_raw[0], decode_header_value)
        # "<>" (and anything unreadable) is the null sender of a delivery report.
        return_path = (boxes[0].address or "") if len(boxes) == 1 else ""

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
        from_addr=sender.address,
        from_name=sender.name,
        return_path=return_path,
        to=to,
        cc=cc,
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
        from_problem=sender.problem,
    )


def _report_type(msg: Message, ctype: str) -> str | None:
    if ctype != "multipart/report":
        return None
    return (_param(msg, "report-type") or "").strip().lower() or None


def parse_message(
    raw: bytes,
    *,
    max_parts: int = 200,
    max_depth: int = 10,
    max_decompressed_bytes: int = 20_000_000,
    deadline: Deadline | None = None,
) -> InboundMessage:
    """Parse raw message bytes; never raises on malformed mail (problems land in `defects`).

    With a `deadline`, raises BudgetExceeded when reading its attachments spends the message's CPU time."""
    walk = _Walk(max_parts, max_depth, max_decompressed_bytes, deadline)
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
    return replace(msg, defects=tuple(dict.fromkeys([*extra, *msg.defects])))
