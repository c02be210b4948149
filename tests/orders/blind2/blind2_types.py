"""Blind set 2: types mentioned but not ordered (prose and order forms) and misspelt type names."""
from __future__ import annotations

import datetime as dt

from blind2_spec import Expect, Mail, docx_form, named, pdf_form, xlsx_form

MAILS = [
    Mail(
        name="33-types-already-in-production-namsskogan",
        what="'PLO 1.6 og dialogmelding 1.1 har vi hatt i produksjon siden 2020 … Denne bestillingen gjelder bare "
             "de nye': only EPIKRISE 1.2 and 'Svarrapport 1.4 (labsvar)' are ordered; date 'mandag 25. januar 2027'",
        sender=("Ann-Kristin Hald", "ann-kristin.hald@namsskogan.kommune.no"),
        date="2026-11-25 10:20 +0100",
        subject="Bestilling nye meldingstyper – Namsskogan kommune",
        new="""Hei,

PLO 1.6 og dialogmelding 1.1 har vi hatt i produksjon siden 2020, så dem trenger vi ikke bestille på nytt. \
Denne bestillingen gjelder bare de nye meldingstypene for legekontoret:

- Epikrise 1.2
- Svarrapport 1.4 (labsvar)

Kommunikasjonspart: Namsskogan legekontor, HER-id 8580131.

Oppstart avtalt med Hemit: mandag 25. januar 2027.

Kontaktperson: Ann-Kristin Hald, ann-kristin.hald@namsskogan.kommune.no""",
        sig="""Mvh
Ann-Kristin Hald
Namsskogan kommune""",
        expect=Expect(("5044", "Namsskogan"), "2027-01-25", "EPIKRISE 1.2, SVARRAPPORT 1.4", [8580131],
                      "ann-kristin.hald@namsskogan.kommune.no"),
    ),
    Mail(
        name="34-types-already-in-production-orland",
        what="'Vi har allerede dialogmelding i produksjon. Dette gjelder bare de nye: PLO v1.6 og henvisning v2.0' "
             "-> DIALOGMELDING not ordered; date '15. mars 2027'; no named contact -> sender",
        sender=("Marius Berg", "marius.berg@orland.kommune.no"),
        date="2027-02-04 11:05 +0100",
        subject="Bestilling e-meldinger Ørland",
        new="""Hei!

Vi har allerede dialogmelding i produksjon. Dette gjelder bare de nye: PLO v1.6 og henvisning v2.0.

HER-id for Ørland helse- og omsorgssenter: 8576019

Dato for aktivering: 15. mars 2027, avtalt med Hemit.""",
        sig="""Med vennlig hilsen
Marius Berg
Systemansvarlig helse
Ørland kommune
Tlf 72 51 40 00""",
        expect=Expect(("5057", "Ørland"), "2027-03-15", "PLO 1.6, HENVISNING 2.0", [8576019],
                      "marius.berg@orland.kommune.no"),
    ),
    Mail(
        name="35-types-negation-nn-vanylven",
        what="nynorsk negations: 'Henvisning er ikkje aktuelt no. Lab/svarrapport ynskjer vi heller ikkje på "
             "noverande tidspunkt.' besides two ordered types; date '1. februar 2027 (avtala med Hemit)'",
        sender=("Synnøve Aarskog", "synnove.aarskog@vanylven.kommune.no"),
        date="2026-11-30 14:02 +0100",
        subject="Tinging av e-meldingar – Vanylven kommune",
        lang="nn",
        charset="iso-8859-1",
        style="outlook_plain",
        new="""Hei

Vanylven kommune ynskjer å tinge oppkopling av:
- PLO-meldingar versjon 1.6
- Dialogmelding versjon 1.1

Henvisning er ikkje aktuelt no. Lab/svarrapport ynskjer vi heller ikkje på noverande tidspunkt.

HER-id Vanylven omsorgssenter: 8790012

Oppstart: 1. februar 2027 (avtala med Hemit)""",
        sig="""Helsing
Synnøve Aarskog
Vanylven kommune""",
        expect=Expect(("1511", "Vanylven"), "2027-02-01", "PLO 1.6, DIALOGMELDING 1.1", [8790012],
                      "synnove.aarskog@vanylven.kommune.no"),
    ),
    Mail(
        name="36-types-future-plans-overhalla",
        what="future plans: 'Epikrise og labsvar kommer vi tilbake til når legekontoret flytter … neste år – det "
             "blir en egen bestilling' -> only PLO 1.6 and DM 1.1; date 08.02.2027",
        sender=("Bjarne Skogmo", "bjarne.skogmo@overhalla.kommune.no"),
        date="2026-12-08 09:00 +0100",
        subject="Bestilling e-meldinger Overhalla kommune",
        new="""Hei,

Overhalla kommune bestiller nå bare PLO 1.6 og dialogmelding 1.1.

Epikrise og labsvar kommer vi tilbake til når legekontoret flytter inn i nytt helsehus neste år – det blir \
en egen bestilling.

HER-id Overhalla omsorgssenter: 8476227

Oppstartsdato: 08.02.2027

Kontaktperson: Bjarne Skogmo, bjarne.skogmo@overhalla.kommune.no""",
        sig="""Hilsen
Bjarne Skogmo""",
        expect=Expect(("5047", "Overhalla"), "2027-02-08", "PLO 1.6, DIALOGMELDING 1.1", [8476227],
                      "bjarne.skogmo@overhalla.kommune.no"),
    ),
    Mail(
        name="37-types-old-version-replaced-vaernes-tydal",
        what="regional IT (sender at stjordal.kommune.no) orders on behalf of Tydal: kommune from the text; 'går "
             "over fra PLO 1.5 til PLO 1.6' -> only PLO 1.6; contact named at tydal.kommune.no; "
             "'74 80 00 00' in the signature",
        sender=("Lars Ivar Haugen", "lars.ivar.haugen@stjordal.kommune.no"),
        date="2027-01-14 14:30 +0100",
        subject="Bestilling e-meldinger Tydal kommune",
        new="""Hei,

Jeg jobber i Værnesregionen IT og sender denne bestillingen på vegne av Tydal kommune.

Tydal går over fra PLO 1.5 til PLO 1.6, og bestiller samtidig dialogmelding 1.1.

Kommunikasjonspart: Tydal helsetun, HER-id 8366412

Oppstart: mandag 1. mars 2027

Kontaktperson i Tydal kommune: Berit Haugan, berit.haugan@tydal.kommune.no""",
        sig="""Mvh
Lars Ivar Haugen
Værnesregionen IT
Tlf 74 80 00 00""",
        expect=Expect(("5033", "Tydal"), "2027-03-01", "PLO 1.6, DIALOGMELDING 1.1", [8366412],
                      "berit.haugan@tydal.kommune.no"),
    ),
    Mail(
        name="38-types-ja-nei-bullets-giske",
        what="bullet list with answers per type ('PLO 1.6: ja', 'Henvisning: nei', 'Svarrapport: ikke nå'); "
             "'HER-id: n (name)'; 'Kontakt:' label",
        sender=("Aud Roald", "aud.roald@giske.kommune.no"),
        date="2026-12-16 12:30 +0100",
        subject="Bestilling meldingstyper – Giske kommune",
        new="""Hei,

Giske kommune – bestilling av meldingstyper:

- PLO 1.6: ja
- Dialogmelding 1.1: ja
- Epikrise 1.2: ja
- Henvisning: nei
- Svarrapport: ikke nå

HER-id: 8725308 (Giske omsorgssenter)

Oppstart: 22. februar 2027, avtalt med Hemit.

Kontakt: Aud Roald, aud.roald@giske.kommune.no""",
        sig="Hilsen Aud",
        expect=Expect(("1532", "Giske"), "2027-02-22", "PLO 1.6, DIALOGMELDING 1.1, EPIKRISE 1.2", [8725308],
                      "aud.roald@giske.kommune.no"),
    ),
    Mail(
        name="39-types-xlsx-bestilles-column-flatanger",
        what="XLSX order form with every type pre-filled with a version and an 'Bestilles (X)' column: only rows "
             "marked X are ordered (PLO, DM, SVARRAPPORT); date as an Excel date cell; HER-ids as numbers next "
             "to an empty org.nr column; kommunenummer and phone in the form",
        sender=("Kjersti Møller", "kjersti.moller@flatanger.kommune.no"),
        date="2027-01-06 10:40 +0100",
        subject="Bestillingsskjema e-meldinger Flatanger kommune",
        new="""Hei,

Vedlagt utfylt bestillingsskjema for Flatanger kommune.""",
        sig="""Mvh
Kjersti Møller
Flatanger kommune""",
        attachments=[named(xlsx_form({"Bestilling": [
            ["Bestillingsskjema – elektronisk meldingsutveksling kommune–HF"],
            [],
            ["Kommune", "Flatanger kommune"],
            ["Kommunenummer", 5049],
            ["Oppstartsdato (avtalt med Hemit)", dt.date(2027, 2, 15)],
            ["Kontaktperson", "Kjersti Møller"],
            ["E-post", "kjersti.moller@flatanger.kommune.no"],
            ["Telefon", "74 28 81 00"],
            [],
            ["Meldingstype", "Versjon", "Bestilles (X)", "Merknad"],
            ["PLO", "1.6", "X", None],
            ["Dialogmelding", "1.1", "X", None],
            ["Epikrise", "1.2", None, None],
            ["Svarrapport", "1.4", "X", "Legekontoret"],
            ["Henvisning", "2.0", None, None],
            ["Avviksmelding", "1.0", None, None],
            [],
            ["Kommunikasjonspart", "HER-id", "Org.nr."],
            ["Flatanger helsetun", 8490112, None],
            ["Flatanger legekontor", 8490120, None],
        ]}), "Bestillingsskjema e-meldinger Flatanger.xlsx")],
        expect=Expect(("5049", "Flatanger"), "2027-02-15", "PLO 1.6, DIALOGMELDING 1.1, SVARRAPPORT 1.4",
                      [8490112, 8490120], "kjersti.moller@flatanger.kommune.no"),
    ),
    Mail(
        name="40-types-xlsx-ja-nei-nn-heroy",
        what="nynorsk cover note + XLSX 'Bestill (ja/nei)' column with Ja/Nei/blank: only 'Ja' rows are ordered; "
             "date as text '18.01.2027'; Herøy (a name that exists elsewhere) at heroy.kommune.no; contact "
             "(another person) in one 'Kontaktperson' cell",
        sender=("Åshild Remøy", "ashild.remoy@heroy.kommune.no"),
        date="2026-11-26 15:10 +0100",
        subject="Tinging e-meldingar Herøy kommune",
        lang="nn",
        new="""Hei

Vedlagt ligg tinginga vår på skjemaet frå Hemit. Kontaktperson står i skjemaet.""",
        sig="""Helsing
Åshild Remøy
Herøy kommune""",
        attachments=[named(xlsx_form({"Tinging": [
            ["Tinging av e-meldingar"],
            ["Kommune", "Herøy kommune (Møre og Romsdal)"],
            ["Oppstartsdato", "18.01.2027"],
            ["Kontaktperson", "Rune Gjerde, rune.gjerde@heroy.kommune.no"],
            [],
            ["Meldingstype", "Versjon", "Bestill (ja/nei)"],
            ["PLO", "1.6", "Ja"],
            ["Dialogmelding", "1.1", "Ja"],
            ["Epikrise", "1.2", "Nei"],
            ["Henvisning", "2.0", None],
            ["Svarrapport", "1.4", None],
            [],
            ["Teneste", "HER-id"],
            ["Herøy omsorgssenter", 8760412],
            ["Heimetenesta Herøy", 8760420],
        ]}), "Tinging Herøy.xlsx")],
        expect=Expect(("1515", "Herøy"), "2027-01-18", "PLO 1.6, DIALOGMELDING 1.1", [8760412, 8760420],
                      "rune.gjerde@heroy.kommune.no"),
    ),
    Mail(
        name="41-types-docx-bestilles-column-bindal",
        what="DOCX order form (Bindal, Nordland, in HMN's catchment): a 'Bestilles' column with X on three of six "
             "pre-filled type rows; field table with contact and 'Avtalt oppstartsdato 15.03.2027'; HER-id table",
        sender=("Linda Aakervik", "linda.aakervik@bindal.kommune.no"),
        date="2027-02-01 08:15 +0100",
        subject="Bestilling e-meldinger Bindal kommune",
        new="""Hei!

Vedlagt bestillingsskjema for Bindal kommune. Vi hører til Helse Midt-Norge for sykehustjenester.""",
        sig="""Hilsen
Linda Aakervik
Bindal kommune""",
        attachments=[named(docx_form([
            ("h", "Bestilling av e-meldinger"),
            ("table", [["Kommune", "Bindal kommune"],
                       ["Kontaktperson", "Linda Aakervik"],
                       ["E-post", "linda.aakervik@bindal.kommune.no"],
                       ["Telefon", "75 03 25 00"],
                       ["Avtalt oppstartsdato", "15.03.2027"]]),
            ("p", "Meldingstyper (sett X i kolonnen «Bestilles» for typene dere bestiller):"),
            ("table", [["Meldingstype", "Versjon", "Bestilles"],
                       ["PLO", "1.6", "X"],
                       ["Dialogmelding", "1.1", "X"],
                       ["Epikrise", "1.2", ""],
                       ["Henvisning", "2.0", ""],
                       ["Svarrapport (lab)", "1.4", "X"],
                       ["Avviksmelding", "1.0", ""]]),
            ("p", "Kommunikasjonsparter:"),
            ("table", [["Navn", "HER-id"],
                       ["Bindal sykehjem", "8180224"],
                       ["Bindal hjemmetjeneste", "8180232"]]),
        ]), "Bestilling e-meldinger Bindal kommune.docx")],
        expect=Expect(("1811", "Bindal"), "2027-03-15", "PLO 1.6, DIALOGMELDING 1.1, SVARRAPPORT 1.4",
                      [8180224, 8180232], "linda.aakervik@bindal.kommune.no"),
    ),
    Mail(
        name="42-types-docx-checkboxes-hoylandet",
        what="DOCX form with ☒/☐ check boxes on pre-filled 'type – versjon n' lines: only ☒ rows ordered (PLO, DM, "
             "AVVIKSMELDING 1.0); cover note only 'Vedlagt.'",
        sender=("Mona Bjørnstad", "mona.bjornstad@hoylandet.kommune.no"),
        date="2027-01-19 10:00 +0100",
        subject="Bestillingsskjema e-meldinger",
        new="""Vedlagt.""",
        sig="""Mvh Mona
Høylandet kommune""",
        attachments=[named(docx_form([
            ("h", "Bestillingsskjema – e-meldinger"),
            ("p", "Kommune: Høylandet kommune"),
            ("p", "Meldingstyper (kryss av):"),
            ("p", "☒ PLO-meldinger – versjon 1.6"),
            ("p", "☒ Dialogmelding – versjon 1.1"),
            ("p", "☐ Epikrise – versjon 1.2"),
            ("p", "☐ Henvisning – versjon 2.0"),
            ("p", "☒ Avviksmelding – versjon 1.0"),
            ("p", "☐ Svarrapport – versjon 1.4"),
            ("p", "Kommunikasjonspart: Høylandet omsorgssenter, HER-id 8470317"),
            ("p", "Oppstartsdato (avtalt med Hemit): 1. mars 2027"),
            ("p", "Kontaktperson: Mona Bjørnstad"),
            ("p", "E-post: mona.bjornstad@hoylandet.kommune.no"),
        ]), "Bestillingsskjema Høylandet.docx")],
        expect=Expect(("5046", "Høylandet"), "2027-03-01", "PLO 1.6, DIALOGMELDING 1.1, AVVIKSMELDING 1.0",
                      [8470317], "mona.bjornstad@hoylandet.kommune.no"),
    ),
    Mail(
        name="43-types-pdf-form-leka",
        what="PDF order form with '[X]' / '[ ]' lines for pre-filled types, kommunenummer and org.nr in the form, "
             "contact with phone; only the [X] types are ordered",
        sender=("Synnøve Lauvsnes", "synnove.lauvsnes@leka.kommune.no"),
        date="2026-12-10 13:25 +0100",
        subject="Bestilling e-meldinger – Leka kommune",
        new="""Hei,

Vedlagt bestilling (PDF).""",
        sig="""Mvh
Synnøve""",
        attachments=[named(pdf_form([
            "BESTILLING AV E-MELDINGER",
            "",
            "Kommune: Leka kommune",
            "Kommunenummer: 5052",
            "Org.nr: 944 484 574",
            "",
            "Meldingstyper (X = bestilles):",
            "[X] PLO versjon 1.6",
            "[X] Dialogmelding versjon 1.1",
            "[ ] Epikrise versjon 1.2",
            "[ ] Henvisning versjon 2.0",
            "[ ] Svarrapport versjon 1.4",
            "",
            "Kommunikasjonspart: Leka sykehjem, HER-id 8520019",
            "Oppstartsdato: 15.02.2027",
            "Kontaktperson: Synnøve Lauvsnes, synnove.lauvsnes@leka.kommune.no, tlf. 74 38 70 00",
        ]), "Bestilling e-meldinger Leka.pdf")],
        expect=Expect(("5052", "Leka"), "2027-02-15", "PLO 1.6, DIALOGMELDING 1.1", [8520019],
                      "synnove.lauvsnes@leka.kommune.no"),
    ),
    Mail(
        name="44-types-docx-ja-nei-hf-her-table-afjord",
        what="DOCX form: 'Bestilles' Ja/Nei column, the kommune's HER-id table, and a second HER-id table of the "
             "hospital's receivers ('for informasjon – ikke våre'); ISO date in a field table",
        sender=("Gro Strøm", "gro.strom@afjord.kommune.no"),
        date="2027-01-20 11:50 +0100",
        subject="Bestilling e-meldinger Åfjord kommune",
        new="""Hei, her kommer bestillingsskjemaet.""",
        sig="""Gro Strøm
Åfjord kommune""",
        attachments=[named(docx_form([
            ("h", "Bestilling e-meldinger – Åfjord kommune"),
            ("table", [["Felt", "Verdi"],
                       ["Kommune", "Åfjord kommune"],
                       ["Oppstartsdato", "2027-03-15"],
                       ["Kontaktperson", "Gro Strøm (gro.strom@afjord.kommune.no)"]]),
            ("p", "Meldingstyper:"),
            ("table", [["Meldingstype", "Versjon", "Bestilles"],
                       ["PLO", "1.6", "Ja"],
                       ["Dialogmelding", "1.1", "Ja"],
                       ["Epikrise", "1.2", "Nei"],
                       ["Henvisning", "2.0", "Nei"]]),
            ("p", "Våre kommunikasjonsparter:"),
            ("table", [["Tjeneste", "HER-id"],
                       ["Åfjord helsetun", "8600512"],
                       ["Hjemmetjenesten Åfjord", "8600520"]]),
            ("p", "Motparter hos helseforetaket (St. Olavs hospital HF, for informasjon – ikke våre):"),
            ("table", [["Mottaker", "HER-id"],
                       ["St. Olavs hospital, meldingsmottak", "59011"],
                       ["Orkdal sykehus", "59038"]]),
        ]), "Bestilling Åfjord.docx")],
        expect=Expect(("5058", "Åfjord"), "2027-03-15", "PLO 1.6, DIALOGMELDING 1.1", [8600512, 8600520],
                      "gro.strom@afjord.kommune.no"),
    ),
    Mail(
        name="45-typo-dialogmeldng-epikirse-surnadal",
        what="typos with versions: 'Dialogmeldng 1.1', 'Epikirse 1.2' (plus a correct 'PLO 1.6'); HER-id before its "
             "name in parentheses; no named contact -> sender",
        sender=("Marit Halse", "marit.halse@surnadal.kommune.no"),
        date="2026-11-27 09:35 +0100",
        subject="Bestilling e-meldingar Surnadal",
        lang="nn",
        new="""Hei

Surnadal kommune ønskjer å bestille desse meldingane:

Dialogmeldng 1.1
Epikirse 1.2
PLO 1.6

HER-id: 8940131 (Surnadal sjukeheim)

Oppstartsdato: 11.01.2027""",
        sig="""Mvh
Marit Halse
Surnadal kommune""",
        expect=Expect(("1566", "Surnadal"), "2027-01-11", "DIALOGMELDING 1.1, EPIKRISE 1.2, PLO 1.6", [8940131],
                      "marit.halse@surnadal.kommune.no"),
    ),
    Mail(
        name="46-typo-plo-meldiger-henvsining-vestnes",
        what="typos 'PLO-meldiger 1.6' and 'henvsining 2.0 (fra legekontoret)' next to a correct 'dialogmelding "
             "1.1'; HER-ids as 'name – HER-id n'",
        sender=("Eldar Hole", "eldar.hole@vestnes.kommune.no"),
        date="2027-02-09 15:20 +0100",
        subject="Bestilling e-meldinger – Vestnes",
        new="""Hei,

Vestnes kommune bestiller oppkobling av følgende:
- PLO-meldiger 1.6
- henvsining 2.0 (fra legekontoret)
- dialogmelding 1.1

Kommunikasjonsparter:
Vestnes helse- og omsorgssenter – HER-id 8845213
Vestnes legekontor – HER-id 8845221

Aktiveringsdato: 12.04.2027

Kontaktperson: Eldar Hole, eldar.hole@vestnes.kommune.no""",
        sig="Eldar",
        expect=Expect(("1535", "Vestnes"), "2027-04-12", "PLO 1.6, HENVISNING 2.0, DIALOGMELDING 1.1",
                      [8845213, 8845221], "eldar.hole@vestnes.kommune.no"),
    ),
    Mail(
        name="47-typo-svarraport-dialogmeldig-nn-stranda",
        what="nynorsk typos 'dialogmeldig versjon 1.1', 'epikrsie versjon 1.2', 'svarraport versjon 1.4'; date "
             "'måndag 18. januar 2027'",
        sender=("Kristin Ringdal", "kristin.ringdal@stranda.kommune.no"),
        date="2026-12-03 10:50 +0100",
        subject="Tinging e-meldingar Stranda kommune",
        lang="nn",
        new="""Hei

Stranda kommune tingar oppkopling av:
* dialogmeldig versjon 1.1
* epikrsie versjon 1.2
* svarraport versjon 1.4

Kommunikasjonspart: Stranda legekontor, HER-id 8783001

Oppstart: måndag 18. januar 2027

Kontaktperson: Kristin Ringdal (kristin.ringdal@stranda.kommune.no)""",
        sig="Helsing Kristin",
        expect=Expect(("1525", "Stranda"), "2027-01-18", "DIALOGMELDING 1.1, EPIKRISE 1.2, SVARRAPPORT 1.4",
                      [8783001], "kristin.ringdal@stranda.kommune.no"),
    ),
    Mail(
        name="48-typo-avviksmeldnig-htmlonly-aukra",
        what="HTML-only Outlook with typos 'PLO-meldinge 1.6' and 'Avviksmeldnig 1.0' and 'Dialogmelding v1.1' in "
             "one sentence; date 03.05.2027",
        sender=("Jorunn Sylte", "jorunn.sylte@aukra.kommune.no"),
        date="2027-02-15 13:00 +0100",
        subject="Bestilling e-meldinger Aukra kommune",
        style="outlook_html",
        new="""Hei,

Aukra kommune bestiller PLO-meldinge 1.6, Dialogmelding v1.1 og Avviksmeldnig 1.0.

HER-id Aukra omsorgssenter: 8860437

Oppstartsdato: 03.05.2027""",
        sig="""Mvh
Jorunn Sylte
Aukra kommune""",
        expect=Expect(("1547", "Aukra"), "2027-05-03", "PLO 1.6, DIALOGMELDING 1.1, AVVIKSMELDING 1.0", [8860437],
                      "jorunn.sylte@aukra.kommune.no"),
    ),
]
