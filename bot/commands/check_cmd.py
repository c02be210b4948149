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
    if failures:
        print(f"{len(failures)} problem(s)", file=sys.stderr)
        return EXIT_FAIL
    return EXIT_OK


def _connect(settings: object) -> list[str]:
    from bot.mail.mailbox import MailboxError
    from bot.runner import make_mailbox, make_sender
    from bot.settings import Settings

    assert isinstance(settings, Settings)
    failures = []
    try:
        mailbox = make_mailbox(settings)
        mailbox.connect()
        mailbox.select(settings.imap_folder)
        mailbox.close()
        print(f"ok    IMAP login to {settings.imap_host}:{settings.imap_port_effective}")
    except (MailboxError, OSError) as exc:
        failures.append(f"IMAP: {exc}")
        print(f"FAIL  IMAP: {exc}")
    try:
        asyncio.run(make_sender(settings).check())
        print(f"ok    SMTP login to {settings.smtp_host}:{settings.smtp_port_effective}")
    except (MailboxError, OSError, Exception) as exc:  # any failure is reported, not raised
        failures.append(f"SMTP: {exc}")
        print(f"FAIL  SMTP: {exc}")
    return failures
