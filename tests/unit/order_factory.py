"""A factory for the order-extraction tests: an InboundMessage as parse_message builds it for a text mail."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.intake.message import Attachment, InboundMessage

SENT = datetime(2026, 11, 16, 9, 30, tzinfo=UTC)


def make_msg(
    body: str,
    *,
    subject: str = "Bestilling av e-meldinger",
    from_addr: str = "kari.nordmann@malvik.kommune.no",
    sent: datetime = SENT,
    attachments: tuple[Attachment, ...] = (),
    embedded: tuple[InboundMessage, ...] = (),
) -> InboundMessage:
    """An InboundMessage as parse_message would build it for a simple text mail."""
    return InboundMessage(
        message_id="x@test",
        in_reply_to=(),
        references=(),
        from_addr=from_addr,
        from_name="",
        return_path=from_addr,
        to=("meldingsansvarlig@helse-midt.no",),
        cc=(),
        subject=subject,
        date=sent,
        headers=(),
        body_text=body,
        attachments=attachments,
        embedded=embedded,
        content_type="text/plain",
        report_type=None,
        delivery_status=(),
        defects=(),
        size_bytes=len(body),
        sha256="0",
    )
