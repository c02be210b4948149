"""Outgoing mail: every template renders, headers follow SPEC §5, recipient text stays data."""

from __future__ import annotations

import email
import email.policy
import shutil
from dataclasses import replace
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.domain import CaseState, MailKind, OrderedType
from bot.outbound.formatting import format_date_nb, format_datetime_nb, sanitize_header
from bot.outbound.render import DISPLAY_NAME, ComposeError, Composer, make_message_id
from bot.outbound.samples import sample_case, sample_contexts
from bot.outbound.views import MailContext
from bot.routine.calendar import BusinessCalendar
from bot.routine.plan import load_plan
from bot.routine.schedule import timeline
from bot.rulefile import TEMPLATES_DIR, RulesError

OSLO = ZoneInfo("Europe/Oslo")
MAILBOX = "meldingsansvarlig@helse-midt.no"
KOMMUNE = "meldingsansvarlig@malvik.kommune.no"
PLAN = load_plan()
CAL = BusinessCalendar(PLAN.closed_days, tz=OSLO)
SAMPLES = sample_contexts(PLAN, CAL)


@pytest.fixture(scope="module")
def composer() -> Composer:
    return Composer(TEMPLATES_DIR, MAILBOX, PLAN, CAL)


def build(composer: Composer, kind: MailKind, ctx: MailContext, **kw: object) -> EmailMessage:
    """Build and re-parse the message, so asserts see what a recipient's server would see."""
    args: dict[str, object] = {
        "message_id": make_message_id("helse-midt.no"),
        "in_reply_to": None,
        "references": (),
        "auto_replied": False,
    }
    args.update(kw)
    _subject, raw = composer.build_raw(kind, ctx, [KOMMUNE], **args)  # type: ignore[arg-type]
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def parts(msg: EmailMessage) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in msg.walk():
        if not part.is_multipart():
            assert isinstance(part, EmailMessage)
            out[part.get_content_type()] = str(part.get_content())
    return out


# --- every template ---------------------------------------------------------------------------


def test_sample_data_covers_every_kind() -> None:
    """There is sample data, and hence a rendering test, for every mail kind."""
    assert set(SAMPLES) == set(MailKind)


@pytest.mark.parametrize("kind", list(MailKind))
def test_every_kind_renders_text_and_html(composer: Composer, kind: MailKind) -> None:
    """Each kind renders a one-line subject, a text part and an HTML part, all ending with a reply hint."""
    ctx = SAMPLES[kind]
    r = composer.render(kind, ctx)
    if ctx.case is not None:
        assert r.subject.startswith("[OPK-7] Malvik kommune: ")
    assert "\n" not in r.subject and len(r.subject) < 160
    assert "Svar på denne e-posten" in r.text
    assert "Svar på denne e-posten" in r.html
    assert r.text.rstrip().endswith("(Denne e-posten er sendt automatisk av Oppkoblingsbot.)")
    assert r.html.lstrip().startswith("<!DOCTYPE html>") and r.html.rstrip().endswith("</html>")
    assert "\n\n\n" not in r.text


def test_check_all_reports_nothing_for_the_shipped_templates(composer: Composer) -> None:
    """The template check used by `python -m bot check` passes on the shipped templates."""
    assert composer.check_all() == ()


@pytest.fixture()
def template_copy(tmp_path: Path) -> Path:
    target = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, target)
    return target


def test_undefined_variable_fails_loudly(template_copy: Path) -> None:
    """A template using a variable the context lacks fails instead of rendering an empty string."""
    path = template_copy / "reminder.txt.j2"
    path.write_text(path.read_text(encoding="utf-8") + "{{ kommunenavn }}\n", encoding="utf-8")
    composer = Composer(template_copy, MAILBOX, PLAN, CAL)
    with pytest.raises(ComposeError, match="kommunenavn"):
        composer.render(MailKind.REMINDER, SAMPLES[MailKind.REMINDER])
    assert any("reminder" in p for p in composer.check_all())


def test_missing_subject_is_a_startup_error(template_copy: Path) -> None:
    """subjects.yaml must name every kind; a missing one stops start-up with the kind as key."""
    path = template_copy / "subjects.yaml"
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("digest:")]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(RulesError) as err:
        Composer(template_copy, MAILBOX, PLAN, CAL)
    assert err.value.key == "digest"


def test_broken_subject_template_is_a_startup_error(template_copy: Path) -> None:
    """A subject with a jinja syntax error stops start-up, naming the kind."""
    path = template_copy / "subjects.yaml"
    text = path.read_text(encoding="utf-8").replace('cancelled: "', 'cancelled: "{% if %}', 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as err:
        Composer(template_copy, MAILBOX, PLAN, CAL)
    assert err.value.key == "cancelled"


# --- headers (SPEC §5) ------------------------------------------------------------------------


def test_headers_of_a_receipt_with_calendar(composer: Composer) -> None:
    """A receipt carries the SPEC §5 headers, text + HTML alternatives and a PUBLISH calendar."""
    mid = make_message_id("helse-midt.no")
    msg = build(
        composer, MailKind.RECEIPT, SAMPLES[MailKind.RECEIPT], message_id=mid)
    assert msg["From"].addresses[0].display_name == DISPLAY_NAME
    assert msg["From"].addresses[0].addr_spec == MAILBOX
    assert msg["To"].addresses[0].addr_spec == KOMMUNE
    assert msg["Subject"] == "[OPK-7] Malvik kommune: Bestilling mottatt – aktivering mandag 1. mars 2027"
    assert msg["Message-ID"] == mid
    assert msg["Date"].datetime == SAMPLES[MailKind.RECEIPT].now
    assert msg["X-Oppkobling-Case"] == "OPK-7"
    assert msg["X-Oppkobling-Kind"] == "receipt"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["X-Auto-Response-Suppress"] == "All"
    assert msg["Precedence"] is None
    assert msg["In-Reply-To"] is None and msg["References"] is None
    assert msg.get_content_type() == "multipart/mixed"
    types = [p.get_content_type() for p in msg.walk()]
    assert types == ["multipart/mixed", "multipart/alternative", "text/plain", "text/html", "text/calendar"]
    cal = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
    assert cal.get_param("method") == "PUBLISH"
    assert cal.get_filename() == "OPK-7.ics"
    assert "publisert" in parts(msg)["text/plain"]


def test_answer_headers(composer: Composer) -> None:
    """Answering a message sets Auto-Submitted: auto-replied, In-Reply-To and References ending in it."""
    ctx = SAMPLES[MailKind.COMMAND_RESULT]
    msg = build(
        composer, MailKind.COMMAND_RESULT, ctx,
        in_reply_to="<abc@malvik.kommune.no>", references=["<first@helse-midt.no>"], auto_replied=True,
    )  # fmt: skip
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["In-Reply-To"] == "<abc@malvik.kommune.no>"
    assert msg["References"] == "<first@helse-midt.no> <abc@malvik.kommune.no>"
    assert msg.get_content_type() == "multipart/alternative"


def test_mail_without_a_case_has_no_case_header(composer: Composer) -> None:
    """The digest is about no single case, so it has no X-Oppkobling-Case header."""
    msg = build(composer, MailKind.DIGEST, SAMPLES[MailKind.DIGEST])
    assert msg["X-Oppkobling-Case"] is None
    assert msg["X-Oppkobling-Kind"] == "digest"
    assert msg["Subject"].startswith("Oppkoblingsbot: ukentlig oversikt")


def test_message_ids_are_unique_and_ours() -> None:
    """make_message_id gives a new id at our domain every time."""
    ids = {make_message_id("helse-midt.no") for _ in range(1000)}
    assert len(ids) == 1000
    assert all(i.startswith("<") and i.endswith("@helse-midt.no>") for i in ids)


# --- recipient text is data -------------------------------------------------------------------

HOSTILE = "{{ 7*7 }} {% for x in range(3) %}x{% endfor %} <script>alert('x')</script> & «ok»"


def test_deviation_text_is_never_evaluated(composer: Composer) -> None:
    """Template syntax in a deviation text stays literal, and HTML in it is escaped in the HTML part."""
    ctx = replace(SAMPLES[MailKind.DEVIATION], detail=HOSTILE)
    r = composer.render(MailKind.DEVIATION, ctx)
    assert HOSTILE in r.text
    assert "49" not in r.text and "xxx" not in r.text
    assert "{{ 7*7 }}" in r.html and "49" not in r.html
    assert "<script>" not in r.html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; «ok»" in r.html


def test_hostile_municipality_name_is_escaped_everywhere(composer: Composer) -> None:
    """A registry or order value with markup is escaped in HTML and never evaluated in the subject."""
    case = sample_case(PLAN)
    assert case.municipality is not None
    evil = replace(case, municipality=replace(case.municipality, name="<b>{{ 7*7 }}</b>"))
    r = composer.render(MailKind.RECEIPT, replace(SAMPLES[MailKind.RECEIPT], case=evil))
    assert r.subject.startswith("[OPK-7] <b>{{ 7*7 }}</b> kommune:")
    assert "<b>{{" not in r.html and "&lt;b&gt;{{ 7*7 }}&lt;/b&gt;" in r.html


@pytest.mark.parametrize(
    "name",
    [
        "Malvik\r\nBcc: evil@example.com",
        "Malvik\nX-Injected: 1",
        "Malvik\rBcc: evil@example.com",
        "Malvik\u2028X: y",
    ],
)
def test_line_breaks_in_a_kommune_name_never_make_a_header(composer: Composer, name: str) -> None:
    """CR/LF (or a Unicode line separator) inside a value that reaches the subject never creates a header."""
    case = sample_case(PLAN)
    assert case.municipality is not None
    ctx = replace(
        SAMPLES[MailKind.RECEIPT], case=replace(case, municipality=replace(case.municipality, name=name))
    )
    msg = build(
        composer, MailKind.RECEIPT, ctx,
        references=["<a@b>\r\nBcc: evil@example.com"], in_reply_to="<c@d>\nX-Injected: 2",
    )  # fmt: skip
    head = msg.as_bytes().split(b"\n\n", 1)[0]
    assert b"\nBcc:" not in head and b"\nX-Injected:" not in head and b"\nX:" not in head
    assert msg["Bcc"] is None and msg["X-Injected"] is None
    assert "\n" not in msg["Subject"] and "\r" not in msg["Subject"]


def test_line_breaks_in_a_recipient_never_make_a_header(composer: Composer) -> None:
    """A To address smuggling a header is flattened into the To line."""
    _subject, raw = composer.build_raw(
        MailKind.STEP_CONFIRMED, SAMPLES[MailKind.STEP_CONFIRMED], [f"{KOMMUNE}\r\nBcc: evil@example.com"],
        message_id=make_message_id("helse-midt.no"), in_reply_to=None, references=(), auto_replied=False,
    )  # fmt: skip
    assert b"\nBcc:" not in raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Bestilling\r\nBcc: x@y", "Bestilling Bcc: x@y"),
        ("  to   mellomrom \t tab ", "to mellomrom tab"),
        ("a\x00b\x1bc\x7fd", "a b c d"),
        ("linje\u2028skift\u2029og\x85NEL", "linje skift og NEL"),
        ("Ærlig Øst Åfjord – «ok»", "Ærlig Øst Åfjord – «ok»"),
        ("Svar fra \u202eon.enummok.kivlam@alo", "Svar fra on.enummok.kivlam@alo"),
        ("a\u2066b\u2069c\u200bd\u200ee\ufefff\u00adg", "abcdefg"),
        ("C1\x9bkontroll", "C1 kontroll"),
    ],
)
def test_sanitize_header(raw: str, clean: str) -> None:
    """sanitize_header turns every control character and line break into a single space and drops
    invisible format characters (bidi overrides and isolates, zero-width characters)."""
    assert sanitize_header(raw) == clean


# --- Norwegian dates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2027, 3, 1, 8, 0, tzinfo=UTC), "mandag 1. mars 2027 kl. 09:00"),
        (datetime(2027, 2, 16, 15, 0, tzinfo=UTC), "tirsdag 16. februar 2027 kl. 16:00"),
        (datetime(2027, 3, 28, 0, 30, tzinfo=UTC), "søndag 28. mars 2027 kl. 01:30"),  # before spring-forward
        (datetime(2027, 3, 28, 1, 30, tzinfo=UTC), "søndag 28. mars 2027 kl. 03:30"),  # after: CEST
        (datetime(2027, 10, 31, 0, 30, tzinfo=UTC), "søndag 31. oktober 2027 kl. 02:30"),  # first 02:30
        (datetime(2027, 10, 31, 1, 30, tzinfo=UTC), "søndag 31. oktober 2027 kl. 02:30"),  # repeated 02:30
        (datetime(2027, 6, 30, 22, 30, tzinfo=UTC), "torsdag 1. juli 2027 kl. 00:30"),  # UTC date ≠ Oslo date
        (datetime(2026, 12, 31, 23, 0, tzinfo=UTC), "fredag 1. januar 2027 kl. 00:00"),
        (datetime(2027, 8, 14, 10, 5, tzinfo=OSLO), "lørdag 14. august 2027 kl. 10:05"),
        (datetime(2027, 9, 1, 7, 0), "onsdag 1. september 2027 kl. 09:00"),  # naive = UTC by convention
        (date(2027, 5, 17), "mandag 17. mai 2027"),
        (date(2027, 4, 13), "tirsdag 13. april 2027"),
        (date(2027, 11, 11), "torsdag 11. november 2027"),
        (date(2027, 12, 24), "fredag 24. desember 2027"),
        (None, "ikke avklart"),
    ],
)
def test_norwegian_datetime_format(value: datetime | date | None, expected: str) -> None:
    """Dates read like a Hemit coordinator writes them, in Europe/Oslo with DST."""
    assert format_datetime_nb(value, OSLO) == expected


def test_date_filter_drops_the_clock() -> None:
    """The `dato` form is the local calendar day of an instant."""
    assert format_date_nb(datetime(2027, 6, 30, 22, 30, tzinfo=UTC), OSLO) == "torsdag 1. juli 2027"


# --- content per kind -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "role", "must_contain"),
    [
        (
            "ar_publisering",
            "kommune",
            ["Adresseregisteret", "«publisert»", "mandag 15. februar 2027 kl. 16:00"],
        ),
        ("partneravtaler", "coordinators", ["alle tre helseforetak", "Helse Nord-Trøndelag HF mangler"]),
        (
            "testmeldinger",
            "coordinators",
            ["testepikrise og testsvarrapport (lab)", "apprec", "«bekreftet test»"],
        ),
        ("dialogmelding", "coordinators", ["kl. 09:00", "«verifisert»"]),
    ],
)
def test_reminder_text_depends_on_the_step(
    composer: Composer, step: str, role: str, must_contain: list[str]
) -> None:
    """Each step's reminder says what to do and which word to reply with."""
    ctx = replace(SAMPLES[MailKind.REMINDER], step=step, recipient_role=role)
    r = composer.render(MailKind.REMINDER, ctx)
    for phrase in must_contain:
        assert phrase in r.text
        assert phrase in r.html


def test_test_reminder_mentions_lab_only_when_ordered(composer: Composer) -> None:
    """Without SVARRAPPORT in the order, the test-message reminder asks for the epikrise only."""
    case = replace(sample_case(PLAN), message_types=(OrderedType("PLO", "1.6"), OrderedType("EPIKRISE", "1.2")))
    ctx = replace(
        SAMPLES[MailKind.REMINDER], case=case, step="testmeldinger", recipient_role="coordinators"
    )
    text = composer.render(MailKind.REMINDER, ctx).text
    assert "testepikrise" in text and "lab" not in text


def test_escalation_to_kommune_says_the_date_is_at_risk(composer: Composer) -> None:
    """An overdue AR publication tells the kommune that D is at risk."""
    ctx = replace(SAMPLES[MailKind.ESCALATION], step="ar_publisering", recipient_role="kommune")
    r = composer.render(MailKind.ESCALATION, ctx)
    assert "i fare" in r.subject and "i fare" in r.text and "«publisert»" in r.text


@pytest.mark.parametrize(
    ("kind", "phrases"),
    [
        (MailKind.TEST_NOTICE, ["skal IKKE besvares", "testsvarrapport (lab)"]),
        (MailKind.DIALOG_NOTICE, ["MÅ besvares", "Mandag 1. mars 2027 kl. 09:00"]),
        (MailKind.RECEIPT, ["PLO 1.5 er en eldre versjon – sjekk versjonen med Hemit", "8142326, 8142327",
                            "Kommunen: Publisere kommunikasjonspart(er) i NHN Adresseregisteret (AR)", "«publisert»"]),
        (MailKind.CLARIFICATION, ["Versjon mangler for: Epikrise", "lørdag 6. februar 2027 kan ikke brukes",
                                  "Aktiveringsdato: 01.03.2027"]),
        (MailKind.DIGEST, ["Åpne saker (2)", "Forsinkede steg (1)", "Meldinger i karantene (1)",
                           "ukjente avsendere, ikke besvart (1)", "salg@leverandor.example"]),
        (MailKind.DATE_CHANGED, ["fra mandag 22. februar 2027 til mandag 1. mars 2027"]),
        (MailKind.FORWARD, ["ola.nordmann@malvik.kommune.no", "sykehjem og hjemmetjeneste"]),
        (MailKind.COMMAND_RESULT, ["allerede bekreftet", "ny dato: <dato>"]),
    ],
)  # fmt: skip
def test_kind_content(composer: Composer, kind: MailKind, phrases: list[str]) -> None:
    """Each kind says what SPEC §1–§2 needs the recipient to know."""
    text = composer.render(kind, SAMPLES[kind]).text
    for phrase in phrases:
        assert phrase in text


def test_receipt_warns_about_a_tight_lead_time(composer: Composer) -> None:
    """An order confirmed less than a week before the AR deadline gets a short-time warning."""
    ctx = replace(SAMPLES[MailKind.RECEIPT], now=datetime(2027, 2, 11, 9, tzinfo=UTC))
    text = composer.render(MailKind.RECEIPT, ctx).text
    assert "Kort tid: «Publisering i Adresseregisteret» må være gjort innen mandag 15. februar" in text


def test_caller_warnings_are_shown_once(composer: Composer) -> None:
    """Warnings from the caller are listed after the derived ones, without duplicates."""
    ctx = replace(SAMPLES[MailKind.RECEIPT], warnings=("Ekstra merknad.", "Ekstra merknad."))
    assert composer.render(MailKind.RECEIPT, ctx).text.count("Ekstra merknad.") == 1


def test_receipt_mentions_the_calendar_only_when_attached(composer: Composer) -> None:
    """The text refers to the attached calendar only when one is attached."""
    ctx = SAMPLES[MailKind.RECEIPT]
    assert "kalenderfilen" not in composer.render(MailKind.RECEIPT, ctx).text
    msg = build(composer, MailKind.RECEIPT, ctx)
    assert "kalenderfilen" in parts(msg)["text/plain"]


def test_needs_info_case_without_municipality_has_a_plain_prefix(composer: Composer) -> None:
    """A case whose kommune is unknown still gets `[OPK-n]` and lists the kommune as missing."""
    case = replace(sample_case(PLAN, CaseState.NEEDS_INFO), municipality=None, activation_date=None)
    r = composer.render(MailKind.CLARIFICATION, MailContext(now=case.created_at, case=case))
    assert r.subject == "[OPK-7] Vi trenger flere opplysninger om bestillingen"
    assert "Vi fant ikke hvilken kommune" in r.text and "Aktiveringsdato mangler." in r.text


def test_sample_timeline_is_the_default_schedule() -> None:
    """The sample case's timeline has its deadlines where SPEC §2 puts them for D = 2027-03-01."""
    deadlines = {e.step: e.at.astimezone(OSLO) for e in timeline(sample_case(PLAN), PLAN, CAL) if e.kind == "deadline"}
    assert deadlines["ar_publisering"] == datetime(2027, 2, 15, 16, tzinfo=OSLO)
    assert deadlines["partneravtaler"] == datetime(2027, 2, 22, 8, tzinfo=OSLO)
    assert deadlines["testmeldinger"] == datetime(2027, 2, 24, 16, tzinfo=OSLO)
    assert deadlines["dialogmelding"] == datetime(2027, 3, 1, 15, tzinfo=OSLO)


# --- the template sandbox ----------------------------------------------------------------------

SANDBOX_ESCAPES = [
    "{{ case.__class__ }}", "{{ case.ref.__class__.__mro__ }}", "{{ ''.__class__.mro() }}",
    "{{ case.steps.__class__.__subclasses__() }}", "{{ [].append(1) }}", "{{ {}.update(a=1) }}",
    "{{ {}.clear() }}", "{{ dato.__globals__ }}", "{{ case.__dataclass_fields__ }}", "{{ [1, 2].pop() }}",
    "{{ cycler.__init__.__globals__ }}", "{{ lipsum.__globals__ }}", "{{ case.ref.upper.__self__ }}",
    "{{ (1).__class__.__base__.__subclasses__() }}", "{{ case.steps.__class__.mro() }}",
]


@pytest.mark.parametrize("source", SANDBOX_ESCAPES)
def test_the_sandbox_refuses_what_it_refused_however_often_it_is_asked(composer: Composer, source: str) -> None:
    """An internal or mutating attribute is refused on the first and on every later mail, also after the same
    type's harmless attributes were read (the sandbox remembers answers per type and name)."""
    from jinja2 import StrictUndefined
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    ctx = SAMPLES[MailKind.RECEIPT]
    values = {"case": ctx.case, "dato": format_date_nb}
    plain = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    for env in (plain, composer.env, composer.env):
        env.from_string("{{ case.ref }} {{ [].index }} {{ {}.keys() }} {{ ''.upper() }} {{ dato }}").render(
            values)
        with pytest.raises(SecurityError):
            env.from_string(source).render(values)


def test_the_sandbox_memo_answers_as_the_sandbox_does(composer: Composer) -> None:
    """For values of many types and attribute names, the remembering sandbox says what the plain one says."""
    from collections import deque

    from jinja2.sandbox import ImmutableSandboxedEnvironment

    plain = ImmutableSandboxedEnvironment()

    class Odd:
        """An object that claims another class."""

        @property  # type: ignore[misc]
        def __class__(self) -> type:
            return list

    def f() -> None: ...

    objects: list[object] = [SAMPLES[MailKind.RECEIPT].case, "s", 1, [], {}, set(), deque(), (), f, composer.render,
                             str, type, (i for i in range(0)), Odd(), frozenset()]
    attrs = ["ref", "append", "clear", "keys", "upper", "mro", "__globals__", "__code__", "__func__", "__self__",
             "gi_frame", "_private", "__class__", "pop", "update", "add", "index", "format", "steps", "appendleft"]
    for _ in range(2):
        for obj in objects:
            for attr in attrs:
                value = getattr(obj, attr, None)
                assert composer.env.is_safe_attribute(obj, attr, value) == plain.is_safe_attribute(obj, attr, value), (
                    type(obj), attr)
