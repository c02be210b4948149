"""`run` and `run --once [--now]`: the daemon, or one full cycle."""

from __future__ import annotations

import asyncio
import logging
import sys
from datetime import datetime

from bot.cli import EXIT_FAIL, EXIT_OK


def one_line(text: str, limit: int = 300) -> str:
    """Text on one line for terminal output: whitespace runs (newlines too) collapsed, long text cut with …."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def setup_logging(fmt: str) -> None:
    if fmt == "json":
        import json

        class JsonFormatter(logging.Formatter):
            def format(self, record: logging.LogRecord) -> str:
                return json.dumps({"at": self.formatTime(record), "level": record.levelname,
                                   "logger": record.name, "msg": record.getMessage()}, ensure_ascii=False)

        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    else:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s",
                            force=True)


def run_main(*, once: bool, now: datetime | None) -> int:
    from bot.app import build_app, build_clients
    from bot.mail.mailbox import MailboxError
    from bot.runner import run_daemon, run_once

    if now is not None and not once:
        print("oppkobling run: --now only goes with --once", file=sys.stderr)
        return EXIT_FAIL
    app = build_app(now=now)
    setup_logging(app.settings.log_format)
    try:
        clients = build_clients(app.settings)
        mailbox, sender = clients.mailbox, clients.sender
        if once:
            report = asyncio.run(run_once(app, mailbox, sender))
            print(report.summary())
            for q in report.quarantined:
                print(f"quarantined: uid {q.uid}: {one_line(q.error or '')}")
            return EXIT_OK
        asyncio.run(run_daemon(app, mailbox, sender))
        return EXIT_OK
    except MailboxError as exc:
        print(f"oppkobling run: {exc}", file=sys.stderr)
        return EXIT_FAIL
    finally:
        app.store.dispose()
