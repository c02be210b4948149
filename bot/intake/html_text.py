"""HTML mail bodies to text: quoting blockquotes become '>' lines, big documents are converted streaming."""

from __future__ import annotations

import re
import textwrap
from html.parser import HTMLParser

# Deeper quoting is drawn with this many '>' (a 1.9 MB mail of nested blockquotes drew 5 GB of them).
MAX_QUOTE_DEPTH = 20
_BLOCKQUOTE_TAG = re.compile(r"<(/?)blockquote\b([^<>]*+)>", re.IGNORECASE)
# A blockquote that a mail client made for a quoted message: Apple Mail and Thunderbird mark it
# type="cite", Gmail class="gmail_quote", Yahoo "yahoo_quoted". Gmail's "indent" button also makes a
# blockquote (style="margin:0 0 0 40px; border:none"), which is the sender's own text and stays.
_QUOTING_BLOCKQUOTE = re.compile(r"""\btype\s*=\s*["']?cite\b|\bclass\s*=\s*["'][^"']*quote""", re.IGNORECASE)
_QUOTE_START = "\ue000"
_QUOTE_END = "\ue001"


def _mark_quoted_blockquotes(html: str) -> str:
    """Put start/end markers inside quoting blockquotes, so their text can become '>' lines."""
    if "blockquote" not in html.lower():
        return html
    out: list[str] = []
    stack: list[bool] = []
    pos = 0
    for match in _BLOCKQUOTE_TAG.finditer(html):
        out.append(html[pos : match.start()])
        if match.group(1):  # </blockquote>
            if stack and stack.pop():
                out.append(f"<div>{_QUOTE_END}</div>")
            out.append(match.group(0))
        else:
            quoting = bool(_QUOTING_BLOCKQUOTE.search(match.group(2)))
            stack.append(quoting)
            out.append(match.group(0))
            if quoting:
                out.append(f"<div>{_QUOTE_START}</div>")
        pos = match.end()
    out.append(html[pos:])
    return "".join(out)


def _quote_marked_lines(text: str) -> str:
    if _QUOTE_START not in text:
        return text
    depth = 0
    lines: list[str] = []
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped in (_QUOTE_START, _QUOTE_END):
            depth = max(0, depth + (1 if stripped == _QUOTE_START else -1))
            continue
        line = line.replace(_QUOTE_START, "").replace(_QUOTE_END, "")
        lines.append(f"{'>' * min(depth, MAX_QUOTE_DEPTH)} {stripped}".rstrip() if depth else line)
    return "\n".join(lines)


# inscriptis builds a full tree (about 75 bytes of memory per byte of HTML); past this size a streaming
# converter with the same line structure is used, so a 2 MB HTML table stays within the memory bound.
LARGE_HTML = 400_000
_BLOCK_TAGS = frozenset(
    {"address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "footer", "form", "header", "hr"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody"}
    | {"thead", "tfoot", "tr", "ul"}
)


class _LightHtmlText(HTMLParser):
    """Text of an HTML document, streaming: block elements and <br> end lines, table cells are spaced."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head", "title"):
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self._newline()
        elif tag in ("td", "th"):
            self.parts.append("  ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "title"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self._newline()

    def _newline(self) -> None:
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if data.strip():
            self.parts.append(re.sub(r"\s+", " ", data))
        elif data and self.parts and not self.parts[-1].endswith((" ", "\n")):
            self.parts.append(" ")  # the space between two inline elements

    def text(self) -> str:
        lines = (line.strip() for line in "".join(self.parts).split("\n"))
        return "\n".join(lines)


def _html_to_text_light(html: str) -> str:
    parser = _LightHtmlText()
    parser.feed(html)
    parser.close()
    return parser.text()


def html_to_text(html: str) -> str:
    """The text of an HTML body with its line structure; quoted blocks as '>' lines."""
    if not html.strip():
        return ""
    marked = _mark_quoted_blockquotes(html)
    if len(html) > LARGE_HTML:
        text = _html_to_text_light(marked)
    else:
        from inscriptis import get_text
        from inscriptis.css_profiles import RELAXED_CSS_PROFILE
        from inscriptis.model.config import ParserConfig

        config = ParserConfig(css=RELAXED_CSS_PROFILE.copy(), display_links=False, table_cell_separator="  ")
        text = get_text(marked, config)
    # Word HTML indents the whole body and puts paragraph margins everywhere; flatten both.
    text = _quote_marked_lines(textwrap.dedent(text.replace("\r\n", "\n")))
    return re.sub(r"\n[ \t]*(?:\n[ \t]*){2,}", "\n\n", text)
