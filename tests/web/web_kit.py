"""Helpers for the status page's tests: a bot with cases in a real SQLite file, the page served by uvicorn,
and an HTTP client that follows no redirect."""

from __future__ import annotations

import http.client
import logging
import re
import shutil
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from reliability_kit import (
    BOT,
    COORDINATOR,
    OSLO,
    T0,
    MemoryBot,
    bot_settings_env,
    kommune,
    make_app,
    memory_bot,
    order_mail,
)
from selenium import webdriver
from selenium.webdriver.chrome.options import Options as ChromeOptions
from selenium.webdriver.chrome.service import Service as ChromeService
from selenium.webdriver.remote.webdriver import WebDriver

from bot.app import App
from bot.clock import FixedClock
from bot.web.app import web_server
from sandbox.dovecot import free_port

# Tuesday 16 February 2027, 10:00: the AR deadline (15 February 16:00) has passed unconfirmed.
WEB_NOW = datetime(2027, 2, 16, 10, 0, tzinfo=OSLO)
HOSTILE_SUBJECT = "Bestilling <script>window.pwned=1</script> \u202egpj.exe \u2066x"
STRANGER = "ukjent@example.org"
SEED_MAX_BYTES = 20_000
# The daemon's cycles over the seed: the order, the AR reminder a week before its deadline, and today.
SEED_CYCLES = (T0, datetime(2027, 2, 8, 8, 5, tzinfo=OSLO), WEB_NOW)
_LINK = re.compile(r"https?://\S+/login/[A-Za-z0-9_-]{43}")


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: str

    @property
    def location(self) -> str | None:
        return self.headers.get("location")

    def cookie(self, name: str) -> str | None:
        """The Set-Cookie header for `name`, whole (value and attributes)."""
        return next((v for v in self.headers.get_all("set-cookie") or [] if v.startswith(name + "=")), None)


@dataclass
class Browser:
    """A plain HTTP client with a cookie jar: follows no redirects, so every answer can be checked."""

    base: str
    cookies: dict[str, str] = field(default_factory=dict)
    site: Site | None = None  # counts the login requests this browser makes

    def request(self, method: str, path: str, *, form: Mapping[str, str] | None = None,
                headers: Mapping[str, str] | None = None, body: bytes | None = None) -> Answer:
        url = urlsplit(self.base)
        conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=10)
        try:
            all_headers = dict(headers or {})
            if form is not None:
                body = urlencode(form).encode()
                all_headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
            if self.cookies:
                all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            conn.request(method, path, body=body, headers=all_headers)
            resp = conn.getresponse()
            answer = Answer(resp.status, resp.headers, resp.read().decode("utf-8", "replace"))
        finally:
            conn.close()
        for raw in answer.headers.get_all("set-cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(raw)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return answer

    def get(self, path: str, **kw: object) -> Answer:
        return self.request("GET", path, **kw)  # type: ignore[arg-type]

    def post(self, path: str, **kw: object) -> Answer:
        return self.request("POST", path, **kw)  # type: ignore[arg-type]

    def csrf(self) -> str:
        """Load the login form (which sets the CSRF cookie) and return its hidden token."""
        page = self.get("/login")
        found = re.search(r'name="csrf" value="([^"]+)"', page.body)
        assert found, page.body
        return found.group(1)

    def ask_for_link(self, address: str, **headers: str) -> Answer:
        answer = self.post("/login", form={"csrf": self.csrf(), "email": address}, headers=headers)
        if answer.status == 200 and self.site is not None:
            self.site.asked += 1
        return answer


class LoginRequests(logging.Handler):
    """Counts the page's log line for each login request it has finished (it answers before the work)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []
        self.changed = threading.Condition()

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("login request"):
            with self.changed:
                self.lines.append(record.getMessage())
                self.changed.notify_all()

    def wait_for(self, n: int, timeout_s: float = 10.0) -> list[str]:
        with self.changed:
            if not self.changed.wait_for(lambda: len(self.lines) >= n, timeout=timeout_s):
                raise AssertionError(f"{len(self.lines)} of {n} login requests finished: {self.lines}")
            return list(self.lines)


@dataclass
class Site:
    """The status page on a real port, on its own App (as its own process would be) and a movable clock."""

    app: App
    clock: FixedClock
    base: str
    bot: MemoryBot
    requests: LoginRequests
    asked: int = 0  # login requests the page has answered (and so will handle)

    def browser(self) -> Browser:
        return Browser(self.base, site=self)

    def links(self) -> list[str]:
        """Every login link the daemon has sent so far, once every login request asked for has been handled
        (the daemon's cycle drains the outbox)."""
        self.requests.wait_for(self.asked)
        self.bot.clock.set(self.clock.now())
        self.bot.cycle()
        return [link for m in self.bot.sent_to(COORDINATOR) for link in _LINK.findall(_text(m))]

    def query(self, sql: str) -> list[tuple[object, ...]]:
        return self.bot.query(sql)


def _text(msg: EmailMessage) -> str:
    part = msg.get_body(("plain",))
    return part.get_content() if isinstance(part, EmailMessage) else ""


@contextmanager
def serve(app: App) -> Iterator[str]:
    """uvicorn in a thread on the app's BOT_WEB_HOST and BOT_WEB_PORT; yields the base URL."""
    host, port = app.settings.web_host, app.settings.web_port
    server = web_server(app, host=host, port=port)
    thread = threading.Thread(target=server.run, name="web", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the status page did not start")
        time.sleep(0.01)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def seed_messages() -> list[bytes]:
    """Malvik's order (11 January, D 1 March 2027), a reply on it with a hostile subject, and an oversize
    message from a stranger with the same subject (quarantined when BOT_MAX_MESSAGE_BYTES is 20000)."""
    malvik = kommune("Malvik")
    reply = EmailMessage()
    reply["From"], reply["To"] = malvik.mailbox, BOT
    reply["Subject"] = f"[OPK-1] {HOSTILE_SUBJECT}"
    reply["Message-ID"] = "<reply@malvik.kommune.no>"
    reply.set_content("Et spørsmål <b>fet</b> om testmeldingene.\n")
    big = EmailMessage()
    big["From"], big["To"] = STRANGER, BOT
    big["Subject"] = HOSTILE_SUBJECT
    big["Message-ID"] = "<big@example.org>"
    big.set_content("x" * 30_000)
    return [order_mail(malvik, message_id="order@malvik.kommune.no").as_bytes(), reply.as_bytes(), big.as_bytes()]


def seeded_bot(tmp: Path, *, template: Path | None = None, unreachable: tuple[str, ...] = (),
               database_url: str | None = None, **env: str) -> MemoryBot:
    """A bot on fakes that has read seed_messages() at T0 and run its cycles up to WEB_NOW; mail to
    `unreachable` addresses fails (temporarily: with BOT_OUTBOX_MAX_ATTEMPTS=1 it is given up).

    With `template` (a database a seeded bot left behind) the database is a copy of it and the mailbox
    holds the same messages under the same UIDs: the same state, without playing the cycles again. With
    `database_url` (PostgreSQL) the bot uses that database instead, already copied from a seeded one when
    `template` is given.
    """
    if template is not None and database_url is None:
        shutil.copyfile(template, tmp / "bot.sqlite")
    if database_url is not None:
        env = {"BOT_DATABASE_URL": database_url, **env}
    bot = memory_bot(tmp, env={"BOT_MAX_MESSAGE_BYTES": str(SEED_MAX_BYTES), **env})
    bot.sender.temporary.update(unreachable)
    for raw in seed_messages():
        bot.deliver(raw)
    for at in SEED_CYCLES if template is None else (WEB_NOW,):
        bot.clock.set(at)
        if template is None:
            bot.cycle()
    return bot


def seed_template(tmp: Path, database_url: str | None = None) -> Path:
    """A seeded database to copy from (the bot that made it is closed, so the file is complete)."""
    bot = seeded_bot(tmp, database_url=database_url)
    bot.app.store.dispose()
    return bot.db


def web_env(db: Path, **extra: str) -> dict[str, str]:
    """BOT_* variables of the status page on a free loopback port, for the database `db`."""
    return bot_settings_env(db, BOT_WEB_PORT=str(free_port()), **extra)


@contextmanager
def site_for(tmp: Path, *, template: Path | None = None, unreachable: tuple[str, ...] = (),
             database_url: str | None = None, **env: str) -> Iterator[Site]:
    """The seeded bot's database, with the status page serving it at WEB_NOW (`env`: more BOT_* variables;
    `database_url`: a PostgreSQL database instead of the SQLite file, see seeded_bot)."""
    bot = seeded_bot(tmp, template=template, unreachable=unreachable, database_url=database_url, **env)
    if bot.app.store.engine.dialect.name == "postgresql":  # the page reads the bot's database
        env = {"BOT_DATABASE_URL": bot.app.settings.database_url, **env}
    app, clock = make_app(web_env(bot.db, **env), WEB_NOW)
    requests, logger = LoginRequests(), logging.getLogger("bot.web")
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(requests)
    try:
        with serve(app) as base:
            yield Site(app=app, clock=clock, base=base, bot=bot, requests=requests)
    finally:
        logger.removeHandler(requests)
        logger.setLevel(level)
        app.store.dispose()
        bot.app.store.dispose()


# -- a real browser: Debian's chromium driven through Debian's chromedriver -------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=nb",
)


@contextmanager
def chromium_driver(profile: Path) -> Iterator[WebDriver]:
    """Chromium with a fresh profile. Both paths are given, so Selenium Manager never runs (it would
    download a browser or driver)."""
    options = ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=ChromeService(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
