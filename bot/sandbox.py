"""The local mail sandbox: a throw-away Dovecot (IMAP + LMTP) plus an SMTP gateway, for tests and the demo."""

from __future__ import annotations

import atexit
import email
import email.policy
import json
import os
import re
import secrets
import shutil
import signal
import smtplib
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from base64 import b64decode
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from imapclient import IMAPClient

DOVECOT_BINARY = Path("/usr/sbin/dovecot")
DOVEADM_BINARY = Path("/usr/bin/doveadm")
BOT_MAILBOX = "meldingsansvarlig@helse-midt.no"
CATCH_ALL = "catch-all@sandbox.invalid"
DEFAULT_PASSWORD = "sandbox-password"
LOOPBACK = "127.0.0.1"

_APPENDUID = re.compile(rb"APPENDUID\s+(\d+)\s+(\d+)", re.IGNORECASE)


class SandboxError(RuntimeError):
    """The sandbox could not start or a sandbox operation failed."""


@dataclass(frozen=True)
class SentEnvelope:
    """One SMTP transaction the gateway accepted, as the client submitted it."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    message: EmailMessage


def dovecot_available() -> bool:
    """Whether the Dovecot binary the sandbox needs is installed."""
    return DOVECOT_BINARY.is_file() and os.access(DOVECOT_BINARY, os.X_OK)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        port: int = s.getsockname()[1]
        return port


def _wait_for_port(port: int, deadline: float) -> None:
    while True:
        try:
            with socket.create_connection((LOOPBACK, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise SandboxError(f"nothing answers on {LOOPBACK}:{port}") from None
            time.sleep(0.005)


class _Gateway:
    """aiosmtpd handler and authenticator: records every envelope and delivers it to Dovecot over LMTP."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        # handled=False lets aiosmtpd send the 535 itself; handled=True without a reply hangs the client.
        if isinstance(auth_data, LoginPassword):
            user = auth_data.login.decode("utf-8", "replace").lower()
            password = auth_data.password.decode("utf-8", "replace")
            if self._sandbox.check_password(user, password):
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:
        """SASL XOAUTH2 as Microsoft 365 speaks it: base64("user=U^Aauth=Bearer T^A^A")."""
        if len(args) < 2:
            return AuthResult(success=False, handled=False)
        try:
            fields = dict(
                part.split("=", 1) for part in b64decode(args[1]).decode().split("\x01") if "=" in part
            )
        except (ValueError, UnicodeDecodeError):
            return AuthResult(success=False, handled=False)
        user = fields.get("user", "")
        token = fields.get("auth", "").removeprefix("Bearer ")
        if self._sandbox.check_oauth2(user, token):
            return AuthResult(success=True, auth_data=LoginPassword(user.encode(), b""))
        return AuthResult(success=False, handled=False)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        if isinstance(envelope.content, bytes) and not raw:
            raw = envelope.content
        mail_from = envelope.mail_from or ""
        rcpt_tos = tuple(envelope.rcpt_tos)
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self._sandbox._record(SentEnvelope(mail_from, rcpt_tos, raw, message))
        loop = server.loop
        try:
            await loop.run_in_executor(None, self._sandbox._deliver, mail_from, rcpt_tos, raw)
        except (OSError, smtplib.SMTPException) as exc:
            return f"451 4.3.0 local delivery failed: {exc}"
        return "250 2.0.0 OK delivered"


class _IntrospectionHandler(BaseHTTPRequestHandler):
    server: _IntrospectionServer

    def do_GET(self) -> None:
        token = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        user = self.server.tokens.get(token)
        body = json.dumps({"active": True, "username": user} if user else {"active": False}).encode()
        self.send_response(200 if user else 401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the default handler writes every request to stderr."""


class _IntrospectionServer(ThreadingHTTPServer):
    """RFC 7662-style token introspection for Dovecot's oauth2 passdb, on a loopback port."""

    daemon_threads = True

    def __init__(self, tokens: dict[str, str]) -> None:
        super().__init__((LOOPBACK, 0), _IntrospectionHandler)
        self.tokens = tokens
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
            self._thread = None
        self.server_close()


class _QuietSession(Session):
    """aiosmtpd 1.4 sets its own deprecated `login_data` on every AUTH, which warns from the server
    thread; under `filterwarnings = error` that warning would turn a good login into a crash."""

    @property
    def login_data(self) -> Any:
        return self._login_data

    @login_data.setter
    def login_data(self, value: Any) -> None:
        self._login_data = value


class _GatewaySMTP(SMTP):
    def _create_session(self) -> Session:
        return _QuietSession(self.loop)


class _GatewayController(Controller):
    def factory(self) -> SMTP:
        return _GatewaySMTP(self.handler, **self.SMTP_kwargs)


class Sandbox:
    """A Dovecot on loopback plus an SMTP gateway into it, all living in one temp dir until stop()."""

    def __init__(self, users: Sequence[str], password: str) -> None:
        addresses = [BOT_MAILBOX, *users, CATCH_ALL]
        self.users: tuple[str, ...] = tuple(dict.fromkeys(u.lower() for u in addresses))
        self.password = password
        self.bot_user = BOT_MAILBOX
        self.catch_all_user = CATCH_ALL
        self.dir = Path(tempfile.mkdtemp(prefix="oppk-sandbox-", dir="/tmp"))
        self.imap_host = LOOPBACK
        self.smtp_host = LOOPBACK
        self.imap_port = _free_port()
        self.imap_plain_port = _free_port()
        self.lmtp_port = _free_port()
        self.smtp_port = _free_port()
        self._tokens: dict[str, str] = {}
        self._introspection = _IntrospectionServer(self._tokens)
        self.introspection_port: int = self._introspection.server_address[1]
        self.ca_file = self.dir / "ca.pem"
        self._dovecot: subprocess.Popen[bytes] | None = None
        self._controller: Controller | None = None
        self._tls_context: ssl.SSLContext | None = None
        self._sent: list[SentEnvelope] = []
        self._sent_changed = threading.Condition()

    # -- lifecycle -----------------------------------------------------------------------------------

    @classmethod
    def start(cls, users: Sequence[str] = (), password: str = DEFAULT_PASSWORD) -> Sandbox:
        """Start Dovecot and the SMTP gateway for the bot's mailbox, `users` and the catch-all user."""
        if not dovecot_available():
            raise SandboxError(
                f"Dovecot not found at {DOVECOT_BINARY} (apt-get install dovecot-imapd dovecot-lmtpd)"
            )
        sandbox = cls(users, password)
        # Dovecot runs in its own session, so it would outlive an interpreter that exits without stop().
        atexit.register(sandbox.stop)
        try:
            sandbox._introspection.start()
            sandbox._write_files()
            sandbox._start_dovecot()
            sandbox._start_smtp()
        except BaseException:
            sandbox.stop()
            raise
        return sandbox

    def stop(self) -> None:
        """Stop both servers and delete the temp dir; safe to call twice."""
        atexit.unregister(self.stop)
        self.smtp_down()
        self._stop_dovecot()
        self._introspection.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def restart_imap(self) -> None:
        """Stop and start Dovecot on the same dir and ports (mail and UIDVALIDITY survive)."""
        self._stop_dovecot()
        self._start_dovecot()

    def smtp_down(self) -> None:
        """Stop the SMTP gateway: connections to smtp_port are refused until smtp_up()."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def smtp_up(self) -> None:
        """Start the SMTP gateway again on the same port."""
        if self._controller is None:
            self._start_smtp()

    # -- settings ------------------------------------------------------------------------------------

    def settings_env(self) -> dict[str, str]:
        """BOT_* variables that point the bot at this sandbox (SPEC §6 names)."""
        return {
            "BOT_MAILBOX_ADDRESS": self.bot_user,
            "BOT_IMAP_HOST": self.imap_host,
            "BOT_IMAP_PORT": str(self.imap_port),
            "BOT_IMAP_USER": self.bot_user,
            "BOT_IMAP_PASSWORD": self.password,
            "BOT_IMAP_SECURITY": "ssl",
            "BOT_SMTP_HOST": self.smtp_host,
            "BOT_SMTP_PORT": str(self.smtp_port),
            "BOT_SMTP_USER": self.bot_user,
            "BOT_SMTP_PASSWORD": self.password,
            "BOT_SMTP_SECURITY": "starttls",
            "BOT_CA_FILE": str(self.ca_file),
        }

    def client_ssl_context(self) -> ssl.SSLContext:
        """A verifying client context that trusts the sandbox CA."""
        return ssl.create_default_context(cafile=str(self.ca_file))

    def check_password(self, user: str, password: str) -> bool:
        return user.lower() in self.users and password == self.password

    def issue_oauth2_token(self, user: str = BOT_MAILBOX) -> str:
        """A bearer token that IMAP and SMTP accept for XOAUTH2/OAUTHBEARER logins as user."""
        token = secrets.token_urlsafe(24)
        self._tokens[token] = user.lower()
        return token

    def check_oauth2(self, user: str, token: str) -> bool:
        return self._tokens.get(token) == user.lower()

    # -- mailbox helpers -----------------------------------------------------------------------------

    @contextmanager
    def imap(self, user: str = BOT_MAILBOX) -> Iterator[IMAPClient]:
        """A logged-in IMAPClient on the plain loopback port, for test set-up and asserts."""
        client = IMAPClient(self.imap_host, port=self.imap_plain_port, ssl=False, timeout=10)
        try:
            client.login(user, self.password)
            yield client
        finally:
            try:
                client.logout()
            except Exception:
                # A dead session cannot log out; its socket must still be closed.
                with suppress(Exception):
                    client.shutdown()

    def append(self, user: str, raw: bytes, folder: str = "INBOX", flags: Sequence[str] = ()) -> int:
        """Put a message straight into a user's folder (created if missing); returns its UID."""
        with self.imap(user) as client:
            if not client.folder_exists(folder):
                client.create_folder(folder)
            response = client.append(folder, raw, flags=tuple(flags))
        found = _APPENDUID.search(response if isinstance(response, bytes) else str(response).encode())
        if found is None:
            raise SandboxError(f"APPEND gave no APPENDUID: {response!r}")
        return int(found.group(2))

    def deliver(
        self, raw: bytes, rcpt: str = BOT_MAILBOX, mail_from: str = "sender@malvik.kommune.no"
    ) -> None:
        """Deliver inbound mail as the MX would (LMTP, not recorded in `sent`); unknown rcpt → catch-all."""
        self._deliver(mail_from, [rcpt], raw)

    def messages(self, user: str, folder: str = "INBOX") -> list[bytes]:
        """Every message in a user's folder in UID order, read without setting \\Seen."""
        with self.imap(user) as client:
            if not client.folder_exists(folder):
                return []
            client.select_folder(folder, readonly=True)
            uids = sorted(client.search("ALL"))
            if not uids:
                return []
            fetched = client.fetch(uids, [b"BODY.PEEK[]"])
            return [bytes(fetched[uid][b"BODY[]"]) for uid in uids]

    def flags(self, user: str, folder: str = "INBOX") -> dict[int, tuple[str, ...]]:
        """The flags of every message in a folder, by UID."""
        with self.imap(user) as client:
            client.select_folder(folder, readonly=True)
            fetched = client.get_flags(client.search("ALL"))
            return {
                uid: tuple(f.decode() if isinstance(f, bytes) else str(f) for f in fl)
                for uid, fl in fetched.items()
            }

    def uidvalidity(self, user: str = BOT_MAILBOX, folder: str = "INBOX") -> int:
        with self.imap(user) as client:
            status = client.folder_status(folder, [b"UIDVALIDITY"])
            return int(status[b"UIDVALIDITY"])

    def change_uidvalidity(self, user: str = BOT_MAILBOX, folder: str = "INBOX") -> int:
        """Give a folder a new UIDVALIDITY, as a server does after a rebuild; returns the new value."""
        new_value = self.uidvalidity(user, folder) + 1
        subprocess.run(
            [str(DOVEADM_BINARY), "-c", str(self._conf), "mailbox", "update",
             "--uid-validity", str(new_value), "-u", user, folder],
            check=True, capture_output=True, timeout=10,
        )
        return new_value

    def dovecot_log(self) -> str:
        """Dovecot's log so far (logins, and per-session fetch counters at logout)."""
        log = self.dir / "dovecot.log"
        return log.read_text(errors="replace") if log.exists() else ""

    def reset(self) -> None:
        """Empty every user's mailbox and forget recorded envelopes; restarts whatever a test stopped."""
        if self._dovecot is None or self._dovecot.poll() is not None:
            self._dovecot = None
            self._start_dovecot()
        self.smtp_up()
        for user in self.users:
            if not self._home(user).exists():
                continue  # never touched: Dovecot creates a home on first use
            with self.imap(user) as client:
                names = [name for _flags, _sep, name in client.list_folders() if name.upper() != "INBOX"]
                # Children first: Dovecot refuses to delete a folder that still has children.
                for name in sorted(names, key=len, reverse=True):
                    with suppress(Exception):
                        client.delete_folder(name)
                client.select_folder("INBOX")
                uids = client.search("ALL")
                if uids:
                    client.delete_messages(uids)
                    client.expunge()
        with self._sent_changed:
            self._sent.clear()

    # -- recorded envelopes --------------------------------------------------------------------------

    @property
    def sent(self) -> list[SentEnvelope]:
        """A snapshot of every envelope the SMTP gateway accepted, oldest first."""
        with self._sent_changed:
            return list(self._sent)

    def wait_for_sent(self, n: int, timeout_s: float = 5.0) -> list[SentEnvelope]:
        """Block until at least n envelopes are recorded; raises TimeoutError otherwise."""
        with self._sent_changed:
            if not self._sent_changed.wait_for(lambda: len(self._sent) >= n, timeout=timeout_s):
                raise TimeoutError(f"{len(self._sent)} of {n} envelopes after {timeout_s} s")
            return list(self._sent)

    def _record(self, envelope: SentEnvelope) -> None:
        with self._sent_changed:
            self._sent.append(envelope)
            self._sent_changed.notify_all()

    def _deliver(self, mail_from: str, rcpt_tos: Sequence[str], raw: bytes) -> None:
        # One LMTP transaction per recipient: LMTP answers DATA once per RCPT, which smtplib
        # does not read, so several RCPTs in one transaction leave the connection out of step.
        with smtplib.LMTP(LOOPBACK, self.lmtp_port, timeout=10) as lmtp:
            for rcpt in rcpt_tos:
                target = rcpt.lower() if rcpt.lower() in self.users else self.catch_all_user
                lmtp.sendmail(mail_from, [target], raw)

    # -- internals -----------------------------------------------------------------------------------

    def _home(self, user: str) -> Path:
        local, _, domain = user.lower().partition("@")
        return self.dir / "mail" / domain / local

    @property
    def _conf(self) -> Path:
        return self.dir / "dovecot.conf"

    def _write_files(self) -> None:
        # Dovecot's mail processes run as nobody and need to traverse every parent of the store.
        self.dir.chmod(0o711)
        ca = trustme.CA()
        cert = ca.issue_cert(LOOPBACK, "localhost")
        ca.cert_pem.write_to_path(str(self.ca_file))
        cert_file = self.dir / "cert.pem"
        key_file = self.dir / "key.pem"
        cert_file.write_bytes(b"".join(blob.bytes() for blob in cert.cert_chain_pems))
        cert.private_key_pem.write_to_path(str(key_file))
        key_file.chmod(0o600)
        server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(server_ctx)
        self._tls_context = server_ctx

        passwd = self.dir / "passwd"
        passwd.write_text("".join(f"{u}:{{PLAIN}}{self.password}::::::\n" for u in self.users))
        passwd.chmod(0o600)
        mail_dir = self.dir / "mail"
        mail_dir.mkdir()
        for sub in ("run", "state"):
            (self.dir / sub).mkdir()

        as_root = os.geteuid() == 0
        if as_root:
            # Dovecot refuses uid 0 for mail and login processes.
            shutil.chown(mail_dir, "nobody", "nogroup")
            identity = (
                "mail_uid = nobody\nmail_gid = nogroup\n"
                "default_login_user = nobody\ndefault_internal_user = root\n"
            )
        else:
            import grp
            import pwd

            me = pwd.getpwuid(os.geteuid()).pw_name
            group = grp.getgrgid(os.getegid()).gr_name
            identity = (
                f"mail_uid = {me}\nmail_gid = {group}\n"
                f"default_login_user = {me}\ndefault_internal_user = {me}\n"
            )
        # Bearer tokens are checked by RFC 7662 introspection against the sandbox's own endpoint.
        oauth2_conf = self.dir / "oauth2.conf.ext"
        oauth2_conf.write_text(
            f"introspection_mode = auth\n"
            f"introspection_url = http://{LOOPBACK}:{self.introspection_port}/introspect\n"
            "username_attribute = username\n"
            "active_attribute = active\n"
            "active_value = true\n"
        )
        d = self.dir
        self._conf.write_text(
            f"""\
protocols = imap lmtp
listen = {LOOPBACK}
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
{identity}first_valid_uid = 1
ssl = yes
ssl_cert = <{cert_file}
ssl_key = <{key_file}
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2 oauthbearer
auth_username_format = %Lu
# Tests log in with wrong passwords on purpose: no 2 s failure delay (below), and no anvil auth
# penalty, which would otherwise slow down every later login from 127.0.0.1 by up to 15 s.
auth_failure_delay = 0
passdb {{
  driver = passwd-file
  mechanisms = plain login none
  args = scheme=PLAIN {passwd}
}}
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {oauth2_conf}
}}
userdb {{
  driver = static
  args = home={mail_dir}/%Ld/%Ln
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {self.imap_plain_port}
  }}
  inet_listener imaps {{
    port = {self.imap_port}
    ssl = yes
  }}
}}
service lmtp {{
  inet_listener lmtp {{
    port = {self.lmtp_port}
  }}
}}
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
protocol imap {{
  mail_max_userip_connections = 100
}}
"""
        )

    def _start_dovecot(self) -> None:
        self._dovecot = subprocess.Popen(
            [str(DOVECOT_BINARY), "-F", "-c", str(self._conf)],
            start_new_session=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 5
        try:
            for port in (self.imap_plain_port, self.imap_port, self.lmtp_port):
                _wait_for_port(port, deadline)
        except SandboxError as exc:
            raise SandboxError(f"{exc}; dovecot.log: {self.dovecot_log()[-2000:]}") from None

    def _stop_dovecot(self) -> None:
        if self._dovecot is None:
            return
        # The whole group: signalling only the master leaves it waiting ~1 s for its children. Children
        # forked around the signal (login processes for a fresh connection) can miss it, and the master
        # then naps in 100 ms steps waiting for them; after a short grace the rest is killed outright
        # (Maildir delivery is crash-safe, so a throw-away server loses nothing that matters).
        process = self._dovecot
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=0.03)
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
        self._dovecot = None

    def _start_smtp(self) -> None:
        gateway = _Gateway(self)
        controller = _GatewayController(
            gateway,
            hostname=LOOPBACK,
            port=self.smtp_port,
            server_hostname="sandbox.invalid",
            tls_context=self._tls_context,
            require_starttls=True,
            auth_required=True,
            auth_require_tls=True,
            authenticator=gateway.authenticate,
        )
        controller.start()
        self._controller = controller
