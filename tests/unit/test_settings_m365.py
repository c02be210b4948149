"""Settings for Microsoft 365: BOT_AUTH=oauth2 with its app, and BOT_SENDER_AUTH, refused with the key's name."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import trustme

from bot.settings import AuthMethod, SenderAuth, SettingsError, load_settings

APP = {"auth": "oauth2", "oauth2_tenant_id": "c0ffee00-0000-4000-8000-000000000001",
       "oauth2_client_id": "c0ffee00-0000-4000-8000-000000000002"}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each test sees only the settings it passes, and no .env file."""
    for name in [n for n in os.environ if n.startswith("BOT_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def refusal(**settings: object) -> str:
    with pytest.raises(SettingsError) as caught:
        load_settings(**settings)
    return str(caught.value)


def test_passwords_are_the_default() -> None:
    """BOT_AUTH defaults to password; the OAuth2 authority and scope default to Microsoft 365's."""
    s = load_settings()
    assert s.auth is AuthMethod.PASSWORD
    assert s.oauth2_authority == "https://login.microsoftonline.com"
    assert s.oauth2_scope == "https://outlook.office365.com/.default"


def test_oauth2_with_a_secret() -> None:
    """Tenant, app and a secret are a complete OAuth2 configuration."""
    assert load_settings(**APP, oauth2_client_secret="s3cret").auth is AuthMethod.OAUTH2


def test_oauth2_names_what_is_missing() -> None:
    """Without tenant or app the refusal names both variables."""
    assert "BOT_OAUTH2_TENANT_ID and BOT_OAUTH2_CLIENT_ID" in refusal(auth="oauth2", oauth2_client_secret="x")


@pytest.mark.parametrize("extra", [{}, {"oauth2_client_secret": "x", "oauth2_certificate_file": "/etc/hostname"}])
def test_oauth2_needs_exactly_one_credential(extra: dict[str, str]) -> None:
    """Neither a secret nor a certificate, or both, is refused."""
    assert "exactly one of BOT_OAUTH2_CLIENT_SECRET and BOT_OAUTH2_CERTIFICATE_FILE" in refusal(**APP, **extra)


def test_a_certificate_file_needs_its_key(tmp_path: Path) -> None:
    """A PEM with only the certificate is refused at start-up, naming the file's variable."""
    only_cert = tmp_path / "app.pem"
    trustme.CA().issue_cert("bot.example").cert_chain_pems[0].write_to_path(str(only_cert))
    assert "BOT_OAUTH2_CERTIFICATE_FILE" in refusal(**APP, oauth2_certificate_file=only_cert)
    assert "holds no private key" in refusal(**APP, oauth2_certificate_file=only_cert)


def test_a_certificate_file_with_key_and_certificate(tmp_path: Path) -> None:
    """Key and certificate in one PEM (as exported for the app registration) are accepted."""
    cert = trustme.CA().issue_cert("bot.example")
    pem = tmp_path / "app.pem"
    pem.write_bytes(cert.private_key_pem.bytes() + cert.cert_chain_pems[0].bytes())
    assert load_settings(**APP, oauth2_certificate_file=pem).oauth2_certificate_file == pem


def test_the_authority_must_be_https() -> None:
    """A token authority over plain HTTP is refused."""
    assert "BOT_OAUTH2_AUTHORITY must be an https://" in refusal(**APP, oauth2_client_secret="x",
                                                                 oauth2_authority="http://login.example")


def test_the_client_secret_never_shows() -> None:
    """Neither an error nor the settings' repr shows the client secret."""
    assert "hemmelig-verdi" not in refusal(auth="oauth2", oauth2_client_secret="hemmelig-verdi")
    assert "hemmelig-verdi" not in repr(load_settings(**APP, oauth2_client_secret="hemmelig-verdi"))


@pytest.mark.parametrize(("settings", "mode"), [
    ({}, SenderAuth.OFF),
    ({"trusted_authserv_id": "mx.helse-midt.no"}, SenderAuth.AUTHSERV_ID),
    ({"sender_auth": "authserv-id", "trusted_authserv_id": "mx.helse-midt.no"}, SenderAuth.AUTHSERV_ID),
    ({"sender_auth": "exchange-online"}, SenderAuth.EXCHANGE_ONLINE),
    ({"sender_auth": "off"}, SenderAuth.OFF),
])
def test_sender_auth_mode(settings: dict[str, str], mode: SenderAuth) -> None:
    """BOT_SENDER_AUTH decides; BOT_TRUSTED_AUTHSERV_ID alone still means authserv-id, as before."""
    assert load_settings(**settings).sender_auth_mode is mode


@pytest.mark.parametrize(("settings", "fragment"), [
    ({"sender_auth": "authserv-id"}, "needs BOT_TRUSTED_AUTHSERV_ID"),
    ({"sender_auth": "exchange-online", "trusted_authserv_id": "mx.helse-midt.no"}, "only read with"),
    ({"sender_auth": "off", "trusted_authserv_id": "mx.helse-midt.no"}, "only read with"),
    ({"sender_auth": "dmarc"}, "BOT_SENDER_AUTH"),
])
def test_contradicting_sender_auth_settings_are_refused(settings: dict[str, str], fragment: str) -> None:
    """A mode that cannot work as written stops start-up with the reason."""
    assert fragment in refusal(**settings)
