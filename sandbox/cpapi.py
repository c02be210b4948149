"""A local CommunicationParty API (Adresseregisteret): DPoP-bound HelseID tokens checked, parties from a table."""

from __future__ import annotations

import copy
import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.helseid import CP_SCOPE, FakeHelseId, ProofError, Seen, verify_proof
from sandbox.https import Request, Response

PARTIES_FILE = Path(__file__).with_name("ar_parties.json")
_PARTY_PATH = re.compile(r"^/api/v1/communicationparty/(\d{1,9})$")


def fixture_parties() -> dict[int, dict[str, Any]]:
    """The sandbox's table of communication parties, in NHN's CommunicationParty model, by HER-id."""
    rows = json.loads(PARTIES_FILE.read_text(encoding="utf-8"))["communicationParties"]
    return {int(row["herId"]): row for row in rows}


@dataclass
class FakeCommunicationPartyApi:
    """`GET /api/v1/communicationparty/{herId}` as NHN serves it, for tokens from `helseid` only.

    `require_nonce` makes it challenge proofs without its current nonce (RFC 9449 §9); `stubborn_nonce`
    makes every nonce stale at once; `outage` answers every request with that HTTP status.
    """

    helseid: FakeHelseId
    base_url: str = ""
    parties: dict[int, dict[str, Any]] = field(default_factory=fixture_parties)
    require_nonce: bool = False
    stubborn_nonce: bool = False
    outage: int | None = None
    looked_up: list[int] = field(default_factory=list)
    proofs: Seen = field(default_factory=Seen)
    _nonce: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self._lock:
            self.parties = fixture_parties()
            self.require_nonce = self.stubborn_nonce = False
            self.outage = None
            self.looked_up.clear()
            self.proofs = Seen()

    def party(self, her_id: int) -> dict[str, Any]:
        """The table's row for `her_id`, to change in a test."""
        return self.parties[her_id]

    def handle(self, request: Request) -> Response:
        found = _PARTY_PATH.match(request.path)
        if request.method != "GET" or found is None:
            return Response(404, {"title": "Not Found", "status": 404})
        with self._lock:
            if self.outage is not None:
                return Response(self.outage, {"title": "Service Unavailable", "status": self.outage})
            return self._lookup(request, int(found.group(1)))

    def _lookup(self, request: Request, her_id: int) -> Response:
        scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
        if scheme != "DPoP" or not token:
            return _challenge("invalid_token", "a DPoP-bound access token is required (Authorization: DPoP ...)")
        claims = self.helseid.access_token_claims(token)
        if claims is None:
            return _challenge("invalid_token", "the access token is not valid or has expired")
        if "nhn:cp-api" not in claims.get("aud", []) or CP_SCOPE not in claims.get("scope", []):
            return Response(403, {"title": "Forbidden", "status": 403},
                            {"WWW-Authenticate": f'DPoP error="insufficient_scope", scope="{CP_SCOPE}"'})
        try:
            proof, jkt = verify_proof(request.headers.get("DPoP"), "GET", request.url, self.proofs,
                                      access_token=token)
        except ProofError as exc:
            return _challenge("invalid_dpop_proof", str(exc))
        if jkt != claims.get("cnf", {}).get("jkt"):
            return _challenge("invalid_dpop_proof", "the proof is signed with another key than the token is bound to")
        if self.stubborn_nonce:
            self._nonce = secrets.token_urlsafe(16)
        if self.require_nonce and proof.get("nonce") != self._nonce:
            return _challenge("use_dpop_nonce", "Resource server requires nonce in DPoP proof",
                              {"DPoP-Nonce": self._nonce})
        self.looked_up.append(her_id)
        party = self.parties.get(her_id)
        if party is None:
            return Response(404, {"title": "Not Found", "status": 404,
                                  "detail": f"CommunicationParty with herId {her_id} was not found"})
        return Response(200, copy.deepcopy(party))


def _challenge(error: str, description: str, headers: dict[str, str] | None = None) -> Response:
    said = description.replace('"', "'").encode("ascii", "replace").decode()
    value = f'DPoP algs="ES256 PS256 RS256", error="{error}", error_description="{said}"'
    return Response(401, None, {"WWW-Authenticate": value, **(headers or {})})
