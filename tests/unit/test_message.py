"""MIME parsing: decoded headers, body choice, charsets, DSN fields, embedded messages, limits, robustness."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.intake.html_text import LARGE_HTML, html_to_text
from bot.intake.message import decode_bytes, decode_header_value, parse_message

EMAILS = Path(__file__).resolve().parent.parent / "emails"


def mail(headers: str, body: str = "Hei\n") -> bytes:
    return (headers.strip("\n") + "\n\n" + body).encode("utf-8")


@pytest.mark.parametrize(
    ("raw", "decoded"),
    [
        ("=?utf-8?Q?Bestilling_R=C3?= =?utf-8?Q?=B8ros?=", "Bestilling Røros"),
        ("=?utf-8?B?QmVzdGlsbGluZyBSw7hy?=\n =?utf-8?B?b3M=?=", "Bestilling Røros"),
        ("=?UTF-8?B?w7g=?==?UTF-8?B?w6U=?=", "øå"),
        ("=?iso-8859-1?Q?Sp=F8rsm=E5l?= om =?utf-8?q?oppkopling?=", "Spørsmål om oppkopling"),
        ("=?windows-1252?Q?=93Rutine=94?=", "“Rutine”"),
        ("=?x-unknown-charset?Q?Hei_du?=", "Hei du"),
        ("=?utf-8*no?Q?Hei?=", "Hei"),
        ("SV: [OPK-1]\n\tpåminnelse", "SV: [OPK-1] påminnelse"),
        ("Gøril".encode().decode("ascii", "surrogateescape"), "Gøril"),
        ("Gøril".encode("cp1252").decode("ascii", "surrogateescape"), "Gøril"),
        ("=?utf-8?B?broken-base64?=", "n\x8bhZ\xad\xbe\xb6\xac"),
        ("plain ascii", "plain ascii"),
    ],
)
def test_decode_header_value(raw: str, decoded: str) -> None:
    """Encoded words are joined before decoding, raw 8-bit is read as utf-8 or cp1252, nothing raises."""
    if raw.startswith("=?utf-8?B?broken"):
        assert isinstance(decode_header_value(raw), str)
    else:
        assert decode_header_value(raw) == decoded


@pytest.mark.parametrize(
    ("data", "declared", "text"),
    [
        ("Frøya".encode(), "utf-8", "Frøya"),
        ("Frøya".encode(), None, "Frøya"),
        ("Frøya".encode("iso-8859-1"), "iso-8859-1", "Frøya"),
        ("“Frøya”".encode("cp1252"), "iso-8859-1", "“Frøya”"),
        ("Frøya".encode("cp1252"), "utf-8", "Frøya"),
        ("Frøya".encode(), "no-such-charset", "Frøya"),
        (b"\x81\x8d", "us-ascii", "\x81\x8d"),
    ],
)
def test_decode_bytes_fallbacks(data: bytes, declared: str | None, text: str) -> None:
    """Declared charset first, then utf-8, windows-1252 and iso-8859-1; an unknown name is skipped."""
    assert decode_bytes(data, declared) == text


def test_header_fields() -> None:
    """Addresses are bare and lower-cased, ids lose their brackets, the date is aware, names are decoded."""
    msg = parse_message(
        mail("""
From: =?utf-8?Q?S=C3=A6ther=2C_Ingrid?= <Ingrid.Saether@Malvik.Kommune.no>
To: "Meldingsansvarlig, HMN" <meldingsansvarlig@helse-midt.no>, b@x.no
Cc: c@x.no
Subject: =?utf-8?Q?SV:_p=C3=A5minnelse?=
Date: Tue, 2 Mar 2027 10:15:00 +0100
Message-ID: <abc@malvik.kommune.no>
In-Reply-To: <one@helse-midt.no>
References: <zero@helse-midt.no>
 <one@helse-midt.no>
Return-Path: <bounce@malvik.kommune.no>
""")
    )
    assert msg.from_addr == "ingrid.saether@malvik.kommune.no"
    assert msg.from_name == "Sæther, Ingrid"
    assert msg.to == ("meldingsansvarlig@helse-midt.no", "b@x.no")
    assert msg.cc == ("c@x.no",)
    assert msg.subject == "SV: påminnelse"
    assert msg.message_id == "abc@malvik.kommune.no"
    assert msg.in_reply_to == ("one@helse-midt.no",)
    assert msg.references == ("zero@helse-midt.no", "one@helse-midt.no")
    assert msg.return_path == "bounce@malvik.kommune.no"
    assert msg.date == datetime(2027, 3, 2, 10, 15, tzinfo=timezone(timedelta(hours=1)))
    assert msg.header("SUBJECT") == "SV: påminnelse"
    assert msg.header_all("references") == ("<zero@helse-midt.no> <one@helse-midt.no>",)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Return-Path: <>", ""),
        ("Return-Path: <MAILER-DAEMON@x.no>", "mailer-daemon@x.no"),
        ("X-Other: 1", None),
    ],
)
def test_return_path(header: str, expected: str | None) -> None:
    """The null sender is "", an absent Return-Path is None."""
    assert parse_message(mail(f"From: a@b.no\n{header}")).return_path == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Tue, 2 Mar 2027 10:15:00 -0000", datetime(2027, 3, 2, 10, 15, tzinfo=UTC)),
        ("not a date", None),
        ("", None),
    ],
)
def test_date_is_aware_or_none(value: str, expected: datetime | None) -> None:
    """A -0000 date is read as UTC and a broken date gives None instead of an error."""
    assert parse_message(mail(f"From: a@b.no\nDate: {value}")).date == expected


def test_sha256_and_size() -> None:
    """The digest and size are of the raw bytes as received."""
    raw = (EMAILS / "reply-outlook-nb.eml").read_bytes()
    msg = parse_message(raw)
    assert (msg.sha256, msg.size_bytes) == (hashlib.sha256(raw).hexdigest(), len(raw))


def test_html_only_body_is_converted_with_readable_table() -> None:
    """An HTML-only mail becomes text with its table rows on one line each."""
    msg = parse_message((EMAILS / "order-html-only.eml").read_bytes())
    assert msg.body_is_html
    lines = [" ".join(line.split()) for line in msg.body_text.split("\n")]
    assert "PLO 1.6" in lines and "Dialogmelding 1.1" in lines
    assert "Mvh Trond & co" in lines


def test_alternative_prefers_plain_text() -> None:
    """In multipart/alternative the text/plain part is the body."""
    msg = parse_message((EMAILS / "reply-alternative-prefers-plain.eml").read_bytes())
    assert msg.body_text.startswith("Rent tekst-svar.") and not msg.body_is_html


def test_empty_plain_part_falls_back_to_html() -> None:
    """An alternative whose text/plain part is empty uses the HTML part."""
    raw = mail(
        'From: a@b.no\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary="B"',
        "--B\nContent-Type: text/plain\n\n\n--B\nContent-Type: text/html\n\n<p>Fra HTML</p>\n--B--\n",
    )
    assert parse_message(raw).body_text == "Fra HTML"


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("order-windows-1252", "Hei! Vi viser til “Rutine ved oppkobling”."),
        ("order-iso-8859-1", "Volda kommune bestiller"),
        ("order-8bit-utf8", "Frøya kommune bestiller"),
        ("order-unknown-charset", "Frosta kommune bestiller"),
        ("reply-crlf-base64", "Bekreftet.\n\nFra:"),
    ],
)
def test_body_charsets(name: str, fragment: str) -> None:
    """Bodies in windows-1252, iso-8859-1, raw 8-bit utf-8, an unknown charset and CRLF base64 all decode."""
    assert fragment in parse_message((EMAILS / f"{name}.eml").read_bytes()).body_text


def test_unknown_charset_is_a_defect() -> None:
    """An unknown charset name is recorded, not raised."""
    msg = parse_message((EMAILS / "order-unknown-charset.eml").read_bytes())
    assert any("x-no-such-charset" in d for d in msg.defects)


def test_split_encoded_word_subject() -> None:
    """A subject whose multibyte character is split across two encoded words decodes whole."""
    assert (
        parse_message((EMAILS / "order-split-rfc2047-subject.eml").read_bytes()).subject == "Bestilling Røros"
    )


@pytest.mark.parametrize("name", ["reply-raw-8bit-header-utf8", "reply-raw-8bit-header-cp1252"])
def test_raw_8bit_headers(name: str) -> None:
    """Undeclared 8-bit headers decode as utf-8, or as windows-1252 when they are not utf-8."""
    msg = parse_message((EMAILS / f"{name}.eml").read_bytes())
    assert (msg.subject, msg.from_name) == ("SV: [OPK-77] Snåsa kommune", "Gøril Sundli")


def test_dsn_fields_and_embedded_original() -> None:
    """A DSN exposes its report type, per-recipient fields and the bounced original."""
    msg = parse_message((EMAILS / "bounce-dsn-postfix-rfc822.eml").read_bytes())
    assert (msg.content_type, msg.report_type) == ("multipart/report", "delivery-status")
    fields = dict(msg.delivery_status)
    assert fields["final-recipient"] == "rfc822; ola@melhus.kommune.no"
    assert (fields["action"], fields["status"]) == ("failed", "5.1.1")
    assert fields["reporting-mta"] == "dns; mx.example.no"
    assert [e.message_id for e in msg.embedded] == ["20270302101500.opk-60.receipt@helse-midt.no"]
    assert msg.embedded[0].body_text == "Bestillingen er registrert."


def test_rfc822_headers_part_is_embedded() -> None:
    """A text/rfc822-headers part becomes an embedded message with the original's headers."""
    msg = parse_message((EMAILS / "bounce-dsn-rfc822-headers-tagged.eml").read_bytes())
    assert msg.embedded[0].message_id == "20270302101501.opk-60.receipt@helse-midt.no"
    assert msg.embedded[0].header("x-oppkobling-case") == "OPK-60"


def test_eml_attachment_is_embedded() -> None:
    """An attached .eml file is parsed as an embedded message, not kept as an opaque file."""
    msg = parse_message((EMAILS / "other-eml-attachment.eml").read_bytes())
    assert [e.message_id for e in msg.embedded] == ["inner.1@hemit.no"]
    assert msg.embedded[0].body_text == "Dato 15.02.2027 er avtalt."
    assert msg.attachments == ()


def test_too_many_parts_is_a_defect() -> None:
    """Parts beyond max_parts are skipped and recorded."""
    parts = "".join(f"--B\nContent-Type: text/plain\n\ndel {i}\n" for i in range(30))
    raw = mail(
        'From: a@b.no\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"', parts + "--B--\n"
    )
    msg = parse_message(raw, max_parts=5)
    assert any("more than 5 MIME parts" in d for d in msg.defects)
    assert "del 29" not in msg.body_text


def test_deep_nesting_is_cut_off() -> None:
    """Messages nested deeper than max_depth are skipped with a defect."""
    inner = "From: x@y.no\nSubject: innerst\n\nbunn\n"
    for level in range(15):
        inner = (
            f"From: x@y.no\nSubject: lag {level}\nMIME-Version: 1.0\nContent-Type: message/rfc822\n\n{inner}"
        )
    msg = parse_message(inner.encode(), max_depth=4)
    assert any("too deep" in d for d in msg.defects)  # reported on the outer message too
    depth, current = 0, msg
    while current.embedded:
        depth, current = depth + 1, current.embedded[0]
    assert depth <= 4


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\x01\x02",
        b"no headers at all",
        b"Subject: =?utf-8?B?\n\n",
        b"Content-Type: multipart/mixed\n\nno boundary\n",
        b'Content-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: text/plain\n\nunterminated',
        b'Content-Type: text/plain; charset="\nContent-Transfer-Encoding: base64\n\n!!!notbase64',
        b"From: <<<@@@>>>\nTo: ,,,\nDate: 99 Foo 99999\nReferences: junk\n\nx",
        b"Content-Type: application/pdf; name=x.pdf\nContent-Disposition: attachment\n\n%PDF-broken",
        b"Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\nnot a message",
    ],
)
def test_malformed_input_never_raises(raw: bytes) -> None:
    """Broken mail parses to a message (possibly empty) instead of an exception."""
    msg = parse_message(raw)
    assert msg.size_bytes == len(raw)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    """Any byte string parses without an exception."""
    parse_message(raw)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_header_text_never_raises(value: str) -> None:
    """Any header text decodes without an exception."""
    decode_header_value(value)


# HTML-only replies (patterns from mailgun/talon tests/html_quotations_test.py and the clients' own markup):
# a quoting blockquote becomes '>' lines so the quote cutter sees it; Gmail's "indent" blockquote does not.
HTML_QUOTES: list[tuple[str, str, str]] = [
    (
        "apple-cite-inline-answers",
        '<div>Se svar.</div><blockquote type="cite"><div>Er AR publisert?</div></blockquote><div>Ja.</div>',
        "Se svar.\n> Er AR publisert?\nJa.",
    ),
    (
        "gmail-quote-class",
        '<div>Takk</div><div class="gmail_quote"><blockquote class="gmail_quote" style="margin:0 0 0 .8ex">'
        "<div>Hei</div></blockquote></div>",
        "Takk\n> Hei",
    ),
    (
        "nested-cite",
        '<div>Ok</div><blockquote type="cite"><div>A</div>'
        '<blockquote type="cite"><div>B</div></blockquote></blockquote>',
        "Ok\n> A\n>> B",
    ),
    (
        "gmail-indent-is-own-text",
        '<div>Status:</div><blockquote style="margin:0 0 0 40px;border:none;padding:0px"><div>- AR</div></blockquote>',
        "Status:\n- AR",
    ),
]


@pytest.mark.parametrize(("html", "text"), [c[1:] for c in HTML_QUOTES], ids=[c[0] for c in HTML_QUOTES])
def test_html_quoting_blockquotes_become_quote_lines(html: str, text: str) -> None:
    """type="cite" and class="…quote…" blockquotes are quoted text; other blockquotes are indentation."""
    assert html_to_text(html).strip("\n") == text


def test_large_html_is_converted_by_the_streaming_converter() -> None:
    """HTML past the size limit is read with a streaming parser: same lines and cells, bounded memory."""
    rows = "<tr><td>Kommune</td><td>Malvik</td></tr>\n" * (LARGE_HTML // 40 + 10)
    html = f"<html><head><style>td {{}}</style></head><body><p>Hei &amp; takk</p><table>{rows}</table>" + (
        '<blockquote type="cite"><div>Dato?</div></blockquote></body></html>'
    )
    text = html_to_text(html).strip("\n")
    lines = text.split("\n")
    assert lines[0] == "Hei & takk" and "Kommune  Malvik" in lines and lines[-1] == "> Dato?"
    assert "td {}" not in text
