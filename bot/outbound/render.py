"""Composing outgoing mail: jinja templates + context → subject, text, HTML, the .ics and a ready EmailMessage."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import yaml
from jinja2 import FileSystemLoader, StrictUndefined, Template, TemplateError, TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from bot.domain import MailKind
from bot.outbound.formatting import (
    format_date_nb,
    format_datetime_nb,
    format_short_date,
    format_time_nb,
    local,
    sanitize_header,
)
from bot.outbound.ics import CalendarText, build_ics
from bot.outbound.mime import write_mail
from bot.outbound.samples import due_contexts, sample_contexts
from bot.outbound.views import OWNER_LABELS, MailContext, template_values
from bot.routine.calendar import BusinessCalendar
from bot.routine.case import Case
from bot.routine.plan import Plan
from bot.routine.schedule import TimelineEntry, timeline
from bot.rulefile import RulesError

DISPLAY_NAME = "Meldingsansvarlig Helse Midt-Norge"
SUBJECTS_FILE = "subjects.yaml"
# Mail kinds that carry the case's calendar (.ics): the receipt and a moved date.
ICS_KINDS = frozenset({MailKind.RECEIPT, MailKind.DATE_CHANGED})


class ComposeError(Exception):
    """A template is missing, broken or uses a variable the context does not have."""


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def make_message_id(domain: str) -> str:
    """A new globally unique Message-ID at our own domain, with angle brackets."""
    clean = re.sub(r"[^A-Za-z0-9.-]", "", domain) or "localhost"
    return f"<{uuid.uuid4().hex}.opk@{clean}>"


class Composer:
    """Renders the template pair and subject of a kind, and builds the MIME message around them.

    The case's timeline is computed here, once per mail, from the plan: the text, the step list and the
    calendar attachment all show the same one.
    """

    def __init__(self, templates_dir: Path, mailbox_address: str, plan: Plan, calendar: BusinessCalendar) -> None:
        self.templates_dir = templates_dir
        self.mailbox_address = sanitize_header(mailbox_address)
        self.plan = plan
        self.calendar = calendar
        tz = calendar.tz
        # Sandboxed because coordinators edit the templates; StrictUndefined so a typo fails `check`.
        self.env = _Sandbox(
            loader=FileSystemLoader(str(templates_dir)),
            undefined=StrictUndefined,
            autoescape=lambda name: name is not None and name.endswith(".html.j2"),
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["dato"] = lambda v: format_date_nb(v, tz)
        self.env.filters["datotid"] = lambda v: format_datetime_nb(v, tz)
        self.env.filters["kortdato"] = lambda v: format_short_date(v, tz)
        self.env.filters["klokkeslett"] = lambda v: format_time_nb(v, tz)
        self.env.filters["eier"] = lambda v: OWNER_LABELS.get(str(v), str(v))
        self.env.filters["steg"] = lambda v: plan.steps[v].short_label if v in plan.steps else str(v)
        self.subjects = self._load_subjects(templates_dir / SUBJECTS_FILE)
        self._texts: dict[str, Template] = {}
        self._last_timeline: tuple[Case, tuple[TimelineEntry, ...]] | None = None

    def _load_subjects(self, path: Path) -> dict[MailKind, Template]:
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise RulesError(path, "", f"cannot read: {exc.strerror}") from exc
        except yaml.YAMLError as exc:
            raise RulesError(path, "", f"not valid YAML: {exc}") from exc
        if not isinstance(raw, dict):
            raise RulesError(path, "", "expected a mapping from mail kind to subject template")
        unknown = sorted(set(map(str, raw)) - {k.value for k in MailKind})
        if unknown:
            raise RulesError(path, unknown[0], "not a mail kind")
        out: dict[MailKind, Template] = {}
        for kind in MailKind:
            value = raw.get(kind.value)
            if not isinstance(value, str) or not value.strip():
                raise RulesError(path, kind.value, "missing subject")
            try:
                out[kind] = self.env.from_string(value)
            except TemplateSyntaxError as exc:
                raise RulesError(path, kind.value, f"not a valid template: {exc.message}") from exc
        return out

    def timeline(self, ctx: MailContext) -> tuple[TimelineEntry, ...]:
        case = ctx.case
        return timeline(case, self.plan, self.calendar) if case is not None and case.activation_date else ()

    def render(self, kind: MailKind, context: MailContext) -> RenderedMail:
        return self._render(kind, context, self.timeline(context), has_ics=False)

    def _values(self, kind: MailKind, ctx: MailContext, tl: tuple[TimelineEntry, ...]) -> dict[str, object]:
        values = template_values(kind, ctx, tl, self.plan, self.calendar)
        values["mailbox_address"] = self.mailbox_address
        return values

    def _render(self, kind: MailKind, context: MailContext, tl: tuple[TimelineEntry, ...], *,
                has_ics: bool, values: dict[str, object] | None = None) -> RenderedMail:
        values = {**(self._values(kind, context, tl) if values is None else values), "has_ics": has_ics}
        try:
            subject = self.subjects[kind].render(values)
            text = self.env.get_template(f"{kind.value}.txt.j2").render(values)
            html = self.env.get_template(f"{kind.value}.html.j2").render(values)
        except TemplateError as exc:
            raise ComposeError(f"{kind.value}: {type(exc).__name__}: {exc}") from exc
        return RenderedMail(subject=sanitize_header(subject), text=_tidy_text(text), html=html)

    def ics(self, kind: MailKind, ctx: MailContext, tl: tuple[TimelineEntry, ...], *,
            values: dict[str, object] | None = None) -> bytes | None:
        """The calendar a receipt or a moved date carries (the routine's calendar entries), else None."""
        case = ctx.case
        if kind not in ICS_KINDS or case is None or case.activation_date is None:
            return None
        values = self._values(kind, ctx, tl) if values is None else values
        texts = []
        for entry in tl:
            if entry.calendar is not None:
                at = {**values, "at": local(entry.at, self.calendar.tz)}
                texts.append(CalendarText(entry, sanitize_header(self._text(entry.calendar.summary, at)),
                                          self._text(entry.calendar.description, at).strip()))
        domain = self.mailbox_address.rpartition("@")[2] or "localhost"
        return build_ics(case, texts, self.calendar.tz, domain=domain, stamp=ctx.now)

    def _text(self, source: str, values: dict[str, object]) -> str:
        try:
            template = self._texts.get(source) or self._texts.setdefault(source, self.env.from_string(source))
            return template.render(values)
        except TemplateError as exc:
            raise ComposeError(f"calendar text in routine.yaml {source[:60]!r}: {type(exc).__name__}: {exc}") from exc

    def build_raw(
        self,
        kind: MailKind,
        context: MailContext,
        to: Sequence[str],
        *,
        message_id: str,
        in_reply_to: str | None,
        references: Sequence[str],
        auto_replied: bool,
    ) -> tuple[str, bytes]:
        """The subject and the whole mail as the bytes the outbox stores and sends as they are.

        The timeline is worked out once per case version (the receipt and the coordinators' notice of one
        order share it); the bytes come from the small MIME writer (bot.outbound.mime), or from
        `EmailMessage` for the rare header it does not write itself.
        """
        tl = self._timeline_of(context)
        values = self._values(kind, context, tl)  # the calendar's texts and the mail's see the same values
        ics = self.ics(kind, context, tl, values=values)
        rendered = self._render(kind, context, tl, has_ics=ics is not None, values=values)
        headers: list[tuple[str, str]] = [
            ("From", f'"{DISPLAY_NAME}" <{self.mailbox_address}>'),
            ("To", ", ".join(a for a in (sanitize_header(t) for t in to) if a)),
            ("Subject", rendered.subject),
            ("Date", format_datetime(local(context.now, self.calendar.tz))),
            ("Message-ID", _msg_id(message_id)),
        ]
        if in_reply_to:
            headers.append(("In-Reply-To", _msg_id(in_reply_to)))
        refs = [_msg_id(r) for r in references if _msg_id(r)]
        if in_reply_to and _msg_id(in_reply_to) not in refs:
            refs.append(_msg_id(in_reply_to))
        if refs:
            headers.append(("References", " ".join(refs)))
        if context.case is not None:
            headers.append(("X-Oppkobling-Case", sanitize_header(context.case.ref)))
        headers.append(("X-Oppkobling-Kind", kind.value))
        # RFC 3834 signal plus Exchange's own switch keep out-of-office replies away from the mailbox.
        # No `Precedence: bulk`: these are individual, actionable mails, and some servers and
        # filters junk or drop bulk-marked mail (and replies to it), which would lose deadlines.
        headers.append(("Auto-Submitted", "auto-replied" if auto_replied else "auto-generated"))
        headers.append(("X-Auto-Response-Suppress", "All"))
        headers.append(("Content-Language", "nb"))
        name = sanitize_header(f"{context.case.ref if context.case else 'oppkobling'}.ics")
        raw = write_mail(headers, rendered.subject, rendered.text, rendered.html, calendar=ics, calendar_name=name)
        if raw is None:
            raw = _slow_message(headers, rendered, ics, name).as_bytes()
        return rendered.subject, raw

    def _timeline_of(self, ctx: MailContext) -> tuple[TimelineEntry, ...]:
        case = ctx.case
        last = self._last_timeline
        if case is not None and last is not None and (last[0] is case or last[0] == case):
            return last[1]
        tl = self.timeline(ctx)
        self._last_timeline = (case, tl) if case is not None else None
        return tl

    def check_all(self) -> tuple[str, ...]:
        """Render every kind (and the receipt's calendar), and every reminder, notice and escalation of every
        step, with sample data built from the plan; one line per failure, empty when all is well."""
        problems: list[str] = []
        samples = [*sample_contexts(self.plan, self.calendar).items(), *due_contexts(self.plan, self.calendar)]
        for kind, ctx in samples:
            try:
                self.render(kind, ctx)
                self.ics(kind, ctx, self.timeline(ctx))
            except ComposeError as exc:
                problems.append(str(exc) if ctx.step is None else f"{exc} (step {ctx.step})")
        return tuple(dict.fromkeys(problems))


class _Sandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, asking `is_safe_attribute` once per type and attribute name.

    The answer depends on nothing else (a leading underscore, the internal attributes of functions, methods,
    classes, frames and generators, the mutating methods of lists, dicts, sets and deques: all by type and
    name), and templates read the same few attributes of the same few types in every mail. An object whose
    `__class__` is not its type is always asked afresh; the memo stops growing at `_SAFE_MEMO` entries.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._safe: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        cls = type(obj)
        key = (cls, attr)
        known = self._safe.get(key)
        if known is not None:
            return known
        safe = super().is_safe_attribute(obj, attr, value)
        if type(attr) is str and getattr(obj, "__class__", None) is cls and len(self._safe) < _SAFE_MEMO:
            self._safe[key] = safe
        return safe


_SAFE_MEMO = 4096


def _slow_message(headers: Sequence[tuple[str, str]], rendered: RenderedMail, ics: bytes | None,
                  ics_name: str) -> EmailMessage:
    """The same mail through `EmailMessage` (policy.default), for a header the MIME writer leaves alone."""
    msg = EmailMessage()
    for name, value in headers:
        msg[name] = value
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    if ics is not None:
        msg.add_attachment(ics, maintype="text", subtype="calendar",
                           params={"method": "PUBLISH", "charset": "utf-8"}, filename=ics_name)
    return msg


def _tidy_text(text: str) -> str:
    # Template edits easily leave stray blank lines; the text part never needs more than one in a row.
    lines = [line.rstrip() for line in text.strip("\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def _msg_id(value: str) -> str:
    bare = "".join(sanitize_header(value).split()).strip("<>")
    return f"<{bare}>" if bare else ""
