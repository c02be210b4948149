"""The status page's settings: defaults, the public URL's origin, and refusals that name the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each test sees only the variables it sets, and no .env file."""
    for name in ("BOT_WEB_HOST", "BOT_WEB_PORT", "BOT_WEB_PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults_follow_the_spec() -> None:
    """127.0.0.1:8080, and links to http://127.0.0.1:8080 while no public URL is set."""
    s = load_settings()
    assert (s.web_host, s.web_port, s.web_public_url) == ("127.0.0.1", 8080, None)
    assert s.web_url == "http://127.0.0.1:8080"
    assert load_settings(web_host="::1", web_port=9000).web_url == "http://[::1]:9000"


@pytest.mark.parametrize(("given", "kept"), [
    ("https://Oppkobling.Hemit.no", "https://oppkobling.hemit.no"),
    ("https://oppkobling.hemit.no/", "https://oppkobling.hemit.no"),
    ("http://10.0.0.5:8443", "http://10.0.0.5:8443"),
])
def test_the_public_url_is_kept_as_an_origin(given: str, kept: str) -> None:
    """BOT_WEB_PUBLIC_URL is what login links and the digest start with."""
    s = load_settings(web_public_url=given)
    assert s.web_public_url == kept and s.web_url == kept


@pytest.mark.parametrize("bad", ["oppkobling.hemit.no", "ftp://x.no", "https://x.no/oppkobling", "https://x.no/?a=1",
                                 "https://user:pw@x.no", "javascript:alert(1)"])
def test_a_public_url_that_is_not_an_origin_stops_start_up(bad: str) -> None:
    """A path, query, credentials or another scheme is refused with the variable's name."""
    with pytest.raises(SettingsError, match="BOT_WEB_PUBLIC_URL"):
        load_settings(web_public_url=bad)


def test_a_port_out_of_range_stops_start_up() -> None:
    """BOT_WEB_PORT must be a TCP port."""
    with pytest.raises(SettingsError, match="BOT_WEB_PORT"):
        load_settings(web_port=70000)
