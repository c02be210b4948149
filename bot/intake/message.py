"""MIME → InboundMessage: decoded headers, the text body, attachments with their text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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
    delivery_status: tuple[tuple[str, str], ...]  # fields of a message/delivery-status part, lower-cased names
    defects: tuple[str, ...]  # parsing problems that did not stop us
    size_bytes: int
    sha256: str

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
