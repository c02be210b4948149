"""The AR client against local fakes of HelseID and the CommunicationParty API: DPoP, nonces, refusals in one line."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from joserfc.jwk import RSAKey

from bot.app import build_address_register
from bot.ar import ArError, RestAddressRegister, UnknownHerId
from bot.ar.helseid import HelseIdTokens
from bot.ar.http import MAX_BODY_BYTES, https_client
from bot.ar.keys import ClientKey
from bot.settings import load_settings
from sandbox import NhnServices
from sandbox.dovecot import free_port


@pytest.fixture
def connect(nhn: NhnServices) -> Iterator[object]:
    """Build the client from BOT_* settings (the fakes' plus `changes`), as the bot does."""
    made: list[RestAddressRegister] = []

    def build(**changes: object) -> RestAddressRegister:
        env = {k.removeprefix("BOT_").lower(): v for k, v in nhn.env().items()}
        register = build_address_register(load_settings(**{**env, **changes}))
        assert register is not None
        made.append(register)
        return register

    yield build
    for register in made:
        register.close()


def refusal(register: RestAddressRegister, her_id: int = 8142326) -> str:
    with pytest.raises(ArError) as caught:
        register.lookup(her_id)
    text = str(caught.value)
    assert "\n" not in text
    return text


def test_a_look_up_through_helseid(connect, nhn: NhnServices) -> None:  # type: ignore[no-untyped-def]
    """The first token request is answered with use_dpop_nonce and repeated with the nonce; then the party."""
    register = connect()
    party = register.lookup(8142326)
    assert party.describe() == "Malvik kommune – Hjemmetjenesten, tjeneste"
    assert (register.tokens.requests, nhn.helseid.requests, len(nhn.helseid.issued)) == (2, 2, 1)
    assert nhn.api.looked_up == [8142326]


def test_the_token_is_reused_until_it_expires(connect, nhn: NhnServices) -> None:  # type: ignore[no-untyped-def]
    """Many look-ups, one token; HelseID is asked again only when the token runs out."""
    register = connect()
    for her_id in (8142326, 8142320, 8140002):
        register.lookup(her_id)
    assert len(nhn.helseid.issued) == 1


def test_an_expired_token_is_renewed_and_the_nonce_round_repeats_when_needed(nhn: NhnServices) -> None:
    """Past renew time a new token is fetched; HelseID's remembered nonce spares the round until it goes stale."""
    clock = [0.0]
    tokens = HelseIdTokens(nhn.helseid.base_url, "sandbox-oppkoblingsbot-ar", "nhn:cp-api/access-v2-dpop",
                           ClientKey.load(nhn.key_file), https_client(nhn.ca_file), monotonic=lambda: clock[0])
    try:
        first = tokens.token()
        clock[0] = 600 - 61.0
        assert tokens.token() is first and tokens.requests == 2
        clock[0] = 600 - 59.0
        second = tokens.token()
        assert second is not first and tokens.requests == 3  # the nonce from last time still holds
        nhn.helseid.forget_nonces()
        clock[0] = 2 * 600
        tokens.token()
        assert tokens.requests == 5  # stale nonce: use_dpop_nonce again, handled the same way
    finally:
        tokens.http.close()


def test_assertions_and_proofs_carry_the_real_time(connect, nhn: NhnServices) -> None:  # type: ignore[no-untyped-def]
    """Every JWT the bot signs has an iat of now (the fakes refuse anything a minute off)."""
    connect().lookup(8142326)
    iats = nhn.helseid.assertions.iats + nhn.helseid.proofs.iats + nhn.api.proofs.iats
    assert len(iats) == 5 and all(abs(iat - time.time()) < 30 for iat in iats)


def test_a_clock_a_minute_off_is_named(nhn: NhnServices) -> None:
    """With a wrong clock, HelseID's refusal says to check the clock."""
    tokens = HelseIdTokens(nhn.helseid.base_url, "sandbox-oppkoblingsbot-ar", "nhn:cp-api/access-v2-dpop",
                           ClientKey.load(nhn.key_file), https_client(nhn.ca_file), wall=lambda: time.time() + 3600)
    try:
        with pytest.raises(ArError, match="invalid_client: the client assertion's iat"):
            tokens.token()
    finally:
        tokens.http.close()


def test_an_unknown_her_id(connect) -> None:  # type: ignore[no-untyped-def]
    """A 404 is a definite answer: UnknownHerId, naming the number."""
    with pytest.raises(UnknownHerId, match="HER-id 9999999 is not in the Adresseregister"):
        connect().lookup(9999999)


def test_an_unknown_client(connect) -> None:  # type: ignore[no-untyped-def]
    """A client id HelseID does not know: one line naming the settings to check and invalid_client."""
    text = refusal(connect(helseid_client_id="ukjent-klient"))
    assert "BOT_HELSEID_CLIENT_ID is not a HelseID client" in text and "(invalid_client: Unknown client)" in text


def test_a_key_helseid_does_not_know(connect, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A private key other than the registered one is refused as invalid_client too."""
    other = tmp_path / "other.jwk"
    other.write_text(json.dumps(RSAKey.generate_key(2048).as_dict(private=True)))
    text = refusal(connect(helseid_private_key_file=other))
    assert "BOT_HELSEID_PRIVATE_KEY_FILE is not the key registered" in text and "invalid_client" in text


def test_a_refused_scope(connect, nhn: NhnServices) -> None:  # type: ignore[no-untyped-def]
    """A scope the client was not granted names BOT_AR_SCOPE and invalid_scope."""
    text = refusal(connect(ar_scope="nhn:cp-api/admin"))
    assert "has not been granted BOT_AR_SCOPE 'nhn:cp-api/admin'" in text and "(invalid_scope" in text


def test_a_client_without_dpop(connect, nhn: NhnServices) -> None:  # type: ignore[no-untyped-def]
    """A client set up for plain bearer tokens is told to turn DPoP on."""
    nhn.helseid.dpop_enabled = False
    assert "issued a Bearer token, not a DPoP token" in refusal(connect())


def test_a_resource_server_nonce_challenge_is_answered_once(connect, nhn: NhnServices) -> None:  # type: ignore[no-untyped-def]
    """The API's use_dpop_nonce is retried with its nonce; later calls send the nonce at once."""
    nhn.api.require_nonce = True
    register = connect()
    register.lookup(8142326)
    register.lookup(8142320)
    assert register.nonce_retries == 1 and nhn.api.looked_up == [8142326, 8142320]


def test_a_nonce_challenge_that_does_not_end(connect, nhn: NhnServices) -> None:  # type: ignore[no-untyped-def]
    """A second challenge right after the retry is one line, not a loop."""
    nhn.api.require_nonce = nhn.api.stubborn_nonce = True
    register = connect()
    assert "asked for a new DPoP nonce again after one retry (use_dpop_nonce)" in refusal(register)
    assert register.nonce_retries == 1


def test_a_revoked_token_is_replaced_once(connect, nhn: NhnServices) -> None:  # type: ignore[no-untyped-def]
    """invalid_token from the API drops the cached token and asks HelseID again."""
    register = connect()
    register.lookup(8142326)
    nhn.helseid.revoke_all()
    register.lookup(8142320)
    assert len(nhn.helseid.issued) == 2


@pytest.mark.parametrize("status", [500, 503])
def test_ar_down(connect, nhn: NhnServices, status: int) -> None:  # type: ignore[no-untyped-def]
    """A server error is one line with the status."""
    nhn.api.outage = status
    assert f"answered HTTP {status} for HER-id 8142326" in refusal(connect())


def test_ar_unreachable(connect) -> None:  # type: ignore[no-untyped-def]
    """Nothing listening: "cannot reach" with the address."""
    url = f"https://127.0.0.1:{free_port()}"
    assert f"cannot reach the AR API at {url}" in refusal(connect(ar_url=url))


def test_helseid_unreachable(connect) -> None:  # type: ignore[no-untyped-def]
    """HelseID down: "cannot reach HelseID"."""
    assert "cannot reach HelseID at https://127.0.0.1:" in refusal(
        connect(helseid_authority=f"https://127.0.0.1:{free_port()}"))


def test_a_certificate_the_bot_does_not_trust(connect) -> None:  # type: ignore[no-untyped-def]
    """Without the private CA in BOT_CA_FILE the line says to set it."""
    text = refusal(connect(ca_file=None))
    assert "TLS certificate of HelseID" in text and "not trusted" in text and "BOT_CA_FILE" in text


def test_an_oversized_answer(connect, nhn: NhnServices) -> None:  # type: ignore[no-untyped-def]
    """An answer beyond the bound is not read to its end."""
    nhn.api.party(8142326)["name"] = "x" * (MAX_BODY_BYTES + 1)
    assert f"answered more than {MAX_BODY_BYTES} bytes" in refusal(connect())


def test_a_malformed_party(connect, nhn: NhnServices) -> None:  # type: ignore[no-untyped-def]
    """A party that is not in the model is one line naming the field."""
    del nhn.api.party(8142326)["type"]
    assert "data the bot cannot read (type: Field required)" in refusal(connect())
