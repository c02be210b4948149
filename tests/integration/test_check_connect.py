"""`check --connect` against a Microsoft-365-like sandbox: each common set-up mistake is one line saying what to do."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.cli.check import check_main
from sandbox import APP_SECRET, Sandbox

MAILBOX = "meldingsansvarlig@helse-midt.no"


@pytest.fixture
def check(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
          capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run `check --connect` with the sandbox's OAuth2 settings plus `env`; returns (exit code, FAIL lines)."""

    def run(env: dict[str, str] | None = None, *, passwords: bool = False) -> tuple[int, list[str]]:
        for name in [n for n in os.environ if n.startswith("BOT_")]:
            monkeypatch.delenv(name)
        settings = sandbox.settings_env() if passwords else sandbox.oauth2_env()
        for name, value in {**settings, **(env or {})}.items():
            monkeypatch.setenv(name, value)
        monkeypatch.chdir(tmp_path)
        code = check_main(connect=True)
        out = capsys.readouterr()
        assert APP_SECRET not in out.out + out.err
        assert not any(token in out.out + out.err for token in sandbox.authority.issued)
        assert not any(token in out.out + out.err for token in sandbox.nhn.helseid.issued)
        return code, [line.removeprefix("FAIL  ") for line in out.out.splitlines() if line.startswith("FAIL")]

    return run


def test_a_working_oauth2_setup_logs_in_to_imap_and_smtp(check, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    """With the app set up right, the token, IMAP and SMTP lines all say ok."""
    assert check() == (0, [])


def test_a_certificate_instead_of_a_secret(check, sandbox: Sandbox, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A PEM with the app's key and uploaded certificate works without any secret."""
    pem = sandbox.certificate_file(tmp_path / "app.pem")
    assert check({"BOT_OAUTH2_CLIENT_SECRET": "", "BOT_OAUTH2_CERTIFICATE_FILE": str(pem)}) == (0, [])


def one_failure(result: tuple[int, list[str]], label: str, *fragments: str) -> None:
    code, failures = result
    assert code == 1
    assert [f for f in failures if f.startswith(label)] == failures[:1] and len(failures) >= 1, failures
    for fragment in fragments:
        assert fragment in failures[0], failures[0]


def test_unknown_tenant(check) -> None:  # type: ignore[no-untyped-def]
    """A tenant ID that names no tenant is said once, before IMAP and SMTP would repeat it."""
    code, failures = check({"BOT_OAUTH2_TENANT_ID": "00000000-0000-4000-8000-000000000000"})
    assert (code, len(failures)) == (1, 1)
    assert "BOT_OAUTH2_TENANT_ID names no tenant" in failures[0] and "AADSTS90002" in failures[0]


@pytest.mark.parametrize(("env", "fragment", "code"), [
    ({"BOT_OAUTH2_CLIENT_ID": "00000000-0000-4000-8000-0000000000aa"}, "BOT_OAUTH2_CLIENT_ID is not an app", 700016),
    ({"BOT_OAUTH2_CLIENT_SECRET": "feil-hemmelighet"}, "BOT_OAUTH2_CLIENT_SECRET is wrong", 7000215),
    ({"BOT_OAUTH2_SCOPE": "https://outlook.office365.com/IMAP.AccessAsApp"}, "BOT_OAUTH2_SCOPE is not valid", 1002012),
], ids=["unknown app", "wrong secret", "scope without /.default"])
def test_token_request_refused(check, env: dict[str, str], fragment: str, code: int) -> None:  # type: ignore[no-untyped-def]
    """Entra ID's refusal becomes the setting to fix and its AADSTS code, on one line."""
    one_failure(check(env), "OAuth2:", fragment, f"AADSTS{code}")


def test_expired_secret(check, sandbox: Sandbox) -> None:  # type: ignore[no-untyped-def]
    """An expired client secret says so and what to do."""
    sandbox.app.secret_expired = True
    one_failure(check(), "OAuth2:", "BOT_OAUTH2_CLIENT_SECRET has expired", "AADSTS7000222")


def test_certificate_not_uploaded(check, sandbox: Sandbox, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A certificate the app registration does not know is named as not uploaded."""
    pem = sandbox.certificate_file(tmp_path / "app.pem", register=False)
    result = check({"BOT_OAUTH2_CLIENT_SECRET": "", "BOT_OAUTH2_CERTIFICATE_FILE": str(pem)})
    one_failure(result, "OAuth2:", "not uploaded to the app registration", "AADSTS700027")


@pytest.mark.parametrize(("role", "label"), [("IMAP.AccessAsApp", "IMAP"), ("SMTP.SendAsApp", "SMTP")])
def test_app_lacks_a_permission(check, sandbox: Sandbox, role: str, label: str) -> None:  # type: ignore[no-untyped-def]
    """An app without IMAP.AccessAsApp (or SMTP.SendAsApp) fails only there, naming the permission."""
    sandbox.app.roles = tuple(r for r in sandbox.app.roles if r != role)
    code, failures = check()
    assert code == 1 and len(failures) == 1, failures
    assert failures[0].startswith(f"{label}:") and f"lacks the {role} permission" in failures[0]
    assert "admin consent" in failures[0]


def test_wrong_resource_in_the_scope(check) -> None:  # type: ignore[no-untyped-def]
    """A token for another API (Graph) is named by its audience."""
    code, failures = check({"BOT_OAUTH2_SCOPE": "https://graph.microsoft.com/.default"})
    assert code == 1 and "a token for https://graph.microsoft.com" in failures[0]


def test_service_principal_without_mailbox_rights(check, sandbox: Sandbox) -> None:  # type: ignore[no-untyped-def]
    """Exchange's "User is authenticated but not connected" becomes New-ServicePrincipal and Add-MailboxPermission."""
    sandbox.app.connected = False
    code, failures = check()
    assert code == 1
    assert failures[0].startswith("IMAP:") and "New-ServicePrincipal" in failures[0]
    assert "Add-MailboxPermission" in failures[0]
    assert failures[1].startswith("SMTP:") and "New-ServicePrincipal" in failures[1]


def test_smtp_auth_disabled_for_the_mailbox(check, sandbox: Sandbox) -> None:  # type: ignore[no-untyped-def]
    """SMTP AUTH turned off for the shared mailbox names the cmdlet that turns it on."""
    sandbox.smtp_auth_disabled.add(MAILBOX)
    code, failures = check()
    assert code == 1 and len(failures) == 1
    assert failures[0] == (f"SMTP: SMTP AUTH is disabled for {MAILBOX}: run Set-CASMailbox -Identity {MAILBOX} "
                           "-SmtpClientAuthenticationDisabled $false (see docs/drift.md)")


def test_passwords_refused_by_microsoft_365(check, sandbox: Sandbox) -> None:  # type: ignore[no-untyped-def]
    """With basic authentication off, password logins say to switch to BOT_AUTH=oauth2, for IMAP and SMTP."""
    sandbox.microsoft365(basic_auth=False)
    code, failures = check(passwords=True)
    assert code == 1 and [f.split(":")[0] for f in failures] == ["IMAP", "SMTP"]
    assert all("accepts no passwords" in f and "BOT_AUTH=oauth2" in f for f in failures)


def test_the_adresseregister_with_a_token_from_helseid(check, sandbox: Sandbox) -> None:  # type: ignore[no-untyped-def]
    """With BOT_AR=rest a DPoP token from HelseID is fetched and said ok; the token itself never shows."""
    assert check(sandbox.ar_env()) == (0, [])
    assert sandbox.nhn.helseid.issued and sandbox.nhn.api.looked_up == []


def test_the_adresseregister_is_not_checked_when_off(check, sandbox: Sandbox) -> None:  # type: ignore[no-untyped-def]
    """BOT_AR=off (the default) asks HelseID nothing."""
    assert check() == (0, []) and sandbox.nhn.helseid.requests == 0


@pytest.mark.parametrize(("env", "fragment"), [
    ({"BOT_HELSEID_CLIENT_ID": "ukjent"}, "BOT_HELSEID_CLIENT_ID is not a HelseID client"),
    ({"BOT_AR_SCOPE": "nhn:cp-api/write"}, "has not been granted BOT_AR_SCOPE"),
], ids=["unknown client", "refused scope"])
def test_the_adresseregister_refused(check, sandbox: Sandbox, env: dict[str, str], fragment: str) -> None:  # type: ignore[no-untyped-def]
    """HelseID's refusal is one line labelled AR; IMAP and SMTP still say ok."""
    one_failure(check({**sandbox.ar_env(), **env}), "AR:", fragment)
