"""Synthetic inbound mail for the benchmarks: a realistic backlog mix of noise and orders, 3–5 KB each."""

from __future__ import annotations

import csv
import email
import email.policy
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from bot.rulefile import DATA_DIR

BOT = "meldingsansvarlig@helse-midt.no"
MIN_BYTES, MAX_BYTES = 3_000, 5_000

# The shares of a backlog (SPEC §3's triage chain sees every kind); orders are 10 %.
MIX: tuple[tuple[str, float], ...] = (
    ("auto_reply", 0.32),
    ("bulk", 0.20),
    ("bounce", 0.14),
    ("unknown", 0.24),
    ("order", 0.10),
)

FIRST = ("Ingrid", "Kari", "Ola", "Per", "Siri", "Astrid", "Jon", "Marit", "Eirik", "Hanne", "Tone", "Arne",
         "Berit", "Lars", "Nina", "Øystein", "Åse", "Bjørn", "Guro", "Håkon")
LAST = ("Sæther", "Hansen", "Johansen", "Olsen", "Larsen", "Berg", "Haugen", "Moen", "Dahl", "Lie", "Strand",
        "Aune", "Hoel", "Fossum", "Næss", "Ødegård", "Kvam", "Rønning", "Sivertsen", "Vik")
TYPES = (("PLO-meldinger", "1.6"), ("dialogmelding", "1.1"), ("epikrise", "1.2"), ("henvisning", "1.1"),
         ("svarrapport", "1.4"), ("avviksmelding", "1.0"))
# Activation dates: ordinary 2027 Wednesdays, well past the lead time from late 2026.
ACTIVATION_DATES = tuple(date(2027, 2, 3) + timedelta(weeks=w) for w in range(12)) + tuple(
    date(2027, 4, 7) + timedelta(weeks=w) for w in range(4)
)
VENDORS = ("nyhetsbrev@dips.no", "news@visma.com", "post@norsk-helsenett.no", "info@ehelse.no",
           "kampanje@tieto-helse.no", "newsletter@cgm.com")
STRANGERS = ("ola.nordmann@gmail.com", "kari123@hotmail.com", "post@konsulent-as.no", "salg@leverandor.no",
             "noreply.faktura@regnskap.no", "hr@bemanning.no", "info@kurs-og-konferanse.no")
DISCLAIMER = (
    "Denne e-posten kan inneholde informasjon som er taushetsbelagt. Dersom du ikke er rett mottaker, "
    "ber vi deg varsle avsender og slette e-posten. E-post til og fra kommunen kan bli journalført "
    "etter offentleglova."
)
HTML_HEAD = (
    '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><meta http-equiv="Content-Type" '
    'content="text/html; charset=utf-8"><style><!-- p.MsoNormal, li.MsoNormal, div.MsoNormal '
    '{margin:0cm; font-size:11.0pt; font-family:"Calibri",sans-serif;} a:link, span.MsoHyperlink '
    "{color:#0563C1; text-decoration:underline;} div.WordSection1 {page:WordSection1;} --></style>"
    '</head><body lang="NO-BOK"><div class="WordSection1">'
)


@dataclass(frozen=True)
class Municipality:
    number: str
    name: str
    domain: str

    @property
    def short(self) -> str:
        return self.name.split(" - ")[0]


@dataclass(frozen=True)
class Generated:
    kind: str  # the intended triage: auto_reply, bulk, bounce, unknown, order
    raw: bytes
    message_id: str
    municipality: str | None = None


def municipalities(data_dir: Path = DATA_DIR) -> list[Municipality]:
    with (data_dir / "kommuner.csv").open(encoding="utf-8") as fh:
        return [Municipality(r["number"], r["name"], r["domain"]) for r in csv.DictReader(fh)]


class MailFactory:
    """Deterministic generator (seeded); every message gets a unique Message-ID."""

    def __init__(self, seed: int = 2026, tag: str = "b") -> None:
        self.rng = random.Random(seed)
        self.tag = tag
        self.kommuner = municipalities()
        self.counter = 0
        self.start = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)

    def backlog(self, n: int) -> Iterator[Generated]:
        """n messages in the MIX proportions, shuffled, orders spread over the municipalities."""
        kinds: list[str] = []
        for kind, share in MIX:
            kinds += [kind] * round(n * share)
        kinds = (kinds + ["unknown"] * n)[:n]
        self.rng.shuffle(kinds)
        for kind in kinds:
            yield self.make(kind)

    def make(self, kind: str) -> Generated:
        self.counter += 1
        maker = {"auto_reply": self.auto_reply, "bulk": self.bulk, "bounce": self.bounce,
                 "unknown": self.unknown, "order": self.order}[kind]
        msg, muni = maker()
        mid = f"<{kind}.{self.tag}.{self.counter}.{self.rng.getrandbits(32):08x}@{_domain(str(msg['From']))}>"
        msg["Message-ID"] = mid
        msg["Date"] = format_datetime(self.start + timedelta(minutes=7 * self.counter))
        raw = self._padded(msg)
        return Generated(kind, raw, mid.strip("<>"), muni)

    # -- kinds -------------------------------------------------------------------------------------

    def person(self, domain: str) -> tuple[str, str]:
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        local = f"{first}.{last}".lower()
        for a, b in (("æ", "ae"), ("ø", "o"), ("å", "a")):
            local = local.replace(a, b)
        return f"{first} {last}", f"{local}@{domain}"

    def order(self) -> tuple[EmailMessage, str]:
        k = self.rng.choice(self.kommuner)
        name, addr = self.person(k.domain)
        d = self.rng.choice(ACTIVATION_DATES)
        types = self.rng.sample(TYPES, self.rng.randint(1, 4))
        her = self.rng.randint(100000, 99999999)
        style = self.rng.randrange(3)
        if style == 0:
            listed = " og ".join(f"{t} versjon {v}" for t, v in types)
            text = (f"Hei,\n\n{k.short} kommune ønsker med dette å bestille oppkobling av elektronisk "
                    f"meldingsutveksling med helseforetakene i Midt-Norge. Vi er blitt enige med Hemit om "
                    f"aktiveringsdato {d:%d.%m.%Y}.\n\nVi skal ta i bruk {listed}. Kommunikasjonsparten vår i "
                    f"Adresseregisteret er {k.short} kommune hjemmetjenester, HER-id {her}.\n")
        elif style == 1:
            lines = "\n".join(f"- {t} {v}" for t, v in types)
            text = (f"Hei,\n\nVi bestiller oppkobling for {k.short} kommune.\n\nMeldingstyper:\n{lines}\n\n"
                    f"Ønsket aktiveringsdato: {d:%d.%m.%Y}\nKommunikasjonspart: {k.short} helsetjeneste, "
                    f"HER-id {her}\nKontaktperson: {name}, {addr}\n")
        else:
            lines = "\n".join(f"Meldingstype: {t} {v}" for t, v in types)
            text = (f"Bestilling av oppkobling\n\nKommune: {k.short}\n{lines}\nAktiveringsdato: {d:%d.%m.%Y}\n"
                    f"HER-id: {her}\nKontakt e-post: {addr}\n")
        text += (f"\nMed vennlig hilsen\n\n{name}\nRådgiver e-helse\n{k.short} kommune\n"
                 f"Telefon: 7{self.rng.randint(1000000, 9999999)}\n\n{DISCLAIMER}\n")
        msg = self._message(f"{name} <{addr}>", f"Bestilling av oppkobling – {k.short} kommune")
        self._body(msg, text, html=self.rng.random() < 0.4, html_only=self.rng.random() < 0.1)
        return msg, k.number

    def auto_reply(self) -> tuple[EmailMessage, None]:
        k = self.rng.choice(self.kommuner)
        name, addr = self.person(k.domain)
        back = date(2026, 11, 30) + timedelta(days=self.rng.randint(0, 40))
        style = self.rng.randrange(3)
        subject = f"Påminnelse: publisering i AR [OPK-{self.rng.randint(1, 400)}]"
        if style == 0:
            msg = self._message(f"{name} <{addr}>", f"Automatisk svar: {subject}")
            msg["X-Auto-Response-Suppress"] = "All"
            msg["X-MS-Exchange-Inbox-Rules-Loop"] = addr
        elif style == 1:
            msg = self._message(f"{name} <{addr}>", f"Fraværende: {subject}")
            msg["Auto-Submitted"] = "auto-replied"
        else:
            msg = self._message(f"{name} <{addr}>", f"Re: {subject}")
            msg["X-Autoreply"] = "yes"
            msg["Auto-Submitted"] = "auto-replied"
        text = (f"Hei,\n\nJeg er på kurs/ferie og er tilbake {back:%d.%m.%Y}. Jeg har begrenset tilgang til "
                f"e-post i denne perioden.\n\nHaster det, ta kontakt med sentralbordet i {k.short} kommune "
                f"eller med min stedfortreder.\n\nMed vennlig hilsen\n{name}\n{k.short} kommune\n\n{DISCLAIMER}\n")
        self._body(msg, text, html=self.rng.random() < 0.5)
        return msg, None

    def bulk(self) -> tuple[EmailMessage, None]:
        sender = self.rng.choice(VENDORS)
        msg = self._message(f"Nyhetsbrev <{sender}>", f"Nyhetsbrev uke {self.rng.randint(1, 52)}: nytt om e-helse")
        msg["List-Id"] = f"<nyheter.{_domain(sender)}>"
        msg["List-Unsubscribe"] = f"<https://{_domain(sender)}/avmeld?u={self.rng.getrandbits(40):x}>"
        msg["Precedence"] = "bulk"
        items = "\n\n".join(
            f"* Sak {i}: Nytt i meldingsløftet – {self.rng.choice(('kurs', 'webinar', 'versjon', 'frist'))} "
            f"for {self.rng.choice(('PLO', 'dialogmelding', 'epikrise', 'kjernejournal'))}. Les mer på nettsidene."
            for i in range(1, self.rng.randint(4, 7))
        )
        text = f"Nyhetsbrev\n\n{items}\n\nDu får denne e-posten fordi du abonnerer på nyhetsbrevet.\n"
        self._body(msg, text, html=True, html_only=self.rng.random() < 0.5)
        return msg, None

    def bounce(self) -> tuple[EmailMessage, None]:
        host = self.rng.choice(("mx1.kommune.no", "mail.protection.outlook.com", "smtp.helse-midt.no"))
        k = self.rng.choice(self.kommuner)
        rcpt = f"{self.rng.choice(('ukjent', 'sluttet', 'gammel.adresse'))}@{k.domain}"
        old_id = f"old.{self.rng.getrandbits(48):x}@helse-midt.no"
        boundary = f"=_bounce_{self.rng.getrandbits(40):x}"
        text = f"""\
From: Mail Delivery System <MAILER-DAEMON@{host}>
To: {BOT}
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"

--{boundary}
Content-Type: text/plain; charset=us-ascii

This is the mail system at host {host}.

I'm sorry to have to inform you that your message could not be delivered to one or more
recipients. It's attached below.

<{rcpt}>: host {host} said: 550 5.1.1 User unknown (in reply to RCPT TO command)

--{boundary}
Content-Type: message/delivery-status

Reporting-MTA: dns; {host}
Arrival-Date: {format_datetime(self.start)}

Final-Recipient: rfc822; {rcpt}
Original-Recipient: rfc822;{rcpt}
Action: failed
Status: 5.1.1
Remote-MTA: dns; {host}
Diagnostic-Code: smtp; 550 5.1.1 User unknown

--{boundary}
Content-Type: text/rfc822-headers

From: {BOT}
To: {rcpt}
Subject: =?utf-8?q?P=C3=A5minnelse?= [OPK-{self.rng.randint(1, 400)}]
Message-ID: <{old_id}>
Date: {format_datetime(self.start)}

--{boundary}--
"""
        msg = email.message_from_string(text, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        return msg, None

    def unknown(self) -> tuple[EmailMessage, None]:
        sender = self.rng.choice(STRANGERS)
        topic = self.rng.choice((
            ("Tilbud på kurs i journalføring", "Vi tilbyr kurs i journalføring og personvern for helsepersonell."),
            ("Faktura 2026-11", "Vedlagt finner du faktura for november. Betalingsfrist er 30 dager."),
            ("Spørsmål om vikarer", "Har dere behov for sykepleiervikarer i julen? Vi har ledig kapasitet."),
            ("Hei", "Jeg lurer på hvem som er riktig kontaktperson for spørsmål om helsenettet."),
        ))
        msg = self._message(f"<{sender}>", topic[0])
        filler = " ".join(self.rng.choice(("Vi", "ser", "fram", "til", "å", "høre", "fra", "dere", "snart."))
                          for _ in range(60))
        self._body(msg, f"Hei,\n\n{topic[1]}\n\n{filler}\n\nMvh\n{sender}\n", html=self.rng.random() < 0.3)
        return msg, None

    # -- helpers -----------------------------------------------------------------------------------

    def _message(self, sender: str, subject: str) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = sender
        msg["To"] = BOT
        msg["Subject"] = subject
        return msg

    def _body(self, msg: EmailMessage, text: str, *, html: bool, html_only: bool = False) -> None:
        markup = HTML_HEAD + "".join(f'<p class="MsoNormal">{_escape(p) or "&nbsp;"}</p>\n'
                                     for p in text.split("\n")) + "</div></body></html>"
        if html_only:
            msg.set_content(markup, subtype="html", cte="quoted-printable")
            return
        msg.set_content(text, cte="quoted-printable")
        if html:
            msg.add_alternative(markup, subtype="html", cte="quoted-printable")

    def _padded(self, msg: EmailMessage) -> bytes:
        """Received/x-ms headers as real Exchange mail carries, up to a random size in 3–5 KB."""
        # A hop is ~300 bytes: aim at least one hop above the floor and never pass the ceiling.
        target = self.rng.randint(MIN_BYTES + 300, MAX_BYTES)
        raw = msg.as_bytes()
        size = len(raw) + raw.count(b"\n")  # line ends become CRLF below
        hops = []
        while True:
            a, b = self.rng.getrandbits(24), self.rng.getrandbits(24)
            hop = (f"from AM{a:06X}.eurprd09.prod.outlook.com (2603:10a6:20b:{a % 999:x}::{b % 99}) by "
                   f"DB{b:06X}.eurprd09.prod.outlook.com with Microsoft SMTP Server (version=TLS1_2, "
                   f"cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.{a % 9999}.{b % 99}; "
                   f"{format_datetime(self.start)}")
            if size + len(hop) + 12 > target:
                break
            hops.append(hop)
            size += len(hop) + 12
        head = b"".join(b"Received: " + h.encode() + b"\r\n" for h in hops)
        body = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        return head + body


def _domain(address: str) -> str:
    return address.rpartition("@")[2].strip("<> ")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
