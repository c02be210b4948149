"""Charsets: message bytes and RFC 2047 header words to text, never failing on a wrong or unknown label."""

from __future__ import annotations

import binascii
import codecs
import re
from base64 import b64decode
from binascii import Error as BinasciiError

# WHATWG maps these labels to windows-1252 because mail and web clients send cp1252 bytes under them.
_CP1252_ALIASES = {"us-ascii", "ascii", "iso-8859-1", "iso8859-1", "latin1", "latin-1", "iso_8859-1"}


def known_codec(name: str | None) -> str | None:
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
    declared_codec = known_codec(declared)
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
    # Linear in C; "_" is a space in header Q-encoding (RFC 2047 §4.2), an invalid "=XY" stays as written.
    return binascii.a2b_qp(text.encode("utf-8", "replace"), header=True)


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
