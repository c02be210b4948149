"""`make demo`: one kommune's onboarding through the whole routine, against a local sandbox, on a moving clock."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import shlex
import signal
import sys
import tempfile
import textwrap
import threading
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.cli import EXIT_FAIL, EXIT_OK
from bot.outbound.formatting import format_datetime_nb

if TYPE_CHECKING:
    from bot.settings import Settings
    from sandbox import Sandbox

OSLO = ZoneInfo("Europe/Oslo")
LINK = re.compile(r"https?://\S+/login/[A-Za-z0-9_-]+")
KOMMUNE = "ingrid.saether@malvik.kommune.no"
HEMIT = "koordinator@hemit.no"
ST_OLAV = "e-meldinger@stolav.no"
COORDINATORS = (HEMIT, ST_OLAV)

ORDER = """Hei,

Malvik kommune bestiller med dette oppkobling av elektronisk meldingsutveksling med
helseforetakene i Midt-Norge. Vi har avtalt aktiveringsdato mandag 1. mars 2027 med Hemit.

Meldingstyper:
- PLO-meldinger versjon 1.6
- Dialogmelding 1.1
- Epikrise 1.2

Kommunikasjonspart: Malvik kommune hjemmetjeneste, HER-id 8142326.
Kontaktperson: Ingrid Sæther, ingrid.saether@malvik.kommune.no

Med vennlig hilsen
Ingrid Sæther
Meldingsansvarlig, Malvik kommune
Tlf. 73 98 00 00
"""


def local(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=OSLO)


@dataclass(frozen=True)
class Incoming:
    at: datetime
    sender: str
    subject: str
    body: str
    reply_to_kind: str | None = None  # answer the bot's latest mail of this kind (threading headers)
    note: str = ""


def outlook_quote(original: EmailMessage) -> str:
    """The quote block Outlook (nb) puts under a reply."""
    body = original.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else ""
    return (f"\nFra: Meldingsansvarlig Helse Midt-Norge <meldingsansvarlig@helse-midt.no>\n"
            f"Sendt: {original['Date']}\nTil: {original['To']}\nEmne: {original['Subject']}\n\n{text}")


def compose(inc: Incoming, thread: EmailMessage | None) -> bytes:
    msg = EmailMessage()
    msg["From"] = inc.sender
    msg["To"] = "meldingsansvarlig@helse-midt.no"
    msg["Subject"] = inc.subject if thread is None else f"SV: {thread['Subject']}"
    msg["Date"] = format_datetime(inc.at)
    msg["Message-ID"] = make_msgid(domain=inc.sender.rpartition("@")[2])
    body = inc.body
    if thread is not None:
        msg["In-Reply-To"] = thread["Message-ID"]
        msg["References"] = thread["Message-ID"]
        body += outlook_quote(thread)
    msg.set_content(body)
    return msg.as_bytes()


SCRIPT: tuple[Incoming | datetime, ...] = (
    Incoming(local(2027, 1, 11, 9, 14), KOMMUNE, "Bestilling av oppkobling – Malvik kommune", ORDER,
             note="Kommunen sender bestillingen"),
    local(2027, 2, 8, 8, 0),
    Incoming(local(2027, 2, 9, 10, 5), KOMMUNE, "", "Hei,\n\nPublisert i AR i dag.\n\nMvh\nIngrid\n",
             reply_to_kind="reminder", note="Kommunen bekrefter AR-publisering (svar over Outlook-sitat)"),
    Incoming(local(2027, 2, 15, 14, 0), HEMIT, "", "Partneravtale St. Olav ok\n",
             reply_to_kind="new_case", note="Koordinator bekrefter partneravtale med St. Olav"),
    Incoming(local(2027, 2, 15, 14, 5), HEMIT, "", "Partneravtale HNT ok\n", reply_to_kind="new_case"),
    local(2027, 2, 17, 8, 0),
    Incoming(local(2027, 2, 17, 11, 30), HEMIT, "", "Partneravtale HMR ok\n", reply_to_kind="reminder",
             note="Koordinator bekrefter den siste partneravtalen"),
    local(2027, 2, 22, 8, 0),
    Incoming(local(2027, 2, 22, 13, 40), HEMIT, "",
             "avvik: Testepikrisen fra St. Olav fikk ikke apprec. Kan dere sjekke at tjenesten i AR "
             "tar imot Epikrise 1.2?\n", reply_to_kind="reminder", note="Koordinator melder avvik"),
    Incoming(local(2027, 2, 23, 10, 0), HEMIT, "",
             "Test ok – transportkvittering og apprec mottatt for epikrise.\n", reply_to_kind="reminder",
             note="Koordinator bekrefter testmeldingene"),
    local(2027, 2, 26, 12, 0),
    local(2027, 3, 1, 9, 0),
    Incoming(local(2027, 3, 1, 9, 40), ST_OLAV, "", "Verifisert – kommunen svarte på dialogmeldingen kl. 09:12.\n",
             reply_to_kind="reminder", note="Koordinator verifiserer dialogmeldingen"),
    local(2027, 3, 2, 9, 0),
)


def first_lines(msg: EmailMessage, n: int = 4) -> list[str]:
    lines = [ln for ln in first_text(msg).splitlines() if ln.strip()]
    return lines[:n]


def print_mail(env_from: str, rcpts: tuple[str, ...], msg: EmailMessage, out: list[str]) -> None:
    when = email.utils.parsedate_to_datetime(str(msg["Date"])).astimezone(OSLO)
    kind = msg.get("X-Oppkobling-Kind", "innkommende")
    out.append(f"{when:%Y-%m-%d %H:%M}  {env_from} → {', '.join(rcpts)}  [{kind}]")
    out.append(f"    Emne: {msg['Subject']}")
    for line in first_lines(msg):
        out.append("    | " + textwrap.shorten(line, 100))


def web_command(database_url: str, now: datetime) -> str:
    """The shell command that serves the status page on the demo's database, at the demo's date."""
    return (f"BOT_DATABASE_URL={shlex.quote(database_url)} BOT_COORDINATORS={','.join(COORDINATORS)} "
            f"{shlex.quote(sys.executable)} -m bot web --now {now.astimezone(OSLO).isoformat(timespec='minutes')}")


def keep_sending(box: Sandbox, settings: Settings, seen: int, *, start: datetime, interval_s: float = 2.0) -> None:
    """Run the daemon's cycle every few seconds until Ctrl-C, on a clock that runs on from `start`, and
    print each mail it sends (a login link from the status page in full).

    Ctrl-C ends the loop after the cycle in hand. It is caught here, not left to asyncio.run: a SIGINT that
    arrives while a cycle's synchronous part runs would only cancel a task that then has no await left,
    and the demo would go on forever."""
    from bot.app import build_app, build_clients
    from bot.clock import RunningClock
    from bot.runner import run_once

    stop = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda _sig, _frame: stop.set())
    app = build_app(settings, RunningClock(start))
    try:
        while not stop.is_set():
            clients = build_clients(settings)
            asyncio.run(run_once(app, clients.mailbox, clients.sender))
            out: list[str] = []
            for env_ in box.sent[seen:]:
                print_mail(env_.mail_from, env_.rcpt_tos, env_.message, out)
                if env_.message.get("X-Oppkobling-Kind") == "login_link":
                    out += [f"    Lenke: {link}" for link in LINK.findall(first_text(env_.message))]
            seen = len(box.sent)
            if out:
                print("\n".join(out) + "\n", flush=True)
            stop.wait(interval_s)
    finally:
        signal.signal(signal.SIGINT, previous)
        app.store.dispose()


def first_text(msg: EmailMessage) -> str:
    body = msg.get_body(preferencelist=("plain",))
    return body.get_content() if body is not None else ""


def demo_command(*, keep: bool) -> int:
    try:  # the sandbox is a dev/demo part, not in the runtime package
        from sandbox import Sandbox, dovecot_available
    except ImportError as exc:
        print(f"The demo needs the sandbox and its dependencies ({exc.name}): run `make demo`, or "
              "pip install -e '.[demo]' in a checkout of the project.", file=sys.stderr)
        return EXIT_FAIL

    if not dovecot_available():
        print("The demo needs Dovecot: run `make demo` (it installs dovecot-imapd and dovecot-lmtpd).",
              file=sys.stderr)
        return EXIT_FAIL
    with tempfile.TemporaryDirectory(prefix="oppkobling-demo-") as tmp, Sandbox.start(users=(KOMMUNE, HEMIT)) as box:
        return play(box, Path(tmp), keep=keep)


def play(box: object, tmp: Path, *, keep: bool) -> int:
    from bot.app import build_app, build_clients
    from bot.cli.views import case_text
    from bot.clock import FixedClock
    from bot.runner import run_once
    from bot.settings import load_settings
    from sandbox import Sandbox

    assert isinstance(box, Sandbox)
    env = box.settings_env()
    settings = load_settings(
        **{k.removeprefix("BOT_").lower(): v for k, v in env.items()},
        coordinators=",".join(COORDINATORS), database_url=f"sqlite:///{tmp / 'demo.sqlite'}",
    )
    clock = FixedClock(local(2027, 1, 11, 9, 0))
    app = build_app(settings, clock)
    print("Oppkoblingsbot demo: Malvik kommune kobles opp med aktiveringsdato mandag 1. mars 2027.")
    print(f"Sandbox: IMAP {box.imap_host}:{box.imap_port}, SMTP {box.smtp_host}:{box.smtp_port}\n")
    seen = 0
    latest: dict[str, EmailMessage] = {}  # "kind:recipient" → the bot's latest such mail, to reply to
    for entry in SCRIPT:
        out: list[str] = []
        if isinstance(entry, Incoming):
            clock.set(entry.at)
            thread = latest.get(f"{entry.reply_to_kind}:{entry.sender}") if entry.reply_to_kind else None
            raw = compose(entry, thread)
            box.append(settings.mailbox_address, raw)
            if entry.note:
                out.append(f"--- {entry.note}")
            parsed = email.message_from_bytes(raw, policy=email.policy.default)
            assert isinstance(parsed, EmailMessage)
            print_mail(entry.sender, ("meldingsansvarlig@helse-midt.no",), parsed, out)
        else:
            clock.set(entry)
            out.append(f"--- Klokka er {format_datetime_nb(entry, OSLO)}: boten ser etter frister")
        clients = build_clients(settings)
        asyncio.run(run_once(app, clients.mailbox, clients.sender))
        sent = box.sent
        for env_ in sent[seen:]:
            print_mail(env_.mail_from, env_.rcpt_tos, env_.message, out)
            kind = str(env_.message.get("X-Oppkobling-Kind", ""))
            for rcpt in env_.rcpt_tos:
                latest[f"{kind}:{rcpt}"] = env_.message
        seen = len(sent)
        print("\n".join(out) + "\n")
    with app.store.tx() as tx:
        case = tx.list_cases()[0]
        events = tx.events(case.ref)
    print("=== Saken til slutt ===")
    print(case_text(app.plan, app.calendar, case, events, clock.now()))
    if keep:
        print("\nThe sandbox is still running. Point a mail client or the bot at it with:")
        for k, v in env.items():
            print(f"  {k}={v}")
        print(f"  BOT_COORDINATORS={','.join(COORDINATORS)}")
        print("\nThe status page on the demo's database, at http://127.0.0.1:8080 (log in as "
              f"{HEMIT}; the login mail is sent here and printed below):")
        print(f"  {web_command(settings.database_url, clock.now())}")
        print("Press Ctrl-C to stop it.", flush=True)
        keep_sending(box, settings, seen, start=clock.now())
    app.store.dispose()
    return EXIT_OK
