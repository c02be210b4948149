"""Composing outgoing mail: jinja2 templates + context → subject, text, HTML and a ready EmailMessage."""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from jinja2 import FileSystemLoader, StrictUndefined, Template, TemplateError, TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from bot.domain import CaseState, MailKind, Municipality, OrderedType, Step
from bot.routine.case import Case, Deviation, StepState, TimelineEntry
from bot.routine.week import WeekItem
from bot.rulefile import RulesError

DISPLAY_NAME = "Meldingsansvarlig Helse Midt-Norge"
SUBJECTS_FILE = "subjects.yaml"

WEEKDAYS_NB = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
MONTHS_NB = (
    "januar", "februar", "mars", "april", "mai", "juni",
    "juli", "august", "september", "oktober", "november", "desember",
)  # fmt: skip

STEP_LABELS: Mapping[Step, str] = {
    Step.BESTILLING: "Bestilling",
    Step.AR_PUBLISERING: "Publisering i Adresseregisteret",
    Step.PARTNERAVTALER: "Partneravtaler med alle tre HF",
    Step.TESTMELDINGER: "Testmeldinger (epikrise/lab)",
    Step.DIALOGMELDING: "Testdialogmelding",
    Step.AKTIVERING: "Aktivering",
}
TYPE_LABELS: Mapping[str, str] = {
    "DIALOGMELDING": "Dialogmelding",
    "PLO": "PLO",
    "EPIKRISE": "Epikrise",
    "SVARRAPPORT": "Svarrapport (lab)",
    "HENVISNING": "Henvisning",
    "AVVIKSMELDING": "Avviksmelding",
}
OWNER_LABELS: Mapping[str, str] = {"kommune": "Kommunen", "coordinators": "Hemit/HF", "bot": "Boten"}
STATE_LABELS: Mapping[CaseState, str] = {
    CaseState.NEEDS_INFO: "venter på opplysninger",
    CaseState.ACTIVE: "under arbeid",
    CaseState.ACTIVATED: "aktivert",
    CaseState.CANCELLED: "avbrutt",
}
# The keys the routine uses in StepState.confirmed_parts for partneravtaler (rules/routine.yaml).
HEALTH_TRUSTS: tuple[tuple[str, str], ...] = (
    ("st_olav", "St. Olavs hospital HF"),
    ("hnt", "Helse Nord-Trøndelag HF"),
    ("hmr", "Helse Møre og Romsdal HF"),
)
# A receipt warns when the AR deadline is closer than this to the moment the order is confirmed.
TIGHT_LEAD = timedelta(days=7)

# Anything that could end a header line or confuse a reader of one: C0 and C1 controls, DEL, LS, PS.
_HEADER_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


class ComposeError(Exception):
    """A template is missing, broken or uses a variable the context does not have."""


# --- values the callers pass in ---------------------------------------------------------------


@dataclass(frozen=True)
class DigestCase:
    ref: str
    municipality_name: str
    state: CaseState
    activation_date: date | None
    next_label: str  # what happens next, e.g. "Publisering i Adresseregisteret"
    next_deadline: datetime | None


@dataclass(frozen=True)
class DigestOverdue:
    ref: str
    municipality_name: str
    step: Step
    deadline: datetime


@dataclass(frozen=True)
class DigestMessage:
    received_at: datetime
    sender: str
    subject: str
    reason: str = ""  # why it was quarantined, empty for unknown senders


@dataclass(frozen=True)
class DigestView:
    """What the weekly digest shows coordinators."""

    open_cases: tuple[DigestCase, ...] = ()
    overdue: tuple[DigestOverdue, ...] = ()
    quarantined: tuple[DigestMessage, ...] = ()
    unknown_senders: tuple[DigestMessage, ...] = ()
    week: tuple[WeekItem, ...] = ()  # the status page's "this week" strip, as a plain list
    web_url: str | None = None  # the status page, when BOT_WEB_PUBLIC_URL is set


@dataclass(frozen=True, kw_only=True)
class MailContext:
    """Everything a template may show; the jinja dict is derived from it inside this module only."""

    now: datetime
    case: Case | None = None
    timeline: tuple[TimelineEntry, ...] = ()
    step: Step | None = None
    detail: str = ""  # recipient-supplied or engine text, always shown as data
    recipient_role: str = "kommune"  # "kommune", "coordinators" or "sender"
    help_text: str = ""
    digest: DigestView | None = None
    warnings: tuple[str, ...] = ()
    proposed_date: date | None = None
    problems: tuple[str, ...] = ()  # clarification: what is invalid, beyond the fields that are missing
    sender: str = ""  # forward/notice: whose message this is about
    previous_date: date | None = None  # date_changed: the activation date before the move


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


# --- views the templates iterate over ---------------------------------------------------------


@dataclass(frozen=True)
class _TypeView:
    code: str
    label: str
    version: str | None
    outdated: bool

    @property
    def display(self) -> str:
        return f"{self.label} {self.version}" if self.version else f"{self.label} (versjon ikke oppgitt)"


@dataclass(frozen=True)
class _StepView:
    step: Step
    label: str
    status: str  # "done", "overdue", "pending"
    deadline: datetime | None
    done_at: datetime | None
    done_by: str | None


@dataclass(frozen=True)
class _PartnerView:
    key: str
    name: str
    confirmed: bool


# --- formatting -------------------------------------------------------------------------------


def _local(value: datetime, tz: tzinfo) -> datetime:
    # Stored datetimes are aware UTC; a naive one is read as UTC by the same convention.
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(tz)


def format_date_nb(value: date | datetime | None, tz: tzinfo) -> str:
    """'mandag 1. mars 2027'; a datetime is first converted to `tz`."""
    if value is None:
        return "ikke avklart"
    d = _local(value, tz).date() if isinstance(value, datetime) else value
    return f"{WEEKDAYS_NB[d.weekday()]} {d.day}. {MONTHS_NB[d.month - 1]} {d.year}"


def format_short_date(value: date | datetime | None, tz: tzinfo) -> str:
    """'01.03.2027', the form people type back in replies."""
    if value is None:
        return "ikke avklart"
    d = _local(value, tz).date() if isinstance(value, datetime) else value
    return d.strftime("%d.%m.%Y")


def format_time_nb(value: datetime | None, tz: tzinfo) -> str:
    """'09:00' in `tz`."""
    if value is None:
        return "ikke avklart"
    return _local(value, tz).strftime("%H:%M")


def format_datetime_nb(value: datetime | date | None, tz: tzinfo) -> str:
    """'mandag 1. mars 2027 kl. 09:00' in `tz`; a plain date gets no clock time."""
    if value is None or not isinstance(value, datetime):
        return format_date_nb(value, tz)
    return f"{format_date_nb(value, tz)} kl. {format_time_nb(value, tz)}"


def sanitize_header(value: str) -> str:
    """One header-safe line: control characters and line breaks become single spaces, and invisible
    format characters (bidi overrides and isolates such as U+202E, zero-width characters) are dropped,
    so a name or subject the bot passes on cannot display reversed or hide text."""
    visible = "".join(ch for ch in value if unicodedata.category(ch) != "Cf")
    return " ".join(_HEADER_UNSAFE.sub(" ", visible).split())


def make_message_id(domain: str) -> str:
    """A new globally unique Message-ID at our own domain, with angle brackets."""
    clean = re.sub(r"[^A-Za-z0-9.-]", "", domain) or "localhost"
    return f"<{uuid.uuid4().hex}.opk@{clean}>"


# --- the composer -----------------------------------------------------------------------------


class Composer:
    """Renders the template pair and subject of a kind, and builds the MIME message around them."""

    def __init__(self, templates_dir: Path, mailbox_address: str, tz: ZoneInfo) -> None:
        self.templates_dir = templates_dir
        self.mailbox_address = sanitize_header(mailbox_address)
        self.tz = tz
        # Sandboxed because coordinators edit the templates; StrictUndefined so a typo fails `check`.
        self.env = ImmutableSandboxedEnvironment(
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
        self.env.filters["steg"] = lambda v: STEP_LABELS.get(Step(v), str(v)) if v in set(Step) else str(v)
        self.subjects = self._load_subjects(templates_dir / SUBJECTS_FILE)

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

    def render(self, kind: MailKind, context: MailContext) -> RenderedMail:
        return self._render(kind, context, has_ics=False)

    def _render(self, kind: MailKind, context: MailContext, *, has_ics: bool) -> RenderedMail:
        values = self._values(kind, context)
        values["has_ics"] = has_ics
        try:
            subject = self.subjects[kind].render(values)
            text = self.env.get_template(f"{kind.value}.txt.j2").render(values)
            html = self.env.get_template(f"{kind.value}.html.j2").render(values)
        except TemplateError as exc:
            raise ComposeError(f"{kind.value}: {type(exc).__name__}: {exc}") from exc
        return RenderedMail(subject=sanitize_header(subject), text=_tidy_text(text), html=html)

    def build(
        self,
        kind: MailKind,
        context: MailContext,
        to: Sequence[str],
        *,
        message_id: str,
        in_reply_to: str | None,
        references: Sequence[str],
        auto_replied: bool,
        ics: bytes | None = None,
    ) -> EmailMessage:
        rendered = self._render(kind, context, has_ics=ics is not None)
        msg = EmailMessage()
        msg["From"] = f'"{DISPLAY_NAME}" <{self.mailbox_address}>'
        msg["To"] = ", ".join(a for a in (sanitize_header(t) for t in to) if a)
        msg["Subject"] = rendered.subject
        msg["Date"] = format_datetime(_local(context.now, self.tz))
        msg["Message-ID"] = _msg_id(message_id)
        if in_reply_to:
            msg["In-Reply-To"] = _msg_id(in_reply_to)
        refs = [_msg_id(r) for r in references if _msg_id(r)]
        if in_reply_to and _msg_id(in_reply_to) not in refs:
            refs.append(_msg_id(in_reply_to))
        if refs:
            msg["References"] = " ".join(refs)
        if context.case is not None:
            msg["X-Oppkobling-Case"] = sanitize_header(context.case.ref)
        msg["X-Oppkobling-Kind"] = kind.value
        # RFC 3834 signal plus Exchange's own switch keep out-of-office replies away from the mailbox.
        # No `Precedence: bulk`: these are individual, actionable mails, and some servers and
        # filters junk or drop bulk-marked mail (and replies to it), which would lose deadlines.
        msg["Auto-Submitted"] = "auto-replied" if auto_replied else "auto-generated"
        msg["X-Auto-Response-Suppress"] = "All"
        msg["Content-Language"] = "nb"
        msg.set_content(rendered.text)
        msg.add_alternative(rendered.html, subtype="html")
        if ics is not None:
            name = f"{context.case.ref if context.case else 'oppkobling'}.ics"
            msg.add_attachment(
                ics,
                maintype="text",
                subtype="calendar",
                params={"method": "PUBLISH", "charset": "utf-8"},
                filename=sanitize_header(name),
            )
        return msg

    def check_all(self) -> tuple[str, ...]:
        """Render every kind with sample data; return one line per failure (empty when all is well)."""
        problems: list[str] = []
        for kind, ctx in sample_contexts().items():
            try:
                self.render(kind, ctx)
            except ComposeError as exc:
                problems.append(str(exc))
        return tuple(problems)

    # --- the jinja context: built here and nowhere else ---------------------------------------

    def _values(self, kind: MailKind, ctx: MailContext) -> dict[str, object]:
        case = ctx.case
        timeline = tuple(sorted(ctx.timeline, key=lambda e: e.at))
        deadlines = {e.step: e.at for e in timeline if e.kind == "deadline"}
        types = tuple(_type_view(t, case.outdated_versions if case else ()) for t in _types(case))
        municipality: Municipality | None = case.municipality if case else None
        kommune = municipality.name if municipality else "Ukjent kommune"
        prefix = ""
        if case is not None:
            prefix = f"[{case.ref}] {kommune} kommune:" if municipality else f"[{case.ref}]"
        return {
            "kind": kind.value,
            "mailbox_address": self.mailbox_address,
            "subject_prefix": prefix,
            "case": case,
            "ref": case.ref if case else None,
            "kommune": kommune,
            "municipality": municipality,
            "state": case.state.value if case else None,
            "state_label": STATE_LABELS[case.state] if case else "",
            "activation_date": case.activation_date if case else None,
            "message_types": types,
            "has_lab": any(t.code == "SVARRAPPORT" for t in types),
            "her_ids": case.her_ids if case else (),
            "contact_email": case.contact_email if case else None,
            "deviations": case.deviations if case else (),
            "undeliverable": case.undeliverable if case else (),
            "timeline": timeline,
            "steps": _step_views(case, deadlines, ctx.now) if case else (),
            "step": ctx.step.value if ctx.step else None,
            "step_label": STEP_LABELS[ctx.step] if ctx.step else "",
            "step_deadline": deadlines.get(ctx.step) if ctx.step else None,
            "step_done": bool(case and ctx.step and case.step(ctx.step).done),
            "ar_deadline": deadlines.get(Step.AR_PUBLISERING),
            "test_day": _test_day(case, timeline, self.tz),
            "partners": _partner_views(case),
            "detail": ctx.detail,
            "recipient_role": ctx.recipient_role,
            "help_text": ctx.help_text,
            "digest": ctx.digest,
            "warnings": _warnings(case, types, deadlines, ctx, self.tz),
            "problems": _problems(case, types, ctx, self.tz),
            "proposed_date": ctx.proposed_date or (case.proposed_date if case else None),
            "sender": ctx.sender,
            "previous_date": ctx.previous_date,
            "now": ctx.now,
        }


def _tidy_text(text: str) -> str:
    # Template edits easily leave stray blank lines; the text part never needs more than one in a row.
    lines = [line.rstrip() for line in text.strip("\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def _msg_id(value: str) -> str:
    bare = "".join(sanitize_header(value).split()).strip("<>")
    return f"<{bare}>" if bare else ""


def _types(case: Case | None) -> tuple[OrderedType, ...]:
    return case.message_types if case else ()


def _type_view(t: OrderedType, outdated: tuple[OrderedType, ...]) -> _TypeView:
    return _TypeView(t.code, TYPE_LABELS.get(t.code, t.code), t.version, t in outdated)


def _step_views(case: Case, deadlines: Mapping[Step, datetime], now: datetime) -> tuple[_StepView, ...]:
    views = []
    for step in Step:
        state: StepState = case.step(step)
        deadline = deadlines.get(step)
        if state.done:
            status = "done"
        elif deadline is not None and deadline < now:
            status = "overdue"
        else:
            status = "pending"
        views.append(_StepView(step, STEP_LABELS[step], status, deadline, state.done_at, state.done_by))
    return tuple(views)


def _test_day(case: Case | None, timeline: tuple[TimelineEntry, ...], tz: tzinfo) -> date | None:
    # The day Hemit sends test messages is the day of the first scheduled testmeldinger item
    # (it moves with the business-day rule); without a timeline it is D - 7.
    for entry in timeline:
        if entry.step == Step.TESTMELDINGER and entry.kind != "deadline":
            return _local(entry.at, tz).date()
    if case is not None and case.activation_date is not None:
        return case.activation_date - timedelta(days=7)
    return None


def _partner_views(case: Case | None) -> tuple[_PartnerView, ...]:
    parts = case.step(Step.PARTNERAVTALER) if case else StepState(step=Step.PARTNERAVTALER)
    return tuple(
        _PartnerView(key, name, parts.done or key in parts.confirmed_parts) for key, name in HEALTH_TRUSTS
    )


def _warnings(
    case: Case | None,
    types: tuple[_TypeView, ...],
    deadlines: Mapping[Step, datetime],
    ctx: MailContext,
    tz: tzinfo,
) -> tuple[str, ...]:
    out = [f"{t.display} er en eldre versjon – sjekk versjonen med Hemit." for t in types if t.outdated]
    ar = deadlines.get(Step.AR_PUBLISERING)
    if case is not None and case.state == CaseState.ACTIVE and ar is not None and ar - ctx.now < TIGHT_LEAD:
        out.append(
            "Kort tid: kommunikasjonsparten må være publisert i Adresseregisteret innen "
            f"{format_datetime_nb(ar, tz)}."
        )
    out.extend(ctx.warnings)
    return tuple(dict.fromkeys(out))


def _problems(
    case: Case | None, types: tuple[_TypeView, ...], ctx: MailContext, tz: tzinfo
) -> tuple[str, ...]:
    out: list[str] = []
    if case is not None:
        if case.municipality is None:
            out.append("Vi fant ikke hvilken kommune bestillingen gjelder. Oppgi kommunenavn eller -nummer.")
        if case.activation_date is None:
            out.append("Aktiveringsdato mangler.")
        if not types:
            out.append(
                "Meldingstyper mangler: skriv hvilke meldinger kommunen skal ta i bruk "
                "(for eksempel PLO 1.6, dialogmelding 1.1, epikrise 1.2, lab/svarrapport 1.4)."
            )
        no_version = [t.label for t in types if not t.version]
        if no_version:
            out.append(f"Versjon mangler for: {', '.join(no_version)}.")
    out.extend(ctx.problems)
    proposed = ctx.proposed_date or (case.proposed_date if case else None)
    d = case.activation_date if case else None
    if not ctx.problems and d is not None and proposed is not None and proposed != d:
        out.append(
            f"Aktiveringsdatoen {format_date_nb(d, tz)} kan ikke brukes: den må være en virkedag, og "
            "kommunikasjonsparten må kunne publiseres i Adresseregisteret minst 14 dager før."
        )
    return tuple(out)


# --- sample data: `python -m bot check` and the tests render every template with it ------------

_OSLO = ZoneInfo("Europe/Oslo")


def _oslo(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=_OSLO).astimezone(UTC)


def sample_case(state: CaseState = CaseState.ACTIVE) -> Case:
    """Malvik kommune, D = mandag 1. mars 2027, PLO 1.5 (outdated), dialogmelding, epikrise and lab."""
    plo = OrderedType("PLO", "1.5")
    return Case(
        ref="OPK-7",
        state=state,
        municipality=Municipality("5031", "Malvik", "Trøndelag", "malvik.kommune.no", "939865942"),
        activation_date=date(2027, 3, 1),
        message_types=(
            plo,
            OrderedType("DIALOGMELDING", "1.1"),
            OrderedType("EPIKRISE", "1.2"),
            OrderedType("SVARRAPPORT", "1.4"),
        ),
        her_ids=(8142326, 8142327),
        contact_email="meldingsansvarlig@malvik.kommune.no",
        created_at=_oslo(2027, 1, 25, 9, 30),
        order_received_at=_oslo(2027, 1, 25, 9, 30),
        steps=(
            StepState(Step.BESTILLING, done_at=_oslo(2027, 1, 25, 9, 30), done_by="bot"),
            StepState(Step.PARTNERAVTALER, confirmed_parts=frozenset({"st_olav"})),
        ),
        deviations=(
            Deviation(
                at=_oslo(2027, 2, 22, 13, 5),
                text="Apprec fra Malvik ble avvist (status 2).",
                by="koordinator@hemit.no",
            ),
        ),
        outdated_versions=(plo,),
    )


def sample_timeline() -> tuple[TimelineEntry, ...]:
    """The default schedule of `sample_case()` (D = 2027-03-01), as the routine would compute it."""
    ar, pa, tm, dm = Step.AR_PUBLISERING, Step.PARTNERAVTALER, Step.TESTMELDINGER, Step.DIALOGMELDING
    rows: tuple[tuple[Step, str, str, tuple[int, int, int], int, str], ...] = (
        (ar, "Påminnelse til kommunen om Adresseregisteret", "bot", (2027, 2, 8), 8, "reminder"),
        (ar, "Siste påminnelse om Adresseregisteret", "bot", (2027, 2, 11), 8, "reminder"),
        (ar, "Publisere kommunikasjonspart i Adresseregisteret", "kommune", (2027, 2, 15), 16, "deadline"),
        (pa, "Påminnelse om partneravtaler", "bot", (2027, 2, 17), 8, "reminder"),
        (pa, "Partneravtaler med alle tre helseforetak", "coordinators", (2027, 2, 22), 8, "deadline"),
        (tm, "Testmeldinger sendes (skal ikke besvares)", "coordinators", (2027, 2, 22), 8, "notice"),
        (tm, "Transportkvittering og apprec bekreftet", "coordinators", (2027, 2, 24), 16, "deadline"),
        (dm, "Varsel om testdialogmeldingen", "bot", (2027, 2, 26), 12, "notice"),
        (dm, "Testdialogmelding sendes – kommunen svarer", "coordinators", (2027, 3, 1), 9, "event"),
        (dm, "Svaret på testdialogmeldingen verifisert", "coordinators", (2027, 3, 1), 15, "deadline"),
        (Step.AKTIVERING, "Tjenesten aktiveres (kun elektronisk)", "bot", (2027, 3, 1), 15, "event"),
    )
    return tuple(TimelineEntry(st, label, who, _oslo(*ymd, h), kind) for st, label, who, ymd, h, kind in rows)


def sample_contexts() -> dict[MailKind, MailContext]:
    """One realistic context per mail kind, so every template can be rendered without a database."""
    case = sample_case()
    tl = sample_timeline()
    needs_info = replace(
        sample_case(CaseState.NEEDS_INFO),
        activation_date=date(2027, 2, 6),
        message_types=(OrderedType("PLO", "1.6"), OrderedType("EPIKRISE", None)),
        steps=(),
        proposed_date=date(2027, 3, 1),
    )
    done_ar = case.with_step(
        StepState(Step.AR_PUBLISERING, done_at=_oslo(2027, 2, 9, 10, 14), done_by=case.contact_email)
    )
    activated = replace(case, state=CaseState.ACTIVATED, service_deactivated_until_d=True)
    coord = "coordinators"
    help_text = (
        "bekreftet / publisert / verifisert [steg] – bekrefter et steg\n"
        "avvik: <tekst> – registrerer et avvik og varsler kommunen\n"
        "ny dato: <dato> – flytter aktiveringsdatoen\n"
        "status – viser status for saken\n"
        "avbryt – avbryter saken\n"
        "hjelp – viser denne listen"
    )
    digest = DigestView(
        open_cases=(
            DigestCase("OPK-7", "Malvik", CaseState.ACTIVE, date(2027, 3, 1),
                       STEP_LABELS[Step.AR_PUBLISERING], _oslo(2027, 2, 15, 16)),
            DigestCase("OPK-9", "Orkland", CaseState.NEEDS_INFO, None, "Mangler opplysninger", None),
        ),
        overdue=(DigestOverdue("OPK-5", "Frøya", Step.PARTNERAVTALER, _oslo(2027, 2, 1, 8)),),
        quarantined=(
            DigestMessage(_oslo(2027, 2, 3, 14, 2), "postmottak@hitra.kommune.no", "Ordre", "feil i MIME"),
        ),
        unknown_senders=(DigestMessage(_oslo(2027, 2, 4, 8, 40), "salg@leverandor.example", "Tilbud"),),
        week=(
            WeekItem(_oslo(2027, 2, 8, 8), "OPK-5", "Frøya",
                     "Hemit sender testmeldinger (epikrise, og lab hvis bestilt).", "event", "coordinators", "pending"),
            WeekItem(_oslo(2027, 2, 12, 16), "OPK-7", "Malvik",
                     "Publisere kommunikasjonspart(er) i NHN Adresseregisteret (AR)", "deadline", "kommune", "overdue"),
        ),
        web_url="https://oppkobling.hemit.no",
    )  # fmt: skip
    now = _oslo(2027, 1, 25, 9, 31)
    return {
        MailKind.RECEIPT: MailContext(now=now, case=case, timeline=tl),
        MailKind.CLARIFICATION: MailContext(now=now, case=needs_info),
        MailKind.NEW_CASE: MailContext(now=now, case=case, timeline=tl, recipient_role=coord),
        MailKind.REMINDER: MailContext(
            now=_oslo(2027, 2, 8, 8), case=case, timeline=tl, step=Step.AR_PUBLISERING
        ),
        MailKind.ESCALATION: MailContext(
            now=_oslo(2027, 2, 22, 8), case=case, timeline=tl, step=Step.PARTNERAVTALER, recipient_role=coord
        ),
        MailKind.TEST_NOTICE: MailContext(
            now=_oslo(2027, 2, 22, 8), case=case, timeline=tl, step=Step.TESTMELDINGER
        ),
        MailKind.DIALOG_NOTICE: MailContext(
            now=_oslo(2027, 2, 26, 12), case=case, timeline=tl, step=Step.DIALOGMELDING
        ),
        MailKind.DEVIATION: MailContext(
            now=_oslo(2027, 2, 22, 13, 5), case=case, timeline=tl, step=Step.TESTMELDINGER,
            detail="Apprec fra Malvik ble avvist (status 2).\nSjekk mottakstjenesten i EPJ.",
        ),
        MailKind.STEP_CONFIRMED: MailContext(
            now=_oslo(2027, 2, 9, 10, 14), case=done_ar, timeline=tl, step=Step.AR_PUBLISERING
        ),
        MailKind.COMMAND_RESULT: MailContext(
            now=_oslo(2027, 2, 10, 9), case=done_ar, timeline=tl, step=Step.AR_PUBLISERING,
            detail="Publisering i Adresseregisteret er allerede bekreftet. Ingenting er endret.",
            help_text=help_text,
        ),
        MailKind.ACTIVATED: MailContext(now=_oslo(2027, 3, 1, 10, 2), case=activated, timeline=tl),
        MailKind.DIGEST: MailContext(now=_oslo(2027, 2, 8, 7), digest=digest, recipient_role=coord),
        MailKind.FORWARD: MailContext(
            now=_oslo(2027, 2, 9, 11), case=case, timeline=tl, recipient_role=coord,
            sender="ola.nordmann@malvik.kommune.no",
            detail="Hei, vi lurer på om vi kan bruke HER-id 8142326 for både sykehjem og hjemmetjeneste?",
        ),
        MailKind.DATE_CHANGED: MailContext(
            now=_oslo(2027, 1, 28, 12), case=case, timeline=tl, previous_date=date(2027, 2, 22)
        ),
        MailKind.CANCELLED: MailContext(
            now=_oslo(2027, 2, 1, 12), case=replace(case, state=CaseState.CANCELLED),
            detail="Kommunen bytter EPJ-system og bestiller på nytt senere.",
        ),
        MailKind.NOTICE: MailContext(
            now=_oslo(2027, 2, 3, 14, 2), recipient_role=coord, sender="postmottak@hitra.kommune.no",
            detail="En melding kunne ikke behandles og er lagt i karantene (ugyldig MIME-struktur).",
        ),
        MailKind.LOGIN_LINK: MailContext(
            now=_oslo(2027, 2, 8, 7, 55), recipient_role=coord,
            detail="https://oppkobling.hemit.no/login/Qm9vdHN0cmFwLXNhbXBsZS10b2tlbi1ub3QtcmVhbA",
        ),
    }  # fmt: skip
