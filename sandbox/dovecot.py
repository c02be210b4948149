"""A throw-away Dovecot (IMAP + LMTP) on loopback: its configuration, process and admin commands."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

DOVECOT_BINARY = Path("/usr/sbin/dovecot")
DOVEADM_BINARY = Path("/usr/bin/doveadm")
LOOPBACK = "127.0.0.1"
# Microsoft 365's answer to a password login once basic authentication is off. Dovecot splits passdb
# extra fields on spaces, so the reason is written with no-break spaces (clients see whitespace).
BASIC_AUTH_DISABLED = "Basic\u00a0authentication\u00a0is\u00a0disabled."


class SandboxError(RuntimeError):
    """The sandbox could not start or a sandbox operation failed."""


def dovecot_available() -> bool:
    """Whether the Dovecot binary the sandbox needs is installed."""
    return DOVECOT_BINARY.is_file() and os.access(DOVECOT_BINARY, os.X_OK)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        port: int = s.getsockname()[1]
        return port


def wait_for_port(port: int, deadline: float) -> None:
    while True:
        try:
            with socket.create_connection((LOOPBACK, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise SandboxError(f"nothing answers on {LOOPBACK}:{port}") from None
            time.sleep(0.005)


@dataclass
class Dovecot:
    """Dovecot in `dir`: IMAPS on `imap_port`, plain IMAP for set-up on `plain_port`, LMTP on `lmtp_port`."""

    dir: Path
    users: tuple[str, ...]
    password: str
    imap_port: int
    plain_port: int
    lmtp_port: int
    introspection_url: str
    process: subprocess.Popen[bytes] | None = None

    @property
    def conf(self) -> Path:
        return self.dir / "dovecot.conf"

    @property
    def mail_dir(self) -> Path:
        return self.dir / "mail"

    def write_config(self, cert_file: Path, key_file: Path) -> None:
        self.mail_dir.mkdir()
        for sub in ("run", "state"):
            (self.dir / sub).mkdir()
        self.set_basic_auth(enabled=True)
        # Bearer tokens are checked by introspection (RFC 7662) at the sandbox's authority. A token
        # the first passdb refuses goes to the second, which accepts only an app that has no rights
        # on the mailbox, so that the login fails with Exchange Online's own words for that.
        for name, url, extra in (
            ("oauth2.conf.ext", self.introspection_url, ""),
            ("oauth2-not-connected.conf.ext", f"{self.introspection_url}/not-connected",
             "pass_attrs = nologin=y reason=%{oauth2:reason}\n"),
        ):
            (self.dir / name).write_text(
                f"introspection_mode = auth\nintrospection_url = {url}\nusername_attribute = username\n"
                f"active_attribute = active\nactive_value = true\n{extra}")
        self.conf.write_text(_CONFIG.format(d=self.dir, identity=_identity(self.mail_dir), self=self))

    def _passwd(self, port: int) -> Path:
        return self.dir / f"passwd.{port}"

    def set_basic_auth(self, *, enabled: bool) -> None:
        """Allow or refuse password logins on the IMAPS port (the plain set-up port always allows them)."""
        refusal = "" if enabled else f"nologin reason={BASIC_AUTH_DISABLED}"
        for port, extra in ((self.plain_port, ""), (self.imap_port, refusal)):
            path = self._passwd(port)
            path.write_text("".join(f"{u}:{{PLAIN}}{self.password}::::::{extra}\n" for u in self.users))
            path.chmod(0o600)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(DOVECOT_BINARY), "-F", "-c", str(self.conf)], start_new_session=True,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 5
        try:
            for port in (self.plain_port, self.imap_port, self.lmtp_port):
                wait_for_port(port, deadline)
            if not self.running():
                # Another process answered on a port Dovecot could not bind (chosen free, taken since).
                raise SandboxError("dovecot exited right after start")
        except SandboxError as exc:
            raise SandboxError(f"{exc}; dovecot.log: {self.log()[-2000:]}") from None

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is None:
            return
        # The whole group: signalling only the master leaves it waiting ~1 s for its children. Children
        # forked around the signal (login processes for a fresh connection) can miss it, and the master
        # then naps in 100 ms steps waiting for them; after a short grace the rest is killed outright
        # (Maildir delivery is crash-safe, so a throw-away server loses nothing that matters).
        process, self.process = self.process, None
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=0.03)
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)

    def doveadm(self, *args: str) -> None:
        subprocess.run([str(DOVEADM_BINARY), "-c", str(self.conf), *args], check=True, capture_output=True,
                       timeout=10)

    def kick(self, user: str) -> None:
        """Disconnect every IMAP session of `user`, as Exchange Online does when a session's token expires."""
        with suppress(subprocess.CalledProcessError):  # nobody logged in: nothing to kick
            self.doveadm("kick", user)

    def log(self) -> str:
        log = self.dir / "dovecot.log"
        return log.read_text(errors="replace") if log.exists() else ""


def _identity(mail_dir: Path) -> str:
    if os.geteuid() == 0:
        # Dovecot refuses uid 0 for mail and login processes.
        shutil.chown(mail_dir, "nobody", "nogroup")
        return "mail_uid = nobody\nmail_gid = nogroup\ndefault_login_user = nobody\ndefault_internal_user = root\n"
    import grp
    import pwd

    me = pwd.getpwuid(os.geteuid()).pw_name
    group = grp.getgrgid(os.getegid()).gr_name
    return f"mail_uid = {me}\nmail_gid = {group}\ndefault_login_user = {me}\ndefault_internal_user = {me}\n"


_CONFIG = """\
protocols = imap lmtp
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
{identity}first_valid_uid = 1
ssl = yes
ssl_cert = <{d}/cert.pem
ssl_key = <{d}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2 oauthbearer
auth_username_format = %Lu
# Tests log in with wrong passwords on purpose: no 2 s failure delay (below), and no anvil auth
# penalty, which would otherwise slow down every later login from 127.0.0.1 by up to 15 s.
auth_failure_delay = 0
passdb {{
  driver = passwd-file
  mechanisms = plain login none
  args = scheme=PLAIN {d}/passwd.%{{lport}}
}}
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {d}/oauth2.conf.ext
  result_failure = continue
}}
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {d}/oauth2-not-connected.conf.ext
}}
userdb {{
  driver = static
  # allow_all_users: LMTP and doveadm need no passdb (whose file is chosen by the login's local port).
  args = allow_all_users=yes home={d}/mail/%Ld/%Ln
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {self.plain_port}
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
