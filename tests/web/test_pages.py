"""The pages: what a coordinator reads, the headers every answer carries, and that nothing changes case state."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from reliability_kit import COORDINATOR, kommune
from test_login import _log_in
from web_kit import STRANGER, Browser, Site, site_for

CASE_TABLES = ("cases", "steps", "deviations", "events", "due", "inbound", "raw_messages", "folders")


@pytest.fixture(params=["sqlite", "postgresql"])
def site(request: pytest.FixtureRequest) -> Site:
    """The seeded status page, on SQLite and on PostgreSQL: every page reads the same from either."""
    found: Site = request.getfixturevalue("sqlite_site" if request.param == "sqlite" else "pg_site")
    return found


@pytest.fixture
def coordinator(site: Site) -> Browser:
    """A browser logged in as a coordinator."""
    browser = site.browser()
    _log_in(site, browser)
    return browser


@pytest.mark.parametrize(("path", "status"), [
    ("/", 200), ("/cases/OPK-1", 200), ("/quarantine", 200), ("/cases/OPK-77", 404), ("/nowhere", 404),
    ("/login", 303), ("/healthz", 200), ("/static/site.css", 200),
])
def test_every_answer_carries_the_security_headers(coordinator: Browser, path: str, status: int) -> None:
    """CSP without script, no framing, no Referer, no sniffing, no caching of pages: on every answer."""
    answer = coordinator.get(path)
    assert answer.status == status
    csp = answer.headers["content-security-policy"]
    assert "script-src" not in csp and "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert answer.headers["x-content-type-options"] == "nosniff"
    if path != "/static/site.css":
        assert answer.headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in answer.headers  # plain http here; see the https test


def test_pages_have_no_script_and_no_inline_style(coordinator: Browser) -> None:
    """The pages work without JavaScript and need nothing the CSP forbids."""
    for path in ("/", "/cases/OPK-1", "/quarantine"):
        body = coordinator.get(path).body
        assert '<html lang="nb">' in body and 'name="viewport"' in body
        assert "<script" not in body and " style=" not in body and "<style" not in body


def test_healthz_shows_counts_and_times_without_login_and_without_names(site: Site) -> None:
    """/healthz answers without a session: last mailbox sync, outbox pending/failed, quarantine count."""
    answer = site.browser().get("/healthz")
    assert answer.status == 200 and answer.headers["content-type"] == "application/json"
    data = json.loads(answer.body)
    assert data == {"status": "ok", "last_mailbox_sync": "2027-02-16T09:00:00+00:00",
                    "outbox": {"pending": 0, "failed": 0}, "quarantined": 1}
    assert "@" not in answer.body and "Malvik" not in answer.body and "OPK" not in answer.body


def test_the_overview_shows_the_case_its_lateness_and_this_week(site: Site, coordinator: Browser) -> None:
    """One row per open case with D, current step, deadline and lateness in words; the week's strip;
    the quarantine count linking on."""
    first = next(s for s in site.app.plan.steps.values() if s.deadline is not None).short_label
    body = coordinator.get("/").body
    row = re.search(r'<tr data-ref="OPK-1" class="late">(.*?)</tr>', body, re.S)
    assert row is not None
    cells = row.group(1)
    assert 'href="/cases/OPK-1"' in cells and "Malvik" in cells and "01.03.2027" in cells
    assert first in cells and "15.02.2027 kl. 16:00" in cells
    assert f"⚠ Forsinket: {first}" in cells  # not by colour alone
    week = body[body.index('id="denne-uken"'):body.index('id="open-heading"')]
    assert "15.02.2027–21.02.2027" in week and "mandag 15. februar 2027 kl. 16:00" in week
    assert 'href="/quarantine"' in body and "<strong>1</strong> i karantene" in body


def test_the_case_page_draws_the_timeline_and_lists_everything(site: Site, coordinator: Browser) -> None:
    """An inline SVG with a lane per step, today's line and marks; partners per health trust; mails in and
    out with their text; deviations; the event log."""
    body = coordinator.get("/cases/OPK-1").body
    svg = body[body.index("<svg"):body.index("</svg>")]
    assert svg.count('<g class="lane ') == len(site.app.plan.steps)
    assert 'class="today-mark"' in svg and ">D</text>" in svg
    assert svg.count('data-shape="deadline"') == sum(1 for s in site.app.plan.steps.values() if s.deadline)
    assert 'data-shape="sent"' in svg and 'data-shape="done"' in svg and 'data-shape="event"' in svg
    assert "<desc id=\"tl-desc\">Tidslinje for OPK-1 fra bestillingen 11.01.2027 til aktiveringsdatoen" in svg
    for trust in site.app.plan.health_trusts:
        assert f"Ikke bekreftet</span> {trust.name}" in body
    mails = body[body.index('id="mails"'):body.index('id="events-heading"')]
    assert mails.count('<li class="mail in">') == 2 and mails.count('<li class="mail out">') >= 4
    assert "Malvik kommune bestiller oppkobling" in mails  # the order's text, openable
    assert "Et spørsmål &lt;b&gt;fet&lt;/b&gt; om testmeldingene." in mails
    assert "order_accepted" in body[body.index('id="events"'):]


def test_hostile_subjects_and_senders_render_inert(coordinator: Browser) -> None:
    """A subject with <script> and bidi controls shows as text, with the controls visible, on every page."""
    for path in ("/quarantine", "/cases/OPK-1"):
        body = coordinator.get(path).body
        assert "<script" not in body
        assert "&lt;script&gt;window.pwned=1&lt;/script&gt; [U+202E]gpj.exe [U+2066]x" in body
        assert "\u202e" not in body and "\u2066" not in body
    quarantine = coordinator.get("/quarantine").body
    assert f"<bdi>{STRANGER}</bdi>" in quarantine and "oppkobling quarantine replay" in quarantine
    assert "BOT_MAX_MESSAGE_BYTES" in quarantine  # the reason


def test_an_unknown_case_is_a_404_page_for_a_coordinator(coordinator: Browser) -> None:
    """A case that does not exist, or a malformed reference, gets a Norwegian 404 page."""
    for ref in ("OPK-77", "OPK-x", "1"):
        answer = coordinator.get(f"/cases/{ref}")
        assert answer.status == 404 and "Fant ikke saken" in answer.body


def test_failed_mails_are_listed_each_linking_to_its_case(tmp_path: Path) -> None:
    """Mail the outbox gave up on is counted on the overview and listed with its case, kind and error."""
    unreachable = (kommune("Malvik").mailbox,)
    with site_for(tmp_path, unreachable=unreachable, BOT_OUTBOX_MAX_ATTEMPTS="1") as site:
        browser = site.browser()
        _log_in(site, browser)
        body = browser.get("/").body
        failed = body[body.index('id="feilede"'):]
        assert re.search(r'id="failed-count" class="counter warn" href="#feilede"><strong>[1-9]', body)
        assert '<a href="/cases/OPK-1">OPK-1</a>' in failed and "receipt" in failed
        assert "4.3.0 try again later" in failed or "gave up" in failed


def test_browsing_every_page_changes_no_case_state(site: Site, coordinator: Browser) -> None:
    """Logins, pages and refusals write only the page's own rows (and the login mail to the outbox)."""
    before = {t: site.query(f"SELECT * FROM {t}") for t in CASE_TABLES}
    for path in ("/", "/cases/OPK-1", "/quarantine", "/healthz", "/cases/OPK-2", "/login/" + "x" * 43):
        coordinator.get(path)
    site.browser().ask_for_link(COORDINATOR)
    site.browser().ask_for_link(STRANGER)
    site.requests.wait_for(site.asked)
    assert {t: site.query(f"SELECT * FROM {t}") for t in CASE_TABLES} == before
