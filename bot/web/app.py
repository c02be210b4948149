"""The status page's routes: login by mail, the overview, a case, the quarantine and /healthz."""

from __future__ import annotations

import logging
from datetime import datetime

import uvicorn
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from bot.app import App
from bot.store import web_repo
from bot.store.repo import StoreError
from bot.store.web_repo import WebSession
from bot.web import auth, pages
from bot.web.render import STATIC, Renderer
from bot.web.security import CSRF_COOKIE, BadForm, SecurityHeaders, csrf_ok, read_form

log = logging.getLogger("bot.web")
SESSION_COOKIE = "opk_session"


class StatusPages:
    """The request handlers. Case state is only read; the page's own rows are its sessions and tokens."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.renderer = Renderer(app.settings.tz)
        self.https = app.settings.web_url.startswith("https://")
        self.stylesheet = (STATIC / "site.css").read_bytes()

    # --- helpers ----------------------------------------------------------------------------------

    def _now(self) -> datetime:
        return self.app.clock.now()

    def _html(self, template: str, session: WebSession | None, *, status: int = 200,
              background: BackgroundTask | None = None, **values: object) -> HTMLResponse:
        body = self.renderer.render(template, now=self._now(), user=session.address if session else "",
                                    logout_csrf=session.csrf if session else "", **values)
        return HTMLResponse(body, status_code=status, background=background)

    def _session(self, request: Request) -> WebSession | None:
        return auth.session_of(self.app, request.cookies.get(SESSION_COOKIE), self._now())

    @staticmethod
    def _to(path: str) -> RedirectResponse:
        return RedirectResponse(path, status_code=303)

    def _login_form(self, request: Request, *, status: int = 200, message: str = "") -> HTMLResponse:
        token = request.cookies.get(CSRF_COOKIE)
        if not auth.is_token(token):
            token = auth.new_token()
        assert token is not None
        response = self._html("login.html.j2", None, status=status, csrf=token, message=message)
        # Double-submit: the form's hidden field must equal this cookie, which another site cannot read or set.
        response.set_cookie(CSRF_COOKIE, token, path="/login", httponly=True, samesite="strict", secure=self.https)
        return response

    # --- login --------------------------------------------------------------------------------------

    def login_form(self, request: Request) -> Response:
        if self._session(request) is not None:
            return self._to("/")
        return self._login_form(request)

    async def login_request(self, request: Request) -> Response:
        try:
            form = await read_form(request)
        except BadForm:
            return self._html("error.html.j2", None, status=413, heading="For stort skjema",
                              text="Skjemaet var for stort. Gå tilbake og prøv igjen.")
        if not csrf_ok(request, form.get("csrf"), request.cookies.get(CSRF_COOKIE), self.app.settings.web_url):
            log.warning("login form refused: missing or wrong CSRF token")
            return self._login_form(request, status=403,
                                    message="Skjemaet var utløpt. Skriv adressen din og prøv igjen.")
        # The mail is queued after the answer has gone: the same page, as fast, whatever the address.
        task = BackgroundTask(self._request_link, form.get("email", ""), self._now())
        return self._html("login_sent.html.j2", None, background=task)

    def _request_link(self, address: str, now: datetime) -> None:
        """One log line per login request, always: the audit trail (a stranger's address is not written)."""
        try:
            outcome = auth.request_link(self.app, address, now)
        except StoreError as exc:
            log.error("login request failed: %s", exc)
            return
        who = "" if outcome is auth.LinkRequest.NOT_COORDINATOR else f" for {auth.normalize_address(address)}"
        refused = outcome in (auth.LinkRequest.RATE_LIMITED, auth.LinkRequest.HELD_BACK)
        level = logging.WARNING if refused else logging.INFO
        log.log(level, "login request%s: %s", who, outcome.value)

    def login_with_token(self, request: Request) -> Response:
        if request.method != "GET":
            # Link checkers send HEAD to see where a link leads: that must not use the link up.
            return self._to("/login")
        result = auth.redeem_link(self.app, request.path_params["token"], self._now())
        if result is None:
            return self._to("/login")
        cookie, _session = result
        response = self._to("/")
        response.set_cookie(SESSION_COOKIE, cookie, max_age=int(auth.SESSION_LIFETIME.total_seconds()), path="/",
                            httponly=True, samesite="lax", secure=self.https)
        return response

    async def logout(self, request: Request) -> Response:
        try:
            form = await read_form(request)
        except BadForm:
            form = {}
        session = self._session(request)
        cookie = request.cookies.get(SESSION_COOKIE)
        if session is not None and cookie and csrf_ok(request, form.get("csrf"), session.csrf,
                                                      self.app.settings.web_url):
            auth.end_session(self.app, cookie)
            response = self._to("/login")
            response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=self.https)
            return response
        return self._to("/" if session is not None else "/login")

    # --- pages --------------------------------------------------------------------------------------

    def overview(self, request: Request) -> Response:
        session = self._session(request)
        if session is None:
            return self._to("/login")
        return self._html("overview.html.j2", session, view=pages.overview(self.app, self._now()))

    def case(self, request: Request) -> Response:
        session = self._session(request)
        if session is None:
            return self._to("/login")
        page = pages.case_page(self.app, request.path_params["ref"], self._now())
        if page is None:
            return self._html("error.html.j2", session, status=404, heading="Fant ikke saken",
                              text="Det finnes ingen sak med denne referansen.")
        return self._html("case.html.j2", session, page=page)

    def quarantine(self, request: Request) -> Response:
        session = self._session(request)
        if session is None:
            return self._to("/login")
        return self._html("quarantine.html.j2", session, lines=pages.quarantine(self.app))

    def healthz(self, request: Request) -> Response:
        """For monitoring, without login: times and counts only."""
        with self.app.store.tx(read_only=True) as tx:
            health = web_repo.health(tx)
        return JSONResponse({
            "status": "ok",
            "last_mailbox_sync": health.last_sync.isoformat() if health.last_sync else None,
            "outbox": {"pending": health.outbox_pending, "failed": health.outbox_failed},
            "quarantined": health.quarantined,
        })

    def css(self, request: Request) -> Response:
        return Response(self.stylesheet, media_type="text/css", headers={"cache-control": "public, max-age=3600"})

    def not_found(self, request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        heading = "Fant ikke siden" if status == 404 else "Kan ikke vise siden"
        return self._html("error.html.j2", None, status=status, heading=heading,
                          text="Adressen finnes ikke på statussiden." if status == 404 else "Prøv igjen.")


def create_web_app(app: App) -> Starlette:
    """The ASGI app of the status page, built on the bot's composition root."""
    h = StatusPages(app)
    routes = [
        Route("/", h.overview),
        Route("/cases/{ref}", h.case),
        Route("/quarantine", h.quarantine),
        Route("/login", h.login_form, methods=["GET"]),
        Route("/login", h.login_request, methods=["POST"]),
        Route("/login/{token}", h.login_with_token, methods=["GET"]),
        Route("/logout", h.logout, methods=["POST"]),
        Route("/healthz", h.healthz),
        Route("/static/site.css", h.css),
    ]
    return Starlette(routes=routes, middleware=[Middleware(SecurityHeaders, https=h.https)],
                     exception_handlers={404: h.not_found, 405: h.not_found})


def web_server(app: App, *, host: str, port: int) -> uvicorn.Server:
    """uvicorn serving the page. Its own access log stays off (it would write login links' tokens; the
    SecurityHeaders middleware logs requests with the token cut out), and it names no server software."""
    config = uvicorn.Config(create_web_app(app), host=host, port=port, access_log=False, server_header=False,
                            lifespan="off", log_config=None)
    return uvicorn.Server(config)
