"""Writes the second blind order set (NAME.eml + NAME.json + README.md) and checks every file it wrote.

Run from anywhere with the project's interpreter (python-docx, openpyxl and pypdf are needed):

    .venv/bin/python tests/orders/blind2/make_blind2.py

The mails are written from SPEC §3/§6 and DOMAIN.md alone; the expectations are what a careful human reads.
"""
from __future__ import annotations

import base64
import datetime as dt
import email
import email.policy
import hashlib
import html
import io
import json
import quopri
import re
import sys
from email.header import Header
from email.utils import format_datetime, formataddr
from pathlib import Path
from urllib.parse import quote as urlquote

from blind2_forwards import MAILS as FORWARDS
from blind2_herids import MAILS as HERIDS
from blind2_misc import MAILS as MISC
from blind2_spec import Mail
from blind2_types import MAILS as TYPES

HERE = Path(__file__).resolve().parent
MAILBOX = "meldingsansvarlig@helse-midt.no"
TYPE_CODES = ("DIALOGMELDING", "PLO", "EPIKRISE", "SVARRAPPORT", "HENVISNING", "AVVIKSMELDING")
HEADER_LABEL = re.compile(r"^(Fra|Frå|From|Sendt|Sent|Dato|Date|Til|To|Kopi|Cc|Emne|Subject):(\s|$)")
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


# ------------------------------------------------------------------ ids and headers

def _hex(name: str, salt: str, n: int) -> str:
    return hashlib.sha256((salt + name).encode()).hexdigest()[:n]


def _when(m: Mail) -> dt.datetime:
    return dt.datetime.strptime(m.date, "%Y-%m-%d %H:%M %z")


def _subject(text: str) -> str:
    if text.isascii():
        return text
    return Header(text, "utf-8").encode(maxlinelen=76)


def _sender(m: Mail) -> str:
    name, addr = m.sender
    return formataddr((name, addr), charset="utf-8")


def _headers(m: Mail) -> tuple[list[str], str]:
    """Client-typical headers and the boundary stem for this mail's style."""
    when = _when(m)
    utc = when.astimezone(dt.UTC)
    domain = m.sender[1].split("@")[1]
    h: list[str] = []
    if m.style in ("outlook", "outlook_plain", "outlook_html", "android"):
        host = "GV1P189MB" + _hex(m.name, "h", 4).upper()
        h.append(f"Received: from DB9PR09MB{_hex(m.name, 'r', 4).upper()}.eurprd09.prod.outlook.com "
                 f"(2603:10a6:10:2d7::12) by\n AM9PR09MB{_hex(m.name, 's', 4).upper()}.eurprd09.prod.outlook.com "
                 f"with HTTPS; {format_datetime(utc)}")
        h.append(f"From: {_sender(m)}")
        h.append(f'To: "{MAILBOX}" <{MAILBOX}>')
        if m.cc:
            h.append(f"CC: {m.cc}")
        h.append(f"Subject: {_subject(m.subject)}")
        topic = re.sub(r"^((SV|VS|FW|RE|Sv|Vs):\s*)+", "", m.subject)
        h.append(f"Thread-Topic: {_subject(topic)}")
        h.append("Thread-Index: " + base64.b64encode(hashlib.sha1(m.name.encode()).digest()[:22]).decode())
        h.append(f"Date: {format_datetime(utc)}")
        mid = _hex(m.name, "m", 24).upper()
        h.append(f"Message-ID: <{host}{mid}@{host}.EURP189.PROD.OUTLOOK.COM>")
        if m.in_reply_to:
            h.append(f"References: {m.in_reply_to}")
            h.append(f"In-Reply-To: {m.in_reply_to}")
        lang = "nn-NO" if m.lang == "nn" else "nb-NO"
        h.append(f"Accept-Language: {lang}, en-US")
        h.append(f"Content-Language: {lang}")
        h.append("X-MS-Has-Attach: " + ("yes" if m.attachments else ""))
        h.append("X-MS-TNEF-Correlator: ")
        h.append(f"authentication-results: dkim=none (message not signed)\n header.d=none;dmarc=none action=none "
                 f"header.from={domain};")
        h.append("x-ms-exchange-senderadcheck: 1")
        h.append("MIME-Version: 1.0")
        return h, "_{}_" + host + mid[:16] + "_"
    if m.style == "gmail":
        h.append(f"Received: by mail-lf1-f{int(_hex(m.name, 'g', 2), 16) % 90 + 10}.google.com with SMTP id "
                 f"{_hex(m.name, 'i', 16)}; {format_datetime(when)}")
        h.append("MIME-Version: 1.0")
        h.append(f"From: {_sender(m)}")
        h.append(f"Date: {format_datetime(when)}")
        h.append(f"Message-ID: <CA+{base64.b64encode(bytes.fromhex(_hex(m.name, 'm', 40))).decode()}"
                 f"@mail.gmail.com>")
        if m.in_reply_to:
            h.append(f"References: {m.in_reply_to}")
            h.append(f"In-Reply-To: {m.in_reply_to}")
        h.append(f"Subject: {_subject(m.subject)}")
        h.append(f"To: {MAILBOX}")
        if m.cc:
            h.append(f"Cc: {m.cc}")
        return h, "0000000000" + _hex(m.name, "b", 14) + "{}"
    if m.style in ("apple", "iphone"):
        uid = _hex(m.name, "u", 32).upper()
        uuid = f"{uid[:8]}-{uid[8:12]}-{uid[12:16]}-{uid[16:20]}-{uid[20:]}"
        h.append(f"Received: from smtpclient.apple (ti-{_hex(m.name, 'a', 6)}.{domain}) by mx.helse-midt.no "
                 f"(Postfix) with ESMTPS id {_hex(m.name, 'q', 10).upper()}\n for <{MAILBOX}>; "
                 f"{format_datetime(utc)}")
        h.append(f"From: {_sender(m)}")
        h.append("Content-Type: {CT}")
        h.append("Content-Transfer-Encoding: 7bit")
        mime = "1.0 (1.0)" if m.style == "iphone" else "1.0 (Mac OS X Mail 16.0 \\(3826.400.131.1.6\\))"
        h.append(f"Mime-Version: {mime}")
        h.append(f"Subject: {_subject(m.subject)}")
        h.append(f"Date: {format_datetime(when)}")
        h.append(f"Message-Id: <{uuid}@{domain}>")
        if m.in_reply_to:
            h.append(f"References: {m.in_reply_to}")
            h.append(f"In-Reply-To: {m.in_reply_to}")
        h.append(f"To: {MAILBOX}")
        h.append("X-Mailer: " + ("iPhone Mail (22B91)" if m.style == "iphone" else "Apple Mail (2.3826.400.131.1.6)"))
        return h, "Apple-Mail-" + uuid[:-4] + "{}"
    # thunderbird
    h.append(f"Message-ID: <{_hex(m.name, 'm', 8)}-{_hex(m.name, 'n', 4)}-{_hex(m.name, 'o', 4)}"
             f"-{_hex(m.name, 'p', 12)}@{domain}>")
    h.append(f"Date: {format_datetime(when)}")
    h.append("MIME-Version: 1.0")
    h.append("User-Agent: Mozilla Thunderbird")
    h.append("Content-Language: nb")
    h.append(f"To: {MAILBOX}")
    h.append(f"From: {_sender(m)}")
    h.append(f"Subject: {_subject(m.subject)}")
    return h, "------------" + _hex(m.name, "t", 24) + "{}"


# ------------------------------------------------------------------ bodies

def _encode(text: str, charset: str, cte: str) -> bytes:
    data = text.encode(charset)
    if cte == "quoted-printable":
        return quopri.encodestring(data)
    if cte == "base64":
        return base64.encodebytes(text.replace("\n", "\r\n").encode(charset))
    return data


def _leaf(ctype: str, text: str, charset: str, cte: str, extra: str = "") -> bytes:
    head = f"Content-Type: {ctype}; charset=\"{charset}\"{extra}\nContent-Transfer-Encoding: {cte}\n\n"
    return head.encode() + _encode(text, charset, cte)


def _multipart(subtype: str, boundary: str, parts: list[bytes]) -> bytes:
    out = f"Content-Type: multipart/{subtype};\n\tboundary=\"{boundary}\"\n\n".encode()
    for p in parts:
        out += f"--{boundary}\n".encode() + p.rstrip(b"\n") + b"\n"
    return out + f"--{boundary}--\n".encode()


def _attachment(att_name: str, ctype: str, data: bytes, style: str) -> bytes:
    if att_name.isascii():
        params = f'name="{att_name}"'
        disp = f'filename="{att_name}"'
    else:
        params = f"name*=utf-8''{urlquote(att_name)}"
        disp = f"filename*=utf-8''{urlquote(att_name)}"
    head = f"Content-Type: {ctype};\n\t{params}\nContent-Disposition: attachment;\n\t{disp}\n"
    if style.startswith("outlook"):
        head += f"Content-Description: {att_name if att_name.isascii() else 'Bestillingsskjema'}\n"
    head += "Content-Transfer-Encoding: base64\n\n"
    return head.encode() + base64.encodebytes(data)


def _outlook_plain_links(text: str) -> str:
    """Outlook's text/plain alternative writes a hyperlink as 'text<mailto:adr>'."""
    return ADDRESS.sub(lambda mo: f"{mo.group(0)}<mailto:{mo.group(0)}>", text)


def _inline(line: str) -> str:
    esc = html.escape(line, quote=False)
    return ADDRESS.sub(lambda mo: f'<a href="mailto:{mo.group(0)}">{mo.group(0)}</a>', esc)


def _blocks(lines: list[str]) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith(">"):
            inner = []
            while i < len(lines) and lines[i].startswith(">"):
                inner.append(lines[i][2:] if lines[i].startswith("> ") else lines[i][1:])
                i += 1
            out.append(("quote", inner))
        elif line.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                rows.append([c.strip() for c in lines[i].strip("|").split("|")])
                i += 1
            out.append(("table", rows))
        elif HEADER_LABEL.match(line) and line.split(":")[0] in ("Fra", "Frå", "From"):
            head = []
            while i < len(lines) and HEADER_LABEL.match(lines[i]):
                head.append(lines[i])
                i += 1
            out.append(("head", head))
        else:
            out.append(("line", line))
            i += 1
    return out


def _html_outlook(blocks: list[tuple[str, object]]) -> str:
    out = []
    for kind, value in blocks:
        if kind == "line":
            if not str(value):
                out.append('<p class="MsoNormal"><o:p>&nbsp;</o:p></p>')
            elif str(value).startswith(("- ", "* ", "• ")):
                out.append(f'<p class="MsoListParagraph" style="text-indent:-18.0pt">'
                           f'<span style="font-family:Symbol">·</span>&nbsp;&nbsp;{_inline(str(value)[2:])}'
                           f"<o:p></o:p></p>")
            else:
                out.append(f'<p class="MsoNormal">{_inline(str(value))}<o:p></o:p></p>')
        elif kind == "head":
            cells = []
            for h in value if isinstance(value, list) else []:
                label, _, rest = h.partition(":")
                cells.append(f"<b>{label}:</b>{_inline(rest)}")
            out.append('<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">'
                       f'<p class="MsoNormal">{"<br>".join(cells)}<o:p></o:p></p></div>')
        elif kind == "table":
            rows = value if isinstance(value, list) else []
            trs = []
            for r, row in enumerate(rows):
                tds = "".join(
                    f'<td style="border:solid windowtext 1.0pt;padding:0cm 5.4pt"><p class="MsoNormal">'
                    f'{"<b>" if r == 0 else ""}{_inline(c) or "&nbsp;"}{"</b>" if r == 0 else ""}</p></td>'
                    for c in row)
                trs.append(f"<tr>{tds}</tr>")
            out.append('<table class="MsoTableGrid" border="1" cellspacing="0" cellpadding="0" '
                       f'style="border-collapse:collapse;border:none">{"".join(trs)}</table>')
        else:
            out.append(f'<div style="margin-left:36pt">{_html_outlook(_blocks(value))}</div>'
                       if isinstance(value, list) else "")
    return "\n".join(out)


def _html_divs(blocks: list[tuple[str, object]], style: str) -> str:
    out = []
    for kind, value in blocks:
        if kind in ("line", "head"):
            for line in value if isinstance(value, list) else [value]:
                out.append(f"<div>{_inline(str(line)) or '<br>'}</div>")
        elif kind == "table":
            rows = value if isinstance(value, list) else []
            trs = "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in row) + "</tr>" for row in rows)
            out.append(f"<table>{trs}</table>")
        else:
            inner = _html_divs(_blocks(value), style) if isinstance(value, list) else ""
            if style == "gmail":
                out.append('<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid '
                           f'rgb(204,204,204);padding-left:1ex">{inner}</blockquote>')
            else:
                out.append(f'<blockquote type="cite">{inner}</blockquote>')
    return "\n".join(out)


WORD_HEAD = (
    '<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:w="urn:schemas-microsoft-com:office:word" xmlns:m="http://schemas.microsoft.com/office/2004/12/omml" '
    'xmlns="http://www.w3.org/TR/REC-html40">\n<head>\n'
    '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
    '<meta name="Generator" content="Microsoft Word 15 (filtered medium)">\n'
    "<style><!--\np.MsoNormal, li.MsoNormal, div.MsoNormal\n\t{margin:0cm;\n\tfont-size:11.0pt;\n"
    '\tfont-family:"Calibri",sans-serif;}\na:link, span.MsoHyperlink\n\t{color:#0563C1;\n'
    "\ttext-decoration:underline;}\n@page WordSection1\n\t{size:612.0pt 792.0pt;}\n"
    "div.WordSection1\n\t{page:WordSection1;}\n--></style>\n</head>\n"
)


def html_body(m: Mail) -> str:
    lines = m.body().rstrip("\n").split("\n")
    blocks = _blocks(lines)
    if m.style.startswith("outlook") or m.style == "android":
        lang = "NO-NYN" if m.lang == "nn" else "NO-BOK"
        return (WORD_HEAD + f'<body lang="{lang}" link="#0563C1" vlink="#954F72" style="word-wrap:break-word">\n'
                f'<div class="WordSection1">\n{_html_outlook(blocks)}\n</div>\n</body>\n</html>\n')
    if m.style == "gmail":
        return f'<div dir="ltr">{_html_divs(blocks, "gmail")}</div>\n'
    return ('<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head>'
            '<body style="overflow-wrap: break-word; -webkit-nbsp-mode: space; line-break: after-white-space;">'
            f"\n{_html_divs(blocks, 'apple')}\n</body></html>\n")


def _flowed(text: str, width: int = 72) -> str:
    """RFC 3676 format=flowed as Thunderbird writes it: long lines end in a space where they were wrapped."""
    out = []
    for line in text.split("\n"):
        while len(line) > width and " " in line[:width]:
            cut = line.rindex(" ", 0, width) + 1
            out.append(line[:cut])
            line = line[cut:]
        out.append(line)
    return "\n".join(out)


def plain_body(m: Mail) -> str:
    text = m.body()
    if m.style == "thunderbird":
        text = _flowed(text)
    if m.style in ("outlook", "android"):
        text = _outlook_plain_links(text)
    lines = text.split("\n")
    return "\n".join("\t".join(c.strip() for c in ln.strip("|").split("|")) if ln.startswith("|") else ln
                     for ln in lines)


def render(m: Mail) -> bytes:
    headers, stem = _headers(m)
    if m.style in ("outlook_plain", "thunderbird"):
        extra = "; format=flowed" if m.style == "thunderbird" else ""
        content = _leaf("text/plain", plain_body(m), m.charset, m.cte, extra)
    elif m.style == "outlook_html":
        content = _leaf("text/html", html_body(m), m.charset, m.cte)
    else:
        alt = [_leaf("text/plain", plain_body(m), m.charset, m.cte),
               _leaf("text/html", html_body(m), m.charset, m.cte)]
        content = _multipart("alternative", stem.format("000" if m.style.startswith("outlook") else "A"), alt)
    if m.attachments:
        parts = [content] + [_attachment(a.filename, a.content_type, a.data, m.style) for a in m.attachments]
        content = _multipart("mixed", stem.format("004" if m.style.startswith("outlook") else "M"), parts)
    head_text = "\n".join(headers)
    if "{CT}" in head_text:  # Apple writes Content-Type among the headers, not last
        ctype_line, _, rest = content.partition(b"\n\n")
        ctype_lines = ctype_line.decode().split("\n")
        cte_line = next((x for x in ctype_lines if x.startswith("Content-Transfer-Encoding:")), "")
        ct = "\n".join(x for x in ctype_lines if not x.startswith("Content-Transfer-Encoding:"))
        head_text = head_text.replace("Content-Type: {CT}", ct)
        if cte_line:
            head_text = head_text.replace("Content-Transfer-Encoding: 7bit", cte_line)
        raw = head_text.encode() + b"\n\n" + rest
    else:
        raw = head_text.encode() + b"\n" + content
    if m.crlf:
        raw = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return raw


# ------------------------------------------------------------------ expectations

def parse_types(spec: str) -> list[dict[str, str | None]]:
    out: list[dict[str, str | None]] = []
    for item in filter(None, (s.strip() for s in spec.split(","))):
        code, version = item.split()
        assert code in TYPE_CODES, code
        out.append({"type": code, "version": None if version == "-" else version})
    return out


def expected_json(m: Mail) -> dict[str, object]:
    e = m.expect
    types = parse_types(e.types)
    missing = []
    if e.kommune is None:
        missing.append("municipality")
    if e.date is None:
        missing.append("activation_date")
    if not types:
        missing.append("message_types")
    elif any(t["version"] is None for t in types):
        missing.append("versions")
    order = {
        "municipality": None if e.kommune is None else {"number": e.kommune[0], "name": e.kommune[1]},
        "activation_date": e.date,
        "message_types": types,
        "her_ids": e.her,
        "contact_email": e.contact,
        "missing": missing,
    }
    return {"kind": "order", "case_ref": None, "text": m.expected_text(), "order": order}


# ------------------------------------------------------------------ self-checks

def _business_day(day: dt.date) -> bool:
    import holidays

    return day.weekday() < 5 and day not in holidays.country_holidays("NO", years=day.year)


WEEKDAYS = {"mandag": 0, "måndag": 0, "tirsdag": 1, "tysdag": 1, "onsdag": 2, "torsdag": 3, "fredag": 4,
            "laurdag": 5, "lørdag": 5, "søndag": 6, "sundag": 6}
MONTHS = {"januar": 1, "februar": 2, "mars": 3, "april": 4, "mai": 5, "juni": 6, "juli": 7, "august": 8,
          "september": 9, "oktober": 10, "november": 11, "desember": 12}


def _readable(raw: bytes) -> str:
    """Every text the message carries, decoded: body parts and attachment contents."""
    import docx
    import openpyxl
    import pypdf

    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert not msg.defects, msg.defects
    texts = []
    for part in msg.walk():
        assert not part.defects, part.defects
        if part.is_multipart():
            continue
        data = part.get_payload(decode=True)
        ctype = part.get_content_type()
        if part.get_filename():
            if ctype.endswith("document"):
                d = docx.Document(io.BytesIO(data))
                texts += [p.text for p in d.paragraphs]
                texts += [c.text for t in d.tables for row in t.rows for c in row.cells]
            elif ctype.endswith("sheet"):
                wb = openpyxl.load_workbook(io.BytesIO(data))
                texts += [str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
            else:
                texts += [pg.extract_text() for pg in pypdf.PdfReader(io.BytesIO(data)).pages]
        else:
            texts.append(part.get_content())
    return "\n".join(texts)


def check(m: Mail, raw: bytes) -> list[str]:
    problems = []
    text = _readable(raw)
    sent = _when(m).date()
    e = m.expect
    if e.date:
        day = dt.date.fromisoformat(e.date)
        if not _business_day(day):
            problems.append(f"activation {day} is not a business day")
        if (day - sent).days < 14:
            problems.append(f"activation {day} is less than 14 days after {sent}")
    if not dt.date(2026, 11, 1) <= sent <= dt.date(2027, 3, 31):
        problems.append(f"Date header {sent} outside 2026-11..2027-03")
    for her in e.her:
        if not re.search(rf"(?<!\d){her}(?!\d)", text):
            problems.append(f"HER-id {her} not in the mail")
        if not 2 <= len(str(her)) <= 9:
            problems.append(f"HER-id {her} has a bad length")
    for t in parse_types(e.types):
        if t["version"] and t["version"] not in text:
            problems.append(f"version {t['version']} not in the mail")
    if e.contact and e.contact.lower() != m.sender[1].lower() and e.contact.lower() not in text.lower():
        problems.append(f"contact {e.contact} is neither the sender nor in the mail")
    # every "weekday N. month [year]" in the mail must name the right weekday
    pattern = r"\b(" + "|".join(WEEKDAYS) + r")\s+(\d{1,2})\.\s*(" + "|".join(MONTHS) + r")(\s+\d{4})?"
    for mo in re.finditer(pattern, text, re.IGNORECASE):
        wd, d, mon, year = mo.group(1).lower(), int(mo.group(2)), MONTHS[mo.group(3).lower()], mo.group(4)
        candidates = [dt.date(int(year), mon, d)] if year else [dt.date(y, mon, d) for y in (2026, 2027)]
        if all(c.weekday() != WEEKDAYS[wd] for c in candidates):
            problems.append(f"weekday wrong in {mo.group(0)!r}")
    return problems


def main() -> int:
    mails = FORWARDS + HERIDS + TYPES + MISC
    names = [m.name for m in mails]
    assert len(names) == len(set(names)), "duplicate names"
    for old in HERE.glob("*.eml"):
        old.unlink()
    for old in HERE.glob("[0-9]*.json"):
        old.unlink()
    failures = 0
    for m in mails:
        raw = render(m)
        for problem in check(m, raw):
            print(f"{m.name}: {problem}", file=sys.stderr)
            failures += 1
        (HERE / f"{m.name}.eml").write_bytes(raw)
        (HERE / f"{m.name}.json").write_text(
            json.dumps(expected_json(m), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    write_readme(mails)
    kommuner = {m.expect.kommune for m in mails if m.expect.kommune}
    print(f"wrote {len(mails)} mails, {len(kommuner)} municipalities, {failures} problems")
    return 1 if failures else 0


def write_readme(mails: list[Mail]) -> None:
    lines = [
        "# Blind order set 2 (issue 14)",
        "",
        f"{len(mails)} order mails written blind — from SPEC §3/§6, DOMAIN.md, the municipality registry and the",
        "dev corpus *format* only, without reading the extractor's code or rules and without running it. Each",
        "`NAME.eml` has the `parse --json` object the bot should print in `NAME.json`; expectations follow the",
        "conventions of the dev corpus README (`/work/shared/corpus/README.md`, 'How the expected values were",
        "decided'). `text` is the author's rendering of the new text (plus the forwarded part for forwards); it",
        "is not scored by `score.py` and is approximate for HTML-only mails.",
        "",
        "Regenerate (also re-checks every file: MIME defects, attachments open, HER-ids/versions/contact present",
        "in the mail, activation dates on business days >= 14 days after the Date header, weekday names):",
        "",
        "    .venv/bin/python tests/orders/blind2/make_blind2.py",
        "    python3 /work/shared/corpus/score.py tests/orders/blind2 --cmd \"cat {stem}.json\"   # self-test",
        "    python3 /work/shared/corpus/score.py tests/orders/blind2 --cmd \".venv/bin/python -m bot parse {file} "
        "--json\"",
        "",
        "| file | what it tests |",
        "|---|---|",
    ]
    lines += [f"| `{m.name}.eml` | {m.what} |" for m in mails]
    (HERE / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
