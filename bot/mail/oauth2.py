"""OAuth2 client credentials (Microsoft Entra ID, via msal) for IMAP and SMTP: tokens cached and renewed in memory."""

from __future__ import annotations

import logging
import re
import ssl
import threading
import time
import urllib.error
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from bot.mail.tls import client_context

if TYPE_CHECKING:
    from urllib.request import Request

log = logging.getLogger(__name__)

DEFAULT_AUTHORITY = "https://login.microsoftonline.com"
DEFAULT_SCOPE = "https://outlook.office365.com/.default"
_HTTP_TIMEOUT_S = 30.0
_RENEW_BEFORE_S = 300.0  # msal itself treats a token with less than 5 minutes left as expired
_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z ]+)-----.+?-----END \1-----", re.S)

# Entra ID error codes an administrator meets when setting the app up, with what to do about them.
_AADSTS: Mapping[int, str] = {
    90002: "BOT_OAUTH2_TENANT_ID names no tenant: use the Directory (tenant) ID from Entra ID",
    700016: "BOT_OAUTH2_CLIENT_ID is not an app in this tenant: use the Application (client) ID of the app "
            "registration",
    7000215: "BOT_OAUTH2_CLIENT_SECRET is wrong: use the secret's Value, not its Secret ID",
    7000222: "BOT_OAUTH2_CLIENT_SECRET has expired: add a new client secret in Entra ID (or use a certificate)",
    700027: "the certificate in BOT_OAUTH2_CERTIFICATE_FILE is not uploaded to the app registration "
            "(Certificates & secrets) or does not match its key",
    700024: "the client assertion is outside its validity: check this machine's clock",
    7000218: "neither BOT_OAUTH2_CLIENT_SECRET nor BOT_OAUTH2_CERTIFICATE_FILE was accepted",
    1002012: "BOT_OAUTH2_SCOPE is not valid: use https://outlook.office365.com/.default",
    70011: "BOT_OAUTH2_SCOPE is not valid: use https://outlook.office365.com/.default",
    7000112: "the app is disabled in Entra ID",
}


class OAuth2Error(Exception):
    """No token: one line an administrator can act on. Never contains a secret or a token."""


@dataclass(frozen=True)
class AccessToken:
    """A bearer token with its deadlines on the monotonic clock."""

    value: str = field(repr=False)
    expires_at: float
    renew_at: float

    def claims(self) -> dict[str, Any]:
        """The token's claims, unverified (Entra tokens are JWTs); only for explaining a refusal."""
        import jwt  # here: a bot logging in with a password never loads PyJWT and cryptography

        try:
            found = jwt.decode(self.value, options={"verify_signature": False})
        except jwt.PyJWTError:
            return {}
        return found if isinstance(found, dict) else {}


class TokenProvider(Protocol):
    """Where IMAP and SMTP get bearer tokens; `invalidate` after the server refused one."""

    def token(self) -> AccessToken: ...

    def invalidate(self, token: AccessToken) -> None: ...


@dataclass(frozen=True)
class OAuth2Config:
    tenant_id: str
    client_id: str
    client_secret: str | None = field(default=None, repr=False)
    certificate_file: Path | None = None
    authority: str = DEFAULT_AUTHORITY
    scope: str = DEFAULT_SCOPE
    ca_file: Path | None = None


def read_certificate(path: Path) -> dict[str, str]:
    """msal's client credential from a PEM holding the private key and the certificate; OAuth2Error if not."""
    try:
        pem = path.read_bytes()
    except OSError as exc:
        raise OAuth2Error(f"BOT_OAUTH2_CERTIFICATE_FILE {str(path)!r} cannot be read: {exc.strerror}") from None
    blocks = {m.group(1).decode(): m.group(0).decode() for m in reversed(list(_PEM_BLOCK.finditer(pem)))}
    key = next((v for k, v in blocks.items() if k.endswith("PRIVATE KEY")), None)
    cert = blocks.get("CERTIFICATE")
    if key is None or cert is None:
        missing = "private key" if key is None else "certificate"
        raise OAuth2Error(f"BOT_OAUTH2_CERTIFICATE_FILE {str(path)!r} holds no {missing} (a PEM with both is needed)")
    if "ENCRYPTED" in key:
        raise OAuth2Error(f"BOT_OAUTH2_CERTIFICATE_FILE {str(path)!r}: the private key is encrypted; store it "
                          "unencrypted in a file only the bot's user can read")
    return {"private_key": key, "public_certificate": cert}


class TokenSource:
    """Client-credentials tokens for one app, cached in memory and renewed before they expire. Thread-safe."""

    def __init__(self, config: OAuth2Config, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self._clock = clock
        self._lock = threading.Lock()
        self._current: AccessToken | None = None
        self._app: Any = None  # msal.ConfidentialClientApplication, built on first use (it does IO)

    def token(self) -> AccessToken:
        with self._lock:
            now = self._clock()
            if self._current is not None and now < self._current.renew_at:
                return self._current
            result = self._request()
            if "access_token" not in result:
                raise OAuth2Error(describe_refusal(self.config.authority, result))
            lifetime = max(1.0, float(result.get("expires_in") or 0))
            self._current = AccessToken(str(result["access_token"]), now + lifetime,
                                        now + lifetime - min(_RENEW_BEFORE_S, lifetime / 5))
            log.info("OAuth2 token for app %s obtained; valid %d s", self.config.client_id, lifetime)
            return self._current

    def invalidate(self, token: AccessToken) -> None:
        with self._lock:
            if self._current is not None and self._current.value == token.value:
                self._current = None
            if self._app is not None:
                self._app.remove_tokens_for_client()

    def _request(self) -> dict[str, Any]:
        authority = self.config.authority
        try:
            if self._app is None:
                self._app = self._build()
            result: dict[str, Any] = self._app.acquire_token_for_client(scopes=[self.config.scope])
            return result
        except urllib.error.URLError as exc:
            raise OAuth2Error(_unreachable(authority, exc.reason)) from None
        except (OSError, ssl.SSLError) as exc:
            raise OAuth2Error(_unreachable(authority, exc)) from None
        except ValueError as exc:  # msal: discovery failed (an unknown tenant lands here, its AADSTS inside)
            cause = exc.__context__ if isinstance(exc.__context__, ValueError) else None
            text = f"{cause} {exc}" if cause is not None else str(exc)
            raise OAuth2Error(describe_refusal(authority, {"error_description": text})) from None

    def _build(self) -> Any:
        import msal

        c = self.config
        credential: str | dict[str, str]
        if c.certificate_file is not None:
            credential = read_certificate(c.certificate_file)
        elif c.client_secret:
            credential = c.client_secret
        else:
            raise OAuth2Error("set BOT_OAUTH2_CLIENT_SECRET or BOT_OAUTH2_CERTIFICATE_FILE")
        return msal.ConfidentialClientApplication(
            c.client_id, client_credential=credential, authority=f"{c.authority.rstrip('/')}/{c.tenant_id}",
            http_client=HttpClient(client_context(c.ca_file)), instance_discovery=False,
            token_cache=msal.TokenCache(),
        )


def describe_refusal(authority: str, result: Mapping[str, Any]) -> str:
    """One line for an Entra ID error response (or msal's text around one)."""
    text = " ".join(str(result.get("error_description") or result.get("error") or "no token").split())
    found = re.search(r"AADSTS(\d+)", text)
    code = int(found.group(1)) if found else 0
    if code in _AADSTS:
        return f"token request to {authority} refused: {_AADSTS[code]} (AADSTS{code})"
    first = re.split(r"(?<=\.)\s|\s*Trace ID:", text, maxsplit=1)[0]
    return f"token request to {authority} refused: {first[:300]}"


def _unreachable(authority: str, reason: object) -> str:
    if isinstance(reason, ssl.SSLCertVerificationError):
        return (f"TLS certificate of {authority} not trusted ({reason.verify_message}); "
                "for a private CA set BOT_CA_FILE")
    detail = getattr(reason, "strerror", None) or str(reason)
    return f"cannot reach the token authority {authority}: {detail}"


@dataclass
class _Response:
    status_code: int
    text: str
    headers: dict[str, str]

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise OAuth2Error(f"HTTP {self.status_code} from the token authority")


class HttpClient:
    """msal's HTTP client on urllib with our own TLS context.

    requests (msal's default) lets REQUESTS_CA_BUNDLE silently replace the CAs it was given; here only
    the system store and BOT_CA_FILE decide which authority is trusted.
    """

    def __init__(self, context: ssl.SSLContext) -> None:
        from urllib.request import HTTPSHandler, build_opener  # here: a bot with passwords never loads it

        self._opener = build_opener(HTTPSHandler(context=context))

    def get(self, url: str, params: Mapping[str, str] | None = None, headers: Mapping[str, str] | None = None,
            **kwargs: Any) -> _Response:
        from urllib.request import Request

        return self._send(Request(_with_query(url, params), headers=dict(headers or {})))

    def post(self, url: str, params: Mapping[str, str] | None = None, data: Any = None,
             headers: Mapping[str, str] | None = None, **kwargs: Any) -> _Response:
        from urllib.request import Request

        body = urllib.parse.urlencode(data) if isinstance(data, Mapping) else (data or "")
        request = Request(_with_query(url, params), data=str(body).encode(),
                          headers={"Content-Type": "application/x-www-form-urlencoded", **dict(headers or {})},
                          method="POST")
        return self._send(request)

    def close(self) -> None:
        """Nothing to close: every request has its own connection."""

    def _send(self, request: Request) -> _Response:
        if not request.full_url.lower().startswith("https://"):
            raise OAuth2Error(f"the token authority must be HTTPS, not {request.full_url.split('/')[0]}")
        try:
            with self._opener.open(request, timeout=_HTTP_TIMEOUT_S) as response:
                return _Response(response.status, response.read().decode("utf-8", "replace"),
                                 dict(response.headers.items()))
        except urllib.error.HTTPError as exc:
            with exc:
                return _Response(exc.code, exc.read().decode("utf-8", "replace"), dict(exc.headers.items()))


def _with_query(url: str, params: Mapping[str, str] | None) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urllib.parse.urlencode(params)}" if params else url

