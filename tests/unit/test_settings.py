"""Settings: every SPEC §6 variable, defaults, refusals with the variable's name, secrets kept out."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Security, Settings, SettingsError, load_settings

SPEC_VARIABLES = [
    "BOT_MAILBOX_ADDRESS", "BOT_IMAP_HOST", "BOT_IMAP_PORT", "BOT_IMAP_USER", "BOT_IMAP_PASSWORD",
    "BOT_IMAP_SECURITY", "BOT_SMTP_HOST", "BOT_SMTP_PORT", "BOT_SMTP_USER", "BOT_SMTP_PASSWORD",
    "BOT_SMTP_SECURITY", "BOT_CA_FILE", "BOT_DATABASE_URL", "BOT_COORDINATORS", "BOT_TIMEZONE",
    "BOT_TRUSTED_AUTHSERV_ID", "BOT_RULES_DIR", "BOT_TEMPLATES_DIR",
]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each test sees only the variables it sets, and no .env file."""
    for name in SPEC_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults_follow_spec() -> None:
    """With nothing set, the defaults are SPEC §6's."""
    s = load_settings()
    assert s.mailbox_address == "meldingsansvarlig@helse-midt.no"
    assert s.imap_security is Security.SSL
    assert s.smtp_security is Security.STARTTLS
    assert s.database_url == "sqlite:///data/bot.sqlite"
    assert s.timezone == "Europe/Oslo"
    assert s.trusted_authserv_id is None
    assert s.coordinator_list == ()
    assert s.imap_port_effective == 993 and s.smtp_port_effective == 587


@pytest.mark.parametrize("name", [n.removeprefix("BOT_").lower() for n in SPEC_VARIABLES])
def test_every_spec_variable_is_a_setting(name: str) -> None:
    """Each SPEC §6 variable has a field of the same name."""
    assert name in Settings.model_fields


def test_environment_and_dotenv_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Variables come from the environment and from .env in the working directory; empty ones are unset."""
    (tmp_path / ".env").write_text(
        "BOT_IMAP_HOST=imap.example.no\nBOT_IMAP_PORT=\nBOT_COORDINATORS=A@Hemit.no, b@stolav.no\n")
    monkeypatch.setenv("BOT_SMTP_HOST", "smtp.example.no")
    s = load_settings()
    assert s.imap_host == "imap.example.no"
    assert s.imap_port is None
    assert s.smtp_host == "smtp.example.no"
    assert s.coordinator_list == ("a@hemit.no", "b@stolav.no")


@pytest.mark.parametrize("proto", ["IMAP", "SMTP"])
@pytest.mark.parametrize(("host", "allowed"), [
    ("127.0.0.1", True), ("localhost", True), ("::1", True), ("127.0.0.53", True),
    ("imap.helse-midt.no", False), ("10.0.0.5", False),
])
def test_plaintext_refused_unless_loopback(monkeypatch: pytest.MonkeyPatch, proto: str, host: str,
                                           allowed: bool) -> None:
    """security=none is accepted only for a loopback host, and the refusal names the variable."""
    monkeypatch.setenv(f"BOT_{proto}_HOST", host)
    monkeypatch.setenv(f"BOT_{proto}_SECURITY", "none")
    if allowed:
        assert load_settings()
    else:
        with pytest.raises(SettingsError, match=f"BOT_{proto}_SECURITY=none"):
            load_settings()


@pytest.mark.parametrize(("name", "value", "fragment"), [
    ("BOT_IMAP_PORT", "seventy", "BOT_IMAP_PORT"),
    ("BOT_IMAP_PORT", "70000", "BOT_IMAP_PORT"),
    ("BOT_IMAP_SECURITY", "tls", "BOT_IMAP_SECURITY"),
    ("BOT_TIMEZONE", "Europe/Atlantis", "BOT_TIMEZONE"),
    ("BOT_COORDINATORS", "hemit.no", "BOT_COORDINATORS"),
    ("BOT_MAILBOX_ADDRESS", "meldingsansvarlig", "BOT_MAILBOX_ADDRESS"),
    ("BOT_CA_FILE", "/nonexistent/ca.pem", "BOT_CA_FILE"),
    ("BOT_DIGEST_TIME", "25:00", "BOT_DIGEST_TIME"),
    ("BOT_POLL_INTERVAL_S", "0", "BOT_POLL_INTERVAL_S"),
])
def test_bad_values_name_the_variable(monkeypatch: pytest.MonkeyPatch, name: str, value: str, fragment: str) -> None:
    """A bad value stops start-up with the variable's name and the reason."""
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=fragment):
        load_settings()


def test_secrets_never_in_errors_or_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    """Passwords stay out of error messages and of the settings' repr."""
    monkeypatch.setenv("BOT_IMAP_PASSWORD", "hunter2-secret")
    monkeypatch.setenv("BOT_SMTP_PASSWORD", "hunter2-secret")
    assert "hunter2" not in repr(load_settings())
    monkeypatch.setenv("BOT_IMAP_PORT", "hunter2-secret")
    with pytest.raises(SettingsError) as err:
        load_settings()
    assert "hunter2" not in str(err.value)


def test_rules_and_templates_folders_default_to_the_project_s(tmp_path: Path) -> None:
    """BOT_RULES_DIR and BOT_TEMPLATES_DIR default to the shipped rules/ and templates/; a missing folder is
    refused with the variable's name."""
    s = load_settings()
    assert (s.rules_dir / "routine.yaml").is_file() and (s.templates_dir / "subjects.yaml").is_file()
    with pytest.raises(SettingsError, match="BOT_RULES_DIR"):
        load_settings(rules_dir=tmp_path / "nope")
