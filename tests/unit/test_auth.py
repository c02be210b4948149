"""Message authentication (SPEC §4 BOT_TRUSTED_AUTHSERV_ID) and the sender's role."""

from __future__ import annotations

import pytest

from bot.domain import Role
from bot.intake.auth import role_of, sender_authenticated

TRUSTED = "mx.helse-midt.no"
AR = "authentication-results"
EVIL = "mx.evil.example"
PASS = (
    f"{TRUSTED}; spf=pass smtp.mailfrom=malvik.kommune.no; dkim=pass header.d=malvik.kommune.no;"
    " dmarc=pass header.from=malvik.kommune.no"
)
FAIL = f"{TRUSTED}; spf=fail smtp.mailfrom=malvik.kommune.no; dmarc=fail (p=reject) header.from=malvik.no"

CASES: list[tuple[str, list[tuple[str, str]], str | None, bool]] = [
    ("no trusted id configured", [], None, True),
    ("trusted id with dmarc=pass", [(AR, PASS)], TRUSTED, True),
    (
        "authserv-id compared case-insensitively",
        [(AR, PASS.replace(TRUSTED, "MX.Helse-Midt.NO"))],
        TRUSTED,
        True,
    ),
    ("header name in any case", [("Authentication-Results", PASS)], TRUSTED, True),
    ("authserv-id with a version number", [(AR, f"{TRUSTED} 1; dmarc=pass header.from=x.no")], TRUSTED, True),
    ("method version and spacing", [(AR, f"{TRUSTED};  dmarc/1 = pass")], TRUSTED, True),
    ("comments around the id", [(AR, f"(our MX) {TRUSTED} (v) ; dmarc=pass")], TRUSTED, True),
    (
        "folded header",
        [(AR, f"{TRUSTED};\r\n\tspf=pass smtp.mailfrom=x.no;\r\n dmarc=pass\r\n  header.from=x.no")],
        TRUSTED,
        True,
    ),
    ("dmarc=fail", [(AR, FAIL)], TRUSTED, False),
    ("dmarc=none", [(AR, f"{TRUSTED}; dmarc=none header.from=x.no")], TRUSTED, False),
    ("no dmarc result at all", [(AR, f"{TRUSTED}; spf=pass smtp.mailfrom=x.no")], TRUSTED, False),
    ("foreign authserv-id with dmarc=pass is ignored", [(AR, PASS.replace(TRUSTED, EVIL))], TRUSTED, False),
    ("look-alike id is foreign", [(AR, PASS.replace(TRUSTED, f"{TRUSTED}.evil.example"))], TRUSTED, False),
    ("forged pass on top of our fail", [(AR, PASS.replace(TRUSTED, EVIL)), (AR, FAIL)], TRUSTED, False),
    (
        "our pass among other servers' headers",
        [(AR, FAIL.replace(TRUSTED, "relay.example")), (AR, PASS)],
        TRUSTED,
        True,
    ),
    (
        "multiple headers from our server, one passes",
        [(AR, f"{TRUSTED}; spf=pass"), (AR, PASS)],
        TRUSTED,
        True,
    ),
    (
        "dmarc=pass inside a comment does not count",
        [(AR, f"{TRUSTED}; dmarc=fail (dmarc=pass)")],
        TRUSTED,
        False,
    ),
    (
        "dmarc=pass inside a quoted reason does not count",
        [(AR, f'{TRUSTED}; dmarc=fail reason="x; dmarc=pass"')],
        TRUSTED,
        False,
    ),
    (
        "ARC-Authentication-Results does not count",
        [("arc-authentication-results", f"i=1; {PASS}")],
        TRUSTED,
        False,
    ),
    ("id without results is malformed", [(AR, f"{TRUSTED} dmarc=pass")], TRUSTED, False),
    ("no header", [("from", "meldingsansvarlig@malvik.kommune.no")], TRUSTED, False),
]


@pytest.mark.parametrize(("headers", "trusted", "ok"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_sender_authenticated(headers: list[tuple[str, str]], trusted: str | None, ok: bool) -> None:
    """Only dmarc=pass from our own authserv-id authenticates a command."""
    verdict = sender_authenticated(headers, trusted)
    assert verdict.ok is ok
    assert verdict.reason


def test_reason_names_the_failure() -> None:
    """A refusal says what was missing, for the log."""
    assert "dmarc=fail" in sender_authenticated([(AR, FAIL)], TRUSTED).reason
    assert "no Authentication-Results" in sender_authenticated([], TRUSTED).reason


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
