"""The local mail sandbox for tests and `make demo` (dev/demo dependencies: aiosmtpd, trustme; Dovecot)."""

from sandbox.authority import NOT_CONNECTED, App
from sandbox.core import APP_ID, APP_SECRET, BOT_MAILBOX, Sandbox
from sandbox.dovecot import DOVECOT_BINARY, SandboxError, dovecot_available
from sandbox.gateway import SentEnvelope

__all__ = ["APP_ID", "APP_SECRET", "BOT_MAILBOX", "DOVECOT_BINARY", "NOT_CONNECTED", "App", "Sandbox",
           "SandboxError", "SentEnvelope", "dovecot_available"]
