"""TLS client contexts: the system's CAs plus BOT_CA_FILE, for every connection the bot makes."""

from __future__ import annotations

import ssl
from pathlib import Path


def client_context(ca_file: Path | str | None = None) -> ssl.SSLContext:
    """A verifying client context trusting the system store and, when given, the CAs in `ca_file`."""
    context = ssl.create_default_context()
    if ca_file:
        context.load_verify_locations(cafile=str(ca_file))
    return context
