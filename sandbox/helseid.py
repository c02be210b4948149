"""A local HelseID token endpoint: client credentials, private-key JWT assertions, DPoP proofs and nonces checked."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, import_key
from joserfc.jws import JWSRegistry

from sandbox.https import Request, Response

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
CP_SCOPE = "nhn:cp-api/access-v2-dpop"
CLOCK_SKEW_S = 60
NONCE_LIFETIME_S = 300
_ASYMMETRIC = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]


class _ProofRegistry(JWSRegistry):
    max_header_length = 4096  # a DPoP proof carries its public key: an RSA one outgrows joserfc's 512 bytes


_PROOFS = _ProofRegistry(algorithms=_ASYMMETRIC)


class ProofError(Exception):
    """A DPoP proof (or an assertion) that does not hold: the reason, as a server would put it."""


@dataclass
class HelseIdClient:
    """A client registered in HelseID Selvbetjening: its public key and the scopes it was granted."""

    client_id: str
    public_jwk: dict[str, Any]
    scopes: tuple[str, ...] = (CP_SCOPE,)


@dataclass
class Seen:
    """What a server has accepted so far: jti values (replays are refused) and the iat of every JWT."""

    jtis: set[str] = field(default_factory=set)
    iats: list[int] = field(default_factory=list)

    def once(self, claims: dict[str, Any], now: float, what: str) -> None:
        iat, jti = claims.get("iat"), claims.get("jti")
        if not isinstance(iat, int) or abs(iat - now) > CLOCK_SKEW_S:
            raise ProofError(f"{what} iat {iat!r} is not within {CLOCK_SKEW_S} s of the server's clock")
        if not isinstance(jti, str) or not jti or jti in self.jtis:
            raise ProofError(f"{what} jti is missing or was used before")
        self.jtis.add(jti)
        self.iats.append(iat)


def verify_proof(proof: str | None, method: str, url: str, seen: Seen, *,
                 access_token: str | None = None) -> tuple[dict[str, Any], str]:
    """Check a DPoP proof (RFC 9449 §4.3) for this request; returns its claims and its key's thumbprint."""
    if not proof:
        raise ProofError("no DPoP header")
    try:
        header = jws.extract_compact(proof.encode(), registry=_PROOFS).protected
        jwk = header.get("jwk")
        if header.get("typ") != "dpop+jwt" or header.get("alg") not in _ASYMMETRIC or not isinstance(jwk, dict):
            raise ProofError("the DPoP proof's header needs typ dpop+jwt, an asymmetric alg and a public jwk")
        if "d" in jwk:
            raise ProofError("the DPoP proof's jwk holds a private key")
        key = import_key(jwk, jwk.get("kty"))
        claims = jwt.decode(proof, key, registry=_PROOFS).claims
    except (JoseError, ValueError, TypeError) as exc:
        raise ProofError(f"the DPoP proof does not verify: {exc}") from None
    if claims.get("htm") != method or claims.get("htu") != url:
        raise ProofError(f"the DPoP proof is for {claims.get('htm')} {claims.get('htu')}, not {method} {url}")
    if access_token is not None and claims.get("ath") != _ath(access_token):
        raise ProofError("the DPoP proof's ath does not match the access token")
    seen.once(claims, time.time(), "the DPoP proof's")
    return claims, key.thumbprint()


def _ath(token: str) -> str:
    """RFC 9449 §4.2, computed here on its own so that a mistake in the bot's version shows."""
    return base64.urlsafe_b64encode(hashlib.sha256(token.encode()).digest()).decode().rstrip("=")


@dataclass
class FakeHelseId:
    """HelseID's /connect/token as the bot meets it; `serve` it over HTTPS and set `base_url`."""

    base_url: str = ""
    token_lifetime_s: int = 600
    clients: dict[str, HelseIdClient] = field(default_factory=dict)
    issued: list[str] = field(default_factory=list)
    assertions: Seen = field(default_factory=Seen)
    proofs: Seen = field(default_factory=Seen)
    requests: int = 0
    revoked: set[str] = field(default_factory=set)
    dpop_enabled: bool = True  # False: the client is set up for plain bearer tokens in Selvbetjening
    _key: ECKey = field(default_factory=lambda: ECKey.generate_key("P-256", {"kid": "sandbox-helseid"}))
    _nonces: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def token_endpoint(self) -> str:
        return f"{self.base_url}/connect/token"

    def register(self, client: HelseIdClient) -> HelseIdClient:
        self.clients[client.client_id] = client
        return client

    def forget_nonces(self) -> None:
        """Expire every nonce handed out: the next token request is challenged again."""
        with self._lock:
            self._nonces.clear()

    def revoke_all(self) -> None:
        """Every token issued so far stops working (the API answers invalid_token)."""
        with self._lock:
            self.revoked.update(self.issued)

    def reset(self) -> None:
        with self._lock:
            self.clients.clear()
            self.issued.clear()
            self.revoked.clear()
            self._nonces.clear()
            self.assertions, self.proofs, self.requests = Seen(), Seen(), 0
        self.token_lifetime_s = 600
        self.dpop_enabled = True

    def access_token_claims(self, token: str) -> dict[str, Any] | None:
        """The claims of a token this HelseID issued and that has not expired; None otherwise."""
        try:
            claims = jwt.decode(token, self._key, algorithms=["ES256"]).claims
        except (JoseError, ValueError):
            return None
        fresh = isinstance(claims.get("exp"), int) and claims["exp"] > time.time()
        return claims if fresh and token not in self.revoked else None

    def handle(self, request: Request) -> Response:
        if request.method != "POST" or request.path != "/connect/token":
            return Response(404, {"error": "not_found"})
        with self._lock:
            self.requests += 1
            return self._token(request)

    def _token(self, request: Request) -> Response:
        form = request.form
        if form.get("grant_type") != "client_credentials":
            return _error("unsupported_grant_type", "only client_credentials is set up in the sandbox")
        client = self.clients.get(form.get("client_id", ""))
        if client is None:
            return _error("invalid_client", "Unknown client")
        problem = self._assertion_problem(client, form)
        if problem:
            return _error("invalid_client", problem)
        try:
            proof, jkt = verify_proof(request.headers.get("DPoP"), "POST", self.token_endpoint, self.proofs)
        except ProofError as exc:
            return _error("invalid_dpop_proof", str(exc))
        now = time.time()
        if self._nonces.get(str(proof.get("nonce")), 0) <= now:
            nonce = secrets.token_urlsafe(16)
            self._nonces[nonce] = now + NONCE_LIFETIME_S
            return _error("use_dpop_nonce", "Missing or stale DPoP nonce", {"DPoP-Nonce": nonce})
        scopes = form.get("scope", "").split()
        if not scopes or not set(scopes) <= set(client.scopes):
            return _error("invalid_scope", f"Scope not allowed for client: {form.get('scope', '')}")
        claims = {"iss": self.base_url, "aud": sorted({s.split("/")[0] for s in scopes}), "scope": scopes,
                  "client_id": client.client_id, "iat": int(now), "nbf": int(now),
                  "exp": int(now) + self.token_lifetime_s, "jti": secrets.token_urlsafe(8), "cnf": {"jkt": jkt}}
        token = jwt.encode({"alg": "ES256", "typ": "at+jwt", "kid": "sandbox-helseid"}, claims, self._key,
                           algorithms=["ES256"])
        self.issued.append(token)
        kind = "DPoP" if self.dpop_enabled else "Bearer"
        return Response(200, {"access_token": token, "token_type": kind, "expires_in": self.token_lifetime_s,
                              "scope": " ".join(scopes)})

    def _assertion_problem(self, client: HelseIdClient, form: dict[str, str]) -> str | None:
        if form.get("client_assertion_type") != JWT_BEARER or not form.get("client_assertion"):
            return "client_assertion missing"
        try:
            key = import_key(client.public_jwk, client.public_jwk.get("kty"))
            claims = jwt.decode(form["client_assertion"], key, algorithms=_ASYMMETRIC).claims
        except (JoseError, ValueError, TypeError):
            return "No matching key found for the client assertion (signature validation failed)"
        audiences = {self.base_url, f"{self.base_url}/", self.token_endpoint}
        now = time.time()
        if claims.get("iss") != client.client_id or claims.get("sub") != client.client_id:
            return "client assertion iss and sub must be the client_id"
        if claims.get("aud") not in audiences:
            return f"client assertion aud {claims.get('aud')!r} is not HelseID"
        try:
            self.assertions.once(claims, now, "the client assertion's")
        except ProofError as exc:
            return str(exc)
        exp = claims.get("exp")
        if not isinstance(exp, int) or exp <= now or exp > now + 60 + CLOCK_SKEW_S:
            return "client assertion expired or lives longer than 60 s"
        return None


def _error(code: str, description: str, headers: dict[str, str] | None = None) -> Response:
    return Response(400, {"error": code, "error_description": description}, headers or {})
