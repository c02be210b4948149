"""A small threaded JSON server on loopback over TLS, for the sandbox's fake web services."""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

LOOPBACK = "127.0.0.1"
MAX_REQUEST_BYTES = 64 * 1024


@dataclass(frozen=True)
class Request:
    method: str
    url: str  # scheme, host, port and path, as a DPoP proof's htu names it
    path: str
    headers: Message
    form: dict[str, str]


@dataclass(frozen=True)
class Response:
    status: int
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Request], Response]


class _RequestHandler(BaseHTTPRequestHandler):
    server: JsonServer

    def _serve(self) -> None:
        length = min(int(self.headers.get("Content-Length") or 0), MAX_REQUEST_BYTES)
        raw = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        path = urlsplit(self.path).path
        form = {k: v[0] for k, v in parse_qs(raw).items()} if self.command == "POST" else {}
        response = self.server.handler(Request(self.command, f"{self.server.base_url}{path}", path, self.headers,
                                               form))
        data = json.dumps(response.body).encode() if response.body is not None else b""
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.body is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the default handler writes every request to stderr."""


class JsonServer(ThreadingHTTPServer):
    """Serves `handler` over HTTPS on a free loopback port until stop()."""

    daemon_threads = True

    def __init__(self, handler: Handler, tls: ssl.SSLContext) -> None:
        super().__init__((LOOPBACK, 0), _RequestHandler)
        self.handler = handler
        self.socket = tls.wrap_socket(self.socket, server_side=True)
        self.base_url = f"https://{LOOPBACK}:{self.server_address[1]}"
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.shutdown()
        self._thread.join()
        self.server_close()
