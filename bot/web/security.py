"""What every response of the status page carries (security headers), the access log, forms and CSRF."""

from __future__ import annotations

import hmac
import logging
import re
import time
from urllib.parse import parse_qsl, urlsplit

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("bot.web.access")

# No script at all, styles only from our own stylesheet, no framing, forms only to ourselves.
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
MAX_FORM_BYTES = 8 * 1024
CSRF_COOKIE = "opk_csrf"
CSRF_FIELD = "csrf"
# A login link's token must not reach the log (anyone reading the log could use an unused link).
_SECRET_PATH = re.compile(r"^/login/.+")


class BadForm(Exception):
    """A form body over MAX_FORM_BYTES or with too many fields."""


def security_headers(*, https: bool) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"content-security-policy", CSP.encode()),
        (b"x-frame-options", b"DENY"),
        # The login link's token is in a URL: no Referer may carry it (or any case page's address) away.
        (b"referrer-policy", b"no-referrer"),
        (b"x-content-type-options", b"nosniff"),
        (b"cache-control", b"no-store"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    ]
    if https:
        headers.append((b"strict-transport-security", b"max-age=31536000"))
    return headers


class SecurityHeaders:
    """ASGI middleware: adds the security headers to every response and writes one access-log line."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.headers = security_headers(https=https)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        status = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                names = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *((n, v) for n, v in self.headers if n not in names)]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            client = scope.get("client") or ("-", 0)
            log.info("%s %s %s %d %.1fms", client[0], scope["method"], log_path(scope["path"]), status,
                     (time.monotonic() - started) * 1000)


def log_path(path: str) -> str:
    """The request path as the log shows it: a login link's token replaced by …."""
    return "/login/…" if _SECRET_PATH.match(path) else path[:200]


async def read_form(request: Request) -> dict[str, str]:
    """An application/x-www-form-urlencoded body of at most MAX_FORM_BYTES (first value of each field)."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise BadForm
    try:
        pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=20)
    except ValueError:
        raise BadForm from None
    fields: dict[str, str] = {}
    for name, value in pairs:
        fields.setdefault(name, value)
    return fields


def csrf_ok(request: Request, submitted: str | None, expected: str | None, public_url: str) -> bool:
    """A form post counts only with the expected token, and only from our own pages as far as the browser
    tells: Fetch Metadata (`Sec-Fetch-Site`) where sent, else the `Origin`. With no-referrer, browsers send
    `Origin: null` even for our own forms, so there the Fetch Metadata decides."""
    if not submitted or not expected or not hmac.compare_digest(submitted.encode(), expected.encode()):
        return False
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("origin")
    if origin is None:  # an older client: the token alone decides
        return True
    own = {public_url, f"{request.url.scheme}://{request.headers.get('host', '')}"}
    return _origin(origin) in {_origin(o) for o in own}


def _origin(url: str) -> str:
    parts = urlsplit(url.lower())
    return f"{parts.scheme}://{parts.netloc}"
