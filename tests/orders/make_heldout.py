# ruff: noqa: E501  (mail bodies keep their real, long paragraph lines)
"""Build the held-out order corpus tests/orders/heldout/ (NAME.eml + NAME.json).

Written independently of the extractor's rules: varied writers, layouts, encodings and phrasings of
real order mails to meldingsansvarlig@helse-midt.no.  Expected values follow the conventions in
/work/shared/corpus/README.md.  Re-run with `.venv/bin/python tests/orders/make_heldout.py`.
"""
from __future__ import annotations

import base64
import csv
import html
import io
import json
import quopri
import re
from email.header import Header
from pathlib import Path
from typing import Any

# ---------------------------------------------------------------------------------- raw .eml building
_CSS = """<style><!--
@font-face
	{font-family:"Cambria Math";
	panose-1:2 4 5 3 5 4 6 3 2 4;}
@font-face
	{font-family:Calibri;
	panose-1:2 15 5 2 2 2 4 3 2 4;}
p.MsoNormal, li.MsoNormal, div.MsoNormal
	{margin:0cm;
	font-size:11.0pt;
	font-family:"Calibri",sans-serif;}
a:link, span.MsoHyperlink
	{mso-style-priority:99;
	color:#0563C1;
	text-decoration:underline;}
table.MsoTableGrid
	{mso-style-name:"Tabellrutenett";
	border:solid windowtext 1.0pt;}
@page WordSection1
	{size:612.0pt 792.0pt;
	margin:70.85pt 70.85pt 70.85pt 70.85pt;}
div.WordSection1
	{page:WordSection1;}
--></style>"""


def hdr(value: str, charset: str = "utf-8", enc: str = "q") -> str:
    """RFC 2047-encode a header value when it is not ASCII."""
    try:
        value.encode("ascii")
        return value
    except UnicodeEncodeError:
        pass
    if enc == "b":
        return f"=?{charset}?B?{base64.b64encode(value.encode(charset)).decode()}?="
    return Header(value, charset).encode(maxlinelen=200)


def addr(name: str, email: str, charset: str = "utf-8", enc: str = "q") -> str:
    if not name:
        return f"<{email}>"
    try:
        name.encode("ascii")
        return f'"{name}" <{email}>' if "," in name or "." in name else f"{name} <{email}>"
    except UnicodeEncodeError:
        return f"{hdr(name, charset, enc)} <{email}>"


def encode_body(text: str, charset: str, cte: str) -> str:
    raw = text.encode(charset)
    if cte == "quoted-printable":
        return quopri.encodestring(raw).decode("ascii")
    if cte == "base64":
        b = base64.b64encode(raw).decode("ascii")
        return "\n".join(b[i:i + 76] for i in range(0, len(b), 76))
    return raw.decode(charset)  # 8bit / 7bit: caller writes bytes with the same charset


def leaf(ctype: str, text: str, charset: str = "utf-8", cte: str = "quoted-printable") -> str:
    return (f'Content-Type: {ctype}; charset="{charset}"\n'
            f"Content-Transfer-Encoding: {cte}\n\n{encode_body(text, charset, cte)}")


def binary_leaf(ctype: str, data: bytes, filename: str, name_param: str | None = None) -> str:
    b = base64.b64encode(data).decode("ascii")
    body = "\n".join(b[i:i + 76] for i in range(0, len(b), 76))
    fn = name_param or f'"{filename}"'
    return (f"Content-Type: {ctype}; name={fn}\n"
            f"Content-Description: {filename}\n"
            f"Content-Disposition: attachment; filename={fn}\n"
            f"Content-Transfer-Encoding: base64\n\n{body}")


def multipart(subtype: str, boundary: str, parts: list[str]) -> str:
    out = [f'Content-Type: multipart/{subtype};\n\tboundary="{boundary}"\n', ""]
    for p in parts:
        out.append(f"--{boundary}")
        out.append(p)
    out.append(f"--{boundary}--\n")
    return "\n".join(out)


_MAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _inline(line: str) -> str:
    esc = html.escape(line, quote=False)
    return _MAIL.sub(lambda m: f'<a href="mailto:{m.group(0)}">{m.group(0)}</a>', esc)


def outlook_html(blocks: list[str], lang: str = "NO-BOK") -> str:
    """Word-style HTML. A block is plain text (one <p> per line) or raw HTML when it starts with '<'."""
    body = []
    for b in blocks:
        if b.startswith("<"):
            body.append(b)
            continue
        for line in b.split("\n"):
            if line.strip():
                body.append(f'<p class="MsoNormal">{_inline(line)}<o:p></o:p></p>')
            else:
                body.append('<p class="MsoNormal"><o:p>&nbsp;</o:p></p>')
        body.append('<p class="MsoNormal"><o:p>&nbsp;</o:p></p>')
    return ('<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40">\n'
            '<head>\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
            '<meta name="Generator" content="Microsoft Word 15 (filtered medium)">\n'
            f"{_CSS}\n</head>\n"
            f'<body lang="{lang}" link="#0563C1" vlink="#954F72" style="word-wrap:break-word">\n'
            '<div class="WordSection1">\n' + "\n".join(body) + "\n</div>\n</body>\n</html>\n")


def html_table(rows: list[list[str]], bold_header: bool = True, width: int = 160) -> str:
    out = ['<table class="MsoTableGrid" border="1" cellspacing="0" cellpadding="0" '
           'style="border-collapse:collapse;border:none">']
    for i, row in enumerate(rows):
        out.append("<tr>")
        for cell in row:
            inner = _inline(cell) if cell else "&nbsp;"
            if i == 0 and bold_header:
                inner = f"<b>{inner}</b>"
            out.append(f'<td width="{width}" valign="top" style="border:solid windowtext 1.0pt;padding:0cm 5.4pt">'
                       f'<p class="MsoNormal">{inner}<o:p></o:p></p></td>')
        out.append("</tr>")
    out.append("</table>")
    return "\n".join(out)


def outlook_text_table(rows: list[list[str]]) -> str:
    """What Outlook puts in text/plain for a table: one cell per line, a blank line between rows."""
    return "\n\n".join("\n".join(r) for r in rows)


def message(headers: list[tuple[str, str]], body: str, crlf: bool = False, charset8: str = "utf-8") -> bytes:
    head = "\n".join(f"{k}: {v}" for k, v in headers)
    if not body.startswith("Content-Type"):
        raise ValueError("body must start with its Content-Type header")
    text = head + "\nMIME-Version: 1.0\n" + body
    if not text.endswith("\n"):
        text += "\n"
    if crlf:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    return text.encode(charset8)


# ---------------------------------------------------------------------------------- the corpus
OUT = Path(__file__).parent / "heldout"
ROOT = Path(__file__).resolve().parents[2]
MBOX = '"meldingsansvarlig@helse-midt.no" <meldingsansvarlig@helse-midt.no>'

NAMES: dict[str, str] = {}
with open(ROOT / "data" / "kommuner.csv", encoding="utf-8") as fh:
    for row in csv.DictReader(fh):
        NAMES[row["number"]] = row["name"]


def expected(muni: str | None, date: str | None, types: list[tuple[str, str | None]], her: list[int],
             contact: str | None, kind: str = "order", case_ref: str | None = None) -> dict[str, Any]:
    if kind != "order":
        return {"kind": kind, "case_ref": case_ref, "order": None}
    missing = []
    if muni is None:
        missing.append("municipality")
    if date is None:
        missing.append("activation_date")
    if not types:
        missing.append("message_types")
    elif any(v is None for _, v in types):
        missing.append("versions")
    return {"kind": "order", "case_ref": case_ref, "order": {
        "municipality": None if muni is None else {"number": muni, "name": NAMES[muni]},
        "activation_date": date,
        "message_types": [{"type": t, "version": v} for t, v in types],
        "her_ids": her,
        "contact_email": contact,
        "missing": missing}}


MAILS: list[tuple[str, bytes, dict[str, Any]]] = []


def std_headers(frm: str, subject: str, date: str, msgid: str, to: str = MBOX, cc: str | None = None,
                extra: list[tuple[str, str]] | None = None, outlook: bool = True) -> list[tuple[str, str]]:
    h: list[tuple[str, str]] = []
    if outlook:
        h.append(("Received", "from AM9PR09MB4481.eurprd09.prod.outlook.com (2603:10a6:20b:2d3::11) by\n"
                              f" DB9PR09MB7412.eurprd09.prod.outlook.com with HTTPS; {date}"))
    h += [("From", frm), ("To", to)]
    if cc:
        h.append(("CC", cc))
    h += [("Subject", subject), ("Date", date), ("Message-ID", msgid)]
    if outlook:
        h += [("Accept-Language", "nb-NO, en-US"), ("Content-Language", "nb-NO"),
              ("X-MS-Has-Attach", ""), ("X-MS-TNEF-Correlator", "")]
    h += extra or []
    return h


def add(name: str, raw: bytes, exp: dict[str, Any]) -> None:
    MAILS.append((name, raw, exp))


def alt(text: str, blocks: list[str] | None = None, charset: str = "utf-8", cte: str = "quoted-printable",
        boundary: str = "_000_AM9PR09MB44817C1D_") -> str:
    html_doc = outlook_html(blocks if blocks is not None else [text])
    return multipart("alternative", boundary, [leaf("text/plain", text, charset, cte),
                                               leaf("text/html", html_doc, charset, cte)])


# --------------------------------------------------------------------------------------------- 01
t = """Hei! Stjørdal hjemmesykepleie vil koble opp PLO 1.6 og dialogmelding 1.1 fra 1. mars, HER 8093311.
Mvh Kari, avd.leder

Sendt fra min iPhone"""
add("h01-stjordal-nurse-two-lines",
    message(std_headers(addr("Kari Lie", "kari.lie@stjordal.kommune.no"), "oppkobling",
                        "Tue, 8 Dec 2026 14:02:11 +0100", "<C3A1F0B2-77D1-4E0B-9A61-2F1D5E0C9B11@stjordal.kommune.no>",
                        outlook=False, extra=[("X-Mailer", "iPhone Mail (21F90)")]),
            leaf("text/plain", t, "utf-8", "quoted-printable")),
    expected("5035", "2027-03-01", [("PLO", "1.6"), ("DIALOGMELDING", "1.1")], [8093311],
             "kari.lie@stjordal.kommune.no"))

# --------------------------------------------------------------------------------------------- 02
t = """Til Helse Midt-Norge v/ meldingsansvarlig
Kopi: Hanne Ro, seksjonsleder (hanne.ro@trondheim.kommune.no)

Vår ref.: Saksnr. 2026/1234 – arkivkode 060
Sak: Bestilling av oppkobling for elektronisk samhandling – Trondheim kommune (kommunenummer 5001)

Trondheim kommune, Helse og velferd, viser til dialog med Hemit og bestiller herved oppkobling av elektronisk meldingsutveksling mellom Helsehuset og helseforetakene i Helse Midt-Norge.

1. Oppstart
Meldingsutvekslingen skal gjelde fra og med 1. mars 2027.

2. Meldingstyper
- PLO-meldinger i versjon 1.6
- Dialogmelding v. 1.1
- Epikrise, versjon 1.2

3. Kommunikasjonspart
Trondheim kommune Helsehuset, HER id: 4702211. Tjenesten publiseres i Adresseregisteret senest to uker før oppstart.

4. Øvrig
Kommunens organisasjonsnummer er NO 942 110 464 MVA. Sentralbord +47 72 54 00 00.

Spørsmål kan rettes til undertegnede.

Med vennlig hilsen

Morten Aasheim
Seniorrådgiver IKT / e-helse
Trondheim kommune, Digitalisering
Postboks 2300 Torgarden, 7004 Trondheim
Tlf +47 72 54 12 34
morten.aasheim@trondheim.kommune.no"""
add("h02-trondheim-formal-it-consultant",
    message(std_headers(addr("Aasheim, Morten", "morten.aasheim@trondheim.kommune.no"),
                        "Bestilling av oppkobling - elektronisk samhandling - Trondheim kommune",
                        "Mon, 16 Nov 2026 10:31:44 +0000", "<AM9PR09MB4481A1B2C3D4E5F6@AM9PR09MB4481.eurprd09.prod.outlook.com>",
                        cc=addr("Ro, Hanne", "hanne.ro@trondheim.kommune.no")),
            alt(t)),
    expected("5001", "2027-03-01", [("PLO", "1.6"), ("DIALOGMELDING", "1.1"), ("EPIKRISE", "1.2")], [4702211],
             "morten.aasheim@trondheim.kommune.no"))

# --------------------------------------------------------------------------------------------- 03
t = """Hei

Ulstein kommune ynskjer å kople opp elektronisk meldingsutveksling mot helseføretaka i Midt-Noreg. Vi har snakka med Hemit og vorte samde om oppstart måndag 1. mars 2027. Det gjeld i fyrste omgang pasientar som skal heim frå sjukehuset til heimetenesta.

Vi skal nytte desse meldingane:
* PLO-meldingar, versjon 1.6
* dialogmelding, versjon 1.1
* epikrise versjon 1.2

Laboratoriesvar er ikkje aktuelt for oss no.

Kommunikasjonspart i AR er Ulstein kommune heimetenesta, HER-id 8766120.

Kontaktperson for oppkoplinga er systemansvarleg Arne Flø, arne.flo@ulstein.kommune.no, tlf. 700 17 512.

Helsing
Synnøve Hareide
Einingsleiar, Heimetenesta
Ulstein kommune"""
add("h03-ulstein-nynorsk-sunnmore",
    message(std_headers(addr("Synnøve Hareide", "synnove.hareide@ulstein.kommune.no", "iso-8859-1"),
                        hdr("Tinging av oppkopling - Ulstein kommune"),
                        "Thu, 26 Nov 2026 13:05:09 +0100", "<DB7PR09MB5521F1E2@DB7PR09MB5521.eurprd09.prod.outlook.com>"),
            leaf("text/plain", t, "iso-8859-1", "quoted-printable")),
    expected("1516", "2027-03-01", [("PLO", "1.6"), ("DIALOGMELDING", "1.1"), ("EPIKRISE", "1.2")], [8766120],
             "arne.flo@ulstein.kommune.no"))

# --------------------------------------------------------------------------------------------- 04
t = """Buerie,

Raarvihke tjïelte / Røyrvik kommune bestiller oppkobling av e-meldinger mot helseforetakene.

Aktiveringsdato (avtalt med Hemit): 12.04.2027
Meldinger: PLO 1.6, Dialogmelding 1.1
HER-id: 1098877 (Røyrvik helsesenter)
Kontaktperson: Mari Nilsen (mari.nilsen@royrvik.kommune.no)

Hilsen
Postmottak
Raarvihke - Røyrvik kommune
7898 Limingen"""
add("h04-royrvik-sami-name",
    message(std_headers(addr("Postmottak Raarvihke - Røyrvik", "postmottak@royrvik.kommune.no"),
                        hdr("Bestilling – Raarvihke tjïelte / Røyrvik kommune", enc="b"),
                        "Wed, 20 Jan 2027 08:14:00 +0100", "<0102018d1a2b3c4d@royrvik.kommune.no>"),
            alt(t)),
    expected("5043", "2027-04-12", [("PLO", "1.6"), ("DIALOGMELDING", "1.1")], [1098877],
             "mari.nilsen@royrvik.kommune.no"))

# --------------------------------------------------------------------------------------------- 05
t = """Hei,

På vegne av Namsos kommune (Nåavmesjenjaelmie) bestiller vi i Namdal IKT oppkobling av elektronisk samhandling med helseforetakene. Oppstartsdato 15.03.2027 er avtalt med Hemit.

Meldingstyper: Dialogmelding 1.1, PLO 1.6, Epikrise 1.2 og Svarrapport 1.4 (lab).
HER-id for Namsos helsehus: 5566771.

Kontaktperson i kommunen: Eirik Bøe, eirik.boe@namsos.kommune.no

Med vennlig hilsen
Trond Aune
Namdal IKT – servicedesk
servicedesk@namdal-ikt.no | 74 21 70 00"""
add("h05-namsos-it-cooperation-sami",
    message(std_headers(addr("Namdal IKT servicedesk", "servicedesk@namdal-ikt.no"),
                        hdr("Oppkobling e-meldinger Nåavmesjenjaelmie / Namsos"),
                        "Mon, 18 Jan 2027 12:40:31 +0100", "<5f1e2d3c.1a2b@namdal-ikt.no>", outlook=False),
            leaf("text/plain", t, "utf-8", "8bit")),
    expected("5007", "2027-03-15", [("DIALOGMELDING", "1.1"), ("PLO", "1.6"), ("EPIKRISE", "1.2"),
                                    ("SVARRAPPORT", "1.4")], [5566771], "eirik.boe@namsos.kommune.no"))

# --------------------------------------------------------------------------------------------- 06
blocks = ["Hei,\n\nLevanger kommune bestiller oppkobling av elektroniske meldinger med helseforetakene. "
          "Se tabellene under.",
          html_table([["Meldingstype", "PLO", "Dialogmelding", "Epikrise", "Svarrapport"],
                      ["Versjon", "1.6", "1.1", "1.2", "–"],
                      ["Skal brukes", "Ja", "Ja", "Ja", "Nei"]], width=110),
          "",
          html_table([["Tjeneste", "HER", "Org.nr"],
                      ["Levanger kommune hjemmetjenester", "4411223", "938587051"]], width=200),
          "",
          "Aktiveringsdato: 22.03.2027\n\nMvh\nTone Hegge\nFagleder pleie og omsorg, Levanger kommune\n"
          "Tlf 74 05 27 00"]
add("h06-levanger-html-only-transposed-table",
    message(std_headers(addr("Tone Hegge", "tone.hegge@levanger.kommune.no"),
                        "Bestilling oppkobling Levanger", "Tue, 1 Dec 2026 09:22:10 +0000",
                        "<AM9PR09MB44819F0E@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            leaf("text/html", outlook_html(blocks), "utf-8", "base64"), crlf=True),
    expected("5037", "2027-03-22", [("PLO", "1.6"), ("DIALOGMELDING", "1.1"), ("EPIKRISE", "1.2")], [4411223],
             "tone.hegge@levanger.kommune.no"))

# --------------------------------------------------------------------------------------------- 07
rows = [["Tjeneste", "HER", "Meldingstyper og versjon", "Oppstart"],
        ["Verdal bo- og helsetjenester", "7712345", "PLO 1.6, dialogmelding 1.1", "08.03.2027"],
        ["Verdal legevakt", "7712399", "Dialogmelding 1.1, epikrise 1.2", "08.03.2027"]]
intro = "God dag,\n\nVerdal kommune bestiller oppkobling for to tjenester, se oversikt:"
outro = ("Vi publiserer begge tjenestene i AR i god tid.\n\nVennlig hilsen\nSiri Volden\nRådgiver helse\n"
         "Verdal kommune | Postboks 24, 7651 Verdal\nsiri.volden@verdal.kommune.no")
t = intro + "\n\n" + outlook_text_table(rows) + "\n\n" + outro
add("h07-verdal-outlook-table-two-services",
    message(std_headers(addr("Siri Volden", "siri.volden@verdal.kommune.no"), "Oppkobling Verdal kommune",
                        "Thu, 10 Dec 2026 15:47:02 +0000", "<AM9PR09MB4481DE77@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t, [intro, html_table(rows), "", outro])),
    expected("5038", "2027-03-08", [("PLO", "1.6"), ("DIALOGMELDING", "1.1"), ("EPIKRISE", "1.2")],
             [7712345, 7712399], "siri.volden@verdal.kommune.no"))

# --------------------------------------------------------------------------------------------- 08
t = """Hei Lise,

Takk for raskt svar. Vi går for mandag 8. mars 2027.
Meldingstyper blir PLO 1.6 og dialogmelding 1.1. HER-id til hjemmetjenesten er 7013456.

Mvh
Jon Bakken
Skaun kommune

Fra: Lise Ødegård <lise.odegard@hemit.no>
Sendt: torsdag 3. desember 2026 10:12
Til: Jon Bakken <jon.bakken@skaun.kommune.no>
Emne: Oppkobling mot helseforetakene - forslag til dato

Hei Jon,

Vi kan tilby oppstart 1. mars eller 8. mars 2027. Gi beskjed om hva dere ønsker, og send bestillingen til meldingsansvarlig@helse-midt.no med meldingstyper, versjoner og HER-id.

Hilsen
Lise Ødegård
Meldingskoordinator, Hemit HF"""
add("h08-skaun-reply-chain-to-hemit-person",
    message(std_headers(addr("Jon Bakken", "jon.bakken@skaun.kommune.no"),
                        "SV: Oppkobling mot helseforetakene - forslag til dato",
                        "Fri, 4 Dec 2026 08:03:55 +0000", "<AM9PR09MB44812B1C@AM9PR09MB4481.eurprd09.prod.outlook.com>",
                        to=MBOX, cc=addr("Lise Ødegård", "lise.odegard@hemit.no"),
                        extra=[("In-Reply-To", "<7a8b9c@hemit.no>"), ("References", "<7a8b9c@hemit.no>")]),
            alt(t)),
    expected("5029", "2027-03-08", [("PLO", "1.6"), ("DIALOGMELDING", "1.1")], [7013456],
             "jon.bakken@skaun.kommune.no"))

# --------------------------------------------------------------------------------------------- 09
t = """Sender denne videre til dere, så vidt jeg skjønner skulle den hit.

Stian

Fra: Guro Lien <guro.lien@melhus.kommune.no>
Sendt: mandag 11. januar 2027 09:40
Til: Stian Moe <stian.moe@melhus.kommune.no>
Emne: VS: Bestilling elektronisk samhandling Melhus

Kan du sende denne til riktig sted? Jeg fant ikke adressen.

Guro

Fra: Randi Gran <randi.gran@melhus.kommune.no>
Sendt: fredag 8. januar 2027 15:05
Til: Guro Lien <guro.lien@melhus.kommune.no>
Emne: Bestilling elektronisk samhandling Melhus

Hei,

Melhus kommune ønsker oppkobling mot helseforetakene for Melhus legevakt.

Oppstart: 12. april 2027
Meldinger: Dialogmelding 1.1, PLO 1.6, Henvisning 1.0
HER-id: 8001234
Kontakt: randi.gran@melhus.kommune.no

Randi Gran
Enhetsleder, Melhus legevakt"""
add("h09-melhus-forwarded-twice",
    message(std_headers(addr("Moe, Stian", "stian.moe@melhus.kommune.no"),
                        "VS: VS: Bestilling elektronisk samhandling Melhus",
                        "Tue, 12 Jan 2027 07:58:12 +0000", "<AM9PR09MB4481FF01@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("5028", "2027-04-12", [("DIALOGMELDING", "1.1"), ("PLO", "1.6"), ("HENVISNING", "1.0")], [8001234],
             "randi.gran@melhus.kommune.no"))

# --------------------------------------------------------------------------------------------- 10
t = """Hei,

Indre Fosen kommune bestiller oppkobling for to tjenester. Avtalt aktiveringsdato er 19.04.2027 for begge.

Tjeneste 1: Hjemmetjenesten Indre Fosen – HER-id 9911223
    Meldingstyper: PLO 1.6 og dialogmelding 1.1

Tjeneste 2: Indre Fosen legevakt – HER-id 9911250
    Meldingstyper: dialogmelding 1.1, epikrise 1.2 og labsvar 1.4

Kontaktperson: Lars Hoff, lars.hoff@indrefosen.kommune.no, tlf. 915 66 777

Hilsen Lars"""
add("h10-indre-fosen-two-services",
    message(std_headers(addr("Lars Hoff", "lars.hoff@indrefosen.kommune.no"), "Bestilling - Indre Fosen (2 tjenester)",
                        "Wed, 13 Jan 2027 11:11:11 +0000", "<AM9PR09MB448100AA@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("5054", "2027-04-19", [("PLO", "1.6"), ("DIALOGMELDING", "1.1"), ("EPIKRISE", "1.2"),
                                    ("SVARRAPPORT", "1.4")], [9911223, 9911250], "lars.hoff@indrefosen.kommune.no"))

# --------------------------------------------------------------------------------------------- 11
t = """Hei

Hitra kommune vil bestille oppkobling. Vi har avtalt oppstart 01.03. med Hemit.

Meldinger: PLO 1.6 og DM 1.1
HER: 3345566

Med hilsen
Bente Strøm
Hitra kommune, Helse og omsorg
Rådhuset, 7240 Hitra
Tlf 72 44 17 00"""
add("h11-hitra-date-without-year",
    message(std_headers(addr("Bente Strøm", "bente.strom@hitra.kommune.no", "windows-1252"),
                        "Bestilling oppkobling Hitra", "Thu, 19 Nov 2026 14:20:00 +0100",
                        "<DB9PR09MB61220A0B@DB9PR09MB6122.eurprd09.prod.outlook.com>"),
            leaf("text/plain", t, "windows-1252", "quoted-printable"), crlf=True),
    expected("5056", "2027-03-01", [("PLO", "1.6"), ("DIALOGMELDING", "1.1")], [3345566],
             "bente.strom@hitra.kommune.no"))

# --------------------------------------------------------------------------------------------- 12
t = """Hei!

Heim kommune bestiller oppkobling for elektronisk meldingsutveksling.

Aktivering 1/3-27 (avtalt på telefon med Hemit)
Vi skal bruke pleie- og omsorgsmeldinger 1.6 og dialogmeldinger 1.1.
HERID 6677001

Kontakt: tor.ove.lie@heim.kommune.no

Hilsen Postmottak, Heim kommune"""
add("h12-heim-slash-date-short-year",
    message(std_headers(addr("Postmottak Heim kommune", "postmottak@heim.kommune.no"), "Oppkobling Heim",
                        "Mon, 7 Dec 2026 10:00:00 +0100", "<DB9PR09MB6122CC12@DB9PR09MB6122.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("5055", "2027-03-01", [("PLO", "1.6"), ("DIALOGMELDING", "1.1")], [6677001],
             "tor.ove.lie@heim.kommune.no"))

# --------------------------------------------------------------------------------------------- 13
t = """Hei,

Selbu kommune bestiller oppkobling mot St. Olavs hospital, Helse Nord-Trøndelag og Helse Møre og Romsdal.

Planlagt aktivering: mandag 1.3.2027

Meldingstyper vi skal ha:
PLO (1.6)
Dialogmelding (1.1)
Epikrise (1.2)

Her-ID 5523301 – Selbu helsetun

Vennlig hilsen
Kjersti Berg
Selbu kommune"""
add("h13-selbu-weekday-numeric-date",
    message(std_headers(addr("Kjersti Berg", "kjersti.berg@selbu.kommune.no"), "Bestilling e-meldinger Selbu kommune",
                        "Wed, 2 Dec 2026 13:45:00 +0000", "<AM9PR09MB448113AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("5032", "2027-03-01", [("PLO", "1.6"), ("DIALOGMELDING", "1.1"), ("EPIKRISE", "1.2")], [5523301],
             "kjersti.berg@selbu.kommune.no"))

# --------------------------------------------------------------------------------------------- 14
t = """hei

vi i Tydal kommune har avtalt med Hemit at vi starter opp den 1. i 3.
det blir plo 1.6 og dialogmelding 1.1. HER-nr. 9988123

mvh
Ole Kirkvold
pleie og omsorg Tydal"""
add("h14-tydal-den-1-i-3",
    message(std_headers(addr("Ole Kirkvold", "ole.kirkvold@tydal.kommune.no"), "oppkobling tydal",
                        "Wed, 13 Jan 2027 16:02:44 +0100", "<20270113160244.4411@tydal.kommune.no>", outlook=False),
            leaf("text/plain", t, "utf-8", "7bit")),
    expected("5033", "2027-03-01", [("PLO", "1.6"), ("DIALOGMELDING", "1.1")], [9988123],
             "ole.kirkvold@tydal.kommune.no"))

# --------------------------------------------------------------------------------------------- 15
t = """Hei,

Meråker kommune ønsker å bestille oppkobling mot helseforetakene.

Oppstart blir i uke 9, eksakt dato avtales med Hemit.
Meldingstyper: PLO 1.6, dialogmelding 1.1
HER-id: 4422110

Mvh
Anita Fløan
Meråker kommune"""
add("h15-meraker-week-number-not-a-date",
    message(std_headers(addr("Anita Fløan", "anita.floan@meraker.kommune.no"), "Bestilling Meråker",
                        "Fri, 15 Jan 2027 09:30:00 +0000", "<AM9PR09MB448115CD@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("5034", None, [("PLO", "1.6"), ("DIALOGMELDING", "1.1")], [4422110],
             "anita.floan@meraker.kommune.no"))

# --------------------------------------------------------------------------------------------- 16
t = """Hei

Frosta kommune bestiller oppkobling av elektronisk meldingsutveksling.

Oppstart planlagt 01.03.2027 (ikke endelig, vi venter på bekreftelse fra EPJ-leverandøren).
Meldingstyper: PLO-meldinger 1.6, dialogmelding 1.1
HER-id 2233445

Kontaktperson: Geir Hoset (geir.hoset@frosta.kommune.no)

Mvh Frosta kommune"""
add("h16-frosta-tentative-date",
    message(std_headers(addr("Postmottak Frosta", "postmottak@frosta.kommune.no"), "Bestilling oppkobling",
                        "Mon, 14 Dec 2026 12:00:00 +0000", "<AM9PR09MB448116EE@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("5036", "2027-03-01", [("PLO", "1.6"), ("DIALOGMELDING", "1.1")], [2233445],
             "geir.hoset@frosta.kommune.no"))

# --------------------------------------------------------------------------------------------- 17
t = """Hei,

Grong kommune ønsker oppkobling av e-meldinger med HF-ene. Vi kan tidligst starte 15. mars – dato avtaler vi nærmere med dere.

Meldinger: Dialogmelding 1.1 og PLO 1.6.
HER-ID: 3034512

Hilsen
Per Ivar Grong
IKT-koordinator, Grong kommune"""
add("h17-grong-earliest-not-a-date",
    message(std_headers(addr("Per Ivar Grong", "per.ivar.grong@grong.kommune.no"), "Oppkobling Grong kommune",
                        "Tue, 19 Jan 2027 10:10:10 +0000", "<AM9PR09MB448117FF@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("5045", None, [("DIALOGMELDING", "1.1"), ("PLO", "1.6")], [3034512],
             "per.ivar.grong@grong.kommune.no"))

# --------------------------------------------------------------------------------------------- 18
t = """Bestilling av oppkobling

Kommune: Namsskogan
Ønsket dato: 01.03.2027
Avtalt dato: 15.03.2027
Meldingstyper og versjoner: PLO 1.6 / Dialogmelding 1.1 / Epikrise 1.2
HER-id: 6123001
Kontaktperson: Heidi Berg, heidi.berg@namsskogan.kommune.no

Mvh
Heidi"""
add("h18-namsskogan-wish-and-agreed-date",
    message(std_headers(addr("Heidi Berg", "heidi.berg@namsskogan.kommune.no"), "Namsskogan - bestilling",
                        "Thu, 21 Jan 2027 14:14:14 +0000", "<AM9PR09MB448118AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("5044", "2027-03-15", [("PLO", "1.6"), ("DIALOGMELDING", "1.1"), ("EPIKRISE", "1.2")], [6123001],
             "heidi.berg@namsskogan.kommune.no"))

# --------------------------------------------------------------------------------------------- 19
t = """Hei,

Rindal kommune bestiller med dette oppkobling. Aktiveringsdato: 08.03.2027.

- PLO v. 1.6
- Dialogmelding ver1.1
- Epikrise 1,2

HER-id 3300221 (Rindal helsetun)

Med vennlig hilsen
Marit Bolme
Rindal kommune"""
add("h19-rindal-odd-version-tokens",
    message(std_headers(addr("Marit Bolme", "marit.bolme@rindal.kommune.no"), "Bestilling oppkobling Rindal",
                        "Mon, 11 Jan 2027 08:08:08 +0000", "<AM9PR09MB448119AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("5061", "2027-03-08", [("PLO", "1.6"), ("DIALOGMELDING", "1.1"), ("EPIKRISE", "1.2")], [3300221],
             "marit.bolme@rindal.kommune.no"))

# --------------------------------------------------------------------------------------------- 20
t = """Hei

Aure kommune vil koble opp PLO (1.6), dialogmelding (1.1) og henvisninger v2.0 mot helseforetakene fra 22.03.2027.
Kommunikasjonspart: Aure legekontor, HER-id 4455001.

Kontakt: liv.aure@aure.kommune.no

Helsing Liv"""
add("h20-aure-paren-versions-henvisning-v2",
    message(std_headers(addr("Liv Aure", "liv.aure@aure.kommune.no"), "Oppkobling Aure kommune",
                        "Tue, 12 Jan 2027 12:12:12 +0000", "<AM9PR09MB448120AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("1576", "2027-03-22", [("PLO", "1.6"), ("DIALOGMELDING", "1.1"), ("HENVISNING", "2.0")], [4455001],
             "liv.aure@aure.kommune.no"))

# --------------------------------------------------------------------------------------------- 21
t = """Hei,

Sykkylven kommune ønskjer å ta i bruk pleie og omsorgsmeldinger versjon 1.6 og dialogmeldinger versjon 1.1 mot helseføretaka, frå og med 26. april 2027 slik vi har avtala med Hemit.

E-resept og kjernejournal er allereie i bruk og er ikkje ein del av denne bestillinga.

Kommunikasjonspart: Sykkylven sjukeheim, HER-id 1122334.

Helsing
Ragnhild Vik
Sykkylven kommune"""
add("h21-sykkylven-pleie-og-omsorg-e-resept",
    message(std_headers(addr("Ragnhild Vik", "ragnhild.vik@sykkylven.kommune.no", "iso-8859-1"),
                        hdr("Bestilling oppkopling Sykkylven", "iso-8859-1"), "Fri, 22 Jan 2027 09:09:09 +0100",
                        "<DB9PR09MB612221AB@DB9PR09MB6122.eurprd09.prod.outlook.com>"),
            alt(t, charset="iso-8859-1")),
    expected("1528", "2027-04-26", [("PLO", "1.6"), ("DIALOGMELDING", "1.1")], [1122334],
             "ragnhild.vik@sykkylven.kommune.no"))

# --------------------------------------------------------------------------------------------- 22
t = """Hei,

Molde kommune (legevakten) bestiller oppkobling med aktiveringsdato 10.05.2027.

Meldingstyper:
- Dialogmelding 1.1
- Avviksmelding 1.0
- labsvar/røntgensvar 1.4
- Henvisninger v2.0
- Epikrise 1.2

HER-id: 2020202 (Molde legevakt)

Kontaktperson: Kristin Eide (kristin.eide@molde.kommune.no)

Med hilsen
Kristin Eide
Molde kommune"""
add("h22-molde-labsvar-avvik-henvisninger",
    message(std_headers(addr("Kristin Eide", "kristin.eide@molde.kommune.no"), "Bestilling oppkobling - Molde legevakt",
                        "Mon, 1 Feb 2027 10:00:00 +0000", "<AM9PR09MB448122AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("1506", "2027-05-10", [("DIALOGMELDING", "1.1"), ("AVVIKSMELDING", "1.0"), ("SVARRAPPORT", "1.4"),
                                    ("HENVISNING", "2.0"), ("EPIKRISE", "1.2")], [2020202],
             "kristin.eide@molde.kommune.no"))

# --------------------------------------------------------------------------------------------- 23
t = """Hei!

Gjemnes kommune bestiller oppkobling for sjukeheimen og heimesjukepleia. Oppstart 3. mai 2027.

Meldingar: PLO 1.6 og dialogmelding 1.1
HERID 4561237 (Gjemnes sjukeheim)
Her-ID: 4561240 (heimesjukepleia)

Med helsing
Oddny Sættem
Gjemnes kommune
Org.nr NO 964 981 426 MVA
Batnfjordsøra, 6631 Batnfjordsøra
Tlf +47 71 29 11 11
oddny.saettem@gjemnes.kommune.no"""
add("h23-gjemnes-herid-variants-orgnr-mva",
    message(std_headers(addr("Oddny Sættem", "oddny.saettem@gjemnes.kommune.no"), "Bestilling oppkopling Gjemnes",
                        "Tue, 26 Jan 2027 13:00:00 +0000", "<AM9PR09MB448123AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("1557", "2027-05-03", [("PLO", "1.6"), ("DIALOGMELDING", "1.1")], [4561237, 4561240],
             "oddny.saettem@gjemnes.kommune.no"))

# --------------------------------------------------------------------------------------------- 24
t = """Malvik kommune
Helse og velferd
Postboks 140, 7550 Hommelvik

Helse Midt-Norge v/ meldingsansvarlig
Dato: 24.11.2026
Saksnr. 2026/1234
Kommunenr.: 5031

BESTILLING AV OPPKOBLING – ELEKTRONISKE MELDINGER

Vi viser til telefonsamtale med Hemit 20.11.2026. Malvik kommune bestiller oppkobling med aktiveringsdato 01.03.2027.

Følgende meldinger skal tas i bruk: PLO 1.6, Dialogmelding 1.1, Epikrise 1.2 og Svarrapport 1.4.
Kommunikasjonspart: Malvik kommune pleie og omsorg, HER id: 8155123.

Kontaktperson: Ingrid Sæther (ingrid.saether@malvik.kommune.no)

Med hilsen
Per Aune
kommunalsjef
Telefon 73 98 00 00"""
add("h24-malvik-letter-layout-saksnr-postcode",
    message(std_headers(addr("Per Aune", "per.aune@malvik.kommune.no"), "Bestilling av oppkobling - Malvik kommune",
                        "Tue, 24 Nov 2026 14:30:00 +0000", "<AM9PR09MB448124AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("5031", "2027-03-01", [("PLO", "1.6"), ("DIALOGMELDING", "1.1"), ("EPIKRISE", "1.2"),
                                    ("SVARRAPPORT", "1.4")], [8155123], "ingrid.saether@malvik.kommune.no"))

# --------------------------------------------------------------------------------------------- 25
t = """Kopi: IT-avdelingen (it@orland.kommune.no), fagleder legetjenesten (fagleder.lege@orland.kommune.no)

Hei,

Ørland kommune bestiller oppkobling av e-meldinger. Vi har avtalt oppstart 15.02.27 med Hemit.
Meldingstyper: PLO 1.6, dialogmelding 1.1, epikrise 1.2.
HER-id 6001002 (Ørland helse og omsorg)

Mvh
Hilde Vik
Fagleder, Ørland kommune
hilde.vik@orland.kommune.no | 72 51 40 00"""
add("h25-orland-kopi-not-contact",
    message(std_headers(addr("Hilde Vik", "hilde.vik@orland.kommune.no"), "Bestilling oppkobling Ørland",
                        "Wed, 25 Nov 2026 08:30:00 +0000", "<AM9PR09MB448125AB@AM9PR09MB4481.eurprd09.prod.outlook.com>",
                        cc="it@orland.kommune.no, fagleder.lege@orland.kommune.no"),
            alt(t)),
    expected("5057", "2027-02-15", [("PLO", "1.6"), ("DIALOGMELDING", "1.1"), ("EPIKRISE", "1.2")], [6001002],
             "hilde.vik@orland.kommune.no"))

# --------------------------------------------------------------------------------------------- 26
t = """Til Helse Midt-Norge

Inderøy kommune bestiller oppkobling for elektronisk samhandling med helseforetakene, med oppstart 12.04.2027 som avtalt.

Vi vil benytte PLO-meldinger (1.6), dialogmelding (1.1) og epikrise (1.2). Kommunikasjonsparten er Inderøy helsetun, HER-id 7007007.

Spørsmål kan rettes til systemansvarlig Ola Nordmo, ola.nordmo@inderoy.kommune.no / 911 22 333.

Med hilsen
Postmottak
Inderøy kommune
postmottak@inderoy.kommune.no"""
add("h26-inderoy-questions-to",
    message(std_headers(addr("Postmottak Inderøy kommune", "postmottak@inderoy.kommune.no"),
                        hdr("Bestilling oppkobling - Inderøy kommune"), "Thu, 4 Feb 2027 11:00:00 +0000",
                        "<AM9PR09MB448126AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("5053", "2027-04-12", [("PLO", "1.6"), ("DIALOGMELDING", "1.1"), ("EPIKRISE", "1.2")], [7007007],
             "ola.nordmo@inderoy.kommune.no"))

# --------------------------------------------------------------------------------------------- 27
t = """Hei,

Jeg sender bestilling på vegne av Lierne kommune, som vi bistår med innføring av nytt fagsystem.

Oppstart: 22.02.2027 (avtalt med Hemit)
Meldinger: PLO 1.6, dialogmelding 1.1
HER-id: 6000111

Med vennlig hilsen
Eva Strand
Seniorkonsulent, Visma Welfare AS
eva.strand@visma.com | +47 920 11 223"""
add("h27-lierne-vendor-no-named-contact",
    message(std_headers(addr("Eva Strand", "eva.strand@visma.com"), "Bestilling oppkobling - Lierne kommune",
                        "Mon, 18 Jan 2027 15:00:00 +0000", "<VI1PR05MB7788AB@VI1PR05MB7788.eurprd05.prod.outlook.com>"),
            alt(t)),
    expected("5042", "2027-02-22", [("PLO", "1.6"), ("DIALOGMELDING", "1.1")], [6000111], None))

# --------------------------------------------------------------------------------------------- 28
t = """Tinging av oppkopling

Kommune: Herøy
Kommunenummer: 1515
Oppstartsdato: 2027-04-05
Meldingstypar: PLO 1.6; Dialogmelding 1.1
HER-id: 1239876
Kontakt e-post: helse@heroy.kommune.no

Venleg helsing
Ole Dimmen"""
add("h28-heroy-felt-verdi-nynorsk-iso-date",
    message(std_headers(addr("Ole Dimmen", "ole.dimmen@heroy.kommune.no"), hdr("Tinging av oppkopling Herøy"),
                        "Wed, 27 Jan 2027 09:45:00 +0000", "<AM9PR09MB448128AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("1515", "2027-04-05", [("PLO", "1.6"), ("DIALOGMELDING", "1.1")], [1239876], "helse@heroy.kommune.no"))

# --------------------------------------------------------------------------------------------- 29
t = """Bestilling fra Holtålen kommune

Aktiveringsdato: 15.03.2027

PLO: ja, v1.6
Dialogmelding: ja, v1.1
Epikrise: ja, v1.2
Svarrapport (lab): nei
Henvisning: ikke aktuelt nå

HER-id: 5005005

Kontaktperson: Bjørg Haugen, bjorg.haugen@holtalen.kommune.no"""
add("h29-holtalen-yes-no-list",
    message(std_headers(addr("Bjørg Haugen", "bjorg.haugen@holtalen.kommune.no"), "Bestilling Holtålen",
                        "Thu, 28 Jan 2027 10:00:00 +0000", "<AM9PR09MB448129AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("5026", "2027-03-15", [("PLO", "1.6"), ("DIALOGMELDING", "1.1"), ("EPIKRISE", "1.2")], [5005005],
             "bjorg.haugen@holtalen.kommune.no"))

# --------------------------------------------------------------------------------------------- 30
t = """Hei,

Overhalla kommune bestiller oppkobling. Ønsket oppstartsdato: 08.03.2027

☒ PLO-meldinger (versjon 1.6)
☒ Dialogmelding (versjon 1.1)
☐ Epikrise
☐ Svarrapport
☒ Avviksmelding (versjon 1.0)

HER-id: 7654321

Mvh Trine Aune, Overhalla kommune"""
add("h30-overhalla-checkboxes",
    message(std_headers(addr("Trine Aune", "trine.aune@overhalla.kommune.no"), "Bestilling Overhalla kommune",
                        "Fri, 29 Jan 2027 08:00:00 +0000", "<AM9PR09MB448130AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("5047", "2027-03-08", [("PLO", "1.6"), ("DIALOGMELDING", "1.1"), ("AVVIKSMELDING", "1.0")], [7654321],
             "trine.aune@overhalla.kommune.no"))

# --------------------------------------------------------------------------------------------- 31
t = """Hei

Stranda kommune tingar oppkopling mot helseføretaka. Mesteparten av samhandlinga vår er med Ålesund sjukehus.

Oppstart: 05.04.2027
Meldingar: PLO 1.6 (erstattar 1.5 som vi nyttar i dag), dialogmelding 1.1
HER-id: 1525001

Helsing
Tove Ringdal
Stranda kommune"""
add("h31-stranda-old-version-replaced",
    message(std_headers(addr("Tove Ringdal", "tove.ringdal@stranda.kommune.no"), "Oppkopling Stranda",
                        "Mon, 1 Feb 2027 12:00:00 +0000", "<AM9PR09MB448131AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("1525", "2027-04-05", [("PLO", "1.6"), ("DIALOGMELDING", "1.1")], [1525001],
             "tove.ringdal@stranda.kommune.no"))

# --------------------------------------------------------------------------------------------- 32
t = """Hei,

Rennebu kommune bestiller oppkobling fra 01.03.2027. Vi skal ha PLO 1.6, dialogmelding og epikrise.
HER-id 2022022.

Mvh
Arild Voll
Rennebu kommune"""
add("h32-rennebu-some-versions-missing",
    message(std_headers(addr("Arild Voll", "arild.voll@rennebu.kommune.no"), "Bestilling Rennebu",
                        "Tue, 8 Dec 2026 12:00:00 +0000", "<AM9PR09MB448132AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("5022", "2027-03-01", [("PLO", "1.6"), ("DIALOGMELDING", None), ("EPIKRISE", None)], [2022022],
             "arild.voll@rennebu.kommune.no"))


# --------------------------------------------------------------------------------------------- 33 (DOCX)
def make_docx() -> bytes:
    import docx  # python-docx
    d = docx.Document()
    d.add_heading("Bestillingsskjema – oppkobling elektronisk samhandling", level=1)
    tab = d.add_table(rows=0, cols=2)
    for k, v in [("Kommune", "Hustadvika kommune"), ("Tjeneste", "Hustadvika helse og omsorg"),
                 ("Ønsket aktiveringsdato", "10.05.2027"),
                 ("Kontaktperson", "Janne Ræstad"), ("E-post kontaktperson", "janne.raestad@hustadvika.kommune.no"),
                 ("Telefon", "+47 71 23 45 67")]:
        r = tab.add_row().cells
        r[0].text, r[1].text = k, v
    d.add_paragraph("")
    d.add_paragraph("Meldingstyper")
    t2 = d.add_table(rows=1, cols=3)
    t2.rows[0].cells[0].text, t2.rows[0].cells[1].text, t2.rows[0].cells[2].text = "Meldingstype", "Versjon", "Bestilles"
    for a, b, c in [("PLO", "1.6", "Ja"), ("Dialogmelding", "1.1", "Ja"), ("Epikrise", "1.2", "Ja"),
                    ("Svarrapport", "1.4", "Nei")]:
        r = t2.add_row().cells
        r[0].text, r[1].text, r[2].text = a, b, c
    d.add_paragraph("")
    d.add_paragraph("Kommunikasjonsparter i AR")
    t3 = d.add_table(rows=1, cols=3)
    t3.rows[0].cells[0].text, t3.rows[0].cells[1].text, t3.rows[0].cells[2].text = "Tjeneste", "HER-id", "Org.nr"
    r = t3.add_row().cells
    r[0].text, r[1].text, r[2].text = "Hustadvika helse og omsorg", "1579001", "921133642"
    buf = io.BytesIO()
    d.core_properties.author = "Janne Ræstad"
    d.save(buf)
    return buf.getvalue()


t = """Hei,

Vedlagt bestillingsskjema for oppkobling av Hustadvika kommune.

Mvh
Janne Ræstad
Hustadvika kommune"""
body = multipart("mixed", "_004_HUSTADVIKA_", [
    alt(t, boundary="_000_HUSTADVIKA_"),
    binary_leaf("application/vnd.openxmlformats-officedocument.wordprocessingml.document", make_docx(),
                "Bestillingsskjema oppkobling Hustadvika.docx")])
add("h33-hustadvika-docx-form",
    message(std_headers(addr("Janne Ræstad", "janne.raestad@hustadvika.kommune.no"), "Bestilling oppkobling",
                        "Wed, 3 Feb 2027 09:00:00 +0000", "<AM9PR09MB448133AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            body),
    expected("1579", "2027-05-10", [("PLO", "1.6"), ("DIALOGMELDING", "1.1"), ("EPIKRISE", "1.2")], [1579001],
             "janne.raestad@hustadvika.kommune.no"))


# --------------------------------------------------------------------------------------------- 34 (XLSX)
def make_xlsx() -> bytes:
    import datetime as dt

    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Bestilling"
    ws.append(["Bestilling oppkobling – Averøy kommune"])
    ws.append([])
    ws.append(["Aktiveringsdato", dt.datetime(2027, 4, 19)])
    ws["B3"].number_format = "dd.mm.yyyy"
    ws.append(["Kontaktperson e-post", "edel.hoem@averoy.kommune.no"])
    ws.append([])
    ws.append(["Tjeneste", "HER", "Meldingstype", "Versjon"])
    ws.append(["Averøy hjemmetjeneste", 9087001, "PLO", "1.6"])
    ws.append(["Averøy hjemmetjeneste", 9087001, "Dialogmelding", "1.1"])
    ws.append(["Averøy legekontor", 9087010, "Dialogmelding", "1.1"])
    ws.append(["Averøy legekontor", 9087010, "Epikrise", "1.2"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


t = "Hei, se vedlagt bestilling for Averøy.\n\nHilsen Edel Hoem\nAverøy kommune"
body = multipart("mixed", "_004_AVEROY_", [
    leaf("text/plain", t, "utf-8", "quoted-printable"),
    binary_leaf("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", make_xlsx(),
                "bestilling_averoy.xlsx")])
add("h34-averoy-xlsx-per-service-rows",
    message(std_headers(addr("Edel Hoem", "edel.hoem@averoy.kommune.no"), "Bestilling Averøy",
                        "Thu, 4 Feb 2027 13:00:00 +0000", "<AM9PR09MB448134AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            body),
    expected("1554", "2027-04-19", [("PLO", "1.6"), ("DIALOGMELDING", "1.1"), ("EPIKRISE", "1.2")],
             [9087001, 9087010], "edel.hoem@averoy.kommune.no"))

# --------------------------------------------------------------------------------------------- 35
t = """Hei,

Videresender bestillingen fra Aukra kommune, de hadde feil adresse.

Vennlig hilsen
Jørgen Lund
CGM Norge

---------- Forwarded message ---------
Fra: Solveig Aukrust <solveig.aukrust@aukra.kommune.no>
Date: tir. 2. feb. 2027 kl. 14:03
Subject: Bestilling av oppkobling
To: Jørgen Lund <jorgen.lund@cgm.com>

Hei Jørgen,

Her er bestillinga vår:

Aukra kommune, oppstart 26.04.2027.
Meldingstypar: PLO 1.6, dialogmelding 1.1, epikrise 1.2.
HER-id 1547001 (Aukra omsorgssenter).
Kontaktperson: Solveig Aukrust, solveig.aukrust@aukra.kommune.no

Helsing Solveig"""
add("h35-aukra-gmail-forward-from-vendor",
    message(std_headers(addr("Jørgen Lund", "jorgen.lund@cgm.com"), "Fwd: Bestilling av oppkobling",
                        "Wed, 3 Feb 2027 07:15:00 +0100", "<CAF=aB1cD2eF3@mail.gmail.com>", outlook=False),
            multipart("alternative", "000000000000a1b2c3d4e5f6", [
                leaf("text/plain", t, "utf-8", "quoted-printable"),
                leaf("text/html", "<div dir=\"ltr\">" + t.replace("\n", "<br>\n") + "</div>", "utf-8",
                     "quoted-printable")])),
    expected("1547", "2027-04-26", [("PLO", "1.6"), ("DIALOGMELDING", "1.1"), ("EPIKRISE", "1.2")], [1547001],
             "solveig.aukrust@aukra.kommune.no"))

# --------------------------------------------------------------------------------------------- 36
html_doc = """<html><head><meta charset="utf-8"></head><body>
<div style="font-family: Aptos, sans-serif; font-size: 12pt;">
<p>Hei,</p>
<p>Smøla kommune bestiller oppkobling av elektroniske meldinger.</p>
<p><b>Aktiveringsdato:</b> torsdag 4. mars</p>
<p><b>Meldingstyper:</b></p>
<ul>
<li>PLO-meldinger &#8211; versjon 1.6</li>
<li>Dialogmelding &#8211; versjon 1.1</li>
<li>Epikrise &#8211; versjon 1.2</li>
</ul>
<p><b>HER-id:</b>&nbsp;1573010</p>
<p>Mvh<br>Eli Brattvåg<br>Smøla kommune</p>
</div></body></html>"""
add("h36-smola-html-base64-list-weekday",
    message(std_headers(addr("Eli Brattvåg", "eli.brattvag@smola.kommune.no"), "Bestilling Smøla",
                        "Tue, 19 Jan 2027 10:30:00 +0000", "<AM9PR09MB448136AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            leaf("text/html", html_doc, "utf-8", "base64")),
    expected("1573", "2027-03-04", [("PLO", "1.6"), ("DIALOGMELDING", "1.1"), ("EPIKRISE", "1.2")], [1573010],
             "eli.brattvag@smola.kommune.no"))

# --------------------------------------------------------------------------------------------- 37
t = """Hei, bestiller oppkobling for hjemmetjenesten Støren/Budal: DM 1.1 + PLO 1.6. Dato 15.2. HER 7766554
mvh Anne

Hent Outlook for iOS"""
add("h37-midtre-gauldal-mobile-short",
    message(std_headers(addr("Anne Rise", "anne.rise@midtre-gauldal.kommune.no"), "Oppkobling",
                        "Thu, 17 Dec 2026 21:40:00 +0000", "<AM9PR09MB448137AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("5027", "2027-02-15", [("DIALOGMELDING", "1.1"), ("PLO", "1.6")], [7766554],
             "anne.rise@midtre-gauldal.kommune.no"))

# --------------------------------------------------------------------------------------------- 38
t = """Hei

Vi hadde dialogmøte med Hemit 12. januar og vart samde om aktivering 1. mars 2027 for Tingvoll kommune.

Vi tingar dialogmelding 1.1 og PLO 1.6. Kommunikasjonspart: Tingvoll helsetun, HER-id 1560123.

Helsing
Astrid Ødegård
Tingvoll kommune"""
add("h38-tingvoll-dialogmote-nynorsk",
    message(std_headers(addr("Astrid Ødegård", "astrid.odegard@tingvoll.kommune.no"), "Tinging oppkopling Tingvoll",
                        "Thu, 14 Jan 2027 09:00:00 +0000", "<AM9PR09MB448138AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("1560", "2027-03-01", [("DIALOGMELDING", "1.1"), ("PLO", "1.6")], [1560123],
             "astrid.odegard@tingvoll.kommune.no"))

# --------------------------------------------------------------------------------------------- 39
t = """Hei,

Åfjord kommune bestiller oppkobling som avtalt med Hemit.
Meldingstyper: PLO 1.6, dialogmelding 1.1
HER-id: 5058001

Mvh
Kjell Hårstad
Åfjord kommune"""
add("h39-afjord-date-only-in-subject",
    message(std_headers(addr("Kjell Hårstad", "kjell.harstad@afjord.kommune.no"),
                        hdr("Bestilling oppkobling Åfjord kommune – aktivering 22.03.2027"),
                        "Mon, 25 Jan 2027 10:00:00 +0000", "<AM9PR09MB448139AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("5058", "2027-03-22", [("PLO", "1.6"), ("DIALOGMELDING", "1.1")], [5058001],
             "kjell.harstad@afjord.kommune.no"))

# --------------------------------------------------------------------------------------------- 40
t = """Hei,

Trondheim kommune bestiller oppkobling for følgende tjenester (oppstart 2027-05-10):

• Trondheim legevakt – HER 112233
• Trondheim kommune øyeblikkelig hjelp døgnenhet – HER 112240
• Trondheim helsehus Søbstad – HER 112251

Meldinger for alle tre: DM 1.1, epikrise 1.2, svarrapport 1.4, henvisning 1.1.

Kontaktadresse: ehelse@trondheim.kommune.no

Mvh
Sigrid Tråsdahl
Trondheim kommune"""
add("h40-trondheim-three-services-bullets",
    message(std_headers(addr("Sigrid Tråsdahl", "sigrid.trasdahl@trondheim.kommune.no"),
                        "Oppkobling - Trondheim legevakt m.fl.", "Fri, 5 Feb 2027 10:00:00 +0000",
                        "<AM9PR09MB448140AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("5001", "2027-05-10", [("DIALOGMELDING", "1.1"), ("EPIKRISE", "1.2"), ("SVARRAPPORT", "1.4"),
                                    ("HENVISNING", "1.1")], [112233, 112240, 112251], "ehelse@trondheim.kommune.no"))

# --------------------------------------------------------------------------------------------- 41
t = """Hei,

Sunndal kommune bestiller oppkobling. Vi publiserer tjenesten i AR innen 15.02.2027, og aktivering er avtalt til 01.03.2027. Testmeldinger regner vi med kommer rundt 22.02.

Meldingstyper: PLO 1.6 og dialogmelding 1.1.
HER-id 1563002.

Helsing
Magnus Øye
Sunndal kommune"""
add("h41-sunndal-ar-deadline-vs-activation",
    message(std_headers(addr("Magnus Øye", "magnus.oye@sunndal.kommune.no"), "Bestilling Sunndal",
                        "Wed, 2 Dec 2026 10:00:00 +0000", "<AM9PR09MB448141AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("1563", "2027-03-01", [("PLO", "1.6"), ("DIALOGMELDING", "1.1")], [1563002],
             "magnus.oye@sunndal.kommune.no"))

# --------------------------------------------------------------------------------------------- 42
t = """Hei

Vanylven kommune ynskjer oppkopling frå og med 1. mars 2027.

Vi skal nytte PLO-meldingar i versjon 1.6 og dialogmelding versjon 1.1.
Kommunikasjonspart: Vanylven helsetun, HER-id 5432100.

Kontakt: helsetunet@vanylven.kommune.no

Venleg helsing
Nils Fiskå
Vanylven kommune"""
add("h42-vanylven-nynorsk-fra-og-med",
    message(std_headers(addr("Nils Fiskå", "nils.fiska@vanylven.kommune.no"), "Oppkopling Vanylven",
                        "Mon, 23 Nov 2026 10:00:00 +0000", "<AM9PR09MB448142AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            leaf("text/plain", t, "iso-8859-1", "quoted-printable")),
    expected("1511", "2027-03-01", [("PLO", "1.6"), ("DIALOGMELDING", "1.1")], [5432100],
             "helsetunet@vanylven.kommune.no"))

# --------------------------------------------------------------------------------------------- 43
t = """Hei,

Surnadal kommune ønsker oppkobling med oppstart 8. mars. Vi bruker versjon 1.6 av PLO-meldingene og versjon 1.1 av dialogmeldingen.

Vår kommunikasjonspart i AR er Surnadal sjukeheim (HER-id 1566001).

Mvh
Bjørn Rønning
Surnadal kommune"""
add("h43-surnadal-version-before-type",
    message(std_headers(addr("Bjørn Rønning", "bjorn.ronning@surnadal.kommune.no"), "Oppkobling Surnadal",
                        "Tue, 26 Jan 2027 10:00:00 +0000", "<AM9PR09MB448143AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("1566", "2027-03-08", [("PLO", "1.6"), ("DIALOGMELDING", "1.1")], [1566001],
             "bjorn.ronning@surnadal.kommune.no"))

# --------------------------------------------------------------------------------------------- 44
t = """Hei,

Ålesund kommune IKT drifter fagsystemet for Giske kommune og sender denne bestillingen på vegne av Giske kommune.

Oppstart: 12.04.2027
Meldingstyper: PLO 1.6, dialogmelding 1.1
HER-id: 1532001 (Giske omsorgssenter)
Kontaktperson i Giske: Randi Valderhaug (randi.valderhaug@giske.kommune.no)

Med vennlig hilsen
Terje Myklebust
IKT-tjenesten, Ålesund kommune"""
add("h44-giske-ordered-by-alesund-it",
    message(std_headers(addr("Terje Myklebust", "terje.myklebust@alesund.kommune.no"), "Bestilling oppkobling Giske kommune",
                        "Mon, 8 Feb 2027 10:00:00 +0000", "<AM9PR09MB448144AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("1532", "2027-04-12", [("PLO", "1.6"), ("DIALOGMELDING", "1.1")], [1532001],
             "randi.valderhaug@giske.kommune.no"))

# --------------------------------------------------------------------------------------------- 45
t = """Hei,

Fjord kommune bestiller oppkobling av e-meldinger. Aktiveringsdato 15. feb. 2027 er avtalt med Hemit.
Meldinger: PLO 1.6, dialogmelding 1.1.
HER-id 1578001.

Helsing
Ingvild Fjørtoft
Fjord kommune, Valldal"""
add("h45-fjord-abbreviated-month",
    message(std_headers(addr("Ingvild Fjørtoft", "ingvild.fjortoft@fjord.kommune.no"), "Bestilling Fjord kommune",
                        "Mon, 30 Nov 2026 10:00:00 +0000", "<AM9PR09MB448145AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("1578", "2027-02-15", [("PLO", "1.6"), ("DIALOGMELDING", "1.1")], [1578001],
             "ingvild.fjortoft@fjord.kommune.no"))

# --------------------------------------------------------------------------------------------- 46 (reply)
t = """Hei,

Versjonen for dialogmelding er 1.1, beklager at den manglet.

Mvh Kåre Sulebak
Sula kommune

Fra: meldingsansvarlig@helse-midt.no <meldingsansvarlig@helse-midt.no>
Sendt: mandag 8. februar 2027 10:02
Til: Kåre Sulebak <kare.sulebak@sula.kommune.no>
Emne: [OPK-31] Bestillingen mangler opplysninger – Sula kommune

Bestillingen mangler versjon for: Dialogmelding."""
add("h46-reply-sula-opk31",
    message(std_headers(addr("Kåre Sulebak", "kare.sulebak@sula.kommune.no"),
                        hdr("SV: [OPK-31] Bestillingen mangler opplysninger – Sula kommune"),
                        "Mon, 8 Feb 2027 11:30:00 +0000", "<AM9PR09MB448146AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected(None, None, [], [], None, kind="reply", case_ref="OPK-31"))

# --------------------------------------------------------------------------------------------- 47 (other)
t = """Hei,

Vi i Vestnes kommune planlegger å koble oss opp mot helseforetakene i løpet av våren. Hvilken versjon av PLO bør vi velge, 1.5 eller 1.6? Og må vi ha egen HER-id for legevakten?

Mvh
Siv Gjerde
Vestnes kommune"""
add("h47-other-question-vestnes",
    message(std_headers(addr("Siv Gjerde", "siv.gjerde@vestnes.kommune.no"), "Spørsmål om oppkobling",
                        "Tue, 9 Feb 2027 10:00:00 +0000", "<AM9PR09MB448147AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected(None, None, [], [], None, kind="other"))


# ============================================================================ batch 2 (harder phrasing)
# --------------------------------------------------------------------------------------------- 48
t = """Hei,

Orkland kommune bestiller oppkobling for Orkland helsehus. Vi har samme oppsett som Skaun kommune fikk i fjor.

Vi ønsket opprinnelig 1. mars, men Hemit hadde ikke kapasitet den uka, så vi har avtalt 8. mars 2027 i stedet.

Innleggelsesrapport 1.6, utskrivningsrapport 1.6 og logistikkmeldinger 1.6 skal tas i bruk, i tillegg til helsefaglig dialog 1.1.
HER-id 9120001

Kontaktperson er undertegnede.

Mvh
Eirin Grøtte
Orkland kommune
eirin.grotte@orkland.kommune.no"""
add("h48-orkland-rescheduled-plo-subtypes",
    message(std_headers(addr("Eirin Grøtte", "eirin.grotte@orkland.kommune.no"), "Oppkobling Orkland helsehus",
                        "Thu, 7 Jan 2027 10:00:00 +0000", "<AM9PR09MB448148AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("5059", "2027-03-08", [("PLO", "1.6"), ("DIALOGMELDING", "1.1")], [9120001],
             "eirin.grotte@orkland.kommune.no"))

# --------------------------------------------------------------------------------------------- 49
t = """Hei igjen Lise,

Da sender vi bestillingen: PLO 1.6 og dialogmelding 1.1, oppstart 15.03.2027 som du foreslo.
HER-id for Flatanger helsesenter er 5049010.

Hilsen
Kai Flatøy
Flatanger kommune

-----Opprinnelig melding-----
Fra: Lise Ødegård [mailto:lise.odegard@hemit.no]
Sendt: 20. januar 2027 13:40
Til: Kai Flatøy
Emne: Oppkobling Flatanger

Hei Kai,

Send bestillingen til meldingsansvarlig@helse-midt.no med meldingstyper og versjoner (for eksempel PLO 1.6, Dialogmelding 1.1, Epikrise 1.2, Svarrapport 1.4), HER-id og ønsket dato. 15.03.2027 passer for oss.

Hilsen Lise
Hemit HF"""
add("h49-flatanger-reply-quote-has-examples",
    message(std_headers(addr("Kai Flatøy", "kai.flatoy@flatanger.kommune.no"), "SV: Oppkobling Flatanger",
                        "Thu, 21 Jan 2027 08:00:00 +0000", "<AM9PR09MB448149AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("5049", "2027-03-15", [("PLO", "1.6"), ("DIALOGMELDING", "1.1")], [5049010],
             "kai.flatoy@flatanger.kommune.no"))

# --------------------------------------------------------------------------------------------- 50
t = """Hei

Hareid kommune tingar oppkopling. Oppstartsdato er avtala til 12. april 2027.

Dialogmelding 1.1 og PLO-meldingar 1.6 skal vi ha. Epikrise ønskjer vi ikkje no, og lab-svar treng vi ikkje.

HER-id: 1517020

Helsing
Lena Bigset
Hareid kommune"""
add("h50-hareid-nynorsk-declined",
    message(std_headers(addr("Lena Bigset", "lena.bigset@hareid.kommune.no", "iso-8859-1"),
                        hdr("Tinging oppkopling Hareid", "iso-8859-1"), "Mon, 1 Feb 2027 09:00:00 +0100",
                        "<DB9PR09MB612250AB@DB9PR09MB6122.eurprd09.prod.outlook.com>"),
            leaf("text/plain", t, "iso-8859-1", "quoted-printable")),
    expected("1517", "2027-04-12", [("DIALOGMELDING", "1.1"), ("PLO", "1.6")], [1517020],
             "lena.bigset@hareid.kommune.no"))

# --------------------------------------------------------------------------------------------- 51
t = """Hei,

Oppdal kommune bestiller oppkobling. Avtalt oppstartsdato er 1. mars. Tidligere foreslått 15. februar er ikke lenger aktuell.

Meldinger: PLO 1.6 / DM 1.1 / Epikrise (v1.2) / Svarrapport v 1.4
HER-id 2120012

Mvh
Postmottak Oppdal kommune"""
add("h51-oppdal-old-date-withdrawn",
    message(std_headers(addr("Postmottak Oppdal", "postmottak@oppdal.kommune.no"), "Bestilling oppkobling Oppdal",
                        "Thu, 3 Dec 2026 09:00:00 +0000", "<AM9PR09MB448151AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("5021", "2027-03-01", [("PLO", "1.6"), ("DIALOGMELDING", "1.1"), ("EPIKRISE", "1.2"),
                                    ("SVARRAPPORT", "1.4")], [2120012], "postmottak@oppdal.kommune.no"))

# --------------------------------------------------------------------------------------------- 52
t = """Hei!

Vi ønsker å koble opp hjemmetjenesten vår mot sykehusene. Oppstart 2.3.2027 er avtalt med Hemit.
PLO 1.6 og dialogmelding 1.1. HER-id 8877001.

Hilsen
Gunn Osen
Sykepleier, hjemmetjenesten
Leka kommune"""
add("h52-leka-gmail-kommune-in-signature",
    message(std_headers(addr("Gunn Osen", "gunn.osen58@gmail.com"), "oppkobling hjemmetjenesten",
                        "Fri, 8 Jan 2027 19:00:00 +0100", "<CAKx8=ab12cd34ef@mail.gmail.com>", outlook=False),
            leaf("text/plain", t, "utf-8", "quoted-printable")),
    expected("5052", "2027-03-02", [("PLO", "1.6"), ("DIALOGMELDING", "1.1")], [8877001], None))

# --------------------------------------------------------------------------------------------- 53
rows = [["Kommunenr", "Tjeneste", "HER-ID", "Org.nr."],
        ["5046", "Høylandet omsorgssenter", "5046100", "959220476"]]
blocks = ["Hei,\n\nHøylandet kommune bestiller oppkobling fra og med 1. mars 2027.",
          html_table(rows),
          "",
          "Meldinger og versjoner: PLO 1.6/DM 1.1\n\nMed hilsen\nSolfrid Aune\nHøylandet kommune\n"
          "Tlf +47 74 32 17 00"]
t = (blocks[0] + "\n\n" + outlook_text_table(rows) + "\n\n" + blocks[3])
add("h53-hoylandet-table-her-id-kommunenr",
    message(std_headers(addr("Solfrid Aune", "solfrid.aune@hoylandet.kommune.no"), "Bestilling Høylandet",
                        "Mon, 11 Jan 2027 10:00:00 +0000", "<AM9PR09MB448153AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t, blocks)),
    expected("5046", "2027-03-01", [("PLO", "1.6"), ("DIALOGMELDING", "1.1")], [5046100],
             "solfrid.aune@hoylandet.kommune.no"))

# --------------------------------------------------------------------------------------------- 54
t = """Hei

Nærøysund kommune bestiller oppkobling av elektronisk samhandling.

Dato for oppkobling: 1. mars 2027 kl. 09:00
Meldingstyper: Dialogmelding versjon 1.1 og PLO versjon 1.6. Epikrise blir aktuelt senere, det bestiller vi separat.
Kommunikasjonspart: Nærøysund helsetun, HER-ID 5060200.

Kontakt e-post: ehelse@naroysund.kommune.no

Hilsen
Morten Kolvereid
Nærøysund kommune"""
add("h54-naroysund-later-type-not-ordered",
    message(std_headers(addr("Morten Kolvereid", "morten.kolvereid@naroysund.kommune.no"), "Oppkobling Nærøysund",
                        "Tue, 5 Jan 2027 10:00:00 +0000", "<AM9PR09MB448154AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("5060", "2027-03-01", [("DIALOGMELDING", "1.1"), ("PLO", "1.6")], [5060200],
             "ehelse@naroysund.kommune.no"))

# --------------------------------------------------------------------------------------------- 55
t = """Hei,

Osen kommune bestiller oppkobling med aktiveringsdato 08.03.2027. Vi bruker PLO 1.6 og DM 1.1.
HER id 5020011.

Mvh
Hans Osen
Osen kommune, Strandveien 1, 7740 Steinsdalen"""
add("h55-osen-name-traps",
    message(std_headers(addr("Hans Osen", "hans.osen@osen.kommune.no"), "Bestilling Osen kommune",
                        "Tue, 12 Jan 2027 10:00:00 +0000", "<AM9PR09MB448155AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("5020", "2027-03-08", [("PLO", "1.6"), ("DIALOGMELDING", "1.1")], [5020011],
             "hans.osen@osen.kommune.no"))

# --------------------------------------------------------------------------------------------- 56
t = """Hei,

Kristiansund kommune bestiller oppkobling for Kristiansund legevakt, som samarbeider tett med Kristiansund sjukehus.

Aktivering: 22.03.2027
- Dialogmelding 1.1
- Svarrapport 1.4 (medisinsk biokjemi og mikrobiologi)
- Epikrise 1.2

HER-id 1505077. Organisasjonsnummer 991891919.

Kontaktperson: Leif Rød, tlf. 71 57 40 00, leif.rod@kristiansund.kommune.no

Vennlig hilsen
Tone Sandvik
Kristiansund kommune"""
add("h56-kristiansund-lab-subtypes",
    message(std_headers(addr("Tone Sandvik", "tone.sandvik@kristiansund.kommune.no"), "Bestilling legevakt",
                        "Wed, 13 Jan 2027 10:00:00 +0000", "<AM9PR09MB448156AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("1505", "2027-03-22", [("DIALOGMELDING", "1.1"), ("SVARRAPPORT", "1.4"), ("EPIKRISE", "1.2")],
             [1505077], "leif.rod@kristiansund.kommune.no"))

# --------------------------------------------------------------------------------------------- 57
t = """Hei,

Vestnes kommune bestiller oppkobling mot helseforetakene. Vi har avtalt at PLO-meldingene og dialogmeldingene skal aktiveres 19. april 2027.

Versjoner: PLO 1.6, dialogmelding 1.1.
HER-id: 1535001

Mvh Siv Gjerde
Vestnes kommune"""
add("h57-vestnes-order-plural-types",
    message(std_headers(addr("Siv Gjerde", "siv.gjerde@vestnes.kommune.no"), "Bestilling Vestnes",
                        "Wed, 10 Feb 2027 10:00:00 +0000", "<AM9PR09MB448157AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("1535", "2027-04-19", [("PLO", "1.6"), ("DIALOGMELDING", "1.1")], [1535001],
             "siv.gjerde@vestnes.kommune.no"))

# --------------------------------------------------------------------------------------------- 58
t = """Hei,

Rauma kommune ønsker oppkobling. Oppstart: 2027-03-15.

Meldingstype            Versjon
PLO                     1.6
Dialogmelding           1.1
Henvisning              1.1

HER-id: 1539003

Mvh
Ketil Rauma
Rauma kommune, 6300 Åndalsnes"""
add("h58-rauma-aligned-columns",
    message(std_headers(addr("Ketil Rauma", "ketil.rauma@rauma.kommune.no"), "Bestilling Rauma",
                        "Thu, 14 Jan 2027 10:00:00 +0000", "<20270114100000.1539@rauma.kommune.no>", outlook=False),
            leaf("text/plain", t, "utf-8", "8bit")),
    expected("1539", "2027-03-15", [("PLO", "1.6"), ("DIALOGMELDING", "1.1"), ("HENVISNING", "1.1")], [1539003],
             "ketil.rauma@rauma.kommune.no"))

# --------------------------------------------------------------------------------------------- 59
t = """Hei,

Bindal kommune bestiller oppkobling. Avtalt dato: 5. april 2027.

Meldingstyper:
1) PLO – v1.6
2) Dialogmelding – v1.1

HER-id: 1811005

Kontaktperson: Nina Bindal, nina.bindal@bindal.kommune.no
Kopi: ikt@bindal.kommune.no

Mvh
Nina"""
add("h59-bindal-numbered-list-kopi",
    message(std_headers(addr("Nina Bindal", "nina.bindal@bindal.kommune.no"), "Bestilling Bindal",
                        "Fri, 15 Jan 2027 10:00:00 +0000", "<AM9PR09MB448159AB@AM9PR09MB4481.eurprd09.prod.outlook.com>"),
            alt(t)),
    expected("1811", "2027-04-05", [("PLO", "1.6"), ("DIALOGMELDING", "1.1")], [1811005],
             "nina.bindal@bindal.kommune.no"))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, raw, exp in MAILS:
        (OUT / f"{name}.eml").write_bytes(raw)
        (OUT / f"{name}.json").write_text(json.dumps(exp, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(MAILS)} messages to {OUT}")


if __name__ == "__main__":
    main()
