"""The status page's HTML: jinja2 with escaping everywhere, and text from hostile mail made inert."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from bot.outbound.formatting import format_date_nb, format_datetime_nb, format_short_date, format_time_nb

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
# Bidirectional controls can make a sender or subject read backwards ("gpj.exe" as "exe.jpg"): shown, not obeyed.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def inert(text: str) -> str:
    """Text as shown on the page: bidi controls become visible marks like [U+202E]; other control and
    invisible format characters are dropped (line breaks and tabs stay)."""
    marked = _BIDI.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)
    return "".join(ch for ch in marked if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf"))


def _finalize(value: object) -> object:
    # Every {{ value }} passes here before escaping: nothing from a database reaches the page unfiltered.
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return inert(value)


class Renderer:
    """Renders the pages in bot/web/templates; every value is escaped and made inert."""

    def __init__(self, tz: ZoneInfo) -> None:
        self.env = Environment(
            loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
            finalize=_finalize, trim_blocks=True, lstrip_blocks=True,
        )
        self.env.filters["dato"] = lambda v: format_date_nb(v, tz)
        self.env.filters["datotid"] = lambda v: format_datetime_nb(v, tz)
        self.env.filters["kortdato"] = lambda v: format_short_date(v, tz)
        self.env.filters["klokkeslett"] = lambda v: format_time_nb(v, tz)
        # A plain string (not Markup like jinja's join): every item is made inert, then escaped.
        self.env.filters["liste"] = lambda v: ", ".join(str(x) for x in v)
        self.env.filters["iso"] = lambda v: v.astimezone(tz).isoformat(timespec="minutes") if v else ""

    def render(self, name: str, **values: object) -> str:
        return self.env.get_template(name).render(values)
