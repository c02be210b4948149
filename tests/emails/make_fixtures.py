"""Writes the intake .eml fixtures in tests/emails/ and their expectations (expected.yaml).

Run `.venv/bin/python tests/emails/make_fixtures.py` after changing a fixture here; the .eml files are
committed so a reader can open them in a mail client. Every person, address and number is invented.
"""

from __future__ import annotations

import base64
import quopri
import struct
from dataclasses import dataclass, field
from email.header import Header
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
OWN = "meldingsansvarlig@helse-midt.no"


@dataclass
class Fixture:
    name: str
    raw: bytes
    kind: str
    case_ref: str | None = None
    text: str | None = None  # exact expected new text (after quote cutting), when asserted
    extra: dict[str, object] = field(default_factory=dict)


FIXTURES: list[Fixture] = []


def headers(
    subject: str,
    sender: str = "Kari Nordmann <kari.nordmann@malvik.kommune.no>",
    msgid: str = "<abc.1@malvik.kommune.no>",
    extra: str = "",
) -> str:
    if not subject.isascii():
        # Real clients encode non-ASCII subjects (RFC 2047); raw 8-bit headers have their own fixtures.
        subject = Header(subject, "utf-8").encode()
    lines = [
        f"From: {sender}",
        f"To: {OWN}",
        f"Subject: {subject}",
        "Date: Tue, 2 Mar 2027 10:15:00 +0100",
        f"Message-ID: {msgid}",
        "MIME-Version: 1.0",
    ]
    if extra:
        lines.extend(extra.strip("\n").split("\n"))
    return "\n".join(lines) + "\n"


def plain(
    name: str,
    subject: str,
    body: str,
    kind: str,
    case_ref: str | None = None,
    text: str | None = None,
    *,
    sender: str = "Kari Nordmann <kari.nordmann@malvik.kommune.no>",
    extra: str = "",
    charset: str = "utf-8",
    cte: str = "quoted-printable",
    crlf: bool = False,
    msgid: str | None = None,
) -> None:
    encoded = body.encode(charset)
    if cte == "quoted-printable":
        payload = quopri.encodestring(encoded).decode("ascii")
    elif cte == "base64":
        payload = base64.encodebytes(encoded).decode("ascii")
    else:
        payload = encoded.decode(charset)
    head = headers(subject, sender, msgid or f"<{name}@mail.example.no>", extra)
    head += f'Content-Type: text/plain; charset="{charset}"\nContent-Transfer-Encoding: {cte}\n'
    raw = (head + "\n" + payload).encode(charset if cte == "8bit" else "ascii")
    if crlf:
        raw = raw.replace(b"\n", b"\r\n")
    FIXTURES.append(Fixture(name, raw, kind, case_ref, text))


# ------------------------------------------------------------------ auto-replies (DOMAIN.md, every style)

OOF_BODY = "Jeg er på ferie til 15. mars 2027 og leser ikke e-post.\nHaster det, ring sentralbordet.\n"
for idx, (hdr, label) in enumerate(
    [
        ("Auto-Submitted: auto-replied", "auto-submitted-auto-replied"),
        ("Auto-Submitted: auto-generated", "auto-submitted-auto-generated"),
        (
            "Auto-Submitted: auto-notified; owner-email=arkiv@hitra.kommune.no",
            "auto-submitted-with-parameter",
        ),
        ("X-Autoreply: yes", "x-autoreply"),
        ("X-Autorespond: Ferie", "x-autorespond"),
        ("Precedence: auto_reply", "precedence-auto-reply"),
        (
            "X-MS-Exchange-Inbox-Rules-Loop: kari.nordmann@malvik.kommune.no\nX-Auto-Response-Suppress: All",
            "exchange-oof-header-pair",
        ),
        ("Return-Path: <>", "null-return-path"),
    ],
    start=1,
):
    plain(
        f"ar-{idx:02d}-{label}",
        f"SV: [OPK-{30 + idx}] Malvik kommune: kvittering",
        OOF_BODY,
        "auto_reply",
        f"OPK-{30 + idx}",
        extra=hdr,
    )

for idx, subject in enumerate(
    [
        "Automatisk svar: [OPK-41] Malvik kommune: kvittering",
        "Autosvar: [OPK-42] Malvik kommune: kvittering",
        "Fraværende: [OPK-43] Malvik kommune: kvittering",
        "Fraværsmelding [OPK-44] Malvik kommune: kvittering",
        "Ute av kontoret: [OPK-45] Malvik kommune: kvittering",
        "Out of Office: [OPK-46] Malvik kommune: receipt",
        "Automatic reply: [OPK-47] Malvik kommune: kvittering",
        "Automatiskt svar: [OPK-48] Malvik kommune: kvittering",
        "SV: Automatisk svar: [OPK-49] Malvik kommune: kvittering",
        "=?utf-8?Q?Frav=C3=A6rende:_[OPK-50]_Malvik_kommune?=",
    ],
    start=1,
):
    case = f"OPK-{40 + idx}"
    # Outlook's OOF carries X-Auto-Response-Suppress but no Auto-Submitted: the subject is the signal.
    plain(
        f"ar-subject-{idx:02d}", subject, OOF_BODY, "auto_reply", case, extra="X-Auto-Response-Suppress: All"
    )

plain(
    "human-auto-submitted-no",
    "SV: [OPK-51] Malvik kommune: påminnelse",
    "Publisert i AR nå.\n\nHilsen Kari\n",
    "reply",
    "OPK-51",
    "Publisert i AR nå.\n\nHilsen Kari",
    extra="Auto-Submitted: no",
)
plain(
    "human-suppress-alone",
    "SV: [OPK-52] Malvik kommune: påminnelse",
    "Ok, publisert.\n",
    "reply",
    "OPK-52",
    "Ok, publisert.",
    extra="X-Auto-Response-Suppress: DR, RN, NRN, OOF, AutoReply",
)

# ------------------------------------------------------------------ bounces


def dsn(
    name: str,
    subject: str,
    status: str,
    action: str,
    original: str,
    rfc822_headers: bool,
    case_ref: str | None,
    recipient: str,
) -> None:
    inner_type = "text/rfc822-headers" if rfc822_headers else "message/rfc822"
    inner = (
        f"From: Meldingsansvarlig Helse Midt-Norge <{OWN}>\n"
        f"To: {recipient}\n"
        "Subject: [OPK-60] Melhus kommune: kvittering for bestilling\n"
        f"Message-ID: <{original}>\n"
        "X-Oppkobling-Case: OPK-60\n"
        "Auto-Submitted: auto-generated\n"
    )
    if not rfc822_headers:
        inner += "Content-Type: text/plain; charset=utf-8\n\nBestillingen er registrert.\n"
    raw = (
        "Return-Path: <>\n"
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.no>\n"
        f"To: {OWN}\n"
        f"Subject: {subject}\n"
        "Date: Tue, 2 Mar 2027 10:20:00 +0100\n"
        f"Message-ID: <{name}@mx.example.no>\n"
        "Auto-Submitted: auto-replied\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="BOUND"\n'
        "\n"
        "--BOUND\n"
        "Content-Type: text/plain; charset=us-ascii\n\n"
        "This is the mail system at host mx.example.no.\n\n"
        "I'm sorry to have to inform you that your message could not\n"
        "be delivered to one or more recipients.\n\n"
        "--BOUND\n"
        "Content-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.example.no\n"
        "Arrival-Date: Tue,  2 Mar 2027 10:19:58 +0100\n\n"
        f"Final-Recipient: rfc822; {recipient}\n"
        f"Original-Recipient: rfc822;{recipient}\n"
        f"Action: {action}\n"
        f"Status: {status}\n"
        f"Diagnostic-Code: smtp; 550 {status} User unknown\n\n"
        "--BOUND\n"
        f"Content-Type: {inner_type}\n\n"
        f"{inner}\n"
        "--BOUND--\n"
    )
    FIXTURES.append(
        Fixture(
            name,
            raw.encode("ascii"),
            "bounce",
            case_ref,
            extra={
                "bounce": {
                    "recipient": recipient,
                    "status": status,
                    "permanent": status.startswith("5"),
                    "original_message_id": original,
                }
            },
        )
    )


dsn(
    "bounce-dsn-postfix-rfc822",
    "Undelivered Mail Returned to Sender",
    "5.1.1",
    "failed",
    "20270302101500.opk-60.receipt@helse-midt.no",
    False,
    "OPK-60",
    "ola@melhus.kommune.no",
)
dsn(
    "bounce-dsn-rfc822-headers-tagged",
    "Delivery Status Notification (Failure) [OPK-60]",
    "5.7.1",
    "failed",
    "20270302101501.opk-60.receipt@helse-midt.no",
    True,
    "OPK-60",
    "berit@melhus.kommune.no",
)
dsn(
    "bounce-dsn-transient-delay",
    "Delayed Mail (still being retried)",
    "4.4.7",
    "delayed",
    "20270302101502.opk-60.receipt@helse-midt.no",
    False,
    "OPK-60",
    "per@melhus.kommune.no",
)

FIXTURES.append(
    Fixture(
        "bounce-exim-nonstandard",
        b"""Return-Path: <>
From: Mail Delivery System <Mailer-Daemon@smtp.example.no>
To: meldingsansvarlig@helse-midt.no
Subject: Mail delivery failed: returning message to sender
Date: Tue, 2 Mar 2027 11:00:00 +0100
Message-Id: <E1abc-0001@smtp.example.no>
X-Failed-Recipients: tone@rennebu.kommune.no
Content-Type: text/plain; charset=us-ascii

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  tone@rennebu.kommune.no
    550 5.1.1 <tone@rennebu.kommune.no>: Recipient address rejected

------ This is a copy of the message, including all the headers. ------

From: meldingsansvarlig@helse-midt.no
To: tone@rennebu.kommune.no
Subject: [OPK-61] Rennebu kommune: testmeldinger
Message-ID: <20270302110000.opk-61.test@helse-midt.no>

Hei, i dag kommer testmeldinger.
""",
        "bounce",
        "OPK-61",
        extra={
            "bounce": {
                "recipient": "tone@rennebu.kommune.no",
                "status": "5.1.1",
                "permanent": True,
                "original_message_id": "20270302110000.opk-61.test@helse-midt.no",
            }
        },
    )
)

plain(
    "bounce-postmaster-norwegian",
    "Ikke levert: [OPK-62] Skaun kommune: kvittering",
    "Meldingen kunne ikke leveres til marte@skaun.kommune.no.\nFeilkode 5.2.2 postkassen er full.\n",
    "bounce",
    "OPK-62",
    sender="Postmaster <postmaster@skaun.kommune.no>",
    extra="Return-Path: <>",
)

# ------------------------------------------------------------------ bulk and own mail

plain(
    "bulk-list-id",
    "Nyhetsbrev: PLO 1.6 og bestilling",
    "Nytt om PLO 1.6 og bestilling av oppkobling.\n",
    "bulk",
    sender="Nyheter <nyheter@nhn.example.no>",
    extra="List-Id: Nyheter <nyheter.nhn.example.no>",
)
plain(
    "bulk-precedence-junk",
    "Tilbud på kurs",
    "Meld deg på kurs i e-meldinger.\n",
    "bulk",
    sender="Kurs <kurs@example.com>",
    extra="Precedence: junk",
)
plain(
    "bulk-list-unsubscribe-precedence-list",
    "Ukens nytt",
    "Ukens nytt fra fagrådet.\n",
    "bulk",
    sender="Fagradet <post@fagrad.example.no>",
    extra="List-Unsubscribe: <mailto:unsub@fagrad.example.no>\nPrecedence: list",
)
plain(
    "own-mail-headers",
    "[OPK-63] Malvik kommune: påminnelse",
    "Dette er en påminnelse.\n",
    "own",
    "OPK-63",
    sender=f"Meldingsansvarlig Helse Midt-Norge <{OWN}>",
    extra="X-Oppkobling-Case: OPK-63\nX-Oppkobling-Kind: reminder\nAuto-Submitted: auto-generated",
    msgid="<20270302.opk-63.reminder@helse-midt.no>",
)
plain(
    "own-mail-message-id-only",
    "Test",
    "Test.\n",
    "own",
    None,
    sender="Someone <someone@example.no>",
    msgid="<0f3c9a.opk@helse-midt.no>",
)

# ------------------------------------------------------------------ replies, every quote style

BOT_QUOTE = (
    "Hei,\n\nDette er en påminnelse om at Malvik kommune må publisere i Adresseregisteret.\n\n"
    "Aktiveringsdato: 15.02.2027\nMeldingstyper: PLO 1.6\n\nHilsen\nOppkoblingsboten"
)
NEW = "Hei,\n\nBekreftet, publisert i AR.\n\nMvh\nKari"


def reply(
    name: str, subject: str, new: str, quote_block: str, case_ref: str | None = "OPK-70", **kw: object
) -> None:
    plain(name, subject, f"{new}\n\n{quote_block}\n", "reply", case_ref, new, **kw)  # type: ignore[arg-type]


def gt(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.split("\n"))


reply(
    "reply-outlook-nb",
    "SV: [OPK-70] Malvik kommune: påminnelse",
    NEW,
    f"Fra: Meldingsansvarlig Helse Midt-Norge <{OWN}>\nSendt: mandag 1. mars 2027 08:00\n"
    f"Til: Kari Nordmann <kari.nordmann@malvik.kommune.no>\nKopi: Ola <ola@malvik.kommune.no>\n"
    f"Emne: [OPK-70] Malvik kommune: påminnelse\n\n{BOT_QUOTE}",
)
reply(
    "reply-outlook-en",
    "RE: [OPK-70] Malvik kommune: reminder",
    "Confirmed, published today.\n\nRegards\nKari",
    f"From: Meldingsansvarlig Helse Midt-Norge <{OWN}>\nSent: Monday, March 1, 2027 8:00 AM\n"
    f"To: Kari Nordmann <kari.nordmann@malvik.kommune.no>\nSubject: [OPK-70] Malvik kommune: påminnelse\n\n"
    f"{BOT_QUOTE}",
)
reply(
    "reply-new-outlook-dato",
    "SV: [OPK-70] Malvik kommune: påminnelse",
    NEW,
    f"Fra: Meldingsansvarlig Helse Midt-Norge <{OWN}>\nDato: torsdag 28. oktober 2027 kl. 12:46\n"
    f"Til: Kari Nordmann <kari.nordmann@malvik.kommune.no>\nEmne: [OPK-70] påminnelse\n\n{BOT_QUOTE}",
)
reply(
    "reply-opprinnelig-melding",
    "SV: [OPK-70] påminnelse",
    NEW,
    f"-----Opprinnelig melding-----\nFra: {OWN}\nSendt: 1. mars 2027 08:00\n"
    "Til: kari.nordmann@malvik.kommune.no\n"
    f"Emne: [OPK-70] påminnelse\n\n{BOT_QUOTE}",
)
reply("reply-original-message", "RE: [OPK-70] reminder", NEW, f"-----Original Message-----\n{BOT_QUOTE}")
reply(
    "reply-underscores-365",
    "SV: [OPK-70] påminnelse",
    NEW,
    "_" * 32 + f"\nFra: Meldingsansvarlig Helse Midt-Norge\nSendt: 1. mars 2027 08:00\n{BOT_QUOTE}",
)
reply(
    "reply-thunderbird-den-skrev",
    "Re: [OPK-70] påminnelse",
    NEW,
    f"Den 01.03.2027 08:00, skrev Meldingsansvarlig Helse Midt-Norge:\n{gt(BOT_QUOTE)}",
)
reply(
    "reply-kl-skrev",
    "Sv: [OPK-70] påminnelse",
    NEW,
    f"1. mars 2027 kl. 08:00 skrev Meldingsansvarlig Helse Midt-Norge <{OWN}>:\n\n{gt(BOT_QUOTE)}",
)
reply(
    "reply-gmail-two-line",
    "Re: [OPK-70] påminnelse",
    NEW,
    f"man. 1. mar. 2027 kl. 08:00 skrev Meldingsansvarlig Helse Midt-Norge <\n{OWN}>:\n\n{gt(BOT_QUOTE)}",
)
reply(
    "reply-english-on-wrote",
    "Re: [OPK-70] reminder",
    "Done.",
    f"On Mon, Mar 1, 2027 at 8:00 AM Meldingsansvarlig Helse Midt-Norge <{OWN}> wrote:\n\n{gt(BOT_QUOTE)}",
)
reply(
    "reply-skrev-folgende",
    "SV: [OPK-70] påminnelse",
    NEW,
    f"Meldingsansvarlig Helse Midt-Norge <{OWN}> skrev følgende den 1. mars 2027 08:00:\n\n{gt(BOT_QUOTE)}",
)
reply(
    "reply-apple-iphone",
    "Sv: [OPK-70] påminnelse",
    "Ok, takk!",
    f"Sendt fra min iPhone\n\n> 1. mars 2027 kl. 08:00 skrev {OWN}:\n>\n{gt(BOT_QUOTE)}",
)
reply(
    "reply-outlook-android",
    "SV: [OPK-70] påminnelse",
    "Publisert.",
    f"Sendt fra Outlook for Android\n{'_' * 32}\nFra: {OWN}\nSendt: 1. mars 2027 08:00\n"
    "Til: kari@malvik.kommune.no\n"
    f"Emne: påminnelse\n\n{BOT_QUOTE}",
)
reply(
    "reply-samsung",
    "SV: [OPK-70] påminnelse",
    "Ja",
    f"Sendt fra min Samsung Galaxy-smarttelefon.\n\n-------- Opprinnelig melding --------\n{BOT_QUOTE}",
)
DASHES = (
    "Hei,\n\nTo spørsmål:\n\n- Gjelder dette begge tjenestene?\n- Hvem sender testmeldingene?\n\n"
    "==========\nStatus\n----------\nVennlig hilsen\nBerit"
)
reply(
    "reply-dashes-bullets-survive",
    "Re: [OPK-71] bestilling mottatt",
    DASHES,
    f"tir. 2. mar. 2027 kl. 10:15 skrev Meldingsansvarlig Helse Midt-Norge <{OWN}>:\n\n{gt(BOT_QUOTE)}",
    case_ref="OPK-71",
)
plain(
    "reply-inline-answers",
    "Re: [OPK-72] spørsmål",
    (
        "Svar under.\n\nDen 1. mars 2027 kl. 08:00 skrev Ola <ola@hemit.no>:\n"
        "> Er AR publisert?\nJa, i går.\n\n"
        "> Hvilken dato passer?\nOnsdag.\n\n> Hilsen Ola\n"
    ),
    "reply",
    "OPK-72",
    "Svar under.\n\nJa, i går.\n\nOnsdag.",
)
plain(
    "reply-prefix-chain-gateway",
    "SV: [EKSTERN] VS: Re[2]: [OPK-73] påminnelse",
    "bekreftet\n",
    "reply",
    "OPK-73",
    "bekreftet",
)
plain(
    "reply-by-in-reply-to",
    "SV: påminnelse",
    "Publisert.\n",
    "reply",
    "OPK-74",
    "Publisert.",
    extra="In-Reply-To: <20270301.opk-74.reminder@helse-midt.no>\n"
    "References: <20270301.opk-74.reminder@helse-midt.no>",
)
plain(
    "reply-crlf-base64",
    "SV: [OPK-75] påminnelse",
    f"Bekreftet.\n\nFra: {OWN}\nSendt: 1. mars 2027\nTil: kari@malvik.kommune.no\n"
    "Emne: påminnelse\n\ntekst\n",
    "reply",
    "OPK-75",
    "Bekreftet.",
    cte="base64",
    crlf=True,
)

# ------------------------------------------------------------------ orders and others

ORDER = (
    "Hei,\n\nSkaun kommune bestiller oppkobling av e-meldinger.\nAktiveringsdato: 23.02.2027\n"
    "Meldingstyper: PLO 1.6, dialogmelding 1.1\nHER-id 123456\n\nMvh\nMarte"
)
plain(
    "order-windows-1252",
    "Bestilling oppkobling – Skaun kommune",
    ORDER.replace("Hei,", "Hei! Vi viser til “Rutine ved oppkobling”."),
    "order",
    text=ORDER.replace("Hei,", "Hei! Vi viser til “Rutine ved oppkobling”."),
    charset="windows-1252",
)
plain(
    "order-iso-8859-1",
    "Bestilling e-meldingar frå Volda",
    ORDER.replace("Skaun", "Volda"),
    "order",
    text=ORDER.replace("Skaun", "Volda"),
    charset="iso-8859-1",
)
plain(
    "order-8bit-utf8",
    "Bestilling for Frøya",
    ORDER.replace("Skaun", "Frøya"),
    "order",
    text=ORDER.replace("Skaun", "Frøya"),
    cte="8bit",
)
plain(
    "order-unknown-charset",
    "Bestilling",
    ORDER.replace("Skaun", "Frosta"),
    "order",
    text=ORDER.replace("Skaun", "Frosta"),
    charset="utf-8",
    cte="8bit",
)
FIXTURES[-1].raw = FIXTURES[-1].raw.replace(b'charset="utf-8"', b'charset="x-no-such-charset"')
plain(
    "order-split-rfc2047-subject",
    # "Bestilling Røros" with the two bytes of "ø" split over two encoded words.
    "=?utf-8?Q?Bestilling_R=C3?= =?utf-8?Q?=B8ros?=",
    ORDER.replace("Skaun", "Røros"),
    "order",
    text=ORDER.replace("Skaun", "Røros"),
)
FIXTURES[-1].extra["subject"] = "Bestilling Røros"
plain(
    "order-sv-without-tag",
    "SV: oppkobling",
    ORDER + "\n\nFra: Ola <ola@hemit.no>\nSendt: 1. mars 2027\n"
    "Til: Marte\nEmne: oppkobling\n\nDere kan sende bestillingen.",
    "order",
    text=ORDER,
)
FWD_ORDER = (
    "Fra: Ragnhild Vik <ragnhild.vik@sande-mr.kommune.no>\nDate: tir. 2. mar. 2027 kl. 09:00\n"
    "Subject: Bestilling\nTo: Kjetil <kjetil@sande-mr.kommune.no>\n\n" + ORDER.replace("Skaun", "Sande")
)
plain(
    "order-forward-gmail",
    "Fwd: Bestilling",
    "Sender videre.\n\n---------- Forwarded message ---------\n" + FWD_ORDER,
    "order",
    text="Sender videre.\n\n---------- Forwarded message ---------\n" + FWD_ORDER,
)
plain(
    "order-forward-thunderbird",
    "VS: Bestilling",
    "Se under.\n\n-------- Videresendt melding --------\n" + FWD_ORDER,
    "order",
    text="Se under.\n\n-------- Videresendt melding --------\n" + FWD_ORDER,
)
plain(
    "other-question",
    "Spørsmål om oppkopling",
    "Hei\n\nVi har eit spørsmål før vi sender bestilling. Treng heimetenesta (HER-id 4478120) eiga "
    "bestilling?\n\nHelsing Oddny\n",
    "other",
    text="Hei\n\nVi har eit spørsmål før vi sender bestilling. Treng heimetenesta (HER-id 4478120) eiga "
    "bestilling?\n\nHelsing Oddny",
)
plain(
    "other-misdirected",
    "Møte neste uke",
    "Hei, kan vi flytte møtet til torsdag?\n",
    "other",
    text="Hei, kan vi flytte møtet til torsdag?",
)

HTML_ORDER = """<html><head><style>p {margin:0}</style></head><body>
<p>Hei,</p><p>&nbsp;</p>
<p>Kristiansund kommune bestiller oppkobling. Aktiveringsdato er 09.03.2027.</p>
<table border=1><tr><td>Meldingstype</td><td>Versjon</td></tr>
<tr><td>PLO</td><td>1.6</td></tr><tr><td>Dialogmelding</td><td>1.1</td></tr></table>
<p>Mvh Trond &amp; co</p>
<div><b>Fra:</b> Ola Hemit &lt;ola@hemit.no&gt;<br><b>Sendt:</b> 1. mars 2027 08:00<br>
<b>Til:</b> Trond<br><b>Emne:</b> avtale</div><p>Dato avtalt.</p></body></html>"""
FIXTURES.append(
    Fixture(
        "order-html-only",
        (
            headers("Bestilling Kristiansund")
            + "Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
            + base64.encodebytes(HTML_ORDER.encode()).decode()
        ).encode(),
        "order",
        extra={"text_contains": ["PLO", "1.6", "Mvh Trond & co"], "text_lacks": ["Dato avtalt", "Fra:"]},
    )
)

ALT = (
    headers("SV: [OPK-76] påminnelse") + 'Content-Type: multipart/alternative; boundary="ALT"\n\n'
    "--ALT\nContent-Type: text/plain; charset=utf-8\n\nRent tekst-svar.\n\n> sitat\n"
    "--ALT\nContent-Type: text/html; charset=utf-8\n\n<p>HTML-svar</p>\n--ALT--\n"
)
FIXTURES.append(
    Fixture("reply-alternative-prefers-plain", ALT.encode(), "reply", "OPK-76", "Rent tekst-svar.")
)


# ------------------------------------------------------------------ TNEF (winmail.dat) and an .eml attachment


def tnef_object(level: int, name: int, ptype: int, data: bytes) -> bytes:
    checksum = sum(data) & 0xFFFF
    return struct.pack("<BHHI", level, name, ptype, len(data)) + data + struct.pack("<H", checksum)


def build_tnef(body: str, files: list[tuple[str, bytes]]) -> bytes:
    """A minimal TNEF stream: signature, key, version, body, then each attachment (title + data)."""
    out = struct.pack("<IH", 0x223E9F78, 0x0001)
    out += tnef_object(1, 0x9006, 0x0008, struct.pack("<I", 0x00010000))
    out += tnef_object(1, 0x800C, 0x0002, body.encode("cp1252"))
    for filename, data in files:
        out += tnef_object(2, 0x9002, 0x0006, b"\x01\x00\xff\xff\xff\xff\x00\x00\x00\x00\x00\x00\x00\x00")
        out += tnef_object(2, 0x8010, 0x0001, filename.encode("cp1252") + b"\x00")
        out += tnef_object(2, 0x800F, 0x0006, data)
    return out


TNEF_BODY = "Hei,\n\nVedlagt bestilling fra Hitra kommune.\n\nMvh Hanne"
TNEF_FILE = "Aktiveringsdato: 12.04.2027\nPLO 1.6\nDialogmelding 1.1\nHER-id 556677\n"
winmail = build_tnef(TNEF_BODY, [("bestilling.txt", TNEF_FILE.encode("utf-8"))])
TNEF_EML = (
    headers("Bestilling oppkobling Hitra") + 'Content-Type: multipart/mixed; boundary="MIX"\n\n'
    '--MIX\nContent-Type: application/ms-tnef; name="winmail.dat"\n'
    'Content-Disposition: attachment; filename="winmail.dat"\nContent-Transfer-Encoding: base64\n\n'
    + base64.encodebytes(winmail).decode()
    + "--MIX--\n"
)
FIXTURES.append(
    Fixture(
        "order-tnef-winmail",
        TNEF_EML.encode(),
        "order",
        text=TNEF_BODY,
        extra={"attachment_text_contains": ["HER-id 556677"]},
    )
)

INNER = (
    "From: Ola <ola@hemit.no>\nTo: kari@malvik.kommune.no\nSubject: Avtalt dato\n"
    "Message-ID: <inner.1@hemit.no>\nContent-Type: text/plain; charset=utf-8\n\nDato 15.02.2027 er avtalt.\n"
)
EML_ATT = (
    headers("Videresender avtale") + 'Content-Type: multipart/mixed; boundary="MIX"\n\n'
    "--MIX\nContent-Type: text/plain; charset=utf-8\n\nSe vedlagt e-post.\n"
    '--MIX\nContent-Type: application/octet-stream; name="avtale.eml"\n'
    "Content-Disposition: attachment; filename*=utf-8''avtale.eml\n\n" + INNER + "--MIX--\n"
)
FIXTURES.append(
    Fixture(
        "other-eml-attachment",
        EML_ATT.encode(),
        "other",
        text="Se vedlagt e-post.",
        extra={"embedded_message_id": "inner.1@hemit.no"},
    )
)

# A raw (undeclared) 8-bit header: utf-8 in one, windows-1252 in the other.
RAW8 = (
    "From: Gøril Sundli <goril@snasa.kommune.no>\nTo: meldingsansvarlig@helse-midt.no\n"
    "Subject: SV: [OPK-77] Snåsa kommune\nMessage-ID: <raw8@snasa.kommune.no>\n"
    "Content-Type: text/plain; charset=utf-8\n\nBekreftet.\n"
).encode()
FIXTURES.append(
    Fixture(
        "reply-raw-8bit-header-utf8",
        RAW8,
        "reply",
        "OPK-77",
        "Bekreftet.",
        extra={"subject": "SV: [OPK-77] Snåsa kommune", "from_name": "Gøril Sundli"},
    )
)
FIXTURES.append(
    Fixture(
        "reply-raw-8bit-header-cp1252",
        RAW8.decode("utf-8").encode("cp1252"),
        "reply",
        "OPK-77",
        "Bekreftet.",
        extra={"subject": "SV: [OPK-77] Snåsa kommune"},
    )
)


def main() -> None:
    expected: dict[str, dict[str, object]] = {}
    for fixture in FIXTURES:
        (HERE / f"{fixture.name}.eml").write_bytes(fixture.raw)
        entry: dict[str, object] = {"kind": fixture.kind, "case_ref": fixture.case_ref}
        if fixture.text is not None:
            entry["text"] = fixture.text
        entry.update(fixture.extra)
        expected[fixture.name] = entry
    header = (
        "# Generated by make_fixtures.py: expected triage and new text per fixture. Do not edit by hand.\n"
    )
    (HERE / "expected.yaml").write_text(
        header + yaml.safe_dump(expected, allow_unicode=True, sort_keys=True, width=120), encoding="utf-8"
    )
    print(f"wrote {len(FIXTURES)} fixtures")


if __name__ == "__main__":
    main()
