"""A small MIME writer for the bot's own mail: text + HTML alternatives and an optional calendar, 7-bit clean.

`email.message.EmailMessage` parses every header it is given into objects and flattens them again; for
mail the bot writes itself from known parts that is most of the cost of composing one. This writer puts
the same structure straight into bytes: headers folded by hand (a non-ASCII subject as RFC 2047 encoded
words), bodies quoted-printable, the calendar base64, so the stored bytes go out as they are (8BITMIME
or not). It refuses (returns None) anything it is not sure to write correctly, and the caller then uses
`EmailMessage`: a non-ASCII value in any header but the subject, or a word too long to fold.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Sequence
from email import base64mime, quoprimime
from email.header import Header

MAX_LINE = 78
# A word longer than this cannot be folded into a valid line; such a header goes the slow way.
MAX_WORD = 900


def fold(name: str, value: str) -> str | None:
    """`Name: value` folded at spaces to lines of at most 78 characters where it can; None when not ASCII."""
    if not value.isascii() or "\r" in value or "\n" in value:
        return None
    line = f"{name}: {value}"
    if len(line) <= MAX_LINE:
        return line
    words = value.split(" ")
    if any(len(w) > MAX_WORD for w in words):
        return None
    lines: list[str] = []
    current = f"{name}:"
    for word in words:
        if not word:
            continue
        if len(current) + 1 + len(word) > MAX_LINE and current.strip() and current != f"{name}:":
            lines.append(current)
            current = f" {word}"
        else:
            current = f"{current} {word}"
    lines.append(current)
    return "\n".join(lines)


def subject_line(subject: str) -> str | None:
    """The Subject header: plain ASCII folded, else RFC 2047 encoded words (UTF-8) folded."""
    if subject.isascii():
        return fold("Subject", subject)
    if "\r" in subject or "\n" in subject:
        return None
    lines = subject.splitlines()
    if len(lines) != 1 or lines[0] != subject:  # a Unicode line separator: Header splits there, let it
        return f"Subject: {Header(subject, 'utf-8', header_name='Subject').encode(linesep=chr(10), maxlinelen=76)}"
    return f"Subject: {encoded_words(subject)}"


# What `Header(value, "utf-8", header_name="Subject").encode(maxlinelen=76)` allows per encoded word:
# 76 minus "Subject: " on the first line and minus the folding space after it, minus "=?utf-8?b?" "?=".
_FIRST_WORD = 76 - len("Subject: ") - len("utf-8") - 7
_LATER_WORD = 76 - 1 - len("utf-8") - 7


def encoded_words(value: str) -> str:
    """`value` as UTF-8 RFC 2047 encoded words, folded, byte for byte as `email.header.Header` writes a
    one-line subject: B or Q, whichever is shorter for the whole value, words cut between characters as
    soon as the next one would not fit. Header measures every prefix again (quadratic in the length);
    this counts as it goes."""
    data = value.encode("utf-8")
    use_b64 = base64mime.header_length(data) < quoprimime.header_length(data)
    encode = base64mime.header_encode if use_b64 else quoprimime.header_encode
    words: list[str] = []
    start = 0  # index in value of the current word's first character
    size = 0  # its length in bytes (B) or in encoded characters (Q)
    limit = _FIRST_WORD
    for i, ch in enumerate(value):
        raw = ch.encode("utf-8")
        width = len(raw) if use_b64 else quoprimime.header_length(raw)
        grown = size + width
        if (-(-grown // 3) * 4 if use_b64 else grown) > limit:
            words.append(encode(value[start:i].encode("utf-8"), charset="utf-8"))
            start, size, limit = i, width, _LATER_WORD
        else:
            size = grown
    words.append(encode(value[start:].encode("utf-8"), charset="utf-8"))
    return "\n ".join(words)


def _qp(text: str) -> bytes:
    """UTF-8 quoted-printable with `\n` line ends (soft breaks keep every line under 77 characters)."""
    return binascii.b2a_qp(text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8"), istext=True)


def _b64(data: bytes) -> bytes:
    flat = base64.b64encode(data)
    return b"\n".join(flat[i:i + 76] for i in range(0, len(flat), 76)) + b"\n"


def _boundary() -> str:
    # "=" never appears unencoded in quoted-printable output and never in base64: no body can contain it.
    return f"=_opk_{uuid.uuid4().hex[:24]}"  # 96 random bits; the Content-Type line stays within 78


def _param(value: str) -> str | None:
    """A quoted MIME parameter value, or None when it would need RFC 2231 (not ASCII, or a quote)."""
    if not value.isascii() or any(c in value for c in '"\\\r\n'):
        return None
    return f'"{value}"'


def write_mail(headers: Sequence[tuple[str, str]], subject: str, text: str, html: str, *,
               calendar: bytes | None = None, calendar_name: str = "") -> bytes | None:
    """The whole message as bytes: `headers` in order (Subject after the first four, as the callers give
    it), then multipart/alternative (text, HTML), inside multipart/mixed with the calendar when there is one.
    None when a header cannot be written here (the caller builds an `EmailMessage` instead)."""
    lines: list[str] = []
    subj = subject_line(subject)
    if subj is None:
        return None
    for name, value in headers:
        if name == "Subject":
            lines.append(subj)
            continue
        line = fold(name, value)
        if line is None:
            return None
        lines.append(line)
    alt = _boundary()
    text_part = (b'Content-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: quoted-printable\n\n'
                 + _ensure_newline(_qp(text)))
    html_part = (b'Content-Type: text/html; charset="utf-8"\nContent-Transfer-Encoding: quoted-printable\n\n'
                 + _ensure_newline(_qp(html)))
    # As email.generator writes it: the newline before a delimiter belongs to the delimiter (RFC 2046).
    alternative = (f"--{alt}\n".encode() + text_part + f"\n--{alt}\n".encode() + html_part
                   + f"\n--{alt}--\n".encode())
    lines.append("MIME-Version: 1.0")
    if calendar is None:
        lines.append(f'Content-Type: multipart/alternative; boundary="{alt}"')
        return ("\n".join(lines) + "\n\n").encode("ascii") + alternative
    filename = _param(calendar_name)
    if filename is None:
        return None
    mixed = _boundary()
    lines.append(f'Content-Type: multipart/mixed; boundary="{mixed}"')
    cal_part = (b'Content-Type: text/calendar; charset="utf-8"; method="PUBLISH"\n'
                b"Content-Transfer-Encoding: base64\n"
                + f"Content-Disposition: attachment; filename={filename}\n\n".encode("ascii") + _b64(calendar))
    return (("\n".join(lines) + "\n\n").encode("ascii")
            + f"--{mixed}\nContent-Type: multipart/alternative; boundary=\"{alt}\"\n\n".encode("ascii")
            + alternative + f"\n--{mixed}\n".encode("ascii") + cal_part + f"\n--{mixed}--\n".encode("ascii"))


def _ensure_newline(body: bytes) -> bytes:
    return body if body.endswith(b"\n") else body + b"\n"
