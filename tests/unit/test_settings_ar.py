"""Settings for the Adresseregister: BOT_AR=rest with its HelseID client, refused at start-up naming the key."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from joserfc.jwk import RSAKey

from bot.settings import ArMode, SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each test sees only the settings it passes, and no .env file."""
    for name in [n for n in os.environ if n.startswith("BOT_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "client.jwk"
    path.write_text(json.dumps(RSAKey.generate_key(2048).as_dict(private=True)))
    return path


def rest(key_file: Path, **more: object) -> dict[str, object]:
    return {"ar": "rest", "ar_url": "https://cpapi.test.grunndata.nhn.no", "helseid_client_id": "klient-1",
            "helseid_private_key_file": key_file, **more}


def refusal(**settings: object) -> str:
    with pytest.raises(SettingsError) as caught:
        load_settings(**settings)
    return str(caught.value)


def test_ar_is_off_by_default() -> None:
    """Without BOT_AR nothing is looked up; the scope and authority default to NHN's production values."""
    s = load_settings()
    assert s.ar is ArMode.OFF
    assert (s.ar_scope, s.helseid_authority) == ("nhn:cp-api/access-v2-dpop", "https://helseid-sts.nhn.no")


def test_a_complete_rest_setup(key_file: Path) -> None:
    """URL, client and a private key file are a complete configuration."""
    assert load_settings(**rest(key_file)).ar is ArMode.REST


def test_rest_names_what_is_missing() -> None:
    """BOT_AR=rest alone names every variable it still needs."""
    needs = "BOT_AR=rest needs BOT_AR_URL and BOT_HELSEID_CLIENT_ID and BOT_HELSEID_PRIVATE_KEY_FILE"
    assert needs in refusal(ar="rest")


def test_an_unknown_mode_is_refused() -> None:
    """BOT_AR takes off or rest."""
    assert refusal(ar="soap").startswith("BOT_AR:")


@pytest.mark.parametrize("name", ["ar_url", "helseid_authority"])
def test_urls_must_be_https(key_file: Path, name: str) -> None:
    """The API and HelseID are reached over HTTPS only: tokens must not cross the network in clear."""
    assert f"BOT_{name.upper()} must be an https:// URL" in refusal(**rest(key_file, **{name: "http://nhn.example"}))


def test_a_public_key_alone_is_refused(tmp_path: Path) -> None:
    """The file must hold the private key; the refusal names the variable and the file."""
    public = tmp_path / "public.jwk"
    public.write_text(json.dumps(RSAKey.generate_key(2048).as_dict(private=False)))
    text = refusal(**rest(public))
    assert "BOT_HELSEID_PRIVATE_KEY_FILE" in text and "public.jwk" in text and "only a public key" in text


def test_a_missing_key_file_is_refused(tmp_path: Path) -> None:
    """A path that does not exist is named as unreadable."""
    assert "cannot be read" in refusal(**rest(tmp_path / "nowhere.jwk"))


def test_the_private_key_never_shows(key_file: Path) -> None:
    """Neither the settings' repr nor a refusal shows the key's private parts."""
    d = json.loads(key_file.read_text())["d"]
    assert d not in repr(load_settings(**rest(key_file)))
    assert d not in refusal(**rest(key_file, ar_url="http://x"))
