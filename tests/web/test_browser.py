"""In a real browser: a coordinator logs in by the mailed link and reads the overview, a case and the quarantine."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from reliability_kit import COORDINATOR, T0, bot_settings_env, make_app, query, sandbox_cycle, wait_until
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as expected
from selenium.webdriver.support.wait import WebDriverWait
from web_kit import (
    ARTIFACTS,
    SEED_CYCLES,
    SEED_MAX_BYTES,
    WEB_NOW,
    chromium_driver,
    seed_messages,
    serve,
    web_env,
)

from sandbox import Sandbox

pytestmark = [pytest.mark.integration, pytest.mark.slow]
LOGIN_LINKS = "SELECT count(*) FROM outbox WHERE kind = 'login_link'"
LINK = re.compile(r"http://127\.0\.0\.1:\d+/login/[A-Za-z0-9_-]{43}")


def _wait(driver: WebDriver) -> WebDriverWait[WebDriver]:
    """Clicks return before the next page has loaded: wait for it (at most 10 s)."""
    return WebDriverWait(driver, 10)


def _shot(driver: WebDriver, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    width = driver.get_window_size()["width"]
    driver.set_window_size(width, min(int(height) + 120, 6000))
    driver.execute_script("window.scrollTo(0, 0)")
    assert driver.save_screenshot(str(ARTIFACTS / name))


@pytest.mark.timeout(180)
def test_coordinator_logs_in_by_mail_and_reads_the_pages(sandbox: Sandbox, chromium: Path, tmp_path: Path) -> None:
    """Login by the link from the sandbox's SMTP records, then the overview, Malvik's timeline and the quarantine."""
    db = tmp_path / "bot.sqlite"
    daemon, daemon_clock = make_app({**sandbox.settings_env(), **bot_settings_env(
        db, BOT_MAX_MESSAGE_BYTES=str(SEED_MAX_BYTES))}, T0)
    for raw in seed_messages():
        sandbox.append(sandbox.bot_user, raw)
    for at in SEED_CYCLES:
        daemon_clock.set(at)
        sandbox_cycle(daemon)

    web, web_clock = make_app(web_env(db), WEB_NOW)
    with serve(web) as base, chromium_driver(tmp_path / "profile") as driver:
        driver.get(base + "/")
        assert driver.current_url == base + "/login"
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "nb"
        driver.find_element(By.NAME, "email").send_keys(COORDINATOR)
        driver.find_element(By.CSS_SELECTOR, "form.login button").click()
        _wait(driver).until(expected.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Sjekk e-posten din"))

        # The page queued the mail; the daemon's outbox sends it through the sandbox's SMTP server.
        assert wait_until(lambda: query(db, LOGIN_LINKS) == [(1,)], timeout_s=5)
        daemon_clock.set(web_clock.now() + timedelta(seconds=1))
        before = len(sandbox.sent)
        sandbox_cycle(daemon)
        mails = [e for e in sandbox.sent[before:] if e.message["X-Oppkobling-Kind"] == "login_link"]
        assert [m.rcpt_tos for m in mails] == [(COORDINATOR,)]
        assert isinstance(mails[0].message, EmailMessage)
        body = mails[0].message.get_body(("plain",))
        assert isinstance(body, EmailMessage)
        [link] = LINK.findall(body.get_content())

        driver.get(link)
        assert driver.current_url == base + "/"
        row = driver.find_element(By.CSS_SELECTOR, "#open-cases tr[data-ref='OPK-1']")
        assert "Malvik" in row.text
        first = next(s for s in web.plan.steps.values() if s.deadline is not None)
        assert f"Forsinket: {first.short_label}" in row.text
        assert driver.find_element(By.ID, "quarantine-count").text == "1 i karantene"
        assert "Frist" in driver.find_element(By.ID, "denne-uken").text or "Ingen frister" in driver.page_source
        _shot(driver, "overview.png")

        row.find_element(By.LINK_TEXT, "OPK-1").click()
        _wait(driver).until(expected.url_to_be(base + "/cases/OPK-1"))
        assert driver.find_element(By.TAG_NAME, "h1").text.startswith("OPK-1 Malvik kommune")
        svg = driver.find_element(By.CSS_SELECTOR, "svg.timeline")
        assert len(svg.find_elements(By.CSS_SELECTOR, "g.lane")) == len(web.plan.steps)
        assert svg.find_elements(By.CSS_SELECTOR, "g.today-mark")
        assert svg.find_elements(By.CSS_SELECTOR, "g.lane.overdue")
        assert svg.find_elements(By.CSS_SELECTOR, "g.mark.done")
        assert svg.find_elements(By.CSS_SELECTOR, "g.mark[data-shape='sent']")  # the AR reminder of 8 February
        assert svg.find_elements(By.CSS_SELECTOR, "g.mark[data-shape='escalation'].sent")  # and its escalation
        assert len(driver.find_elements(By.CSS_SELECTOR, "#partners li")) == len(web.plan.health_trusts)
        first_mail = driver.find_element(By.CSS_SELECTOR, "#mails li.mail.in")
        assert not first_mail.find_element(By.CSS_SELECTOR, "pre.mailtext").is_displayed()
        first_mail.find_element(By.TAG_NAME, "summary").click()
        assert "Malvik kommune bestiller" in first_mail.find_element(By.CSS_SELECTOR, "pre.mailtext").text
        _shot(driver, "case.png")

        driver.find_element(By.LINK_TEXT, "Karantene").click()
        _wait(driver).until(expected.url_to_be(base + "/quarantine"))
        subject = driver.find_element(By.CSS_SELECTOR, "#quarantine td.subject").text
        assert "<script>window.pwned=1</script>" in subject and "[U+202E]gpj.exe" in subject
        assert driver.execute_script("return document.getElementsByTagName('script').length") == 0
        assert driver.execute_script("return window.pwned === undefined") is True
        assert "oppkobling quarantine replay" in driver.find_element(By.ID, "quarantine").text
        _shot(driver, "quarantine.png")

        driver.set_window_size(390, 844)  # a phone: nothing wider than the screen (the timeline scrolls in its box)
        driver.get(base + "/")
        assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth") is True
        _shot(driver, "overview-phone.png")
        driver.get(base + "/cases/OPK-1")
        assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth") is True
        _shot(driver, "case-phone.png")

        driver.find_element(By.CSS_SELECTOR, "form.logout button").click()
        _wait(driver).until(expected.url_to_be(base + "/login"))
        driver.get(base + "/")
        assert driver.current_url == base + "/login"
    web.store.dispose()
    daemon.store.dispose()

