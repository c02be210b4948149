"""Blind set 2: orders that arrive forwarded or as a kommune's reply to its own earlier order."""
from __future__ import annotations

from blind2_spec import Expect, Mail

MAILS = [
    Mail(
        name="01-fwd-iphone-hitra",
        what="iPhone forward 'Videresendt melding:' with the original quoted by '>'; everything (date 'mandag 8. "
             "februar 2027', types, two HER-ids, contact) only in the quoted part; forwarder at the kommune domain, "
             "named contact in the forwarded text wins",
        sender=("Tor Inge Hammer", "tor.inge.hammer@hitra.kommune.no"),
        date="2026-12-02 07:41 +0100",
        subject="Fwd: Bestilling av e-meldinger – Hitra kommune",
        style="iphone",
        new="""Hei

Se bestillingen fra Solveig under. Hun får ikke sendt til dere selv.

Tor Inge""",
        sig="Sendt fra min iPhone",
        quote="""Videresendt melding:

> Fra: Solveig Strand <solveig.strand@hitra.kommune.no>
> Dato: 1. desember 2026 kl. 15:22:08 CET
> Til: Tor Inge Hammer <tor.inge.hammer@hitra.kommune.no>
> Emne: Bestilling av e-meldinger – Hitra kommune
>
> Hei Tor Inge,
>
> Kan du sende dette videre til Helse Midt-Norge (meldingsansvarlig@helse-midt.no)?
>
> Hitra kommune bestiller oppkobling av følgende meldinger mot helseforetakene:
> - PLO-meldinger versjon 1.6
> - Dialogmelding versjon 1.1
>
> Kommunikasjonsparter i Adresseregisteret:
> - Hitra kommune hjemmetjenesten, HER-id 8125544
> - Hitra helsetun, HER-id 8125552
>
> Oppstart er avtalt med Hemit til mandag 8. februar 2027.
>
> Kontaktperson: Solveig Strand, solveig.strand@hitra.kommune.no, tlf. 72 44 17 00
>
> Hilsen
> Solveig Strand
> Fagleder e-helse, Hitra kommune""",
        quote_kind="forward",
        expect=Expect(("5056", "Hitra"), "2027-02-08", "PLO 1.6, DIALOGMELDING 1.1", [8125544, 8125552],
                      "solveig.strand@hitra.kommune.no"),
    ),
    Mail(
        name="02-fwd-iphone-english-vendor-verdal",
        what="iPhone with English UI ('Begin forwarded message:', '>' quotes) from an EPJ vendor (not a kommune "
             "address, phone '+47 911 22 333' in the signature); kommune, date 15.3.2027, three types incl. "
             "'Labsvar (svarrapport) 1.4', 'HER-id legevakta: n' and the contact ('er meg') only in the quote",
        sender=("Per Holm", "per.holm@fjordsyn-helse.no"),
        date="2027-01-14 10:05 +0100",
        subject="Fwd: Bestilling e-meldinger Verdal kommune",
        style="iphone",
        new="""Hei,

Videresender bestillingen fra Verdal, som avtalt på telefon i dag.""",
        sig="""Per Holm
Fjordsyn Helse AS
+47 911 22 333

Sent from my iPhone""",
        quote="""Begin forwarded message:

> From: Marit Aune <marit.aune@verdal.kommune.no>
> Date: 13 January 2027 at 14:51:37 CET
> To: Per Holm <per.holm@fjordsyn-helse.no>
> Subject: Bestilling e-meldinger Verdal kommune
>
> Hei Per
>
> Verdal kommune ønsker å bestille følgende:
> Dialogmelding 1.1
> Epikrise 1.2
> Labsvar (svarrapport) 1.4 til legevakta
>
> HER-id legevakta: 8190431
> HER-id hjemmetjenesten: 8190458
>
> Oppstartsdato avtalt med Hemit: 15.3.2027
>
> Kontaktperson hos oss er meg, Marit Aune (marit.aune@verdal.kommune.no).
>
> Mvh Marit""",
        quote_kind="forward",
        expect=Expect(("5038", "Verdal"), "2027-03-15", "DIALOGMELDING 1.1, EPIKRISE 1.2, SVARRAPPORT 1.4",
                      [8190431, 8190458], "marit.aune@verdal.kommune.no"),
    ),
    Mail(
        name="03-fwd-applemail-nynorsk-orsta",
        what="Apple Mail (Mac) 'Videresendt melding:' with '>' quotes, nynorsk; 'Eg er sjølv kontaktperson' in the "
             "forwarded text means the original writer, not the IT forwarder; AVVIKSMELDING 1.0; phone in the "
             "forwarder's signature",
        sender=("Arne Velle", "arne.velle@orsta.kommune.no"),
        date="2027-01-05 09:12 +0100",
        subject="Fwd: Tinging av e-meldingar",
        style="apple",
        lang="nn",
        new="""Hei!

Vidaresender tinginga frå Ingrid i heimetenesta. Ho sende den til meg i staden for til dykk.""",
        sig="""Helsing
Arne Velle
IKT-avdelinga, Ørsta kommune
Tlf. 70 04 98 00""",
        quote="""Videresendt melding:

> Fra: Ingrid Ulstein <ingrid.ulstein@orsta.kommune.no>
> Emne: Tinging av e-meldingar
> Dato: 4. januar 2027 kl. 15:40:12 CET
> Til: Arne Velle <arne.velle@orsta.kommune.no>
>
> Hei Arne
>
> Ørsta kommune vil tinge oppkopling av desse meldingane:
>
> * PLO-meldingar, versjon 1.6
> * Dialogmelding, versjon 1.1
> * Avviksmelding, versjon 1.0
>
> Kommunikasjonspart: Ørsta kommune heimetenester, HER-id 8812007
>
> Oppstartsdato (avtala med Hemit): 22.02.2027
>
> Eg er sjølv kontaktperson.
>
> Helsing Ingrid""",
        quote_kind="forward",
        expect=Expect(("1520", "Ørsta"), "2027-02-22", "PLO 1.6, DIALOGMELDING 1.1, AVVIKSMELDING 1.0", [8812007],
                      "ingrid.ulstein@orsta.kommune.no"),
    ),
    Mail(
        name="04-fwd-iphone-functional-contact-melhus",
        what="iPhone forward by a manager; quoted order between '---' lines, HER-ids as 'name  number' lines under a "
             "'(HER-id)' heading, date 'tirsdag 2. mars' without year (-> 2027), functional 'Kontaktadresse: "
             "ehelse@…'",
        sender=("Bjørn Rise", "bjorn.rise@melhus.kommune.no"),
        date="2027-01-20 16:30 +0100",
        subject="Fwd: E-meldinger – bestilling til HMN",
        style="iphone",
        new="""Hei

Her er bestillingen fra fagsystemansvarlig. Jeg er på farten, så sender den videre herfra.

Bjørn""",
        sig="Sendt fra min iPhone",
        quote="""Videresendt melding:

> Fra: Lene Haugen <lene.haugen@melhus.kommune.no>
> Dato: 20. januar 2027 kl. 11:02:45 CET
> Til: Bjørn Rise <bjorn.rise@melhus.kommune.no>
> Emne: E-meldinger – bestilling til HMN
>
> Hei Bjørn,
>
> Her er teksten til bestillingen. Kan du sende den til meldingsansvarlig@helse-midt.no?
>
> ---
> Melhus kommune bestiller oppkobling av:
>   PLO 1.6
>   Dialogmelding 1.1
>   Epikrise 1.2
>
> Kommunikasjonsparter (HER-id):
>   Melhus hjemmetjeneste   8431207
>   Lundamo bo- og helsesenter   8431215
>
> Oppstart: tirsdag 2. mars (avtalt med Hemit)
> Kontaktadresse: ehelse@melhus.kommune.no
> ---
>
> Lene""",
        quote_kind="forward",
        expect=Expect(("5028", "Melhus"), "2027-03-02", "PLO 1.6, DIALOGMELDING 1.1, EPIKRISE 1.2",
                      [8431207, 8431215], "ehelse@melhus.kommune.no"),
    ),
    Mail(
        name="05-fwd-gmail-workspace-selbu",
        what="Gmail (Google Workspace at the kommune) '---------- Forwarded message ---------' with mixed "
             "Fra:/Date:/Subject:/To:; the activation date (1. februar 2027) only in the forwarded text, a "
             "different date in the Date: line; HENVISNING 2.0; named contact in the forwarded text",
        sender=("Kristin Lo", "kristin.lo@selbu.kommune.no"),
        date="2026-12-03 12:20 +0100",
        subject="Fwd: Bestilling e-meldinger Selbu",
        style="gmail",
        new="""Hei

Se bestilling fra Hans under. Han er kontaktperson for oss.

Mvh Kristin""",
        quote="""---------- Forwarded message ---------
Fra: Hans Bakken <hans.bakken@selbu.kommune.no>
Date: tir. 1. des. 2026 kl. 09:14
Subject: Bestilling e-meldinger Selbu
To: Kristin Lo <kristin.lo@selbu.kommune.no>


Hei Kristin!

Vi har nå avtalt oppstart med Hemit, og dato blir 1. februar 2027.

Selbu kommune bestiller:
PLO versjon 1.6
Dialogmelding versjon 1.1
Henvisning versjon 2.0 (fra legekontoret)

HER-id Selbu helsetun: 8356114
HER-id Selbu legekontor: 8356122

Kontaktperson: Hans Bakken, hans.bakken@selbu.kommune.no

--
Hans Bakken
Rådgiver helse og velferd
Selbu kommune""",
        quote_kind="forward",
        expect=Expect(("5032", "Selbu"), "2027-02-01", "PLO 1.6, DIALOGMELDING 1.1, HENVISNING 2.0",
                      [8356114, 8356122], "hans.bakken@selbu.kommune.no"),
    ),
    Mail(
        name="06-fwd-gmail-consultant-namsos",
        what="Gmail forward from a consultant's own company domain; 'Felt: verdi' order in the forwarded part with "
             "ISO date 2027-03-08 and the Sami name 'Namsos kommune - Nåavmesjenjaelmie'; phone numbers in both "
             "signatures; contact named in the forwarded text",
        sender=("Eirik Sand", "eirik@ehelseraad.no"),
        date="2027-01-14 08:47 +0100",
        subject="Fwd: Bestilling e-meldinger Namsos kommune - Nåavmesjenjaelmie",
        style="gmail",
        new="""Hei,

Jeg bistår Namsos kommune med innføring av ny EPJ og videresender bestillingen deres. Ta kontakt med \
Randi (se under) for alt praktisk.""",
        sig="""Vennlig hilsen
Eirik Sand
eHelseråd AS | 915 60 214""",
        quote="""---------- Forwarded message ---------
From: Randi Skage <randi.skage@namsos.kommune.no>
Date: ons. 13. jan. 2027 kl. 14:02
Subject: Bestilling e-meldinger Namsos kommune - Nåavmesjenjaelmie
To: Eirik Sand <eirik@ehelseraad.no>


Hei Eirik,

Her er bestillingen vår:

Kommune: Namsos kommune - Nåavmesjenjaelmie
Meldingstyper: PLO 1.6, dialogmelding 1.1, epikrise 1.2, henvisning 2.0
Kommunikasjonspart: Namsos helse og omsorg, HER-id 8277741
Aktiveringsdato: 2027-03-08
Kontaktperson: Randi Skage, randi.skage@namsos.kommune.no, mob. 47 66 21 90

Mvh
Randi""",
        quote_kind="forward",
        expect=Expect(("5007", "Namsos - Nåavmesjenjaelmie"), "2027-03-08",
                      "PLO 1.6, DIALOGMELDING 1.1, EPIKRISE 1.2, HENVISNING 2.0", [8277741],
                      "randi.skage@namsos.kommune.no"),
    ),
    Mail(
        name="07-fwd-gmail-private-aure",
        what="Gmail forward from a private gmail.com address; kommune only in the forwarded text; date '15.2.27' "
             "only there; the named contact's WORK address (not the gmail sender) is the contact; 'PLO 1.6 og DM 1.1'",
        sender=("Heidi Ansnes", "heidi.ansnes71@gmail.com"),
        date="2026-12-10 21:14 +0100",
        subject="Fwd: Bestilling e-meldinger Aure kommune",
        style="gmail",
        new="""Hei!

Jobbmailen min er nede i kveld, så jeg sender fra privat. Bestillingen fra Kjell (enhetsleder) står under.

Heidi""",
        quote="""---------- Forwarded message ---------
Fra: Kjell Fjeld <kjell.fjeld@aure.kommune.no>
Date: tor. 10. des. 2026 kl. 15:48
Subject: Bestilling e-meldinger Aure kommune
To: Heidi Ansnes <heidi.ansnes71@gmail.com>


Hei Heidi, her er teksten. Send den inn når du får tid.

Aure kommune bestiller oppkobling av PLO 1.6 og DM 1.1 for Aure sjukeheim (HER-id: 8590126).

Oppstart 15.2.27 er avtalt med Hemit.

Kontaktperson: Heidi Ansnes, heidi.ansnes@aure.kommune.no

Kjell""",
        quote_kind="forward",
        expect=Expect(("1576", "Aure"), "2027-02-15", "PLO 1.6, DIALOGMELDING 1.1", [8590126],
                      "heidi.ansnes@aure.kommune.no"),
    ),
    Mail(
        name="08-fwd-gmail-nb-labels-levanger",
        what="Gmail forward with Norwegian labels (Fra:/Dato:/Emne:/Til:), the original went to a wrong Hemit "
             "address; date 'onsdag 10. mars' without year only in the forwarded text; 'Kontaktperson: "
             "undertegnede (adr)' there, not the forwarder; 'Prøvesvar (svarrapport) v1.4'; Sami 'Levangke tjïelte'",
        sender=("Siri Lyngstad", "siri.lyngstad@levanger.kommune.no"),
        date="2027-01-26 13:05 +0100",
        subject="Fwd: Bestilling e-meldinger Levanger kommune – Levangke",
        style="gmail",
        new="""Hei!

Videresender bestillingen fra Tone. Hun sendte den til feil adresse i går.

Siri""",
        quote="""---------- Forwarded message ---------
Fra: Tone Sende <tone.sende@levanger.kommune.no>
Dato: man. 25. jan. 2027 kl. 10:41
Emne: Bestilling e-meldinger Levanger kommune – Levangke
Til: <kundesenter@hemit.no>


Hei,

Levanger kommune – Levangke tjïelte bestiller oppkobling av e-meldinger:

• PLO-meldinger v1.6
• Dialogmelding v1.1
• Prøvesvar (svarrapport) v1.4

Kommunikasjonspart: Levanger helsehus, HER-id 8461130

Oppstartsdato: onsdag 10. mars, avtalt med Hemit på telefon.

Kontaktperson: undertegnede (tone.sende@levanger.kommune.no).

Med vennlig hilsen
Tone Sende
Fagansvarlig EPJ
Levanger kommune
Tlf 74 05 20 00""",
        quote_kind="forward",
        expect=Expect(("5037", "Levanger - Levangke"), "2027-03-10",
                      "PLO 1.6, DIALOGMELDING 1.1, SVARRAPPORT 1.4", [8461130], "tone.sende@levanger.kommune.no"),
    ),
    Mail(
        name="09-fwd-outlook-nb-trondheim",
        what="Outlook nb 'VS:' (multipart, Fra:/Sendt:/Til:/Emne: block, links as 'adr<mailto:adr>' in text/plain); "
             "PLO with sub-types in parentheses; forwarder's signature with '73 80 00 00' and a mobile number; "
             "named contact in the forwarded text; Sami name 'Trondheim kommune - Tråante'",
        sender=("Geir Moen", "geir.moen@trondheim.kommune.no"),
        date="2026-11-16 09:30 +0100",
        subject="VS: Bestilling – e-meldinger Trondheim kommune - Tråante",
        crlf=True,
        new="""Hei,

Videresender bestillingen fra Helse- og velferdskontoret. Kontaktperson er Anita (se under).""",
        sig="""Med vennlig hilsen
Geir Moen
Seniorrådgiver, Digitalisering
Trondheim kommune
Tlf: 73 80 00 00 | Mob: 928 44 120""",
        quote="""Fra: Anita Berg <anita.berg@trondheim.kommune.no>
Sendt: fredag 13. november 2026 14:07
Til: Geir Moen <geir.moen@trondheim.kommune.no>
Emne: Bestilling – e-meldinger Trondheim kommune - Tråante

Hei Geir,

Her er bestillingen vi snakket om. Kan du sende den til meldingsansvarlig i HMN?

Trondheim kommune ønsker oppkobling av følgende for de to nye helsehusene:
- PLO 1.6 (innleggelsesrapport, utskrivningsrapport, helseopplysninger)
- Dialogmelding 1.1
- Epikrise 1.2

HER-id Søbstad helsehus: 8010042
HER-id Ladesletta helsehus: 8010069

Aktiveringsdato: 18. januar 2027 (avtalt med Hemit).

Kontaktperson: Anita Berg, anita.berg@trondheim.kommune.no

Hilsen Anita""",
        quote_kind="forward",
        expect=Expect(("5001", "Trondheim - Tråante"), "2027-01-18", "PLO 1.6, DIALOGMELDING 1.1, EPIKRISE 1.2",
                      [8010042, 8010069], "anita.berg@trondheim.kommune.no"),
    ),
    Mail(
        name="10-fwd-outlook-nn-ulstein",
        what="Outlook nynorsk 'VS:' with 'Frå:/Sendt:/Til:/Emne:' block; date '25. januar 2027, avtala med Hemit'; "
             "'Kontaktperson for oppkoplinga blir Ola Dahle (adr)' in the forwarded text (neither sender)",
        sender=("Leif Hatlø", "leif.hatlo@ulstein.kommune.no"),
        date="2026-12-01 10:14 +0100",
        subject="VS: Tinging av e-meldingar Ulstein kommune",
        lang="nn",
        new="""Hei

Sender vidare tinginga frå pleie og omsorg.""",
        sig="""Mvh
Leif Hatlø
IT-konsulent
Ulstein kommune""",
        quote="""Frå: Gunnhild Myklebust <gunnhild.myklebust@ulstein.kommune.no>
Sendt: måndag 30. november 2026 13:55
Til: Leif Hatlø <leif.hatlo@ulstein.kommune.no>
Emne: Tinging av e-meldingar Ulstein kommune

Hei Leif

Ulstein kommune ynskjer å tinge følgjande meldingstypar:
PLO versjon 1.6
Dialogmelding versjon 1.1

Kommunikasjonspart: Ulstein omsorgssenter, HER-id 8740215

Oppstart: 25. januar 2027, avtala med Hemit.

Kontaktperson for oppkoplinga blir Ola Dahle (ola.dahle@ulstein.kommune.no).

Helsing
Gunnhild""",
        quote_kind="forward",
        expect=Expect(("1516", "Ulstein"), "2027-01-25", "PLO 1.6, DIALOGMELDING 1.1", [8740215],
                      "ola.dahle@ulstein.kommune.no"),
    ),
    Mail(
        name="11-fwd-outlook-english-htmlonly-molde",
        what="HTML-only Outlook with English UI: 'FW:' and a bold From:/Sent:/To:/Cc:/Subject: block; the "
             "forwarded order is two HTML tables (types/versions, services/HER-ids); date 01.03.2027; named contact",
        sender=("Jon Eide", "jon.eide@molde.kommune.no"),
        date="2027-01-12 09:55 +0100",
        subject="FW: Bestilling e-meldinger Molde kommune",
        style="outlook_html",
        crlf=True,
        new="""Hei,

Se bestilling under fra helse og omsorg.""",
        sig="""Mvh
Jon Eide
IT-rådgiver, Molde kommune""",
        quote="""From: Eva Stavik <eva.stavik@molde.kommune.no>
Sent: Monday, January 11, 2027 3:12 PM
To: Jon Eide <jon.eide@molde.kommune.no>
Cc: Rolf Nes <rolf.nes@molde.kommune.no>
Subject: Bestilling e-meldinger Molde kommune

Hei Jon,

Kan du sende denne til Helse Midt-Norge? Molde kommune bestiller:

| Meldingstype | Versjon |
| PLO | 1.6 |
| Dialogmelding | 1.1 |
| Svarrapport (lab) | 1.4 |

Kommunikasjonsparter:

| Tjeneste | HER-id |
| Molde hjemmetjenester | 8660217 |
| Glomstua omsorgssenter | 8660225 |

Oppstartsdato: 01.03.2027

Kontaktperson: Eva Stavik, eva.stavik@molde.kommune.no

Hilsen Eva""",
        quote_kind="forward",
        expect=Expect(("1506", "Molde"), "2027-03-01", "PLO 1.6, DIALOGMELDING 1.1, SVARRAPPORT 1.4",
                      [8660217, 8660225], "eva.stavik@molde.kommune.no"),
    ),
    Mail(
        name="12-fwd-new-outlook-underscores-sunndal",
        what="New Outlook forward: a line of 32 underscores then Fra:/Dato: '… kl. 14:31'/Til:/Emne:; nynorsk; "
             "types with '(versjon n)' after the name; 'HER-id:' on its own line; date '12. april 2027'",
        sender=("Terje Øye", "terje.oye@sunndal.kommune.no"),
        date="2027-02-08 08:20 +0100",
        subject="VS: Bestilling av e-meldingar – Sunndal",
        lang="nn",
        cte="base64",
        new="""Hei,

Sender denne vidare til rett adresse. Kontaktperson er Marte, sjå under.

Terje""",
        quote="""________________________________
Fra: Marte Sande <marte.sande@sunndal.kommune.no>
Dato: fredag 5. februar 2027 kl. 14:31
Til: Terje Øye <terje.oye@sunndal.kommune.no>
Emne: Bestilling av e-meldingar – Sunndal

Hei Terje!

Sunndal kommune bestiller oppkopling av PLO-meldingar (versjon 1.6) og dialogmelding (versjon 1.1) for \
Sunndal helsetun.

HER-id: 8923016

Dato for oppstart er avtala med Hemit: 12. april 2027.

Kontaktperson: Marte Sande, marte.sande@sunndal.kommune.no

Mvh Marte""",
        quote_kind="forward",
        expect=Expect(("1563", "Sunndal"), "2027-04-12", "PLO 1.6, DIALOGMELDING 1.1", [8923016],
                      "marte.sande@sunndal.kommune.no"),
    ),
    Mail(
        name="13-fwd-outlook-htmlonly-nn-fjord-new-contact",
        what="HTML-only Outlook nynorsk 'VS:' (bold Frå:/Sendt: block); the forwarder writes that he takes over "
             "as contact person because the named contact in the forwarded order is on leave -> forwarder's "
             "address; date 'måndag 1. februar 2027'; 'Fjord kommune' (odd name)",
        sender=("Oddbjørn Tafjord", "oddbjorn.tafjord@fjord.kommune.no"),
        date="2026-12-09 13:40 +0100",
        subject="VS: Tinging e-meldingar Fjord kommune",
        style="outlook_html",
        lang="nn",
        new="""Hei

Anne, som sende tinginga under, gjekk ut i permisjon i går. Eg tek over som kontaktperson for \
oppkoplinga, så send alt til meg.""",
        sig="""Helsing
Oddbjørn Tafjord
Eining for helse og omsorg
Fjord kommune""",
        quote="""Frå: Anne Valldal <anne.valldal@fjord.kommune.no>
Sendt: tysdag 8. desember 2026 11:20
Til: Oddbjørn Tafjord <oddbjorn.tafjord@fjord.kommune.no>
Emne: Tinging e-meldingar Fjord kommune

Hei Oddbjørn

Fjord kommune ynskjer å kople opp PLO 1.6 og dialogmelding 1.1.

Kommunikasjonspart: Fjord kommune heimeteneste og sjukeheim, HER-id 8903311

Oppstart etter avtale med Hemit: måndag 1. februar 2027.

Kontaktperson: Anne Valldal, anne.valldal@fjord.kommune.no

Helsing Anne""",
        quote_kind="forward",
        expect=Expect(("1578", "Fjord"), "2027-02-01", "PLO 1.6, DIALOGMELDING 1.1", [8903311],
                      "oddbjorn.tafjord@fjord.kommune.no"),
    ),
    Mail(
        name="14-fwd-outlook-double-vs-gjemnes",
        what="'VS: VS:' chain: two nested Outlook header blocks, an IT colleague's remark in between, the order "
             "only in the innermost mail (nynorsk/bokmål mix, 'HER-id: name n, name n'); innermost contact wins",
        sender=("Kari Bolli", "kari.bolli@gjemnes.kommune.no"),
        date="2027-01-11 10:02 +0100",
        subject="VS: VS: Bestilling e-meldinger",
        new="""Hei,

Her kommer bestillingen vår. Den har gått en runde internt, se under.""",
        sig="""Mvh
Kari Bolli
Rådgiver helse
Gjemnes kommune""",
        quote="""Fra: Per Øien <per.oien@gjemnes.kommune.no>
Sendt: fredag 8. januar 2027 15:10
Til: Kari Bolli <kari.bolli@gjemnes.kommune.no>
Emne: VS: Bestilling e-meldinger

Ser bra ut fra IT sin side. HER-id-ene er publisert i AR nå.

Per

Fra: Liv Torvik <liv.torvik@gjemnes.kommune.no>
Sendt: fredag 8. januar 2027 09:31
Til: Per Øien <per.oien@gjemnes.kommune.no>
Emne: Bestilling e-meldinger

Hei Per,

Gjemnes kommune bestiller PLO 1.6, dialogmelding 1.1 og epikrise 1.2.

HER-id: Gjemnes sjukeheim 8931007, heimetenesta 8931015

Oppstart: 22.02.2027

Kontaktperson: Liv Torvik, liv.torvik@gjemnes.kommune.no

Liv""",
        quote_kind="forward",
        expect=Expect(("1557", "Gjemnes"), "2027-02-22", "PLO 1.6, DIALOGMELDING 1.1, EPIKRISE 1.2",
                      [8931007, 8931015], "liv.torvik@gjemnes.kommune.no"),
    ),
    Mail(
        name="15-fwd-thunderbird-holtalen",
        what="Thunderbird '-------- Videresendt melding --------' with tab-aligned Emne:/Dato:/Fra:/Til: (RFC date "
             "in the header table); text/plain format=flowed 8bit; the writer forwards his own order that went to "
             "Hemit by mistake -> contact = sender; 'HER 8350318'; date 11.01.2027",
        sender=("Roar Kverness", "roar.kverness@holtalen.kommune.no"),
        date="2026-11-19 11:25 +0100",
        subject="Fwd: Bestilling e-meldinger Holtålen kommune",
        style="thunderbird",
        cte="8bit",
        new="""Hei,

Bestillingen under ble sendt til Hemit ved en feil. Videresender til rett adresse.""",
        sig="""Mvh
Roar Kverness
IT, Holtålen kommune""",
        quote="""-------- Videresendt melding --------
Emne: \tBestilling e-meldinger Holtålen kommune
Dato: \tWed, 18 Nov 2026 14:02:11 +0100
Fra: \tRoar Kverness <roar.kverness@holtalen.kommune.no>
Til: \tkundesenter@hemit.no

Hei,

Holtålen kommune vil bestille oppkobling av e-meldinger.

Meldingstyper og versjoner:
PLO 1.6
Dialogmelding 1.1
Svarrapport 1.4

Kommunikasjonspart: Holtålen helsesenter, HER 8350318

Oppstart (avtalt med Hemit): 11.01.2027

Mvh
Roar""",
        quote_kind="forward",
        expect=Expect(("5026", "Holtålen"), "2027-01-11", "PLO 1.6, DIALOGMELDING 1.1, SVARRAPPORT 1.4", [8350318],
                      "roar.kverness@holtalen.kommune.no"),
    ),
    Mail(
        name="16-reply-own-order-date-added-heim",
        what="'SV:' from the kommune to its own earlier order (Outlook quote block, 'Fra: name' only): new text gives "
             "the date '1. mars 2027' and says 'Resten som i bestillingen under'; types, HER-ids and contact only "
             "in the quoted original, whose 'Dato er ikke avklart' is superseded",
        sender=("Ragnar Lian", "ragnar.lian@heim.kommune.no"),
        date="2027-01-04 09:05 +0100",
        subject="SV: Bestilling av e-meldinger – Heim kommune",
        in_reply_to="<GV1P189MB4410A3B21C90D2E4F7715C01@GV1P189MB4410.EURP189.PROD.OUTLOOK.COM>",
        new="""Hei igjen,

Nå har vi avtalt dato med Hemit: oppstart 1. mars 2027. Resten som i bestillingen under.""",
        sig="""Mvh
Ragnar Lian
Heim kommune""",
        quote="""Fra: Ragnar Lian
Sendt: fredag 11. desember 2026 10:44
Til: meldingsansvarlig@helse-midt.no
Emne: Bestilling av e-meldinger – Heim kommune

Hei,

Heim kommune ønsker å bestille oppkobling av:
- PLO 1.6
- Dialogmelding 1.1

Kommunikasjonsparter:
- Heim helsetun, HER-id 8960412
- Heim hjemmetjeneste, HER-id 8960420

Dato er ikke avklart ennå, vi kommer tilbake med det.

Kontaktperson: Ragnar Lian, ragnar.lian@heim.kommune.no

Mvh
Ragnar Lian""",
        quote_kind="reply",
        expect=Expect(("5055", "Heim"), "2027-03-01", "PLO 1.6, DIALOGMELDING 1.1", [8960412, 8960420],
                      "ragnar.lian@heim.kommune.no"),
    ),
    Mail(
        name="17-reply-own-order-versions-added-rindal",
        what="Gmail 'Re:' to the kommune's own order ('tir. 8. des. 2026 kl. 14:22 skrev …:' and '>' quotes): the "
             "new text adds the versions ('PLO 1.6 og dialogmelding 1.1. Resten som i bestillingen under'); date, "
             "HER-ids and contact only in the quote",
        sender=("Ingunn Løfald", "ingunn.lofald@rindal.kommune.no"),
        date="2026-12-09 08:31 +0100",
        subject="Re: Bestilling e-meldinger Rindal kommune",
        style="gmail",
        in_reply_to="<CAJx7fP2m1c0QfQv8k3yZtR0hJ1u@mail.gmail.com>",
        new="""Hei,

Glemte å skrive versjonene: PLO 1.6 og dialogmelding 1.1. Resten som i bestillingen under.

Ingunn""",
        quote="""tir. 8. des. 2026 kl. 14:22 skrev Ingunn Løfald <ingunn.lofald@rindal.kommune.no>:

> Hei!
>
> Rindal kommune bestiller oppkobling av PLO-meldinger og dialogmelding for
> Rindal helsetun og hjemmetjenesten.
>
> HER-id Rindal helsetun: 8540117
> HER-id hjemmetjenesten: 8540125
>
> Oppstartsdato avtalt med Hemit: 08.02.2027
>
> Kontaktperson: Ingunn Løfald, ingunn.lofald@rindal.kommune.no
>
> --
> Ingunn Løfald
> Rindal kommune""",
        quote_kind="reply",
        expect=Expect(("5061", "Rindal"), "2027-02-08", "PLO 1.6, DIALOGMELDING 1.1", [8540117, 8540125],
                      "ingunn.lofald@rindal.kommune.no"),
    ),
    Mail(
        name="18-reply-own-order-iphone-nn-smola",
        what="iPhone 'Sv:' in nynorsk to the kommune's own order ('3. des. 2026 kl. 15:02 skrev …:' quoted by '>'): "
             "'Oppstartsdato vert 15. februar 2027 … Elles som i tinginga under'; types and HER-id only in the "
             "quote; no named contact -> sender",
        sender=("Bente Rokstad", "bente.rokstad@smola.kommune.no"),
        date="2026-12-04 08:12 +0100",
        subject="Sv: Tinging av e-meldingar Smøla",
        style="iphone",
        lang="nn",
        in_reply_to="<5E0C2A1B-7D44-4C1E-9A1F-2B3C4D5E6F70@smola.kommune.no>",
        new="""Hei

Oppstartsdato vert 15. februar 2027, det er no avtala med Hemit. Elles som i tinginga under.

Bente""",
        sig="Sendt fra min iPhone",
        quote="""> 3. des. 2026 kl. 15:02 skrev Bente Rokstad <bente.rokstad@smola.kommune.no>:
>
> Hei
>
> Smøla kommune tingar oppkopling av:
> - PLO-meldingar 1.6
> - Dialogmelding 1.1
> - Epikrise 1.2
>
> Kommunikasjonspart: Smøla sjukeheim og heimeteneste, HER-id 8701243
>
> Oppstartsdato har vi ikkje fått avtala enno.
>
> Helsing
> Bente Rokstad
> Leiar helse og omsorg
> Smøla kommune""",
        quote_kind="reply",
        expect=Expect(("1573", "Smøla"), "2027-02-15", "PLO 1.6, DIALOGMELDING 1.1, EPIKRISE 1.2", [8701243],
                      "bente.rokstad@smola.kommune.no"),
    ),
    Mail(
        name="19-reply-own-order-nn-date-moved-hareid",
        what="Outlook nynorsk 'SV:' to the kommune's own order: the new text moves the date to 22.03.2027 ('i "
             "staden for 8. mars som står under'); 'Resten er som i tinginga nedanfor'; the quote has "
             "'Frå:/Sendt:' and HER-ids as 'name – HER-id n'; phone in signature",
        sender=("Kjersti Hjelle", "kjersti.hjelle@hareid.kommune.no"),
        date="2027-01-18 13:20 +0100",
        subject="SV: Tinging av e-meldingar – Hareid kommune",
        lang="nn",
        in_reply_to="<GV1P189MB77213D0E5A6B1C2D3E4F5061@GV1P189MB7721.EURP189.PROD.OUTLOOK.COM>",
        new="""Hei

Vi må dessverre flytte oppstarten. Ny dato, avtala med Hemit i dag, er 22.03.2027 (i staden for \
8. mars som står under). Resten er som i tinginga nedanfor.""",
        sig="""Helsing
Kjersti Hjelle
Hareid kommune
Tlf. 70 09 50 00""",
        quote="""Frå: Kjersti Hjelle
Sendt: torsdag 7. januar 2027 09:47
Til: meldingsansvarlig@helse-midt.no
Emne: Tinging av e-meldingar – Hareid kommune

Hei

Hareid kommune tingar:
PLO 1.6
Dialogmelding 1.1
Henvisning 2.0

Kommunikasjonspartar:
Hareid sjukeheim – HER-id 8750013
Heimetenesta i Hareid – HER-id 8750021

Oppstartsdato: 8. mars 2027

Kontaktperson: Kjersti Hjelle, kjersti.hjelle@hareid.kommune.no

Helsing Kjersti""",
        quote_kind="reply",
        expect=Expect(("1517", "Hareid"), "2027-03-22", "PLO 1.6, DIALOGMELDING 1.1, HENVISNING 2.0",
                      [8750013, 8750021], "kjersti.hjelle@hareid.kommune.no"),
    ),
    Mail(
        name="20-reply-own-order-to-hemit-naroysund",
        what="'SV:' with '-----Opprinnelig melding-----' quoting the kommune's order first sent to a Hemit person; "
             "new text adds 'aktivering 12.04.2027' and 'Resten som i bestillingen under'; three HER-ids as "
             "'name: n' bullets; Cc to Hemit; contact named without address -> sender",
        sender=("Stig Aasen", "stig.aasen@naroysund.kommune.no"),
        date="2027-02-25 10:10 +0100",
        subject="SV: Bestilling e-meldinger Nærøysund kommune",
        cc="Ole Lien <ole.lien@hemit.no>",
        in_reply_to="<GV1P189MB2290F1E2D3C4B5A69788E7D6@GV1P189MB2290.EURP189.PROD.OUTLOOK.COM>",
        new="""Hei,

Hemit ba oss sende bestillingen til denne adressen. Vi har nå også fått dato: aktivering 12.04.2027. \
Resten som i bestillingen under.""",
        sig="""Mvh
Stig Aasen
Nærøysund kommune""",
        quote="""-----Opprinnelig melding-----
Fra: Stig Aasen
Sendt: 10. februar 2027 12:55
Til: Ole Lien <ole.lien@hemit.no>
Emne: Bestilling e-meldinger Nærøysund kommune

Hei Ole,

Nærøysund kommune ønsker å bestille:
- PLO versjon 1.6
- Dialogmelding versjon 1.1
- Epikrise versjon 1.2

HER-id:
- Nærøysund helsetun: 8297003
- Hjemmetjenesten Kolvereid: 8297011
- Hjemmetjenesten Rørvik: 8297038

Dato avtaler vi senere.

Kontaktperson: Stig Aasen, tlf. 74 38 26 00""",
        quote_kind="reply",
        expect=Expect(("5060", "Nærøysund"), "2027-04-12", "PLO 1.6, DIALOGMELDING 1.1, EPIKRISE 1.2",
                      [8297003, 8297011, 8297038], "stig.aasen@naroysund.kommune.no"),
    ),
]
