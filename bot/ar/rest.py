"""NHN's CommunicationParty API (Adresseregisteret) over REST: one GET per HER-id, DPoP on every call."""

from __future__ import annotations

import re
import threading

from bot.ar.helseid import HelseIdTokens
from bot.ar.http import Reply, json_body, send
from bot.ar.model import ArError, CommunicationParty, UnknownHerId, parse_party

SERVICE = "the AR API"
DEFAULT_SCOPE = "nhn:cp-api/access-v2-dpop"
_ERROR = re.compile(r'\berror="([^"]*)"')
_DESCRIPTION = re.compile(r'\berror_description="([^"]*)"')


class RestAddressRegister:
    """`GET {base}/api/v1/communicationparty/{herId}` with a HelseID DPoP token.

    A resource-server nonce challenge (401, `error="use_dpop_nonce"`) is answered once with the nonce given;
    a token the API no longer accepts (`invalid_token`) is replaced once. Everything else is one ArError line.
    """

    def __init__(self, base_url: str, tokens: HelseIdTokens) -> None:
        self.base_url = base_url.rstrip("/")
        self.tokens = tokens
        self._lock = threading.Lock()
        self._nonce: str | None = None  # the API's latest DPoP-Nonce, if it uses them
        self.nonce_retries = 0

    def close(self) -> None:
        """Close the HTTPS connections (HelseID's and the API's share one client)."""
        self.tokens.http.close()

    def lookup(self, her_id: int) -> CommunicationParty:
        url = f"{self.base_url}/api/v1/communicationparty/{int(her_id)}"
        token = self.tokens.token()
        renewed = retried_nonce = False
        while True:
            reply = self._get(url, token.value)
            if reply.status_code == 200:
                return parse_party(her_id, json_body(reply, SERVICE, required=True))
            if reply.status_code == 404:
                raise UnknownHerId(her_id)
            error, detail = _challenge(reply)
            if reply.status_code == 401 and error == "use_dpop_nonce" and "DPoP-Nonce" in reply.headers:
                if retried_nonce:
                    raise ArError(f"{SERVICE} at {self.base_url} asked for a new DPoP nonce again after one retry "
                                  "(use_dpop_nonce): check this machine's clock")
                retried_nonce = True
                self.nonce_retries += 1
                continue
            if reply.status_code == 401 and error == "invalid_token" and not renewed:
                self.tokens.invalidate(token)
                token = self.tokens.token()
                renewed = True
                continue
            raise ArError(_refusal(self.base_url, her_id, reply.status_code, error, detail))

    def _get(self, url: str, access_token: str) -> Reply:
        with self._lock:
            nonce = self._nonce
        proof = self.tokens.key.dpop_proof("GET", url, self.tokens.wall(), nonce=nonce, access_token=access_token)
        reply = send(self.tokens.http, "GET", url, SERVICE,
                     headers={"Authorization": f"DPoP {access_token}", "DPoP": proof, "Accept": "application/json"})
        if "DPoP-Nonce" in reply.headers:
            with self._lock:
                self._nonce = reply.headers["DPoP-Nonce"]
        return reply


def _challenge(reply: Reply) -> tuple[str, str]:
    """The error code and description of a 401's `WWW-Authenticate: DPoP …` header (RFC 9449 §7.1)."""
    header = reply.headers.get("WWW-Authenticate", "")
    error = _ERROR.search(header)
    description = _DESCRIPTION.search(header)
    return (error.group(1) if error else ""), (description.group(1) if description else "")


def _refusal(base_url: str, her_id: int, status: int, error: str, detail: str) -> str:
    said = f" ({error}{': ' + detail[:200] if detail else ''})" if error else ""
    if status == 401:
        return f"{SERVICE} at {base_url} refused the HelseID token{said}: check BOT_AR_SCOPE and BOT_AR_URL"
    if status == 403:
        return (f"{SERVICE} at {base_url} denied access (403){said}: the HelseID client lacks access to the "
                "CommunicationParty API")
    return f"{SERVICE} at {base_url} answered HTTP {status} for HER-id {her_id}{said}"
