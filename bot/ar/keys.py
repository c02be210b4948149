"""The HelseID client's private key (a JWK or PEM file): it signs client assertions and DPoP proofs (joserfc)."""

from __future__ import annotations

import hashlib
import json
import secrets
from base64 import urlsafe_b64encode
from pathlib import Path
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, RSAKey, import_key

from bot.ar.model import ArError

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_LIFETIME_S = 60  # HelseID: "exp … must be no more than 60 seconds in the future"
_EC_ALG = {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}
_SETTING = "BOT_HELSEID_PRIVATE_KEY_FILE"


def b64url_sha256(text: str) -> str:
    """base64url(SHA-256(text)) without padding: a DPoP proof's `ath` for an access token (RFC 9449 §4.2)."""
    return urlsafe_b64encode(hashlib.sha256(text.encode("ascii")).digest()).rstrip(b"=").decode()


def _import(text: str, raw: bytes) -> tuple[RSAKey | ECKey, str]:
    """A JWK (its `alg`, if it names one) or a PEM key, RSA or EC."""
    if text.startswith("{"):
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("kty") not in ("RSA", "EC"):
            raise ValueError("not an RSA or EC JWK")
        return _rsa_or_ec(import_key(data, data["kty"])), str(data.get("alg") or "")
    try:
        return _rsa_or_ec(import_key(raw, "RSA")), ""
    except JoseError:
        return _rsa_or_ec(import_key(raw, "EC")), ""


def _rsa_or_ec(key: object) -> RSAKey | ECKey:
    if not isinstance(key, RSAKey | ECKey):
        raise ValueError("not an RSA or EC key")
    return key


class ClientKey:
    """One asymmetric private key (RSA or EC) and the algorithm it signs with."""

    def __init__(self, key: RSAKey | ECKey, alg: str, kid: str) -> None:
        self._key = key
        self.alg = alg
        self.kid = kid
        self.public_jwk: dict[str, Any] = {k: v for k, v in key.as_dict(private=False).items()
                                           if k in ("kty", "n", "e", "crv", "x", "y")}
        self.jkt = key.thumbprint()  # RFC 7638: what a DPoP-bound token's cnf.jkt must equal

    @classmethod
    def load(cls, path: Path) -> ClientKey:
        """The key in `path`: a private JWK (as HelseID Selvbetjening hands it out) or a PEM private key."""
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ArError(f"{_SETTING} {str(path)!r} cannot be read: {exc.strerror}") from None
        text = raw.decode("utf-8", "replace").strip()
        if "ENCRYPTED" in text:
            raise ArError(f"{_SETTING} {str(path)!r}: the private key is encrypted; store it unencrypted "
                          "in a file only the bot's user can read")
        try:
            key, alg = _import(text, raw)
        except (ValueError, JoseError, TypeError) as exc:
            raise ArError(f"{_SETTING} {str(path)!r} holds no usable private key (a private JWK or a PEM "
                          f"private key is needed): {str(exc) or type(exc).__name__}") from None
        if not key.is_private:
            raise ArError(f"{_SETTING} {str(path)!r} holds only a public key; the bot needs the private key")
        if not alg:
            alg = "PS256" if isinstance(key, RSAKey) else _EC_ALG.get(str(key.as_dict().get("crv")), "ES256")
        return cls(key, alg, str(key.kid or key.thumbprint()))

    def client_assertion(self, client_id: str, audience: str, now: float) -> str:
        """A private_key_jwt client assertion for HelseID's token endpoint, signed now (real time)."""
        claims = {"iss": client_id, "sub": client_id, "aud": audience, "jti": secrets.token_urlsafe(16),
                  "iat": int(now), "nbf": int(now), "exp": int(now) + ASSERTION_LIFETIME_S}
        return jwt.encode({"alg": self.alg, "kid": self.kid, "typ": "client-authentication+jwt"}, claims,
                          self._key, algorithms=[self.alg])

    def dpop_proof(self, method: str, url: str, now: float, *, nonce: str | None = None,
                   access_token: str | None = None) -> str:
        """A DPoP proof (RFC 9449) for one request: htm, htu, iat (real time), jti; nonce and ath when given."""
        claims: dict[str, Any] = {"jti": secrets.token_urlsafe(16), "htm": method.upper(),
                                  "htu": url.split("?", 1)[0].split("#", 1)[0], "iat": int(now)}
        if nonce:
            claims["nonce"] = nonce
        if access_token is not None:
            claims["ath"] = b64url_sha256(access_token)
        return jwt.encode({"alg": self.alg, "typ": "dpop+jwt", "jwk": self.public_jwk}, claims, self._key,
                          algorithms=[self.alg])
