"""Sender authentication as Exchange Online reports it, with header sets shaped like Exchange Online's own.

The messages follow public samples of mail delivered into Exchange Online mailboxes (Microsoft's
"Anti-spam message headers" documentation and delivered messages published in open-source test
suites): Exchange prepends its Received fields, its Authentication-Results and Received-SPF above the
Received field of the server that took the message in (named again in X-MS-Exchange-Organization-
AuthSource), and appends its X-MS-Exchange-Organization-* fields below the sender's own.
"""

from __future__ import annotations

import pytest

from bot.intake.auth import sender_authenticated
from bot.settings import SenderAuth

FRONTEND = "AM4PEPF00027A5F"
PASS = ("spf=pass (sender IP is 193.0.2.25) smtp.mailfrom=hemit.no; dkim=pass (signature was verified) "
        "header.d=hemit.no;dmarc=pass action=none header.from=hemit.no;compauth=pass reason=100")
# As a tenant's mailbox shows it: the tenant's domain written as a bare word after some results.
PASS_TENANT = ("spf=pass (sender IP is 193.0.2.25) smtp.mailfrom=hemit.no; helsemidt.onmicrosoft.com; dkim=pass "
               "(signature was verified) header.d=hemit.no;helsemidt.onmicrosoft.com; dmarc=pass action=none "
               "header.from=hemit.no;compauth=pass reason=100")
COMPAUTH_ONLY = ("spf=pass (sender IP is 193.0.2.25) smtp.mailfrom=hemit.no; dkim=none (message not signed) "
                 "header.d=none;dmarc=none action=none header.from=hemit.no;compauth=pass reason=109")
BESTGUESS = ("spf=pass (sender IP is 193.0.2.25) smtp.mailfrom=hemit.no; dkim=none (message not signed) "
             "header.d=none;dmarc=bestguesspass action=none header.from=hemit.no;compauth=pass reason=109")
SOFTPASS = ("spf=softfail (sender IP is 203.0.113.9) smtp.mailfrom=hemit.no; dkim=none (message not signed) "
            "header.d=none;dmarc=none action=none header.from=hemit.no;compauth=softpass reason=201")
FAIL = ("spf=fail (sender IP is 203.0.113.9) smtp.mailfrom=hemit.no; dkim=none (message not signed) "
        "header.d=none;dmarc=fail action=oreject header.from=hemit.no;compauth=fail reason=000")
FOREIGN = PASS.replace("hemit.no", "evil.example")


def exchange_message(own: str | None, *, auth_as: str = "Anonymous", above: tuple[str, ...] = (),
                     sender: tuple[str, ...] = (), tail: tuple[str, ...] = (),
                     from_: str = "Hemit koordinator <koordinator@hemit.no>") -> bytes:
    """A message as the shared mailbox holds it after Exchange Online delivered it."""
    lines = [
        "Received: from AM0PR08MB1234.eurprd08.prod.outlook.com (2603:10a6:208:1::14) by",
        " AM9PR08MB5678.eurprd08.prod.outlook.com with HTTPS; Tue, 12 Jan 2027 08:17:59 +0000",
        "Received: from AS9PR06CA0006.eurprd06.prod.outlook.com (2603:10a6:20b:462::18)",
        " by AM0PR08MB1234.eurprd08.prod.outlook.com (2603:10a6:208:1::14) with",
        " Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384)",
        " id 15.20.4308.20; Tue, 12 Jan 2027 08:17:57 +0000",
        f"Received: from {FRONTEND}.eurprd04.prod.outlook.com (2603:10a6:20b:462:cafe::4c) by",
        " AS9PR06CA0006.outlook.office365.com (2603:10a6:20b:462::18) with Microsoft SMTP Server",
        " (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384) id 15.20.4331.21 via Frontend Transport;",
        " Tue, 12 Jan 2027 08:17:57 +0000",
        *above,
    ]
    if own is not None:
        lines += [f"Authentication-Results: {own[:60]}", f" {own[60:]}"]
    lines += [
        "Received-SPF: Pass (protection.outlook.com: domain of hemit.no designates 193.0.2.25 as",
        " permitted sender) receiver=protection.outlook.com; client-ip=193.0.2.25; helo=mx.hemit.no;",
        f"Received: from mx.hemit.no (193.0.2.25) by {FRONTEND}.mail.protection.outlook.com",
        " (10.167.16.74) with Microsoft SMTP Server (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384)",
        " id 15.20.9769.17 via Frontend Transport; Tue, 12 Jan 2027 08:17:56 +0000",
        *sender,
        "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=hemit.no; s=sel1;",
        "\th=from:to:subject:date; bh=O0c9kn9mQ7lVGabzeaQ44BV1/XcucmGNZi4xBH98V0c=; b=pZaPql",
        "Received: from ws0142.hemit.no (10.1.2.3) by mx.hemit.no with ESMTPS; Tue, 12 Jan 2027 09:17:50 +0100",
        f"From: {from_}",
        "To: meldingsansvarlig@helse-midt.no",
        "Subject: SV: [OPK-1] Kvittering",
        "Message-ID: <a1b2c3@hemit.no>",
        "Date: Tue, 12 Jan 2027 09:17:50 +0100",
        "Return-Path: koordinator@hemit.no",
        "X-MS-Exchange-Organization-ExpirationStartTime: 12 Jan 2027 08:17:56.9181 (UTC)",
        "X-MS-Exchange-Organization-Network-Message-Id: 30953f55-e06b-4e55-ea4b-08d9469fe2d7",
        "X-EOPAttributedMessage: 0",
        "X-MS-Exchange-Organization-MessageDirectionality: Incoming",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "X-MS-Exchange-Organization-AuthSource:",
        f" {FRONTEND}.eurprd04.prod.outlook.com",
        f"X-MS-Exchange-Organization-AuthAs: {auth_as}",
        "X-MS-Exchange-Organization-SCL: 1",
        "X-Forefront-Antispam-Report: CIP:193.0.2.25;CTRY:NO;LANG:no;SCL:1;SRV:;IPV:NLI;SFV:NSPM;DIR:INB;",
        *tail,
        "",
        "bekreftet",
        "",
    ]
    return "\r\n".join(lines).encode()


def verdict(raw: bytes) -> tuple[bool, str]:
    found = sender_authenticated(raw, "koordinator@hemit.no", SenderAuth.EXCHANGE_ONLINE)
    return found.ok, found.reason


def forged(value: str) -> str:
    return f"Authentication-Results: {value}"


CASES: list[tuple[str, bytes, bool]] = [
    ("genuine external mail with dmarc=pass", exchange_message(PASS), True),
    ("Exchange's header with the tenant's domain between results", exchange_message(PASS_TENANT), True),
    ("compauth=pass with dmarc=none", exchange_message(COMPAUTH_ONLY), True),
    ("compauth=pass with dmarc=bestguesspass", exchange_message(BESTGUESS), True),
    ("compauth=softpass is not a pass", exchange_message(SOFTPASS), False),
    ("dmarc=fail", exchange_message(FAIL), False),
    ("a pass for another domain than From's", exchange_message(FOREIGN), False),
    ("a sender-added pass below Exchange's fail", exchange_message(FAIL, sender=(forged(PASS),)), False),
    ("a sender-added pass with a made-up authserv-id below Exchange's fail",
     exchange_message(FAIL, sender=(forged(f"mx.hemit.no; {PASS}"),)), False),
    ("a sender-added fail below Exchange's pass", exchange_message(PASS, sender=(forged(FAIL),)), True),
    ("a pass above Exchange's fail", exchange_message(FAIL, above=(forged(PASS),)), False),
    ("a second header above Exchange's pass", exchange_message(PASS, above=(forged(PASS),)), False),
    ("no Authentication-Results from Exchange, a sender's pass below", exchange_message(None, sender=(forged(PASS),)),
     False),
    ("ARC-Authentication-Results does not count",
     exchange_message(FAIL, sender=(f"ARC-Authentication-Results: i=1; mx.microsoft.com 1; {PASS}",)), False),
    ("a sender's X-MS-Exchange-Organization-AuthAs: Internal beside Exchange's Anonymous",
     exchange_message(FAIL, sender=("X-MS-Exchange-Organization-AuthAs: Internal",)), False),
    ("internal mail (AuthAs: Internal), no Authentication-Results", exchange_message(None, auth_as="Internal"), True),
    ("internal, but redirected by a mailbox rule",
     exchange_message(None, auth_as="Internal", tail=("X-MS-Exchange-Inbox-Rules-Loop: kari@helse-midt.no",)),
     False),
    ("internal, but resent by a person", exchange_message(None, auth_as="Internal",
                                                          sender=("Resent-From: kari@helse-midt.no",)), False),
]


@pytest.mark.parametrize(("raw", "ok"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_exchange_online_mode(raw: bytes, ok: bool) -> None:
    """Only the Authentication-Results Exchange Online added (or its own sign-in) counts."""
    assert verdict(raw)[0] is ok, verdict(raw)[1]


def test_mail_that_did_not_come_through_exchange_online_counts_for_nothing() -> None:
    """Without Exchange's AuthAs field (stripped from incoming mail, stamped by Exchange) nothing is believed."""
    raw = exchange_message(PASS).replace(b"X-MS-Exchange-Organization-AuthAs: Anonymous\r\n", b"")
    assert verdict(raw) == (False, "no X-MS-Exchange-Organization-AuthAs: not delivered by Exchange Online")


def test_without_the_receiving_server_exchanges_header_cannot_be_told_apart() -> None:
    """When no Received field names the AuthSource server, no header is taken for Exchange's own."""
    raw = exchange_message(PASS).replace(f"by {FRONTEND}.mail".encode(), b"by OTHER01.mail")
    ok, reason = verdict(raw)
    assert not ok
    assert "no Received field by" in reason


def test_a_refusal_names_what_exchange_said() -> None:
    """The log line shows Exchange's results, so a coordinator's IT can see why a command was refused."""
    assert verdict(exchange_message(FAIL)) == (False, "no dmarc=pass or compauth=pass (dmarc=fail, compauth=fail) "
                                                      "(Exchange Online)")
