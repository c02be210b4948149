"""The local mail sandbox: Dovecot (IMAP + LMTP), an SMTP gateway and an OAuth2 authority, for tests and the demo."""

from __future__ import annotations

import atexit
import re
import secrets
import shutil
import smtplib
import ssl
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType
from typing import Self

import trustme
from aiosmtpd.controller import Controller
from imapclient import IMAPClient

from sandbox.authority import EXCHANGE, SMTP_ROLE, App, AuthorityServers, OAuth2Authority
from sandbox.dovecot import DOVECOT_BINARY, Dovecot, SandboxError, dovecot_available, free_port
from sandbox.gateway import SentEnvelope, start_gateway
from sandbox.nhn import NhnServices

BOT_MAILBOX = "meldingsansvarlig@helse-midt.no"
CATCH_ALL = "catch-all@sandbox.invalid"
DEFAULT_PASSWORD = "sandbox-password"
LOOPBACK = "127.0.0.1"
# The app registration every sandbox has, for BOT_AUTH=oauth2 (sandbox.oauth2_env()).
APP_ID = "6f1c6a1e-0000-4000-8000-00000000b07a"
APP_SECRET = "sandbox-client-secret"
# Microsoft 365's SMTP replies (smtp.office365.com) for the logins it refuses.
SMTP_AUTH_FAILED = "535 5.7.3 Authentication unsuccessful"
SMTP_BASIC_AUTH_DISABLED = "535 5.7.139 Authentication unsuccessful, basic authentication is disabled."
SMTP_CLIENT_AUTH_DISABLED = ("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for "
                             "the Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information.")

_APPENDUID = re.compile(rb"APPENDUID\s+(\d+)\s+(\d+)", re.IGNORECASE)


_START_ATTEMPTS = 3


class Sandbox:
    """Dovecot, an SMTP gateway and an OAuth2 authority on loopback, all living in one temp dir until stop().

    Logins behave as Microsoft 365's do where the bot can tell: XOAUTH2 with tokens from the authority
    (`oauth2_env()`), and after `microsoft365(basic_auth=False)` passwords refused with Microsoft's words.
    """

    def __init__(self, users: Sequence[str], password: str) -> None:
        addresses = [BOT_MAILBOX, *users, CATCH_ALL]
        self.users: tuple[str, ...] = tuple(dict.fromkeys(u.lower() for u in addresses))
        self.password = password
        self.bot_user = BOT_MAILBOX
        self.catch_all_user = CATCH_ALL
        self.dir = Path(tempfile.mkdtemp(prefix="oppk-sandbox-", dir="/tmp"))
        self.imap_host = LOOPBACK
        self.smtp_host = LOOPBACK
        self.imap_port = free_port()
        self.imap_plain_port = free_port()
        self.smtp_port = free_port()
        self.ca_file = self.dir / "ca.pem"
        self.authority = OAuth2Authority()
        self.app = self.authority.register(App(APP_ID, BOT_MAILBOX, secret=APP_SECRET))
        self.basic_auth = True
        self.smtp_auth_disabled: set[str] = set()  # mailboxes with Set-CASMailbox -SmtpClientAuthenticationDisabled
        self._ca = trustme.CA()
        self._tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._servers: AuthorityServers | None = None
        self._nhn: NhnServices | None = None
        self._dovecot: Dovecot | None = None
        self._controller: Controller | None = None
        self._sent: list[SentEnvelope] = []
        self._sent_changed = threading.Condition()

    # -- lifecycle -----------------------------------------------------------------------------------

    @classmethod
    def start(cls, users: Sequence[str] = (), password: str = DEFAULT_PASSWORD) -> Sandbox:
        """Start Dovecot, the SMTP gateway and the authority for the bot's mailbox, `users` and the catch-all."""
        if not dovecot_available():
            raise SandboxError(
                f"Dovecot not found at {DOVECOT_BINARY} (apt-get install dovecot-imapd dovecot-lmtpd)"
            )
        # Ports are chosen free, then bound by Dovecot and the gateway a moment later: another process
        # (a parallel test run) may take one in between, so a failed start is tried again on new ports.
        for attempt in range(_START_ATTEMPTS):
            try:
                return cls._start_once(users, password)
            except (SandboxError, OSError):
                if attempt == _START_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    @classmethod
    def _start_once(cls, users: Sequence[str], password: str) -> Sandbox:
        sandbox = cls(users, password)
        # Dovecot runs in its own session, so it would outlive an interpreter that exits without stop().
        atexit.register(sandbox.stop)
        try:
            sandbox._write_certificates()
            sandbox._servers = AuthorityServers(sandbox.authority, sandbox._tls_context)
            sandbox.authority.on_expired = sandbox.kick
            sandbox._dovecot = Dovecot(sandbox.dir, sandbox.users, password, sandbox.imap_port,
                                       sandbox.imap_plain_port, free_port(), sandbox._servers.introspection_url)
            sandbox._dovecot.write_config(sandbox.dir / "cert.pem", sandbox.dir / "key.pem")
            sandbox._dovecot.start()
            sandbox._start_smtp()
        except BaseException:
            sandbox.stop()
            raise
        return sandbox

    def stop(self) -> None:
        """Stop every server and delete the temp dir; safe to call twice."""
        atexit.unregister(self.stop)
        self.smtp_down()
        if self._dovecot is not None:
            self._dovecot.stop()
        if self._servers is not None:
            self._servers.stop()
            self._servers = None
        if self._nhn is not None:
            self._nhn.stop()
            self._nhn = None
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def restart_imap(self) -> None:
        """Stop and start Dovecot on the same dir and ports (mail and UIDVALIDITY survive)."""
        self._imap_server.stop()
        self._imap_server.start()

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
        """BOT_* variables that point the bot at this sandbox with passwords (SPEC §6 names)."""
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

    def oauth2_env(self) -> dict[str, str]:
        """BOT_* variables for BOT_AUTH=oauth2 against the sandbox's authority (no passwords)."""
        env = {k: v for k, v in self.settings_env().items() if not k.endswith("_PASSWORD")}
        env.update(BOT_AUTH="oauth2", BOT_OAUTH2_AUTHORITY=self.authority.base_url,
                   BOT_OAUTH2_TENANT_ID=self.authority.tenant_id, BOT_OAUTH2_CLIENT_ID=self.app.client_id,
                   BOT_OAUTH2_CLIENT_SECRET=APP_SECRET, BOT_OAUTH2_SCOPE=f"{EXCHANGE}/.default")
        return env

    @property
    def nhn(self) -> NhnServices:
        """NHN's HelseID and CommunicationParty API (fakes), started on first use with this sandbox's CA."""
        if self._nhn is None:
            self._nhn = NhnServices(self._tls_context, self.ca_file, self.dir)
        return self._nhn

    def ar_env(self) -> dict[str, str]:
        """BOT_* variables for BOT_AR=rest against the sandbox's HelseID and AR API."""
        return self.nhn.env()

    def client_ssl_context(self) -> ssl.SSLContext:
        """A verifying client context that trusts the sandbox CA."""
        return ssl.create_default_context(cafile=str(self.ca_file))

    def certificate_file(self, path: Path, *, register: bool = True) -> Path:
        """Write a PEM with a new private key and certificate to `path`; `register` uploads it to the app."""
        # RSA, as Entra ID requires of app certificates (msal signs with PS256).
        cert = self._ca.issue_cert("oppkoblingsbot.sandbox.invalid", key_type=trustme.KeyType.RSA)
        pem = cert.private_key_pem.bytes() + cert.cert_chain_pems[0].bytes()
        path.write_bytes(pem)
        path.chmod(0o600)
        if register:
            self.app.certificate_pem = cert.cert_chain_pems[0].bytes()
        return path

    # -- Microsoft 365 behaviour ---------------------------------------------------------------------

    def microsoft365(self, *, basic_auth: bool) -> None:
        """Refuse (or allow again) password logins on IMAPS and SMTP, as Microsoft 365 does."""
        self.basic_auth = basic_auth
        self._imap_server.set_basic_auth(enabled=basic_auth)

    def issue_oauth2_token(self, user: str = BOT_MAILBOX) -> str:
        """A bearer token that IMAP and SMTP accept for XOAUTH2/OAUTHBEARER logins as user."""
        return self.authority.issue_user_token(user)

    def kick(self, user: str = BOT_MAILBOX) -> None:
        """End the user's IMAP sessions, as Exchange Online does when their token expires or is revoked."""
        self._imap_server.kick(user)

    def password_refusal(self, user: str, password: str) -> str | None:
        if not self.basic_auth:
            return SMTP_BASIC_AUTH_DISABLED
        ok = user.lower() in self.users and secrets.compare_digest(password, self.password)
        return None if ok else "535 5.7.8 Authentication credentials invalid"

    def token_refusal(self, user: str, token: str) -> str | None:
        result = self.authority.check(token, SMTP_ROLE, user)
        if not result.ok:
            return SMTP_AUTH_FAILED
        return SMTP_CLIENT_AUTH_DISABLED if user.lower() in self.smtp_auth_disabled else None

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
        self._imap_server.doveadm("mailbox", "update", "--uid-validity", str(new_value), "-u", user, folder)
        return new_value

    def dovecot_log(self) -> str:
        """Dovecot's log so far (logins, and per-session fetch counters at logout)."""
        return self._imap_server.log()

    def reset(self) -> None:
        """Empty every user's mailbox and forget recorded envelopes; restarts whatever a test stopped."""
        if not self._imap_server.running():
            self._imap_server.start()
        self.smtp_up()
        self.microsoft365(basic_auth=True)
        self.smtp_auth_disabled.clear()
        self.authority.reset()
        self.app = self.authority.register(App(APP_ID, BOT_MAILBOX, secret=APP_SECRET))
        if self._nhn is not None:
            self._nhn.reset()
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
        with smtplib.LMTP(LOOPBACK, self._imap_server.lmtp_port, timeout=10) as lmtp:
            for rcpt in rcpt_tos:
                target = rcpt.lower() if rcpt.lower() in self.users else self.catch_all_user
                lmtp.sendmail(mail_from, [target], raw)

    # -- internals -----------------------------------------------------------------------------------

    @property
    def _imap_server(self) -> Dovecot:
        if self._dovecot is None:
            raise SandboxError("the sandbox is not started")
        return self._dovecot

    def _home(self, user: str) -> Path:
        local, _, domain = user.lower().partition("@")
        return self.dir / "mail" / domain / local

    def _write_certificates(self) -> None:
        # Dovecot's mail processes run as nobody and need to traverse every parent of the store.
        self.dir.chmod(0o711)
        cert = self._ca.issue_cert(LOOPBACK, "localhost")
        self._ca.cert_pem.write_to_path(str(self.ca_file))
        key_file = self.dir / "key.pem"
        (self.dir / "cert.pem").write_bytes(b"".join(blob.bytes() for blob in cert.cert_chain_pems))
        cert.private_key_pem.write_to_path(str(key_file))
        key_file.chmod(0o600)
        cert.configure_cert(self._tls_context)

    def _start_smtp(self) -> None:
        self._controller = start_gateway(self.smtp_port, self._tls_context, self, self._record, self._deliver)
