"""The composition root: reads settings and rules once and builds every part. Nothing else reads settings."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.casework import Casework
from bot.clock import Clock, FixedClock, SystemClock
from bot.domain import Role
from bot.inbound.inbox import Inbox
from bot.inbound.sync import Folders
from bot.intake.command_registry import help_text, load_command_rules
from bot.intake.quotes import load_quote_rules
from bot.intake.understand import IntakeRules, Mailroom, load_intake_rules
from bot.mail.mailbox import MailboxError
from bot.outbound.effects import Effects
from bot.outbound.gate import RecipientGate
from bot.outbound.outbox import Outbox
from bot.outbound.post import PostOffice
from bot.outbound.render import Composer
from bot.readonly import at, database_url
from bot.register_checks import DailyRegisterCheck, RegisterLookups
from bot.routine.calendar import BusinessCalendar, parse_hhmm
from bot.routine.plan import Plan, load_plan
from bot.rulefile import RulesError
from bot.settings import ArMode, Settings, SettingsError, load_settings
from bot.store.repo import Store
from bot.ticker import DigestTime, Ticker

if TYPE_CHECKING:
    from bot.ar import RestAddressRegister
    from bot.mail.clients import MailClients


@dataclass(frozen=True)
class App:
    """Everything the bot is made of, built from one Settings. The runner and the CLI take what they need."""

    settings: Settings
    clock: Clock
    plan: Plan
    calendar: BusinessCalendar
    intake: IntakeRules
    composer: Composer
    store: Store
    casework: Casework
    inbox: Inbox
    ticker: Ticker
    outbox: Outbox
    folders: Folders


def load_rules(settings: Settings) -> tuple[Plan, BusinessCalendar, IntakeRules, Composer]:
    """Every rules file and template the settings point at, validated (RulesError names file and key)."""
    plan = load_plan(settings.rules_dir / "routine.yaml")
    calendar = BusinessCalendar(plan.closed_days, tz=settings.tz)
    intake = load_intake_rules(settings.rules_dir, plan=plan)
    composer = Composer(settings.templates_dir, settings.mailbox_address, plan, calendar)
    return plan, calendar, intake, composer


@dataclass(frozen=True)
class Reader:
    """What `parse` needs: intake, with no mailbox, database or clock."""

    intake: IntakeRules
    mailroom: Mailroom
    max_message_bytes: int


def build_reader(settings: Settings | None = None) -> Reader:
    settings = settings or load_settings()
    return Reader(intake=load_rules(settings)[2], mailroom=_mailroom(settings),
                  max_message_bytes=settings.max_message_bytes)


def build_clients(settings: Settings) -> MailClients:
    """The IMAP mailbox and the SMTP sender the settings describe, with passwords or one shared OAuth2 token
    source (MailboxError when they are not set)."""
    from bot.mail.clients import build_clients as build

    return build(settings)


def check(settings: Settings | None = None, *, connect: bool = False) -> Iterator[tuple[str, str | None]]:
    """`check`: settings, then every rules file, data file and template they point at, then (with `connect`)
    a login to IMAP and SMTP; yields (label, problem or None)."""
    try:
        settings = settings or load_settings()
    except SettingsError as exc:
        yield "settings", str(exc)
        return
    yield "settings", None
    yield from _check_rules(settings)
    if connect:
        yield from _check_servers(settings)
        yield from _check_ar(settings)


def _check_servers(settings: Settings) -> Iterator[tuple[str, str | None]]:
    """Log in to IMAP and SMTP with the configured method; each failure is one line an admin can act on."""
    from bot.mail.oauth2 import OAuth2Error

    def one_line(exc: BaseException) -> str:
        return " ".join(str(exc).split()) or type(exc).__name__

    try:
        clients = build_clients(settings)
    except MailboxError as exc:
        yield "mail settings", one_line(exc)
        return
    method = f"OAuth2 as {clients.mailbox.user}" if clients.tokens else "password"
    if clients.tokens is not None:
        try:
            roles = clients.tokens.token().claims().get("roles")
        except OAuth2Error as exc:
            yield "OAuth2", one_line(exc)  # IMAP and SMTP would only repeat it
            return
        shown = ", ".join(roles) if isinstance(roles, list) and roles else "none"
        yield f"OAuth2 token from {settings.oauth2_authority} (roles: {shown})", None
    try:
        clients.mailbox.connect()
        clients.mailbox.select(settings.imap_folder)
        yield f"IMAP login to {settings.imap_host}:{settings.imap_port_effective} ({method})", None
    except (MailboxError, OSError) as exc:
        yield "IMAP", one_line(exc)
    finally:
        clients.mailbox.close()
    try:
        asyncio.run(clients.sender.check())
        yield f"SMTP login to {settings.smtp_host}:{settings.smtp_port_effective} ({method})", None
    except Exception as exc:  # any failure is reported, not raised
        yield "SMTP", one_line(exc)


def build_address_register(settings: Settings) -> RestAddressRegister | None:
    """The AR client for BOT_AR=rest (HelseID tokens, the CommunicationParty API), None for off; ArError when
    the key file cannot be used."""
    if settings.ar != ArMode.REST:
        return None  # before the import: with AR off, `run` never loads the HelseID client (JOSE, HTTP)
    from bot.ar import ClientKey, HelseIdTokens, RestAddressRegister, https_client

    assert settings.ar_url and settings.helseid_client_id and settings.helseid_private_key_file  # by Settings
    tokens = HelseIdTokens(settings.helseid_authority, settings.helseid_client_id, settings.ar_scope,
                           ClientKey.load(settings.helseid_private_key_file), https_client(settings.ca_file))
    return RestAddressRegister(settings.ar_url, tokens)


def _check_ar(settings: Settings) -> Iterator[tuple[str, str | None]]:
    """With BOT_AR=rest, a DPoP token from HelseID for the AR API's scope (enough to know the set-up is right)."""
    from bot.ar import ArError

    try:
        register = build_address_register(settings)
    except ArError as exc:
        yield "AR", str(exc)
        return
    if register is None:
        return
    try:
        register.tokens.token()
        yield (f"HelseID DPoP token from {settings.helseid_authority} (scope {settings.ar_scope}) for the AR API "
               f"at {settings.ar_url}"), None
    except ArError as exc:
        yield "AR", str(exc)
    finally:
        register.close()


def _check_rules(settings: Settings) -> Iterator[tuple[str, str | None]]:
    rules, templates = settings.rules_dir, settings.templates_dir
    try:
        plan = load_plan(rules / "routine.yaml")
    except RulesError as exc:
        yield f"{rules / 'routine.yaml'}", str(exc)
        return
    yield f"{rules / 'routine.yaml'}", None
    calendar = BusinessCalendar(plan.closed_days, tz=settings.tz)
    loads: list[tuple[str, Callable[[], object]]] = [
        (f"{rules / 'quotes.yaml'}", lambda: load_quote_rules(rules / "quotes.yaml")),
        (f"{rules / 'commands.yaml'}", lambda: load_command_rules(rules, plan)),
        (f"{rules}: triage.yaml, message_types.yaml, order.yaml, signatures.yaml, data/",
         lambda: load_intake_rules(rules, plan=plan)),
        (f"{templates / 'subjects.yaml'}", lambda: Composer(templates, settings.mailbox_address, plan, calendar)),
    ]
    for label, load in loads:
        try:
            loaded = load()
        except RulesError as exc:
            yield label, str(exc)
            continue
        yield label, None
        if isinstance(loaded, Composer):
            problems = loaded.check_all()
            yield from (("template", p) for p in problems)
            if not problems:
                yield f"{templates}: every kind, and every step's mails, rendered with sample data", None


def build_app(settings: Settings | None = None, clock: Clock | None = None, *, now: datetime | None = None) -> App:
    """The whole bot. `now` (the CLI's --now) fixes the clock."""
    settings = settings or load_settings()
    clock = clock or (FixedClock(at(now, settings)) if now is not None else SystemClock())
    plan, calendar, intake, composer = load_rules(settings)
    store = Store.open(database_url(settings), intake.registry.by_number)
    coordinators = settings.coordinator_list
    gate = RecipientGate(own_address=settings.mailbox_address, coordinators=coordinators,
                         max_per_day=settings.max_mails_per_recipient_per_day,
                         max_per_coordinator_per_day=settings.max_mails_per_coordinator_per_day)
    post = PostOffice(composer=composer, gate=gate, own_domain=settings.own_domain,
                      help_texts={role: help_text(intake.commands, role) for role in (Role.COORDINATOR, Role.KOMMUNE)})
    casework = Casework(plan=plan, calendar=calendar, effects=Effects(coordinators=coordinators), post=post)
    mailroom = _mailroom(settings)
    address_register = build_address_register(settings)
    lookups = RegisterLookups(address_register, casework) if address_register is not None else None
    return App(
        settings=settings, clock=clock, plan=plan, calendar=calendar, intake=intake, composer=composer, store=store,
        casework=casework,
        inbox=Inbox(store=store, clock=clock, intake=intake, mailroom=mailroom, casework=casework, calendar=calendar,
                    max_message_bytes=settings.max_message_bytes, register=lookups),
        ticker=Ticker(store=store, clock=clock, casework=casework, gate=gate, coordinators=coordinators,
                      digest=DigestTime(settings.digest_weekday, parse_hhmm(settings.digest_time)),
                      web_url=settings.web_public_url,
                      register_check=DailyRegisterCheck(store=store, lookups=lookups, coordinators=coordinators)
                      if lookups is not None else None),
        outbox=Outbox(store=store, clock=clock, casework=casework, coordinators=coordinators,
                      max_attempts=settings.outbox_max_attempts),
        folders=Folders(account=account_of(settings), inbox=settings.imap_folder,
                        processed=settings.processed_folder, quarantine=settings.quarantine_folder,
                        max_message_bytes=settings.max_message_bytes, batch_size=settings.fetch_batch_size),
    )


def _mailroom(settings: Settings) -> Mailroom:
    return Mailroom(own_address=settings.mailbox_address, coordinators=settings.coordinator_list,
                    sender_auth=settings.sender_auth_mode, trusted_authserv_id=settings.trusted_authserv_id)


def account_of(settings: Settings) -> str:
    return f"{settings.imap_user or settings.mailbox_address}@{settings.imap_host or 'local'}"
