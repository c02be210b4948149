"""`web [--now]`: the coordinators' status page, served by uvicorn on BOT_WEB_HOST:BOT_WEB_PORT."""

from __future__ import annotations

import sys
from datetime import datetime

from bot.cli import EXIT_OK


def web_main(*, now: datetime | None) -> int:
    from bot.app import build_app
    from bot.cli.run import setup_logging
    from bot.clock import RunningClock
    from bot.readonly import at
    from bot.settings import is_loopback, load_settings
    from bot.web.app import web_server

    settings = load_settings()
    setup_logging(settings.log_format)
    app = build_app(settings, RunningClock(at(now, settings)) if now is not None else None)
    if not settings.coordinator_list:
        print("oppkobling web: BOT_COORDINATORS is empty, so nobody can log in", file=sys.stderr)
    if settings.web_public_url is None and not is_loopback(settings.web_host):
        print(f"oppkobling web: BOT_WEB_PUBLIC_URL is not set, so login links point at {settings.web_url}; "
              "set it to the address coordinators use", file=sys.stderr)
    print(f"Status page on http://{settings.web_host}:{settings.web_port} (links in mail: {settings.web_url})",
          file=sys.stderr)
    try:
        web_server(app, host=settings.web_host, port=settings.web_port).run()
    finally:
        app.store.dispose()
    return EXIT_OK
