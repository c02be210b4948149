"""The fakes of HelseID and the AR API really check what NHN's servers check: a bot that cuts corners fails here."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import jwt as pyjwt
import pytest
from joserfc.jwk import ECKey

from bot.ar.http import https_client
from bot.ar.keys import JWT_BEARER, ClientKey
from sandbox import NhnServices
from sandbox.nhn import CLIENT_ID

SCOPE = "nhn:cp-api/access-v2-dpop"


@pytest.fixture
def http(nhn: NhnServices) -> Iterator[httpx.Client]:
    with https_client(nhn.ca_file) as client:
        yield client


@pytest.fixture
def key(nhn: NhnServices) -> ClientKey:
    return ClientKey.load(nhn.key_file)


def token_request(http: httpx.Client, nhn: NhnServices, key: ClientKey, *, nonce: str | None = None,
                  aud: str | None = None, proof: str | None = "make") -> httpx.Response:
    now = nhn.helseid_time()
    endpoint = nhn.helseid.token_endpoint
    form = {"grant_type": "client_credentials", "client_id": CLIENT_ID, "scope": SCOPE,
            "client_assertion_type": JWT_BEARER,
            "client_assertion": key.client_assertion(CLIENT_ID, aud or nhn.helseid.base_url, now)}
    headers = {"DPoP": key.dpop_proof("POST", endpoint, now, nonce=nonce)} if proof == "make" else {}
    return http.post(endpoint, data=form, headers=headers)


def access_token(http: httpx.Client, nhn: NhnServices, key: ClientKey) -> str:
    nonce = token_request(http, nhn, key).headers["DPoP-Nonce"]
    return str(token_request(http, nhn, key, nonce=nonce).json()["access_token"])


def get(http: httpx.Client, nhn: NhnServices, token: str, proof: str, *, scheme: str = "DPoP",
        her_id: int = 8142326) -> httpx.Response:
    url = f"{nhn.api.base_url}/api/v1/communicationparty/{her_id}"
    return http.get(url, headers={"Authorization": f"{scheme} {token}", "DPoP": proof})


def error_of(response: httpx.Response) -> str:
    if response.status_code == 400:
        return str(response.json()["error"])
    return str(response.headers.get("WWW-Authenticate", "")).split('error="')[1].split('"')[0]


def test_helseid_demands_a_nonce_first(http: httpx.Client, nhn: NhnServices, key: ClientKey) -> None:
    """A proof without nonce is answered 400 use_dpop_nonce with a DPoP-Nonce header, every time."""
    for _ in range(2):
        first = token_request(http, nhn, key)
        assert (first.status_code, error_of(first)) == (400, "use_dpop_nonce") and first.headers["DPoP-Nonce"]


def test_helseid_binds_the_token_to_the_proof_key(http: httpx.Client, nhn: NhnServices, key: ClientKey) -> None:
    """The token's cnf.jkt is the proof key's thumbprint and its audience the API's."""
    claims = pyjwt.decode(access_token(http, nhn, key), options={"verify_signature": False})
    assert claims["cnf"] == {"jkt": key.jkt} and claims["aud"] == ["nhn:cp-api"] and claims["scope"] == [SCOPE]


def test_helseid_refuses_a_request_without_proof(http: httpx.Client, nhn: NhnServices, key: ClientKey) -> None:
    """No DPoP header: invalid_dpop_proof."""
    assert error_of(token_request(http, nhn, key, proof=None)) == "invalid_dpop_proof"


def test_helseid_refuses_an_assertion_for_another_audience(http: httpx.Client, nhn: NhnServices,
                                                             key: ClientKey) -> None:
    """An assertion addressed elsewhere is invalid_client."""
    response = token_request(http, nhn, key, aud="https://login.microsoftonline.com")
    assert error_of(response) == "invalid_client" and "aud" in response.json()["error_description"]


def test_helseid_refuses_a_replayed_assertion(http: httpx.Client, nhn: NhnServices, key: ClientKey) -> None:
    """A client assertion is good for one request."""
    now = nhn.helseid_time()
    assertion = key.client_assertion(CLIENT_ID, nhn.helseid.base_url, now)
    form = {"grant_type": "client_credentials", "client_id": CLIENT_ID, "scope": SCOPE,
            "client_assertion_type": JWT_BEARER, "client_assertion": assertion}
    endpoint = nhn.helseid.token_endpoint
    http.post(endpoint, data=form, headers={"DPoP": key.dpop_proof("POST", endpoint, now)})
    again = http.post(endpoint, data=form, headers={"DPoP": key.dpop_proof("POST", endpoint, now)})
    assert "used before" in again.json()["error_description"]


def test_the_api_serves_a_party_for_a_proper_proof(http: httpx.Client, nhn: NhnServices, key: ClientKey) -> None:
    """Token plus a proof with ath for this URL: 200 and the party in NHN's model."""
    token = access_token(http, nhn, key)
    url = f"{nhn.api.base_url}/api/v1/communicationparty/8142326"
    response = get(http, nhn, token, key.dpop_proof("GET", url, nhn.helseid_time(), access_token=token))
    assert response.status_code == 200 and response.json()["herId"] == 8142326


@pytest.mark.parametrize("flaw", ["bearer", "no ath", "other url", "other key", "replayed", "post"])
def test_the_api_refuses_a_flawed_proof(http: httpx.Client, nhn: NhnServices, key: ClientKey, flaw: str,
                                        tmp_path: Path) -> None:
    """Each corner cut is a 401 with the RFC 9449 error in WWW-Authenticate."""
    token = access_token(http, nhn, key)
    url = f"{nhn.api.base_url}/api/v1/communicationparty/8142326"
    now = nhn.helseid_time()
    proof = key.dpop_proof("GET", url, now, access_token=token)
    if flaw == "no ath":
        proof = key.dpop_proof("GET", url, now)
    elif flaw == "other url":
        proof = key.dpop_proof("GET", f"{nhn.api.base_url}/api/v1/communicationparty/8142320", now,
                               access_token=token)
    elif flaw == "other key":
        other = tmp_path / "other.jwk"
        other.write_text(json.dumps(ECKey.generate_key("P-256").as_dict(private=True)))
        proof = ClientKey.load(other).dpop_proof("GET", url, now, access_token=token)
    elif flaw == "replayed":
        assert get(http, nhn, token, proof).status_code == 200
    elif flaw == "post":
        proof = key.dpop_proof("POST", url, now, access_token=token)
    response = get(http, nhn, token, proof, scheme="Bearer" if flaw == "bearer" else "DPoP")
    expected = "invalid_token" if flaw == "bearer" else "invalid_dpop_proof"
    assert (response.status_code, error_of(response)) == (401, expected)
