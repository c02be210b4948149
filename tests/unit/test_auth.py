"""Sender authentication (RFC 8601 in authserv-id mode, Exchange Online's own verdict) and the sender's role."""

from __future__ import annotations

import pytest

from bot.domain import Role
from bot.intake.auth import MAX_HEADER_BYTES, header_fields, role_of, sender_authenticated
from bot.settings import SenderAuth

TRUSTED = "mx.helse-midt.no"
AR = "Authentication-Results"
EVIL = "mx.evil.example"
KOMMUNE = "Kari Nordmann <kari.nordmann@malvik.kommune.no>"
PASS = (
    f"{TRUSTED}; spf=pass smtp.mailfrom=malvik.kommune.no; dkim=pass header.d=malvik.kommune.no;"
    " dmarc=pass header.from=malvik.kommune.no"
)
FAIL = f"{TRUSTED}; spf=fail smtp.mailfrom=malvik.kommune.no; dmarc=fail (p=reject) header.from=malvik.kommune.no"


def message(*fields: tuple[str, str], from_: str = KOMMUNE) -> bytes:
    """A message with these header fields above its From, To, Subject and a body."""
    lines = [f"{name}: {value}" for name, value in fields]
    lines += [f"From: {from_}", "To: meldingsansvarlig@helse-midt.no", "Subject: SV: [OPK-1] Kvittering", "",
              "bekreftet", ""]
    return "\r\n".join(lines).encode("utf-8")


def by_authserv_id(raw: bytes, sender: str | None = None) -> bool:
    return sender_authenticated(raw, sender, SenderAuth.AUTHSERV_ID, TRUSTED).ok


AUTHSERV_CASES: list[tuple[str, list[tuple[str, str]], bool]] = [
    ("dmarc=pass from the trusted id for the From domain", [(AR, PASS)], True),
    ("authserv-id compared case-insensitively", [(AR, PASS.replace(TRUSTED, "MX.Helse-Midt.NO"))], True),
    ("header name in any case", [("AUTHENTICATION-RESULTS", PASS)], True),
    ("authserv-id with a version number", [(AR, f"{TRUSTED} 1; dmarc=pass header.from=malvik.kommune.no")], True),
    ("method version and spacing", [(AR, f"{TRUSTED};  dmarc/1 = pass header.from = malvik.kommune.no")], True),
    ("a comment after the id", [(AR, f"{TRUSTED} (v) ; dmarc=pass header.from=malvik.kommune.no")], True),
    ("folded header", [(AR, f"{TRUSTED};\r\n\tspf=pass smtp.mailfrom=x.no;\r\n dmarc=pass\r\n  "
                            "header.from=malvik.kommune.no")], True),
    ("a comment before the id never matches", [(AR, f"(our MX) {PASS}")], False),
    ("the id as an RFC 2047 encoded-word never matches",
     [(AR, PASS.replace(TRUSTED, "=?utf-8?q?mx.helse-midt.no?="))], False),
    ("dmarc=fail", [(AR, FAIL)], False),
    ("dmarc=none", [(AR, f"{TRUSTED}; dmarc=none header.from=malvik.kommune.no")], False),
    ("no dmarc result at all", [(AR, f"{TRUSTED}; spf=pass smtp.mailfrom=malvik.kommune.no")], False),
    ("dmarc=pass for another domain than From's", [(AR, PASS.replace("header.from=malvik", "header.from=evil"))],
     False),
    ("dmarc=pass without header.from", [(AR, f"{TRUSTED}; dmarc=pass")], False),
    ("foreign authserv-id with dmarc=pass is ignored", [(AR, PASS.replace(TRUSTED, EVIL))], False),
    ("look-alike id is foreign", [(AR, PASS.replace(TRUSTED, f"{TRUSTED}.evil.example"))], False),
    ("forged foreign pass on top of our fail", [(AR, PASS.replace(TRUSTED, EVIL)), (AR, FAIL)], False),
    ("a forged pass with our id below our own fail", [(AR, FAIL), (AR, PASS)], False),
    ("our pass below other servers' headers", [(AR, FAIL.replace(TRUSTED, "relay.example")), (AR, PASS)], True),
    ("only the topmost of ours counts", [(AR, f"{TRUSTED}; spf=pass"), (AR, PASS)], False),
    ("dmarc=pass inside a comment does not count", [(AR, f"{TRUSTED}; dmarc=fail (dmarc=pass) "
                                                         "header.from=malvik.kommune.no")], False),
    ("dmarc=pass inside a quoted reason does not count",
     [(AR, f'{TRUSTED}; dmarc=fail reason="x; dmarc=pass header.from=malvik.kommune.no"')], False),
    ("ARC-Authentication-Results does not count", [("ARC-Authentication-Results", f"i=1; {PASS}")], False),
    ("id without results is malformed", [(AR, f"{TRUSTED} dmarc=pass header.from=malvik.kommune.no")], False),
    ("no header", [], False),
]


@pytest.mark.parametrize(("fields", "ok"), [c[1:] for c in AUTHSERV_CASES], ids=[c[0] for c in AUTHSERV_CASES])
def test_authserv_id_mode(fields: list[tuple[str, str]], ok: bool) -> None:
    """Only the topmost header from our own authserv-id, read undecoded, with dmarc=pass for the From domain."""
    assert by_authserv_id(message(*fields)) is ok


FROM_CASES = [
    ("two addresses", "kari.nordmann@malvik.kommune.no, evil@evil.example"),
    ("an address as the display name, another in brackets", "kari.nordmann@malvik.kommune.no <evil@evil.example>"),
    ("a quoted address as the display name", '"kari.nordmann@malvik.kommune.no" <evil@evil.example>'),
    ("an address inside an encoded display name", "=?utf-8?q?kari.nordmann=40malvik.kommune.no?= <evil@evil.example>"),
    ("an encoded-word posing as the address", "=?utf-8?q?victim=40gmail.example_=3C?=x1@malvik.kommune.no"),
]


@pytest.mark.parametrize("from_", [c[1] for c in FROM_CASES], ids=[c[0] for c in FROM_CASES])
@pytest.mark.parametrize("mode", list(SenderAuth))
def test_a_from_with_several_addresses_gives_no_rights(from_: str, mode: SenderAuth) -> None:
    """Even a genuine pass for one of them gives no rights when From shows more than one address."""
    evil_pass = PASS.replace("malvik.kommune.no", "evil.example")
    raw = message((AR, PASS), (AR, evil_pass), from_=from_)
    assert not sender_authenticated(raw, None, mode, TRUSTED if mode == SenderAuth.AUTHSERV_ID else None).ok


def test_the_display_name_may_repeat_the_address_itself() -> None:
    """Outlook's `"kari@…" <kari@…>` (a mailbox with no display name set) is one address, not two."""
    raw = message((AR, PASS), from_='"kari.nordmann@malvik.kommune.no" <kari.nordmann@malvik.kommune.no>')
    assert by_authserv_id(raw, "kari.nordmann@malvik.kommune.no")


def test_the_from_address_must_be_the_sender_the_inbox_read() -> None:
    """A verdict is about the address intake took as the sender; another reading of From gets none."""
    assert not by_authserv_id(message((AR, PASS)), "someone.else@malvik.kommune.no")


def test_an_oversized_header_block_gives_no_rights() -> None:
    """Headers beyond the bound are not read at all: the cost of one message stays bounded."""
    raw = message((AR, PASS), *[("X-Pad", "x" * 1000)] * (MAX_HEADER_BYTES // 1000 + 1))
    assert header_fields(raw) is None
    assert "larger than" in sender_authenticated(raw, None, SenderAuth.AUTHSERV_ID, TRUSTED).reason


def test_off_requires_nothing_more_than_a_plain_from() -> None:
    """With sender authentication off a plain From passes (the reply key still applies elsewhere)."""
    assert sender_authenticated(message(), None, SenderAuth.OFF).ok


def test_reason_names_the_failure() -> None:
    """A refusal says what was missing, for the log."""
    assert "dmarc=fail" in sender_authenticated(message((AR, FAIL)), None, SenderAuth.AUTHSERV_ID, TRUSTED).reason
    assert "no Authentication-Results" in sender_authenticated(message(), None, SenderAuth.AUTHSERV_ID,
                                                               TRUSTED).reason


COORDS = ("Hemit.Koordinator@hemit.no", "e-melding@stolav.no")


@pytest.mark.parametrize(
    ("sender", "domain", "contact", "role"),
    [
        ("hemit.koordinator@hemit.no", "malvik.kommune.no", None, Role.COORDINATOR),
        ("<E-Melding@StOlav.no>", None, None, Role.COORDINATOR),
        ("meldingsansvarlig@malvik.kommune.no", "malvik.kommune.no", None, Role.KOMMUNE),
        ("Kari.Nordmann@MALVIK.kommune.no", "Malvik.Kommune.no", None, Role.KOMMUNE),
        ("it@skole.malvik.kommune.no", "malvik.kommune.no", None, Role.STRANGER),
        ("kari@evilmalvik.kommune.no", "malvik.kommune.no", None, Role.STRANGER),
        ("post@ikt-leverandor.no", "malvik.kommune.no", "Post@ikt-leverandor.no", Role.KOMMUNE),
        ("someone@example.com", "malvik.kommune.no", None, Role.STRANGER),
        (None, "malvik.kommune.no", None, Role.STRANGER),
        ("", "malvik.kommune.no", None, Role.STRANGER),
        ("malvik.kommune.no", "malvik.kommune.no", None, Role.STRANGER),
    ],
)
def test_role_of(sender: str | None, domain: str | None, contact: str | None, role: Role) -> None:
    """Coordinators by address, kommune by exact domain or contact address, everyone else a stranger."""
    assert role_of(sender, COORDS, domain, contact) is role
