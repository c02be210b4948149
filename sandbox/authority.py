"""A local OAuth2 authority shaped like Microsoft Entra ID: discovery and client-credentials tokens over TLS."""

from __future__ import annotations

import json
import secrets
import ssl
import threading
import time
import uuid
from base64 import urlsafe_b64encode
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes

LOOPBACK = "127.0.0.1"
EXCHANGE = "https://outlook.office365.com"
IMAP_ROLE = "IMAP.AccessAsApp"
SMTP_ROLE = "SMTP.SendAsApp"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
NOT_CONNECTED = "User is authenticated but not connected."


@dataclass
class App:
    """An app registration plus what Exchange knows of its service principal."""

    client_id: str
    mailbox: str  # the mailbox the app is meant for (sandbox apps serve one mailbox)
    secret: str | None = None
    secret_expired: bool = False
    certificate_pem: bytes | None = None  # the public certificate "uploaded" to the registration
    roles: tuple[str, ...] = (IMAP_ROLE, SMTP_ROLE)  # application permissions with admin consent
    connected: bool = True  # New-ServicePrincipal + Add-MailboxPermission done


@dataclass
class _Token:
    mailbox: str
    audience: str
    roles: tuple[str, ...]
    expires_at: float
    app: App | None = None  # None: a token issued straight to a user (test helper)
    revoked: bool = False


@dataclass(frozen=True)
class TokenCheck:
    """What a resource server (Dovecot, the SMTP gateway) learns about a bearer token."""

    ok: bool
    mailbox: str | None = None
    not_connected: bool = False


def _b64url(data: bytes) -> str:
    return urlsafe_b64encode(data).rstrip(b"=").decode()


def _aad_error(code: int, error: str, text: str) -> dict[str, Any]:
    trace = uuid.uuid4()
    return {"error": error, "error_codes": [code], "trace_id": str(trace), "correlation_id": str(uuid.uuid4()),
            "error_description": f"AADSTS{code}: {text} Trace ID: {trace} Timestamp: {time.strftime('%F %T')}Z",
            "error_uri": f"https://login.microsoftonline.com/error?code={code}"}


@dataclass
class OAuth2Authority:
    """Tenants, app registrations and issued tokens; served over HTTPS by `serve()`."""

    tenant_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    token_lifetime_s: float = 3600.0
    apps: dict[str, App] = field(default_factory=dict)
    on_expired: Callable[[str], None] | None = None  # a mailbox whose newest token just expired
    issued: list[str] = field(default_factory=list)
    _tokens: dict[str, _Token] = field(default_factory=dict)
    _key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _timers: list[threading.Timer] = field(default_factory=list)
    base_url: str = ""

    def register(self, app: App) -> App:
        self.apps[app.client_id] = app
        return app

    # -- tokens -----------------------------------------------------------------------------------------

    def issue_user_token(self, mailbox: str) -> str:
        """A token bound to one mailbox (like a delegated token): every protocol accepts it."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = _Token(mailbox.lower(), EXCHANGE, (IMAP_ROLE, SMTP_ROLE), time.time() + 86400)
        return token

    def _issue_app_token(self, app: App, audience: str) -> dict[str, Any]:
        now = time.time()
        lifetime = self.token_lifetime_s
        roles = app.roles if audience == EXCHANGE else ()
        claims = {"aud": audience, "iss": f"https://sts.windows.net/{self.tenant_id}/", "tid": self.tenant_id,
                  "appid": app.client_id, "roles": list(roles), "iat": int(now), "nbf": int(now),
                  "exp": int(now + lifetime), "jti": secrets.token_urlsafe(8)}
        token = jwt.encode(claims, self._key, algorithm="HS256")
        record = _Token(app.mailbox.lower(), audience, roles, now + lifetime, app)
        with self._lock:
            self._tokens[token] = record
            self.issued.append(token)
            timer = threading.Timer(lifetime, self._expired, args=(token,))
            timer.daemon = True
            self._timers.append(timer)
        timer.start()
        return {"token_type": "Bearer", "expires_in": int(lifetime) or 1, "ext_expires_in": int(lifetime) or 1,
                "access_token": token}

    def _expired(self, token: str) -> None:
        # Exchange Online ends a session when its token expires. Dovecot cannot tell which session used
        # which token, so the sandbox drops the mailbox's sessions only when its newest token expires.
        with self._lock:
            record = self._tokens.get(token)
            newer = [t for t in self.issued if t != token and self._tokens[t].mailbox == (record and record.mailbox)
                     and self._tokens[t].expires_at > (record.expires_at if record else 0)]
        if record is not None and not newer and self.on_expired is not None:
            self.on_expired(record.mailbox)

    def revoke_all(self) -> None:
        """Revoke every token issued so far (an admin's "revoke sessions"), as Entra ID can."""
        with self._lock:
            for record in self._tokens.values():
                record.revoked = True

    def check(self, token: str, role: str, mailbox: str | None = None) -> TokenCheck:
        """Whether `token` lets its holder use `role` (on `mailbox`, when the protocol names one)."""
        with self._lock:
            record = self._tokens.get(token)
        if record is None or record.revoked or record.expires_at <= time.time():
            return TokenCheck(False)
        if record.audience != EXCHANGE or role not in record.roles:
            return TokenCheck(False)
        if mailbox is not None and mailbox.lower() != record.mailbox:
            return TokenCheck(False)
        if record.app is not None and not record.app.connected:
            return TokenCheck(False, record.mailbox, not_connected=True)
        return TokenCheck(True, record.mailbox)

    def stop(self) -> None:
        with self._lock:
            timers, self._timers = self._timers, []
        for timer in timers:
            timer.cancel()

    def reset(self) -> None:
        """Forget every app and token (for the next test); the tenant and its URL stay."""
        self.stop()
        with self._lock:
            self.apps.clear()
            self._tokens.clear()
            self.issued.clear()
        self.token_lifetime_s = 3600.0

    # -- the token endpoint -----------------------------------------------------------------------------

    def token_response(self, tenant: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """Answer a token request as Entra ID would: (HTTP status, JSON body)."""
        if tenant != self.tenant_id:
            return 400, _aad_error(90002, "invalid_tenant", f"Tenant '{tenant}' not found.")
        if form.get("grant_type") != "client_credentials":
            return 400, _aad_error(70003, "unsupported_grant_type", "The app requested an unsupported grant type.")
        app = self.apps.get(form.get("client_id", ""))
        if app is None:
            return 400, _aad_error(700016, "unauthorized_client", f"Application with identifier "
                                   f"'{form.get('client_id', '')}' was not found in the directory '{tenant}'.")
        scopes = form.get("scope", "").split()
        if len(scopes) != 1 or not scopes[0].endswith("/.default"):
            return 400, _aad_error(1002012, "invalid_scope", "The provided value for scope is not valid. Client "
                                   "credential flows must have a scope value with /.default suffixed.")
        problem = self._client_problem(app, form)
        if problem is not None:
            return 401, problem
        return 200, self._issue_app_token(app, scopes[0].removesuffix("/.default"))

    def _client_problem(self, app: App, form: dict[str, str]) -> dict[str, Any] | None:
        if "client_secret" in form:
            if app.secret is None or not secrets.compare_digest(form["client_secret"], app.secret):
                return _aad_error(7000215, "invalid_client", "Invalid client secret provided. Ensure the secret "
                                  "being sent in the request is the client secret value, not the client secret ID.")
            if app.secret_expired:
                return _aad_error(7000222, "invalid_client", f"The provided client secret keys for app "
                                  f"'{app.client_id}' are expired.")
            return None
        assertion = form.get("client_assertion")
        if not assertion or form.get("client_assertion_type") != JWT_BEARER:
            return _aad_error(7000218, "invalid_client", "The request body must contain the following "
                              "parameter: 'client_assertion' or 'client_secret'.")
        return self._assertion_problem(app, assertion)

    def _assertion_problem(self, app: App, assertion: str) -> dict[str, Any] | None:
        try:
            header = jwt.get_unverified_header(assertion)
        except jwt.PyJWTError:
            return _aad_error(50027, "invalid_request", "JWT token is invalid or malformed.")
        cert = x509.load_pem_x509_certificate(app.certificate_pem) if app.certificate_pem else None
        known = cert is not None and (
            str(header.get("x5t#S256", "")).rstrip("=") == _b64url(cert.fingerprint(hashes.SHA256()))
            or str(header.get("x5t", "")).rstrip("=") == _b64url(cert.fingerprint(hashes.SHA1())))
        if cert is None or not known:
            return _aad_error(700027, "invalid_client", "The certificate with identifier used to sign the client "
                              "assertion is not registered on application. [Reason - The key was not found.]")
        try:
            claims = jwt.decode(assertion, cert.public_key(), algorithms=["PS256", "RS256"],  # type: ignore[arg-type]
                                audience=self.token_endpoint(self.tenant_id),
                                options={"require": ["exp", "iss", "sub", "aud"]})
        except jwt.ExpiredSignatureError:
            return _aad_error(700024, "invalid_client", "Client assertion is not within its valid time range.")
        except jwt.PyJWTError:
            return _aad_error(700027, "invalid_client", "Client assertion failed signature validation.")
        if claims.get("iss") != app.client_id or claims.get("sub") != app.client_id:
            return _aad_error(700021, "invalid_client", "Client assertion application identifier doesn't match "
                              "'client_id' parameter.")
        return None

    def token_endpoint(self, tenant: str) -> str:
        return f"{self.base_url}/{tenant}/oauth2/v2.0/token"

    def openid_configuration(self, tenant: str) -> tuple[int, dict[str, Any]]:
        if tenant != self.tenant_id:
            return 400, _aad_error(90002, "invalid_tenant", f"Tenant '{tenant}' not found. Check to make sure "
                                   "you have the correct tenant ID and are signing into the correct cloud.")
        base = f"{self.base_url}/{tenant}"
        return 200, {"token_endpoint": self.token_endpoint(tenant), "issuer": f"{base}/v2.0",
                     "authorization_endpoint": f"{base}/oauth2/v2.0/authorize", "jwks_uri": f"{base}/keys",
                     "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"]}


# -- HTTP ----------------------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        authority = self.server.authority
        parts = self.path.split("?", 1)[0].strip("/").split("/")
        if parts[0] == "introspect":
            # Dovecot's oauth2 passdb: the first passdb asks /introspect, the second (its fallback)
            # /introspect/not-connected, which turns an app without mailbox rights into Exchange's message.
            token = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
            result = authority.check(token, IMAP_ROLE)
            wanted_not_connected = parts[1:] == ["not-connected"]
            if result.mailbox and result.not_connected == wanted_not_connected:
                self._reply(200, {"active": True, "username": result.mailbox, "reason": NOT_CONNECTED})
            else:
                self._reply(200, {"active": False})
            return
        if len(parts) == 4 and parts[1:] == ["v2.0", ".well-known", "openid-configuration"]:
            self._reply(*authority.openid_configuration(parts[0]))
            return
        self._reply(404, {"error": "not_found"})

    def do_POST(self) -> None:
        parts = self.path.split("?", 1)[0].strip("/").split("/")
        length = min(int(self.headers.get("Content-Length") or 0), 64 * 1024)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode("utf-8", "replace")).items()}
        if len(parts) == 4 and parts[1:] == ["oauth2", "v2.0", "token"]:
            self._reply(*self.server.authority.token_response(parts[0], form))
            return
        self._reply(404, {"error": "not_found"})

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the default handler writes every request to stderr."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, authority: OAuth2Authority, tls: ssl.SSLContext | None) -> None:
        super().__init__((LOOPBACK, 0), _Handler)
        self.authority = authority
        if tls is not None:
            self.socket = tls.wrap_socket(self.socket, server_side=True)
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        port: int = self.server_address[1]
        return port

    def stop(self) -> None:
        self.shutdown()
        self._thread.join()
        self.server_close()


class AuthorityServers:
    """The authority over HTTPS (for the bot) and its introspection over plain loopback HTTP (for Dovecot)."""

    def __init__(self, authority: OAuth2Authority, tls: ssl.SSLContext) -> None:
        self.authority = authority
        self._https = _Server(authority, tls)
        self._http = _Server(authority, None)
        authority.base_url = f"https://{LOOPBACK}:{self._https.port}"
        self.introspection_url = f"http://{LOOPBACK}:{self._http.port}/introspect"

    def stop(self) -> None:
        self.authority.stop()
        self._https.stop()
        self._http.stop()
