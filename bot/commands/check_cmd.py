"""`check [--connect]`: settings, rules/, data/ and every template, and optionally the servers."""

from __future__ import annotations

import asyncio
import sys

from bot.cli import EXIT_FAIL, EXIT_OK


def check_command(*, connect: bool) -> int:
    from bot.intake.commands import load_command_rules
    from bot.intake.quotes import load_quote_rules
    from bot.intake.understand import load_intake_rules
    from bot.mail.compose import Composer
    from bot.routine.plan import load_plan
    from bot.rulefile import RULES_DIR, TEMPLATES_DIR, RulesError
    from bot.settings import SettingsError, load_settings

    failures: list[str] = []

    def step(label: str, fn: object) -> object:
        try:
            result = fn() if callable(fn) else fn
        except (SettingsError, RulesError) as exc:
            failures.append(f"{label}: {exc}")
            print(f"FAIL  {label}: {exc}")
            return None
        print(f"ok    {label}")
        return result

    settings = step("settings", load_settings)
    step("rules/routine.yaml", lambda: load_plan(RULES_DIR / "routine.yaml"))
    step("rules/quotes.yaml", lambda: load_quote_rules(RULES_DIR / "quotes.yaml"))
    step("rules/commands.yaml", lambda: load_command_rules(RULES_DIR))
    step("rules/triage.yaml, rules/message_types.yaml, rules/order.yaml, data/", lambda: load_intake_rules(RULES_DIR))
    from zoneinfo import ZoneInfo

    composer = step("templates/subjects.yaml", lambda: Composer(TEMPLATES_DIR, "meldingsansvarlig@helse-midt.no",
                                                                ZoneInfo("Europe/Oslo")))
    if isinstance(composer, Composer):
        problems = composer.check_all()
        for p in problems:
            failures.append(f"template {p}")
            print(f"FAIL  template {p}")
        if not problems:
            print("ok    templates (every kind rendered with sample data)")
    if connect and settings is not None:
        failures += _connect(settings)
        failures += _connect_ar(settings)
    if failures:
        print(f"{len(failures)} problem(s)", file=sys.stderr)
        return EXIT_FAIL
    return EXIT_OK


def _connect(settings: object) -> list[str]:
    """Log in to IMAP and SMTP with the configured method; each failure is one line an admin can act on."""
    from bot.mail.clients import build_clients
    from bot.mail.mailbox import MailboxError
    from bot.mail.oauth2 import OAuth2Error
    from bot.settings import Settings

    assert isinstance(settings, Settings)
    failures: list[str] = []

    def fail(label: str, exc: BaseException) -> list[str]:
        return _fail(failures, label, exc)

    try:
        clients = build_clients(settings)
    except MailboxError as exc:
        return fail("mail settings", exc)
    method = f"OAuth2 as {clients.mailbox.user}" if clients.tokens else "password"
    if clients.tokens is not None:
        try:
            roles = clients.tokens.token().claims().get("roles")
        except OAuth2Error as exc:
            return fail("OAuth2", exc)  # IMAP and SMTP would only repeat it
        shown = ", ".join(roles) if isinstance(roles, list) and roles else "none"
        print(f"ok    OAuth2 token from {settings.oauth2_authority} (roles: {shown})")
    try:
        clients.mailbox.connect()
        clients.mailbox.select(settings.imap_folder)
        print(f"ok    IMAP login to {settings.imap_host}:{settings.imap_port_effective} ({method})")
    except (MailboxError, OSError) as exc:
        fail("IMAP", exc)
    finally:
        clients.mailbox.close()
    try:
        asyncio.run(clients.sender.check())
        print(f"ok    SMTP login to {settings.smtp_host}:{settings.smtp_port_effective} ({method})")
    except Exception as exc:  # any failure is reported, not raised
        fail("SMTP", exc)
    return failures


def _connect_ar(settings: object) -> list[str]:
    """With BOT_AR=rest, a DPoP token from HelseID for the AR API's scope (that is enough to know the set-up)."""
    from bot.ar import ArError, build_address_register
    from bot.settings import Settings

    assert isinstance(settings, Settings)
    failures: list[str] = []
    try:
        register = build_address_register(settings)
    except ArError as exc:
        return _fail(failures, "AR", exc)
    if register is None:
        return failures
    try:
        register.tokens.token()
        print(f"ok    HelseID DPoP token from {settings.helseid_authority} (scope {settings.ar_scope}) "
              f"for the AR API at {settings.ar_url}")
    except ArError as exc:
        _fail(failures, "AR", exc)
    finally:
        register.close()
    return failures


def _fail(failures: list[str], label: str, exc: BaseException) -> list[str]:
    line = f"{label}: {' '.join(str(exc).split()) or type(exc).__name__}"
    failures.append(line)
    print(f"FAIL  {line}")
    return failures
