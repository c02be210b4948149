"""The IMAP adapter of the Mailbox port (imapclient, synchronous): TLS, login, UID fetch, IDLE, reconnects."""

from __future__ import annotations

import ast
import functools
import logging
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError

from bot.mail.login_errors import explain_refusal
from bot.mail.mailbox import (
    FOLDER_SEPARATOR,
    INBOX,
    FetchedMessage,
    MailboxAuthError,
    MailboxError,
    MailboxUnavailable,
    NoSuchFolder,
    UidValidityChanged,
)
from bot.mail.oauth2 import AccessToken, OAuth2Error, TokenProvider
from bot.mail.tls import shared_client_context
from bot.settings import Security

log = logging.getLogger(__name__)

T = TypeVar("T")

# What a dropped or broken connection looks like: socket and TLS errors, EOF, BYE (imaplib's abort).
_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (OSError, IMAPClientAbortError)
# Bodies are fetched in requests of at most this many bytes, so a batch of large mails stays bounded.
_MAX_FETCH_REQUEST_BYTES = 32 * 1024 * 1024
# idle_check() wakes at least this often so interrupt() takes effect promptly.
_IDLE_SLICE_S = 0.25


class ImapMailbox:
    """The shared mailbox over IMAP. Not thread-safe, except interrupt(); the daemon runs it in a thread."""

    def __init__(
        self,
        host: str,
        port: int,
        user: str,
        *,
        password: str | None = None,
        oauth2: TokenProvider | None = None,
        security: Security = Security.SSL,
        ca_file: Path | str | None = None,
        timeout_s: float = 30.0,
        idle_renew_s: float = 540.0,
        poll_interval_s: float = 60.0,
        use_idle: bool = True,
        reconnect_initial_s: float = 0.5,
        reconnect_max_s: float = 60.0,
        max_reconnect_attempts: int = 8,
    ) -> None:
        if password is None and oauth2 is None:
            raise ValueError("ImapMailbox needs a password or an OAuth2 token provider")
        self.host = host
        self.port = port
        self.user = user
        self.security = Security(security)
        self.ca_file = Path(ca_file) if ca_file is not None else None
        self.timeout_s = timeout_s
        # Microsoft 365 drops IDLE silently after ~10-30 min: renew well inside that.
        self.idle_renew_s = idle_renew_s
        self.poll_interval_s = poll_interval_s
        self.use_idle = use_idle
        self.reconnect_initial_s = reconnect_initial_s
        self.reconnect_max_s = reconnect_max_s
        self.max_reconnect_attempts = max_reconnect_attempts
        self._password = password
        self._oauth2 = oauth2
        self._session_token: AccessToken | None = None  # the token this session logged in with
        self._client: IMAPClient | None = None
        self._delimiter = FOLDER_SEPARATOR
        self._selected: str | None = None
        self._uidvalidity = 0
        self._uidnext = 1
        self._known_max_uid: dict[str, int] = {}
        # What select() last told the caller: a fetch after a silent reconnect must not mix UID spaces.
        self._reported_uidvalidity: dict[str, int] = {}
        self._interrupt = threading.Event()
        self.reconnects = 0

    # -- lifecycle -----------------------------------------------------------------------------------

    def connect(self) -> None:
        self._with_retry(lambda: None)

    def close(self) -> None:
        client, self._client = self._client, None
        self._selected = None
        self._session_token = None
        if client is not None:
            try:
                client.logout()
            except (*_CONNECTION_ERRORS, IMAPClientError):
                _shutdown_quietly(client)

    def __enter__(self) -> Self:
        self.connect()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- the Mailbox port ----------------------------------------------------------------------------

    def select(self, folder: str) -> int:
        uidvalidity = self._with_retry(lambda: self._select(folder))
        self._reported_uidvalidity[folder] = uidvalidity
        return uidvalidity

    def fetch_new(
        self, folder: str, after_uid: int, max_message_bytes: int, batch_size: int = 200
    ) -> Iterator[FetchedMessage]:
        uidvalidity, uids = self._with_retry(lambda: self._search_after(folder, after_uid))
        for start in range(0, len(uids), batch_size):
            batch = uids[start : start + batch_size]
            # A whole batch is fetched (and retried) before any of it is yielded: a reconnect
            # mid-batch neither repeats nor skips a message.
            messages = self._with_retry(
                functools.partial(self._fetch_batch, folder, batch, uidvalidity, max_message_bytes)
            )
            yield from messages

    def fetch_headers(self, folder: str, uids: Sequence[int]) -> dict[int, bytes]:
        def run() -> dict[int, bytes]:
            client = self._selected_client(folder)
            fetched = client.fetch(list(uids), [b"BODY.PEEK[HEADER]"]) if uids else {}
            key = b"BODY[HEADER]"
            return {uid: bytes(data[key]) for uid, data in fetched.items() if key in data}

        return self._with_retry(run)

    def move(self, folder: str, uids: Sequence[int], target: str) -> None:
        if not uids:
            return

        def run() -> None:
            client = self._selected_client(folder)
            self._ensure_folder(client, target)
            server_target = self._server_name(target)
            if client.has_capability("MOVE"):
                client.move(list(uids), server_target)
                return
            client.copy(list(uids), server_target)
            client.delete_messages(list(uids))
            if client.has_capability("UIDPLUS"):
                client.uid_expunge(list(uids))
            else:
                client.expunge()

        self._with_retry(run)

    def wait_for_new(self, timeout_s: float, folder: str = INBOX) -> bool:
        deadline = time.monotonic() + timeout_s
        failures = 0
        delay_s = self.reconnect_initial_s
        while not self._interrupt.is_set():
            try:
                self._selected_client(folder)
                # Mail that came while we were busy or disconnected gets no IDLE notice: look first.
                if self._has_newer(folder):
                    return True
                now = time.monotonic()
                if now >= deadline:
                    return False
                if self._session_token is not None and now >= self._session_token.renew_at:
                    # Exchange Online ends a session when its token expires: start a new one first.
                    log.info("IMAP session token due for renewal; reconnecting")
                    self._drop()
                    continue
                # A fallback poll also runs while idling, in case IDLE died without telling us.
                segment_end = min(deadline, now + self.poll_interval_s)
                if self._session_token is not None:
                    segment_end = min(segment_end, self._session_token.renew_at)
                if self._idle_available():
                    if self._idle(min(segment_end, now + self.idle_renew_s)):
                        return True
                else:
                    self._interrupt.wait(max(0.0, segment_end - now))
                failures, delay_s = 0, self.reconnect_initial_s
            except _CONNECTION_ERRORS as exc:
                self._drop()
                failures += 1
                if failures > self.max_reconnect_attempts:
                    raise MailboxUnavailable(f"IMAP {self.host}:{self.port}: {exc}") from exc
                log.warning("IMAP connection lost while waiting (%s); reconnecting in %.2f s", exc, delay_s)
                self._interrupt.wait(delay_s)
                delay_s = min(delay_s * 2, self.reconnect_max_s)
            except IMAPClientError as exc:
                raise MailboxError(f"IMAP {self.host}:{self.port}: {exc}") from exc
        self._interrupt.clear()
        return False

    def interrupt(self) -> None:
        self._interrupt.set()

    # -- connection ----------------------------------------------------------------------------------

    def _with_retry(self, operation: Callable[[], T]) -> T:
        """Run operation on a live connection, reconnecting with exponential backoff when it drops."""
        delay_s = self.reconnect_initial_s
        attempt = 0
        while True:
            try:
                if self._client is None:
                    self._open()
                return operation()
            except _CONNECTION_ERRORS as exc:
                self._drop()
                attempt += 1
                if attempt > self.max_reconnect_attempts:
                    raise MailboxUnavailable(f"IMAP {self.host}:{self.port}: {exc}") from exc
                log.warning("IMAP connection problem (%s); reconnecting in %.2f s", exc, delay_s)
                time.sleep(delay_s)
                delay_s = min(delay_s * 2, self.reconnect_max_s)
            except IMAPClientError as exc:
                if "authenticated but not connected" in str(exc).lower():  # Exchange Online, after login
                    raise MailboxAuthError(explain_refusal("IMAP", self.user, str(exc), None)) from exc
                raise MailboxError(f"IMAP {self.host}:{self.port}: {exc}") from exc

    def _open(self) -> None:
        try:
            client = self._connect_tls()
        except ssl.SSLCertVerificationError as exc:
            raise MailboxError(
                f"IMAP {self.host}:{self.port}: TLS certificate not trusted ({exc.verify_message}); "
                "for a private CA set BOT_CA_FILE"
            ) from exc
        except (ssl.SSLEOFError, ssl.SSLZeroReturnError):
            raise  # the peer hung up mid-handshake: worth another try
        except ssl.SSLError as exc:
            # A handshake that fails for any other reason is configuration, not weather: retrying
            # for minutes would only hide it (typically TLS spoken to a plain port or the reverse).
            raise MailboxError(
                f"IMAP {self.host}:{self.port}: TLS handshake failed ({exc.reason or exc}); "
                f"check BOT_IMAP_SECURITY={self.security.value} and BOT_IMAP_PORT"
            ) from exc
        try:
            self._login(client)
            self._delimiter = _hierarchy_delimiter(client)
        except BaseException:
            _shutdown_quietly(client)
            raise
        self._client = client
        if self._selected is not None:
            folder, self._selected = self._selected, None
            self._select(folder)
            self.reconnects += 1

    def _connect_tls(self) -> IMAPClient:
        context = shared_client_context(self.ca_file)
        if self.security == Security.SSL:
            return IMAPClient(self.host, port=self.port, ssl=True, ssl_context=context, timeout=self.timeout_s)
        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=self.timeout_s)
        if self.security == Security.STARTTLS:
            try:
                client.starttls(context)
            except BaseException:
                _shutdown_quietly(client)
                raise
        return client

    def _login(self, client: IMAPClient) -> None:
        if self._oauth2 is None:
            try:
                client.login(self.user, self._password or "")
            except LoginError as exc:
                raise MailboxAuthError(explain_refusal("IMAP", self.user, _text(exc), None)) from exc
            return
        token = self._token()
        try:
            client.oauth2_login(self.user, token.value)
        except LoginError as exc:
            # A token the server no longer accepts (revoked, or expired by its clock): one fresh try.
            self._oauth2.invalidate(token)
            fresh = self._token()
            if fresh.value == token.value:
                raise MailboxAuthError(explain_refusal("IMAP", self.user, _text(exc), token)) from exc
            try:
                client.oauth2_login(self.user, fresh.value)
            except LoginError as again:
                raise MailboxAuthError(explain_refusal("IMAP", self.user, _text(again), fresh)) from again
            token = fresh
        self._session_token = token

    def _token(self) -> AccessToken:
        assert self._oauth2 is not None
        try:
            return self._oauth2.token()
        except OAuth2Error as exc:
            raise MailboxAuthError(f"IMAP login as {self.user}: {exc}") from exc

    def _drop(self) -> None:
        client, self._client = self._client, None
        self._session_token = None
        if client is not None:
            _shutdown_quietly(client)

    def _client_or_open(self) -> IMAPClient:
        if self._client is None:
            self._open()
        assert self._client is not None
        return self._client

    # -- folders -------------------------------------------------------------------------------------

    def _server_name(self, folder: str) -> str:
        if folder.upper() == INBOX:
            return INBOX
        return folder.replace(FOLDER_SEPARATOR, self._delimiter)

    def _select(self, folder: str) -> int:
        client = self._client_or_open()
        name = self._server_name(folder)
        try:
            info = client.select_folder(name)
        except IMAPClientAbortError:
            raise
        except IMAPClientError as exc:
            if not client.folder_exists(name):
                raise NoSuchFolder(folder) from exc
            raise
        self._selected = folder
        self._uidvalidity = int(info[b"UIDVALIDITY"])
        self._uidnext = int(info.get(b"UIDNEXT", 0))
        return self._uidvalidity

    def _selected_client(self, folder: str) -> IMAPClient:
        client = self._client_or_open()
        if self._selected != folder:
            self._select(folder)
        return client

    def _ensure_folder(self, client: IMAPClient, folder: str) -> None:
        name = self._server_name(folder)
        if client.folder_exists(name):
            return
        try:
            client.create_folder(name)
        except IMAPClientAbortError:
            raise
        except IMAPClientError:
            if not client.folder_exists(name):  # else someone else created it meanwhile
                raise
        try:
            client.subscribe_folder(name)
        except IMAPClientAbortError:
            raise
        except IMAPClientError:
            log.info("could not subscribe to %r; it exists anyway", folder)

    # -- fetching ------------------------------------------------------------------------------------

    def _search_after(self, folder: str, after_uid: int) -> tuple[int, list[int]]:
        client = self._selected_client(folder)
        _sync(client)
        reported = self._reported_uidvalidity.get(folder)
        if reported is not None and reported != self._uidvalidity:
            raise UidValidityChanged(folder, reported, self._uidvalidity)
        # No CHARSET argument: Exchange answers SEARCH CHARSET with BAD, and a UID range needs none.
        found = client.search(f"UID {after_uid + 1}:*")
        # "n:*" always matches the highest UID, even when it is below n.
        uids = sorted(uid for uid in found if uid > after_uid)
        if uids:
            self._known_max_uid[folder] = max(uids[-1], self._known_max_uid.get(folder, 0))
        else:
            self._known_max_uid.setdefault(folder, after_uid)
        return self._uidvalidity, uids

    def _fetch_batch(
        self, folder: str, uids: list[int], uidvalidity: int, max_message_bytes: int
    ) -> list[FetchedMessage]:
        client = self._selected_client(folder)
        if self._uidvalidity != uidvalidity:
            raise UidValidityChanged(folder, uidvalidity, self._uidvalidity)
        sizes: dict[int, int] = {
            uid: int(data[b"RFC822.SIZE"])
            for uid, data in client.fetch(uids, [b"RFC822.SIZE"]).items()
            if b"RFC822.SIZE" in data
        }
        wanted = [uid for uid in uids if uid in sizes and sizes[uid] <= max_message_bytes]
        bodies: dict[int, bytes] = {}
        for request in _chunks_by_bytes(wanted, sizes, _MAX_FETCH_REQUEST_BYTES):
            # BODY.PEEK[] rather than RFC822/BODY[]: reading must never set \Seen, which people rely on.
            for uid, data in client.fetch(request, [b"BODY.PEEK[]"]).items():
                if b"BODY[]" in data:
                    bodies[uid] = bytes(data[b"BODY[]"])
        messages = []
        for uid in uids:
            if uid not in sizes:
                continue  # expunged since the search
            if sizes[uid] > max_message_bytes:
                messages.append(FetchedMessage(folder, uidvalidity, uid, sizes[uid], None))
            elif uid in bodies:
                messages.append(FetchedMessage(folder, uidvalidity, uid, sizes[uid], bodies[uid]))
        return messages

    # -- waiting -------------------------------------------------------------------------------------

    def _idle_available(self) -> bool:
        return self.use_idle and self._client_or_open().has_capability("IDLE")

    def _has_newer(self, folder: str) -> bool:
        client = self._selected_client(folder)
        known = self._known_max_uid.get(folder)
        if known is None:
            # Nothing fetched yet: "new" means newer than what is there now.
            self._known_max_uid[folder] = known = max(self._uidnext - 1, 0)
        _sync(client)
        return any(uid > known for uid in client.search(f"UID {known + 1}:*"))

    def _idle(self, until: float) -> bool:
        """IDLE until `until`; True when the server announced new mail. Raises on a dead connection."""
        client = self._client_or_open()
        client.idle()
        announced = False
        try:
            while not self._interrupt.is_set():
                remaining_s = until - time.monotonic()
                if remaining_s <= 0:
                    break
                slice_s = min(remaining_s, _IDLE_SLICE_S)
                started = time.monotonic()
                responses = client.idle_check(timeout=slice_s)
                if _announces_new_mail(responses):
                    announced = True
                    break
                if any(_is_bye(r) for r in responses):
                    raise IMAPClientAbortError(f"server ended the session during IDLE: {responses!r}")
                if not responses and time.monotonic() - started < slice_s / 2:
                    # Readable but no full line: usually EOF, which idle_check() swallows. Ending
                    # IDLE reads the tagged reply and so shows whether the connection is still there.
                    break
        except BaseException:
            self._drop()
            raise
        _text, responses = client.idle_done()
        return announced or _announces_new_mail(responses)


def _text(exc: LoginError) -> str:
    """The server's words: imapclient passes them on as bytes, or as the str() of those bytes."""
    reason = exc.args[0] if exc.args else exc
    if isinstance(reason, str) and reason[:2] in ("b'", 'b"') and len(reason) < 4096:
        with suppress(ValueError, SyntaxError):
            reason = ast.literal_eval(reason)
    return reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)


def _sync(client: IMAPClient) -> None:
    # Dovecot (and others) bring a session's view of the folder up to date only between commands, so a
    # SEARCH right after a delivery runs on the old view; a NOOP first makes the new mail visible.
    client.noop()


def _announces_new_mail(responses: Sequence[Any]) -> bool:
    return any(isinstance(r, tuple) and len(r) >= 2 and r[1] in (b"EXISTS", b"RECENT") for r in responses)


def _is_bye(response: Any) -> bool:
    return isinstance(response, tuple) and len(response) >= 1 and response[0] == b"BYE"


def _hierarchy_delimiter(client: IMAPClient) -> str:
    # LIST "" "" returns just the hierarchy delimiter of the root (RFC 3501 §6.3.8).
    for _flags, delimiter, _name in client.list_folders("", ""):
        if delimiter:
            return delimiter.decode() if isinstance(delimiter, bytes) else str(delimiter)
    return FOLDER_SEPARATOR


def _chunks_by_bytes(uids: list[int], sizes: dict[int, int], max_bytes: int) -> Iterator[list[int]]:
    chunk: list[int] = []
    total = 0
    for uid in uids:
        if chunk and total + sizes[uid] > max_bytes:
            yield chunk
            chunk, total = [], 0
        chunk.append(uid)
        total += sizes[uid]
    if chunk:
        yield chunk


def _shutdown_quietly(client: IMAPClient) -> None:
    try:
        client.shutdown()
    except (*_CONNECTION_ERRORS, IMAPClientError):
        log.debug("socket already gone")
