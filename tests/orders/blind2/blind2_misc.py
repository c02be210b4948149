"""Blind set 2: ordinary variations — date forms, two dates, incomplete orders, encodings, senders."""
from __future__ import annotations

from blind2_spec import Expect, Mail

DISCLAIMER_NB = """Denne e-posten kan inneholde informasjon som er taushetsbelagt. Dersom du ikke er rett mottaker, \
vennligst slett e-posten og gi beskjed til avsender."""

MAILS = [
    Mail(
        name="49-date-slash-disclaimer-haram",
        what="date '15/3-2027 (avtalt med Hemit)'; 'v1.6'/'v1.1' after the names; a disclaimer with a postcode and "
             "'Postboks 11'; Haram (new kommune 2024)",
        sender=("Geir Gjøsund", "geir.gjosund@haram.kommune.no"),
        date="2027-02-24 08:40 +0100",
        subject="Bestilling e-meldinger Haram kommune",
        new="""Hei,

Haram kommune bestiller oppkobling av e-meldinger for Haram sjukeheim.

Meldingstyper: PLO v1.6 og Dialogmelding v1.1
HER-id: 8570206
Oppstart: 15/3-2027 (avtalt med Hemit)""",
        sig="""Med vennlig hilsen
Geir Gjøsund
Haram kommune

""" + DISCLAIMER_NB + " Haram kommune, Postboks 11, 6270 Brattvåg.",
        expect=Expect(("1580", "Haram"), "2027-03-15", "PLO 1.6, DIALOGMELDING 1.1", [8570206],
                      "geir.gjosund@haram.kommune.no"),
    ),
    Mail(
        name="50-date-weekday-no-year-sami-royrvik",
        what="date 'tirsdag 16. februar' without year (Date header December 2026 -> 2027); Sami greeting and "
             "name 'Raarvihke tjïelte / Røyrvik kommune'; DM before PLO in one sentence",
        sender=("Jon Ivar Kappfjell", "jon.ivar.kappfjell@royrvik.kommune.no"),
        date="2026-12-15 11:10 +0100",
        subject="Bestilling e-meldinger Røyrvik",
        new="""Buerie!

Raarvihke tjïelte / Røyrvik kommune bestiller oppkobling av dialogmelding 1.1 og PLO 1.6 for \
Røyrvik omsorgssenter.

HER-id: 8640116

Vi starter opp tirsdag 16. februar, som avtalt med Hemit.""",
        sig="""Mvh
Jon Ivar Kappfjell
Røyrvik kommune""",
        expect=Expect(("5043", "Raarvihke - Røyrvik"), "2027-02-16", "DIALOGMELDING 1.1, PLO 1.6", [8640116],
                      "jon.ivar.kappfjell@royrvik.kommune.no"),
    ),
    Mail(
        name="51-two-dates-agreed-indre-fosen",
        what="three dates: an earlier wish ('1. februar'), the agreed one ('avtalt dato mandag 15. februar 2027') "
             "and an AR deadline ('innen 1. februar'); indrefosen.kommune.no domain",
        sender=("Stian Rian", "stian.rian@indrefosen.kommune.no"),
        date="2027-01-07 13:35 +0100",
        subject="Bestilling e-meldinger Indre Fosen",
        new="""Hei,

Indre Fosen kommune bestiller PLO 1.6, dialogmelding 1.1 og epikrise 1.2.

Vi ønsket egentlig oppstart 1. februar, men etter samtale med Hemit er avtalt dato mandag 15. februar 2027. \
AR-publisering gjør vi innen 1. februar.

HER-id Indre Fosen helsetun: 8541013
HER-id Hjemmetjenesten Rissa: 8541021

Kontaktperson: Stian Rian, stian.rian@indrefosen.kommune.no""",
        sig="""Mvh Stian""",
        expect=Expect(("5054", "Indre Fosen"), "2027-02-15", "PLO 1.6, DIALOGMELDING 1.1, EPIKRISE 1.2",
                      [8541013, 8541021], "stian.rian@indrefosen.kommune.no"),
    ),
    Mail(
        name="52-two-dates-ar-deadline-steinkjer",
        what="'AR-publisering innen 25.01.2027' before 'Aktivering: 08.02.2027'; three HER-ids in parentheses on "
             "one line; types comma-separated on one line",
        sender=("Elin Dahl", "elin.dahl@steinkjer.kommune.no"),
        date="2026-11-23 14:45 +0100",
        subject="Bestilling e-meldinger – Steinkjer kommune",
        new="""Hei!

Steinkjer kommune bestiller oppkobling:
PLO-meldinger 1.6, dialogmelding 1.1, henvisning 2.0.

Frister vi har satt opp internt:
AR-publisering innen 25.01.2027
Aktivering: 08.02.2027

Kommunikasjonsparter: Steinkjer sykehjem (HER-id 8301217), Hjemmetjenesten Steinkjer (HER-id 8301225), \
Steinkjer legevakt (HER-id 8301233)""",
        sig="""Med hilsen
Elin Dahl
Steinkjer kommune""",
        expect=Expect(("5006", "Steinkjer"), "2027-02-08", "PLO 1.6, DIALOGMELDING 1.1, HENVISNING 2.0",
                      [8301217, 8301225, 8301233], "elin.dahl@steinkjer.kommune.no"),
    ),
    Mail(
        name="53-no-date-week-only-malvik",
        what="no settled date: 'i løpet av uke 10 – nøyaktig dato avtaler vi med Hemit' -> activation_date null, "
             "missing [activation_date]",
        sender=("Vegard Hegstad", "vegard.hegstad@malvik.kommune.no"),
        date="2027-01-28 10:25 +0100",
        subject="Bestilling epikrise og lab – Malvik",
        new="""Hei,

Malvik kommune vil bestille oppkobling av epikrise 1.2 og svarrapport 1.4 for Malvik legesenter.

HER-id: 8142890

Oppstart blir en gang i løpet av uke 10 – nøyaktig dato avtaler vi med Hemit, og jeg sender den så snart \
vi har den.""",
        sig="""Vennlig hilsen
Vegard Hegstad""",
        expect=Expect(("5031", "Malvik"), None, "EPIKRISE 1.2, SVARRAPPORT 1.4", [8142890],
                      "vegard.hegstad@malvik.kommune.no"),
    ),
    Mail(
        name="54-no-versions-nn-tingvoll",
        what="nynorsk, types without versions ('Versjonane veit vi ikkje heilt enno') -> missing [versions]; date "
             "05.04.2027",
        sender=("Ingvild Ranes", "ingvild.ranes@tingvoll.kommune.no"),
        date="2027-02-10 09:30 +0100",
        subject="Tinging e-meldingar Tingvoll",
        lang="nn",
        new="""Hei

Tingvoll kommune ynskjer å tinge PLO-meldingar og dialogmeldingar for Tingvoll sjukeheim. Versjonane veit vi \
ikkje heilt enno – leverandøren skal kome tilbake til oss.

HER-id: 8960731

Oppstartsdato: 05.04.2027""",
        sig="""Helsing
Ingvild Ranes
Tingvoll kommune""",
        expect=Expect(("1560", "Tingvoll"), "2027-04-05", "PLO -, DIALOGMELDING -", [8960731],
                      "ingvild.ranes@tingvoll.kommune.no"),
    ),
    Mail(
        name="55-no-types-skaun",
        what="an order without message types ('meldingstypene avklarer vi med leverandøren og ettersender') -> "
             "missing [message_types]; HER-id in parentheses; date '3. mai 2027'",
        sender=("Trine Børseth", "trine.borseth@skaun.kommune.no"),
        date="2027-03-01 12:00 +0100",
        subject="Bestilling e-meldinger Skaun kommune",
        new="""Hei,

Skaun kommune bestiller oppkobling av elektronisk meldingsutveksling mot sykehusene for Skaun sykehjem \
(HER-id 8290412). Meldingstypene avklarer vi med leverandøren og ettersender.

Vi har fått dato av Hemit: 3. mai 2027.""",
        sig="""Mvh Trine Børseth
Skaun kommune""",
        expect=Expect(("5029", "Skaun"), "2027-05-03", "", [8290412], "trine.borseth@skaun.kommune.no"),
    ),
    Mail(
        name="56-cp1252-quotes-short-year-kristiansund",
        what="Outlook plain text windows-1252 QP with «» and – ; types in «quotes» with 'versjon n'; date "
             "'01.03.27' (two-digit year) set off by dashes",
        sender=("Øystein Nilsen", "oystein.nilsen@kristiansund.kommune.no"),
        date="2027-01-13 08:05 +0100",
        subject="Bestilling e-meldinger – Kristiansund kommune",
        style="outlook_plain",
        charset="windows-1252",
        crlf=True,
        new="""Hei,

Kristiansund kommune bestiller herved oppkobling av «PLO-meldinger» versjon 1.6 og «Dialogmelding» versjon 1.1 \
for Kristiansund helsehus.

HER-id: 8711302

Oppstart – etter avtale med Hemit – 01.03.27.

Kontaktperson: Øystein Nilsen – oystein.nilsen@kristiansund.kommune.no""",
        sig="""Med vennlig hilsen
Øystein Nilsen
Kristiansund kommune""",
        expect=Expect(("1505", "Kristiansund"), "2027-03-01", "PLO 1.6, DIALOGMELDING 1.1", [8711302],
                      "oystein.nilsen@kristiansund.kommune.no"),
    ),
    Mail(
        name="57-latin1-dm-alias-nn-volda",
        what="short nynorsk order in iso-8859-1 QP plain text: alias 'DM 1.1', 'HER: n' after a comma, 'Kontakt:' "
             "label; date 19.04.2027",
        sender=("Nils Dalen", "nils.dalen@volda.kommune.no"),
        date="2027-02-18 15:55 +0100",
        subject="Tinging DM og PLO – Volda",
        style="outlook_plain",
        charset="iso-8859-1",
        lang="nn",
        new="""Hei

Volda kommune tingar DM 1.1 og PLO 1.6 for Volda omsorgssenter, HER: 8822509.

Oppstart: 19.04.2027.

Kontakt: Nils Dalen, nils.dalen@volda.kommune.no""",
        sig="Nils",
        expect=Expect(("1577", "Volda"), "2027-04-19", "DIALOGMELDING 1.1, PLO 1.6", [8822509],
                      "nils.dalen@volda.kommune.no"),
    ),
    Mail(
        name="58-htmlonly-table-ja-nei-orkland",
        what="HTML-only Outlook order table with a 'Bestilles' Ja/Nei column (SVARRAPPORT and HENVISNING 'Nei'); "
             "HER-id table; postcode '7300 Orkanger' and org.nr in the signature; date '22. mars 2027'",
        sender=("Silje Vold", "silje.vold@orkland.kommune.no"),
        date="2027-02-02 10:15 +0100",
        subject="Bestilling e-meldinger Orkland kommune",
        style="outlook_html",
        crlf=True,
        new="""Hei,

Orkland kommune bestiller e-meldinger etter tabellen under. Oppstartsdato er avtalt med Hemit til 22. mars 2027.

| Meldingstype | Versjon | Bestilles |
| PLO | 1.6 | Ja |
| Dialogmelding | 1.1 | Ja |
| Epikrise | 1.2 | Ja |
| Svarrapport | 1.4 | Nei |
| Henvisning | 2.0 | Nei |

| Kommunikasjonspart | HER-id |
| Orkland helsetun | 8300119 |
| Hjemmetjenesten Orkanger | 8300127 |

Kontaktperson: Silje Vold, silje.vold@orkland.kommune.no""",
        sig="""Med vennlig hilsen
Silje Vold
Orkland kommune, Postboks 83, 7300 Orkanger
Org.nr. 921 233 418""",
        expect=Expect(("5059", "Orkland"), "2027-03-22", "PLO 1.6, DIALOGMELDING 1.1, EPIKRISE 1.2",
                      [8300119, 8300127], "silje.vold@orkland.kommune.no"),
    ),
    Mail(
        name="59-sami-phone-question-snasa",
        what="Sami name 'Snåase tjïelte – Snåsa kommune'; 'Spørsmål om HER-id-ene kan rettes til Per på 924 55 120' "
             "(a phone number right after 'HER-id'); 'Telefon:' line after the contact",
        sender=("Berit Kveli", "berit.kveli@snasa.kommune.no"),
        date="2026-11-30 09:15 +0100",
        subject="Bestilling e-meldinger Snåsa",
        new="""Hei

Snåase tjïelte – Snåsa kommune bestiller e-meldinger:
PLO 1.6
Dialogmelding 1.1
Epikrise 1.2

HER-id Snåsa helsetun: 8650228

Oppstart: 25.01.2027

Spørsmål om HER-id-ene kan rettes til Per på 924 55 120.

Kontaktperson: Berit Kveli, berit.kveli@snasa.kommune.no
Telefon: 74 15 45 00""",
        sig="Hilsen Berit",
        expect=Expect(("5041", "Snåase - Snåsa"), "2027-01-25", "PLO 1.6, DIALOGMELDING 1.1, EPIKRISE 1.2",
                      [8650228], "berit.kveli@snasa.kommune.no"),
    ),
    Mail(
        name="60-gateway-tag-os-innlandet",
        what="subject with gateway tag '[EKSTERN]'; Os kommune in Innlandet (os.kommune.no, a name that exists "
             "elsewhere); ISO date 2027-04-12; 'HER-id name: n'; no named contact -> sender",
        sender=("Håkon Moen", "hakon.moen@os.kommune.no"),
        date="2027-03-09 14:20 +0100",
        subject="[EKSTERN] Bestilling e-meldinger Os kommune",
        new="""Hei,

Os kommune (Innlandet) hører til Helse Midt-Norge for sykehustjenester, og vi bestiller herved:

PLO 1.6
Dialogmelding 1.1

HER-id Os omsorgssenter: 8091125

Aktiveringsdato: 2027-04-12""",
        sig="""Mvh
Håkon Moen
Os kommune""",
        expect=Expect(("3430", "Os"), "2027-04-12", "PLO 1.6, DIALOGMELDING 1.1", [8091125],
                      "hakon.moen@os.kommune.no"),
    ),
    Mail(
        name="61-vendor-on-behalf-no-contact-roros",
        what="a vendor writes directly 'På vegne av Røros kommune – Rosse tjïelte' (Sami name) without naming a "
             "contact -> contact null; vendor org.nr (9 digits) and phone in the signature; date '11. januar 2027'",
        sender=("Anders Lie", "anders.lie@fjordsyn-helse.no"),
        date="2026-11-20 10:00 +0100",
        subject="Bestilling e-meldinger – Røros kommune",
        new="""Hei,

På vegne av Røros kommune – Rosse tjïelte bestiller vi oppkobling av e-meldinger i forbindelse med overgang \
til nytt journalsystem.

Meldingstyper:
- PLO 1.6
- Dialogmelding 1.1

Kommunikasjonspart: Røros sykehjem, HER-id 8390271

Oppstartsdato: 11. januar 2027""",
        sig="""Vennlig hilsen
Anders Lie
Prosjektleder, Fjordsyn Helse AS
Org.nr. 998 877 665 | Tlf. 73 10 20 30""",
        expect=Expect(("5025", "Røros - Rosse"), "2027-01-11", "PLO 1.6, DIALOGMELDING 1.1", [8390271], None),
    ),
    Mail(
        name="62-regional-it-on-behalf-frosta",
        what="regional IT (sender at levanger.kommune.no) orders 'på vegne av Frosta kommune': kommune from the "
             "text, not the sender domain; 'Kontaktperson i Frosta:' names the contact; 'Avtalt oppstartsdato: "
             "08.03.2027'",
        sender=("Kjell Ove Aune", "kjell.ove.aune@levanger.kommune.no"),
        date="2027-01-27 13:50 +0100",
        subject="Bestilling e-meldinger Frosta kommune",
        new="""Hei!

IKT Innherred sender denne bestillingen på vegne av Frosta kommune.

Frosta kommune bestiller:
- Dialogmelding 1.1
- PLO 1.6
- Svarrapport 1.4

Kommunikasjonspart: Frosta helsetun, HER-id 8371008

Avtalt oppstartsdato: 08.03.2027

Kontaktperson i Frosta: Mari Hoston, mari.hoston@frosta.kommune.no""",
        sig="""Mvh
Kjell Ove Aune
IKT Innherred""",
        expect=Expect(("5036", "Frosta"), "2027-03-08", "DIALOGMELDING 1.1, PLO 1.6, SVARRAPPORT 1.4", [8371008],
                      "mari.hoston@frosta.kommune.no"),
    ),
    Mail(
        name="63-letter-date-saksnr-short-date-rennebu",
        what="letter head 'Dato: 2026-12-09' (ISO letter date) and 'Saksnr.: 26/4411'; activation 'den 1.3.' "
             "without year (-> 2027-03-01); HER-id in the same sentence as the types",
        sender=("Turid Voll", "turid.voll@rennebu.kommune.no"),
        date="2026-12-09 12:40 +0100",
        subject="Bestilling av e-meldinger – Rennebu kommune",
        new="""Dato: 2026-12-09
Saksnr.: 26/4411

Bestilling av e-meldinger – Rennebu kommune

Rennebu kommune bestiller PLO 1.6, dialogmelding 1.1 og epikrise 1.2 for Rennebu helsetun, HER-id 8440118.

Oppstart den 1.3. etter avtale med Hemit.

Kontaktperson: Turid Voll, turid.voll@rennebu.kommune.no""",
        sig="""Med hilsen
Turid Voll
Rennebu kommune""",
        expect=Expect(("5022", "Rennebu"), "2027-03-01", "PLO 1.6, DIALOGMELDING 1.1, EPIKRISE 1.2", [8440118],
                      "turid.voll@rennebu.kommune.no"),
    ),
    Mail(
        name="64-outlook-android-nn-disclaimer-sande",
        what="Outlook for Android ('Hent Outlook for Android' and a nynorsk disclaimer); Sande at sande-mr (a name "
             "that exists elsewhere); date 'torsdag 11. mars 2027'",
        sender=("Hege Voldsund", "hege.voldsund@sande-mr.kommune.no"),
        date="2027-01-19 19:40 +0100",
        subject="Tinging e-meldingar Sande omsorgssenter",
        style="android",
        lang="nn",
        new="""Hei

Sande kommune tingar PLO 1.6 og dialogmelding 1.1 for Sande omsorgssenter, HER-id 7781220.

Oppstart torsdag 11. mars 2027, avtala med Hemit.

Helsing Hege""",
        sig="""Hent Outlook for Android<https://aka.ms/AAb9ysg>

Denne e-posten kan innehalde teiepliktig informasjon. Er du ikkje rett mottakar, gje melding til avsendar og \
slett e-posten.""",
        expect=Expect(("1514", "Sande"), "2027-03-11", "PLO 1.6, DIALOGMELDING 1.1", [7781220],
                      "hege.voldsund@sande-mr.kommune.no"),
    ),
    Mail(
        name="65-meeting-date-vs-activation-midtre-gauldal",
        what="a past meeting date ('torsdag 3. desember') before the activation date '15. februar' without year "
             "(-> 2027); HER-id in parentheses; the named contact is not the sender",
        sender=("Åse Bjørgum", "ase.bjorgum@midtre-gauldal.kommune.no"),
        date="2026-12-07 08:30 +0100",
        subject="Bestilling e-meldinger Midtre Gauldal – Støren helsetun",
        new="""Hei,

Takk for et godt møte med Hemit torsdag 3. desember. Som avtalt der sender vi bestillingen:

Midtre Gauldal kommune bestiller PLO 1.6 og dialogmelding 1.1 for Støren helsetun (HER-id 6654048).

Dato for oppstart: 15. februar

Kontaktperson: Kari Engan, kari.engan@midtre-gauldal.kommune.no""",
        sig="""Mvh
Åse Bjørgum
Midtre Gauldal kommune""",
        expect=Expect(("5027", "Midtre Gauldal"), "2027-02-15", "PLO 1.6, DIALOGMELDING 1.1", [6654048],
                      "kari.engan@midtre-gauldal.kommune.no"),
    ),
    Mail(
        name="66-subtypes-multiphone-froya",
        what="PLO sub-types listed after 'PLO 1.6:' and DM sub-types in parentheses (still two types); 'Aktivering "
             "12.4.2027 er avtalt'; signature with '72 46 30 00 / +47 911 22 333'",
        sender=("Ronny Sandvik", "ronny.sandvik@froya.kommune.no"),
        date="2027-02-17 11:45 +0100",
        subject="Bestilling e-meldinger Frøya kommune",
        new="""Hei,

Frøya kommune bestiller:
- PLO 1.6: innleggelsesrapport, utskrivningsrapport, helseopplysninger ved søknad, logistikkmeldinger
- Dialogmelding 1.1 (forespørsel og svar på forespørsel)

HER-id Frøya sykehjem: 8120516
HER-id Hjemmetjenesten Frøya: 8120524

Aktivering 12.4.2027 er avtalt med Hemit.""",
        sig="""Hilsen Ronny
Frøya kommune
Tlf. 72 46 30 00 / +47 911 22 333""",
        expect=Expect(("5014", "Frøya"), "2027-04-12", "PLO 1.6, DIALOGMELDING 1.1", [8120516, 8120524],
                      "ronny.sandvik@froya.kommune.no"),
    ),
]
