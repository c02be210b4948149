"""TLS client contexts: the system's CAs plus BOT_CA_FILE, for every connection the bot makes."""

from __future__ import annotations

import os
import ssl
import threading
from pathlib import Path


def client_context(ca_file: Path | str | None = None) -> ssl.SSLContext:
    """A verifying client context trusting the system store and, when given, the CAs in `ca_file`."""
    context = ssl.create_default_context()
    if ca_file:
        context.load_verify_locations(cafile=str(ca_file))
    return context


_shared: dict[str | None, tuple[tuple[object, ...], ssl.SSLContext]] = {}
_shared_lock = threading.Lock()


def shared_client_context(ca_file: Path | str | None = None) -> ssl.SSLContext:
    """client_context(ca_file), built once and handed to every IMAP and SMTP connection while the CA files
    are unchanged on disk: building one parses the whole system store (~20 ms CPU), which the bot would pay
    again at every login, reconnect and outbox run. Only for callers that never change the context (imaplib,
    aiosmtplib); an HTTP client sets ALPN protocols on the context it is given and gets its own."""
    name = str(ca_file) if ca_file else None
    stamp = _stamp(name, *_system_store())
    with _shared_lock:
        held = _shared.get(name)
        if held is None or held[0] != stamp:
            held = stamp, client_context(name)
            _shared[name] = held
        return held[1]


def _system_store() -> tuple[str | None, ...]:
    paths = ssl.get_default_verify_paths()
    return paths.cafile, paths.capath


def _stamp(*paths: str | None) -> tuple[object, ...]:
    """What changes when a CA file or directory is replaced or edited (a missing one included)."""
    stamp: list[object] = []
    for path in paths:
        try:
            st = os.stat(path) if path else None
        except OSError:
            st = None
        stamp.append((path, st.st_ino, st.st_size, st.st_mtime_ns) if st else (path, None))
    return tuple(stamp)
