"""The bot's own MIME writer: 7-bit lines within 78 characters, the same content `EmailMessage` would carry."""

from __future__ import annotations

import email
import email.policy
from email.header import Header
from email.message import EmailMessage

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import MailKind
from bot.outbound.mime import fold, subject_line, write_mail
from bot.outbound.render import Composer
from bot.outbound.samples import sample_contexts
from bot.routine.calendar import BusinessCalendar
from bot.routine.plan import load_plan
from bot.rulefile import TEMPLATES_DIR

PLAN = load_plan()
CAL = BusinessCalendar(PLAN.closed_days)
SAMPLES = sample_contexts(PLAN, CAL)
HEADERS = [("From", '"Meldingsansvarlig Helse Midt-Norge" <meldingsansvarlig@helse-midt.no>'),
           ("To", "meldingsansvarlig@malvik.kommune.no"), ("Subject", ""), ("Message-ID", "<a@helse-midt.no>")]


def parsed(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


@pytest.mark.parametrize("kind", list(SAMPLES), ids=str)
def test_every_kind_is_seven_bit_with_short_lines(kind: MailKind) -> None:
    """Every mail kind is written as ASCII bytes, no line over 78 characters, text and HTML readable again."""
    composer = Composer(TEMPLATES_DIR, "meldingsansvarlig@helse-midt.no", PLAN, CAL)
    subject, raw = composer.build_raw(kind, SAMPLES[kind], ["meldingsansvarlig@malvik.kommune.no"],
                                      message_id="<x@helse-midt.no>", in_reply_to="<r@malvik.kommune.no>",
                                      references=["<q@helse-midt.no>"], auto_replied=True)
    assert raw.isascii()
    assert max(len(line) for line in raw.split(b"\n")) <= 78
    msg = parsed(raw)
    assert msg["Subject"] == subject
    rendered = composer.render(kind, SAMPLES[kind])  # without the calendar's sentence
    text = next(p for p in msg.walk() if p.get_content_type() == "text/plain").get_content()
    if msg.get_content_type() == "multipart/mixed":
        assert "kalenderfil" in text and text.startswith(rendered.text.split("\n")[0])
    else:
        assert text == rendered.text


def test_hostile_subject_stays_one_header() -> None:
    """A subject with line breaks is refused by the writer (the caller sanitises; nothing is smuggled)."""
    assert write_mail(HEADERS, "Hei\nBcc: evil@example.com", "t", "<p>t</p>") is None
    raw = write_mail(HEADERS, "Ærlig talt – " + "ø" * 300, "t", "<p>t</p>")
    assert raw is not None and raw.isascii()
    assert parsed(raw)["Subject"] == "Ærlig talt – " + "ø" * 300
    assert parsed(raw)["Bcc"] is None


def test_what_the_writer_cannot_fold_goes_the_slow_way() -> None:
    """A non-ASCII header other than the subject, or a word too long to fold, makes the writer step aside."""
    assert write_mail([("To", "ærlig@kommune.no")], "s", "t", "h") is None
    assert write_mail([("References", "<" + "a" * 2000 + "@x>")], "s", "t", "h") is None
    assert fold("References", "<a@x>\r\nBcc: e@x") is None
    long = " ".join(f"<{n}@helse-midt.no>" for n in range(50))
    folded = fold("References", long)
    assert folded is not None and all(len(line) <= 78 for line in folded.split("\n"))
    assert " ".join(folded.replace("\n", "").split()) == f"References: {long}"


def test_body_lines_that_look_like_boundaries_or_headers_stay_text() -> None:
    """Body text with MIME-looking lines and 8-bit characters is carried as text, not structure."""
    text = "--=_opk_000\nContent-Type: text/html\n\n.\nFrom here\nÆØÅ æøå – «»\n" + "x" * 500 + "\n"
    raw = write_mail(HEADERS, "s", text, "<p>ok</p>", calendar=b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
                     calendar_name="OPK-1.ics")
    assert raw is not None
    msg = parsed(raw)
    types = [p.get_content_type() for p in msg.walk()]
    assert types == ["multipart/mixed", "multipart/alternative", "text/plain", "text/html", "text/calendar"]
    assert next(p for p in msg.walk() if p.get_content_type() == "text/plain").get_content() == text
    cal = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
    assert cal.get_filename() == "OPK-1.ics" and cal.get_param("method") == "PUBLISH"
    assert cal.get_payload(decode=True) == b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"


SUBJECTS = ["Kvittering: bestilling av oppkobling for Malvik kommune – OPK-7", "Ærlig talt – " + "ø" * 300,
            "🎉" * 50, "a" * 54 + "é", "é" * 200, "x" * 300 + "å", "æ", "Ny sak OPK-12: Bø i Telemark (Vestfold og "
            "Telemark) – aktivering 1. mars 2027", "=?utf-8?q?evil?= ÆØÅ", "ab\tc ø  d ", "ø\x00\x1b", "\u00ad" * 90]


@pytest.mark.parametrize("subject", SUBJECTS)
def test_encoded_subject_is_what_email_header_writes(subject: str) -> None:
    """The hand-counted encoded words are byte for byte what `email.header.Header` writes, and decode back."""
    expected = Header(subject, "utf-8", header_name="Subject").encode(linesep="\n", maxlinelen=76)
    assert subject_line(subject) == f"Subject: {expected}"
    raw = write_mail(HEADERS, subject, "t", "<p>t</p>")
    assert raw is not None and raw.isascii()
    assert max(len(line) for line in raw.split(b"\n")) <= 78
    assert parsed(raw)["Subject"] == subject


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), min_size=1, max_size=200).filter(
    lambda s: not s.isascii()))
def test_any_non_ascii_subject_is_encoded_as_email_header_does(subject: str) -> None:
    """For any one-line non-ASCII subject (separators, emoji, controls), the bytes equal `Header`'s."""
    expected = Header(subject, "utf-8", header_name="Subject").encode(linesep="\n", maxlinelen=76)
    assert subject_line(subject) == f"Subject: {expected}"
