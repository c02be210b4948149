"""HelseID client credentials with DPoP: a private-key JWT assertion, the nonce round, a token cached in memory."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from bot.ar.http import json_body, send
from bot.ar.keys import JWT_BEARER, ClientKey
from bot.ar.model import ArError
from bot.mail.oauth2 import AccessToken

log = logging.getLogger(__name__)

DEFAULT_AUTHORITY = "https://helseid-sts.nhn.no"
_RENEW_BEFORE_S = 60.0


class HelseIdTokens:
    """Access tokens for one HelseID client and scope; one request (two with the nonce round) per lifetime.

    Client assertions and DPoP proofs carry `wall()` — real time, never the simulated `--now` — because
    HelseID and the API check them against their own clocks. Thread-safe.
    """

    def __init__(self, authority: str, client_id: str, scope: str, key: ClientKey, http: httpx.Client, *,
                 wall: Callable[[], float] = time.time, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.authority = authority.rstrip("/")
        self.token_endpoint = f"{self.authority}/connect/token"
        self.client_id = client_id
        self.scope = scope
        self.key = key
        self.wall = wall
        self.http = http
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._current: AccessToken | None = None
        self._nonce: str | None = None  # HelseID's latest DPoP-Nonce, sent with the next request
        self.requests = 0  # token requests sent, the nonce round included

    def token(self) -> AccessToken:
        """The cached token, or a new one when it is (about to be) expired; ArError when HelseID refuses."""
        with self._lock:
            now = self._monotonic()
            if self._current is not None and now < self._current.renew_at:
                return self._current
            body = self._request()
            kind = str(body.get("token_type", ""))
            if kind.lower() != "dpop":
                raise ArError(f"HelseID issued a {kind or 'typeless'} token, not a DPoP token: the client must be "
                              "set up for DPoP in HelseID Selvbetjening")
            value = body.get("access_token")
            if not isinstance(value, str) or not value:
                raise ArError(f"HelseID's token response from {self.token_endpoint} holds no access_token")
            lifetime = max(1.0, float(body.get("expires_in") or 0))
            self._current = AccessToken(value, now + lifetime, now + lifetime - min(_RENEW_BEFORE_S, lifetime / 5))
            log.info("HelseID DPoP token for client %s obtained (scope %s); valid %d s", self.client_id,
                     self.scope, lifetime)
            return self._current

    def invalidate(self, token: AccessToken) -> None:
        """Forget `token` (the API refused it), so the next call asks HelseID for a new one."""
        with self._lock:
            if self._current is not None and self._current.value == token.value:
                self._current = None

    def _request(self) -> dict[str, Any]:
        """POST to the token endpoint; a `use_dpop_nonce` answer is expected and retried once with the nonce."""
        for attempt in range(2):
            now = self.wall()
            form = {"grant_type": "client_credentials", "client_id": self.client_id, "scope": self.scope,
                    "client_assertion_type": JWT_BEARER,
                    "client_assertion": self.key.client_assertion(self.client_id, self.authority, now)}
            proof = self.key.dpop_proof("POST", self.token_endpoint, now, nonce=self._nonce)
            self.requests += 1
            response = send(self.http, "POST", self.token_endpoint, "HelseID", data=form, headers={"DPoP": proof})
            self._nonce = response.headers.get("DPoP-Nonce") or self._nonce
            body = json_body(response, "HelseID", required=response.status_code == 200)
            if response.status_code == 200:
                return body
            if body.get("error") == "use_dpop_nonce" and "DPoP-Nonce" in response.headers and attempt == 0:
                continue
            raise ArError(describe_refusal(self, response.status_code, body))
        raise AssertionError("unreachable")  # pragma: no cover


# What HelseID's token endpoint answers (RFC 6749 §5.2, RFC 9449 §8) and what an administrator does about it.
_REFUSALS: Mapping[str, str] = {
    "invalid_client": "BOT_HELSEID_CLIENT_ID is not a HelseID client, BOT_HELSEID_PRIVATE_KEY_FILE is not the "
                      "key registered for it in HelseID Selvbetjening, or this machine's clock is off",
    "unauthorized_client": "the HelseID client may not use client credentials",
    "invalid_scope": "the HelseID client has not been granted BOT_AR_SCOPE {scope!r} (ask for access to the "
                     "CommunicationParty API in HelseID Selvbetjening)",
    "invalid_dpop_proof": "HelseID did not accept the bot's DPoP proof: check this machine's clock",
    "use_dpop_nonce": "HelseID asked for a new DPoP nonce again after one retry: check this machine's clock",
}


def describe_refusal(tokens: HelseIdTokens, status: int, body: Mapping[str, Any]) -> str:
    """One line for a token endpoint error: what to fix, HelseID's error code, and its description."""
    error = str(body.get("error") or f"HTTP {status}")
    detail = " ".join(str(body.get("error_description") or "").split())[:200]
    hint = _REFUSALS.get(error, "HelseID refused the token request").format(scope=tokens.scope)
    return f"token request to {tokens.token_endpoint} refused: {hint} ({error}{': ' + detail if detail else ''})"
