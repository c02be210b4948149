"""Blind set 2: numbers that look like HER-ids but are not the kommune's, and HER-ids written awkwardly."""
from __future__ import annotations

from blind2_spec import Expect, Mail

MAILS = [
    Mail(
        name="21-her-phone-groups-stjordal",
        what="phone numbers split in groups in prose and signature ('926 44 801', '74 80 00 00', '+47 906 11 482') "
             "next to one real 'HER-id: n'; 'Epikrise er ikke aktuelt nå'; date 'torsdag 14. januar 2027'",
        sender=("Hanne Wold", "hanne.wold@stjordal.kommune.no"),
        date="2026-11-18 14:15 +0100",
        subject="Bestilling e-meldinger Stjørdal kommune – Kvislamyra",
        new="""Hei,

Stjørdal kommune bestiller med dette oppkobling av e-meldinger for Kvislamyra bo- og helsetun.

Meldinger:
- PLO versjon 1.6
- Dialogmelding versjon 1.1

Epikrise er ikke aktuelt nå for sykehjemmet.

HER-id: 8455120

Oppstart er avtalt med Hemit til torsdag 14. januar 2027.

Ved spørsmål om oppsettet kan dere ringe systemansvarlig Ketil på 926 44 801, eller sentralbordet \
på 74 80 00 00.""",
        sig="""Med vennlig hilsen

Hanne Wold
Avdelingsleder, Kvislamyra bo- og helsetun
Stjørdal kommune
Tlf: 74 80 00 00 | Mob: +47 906 11 482""",
        expect=Expect(("5035", "Stjørdal"), "2027-01-14", "PLO 1.6, DIALOGMELDING 1.1", [8455120],
                      "hanne.wold@stjordal.kommune.no"),
    ),
    Mail(
        name="22-her-phone-felt-lines-alesund",
        what="'Felt: verdi' form with 'Telefon tjenesten: 70 16 20 00' and 'Mobil kontaktperson: 48 12 34 56' "
             "among the fields; contact split over 'Kontaktperson:' (name) and 'E-post kontaktperson:' lines",
        sender=("Sølvi Brunstad", "solvi.brunstad@alesund.kommune.no"),
        date="2026-11-23 10:30 +0100",
        subject="Bestilling av e-meldinger – Ålesund kommune",
        crlf=True,
        new="""Hei!

Bestilling av e-meldinger – Ålesund kommune

Kommune: Ålesund
Tjeneste: Hjemmetjenesten Ålesund sentrum
HER-id: 8732201
Telefon tjenesten: 70 16 20 00
Meldingstyper: PLO 1.6, Dialogmelding 1.1
Avtalt oppstartsdato: 18.01.2027
Kontaktperson: Sølvi Brunstad
E-post kontaktperson: solvi.brunstad@alesund.kommune.no
Mobil kontaktperson: 48 12 34 56""",
        sig="""Vennlig hilsen
Sølvi Brunstad""",
        expect=Expect(("1508", "Ålesund"), "2027-01-18", "PLO 1.6, DIALOGMELDING 1.1", [8732201],
                      "solvi.brunstad@alesund.kommune.no"),
    ),
    Mail(
        name="23-her-hospital-herids-inderoy",
        what="HER-ids the mail says belong to the hospitals ('HNT sin HER-id 96420 og St. Olavs hospital sin HER-id "
             "59870 … de er altså sykehusenes, ikke våre') besides the kommune's own; '*' bullets",
        sender=("Jorunn Kvam", "jorunn.kvam@inderoy.kommune.no"),
        date="2026-12-01 13:00 +0100",
        subject="Bestilling e-meldinger Inderøy kommune",
        new="""Hei,

Inderøy kommune ønsker å bestille e-meldinger mot Helse Nord-Trøndelag og St. Olavs.

Vi bestiller:
* PLO-meldinger, versjon 1.6
* Dialogmelding, versjon 1.1
* Epikrise, versjon 1.2

Vår kommunikasjonspart er Inderøy helsetun, HER-id 8632105.

Til info: Vi har lagt inn partneravtale mot HNT sin HER-id 96420 og St. Olavs hospital sin HER-id 59870 i \
meldingstjeneren – de er altså sykehusenes, ikke våre.

Aktiveringsdato: 01.02.2027

Kontaktperson: Jorunn Kvam (jorunn.kvam@inderoy.kommune.no)""",
        sig="""Hilsen Jorunn""",
        expect=Expect(("5053", "Inderøy"), "2027-02-01", "PLO 1.6, DIALOGMELDING 1.1, EPIKRISE 1.2", [8632105],
                      "jorunn.kvam@inderoy.kommune.no"),
    ),
    Mail(
        name="24-her-other-kommune-legevakt-meraker",
        what="a HER-id that belongs to another kommune (the interkommunal legevakt run by Stjørdal, 'Den er "
             "Stjørdals og er ikke med i denne bestillingen') next to the kommune's own; no named contact -> sender",
        sender=("Arvid Brenden", "arvid.brenden@meraker.kommune.no"),
        date="2026-12-07 11:00 +0100",
        subject="Bestilling e-meldinger – Meråker kommune",
        new="""Hei,

Meråker kommune vil bestille oppkobling av følgende meldingstyper:

PLO 1.6
Dialogmelding 1.1

Kommunikasjonspart: Meråker omsorgssenter, HER-id 8603318.

Legevakten vår er interkommunal og driftes av Stjørdal kommune (Værnesregionen legevakt, HER-id 8021345). \
Den er Stjørdals og er ikke med i denne bestillingen.

Oppstart: 8. februar 2027 (avtalt med Hemit)""",
        sig="""Mvh
Arvid Brenden
Enhetsleder helse
Meråker kommune
Tlf. 74 81 10 00""",
        expect=Expect(("5034", "Meråker"), "2027-02-08", "PLO 1.6, DIALOGMELDING 1.1", [8603318],
                      "arvid.brenden@meraker.kommune.no"),
    ),
    Mail(
        name="25-her-hf-table-htmlonly-averoy",
        what="HTML-only Outlook with three tables: types/versions, the kommune's services/HER-ids, and a third "
             "'Motparter hos Helse Møre og Romsdal HF (til info – ikke våre)' table with HER-ids that are not "
             "the kommune's",
        sender=("Eli Gjendem", "eli.gjendem@averoy.kommune.no"),
        date="2027-01-13 09:20 +0100",
        subject="Bestilling e-meldinger Averøy kommune",
        style="outlook_html",
        new="""Hei,

Averøy kommune bestiller oppkobling av e-meldinger. Oppstartsdato er avtalt med Hemit til 1. mars 2027.

| Meldingstype | Versjon |
| PLO | 1.6 |
| Dialogmelding | 1.1 |
| Epikrise | 1.2 |

Våre kommunikasjonsparter:

| Tjeneste | HER-id |
| Averøy helsetun | 8880114 |
| Hjemmetjenesten Averøy | 8880122 |

Motparter hos Helse Møre og Romsdal HF (til info – ikke våre):

| Mottaker | HER-id |
| Kristiansund sjukehus | 70412 |
| Molde sjukehus | 70420 |

Kontaktperson: Eli Gjendem, eli.gjendem@averoy.kommune.no""",
        sig="""Med vennlig hilsen
Eli Gjendem
Averøy kommune""",
        expect=Expect(("1554", "Averøy"), "2027-03-01", "PLO 1.6, DIALOGMELDING 1.1, EPIKRISE 1.2",
                      [8880114, 8880122], "eli.gjendem@averoy.kommune.no"),
    ),
    Mail(
        name="26-her-orgnr-postcode-saksnr-hustadvika",
        what="letter-style order with 'Vår ref.: 2026/1187-4', a letter date 'Dato: 14.12.2026', 'org.nr. 921 133 "
             "642', a postcode '6440', 'Kommunenummer: 1579' and a phone; one HER-id; numbered type list; ISO "
             "activation date 2027-02-01",
        sender=("Eivind Sæter", "eivind.saeter@hustadvika.kommune.no"),
        date="2026-12-14 08:50 +0100",
        subject="Bestilling av elektronisk meldingsutveksling – Hustadvika kommune",
        new="""Til: Helse Midt-Norge v/ meldingsansvarlig

Vår ref.: 2026/1187-4
Dato: 14.12.2026

BESTILLING AV ELEKTRONISK MELDINGSUTVEKSLING – HUSTADVIKA KOMMUNE

Hustadvika kommune (org.nr. 921 133 642) bestiller oppkobling mot helseforetakene for følgende meldinger:

1. PLO-meldinger, versjon 1.6
2. Dialogmelding, versjon 1.1
3. Henvisning, versjon 2.0

Kommunikasjonspart: Hustadvika helsetun Elnesvågen, HER-id 8990213
Besøksadresse: Fannestrandvegen 1, 6440 Elnesvågen
Kommunenummer: 1579

Oppstartsdato: 2027-02-01

Kontaktperson: Eivind Sæter, eivind.saeter@hustadvika.kommune.no, tlf. 71 25 00 00""",
        sig="""Med hilsen
Eivind Sæter
Rådgiver helse og omsorg""",
        expect=Expect(("1579", "Hustadvika"), "2027-02-01", "PLO 1.6, DIALOGMELDING 1.1, HENVISNING 2.0", [8990213],
                      "eivind.saeter@hustadvika.kommune.no"),
    ),
    Mail(
        name="27-her-numbered-labels-nn-sula",
        what="nynorsk form lines whose labels carry a number ('Teneste 1:', 'HER-id (teneste 1): n', 'HER-id "
             "(teneste 2): n', 'Kontaktperson 1 (hovudkontakt):', 'Kontaktperson 2 (vara):'); sent by the deputy, "
             "so the main contact's address is the contact",
        sender=("Petter Aarsæther", "petter.aarsaether@sula.kommune.no"),
        date="2027-01-21 12:00 +0100",
        subject="Tinging av e-meldingar – Sula kommune",
        lang="nn",
        new="""Hei

Her er tinginga frå Sula kommune, sett opp etter malen de sende oss:

Kommune: Sula kommune
Meldingstypar: PLO 1.6, Dialogmelding 1.1
Tenestebasert adressering:
Teneste 1: Heimetenesta i Sula
HER-id (teneste 1): 8810044
Teneste 2: Sula sjukeheim
HER-id (teneste 2): 8810052
Oppstartsdato: 15.03.2027
Kontaktperson 1 (hovudkontakt): Randi Løvoll, randi.lovoll@sula.kommune.no
Kontaktperson 2 (vara): Petter Aarsæther, petter.aarsaether@sula.kommune.no""",
        sig="""Helsing
Petter Aarsæther
Sula kommune""",
        expect=Expect(("1531", "Sula"), "2027-03-15", "PLO 1.6, DIALOGMELDING 1.1", [8810044, 8810052],
                      "randi.lovoll@sula.kommune.no"),
    ),
    Mail(
        name="28-her-numbered-labels-osen",
        what="'Meldingstype 1: PLO, versjon 1.6' … and 'Kommunikasjonspart 1: name – HER-id n' lines: numbers in "
             "the labels must not become versions or HER-ids",
        sender=("Olav Sæther", "olav.saether@osen.kommune.no"),
        date="2026-12-02 15:00 +0100",
        subject="Bestilling e-meldinger Osen kommune",
        new="""Hei

Osen kommune bestiller oppkobling av e-meldinger.

Meldingstype 1: PLO, versjon 1.6
Meldingstype 2: Dialogmelding, versjon 1.1
Meldingstype 3: Epikrise, versjon 1.2

Kommunikasjonspart 1: Osen sykehjem – HER-id 8510261
Kommunikasjonspart 2: Hjemmesykepleien Osen – HER-id 8510288

Oppstart: 15. februar 2027 (avtalt med Hemit)

Kontaktperson: Olav Sæther (olav.saether@osen.kommune.no)""",
        sig="Mvh Olav",
        expect=Expect(("5020", "Osen"), "2027-02-15", "PLO 1.6, DIALOGMELDING 1.1, EPIKRISE 1.2",
                      [8510261, 8510288], "olav.saether@osen.kommune.no"),
    ),
    Mail(
        name="29-her-long-parenthesis-nn-rauma",
        what="nynorsk prose where a HER-id follows a long parenthesis ('Heimetenesta i Rauma (inkludert "
             "nattpatruljen, … frå januar) har HER-id n'); second HER-id in a short sentence; date 'tysdag 9. "
             "februar 2027'; no named contact -> sender",
        sender=("Hilde Brude", "hilde.brude@rauma.kommune.no"),
        date="2027-01-05 10:30 +0100",
        subject="Tinging e-meldingar Rauma kommune",
        lang="nn",
        new="""Hei

Rauma kommune ynskjer å tinge oppkopling av PLO-meldingar versjon 1.6 og dialogmelding versjon 1.1.

Heimetenesta i Rauma (inkludert nattpatruljen, dagsenteret og dei nye omsorgsbustadene på Åndalsnes \
som går over til same fagsystem frå januar) har HER-id 8876043.

Rauma sjukeheim har HER-id 8876051.

Oppstartsdato er avtala med Hemit: tysdag 9. februar 2027.""",
        sig="""Helsing
Hilde Brude
Einingsleiar heimetenester
Rauma kommune
Tlf 71 16 66 00""",
        expect=Expect(("1539", "Rauma"), "2027-02-09", "PLO 1.6, DIALOGMELDING 1.1", [8876043, 8876051],
                      "hilde.brude@rauma.kommune.no"),
    ),
    Mail(
        name="30-her-long-parenthesis-label-lierne",
        what="'HER-id (slik den står i Adresseregisteret etter at vi la om til tjenestebasert adressering i fjor "
             "høst, altså ikke den gamle kommuneadressen): n' — a long parenthesis inside the label",
        sender=("Tove Jonassen", "tove.jonassen@lierne.kommune.no"),
        date="2027-01-28 14:40 +0100",
        subject="Bestilling e-meldinger Lierne kommune",
        new="""Hei,

Lierne kommune bestiller følgende e-meldinger:
- PLO versjon 1.6
- Dialogmelding versjon 1.1
- Henvisning versjon 2.0

Kommunikasjonspart: Lierne helsetun
HER-id (slik den står i Adresseregisteret etter at vi la om til tjenestebasert adressering i fjor høst, \
altså ikke den gamle kommuneadressen): 8214390

Oppstartsdato: 8. mars 2027

Kontaktperson: Tove Jonassen, tove.jonassen@lierne.kommune.no""",
        sig="""Vennlig hilsen
Tove Jonassen""",
        expect=Expect(("5042", "Lierne"), "2027-03-08", "PLO 1.6, DIALOGMELDING 1.1, HENVISNING 2.0", [8214390],
                      "tove.jonassen@lierne.kommune.no"),
    ),
    Mail(
        name="31-her-retired-id-grong",
        what="a retired HER-id the mail says must not be used ('Den gamle HER-id 72455 skal ikke brukes lenger og "
             "skal ikke være med') next to the new one; types listed without bullets, DM first",
        sender=("Svein Kolberg", "svein.kolberg@grong.kommune.no"),
        date="2027-01-11 13:15 +0100",
        subject="Ny bestilling e-meldinger Grong kommune",
        new="""Hei

Grong kommune har byttet EPJ-system og må koble opp på nytt.

Bestilling:
Dialogmelding 1.1
PLO 1.6
Epikrise 1.2

Ny kommunikasjonspart: Grong helsesenter, HER-id 8612270.
Den gamle HER-id 72455 skal ikke brukes lenger og skal ikke være med i oppkoblingen.

Oppstart: 22.02.2027

Kontaktperson: Svein Kolberg, svein.kolberg@grong.kommune.no""",
        sig="Svein",
        expect=Expect(("5045", "Grong"), "2027-02-22", "DIALOGMELDING 1.1, PLO 1.6, EPIKRISE 1.2", [8612270],
                      "svein.kolberg@grong.kommune.no"),
    ),
    Mail(
        name="32-her-parenthesis-phones-plus47-nn-sykkylven",
        what="nynorsk: HER-ids in parentheses after service names in one sentence; '+47 70 24 65 00 / mob 907 88 "
             "123' on the contact line and in the signature",
        sender=("Ørjan Tandstad", "orjan.tandstad@sykkylven.kommune.no"),
        date="2027-01-19 09:45 +0100",
        subject="Tinging e-meldingar Sykkylven",
        lang="nn",
        new="""Hei!

Sykkylven kommune vil tinge e-meldingar for Sykkylven helsetun (HER-id 8771214) og heimesjukepleia \
(HER-id 8771222).

Meldingstypar: PLO versjon 1.6 og dialogmelding versjon 1.1.

Oppstart avtala med Hemit: 01.03.2027.

Kontaktperson: Ørjan Tandstad, orjan.tandstad@sykkylven.kommune.no, +47 70 24 65 00 / mob 907 88 123""",
        sig="""Helsing
Ørjan Tandstad
Fagsystemansvarleg
Sykkylven kommune
Sentralbord: +47 70 24 65 00""",
        expect=Expect(("1528", "Sykkylven"), "2027-03-01", "PLO 1.6, DIALOGMELDING 1.1", [8771214, 8771222],
                      "orjan.tandstad@sykkylven.kommune.no"),
    ),
]
