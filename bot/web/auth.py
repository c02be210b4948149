"""Login by mail for the status page: single-use links, sessions, the rate limit. Tokens are kept hashed."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from bot.app import App
from bot.domain import MailKind
from bot.outbound.mail_request import MailRequest
from bot.store import web_repo
from bot.store.web_repo import WebSession

log = logging.getLogger("bot.web")

LINK_LIFETIME = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=12)
MAX_LINKS_PER_HOUR = 5
# Used tokens and ended sessions are forgotten after a day (the rate limit looks back one hour).
KEEP_ENDED = timedelta(days=1)
# secrets.token_urlsafe(32): 43 characters of the URL-safe alphabet. Anything else is not looked up.
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")


class LinkRequest(StrEnum):
    """What a login request came to; logged, never shown (the page is the same whatever the address)."""

    QUEUED = "queued"
    NOT_COORDINATOR = "not_coordinator"
    RATE_LIMITED = "rate_limited"
    HELD_BACK = "held_back"  # the recipient gate's daily cap kept it back


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def is_token(value: str | None) -> bool:
    return value is not None and _TOKEN.fullmatch(value) is not None


def normalize_address(value: str) -> str:
    return value.strip().lower()[:320]


def request_link(app: App, address: str, now: datetime) -> LinkRequest:
    """Queue a `login_link` mail for a coordinator's address; anyone else's address changes nothing."""
    address = normalize_address(address)
    if address not in app.settings.coordinator_list:
        return LinkRequest.NOT_COORDINATOR
    with app.store.tx() as tx:
        web_repo.purge_web_rows(tx, now - KEEP_ENDED)
        if web_repo.login_tokens_since(tx, address, now - timedelta(hours=1)) >= MAX_LINKS_PER_HOUR:
            return LinkRequest.RATE_LIMITED
        token = new_token()
        web_repo.add_login_token(tx, token_digest(token), address, now, now + LINK_LIFETIME)
        link = f"{app.settings.web_url}/login/{token}"
        # The same path as every other mail: the post office (recipient gate, outbox); the daemon sends it.
        queued = app.casework.post.send(tx, [MailRequest(kind=MailKind.LOGIN_LINK, case=None, to=(address,),
                                                         detail=link, recipient_role="coordinators")], now)
    return LinkRequest.QUEUED if any(r.kind is MailKind.LOGIN_LINK for r in queued) else LinkRequest.HELD_BACK


def redeem_link(app: App, token: str, now: datetime) -> tuple[str, WebSession] | None:
    """A new session for a valid, unused, unexpired link of a current coordinator: (cookie value, session)."""
    if not is_token(token):
        return None
    with app.store.tx() as tx:
        address = web_repo.redeem_login_token(tx, token_digest(token), now)
        if address is None or address not in app.settings.coordinator_list:
            return None
        cookie = new_token()
        session = WebSession(address=address, expires_at=now + SESSION_LIFETIME, csrf=new_token())
        web_repo.add_session(tx, token_digest(cookie), address, now, session.expires_at, session.csrf)
    log.info("logged in: %s", address)
    return cookie, session


def session_of(app: App, cookie: str | None, now: datetime) -> WebSession | None:
    """The session a cookie names, while it lasts and while its address is still a coordinator."""
    if cookie is None or not is_token(cookie):
        return None
    with app.store.tx(read_only=True) as tx:
        session = web_repo.session_of(tx, token_digest(cookie), now)
    if session is None or session.address not in app.settings.coordinator_list:
        return None
    return session


def end_session(app: App, cookie: str) -> None:
    if is_token(cookie):
        with app.store.tx() as tx:
            web_repo.end_session(tx, token_digest(cookie))
