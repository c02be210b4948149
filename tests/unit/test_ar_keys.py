"""The HelseID client key: JWK or PEM, RSA or EC; client assertions and DPoP proofs carry what HelseID demands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from joserfc.jwk import ECKey, RSAKey, import_key

from bot.ar.keys import ClientKey, b64url_sha256
from bot.ar.model import ArError

NOW = 1_800_000_000.0


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return path


def decoded(token: str, key: ClientKey) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims, the signature verified with the public key by another library (PyJWT); times are
    given, so their checks are left to the tests against the sandbox's HelseID."""
    public = pyjwt.PyJWK(key.public_jwk, algorithm=key.alg)
    unchecked = {"verify_aud": False, "verify_iat": False, "verify_nbf": False, "verify_exp": False}
    claims = pyjwt.decode(token, public, algorithms=[key.alg], options=unchecked)
    return pyjwt.get_unverified_header(token), claims


def test_a_jwk_from_selvbetjening(tmp_path: Path) -> None:
    """A private RSA JWK keeps its kid and alg; it signs with that alg."""
    jwk = {**RSAKey.generate_key(2048).as_dict(private=True), "kid": "nokkel-1", "alg": "RS256"}
    key = ClientKey.load(write(tmp_path, "k.jwk", json.dumps(jwk)))
    assert (key.kid, key.alg) == ("nokkel-1", "RS256")
    assert "d" not in key.public_jwk


@pytest.mark.parametrize(("private", "alg"), [
    (rsa.generate_private_key(public_exponent=65537, key_size=2048), "PS256"),
    (ec.generate_private_key(ec.SECP256R1()), "ES256"),
    (ec.generate_private_key(ec.SECP384R1()), "ES384"),
], ids=["rsa", "p-256", "p-384"])
def test_a_pem_private_key(tmp_path: Path, private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
                           alg: str) -> None:
    """A PEM key signs with PS256 (RSA) or the curve's ES algorithm; its kid is the JWK thumbprint."""
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    key = ClientKey.load(write(tmp_path, "k.pem", pem))
    assert key.alg == alg and key.kid == key.jkt


@pytest.mark.parametrize(("content", "fragment"), [
    ("not a key", "holds no usable private key"),
    (json.dumps({"kty": "oct", "k": "c2VjcmV0"}), "holds no usable private key"),
    (json.dumps(ECKey.generate_key("P-256").as_dict(private=False)), "only a public key"),
    ("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n", "encrypted"),
], ids=["garbage", "symmetric", "public only", "encrypted"])
def test_unusable_key_files(tmp_path: Path, content: str, fragment: str) -> None:
    """Each unusable file is one line naming the setting, the file and what is wrong."""
    with pytest.raises(ArError) as caught:
        ClientKey.load(write(tmp_path, "k", content))
    assert str(caught.value).startswith("BOT_HELSEID_PRIVATE_KEY_FILE") and fragment in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.fixture
def key(tmp_path: Path) -> ClientKey:
    return ClientKey.load(write(tmp_path, "k.jwk", json.dumps(RSAKey.generate_key(2048).as_dict(private=True))))


def test_the_client_assertion(key: ClientKey) -> None:
    """iss = sub = client id, aud = HelseID, a fresh jti, and at most 60 s of life from the time given."""
    one, two = (key.client_assertion("klient-1", "https://helseid-sts.test.nhn.no", NOW) for _ in range(2))
    header, c = decoded(one, key)
    assert header["typ"] == "client-authentication+jwt" and header["kid"] == key.kid
    assert (c["iss"], c["sub"], c["aud"]) == ("klient-1", "klient-1", "https://helseid-sts.test.nhn.no")
    assert c["iat"] == c["nbf"] == int(NOW) and c["exp"] - c["iat"] == 60
    assert c["jti"] != decoded(two, key)[1]["jti"]


def test_the_dpop_proof_for_the_token_endpoint(key: ClientKey) -> None:
    """typ dpop+jwt with the public key in the header; htm, htu (no query), iat and the nonce when given."""
    proof = key.dpop_proof("post", "https://helseid.example/connect/token?x=1#f", NOW, nonce="n-1")
    header, claims = decoded(proof, key)
    assert header["typ"] == "dpop+jwt" and header["jwk"] == key.public_jwk and "d" not in header["jwk"]
    assert {k: claims[k] for k in ("htm", "htu", "iat", "nonce")} == {
        "htm": "POST", "htu": "https://helseid.example/connect/token", "iat": int(NOW), "nonce": "n-1"}
    assert "ath" not in claims


def test_the_dpop_proof_for_an_api_call_binds_the_token(key: ClientKey) -> None:
    """A proof for an API call carries ath, the token's SHA-256, and no nonce until one is asked for."""
    claims = decoded(key.dpop_proof("GET", "https://api.example/x", NOW, access_token="abc"), key)[1]
    assert claims["ath"] == "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0" == b64url_sha256("abc")
    assert "nonce" not in claims


def test_the_proof_key_thumbprint_is_what_a_token_is_bound_to(key: ClientKey) -> None:
    """jkt is the RFC 7638 thumbprint of the key in every proof's header."""
    header = pyjwt.get_unverified_header(key.dpop_proof("GET", "https://a.example/", NOW))
    assert import_key(header["jwk"], "RSA").thumbprint() == key.jkt
