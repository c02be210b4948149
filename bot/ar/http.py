"""HTTPS to HelseID and the AR API (httpx): BOT_CA_FILE trusted, answers read up to a bound, failures in one line."""

from __future__ import annotations

import json
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from bot.ar.model import ArError
from bot.mail.tls import client_context

TIMEOUT_S = 20.0
MAX_BODY_BYTES = 1_000_000  # one party is a few kB; anything near this is not an answer the bot wants


@dataclass(frozen=True)
class Reply:
    status_code: int
    headers: httpx.Headers
    content: bytes


def https_client(ca_file: Path | None, timeout_s: float = TIMEOUT_S) -> httpx.Client:
    """A client trusting the system CAs and BOT_CA_FILE only; HTTPS_PROXY/NO_PROXY are honoured, CA bundles
    named in the environment are not (the context is given)."""
    return httpx.Client(verify=client_context(ca_file), timeout=timeout_s, follow_redirects=False)


def send(http: httpx.Client, method: str, url: str, service: str, **kwargs: Any) -> Reply:
    """One request; an unreachable server, an untrusted certificate or a huge answer is an ArError."""
    try:
        with http.stream(method, url, **kwargs) as response:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise ArError(f"{service} at {_origin(url)} answered more than {MAX_BODY_BYTES} bytes")
                chunks.append(chunk)
            return Reply(response.status_code, response.headers, b"".join(chunks))
    except httpx.TimeoutException:
        raise ArError(f"no answer from {service} at {_origin(url)} within {http.timeout.read} s") from None
    except httpx.HTTPError as exc:
        raise ArError(unreachable(service, url, exc)) from None


def unreachable(service: str, url: str, exc: BaseException) -> str:
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, ssl.SSLCertVerificationError):
        cause = cause.__cause__ or cause.__context__
    if isinstance(cause, ssl.SSLCertVerificationError):
        return (f"TLS certificate of {service} at {_origin(url)} not trusted ({cause.verify_message}); "
                "for a private CA set BOT_CA_FILE")
    detail = " ".join(str(exc).split()) or type(exc).__name__
    return f"cannot reach {service} at {_origin(url)}: {detail}"


def json_body(reply: Reply, service: str, *, required: bool = False) -> dict[str, Any]:
    """The reply's JSON object; {} for an error reply without one, ArError when `required`."""
    try:
        data = json.loads(reply.content) if reply.content else None
    except ValueError:
        data = None
    if isinstance(data, dict):
        return data
    if required:
        raise ArError(f"{service} answered HTTP {reply.status_code} without a JSON object")
    return {}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
