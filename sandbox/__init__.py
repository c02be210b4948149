"""The local sandbox for tests and `make demo` (aiosmtpd, trustme; Dovecot): mail servers, NHN's HelseID and AR API."""

from sandbox.authority import NOT_CONNECTED, App
from sandbox.core import APP_ID, APP_SECRET, BOT_MAILBOX, Sandbox
from sandbox.dovecot import DOVECOT_BINARY, SandboxError, dovecot_available
from sandbox.gateway import SentEnvelope
from sandbox.nhn import NhnServices

__all__ = ["APP_ID", "APP_SECRET", "BOT_MAILBOX", "DOVECOT_BINARY", "NOT_CONNECTED", "App", "NhnServices",
           "Sandbox", "SandboxError", "SentEnvelope", "dovecot_available"]
