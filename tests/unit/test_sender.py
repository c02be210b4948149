"""The sending port: the retry backoff policy and the in-memory sender the outbox tests use."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from bot.mail.memory_sender import MemorySender
from bot.mail.sender import Delivery, envelope_recipients, envelope_sender, next_attempt_delay_s


@pytest.mark.parametrize(
    ("attempts", "delay_s"),
    [
        (-1, 0.0),
        (0, 0.0),
        (1, 60.0),
        (2, 120.0),
        (3, 240.0),
        (6, 1920.0),
        (7, 3600.0),
        (50, 3600.0),
        (10**6, 3600.0),
    ],
)
def test_backoff_doubles_up_to_an_hour(attempts: int, delay_s: float) -> None:
    """After n failed attempts the next one waits 60 s × 2^(n−1), never more than an hour."""
    assert next_attempt_delay_s(attempts) == delay_s


def test_backoff_parameters() -> None:
    """Base and cap can be tuned per call."""
    assert next_attempt_delay_s(3, base_s=10, cap_s=25) == 25.0
    assert next_attempt_delay_s(2, base_s=10, cap_s=25) == 20.0


def mail(*to: str, cc: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = '"Meldingsansvarlig Helse Midt-Norge" <meldingsansvarlig@helse-midt.no>'
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = cc
    msg["Message-ID"] = "<x@helse-midt.no>"
    msg.set_content("Hei")
    return msg


def test_envelope_from_headers() -> None:
    """Envelope recipients are To, Cc and Bcc without duplicates; the sender is the From address."""
    msg = mail("a@x.no", "B <b@x.no>", cc="a@x.no, c@x.no")
    assert envelope_recipients(msg) == ("a@x.no", "b@x.no", "c@x.no")
    assert envelope_sender(msg) == "meldingsansvarlig@helse-midt.no"


async def test_memory_sender_reports_per_recipient() -> None:
    """The fake fails the listed recipients the way SMTP would and keeps what was accepted."""
    sender = MemorySender(permanent={"gone@x.no"}, temporary={"Busy@x.no"})
    [result] = await sender.send_many([mail("ok@x.no", "gone@x.no", "busy@x.no")])
    assert result.accepted == ("ok@x.no",)
    assert result.permanent == ("gone@x.no",)
    assert result.temporary == ("busy@x.no",)
    assert result.needs_retry
    assert [r.code for r in result.recipients] == [250, 550, 451]
    assert len(sender.sent_to("OK@x.no")) == 1 and sender.sent_to("gone@x.no") == []
    assert sender.batches == 1


async def test_memory_sender_down_and_explicit_recipients() -> None:
    """When down everything is temporary; explicit recipient lists override the headers."""
    sender = MemorySender(down=True)
    [result] = await sender.send_many([mail("a@x.no")])
    assert result.temporary == ("a@x.no",) and sender.sent == []
    sender.down = False
    [result] = await sender.send_many([mail("a@x.no", "b@x.no")], [["b@x.no"]])
    assert [(r.address, r.delivery) for r in result.recipients] == [("b@x.no", Delivery.ACCEPTED)]
    with pytest.raises(ValueError, match="recipient lists"):
        await sender.send_many([mail("a@x.no")], [])
