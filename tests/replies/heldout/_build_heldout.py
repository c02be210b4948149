"""Writes the held-out reply set (NAME.eml + NAME.json + README.md) from the hand-written cases in _cases.py."""

from __future__ import annotations

import hashlib
import html
import json
import textwrap
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
BOT_NAME = "Meldingsansvarlig Helse Midt-Norge"
BOT_ADDR = "meldingsansvarlig@helse-midt.no"
OSLO = timezone(timedelta(hours=1))  # every date in the set is in Jan-Mar 2027, before DST starts

WEEKDAYS = ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"]
WD_SHORT = ["man.", "tir.", "ons.", "tor.", "fre.", "lør.", "søn."]
MONTHS = ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
          "november", "desember"]
M_SHORT = ["jan.", "feb.", "mar.", "apr.", "mai", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "des."]
EN_WD = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
EN_M = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
EN_WD_LONG = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
EN_M_LONG = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]


@dataclass(frozen=True)
class Kommune:
    name: str
    domain: str
    ref: str
    d: date
    her: tuple[int, ...]


KOMMUNER = {
    "malvik": Kommune("Malvik", "malvik.kommune.no", "OPK-12", date(2027, 3, 15), (8142326,)),
    "orkland": Kommune("Orkland", "orkland.kommune.no", "OPK-14", date(2027, 3, 22), (8095117,)),
    "volda": Kommune("Volda", "volda.kommune.no", "OPK-15", date(2027, 3, 8), (8120934, 8120935)),
    "orsta": Kommune("Ørsta", "orsta.kommune.no", "OPK-17", date(2027, 3, 10), (8133401,)),
    "trondheim": Kommune("Trondheim", "trondheim.kommune.no", "OPK-9", date(2027, 3, 1), (8001245, 8001246)),
    "molde": Kommune("Molde", "molde.kommune.no", "OPK-18", date(2027, 3, 17), (81234567, 81234568)),
    "steinkjer": Kommune("Steinkjer", "steinkjer.kommune.no", "OPK-21", date(2027, 3, 3), (8098812,)),
    "levanger": Kommune("Levanger", "levanger.kommune.no", "OPK-23", date(2027, 3, 24), (8104477,)),
    "ulstein": Kommune("Ulstein", "ulstein.kommune.no", "OPK-24", date(2027, 3, 11), (8095512,)),
    "alesund": Kommune("Ålesund", "alesund.kommune.no", "OPK-25", date(2027, 3, 18), (8140021, 8140022)),
    "verdal": Kommune("Verdal", "verdal.kommune.no", "OPK-27", date(2027, 2, 25), (8117730,)),
    "hitra": Kommune("Hitra", "hitra.kommune.no", "OPK-28", date(2027, 3, 4), (8734521,)),
    "oppdal": Kommune("Oppdal", "oppdal.kommune.no", "OPK-30", date(2027, 3, 16), (8126654,)),
    "surnadal": Kommune("Surnadal", "surnadal.kommune.no", "OPK-31", date(2027, 3, 9), (8129983,)),
    "frosta": Kommune("Frosta", "frosta.kommune.no", "OPK-33", date(2027, 3, 19), (8119042,)),
    "stranda": Kommune("Stranda", "stranda.kommune.no", "OPK-34", date(2027, 3, 23), (8131170,)),
    "hareid": Kommune("Hareid", "hareid.kommune.no", "OPK-36", date(2027, 3, 12), (8121217,)),
    "kristiansund": Kommune("Kristiansund", "kristiansund.kommune.no", "OPK-37", date(2027, 3, 25), (8110658,)),
}

COORDINATORS = {
    "kari": ("Kari Nilsen", "kari.nilsen@hemit.no"),
    "jon": ("Jon Ivar Kvam", "jon.ivar.kvam@hemit.no"),
    "ahmed": ("Ahmed Rahimi", "ahmed.rahimi@hemit.no"),
    "per": ("Per Olsen", "per.olsen@stolav.no"),
    "lene": ("Lene Aune", "lene.aune@hnt.no"),
    "oystein": ("Øystein Vik", "oystein.vik@helse-mr.no"),
    "sigrid": ("Sigrid Hoel", "sigrid.hoel@helse-mr.no"),
}
COORD_DOMAINS = ("hemit.no", "stolav.no", "hnt.no", "helse-mr.no")

STEP_LABEL = {
    "ar_publisering": "publisering i Adresseregisteret",
    "partneravtaler": "partneravtaler med helseforetakene",
    "testmeldinger": "testmeldinger med kvittering",
    "dialogmelding": "testdialogmelding besvart og verifisert",
}
KIND_STEP = {
    "ar_rem": "ar_publisering", "ar_esc_k": "ar_publisering", "ar_esc_c": "ar_publisering",
    "pa_rem": "partneravtaler", "pa_esc": "partneravtaler", "test_rem": "testmeldinger",
    "test_notice": "testmeldinger", "dlg_rem": "dialogmelding", "dlg_notice": "dialogmelding",
    "conf_ar": "ar_publisering", "conf_pa": "partneravtaler", "conf_test": "testmeldinger",
    "conf_dlg": "dialogmelding", "receipt": None, "new_case": None,
}
KOMMUNE_KINDS = {"ar_rem", "ar_esc_k", "test_notice", "dlg_notice", "receipt"}


def dato(d: date) -> str:
    return f"{d.day}. {MONTHS[d.month - 1]} {d.year}"


def datotid(t: datetime) -> str:
    return f"{dato(t.date())} kl. {t:%H:%M}"


def at(d: date, days: int, hh: int, mm: int = 0) -> datetime:
    t = datetime(d.year, d.month, d.day, hh, mm, tzinfo=OSLO) + timedelta(days=days)
    while t.weekday() >= 5:
        t -= timedelta(days=1)
    return t


def bot_sent(kind: str, d: date) -> datetime:
    return {
        "ar_rem": at(d, -21, 8), "ar_esc_k": at(d, -14, 16, 1), "ar_esc_c": at(d, -14, 16, 1),
        "pa_rem": at(d, -10, 8), "pa_esc": at(d, -7, 8, 1), "test_rem": at(d, -7, 8),
        "test_notice": at(d, -7, 8), "dlg_notice": at(d, -1, 12), "dlg_rem": at(d, 0, 9),
        "conf_ar": at(d, -16, 10, 42), "conf_pa": at(d, -8, 13, 5), "conf_test": at(d, -6, 11, 20),
        "conf_dlg": at(d, 0, 10, 16), "receipt": at(d, -30, 10, 12), "new_case": at(d, -30, 10, 12),
    }[kind]


def her_text(k: Kommune) -> str:
    return ", ".join(str(h) for h in k.her)


def signature() -> str:
    return f"Vennlig hilsen\n{BOT_NAME}\n{BOT_ADDR}\n(Denne e-posten er sendt automatisk av Oppkoblingsbot.)"


def bot_mail(kind: str, k: Kommune) -> tuple[str, str]:
    """Subject and text body of the bot mail being answered (modelled on the bot's templates)."""
    d = k.d
    pre = f"[{k.ref}] {k.name} kommune:"
    ar_dl, pa_dl, test_dl, dlg_dl = at(d, -14, 16), at(d, -7, 8), at(d, -5, 16), at(d, 0, 15)
    step = KIND_STEP[kind]
    if kind == "ar_rem":
        subject = f"{pre} Påminnelse: {STEP_LABEL['ar_publisering']} innen {datotid(ar_dl)}"
        body = (f"Hei!\n\nPåminnelse i sak {k.ref}, {k.name} kommune (aktivering {dato(d)}):\n\n"
                f"Kommunen må publisere kommunikasjonsparten sin i NHN Adresseregisteret (HER-id {her_text(k)}) "
                f"senest {datotid(ar_dl)}, altså minst to uker før aktiveringsdatoen {dato(d)}. Helseforetakene "
                "trenger publiseringen for å kunne opprette partneravtaler og sende testmeldinger.\n\n"
                "Har dere allerede publisert? Da holder det å svare «publisert», så stopper påminnelsene.\n\n"
                "Svar på denne e-posten med «publisert» når kommunikasjonsparten er publisert i "
                "Adresseregisteret.")
    elif kind == "ar_esc_k":
        subject = f"{pre} Frist passert: {STEP_LABEL['ar_publisering']} – aktiveringsdatoen er i fare"
        body = (f"Hei!\n\nVi har ikke fått bekreftet at kommunikasjonsparten til {k.name} kommune er publisert i "
                f"NHN Adresseregisteret. Fristen var {datotid(ar_dl)} (sak {k.ref}).\n\n"
                f"Aktiveringsdatoen {dato(d)} er nå i fare: uten publisering kan helseforetakene verken opprette "
                "partneravtaler eller sende testmeldinger. Publiser så snart som mulig. Hvis dere trenger en ny "
                "dato, si fra i svaret, så tar Hemit kontakt.\n\n"
                "Svar på denne e-posten med «publisert» når kommunikasjonsparten er publisert.")
    elif kind in ("ar_esc_c", "pa_esc"):
        subject = f"{pre} Frist passert: {STEP_LABEL[step or '']}"
        if kind == "ar_esc_c":
            task = (f"Kommunen har ikke bekreftet at kommunikasjonsparten er publisert i NHN Adresseregisteret "
                    f"(HER-id {her_text(k)}). Fristen er {datotid(ar_dl)}. Kontakt kommunens meldingsansvarlig "
                    f"(meldingsansvarlig@{k.domain}), eller sjekk Adresseregisteret selv.")
            hint = ("Svar på denne e-posten med «bekreftet AR» når publiseringen er kontrollert, eller "
                    "«ny dato: <dato>» hvis aktiveringsdatoen må flyttes.")
            dl = ar_dl
        else:
            task = (f"Partneravtaler mellom {k.name} kommune og alle tre helseforetak må være opprettet i "
                    f"meldingstjeneren senest {datotid(pa_dl)}. Status: St. Olavs hospital HF mangler, "
                    "Helse Nord-Trøndelag HF bekreftet, Helse Møre og Romsdal HF mangler.")
            hint = ("Svar på denne e-posten med «bekreftet partneravtale» (alle tre) eller for ett helseforetak, "
                    "f.eks. «bekreftet partneravtale St. Olav».")
            dl = pa_dl
        body = (f"Hei!\n\nFristen for «{STEP_LABEL[step or '']}» i sak {k.ref}, {k.name} kommune, gikk ut "
                f"{datotid(dl)}, og steget er ikke bekreftet. Aktiveringsdato: {dato(d)}.\n\n{task}\n\n"
                "Kan ikke datoen holdes, flytt den med «ny dato: <dato>» – kommunen får beskjed automatisk.\n\n"
                f"{hint}")
    elif kind in ("pa_rem", "test_rem", "dlg_rem"):
        assert step is not None
        dl = {"pa_rem": pa_dl, "test_rem": test_dl, "dlg_rem": dlg_dl}[kind]
        subject = f"{pre} Påminnelse: {STEP_LABEL[step]} innen {datotid(dl)}"
        if kind == "pa_rem":
            task = (f"Partneravtaler mellom {k.name} kommune og alle tre helseforetak må være opprettet i "
                    f"meldingstjeneren senest {datotid(pa_dl)}. Status: St. Olavs hospital HF mangler, "
                    "Helse Nord-Trøndelag HF mangler, Helse Møre og Romsdal HF mangler.")
            hint = ("Svar på denne e-posten med «bekreftet partneravtale» (alle tre) eller for ett helseforetak, "
                    "f.eks. «bekreftet partneravtale St. Olav».")
        elif kind == "test_rem":
            task = (f"Send testepikrise og testsvarrapport (lab) til kommunens kommunikasjonspart (HER-id "
                    f"{her_text(k)}). Kontroller at det kommer positiv transportkvittering og apprec med status OK, "
                    f"og bekreft senest {datotid(test_dl)}. Tjenesten deaktiveres deretter fram til "
                    f"aktiveringsdatoen {dato(d)}. Kommunen er varslet om at testmeldingene ikke skal besvares.")
            hint = ("Svar på denne e-posten med «bekreftet test» når transportkvittering og apprec er OK, eller "
                    "«avvik: <beskrivelse>» hvis noe feilet.")
        else:
            task = (f"Send testdialogmeldingen til {k.name} kommune kl. 09:00 {dato(d)}. Kommunen skal svare på "
                    f"den. Når svaret er mottatt og kontrollert, bekreft senest {datotid(dlg_dl)} – da aktiveres "
                    "tjenesten (kun elektronisk).")
            hint = ("Svar på denne e-posten med «verifisert» når kommunens svar på testdialogmeldingen er "
                    "kontrollert.")
        body = (f"Hei!\n\nPåminnelse i sak {k.ref}, {k.name} kommune (aktivering {dato(d)}):\n\n{task}\n\n{hint}")
    elif kind == "test_notice":
        subject = f"{pre} Testmeldinger kommer – skal ikke besvares"
        body = (f"Hei!\n\nI løpet av de neste dagene sender Hemit testmeldinger til {k.name} kommune (HER-id "
                f"{her_text(k)}): en testepikrise og en testsvarrapport (lab). Dette er en del av oppkoblingen med "
                f"aktivering {dato(d)} (sak {k.ref}).\n\n"
                "Viktig: testmeldingene skal IKKE besvares. De er merket som test og gjelder ingen ekte pasient. "
                "Systemet deres sender kvitteringer automatisk; det er alt vi trenger.\n\n"
                "Når kvitteringene er kontrollert, deaktiveres tjenesten igjen fram til aktiveringsdatoen. "
                f"Kl. 09:00 {dato(d)} kommer det en testdialogmelding som dere skal svare på – vi minner dere om "
                "den dagen før.\n\n"
                "Svar på denne e-posten hvis dere har spørsmål eller ikke ser testmeldingene innen "
                f"{dato(test_dl.date())}.")
    elif kind == "dlg_notice":
        subject = f"{pre} Testdialogmelding kl. 09:00 {dato(d)} – må besvares"
        body = (f"Hei!\n\n{dato(d).capitalize()} kl. 09:00 sender helseforetaket en testdialogmelding til {k.name} "
                f"kommune (sak {k.ref}), til kommunikasjonspart med HER-id {her_text(k)}.\n\n"
                "Denne meldingen MÅ besvares: svar på dialogmeldingen i fagsystemet (EPJ) så snart den kommer, "
                "slik dere ville svart på en vanlig forespørsel. Når svaret er kontrollert, aktiveres tjenesten, "
                "og meldingsutvekslingen med sykehusene går elektronisk.\n\n"
                "Sørg for at noen som kan svare er på plass kl. 09:00. Kommer meldingen ikke innen kl. 10:00, "
                "gi beskjed.\n\n"
                "Svar på denne e-posten hvis dere ikke ser testdialogmeldingen, eller hvis tidspunktet ikke passer.")
    elif kind.startswith("conf_"):
        assert step is not None
        subject = f"{pre} Bekreftet: {STEP_LABEL[step]}"
        when = bot_sent(kind, d) - timedelta(minutes=3)
        order = list(STEP_LABEL)
        deadlines = dict(zip(order, (ar_dl, pa_dl, test_dl, dlg_dl), strict=True))
        status = "\n".join(
            f"- {STEP_LABEL[s].capitalize()}: "
            + (f"utført {datotid(when)}" if order.index(s) <= order.index(step)
               else f"venter, frist {datotid(deadlines[s])}")
            for s in order)
        body = (f"Hei!\n\nTakk! «{STEP_LABEL[step]}» er registrert som utført i sak {k.ref}, {k.name} kommune.\n\n"
                f"Status nå:\n- Bestilling: utført {datotid(at(d, -30, 10, 12))}\n{status}\n\n"
                f"Aktiveringsdato: {dato(d)}.\n\n"
                "Svar på denne e-posten med «status» når som helst for å se hvor saken står.")
    elif kind == "receipt":
        subject = f"{pre} Bestilling mottatt – aktivering {dato(d)}"
        body = (f"Hei!\n\nTakk for bestillingen. Den er registrert som sak {k.ref}.\n\n"
                f"- Kommune: {k.name} kommune\n- Aktiveringsdato: {dato(d)}\n"
                "- Meldingstyper: PLO 1.6, Dialogmelding 1.1, Epikrise 1.2, Svarrapport 1.4\n"
                f"- HER-id: {her_text(k)}\n- Kontaktadresse: meldingsansvarlig@{k.domain}\n\n"
                "Tidsplan:\n"
                f"- {datotid(ar_dl)} – kommunen: publisering i Adresseregisteret\n"
                f"- {datotid(pa_dl)} – koordinatorene: partneravtaler med helseforetakene\n"
                f"- {datotid(test_dl)} – koordinatorene: testmeldinger med kvittering\n"
                f"- {dato(d)} kl. 09:00 – helseforetaket: testdialogmelding (må besvares)\n\n"
                "Svar på denne e-posten med «publisert» når kommunikasjonsparten er publisert i Adresseregisteret, "
                "eller med «status» for å se hvor saken står.")
    elif kind == "new_case":
        subject = f"{pre} Ny oppkobling – aktivering {dato(d)}"
        body = (f"Hei!\n\nNy oppkobling registrert: sak {k.ref}.\n\n"
                f"- Kommune: {k.name} kommune\n- Aktiveringsdato: {dato(d)}\n"
                "- Meldingstyper: PLO 1.6, Dialogmelding 1.1, Epikrise 1.2\n"
                f"- HER-id: {her_text(k)}\n- Kontaktadresse: meldingsansvarlig@{k.domain}\n\n"
                "Kommandoer: «bekreftet <steg>», «avvik: <tekst>», «ny dato: <dato>», «status», «avbryt», "
                "«hjelp».")
    else:
        raise ValueError(kind)
    return subject, body + "\n\n" + signature()


@dataclass
class Case:
    name: str
    sender: str  # a COORDINATORS key, or "Display Name <local>" at the kommune's domain
    kommune: str
    kind: str
    style: str
    lang: str
    cat: str
    text: str
    sig: str = ""
    sep: str = "\n\n"
    command: dict[str, object] | None = None
    subj: str = "SV: "
    note: str = ""
    minutes: int = 97


def confirm(step: str | None = None, parts: list[str] | None = None) -> dict[str, object]:
    return {"name": "confirm", "step": step, "parts": parts, "date": None}


def cmd(name: str, step: str | None = None, day: str | None = None) -> dict[str, object]:
    return {"name": name, "step": step, "parts": None, "date": day}


def sender_of(c: Case, k: Kommune) -> tuple[str, str]:
    if c.sender in COORDINATORS:
        return COORDINATORS[c.sender]
    display, local = c.sender.rsplit(" <", 1)
    return display, f"{local.rstrip('>')}@{k.domain}"


def token(*parts: str, n: int = 10) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:n]


def gmail_wrap(line: str, width: int = 76) -> str:
    """Gmail breaks a long attribution line right after the "<" of the address."""
    if len(line) <= width or "<" not in line:
        return line
    cut = line.index("<") + 1
    return line[:cut] + "\n" + line[cut:]


def gt(body: str, wrap: bool) -> str:
    out = []
    for line in body.split("\n"):
        pieces = textwrap.wrap(line, 74) if wrap and line else [line]
        out.extend(("> " + p) if p else ">" for p in pieces)
    return "\n".join(out)


def quote_block(style: str, subject: str, body: str, sent: datetime, to_line: str) -> str:
    wd, mo = sent.weekday(), sent.month - 1
    full = f"{WEEKDAYS[wd]} {sent.day}. {MONTHS[mo]} {sent.year} {sent:%H:%M}"
    gm = f"{WD_SHORT[wd]} {sent.day}. {M_SHORT[mo]} {sent.year} kl. {sent:%H:%M}"
    if style in ("outlook_desktop", "outlook_alt"):
        return (f"Fra: {BOT_NAME} <{BOT_ADDR}> \nSendt: {full}\nTil: {to_line}\nEmne: {subject}\n\n{body}")
    if style == "outlook_orig":
        return (f"-----Opprinnelig melding-----\nFra: {BOT_NAME} [mailto:{BOT_ADDR}] \n"
                f"Sendt: {sent.day}. {MONTHS[mo]} {sent.year} {sent:%H:%M}\nTil: {to_line}\n"
                f"Kopi: Hemit meldingskoordinator <meldingskoordinator@hemit.no>\nEmne: {subject}\n\n{body}")
    if style == "outlook_bold_text":
        return (f"________________________________\n*Fra:* {BOT_NAME} <{BOT_ADDR}>\n*Sendt:* {full}\n"
                f"*Til:* {to_line}\n*Emne:* {subject}\n\n{body}")
    if style in ("outlook_365", "outlook_html_only"):
        return (f"________________________________\nFra: {BOT_NAME} <{BOT_ADDR}>\nSendt: {full}\n"
                f"Til: {to_line}\nEmne: {subject}\n\n{body}")
    if style == "outlook_mobile":
        en = (f"{EN_WD_LONG[wd]}, {EN_M_LONG[mo]} {sent.day}, {sent.year} "
              f"{sent.hour % 12 or 12}:{sent:%M}:00 {'AM' if sent.hour < 12 else 'PM'}")
        return (f"________________________________\nFra: {BOT_NAME} <{BOT_ADDR}>\nSendt: {en}\n"
                f"Til: {to_line}\nEmne: {subject}\n\n{body}")
    if style == "new_outlook":
        return (f"Fra: {BOT_NAME} <{BOT_ADDR}>\nDato: {WEEKDAYS[wd]} {sent.day}. {MONTHS[mo]} {sent.year} "
                f"kl. {sent:%H:%M}\nTil: {to_line}\nEmne: {subject}\n\n{body}")
    if style == "new_outlook_skrev":
        return (f"{BOT_NAME} <{BOT_ADDR}> skrev følgende den {WEEKDAYS[wd]} {sent.day}. {MONTHS[mo]} "
                f"{sent.year} kl. {sent:%H:%M}:\n\n{gt(body, False)}")
    if style == "gmail_nb":
        return gmail_wrap(f"{gm} skrev {BOT_NAME} <{BOT_ADDR}>:") + "\n\n" + gt(body, True)
    if style == "gmail_en":
        en = (f"On {EN_WD[wd]}, {EN_M[mo]} {sent.day}, {sent.year} at {sent.hour % 12 or 12}:{sent:%M}"
              f"\u202f{'AM' if sent.hour < 12 else 'PM'} {BOT_NAME} <{BOT_ADDR}> wrote:")
        return gmail_wrap(en) + "\n\n" + gt(body, True)
    if style == "apple_ios":
        return gt(f"{sent.day}. {M_SHORT[mo]} {sent.year} kl. {sent:%H:%M} skrev {BOT_NAME} <{BOT_ADDR}>:\n\n"
                  + body, False)
    if style == "apple_mac":
        return (f"{sent.day}. {MONTHS[mo]} {sent.year} kl. {sent:%H:%M} skrev {BOT_NAME} <{BOT_ADDR}>:\n\n"
                + gt(body, False))
    if style in ("thunderbird", "bottom"):
        return f"Den {sent:%d.%m.%Y %H:%M}, skrev {BOT_NAME}:\n" + gt(body, True)
    if style == "samsung":
        return (f"\n-------- Opprinnelig melding --------\nFra: {BOT_NAME} <{BOT_ADDR}> \n"
                f"Dato: {sent:%d.%m.%Y %H:%M} (GMT+01:00) \nTil: {to_line} \nEmne: {subject} \n\n{body}")
    if style == "plain_gt":
        return gt(body, False)
    raise ValueError(style)


def paragraphs_html(text: str) -> str:
    return "\n".join(f'<p class="MsoNormal">{html.escape(line) if line else "&nbsp;"}</p>' for line in text.split("\n"))


def outlook_html(new: str, subject: str, body: str, sent: datetime, to_line: str, owa: bool) -> str:
    wd, mo = sent.weekday(), sent.month - 1
    full = f"{WEEKDAYS[wd]} {sent.day}. {MONTHS[mo]} {sent.year} {sent:%H:%M}"
    header = (f"<b>Fra:</b> {html.escape(BOT_NAME)} &lt;{BOT_ADDR}&gt;<br>\n<b>Sendt:</b> {full}<br>\n"
              f"<b>Til:</b> {html.escape(to_line)}<br>\n<b>Emne:</b> {html.escape(subject)}")
    if owa:
        quoted = (f'<div id="appendonsend"></div>\n<hr style="display:inline-block;width:98%" tabindex="-1">\n'
                  f'<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt" '
                  f'color="#000000">{header}</font>\n<div>&nbsp;</div>\n</div>\n<div>{paragraphs_html(body)}</div>')
    else:
        quoted = (f'<div>\n<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">\n'
                  f'<p class="MsoNormal">{header}</p>\n</div>\n</div>\n<p class="MsoNormal">&nbsp;</p>\n'
                  f"{paragraphs_html(body)}")
    return ('<html xmlns:o="urn:schemas-microsoft-com:office:office">\n<head>\n'
            '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
            '<style>p.MsoNormal{margin:0cm;font-size:11.0pt;font-family:"Calibri",sans-serif;}</style>\n'
            '</head>\n<body lang="NO-BOK" link="#0563C1" vlink="#954F72">\n<div class="WordSection1">\n'
            f"{paragraphs_html(new)}\n<p class=\"MsoNormal\">&nbsp;</p>\n{quoted}\n</div>\n</body>\n</html>\n")


def build(c: Case) -> bytes:
    k = KOMMUNER[c.kommune]
    display, addr = sender_of(c, k)
    coordinator = addr.split("@")[1] in COORD_DOMAINS
    subject, body = bot_mail(c.kind, k)
    sent = bot_sent(c.kind, k.d)
    reply_at = sent + timedelta(minutes=c.minutes)
    bot_id = f"<{sent:%Y%m%d}.{token(c.name, 'bot', n=6)}.opk@helse-midt.no>"
    first_id = f"<{at(k.d, -30, 10, 12):%Y%m%d}.{token(k.ref, 'receipt', n=6)}.opk@helse-midt.no>"
    to_line = (f"{display} <{addr}>" if not coordinator or c.kind in KOMMUNE_KINDS
               else "Kari Nilsen <kari.nilsen@hemit.no>; Per Olsen <per.olsen@stolav.no>; "
                    "Lene Aune <lene.aune@hnt.no>; Øystein Vik <oystein.vik@helse-mr.no>")
    if coordinator and c.kind in KOMMUNE_KINDS:
        raise ValueError(f"{c.name}: coordinator answering a kommune mail")
    new = c.text + (c.sep + c.sig if c.sig else "") if c.text else c.sig
    quote = quote_block(c.style, subject, body, sent, to_line)
    if c.style == "bottom":
        plain = f"{quote}\n\n{new}\n"
    elif c.style == "outlook_mobile":
        plain = f"{new}\n{quote}\n"
    else:
        plain = f"{new}\n\n{quote}\n"

    msg = EmailMessage(policy=policy.default)
    msg["From"] = f"{display} <{addr}>"
    msg["To"] = f"{BOT_NAME} <{BOT_ADDR}>"
    tagged = "[EKSTERN] " if addr.endswith("@stolav.no") and c.kind not in KOMMUNE_KINDS else ""
    msg["Subject"] = f"{c.subj}{tagged}{subject}"
    msg["Date"] = format_datetime(reply_at)
    host = addr.split("@")[1]
    t = token(c.name, "msg", n=20).upper()
    if c.style.startswith(("outlook", "new_outlook")):
        server = f"{t[:2]}{t[2]}PR0{t[3]}MB{t[4:8]}"
        msg["Message-ID"] = f"<{server}{t[8:20]}@{server}.eurprd05.prod.outlook.com>"
    elif c.style.startswith("gmail"):
        msg["Message-ID"] = f"<CAF{token(c.name, 'g', n=30)}+{t[:6]}@mail.gmail.com>"
    elif c.style.startswith("apple"):
        u = token(c.name, "a", n=32).upper()
        msg["Message-ID"] = f"<{u[:8]}-{u[8:12]}-{u[12:16]}-{u[16:20]}-{u[20:32]}@{host}>"
    else:
        msg["Message-ID"] = f"<{token(c.name, 'o', n=24)}@{host}>"
    msg["In-Reply-To"] = bot_id
    msg["References"] = bot_id if c.kind in ("receipt", "new_case") else f"{first_id} {bot_id}"
    if c.style.startswith(("outlook", "new_outlook")):
        msg["Thread-Topic"] = subject
        msg["Thread-Index"] = "AQH" + token(c.name, "ti", n=24)
        msg["Accept-Language"] = "nb-NO, en-US"
        msg["Content-Language"] = "nb-NO"
        if c.style in ("outlook_desktop", "outlook_orig", "outlook_alt"):
            msg["X-Mailer"] = "Microsoft Outlook 16.0"
    elif c.style == "apple_ios":
        msg["X-Mailer"] = "iPhone Mail (22D63)"
    elif c.style == "apple_mac":
        msg["X-Mailer"] = "Apple Mail (2.3826.400.131.1.6)"
    elif c.style in ("thunderbird", "bottom"):
        msg["User-Agent"] = "Mozilla Thunderbird"
    elif c.style == "samsung":
        msg["X-Mailer"] = "Samsung Email"

    if c.style == "outlook_html_only":
        msg.set_content(outlook_html(new, subject, body, sent, to_line, owa=True), subtype="html",
                        cte="quoted-printable")
    elif c.style == "outlook_alt":
        msg.set_content(plain, charset="windows-1252", cte="quoted-printable")
        msg.add_alternative(outlook_html(new, subject, body, sent, to_line, owa=False), subtype="html",
                            cte="quoted-printable")
        msg.set_boundary(f"_000_{token(c.name, 'boundary', n=24)}_")  # fixed, so a rebuild changes nothing
    elif c.style in ("outlook_desktop", "outlook_orig"):
        msg.set_content(plain, charset="iso-8859-1" if "–" not in plain else "windows-1252",
                        cte="quoted-printable")
    elif c.style in ("thunderbird", "bottom", "samsung"):
        msg.set_content(plain, cte="8bit")
    else:
        msg.set_content(plain, cte="quoted-printable")
    crlf = c.style.startswith(("outlook", "new_outlook"))
    return msg.as_bytes(policy=policy.default.clone(linesep="\r\n" if crlf else "\n"))


def expected(c: Case) -> dict[str, object]:
    k = KOMMUNER[c.kommune]
    _, addr = sender_of(c, k)
    return {
        "role": "coordinator" if addr.split("@")[1] in COORD_DOMAINS else "kommune",
        "replied_to_step": KIND_STEP[c.kind],
        "command": c.command,
        "text": c.text,
    }


def readme_line(c: Case) -> str:
    cmd_s = "no command" if c.command is None else str(c.command["name"])
    if c.command and c.command.get("step"):
        cmd_s += f" {c.command['step']}"
    if c.command and c.command.get("parts"):
        cmd_s += " " + "+".join(str(p) for p in c.command["parts"])
    if c.command and c.command.get("date"):
        cmd_s += f" {c.command['date']}"
    who = expected(c)["role"]
    line = f"- `{c.name}` — {c.cat}; {c.lang}; {c.style}; {who} answers {c.kind}: {cmd_s}."
    return line + (f" {c.note}" if c.note else "")


README_INTRO = """\
# Held-out replies (issue 13)

Replies to the bot's mails as kommune IT staff and HF/Hemit coordinators write them, each with the reading a
correct bot must make. Written blind for issue 13: without reading the bot's command reader or quote cutter
(nothing under bot/, rules/, tests/unit/ or tests/emails/ was opened) and without running the bot on them.
Score once; do not tune on these files.

Each case is `NAME.eml` (a real message: client headers, `In-Reply-To`/`References` to a bot Message-ID,
the new text on top and the bot mail quoted the way the named client quotes it) and `NAME.json`:

```json
{"role": "kommune | coordinator",
 "replied_to_step": "ar_publisering | partneravtaler | testmeldinger | dialogmelding | null",
 "command": null or {"name": "confirm | deviation | new_date | status | cancel | help | reopen",
                     "step": "<step the reply names> or null", "parts": ["st_olav", "hnt", "hmr"] or null,
                     "date": "YYYY-MM-DD" or null},
 "text": "the new text a good trimmer keeps: greeting and message lines; quote, attribution, sign-off cut"}
```

Conventions for scoring:
- `command` is what the reply SAYS, read from the message alone; authorization is a separate check (the
  `kommune-other-step` cases name a coordinators' step and must be refused by the engine, not misread).
- `step` is null when the reply names no step; compare `command.step or replied_to_step` with the step the bot
  resolves (confirm and reopen). For deviation, new_date, status, cancel and help `step` is null and not scored.
- `parts` lists the trusts the reply says are done, in the order named; compare as sets. null = no trust named.
  "alle tre" counts as all three.
- `text`: compare after stripping trailing spaces and collapsing runs of blank lines; in the HTML-only cases
  the blank lines depend on the HTML-to-text converter.
- A wrong confirmation (a confirm or reopen where the JSON has another reading, or a confirm of another step or
  trust) is the costly error; report it separately from missed confirmations.

Files: `_cases.py` holds the hand-written cases, `_build_heldout.py` renders them (deterministic:
`python3 _build_heldout.py` rewrites every .eml/.json and this README), `check_heldout.py` validates the set
(standard library only: `python3 check_heldout.py [DIR]`).

The quoted bot mails are modelled on the wording of templates/ (read for realism; it holds no reading logic).
Bot mails answered: `ar_rem` AR reminder to the kommune, `ar_esc_k`/`ar_esc_c` AR escalation to the kommune /
the coordinators, `pa_rem`/`pa_esc` partner-agreement reminder / escalation, `test_rem` test reminder,
`test_notice` and `dlg_notice` notices to the kommune, `dlg_rem` dialogmelding reminder, `conf_ar`/`conf_pa`/
`conf_test`/`conf_dlg` step_confirmed (subject "Bekreftet: …"), `receipt`, `new_case`.

Quote styles: `outlook_desktop` (Fra:/Sendt:/Til:/Emne: block, no separator), `outlook_orig`
("-----Opprinnelig melding-----", `[mailto:]`, Kopi:), `outlook_365` (32 underscores), `outlook_alt`
(multipart/alternative: desktop text plus Word HTML with bold labels under a top border), `outlook_html_only`
(OWA HTML only, `divRplyFwdMsg`), `outlook_mobile` ("Hent Outlook for iOS/Android", underscores, English date),
`outlook_bold_text` (`*Fra:*` labels in text), `new_outlook` (Fra:/Dato: … kl. …), `new_outlook_skrev`
("… skrev følgende den …:" and `>`), `gmail_nb`/`gmail_en` (attribution wrapped before the address, `>` lines
wrapped), `apple_ios` (quoted attribution after "Sendt fra min iPhone"), `apple_mac` (unquoted attribution),
`thunderbird` ("Den dd.mm.yyyy HH:MM, skrev …:"), `bottom` (Thunderbird, new text below the quote), `samsung`
("Sendt fra min Galaxy", "-------- Opprinnelig melding --------"), `plain_gt` (`>` lines, no attribution).

Each line below: category; language (nb, nn, en; nb-ascii = written without æøå); quote style; who answers
which bot mail; the expected reading.
"""


def main() -> None:
    from _cases import CASES

    names = [c.name for c in CASES]
    assert len(names) == len(set(names)), "duplicate case names"
    for old in list(HERE.glob("*.eml")) + list(HERE.glob("*.json")):
        old.unlink()
    for c in CASES:
        (HERE / f"{c.name}.eml").write_bytes(build(c))
        (HERE / f"{c.name}.json").write_text(json.dumps(expected(c), ensure_ascii=False, indent=2) + "\n",
                                              encoding="utf-8")
    lines = "\n".join(readme_line(c) for c in CASES)
    (HERE / "README.md").write_text(f"{README_INTRO}\n## Files\n\n{lines}\n", encoding="utf-8")
    print(f"wrote {len(CASES)} cases")


if __name__ == "__main__":
    main()
