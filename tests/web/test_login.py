"""Login by mail: one page for every address, single-use 15-minute links, 12-hour sessions, every refusal."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest
from reliability_kit import COORDINATOR, COORDINATOR_2, make_app, reply_to, wait_until
from web_kit import STRANGER, WEB_NOW, Browser, Site, serve, site_for, web_env

PAGES = ("/", "/cases/OPK-1", "/quarantine", "/cases/OPK-999", "/cases/nonsense")


def _log_in(site: Site, browser: Browser, address: str = COORDINATOR) -> str:
    """Ask for a link, let the daemon send it, follow it; returns the link."""
    before = len(site.links())
    assert browser.ask_for_link(address).status == 200
    link = _wait_for_link(site, before)
    assert browser.get(_path(link)).status == 303
    return link


def _wait_for_link(site: Site, before: int) -> str:
    for _ in range(200):
        links = site.links()
        if len(links) > before:
            return links[-1]
    raise AssertionError("no login link was sent")


def _path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def _login_mails(site: Site) -> int:
    """Login mails in the outbox, once every login request the page answered has been handled."""
    site.requests.wait_for(site.asked)
    [(n,)] = site.query("SELECT count(*) FROM outbox WHERE kind = 'login_link'")
    assert isinstance(n, int)
    return n


@pytest.mark.parametrize("path", PAGES)
def test_every_page_without_a_session_answers_303_to_login(site: Site, path: str) -> None:
    """Without a session, every page (also one for a case that does not exist) redirects to /login."""
    answer = site.browser().get(path)
    assert answer.status == 303 and answer.location == "/login"


def test_the_login_form_has_one_email_field_in_norwegian(site: Site) -> None:
    """GET /login is a Norwegian form with a field named email and a CSRF token in a strict cookie."""
    answer = site.browser().get("/login")
    assert answer.status == 200 and '<html lang="nb">' in answer.body
    assert re.findall(r'<input[^>]+name="(\w+)"', answer.body) == ["csrf", "email"]
    cookie = answer.cookie("opk_csrf") or ""
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/login" in cookie


def test_the_answer_is_the_same_whatever_the_address(site: Site) -> None:
    """A coordinator, a stranger, a malformed address and an empty one get the same page; only the
    coordinator gets a mail, and nothing is stored for the others."""
    answers = [site.browser().ask_for_link(a) for a in (COORDINATOR, STRANGER, "not an address", "")]
    assert {a.status for a in answers} == {200}
    assert len({a.body for a in answers}) == 1
    assert "Sjekk e-posten din" in answers[0].body
    site.links()
    assert site.query("SELECT address FROM web_login_tokens") == [(COORDINATOR,)]
    assert site.query("SELECT kind FROM outbox o JOIN deliveries d ON d.outbox_id = o.id "
                      f"WHERE d.recipient = '{STRANGER}'") == []
    assert _login_mails(site) == 1


def test_a_link_logs_in_once_and_sets_a_12_hour_session_cookie(site: Site) -> None:
    """Following the link sets an HttpOnly, SameSite=Lax, 12-hour cookie and redirects (303) to /."""
    browser = site.browser()
    browser.ask_for_link(COORDINATOR)
    [link] = site.links()
    assert link.startswith(site.app.settings.web_url + "/login/")
    first = browser.get(_path(link))
    assert first.status == 303 and first.location == "/"
    cookie = first.cookie("opk_session") or ""
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=43200" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # the page is served over plain http here
    overview = browser.get("/")
    assert overview.status == 200 and "OPK-1" in overview.body and COORDINATOR in overview.body

    again = site.browser().get(_path(link))
    assert again.status == 303 and again.location == "/login" and again.cookie("opk_session") is None


def test_a_link_checker_s_head_request_does_not_use_the_link_up(site: Site) -> None:
    """HEAD on a login link logs nobody in and leaves the link valid for the person."""
    browser = site.browser()
    browser.ask_for_link(COORDINATOR)
    [link] = site.links()
    head = browser.request("HEAD", _path(link))
    assert head.status == 303 and head.location == "/login" and head.cookie("opk_session") is None
    assert browser.get(_path(link)).location == "/"


def test_an_expired_link_answers_303_to_login(site: Site) -> None:
    """A link is valid for 15 minutes: at 14:59 it works, at 15:00 it does not."""
    browser = site.browser()
    browser.ask_for_link(COORDINATOR)
    browser.ask_for_link(COORDINATOR)
    early, late = site.links()
    site.clock.set(WEB_NOW + timedelta(minutes=14, seconds=59))
    assert browser.get(_path(early)).location == "/"
    site.clock.set(WEB_NOW + timedelta(minutes=15))
    expired = site.browser().get(_path(late))
    assert expired.status == 303 and expired.location == "/login" and expired.cookie("opk_session") is None


@pytest.mark.parametrize("token", ["x" * 43, "short", "a" * 500, "%3Cscript%3E", "A" * 42 + "%21"])
def test_a_made_up_link_answers_303_to_login(site: Site, token: str) -> None:
    """Tokens that were never issued, or are not tokens at all, log nobody in."""
    answer = site.browser().get(f"/login/{token}")
    assert answer.status == 303 and answer.location == "/login" and answer.cookie("opk_session") is None


def test_a_session_ends_after_12_hours(site: Site) -> None:
    """The session cookie's server-side record lasts 12 hours, whatever the browser keeps."""
    browser = site.browser()
    _log_in(site, browser)
    site.clock.set(WEB_NOW + timedelta(hours=11, minutes=59))
    assert browser.get("/").status == 200
    site.clock.set(WEB_NOW + timedelta(hours=12))
    assert browser.get("/").location == "/login"


def test_at_most_five_link_mails_per_address_per_hour(site: Site) -> None:
    """The sixth request within the hour gets the same page and no mail; an hour later it works again."""
    browser = site.browser()
    pages = [browser.ask_for_link(COORDINATOR) for _ in range(6)]
    assert len({p.body for p in pages}) == 1
    assert len(site.links()) == 5
    browser.ask_for_link(COORDINATOR_2)  # another coordinator is not held back by the first one's count
    site.clock.set(WEB_NOW + timedelta(minutes=59))
    browser.ask_for_link(COORDINATOR)
    assert _login_mails(site) == 6
    site.clock.set(WEB_NOW + timedelta(hours=1, seconds=1))
    browser.ask_for_link(COORDINATOR)
    assert _login_mails(site) == 7


def test_the_form_needs_its_csrf_token_and_our_own_origin(site: Site) -> None:
    """Posts without the token, with another token, or from another site are refused (403) and send nothing."""
    browser = site.browser()
    token = browser.csrf()
    refused = [
        browser.post("/login", form={"email": COORDINATOR}),
        browser.post("/login", form={"email": COORDINATOR, "csrf": "A" * 43}),
        browser.post("/login", form={"email": COORDINATOR, "csrf": token}, headers={"Sec-Fetch-Site": "cross-site"}),
        browser.post("/login", form={"email": COORDINATOR, "csrf": token}, headers={"Origin": "https://evil.example"}),
        site.browser().post("/login", form={"email": COORDINATOR, "csrf": token}),  # token without its cookie
    ]
    assert [a.status for a in refused] == [403] * 5
    assert all("Skjemaet var utløpt" in a.body for a in refused)
    assert _login_mails(site) == 0
    ok = browser.ask_for_link(COORDINATOR, Origin="null", **{"Sec-Fetch-Site": "same-origin"})
    assert ok.status == 200
    site.links()
    assert _login_mails(site) == 1


def test_an_oversized_form_is_refused_without_reading_it_all(site: Site) -> None:
    """A login post over 8 KiB answers 413 and queues nothing."""
    browser = site.browser()
    answer = browser.post("/login", form={"csrf": browser.csrf(), "email": COORDINATOR, "pad": "x" * 9000})
    assert answer.status == 413
    assert _login_mails(site) == 0


def test_tokens_and_session_cookies_are_stored_hashed(site: Site) -> None:
    """The database keeps the SHA-256 of the link's token and of the session cookie, never the values; the
    login mail's text leaves the outbox once it is sent."""
    browser = site.browser()
    link = _log_in(site, browser)
    token, cookie = link.rsplit("/", 1)[1], browser.cookies["opk_session"]
    assert site.query("SELECT token_sha256 FROM web_login_tokens") == [(hashlib.sha256(token.encode()).hexdigest(),)]
    assert site.query("SELECT token_sha256 FROM web_sessions") == [(hashlib.sha256(cookie.encode()).hexdigest(),)]
    raws = [bytes(r[0]) for r in site.query("SELECT raw FROM outbox")]
    for secret in (token, cookie):
        assert not any(secret.encode() in raw for raw in raws)
    [(raw,)] = site.query("SELECT raw FROM outbox WHERE kind = 'login_link'")
    assert isinstance(raw, bytes | memoryview) and b"X-Oppkobling-Kind: login_link" in bytes(raw)


def test_the_link_uses_the_public_url_whatever_the_host_header(tmp_path: Path) -> None:
    """With an https public URL the link points there (never at the Host header), the cookie is Secure and
    the page sends HSTS."""
    with site_for(tmp_path, BOT_WEB_PUBLIC_URL="https://oppkobling.hemit.no") as site:
        browser = site.browser()
        browser.ask_for_link(COORDINATOR, Host="evil.example", Origin="https://oppkobling.hemit.no")
        [link] = site.links()
        assert link.startswith("https://oppkobling.hemit.no/login/")
        answer = browser.get(_path(link))
        assert "Secure" in (answer.cookie("opk_session") or "")
        assert answer.headers["strict-transport-security"].startswith("max-age=")


def test_a_session_ends_when_its_address_is_no_longer_a_coordinator(site: Site, tmp_path: Path) -> None:
    """Taking an address out of BOT_COORDINATORS ends its sessions (and its unused links) at once."""
    browser = site.browser()
    _log_in(site, browser)
    site.browser().ask_for_link(COORDINATOR)
    unused = site.links()[-1]
    app, _clock = make_app(web_env(site.bot.db, BOT_COORDINATORS=COORDINATOR_2), WEB_NOW)
    with serve(app) as base:
        other = Browser(base, dict(browser.cookies))
        assert other.get("/").location == "/login"
        assert other.get(_path(unused)).location == "/login"
    app.store.dispose()


def test_logout_needs_the_session_form_token(site: Site) -> None:
    """POST /logout with the session's token ends the session; without it nothing happens."""
    browser = site.browser()
    _log_in(site, browser)
    assert browser.post("/logout", form={"csrf": "wrong"}).location == "/"
    assert browser.get("/").status == 200
    token = re.search(r'name="csrf" value="([^"]+)"', browser.get("/").body)
    assert token is not None
    assert browser.post("/logout", form={"csrf": token.group(1)}).location == "/login"
    assert browser.get("/").location == "/login"
    assert site.query("SELECT count(*) FROM web_sessions") == [(0,)]


def test_the_access_log_never_shows_a_login_token(site: Site, caplog: pytest.LogCaptureFixture) -> None:
    """Request lines are logged with the token cut out, so nobody reading the log can use a link."""
    caplog.set_level(logging.INFO, logger="bot.web.access")
    link = _log_in(site, site.browser())
    token = link.rsplit("/", 1)[1]
    # The line is written when the request is over, just after the answer went out.
    assert wait_until(lambda: any("GET /login/… 303" in r.getMessage() for r in caplog.records), timeout_s=5)
    assert not any(token in r.getMessage() for r in caplog.records)


def test_an_answer_to_a_login_mail_is_never_passed_on(site: Site) -> None:
    """A coordinator's reply to a login mail (which quotes the link) is not forwarded to the other coordinators."""
    site.browser().ask_for_link(COORDINATOR)
    site.links()
    [login_mail] = [m for m in site.bot.sent_to(COORDINATOR) if m["X-Oppkobling-Kind"] == "login_link"]
    sent_before = len(site.bot.sender.sent)
    site.bot.deliver(reply_to(login_mail, COORDINATOR, "Takk, det virket.", message_id="takk@hemit.no"))
    site.bot.cycle()
    assert site.bot.sender.sent[sent_before:] == []
    assert site.query("SELECT outcome FROM inbound WHERE message_id = 'takk@hemit.no'") == [("other",)]
