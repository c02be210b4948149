"""Norwegian test mails as municipalities and coordinators write them: orders, Outlook and Gmail replies, OOF."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr, parsedate_to_datetime
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")
BOT = "meldingsansvarlig@helse-midt.no"
BOT_DISPLAY = "Meldingsansvarlig Helse Midt-Norge"
OUTLOOK_RULE = "_" * 32

_WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
_WEEKDAYS_SHORT = ("man.", "tir.", "ons.", "tor.", "fre.", "lør.", "søn.")
_MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
           "november", "desember")
_MONTHS_SHORT = ("jan.", "feb.", "mar.", "apr.", "mai", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "des.")


def oslo(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    """An aware instant in Europe/Oslo."""
    return datetime(y, mo, d, h, mi, tzinfo=OSLO)


def order_body(*, date_phrase: str | None, contact: str, kommune: str = "Malvik",
               her_id: int = 8142326) -> str:
    """A free-form bokmål order with bullet-listed types; `date_phrase` None leaves the date out."""
    when = f" Vi har avtalt aktiveringsdato {date_phrase} med Hemit." if date_phrase else ""
    return (
        f"Hei,\n\n{kommune} kommune bestiller med dette oppkobling av elektronisk meldingsutveksling med\n"
        f"helseforetakene i Midt-Norge.{when}\n\n"
        "Meldingstyper:\n- PLO-meldinger versjon 1.6\n- Dialogmelding 1.1\n- Epikrise 1.2\n\n"
        f"Kommunikasjonspart: {kommune} kommune hjemmetjeneste, HER-id {her_id}.\n"
        f"Kontaktperson: Ingrid Sæther, {contact}\n\n"
        f"Med vennlig hilsen\nIngrid Sæther\nMeldingsansvarlig, {kommune} kommune\nTlf. 73 98 00 00\n"
    )


def mail(sender: str, subject: str, body: str, *, at: datetime, to: str = BOT, message_id: str | None = None,
         in_reply_to: str | None = None, references: Sequence[str] = (),
         headers: Sequence[tuple[str, str]] = ()) -> bytes:
    """One plain-text message as a mail client would submit it, as raw bytes."""
    msg = EmailMessage()
    for name, value in headers:
        msg[name] = value
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(at.astimezone(OSLO))
    msg["Message-ID"] = message_id or make_msgid(domain=sender.rpartition("@")[2] or "example.invalid")
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    refs = [*references, *([in_reply_to] if in_reply_to and in_reply_to not in references else [])]
    if refs:
        msg["References"] = " ".join(refs)
    msg.set_content(body)
    return msg.as_bytes()


def order(sender: str, body: str, *, at: datetime, subject: str = "Bestilling av oppkobling – Malvik kommune",
          message_id: str | None = None) -> bytes:
    """An order mail from the kommune to the shared mailbox."""
    return mail(sender, subject, body, at=at, message_id=message_id)


def plain_text(msg: EmailMessage) -> str:
    """The text/plain body of a message ('' when it has none)."""
    part = msg.get_body(preferencelist=("plain",))
    return part.get_content() if isinstance(part, EmailMessage) else ""


def _sent_at(original: EmailMessage) -> datetime:
    return parsedate_to_datetime(str(original["Date"])).astimezone(OSLO)


def outlook_quote(original: EmailMessage, *, rule: bool = False) -> str:
    """The block Outlook (nb) puts under a reply: Fra:/Sendt:/Til:/Emne: and the original text."""
    when = _sent_at(original)
    sendt = f"{_WEEKDAYS[when.weekday()]} {when.day}. {_MONTHS[when.month - 1]} {when.year} {when:%H:%M}"
    head = f"{OUTLOOK_RULE}\n" if rule else ""
    return (f"{head}Fra: {BOT_DISPLAY} <{BOT}>\nSendt: {sendt}\nTil: {original['To']}\n"
            f"Emne: {original['Subject']}\n\n{plain_text(original)}")


def gmail_quote(original: EmailMessage) -> str:
    """Gmail's (nb) wrapped attribution line and the original text quoted with '> '."""
    when = _sent_at(original)
    stamp = (f"{_WEEKDAYS_SHORT[when.weekday()]} {when.day}. {_MONTHS_SHORT[when.month - 1]} {when.year} "
             f"kl. {when:%H:%M}")
    quoted = "\n".join(f"> {line}" if line else ">" for line in plain_text(original).splitlines())
    return f"{stamp} skrev {BOT_DISPLAY} <\n{BOT}>:\n\n{quoted}\n"


def reply(original: EmailMessage, sender: str, text: str, *, at: datetime, quote: str = "outlook",
          subject: str | None = None, headers: Sequence[tuple[str, str]] = ()) -> bytes:
    """A reply to one of the bot's mails: new text above the quote, threaded by In-Reply-To/References."""
    quoted = {"outlook": outlook_quote(original), "outlook_rule": outlook_quote(original, rule=True),
              "gmail": gmail_quote(original), "none": ""}[quote]
    prefix = "Re: " if quote == "gmail" else "SV: "
    mid = str(original["Message-ID"])
    refs = [r for r in str(original.get("References", "")).split() if r]
    body = text.rstrip("\n") + "\n\n" + quoted if quoted else text
    return mail(sender, subject if subject is not None else prefix + str(original["Subject"]), body, at=at,
                in_reply_to=mid, references=[*refs, mid], headers=headers)


def auto_reply(original: EmailMessage, sender: str, *, at: datetime) -> bytes:
    """An Exchange out-of-office answer to one of the bot's mails (RFC 3834 header and OOF subject)."""
    text = ("Takk for e-posten. Jeg er på ferie til og med 19. februar og leser ikke e-post.\n"
            "Haster det, ring sentralbordet på 73 98 00 00.\n\nMvh\nIngrid Sæther\n")
    return mail(sender, "Automatisk svar: " + str(original["Subject"]), text, at=at,
                in_reply_to=str(original["Message-ID"]),
                headers=(("Auto-Submitted", "auto-replied"), ("X-Auto-Response-Suppress", "All")))


def parse(raw: bytes) -> EmailMessage:
    """Raw bytes back to an EmailMessage (policy default)."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def address(header: object) -> str:
    """The bare lower-case address of a one-address header value."""
    return parseaddr(str(header))[1].lower()


def bounce(original: EmailMessage, recipient: str, *, at: datetime, status: str = "5.1.1") -> bytes:
    """An RFC 3464 delivery status notification from the recipient's MX for one of the bot's mails."""
    domain = recipient.rpartition("@")[2]
    action = "failed" if status.startswith("5") else "delayed"
    headers = "".join(f"{name}: {original[name]}\r\n" for name in
                      ("From", "To", "Subject", "Message-ID", "X-Oppkobling-Case") if original[name])
    text = (f"This is the mail system at host mx.{domain}.\r\n\r\nYour message could not be delivered "
            "to one or more recipients.\r\n")
    report = (f"Reporting-MTA: dns; mx.{domain}\r\n\r\nFinal-Recipient: rfc822; {recipient}\r\n"
              f"Action: {action}\r\nStatus: {status}\r\nDiagnostic-Code: smtp; 550 {status} User unknown\r\n")
    boundary = "DSN-BOUNDARY-0001"
    return (
        f"Return-Path: <>\r\nFrom: Mail Delivery System <MAILER-DAEMON@mx.{domain}>\r\nTo: {BOT}\r\n"
        f"Subject: Undelivered Mail Returned to Sender\r\nDate: {format_datetime(at.astimezone(OSLO))}\r\n"
        f"Message-ID: {make_msgid(domain='mx.' + domain)}\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n\r\n'
        f"--{boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n{text}\r\n"
        f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n{report}\r\n"
        f"--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n{headers}\r\n"
        f"--{boundary}--\r\n"
    ).encode()
