"""Tiny helpers to hand-build realistic raw .eml files (used by make_heldout.py only)."""
from __future__ import annotations

import base64
import html
import quopri
import re
from email.header import Header

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
