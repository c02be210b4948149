"""The Mailbox port: what the bot needs from the shared mailbox, and the values and errors it gets back."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

INBOX = "INBOX"
# Folder names on the port always use "/" between levels; adapters translate to the server's delimiter.
FOLDER_SEPARATOR = "/"


@dataclass(frozen=True)
class FetchedMessage:
    """One message as found in a folder; `raw` is None when it was too large to download."""

    folder: str
    uidvalidity: int
    uid: int
    size_bytes: int
    raw: bytes | None

    @property
    def oversize(self) -> bool:
        return self.raw is None


class MailboxError(Exception):
    """Base of every error a Mailbox raises."""


class MailboxUnavailable(MailboxError):
    """The server could not be reached or kept dropping the connection, even after retries."""


class MailboxAuthError(MailboxError):
    """The server refused the login (wrong password, or basic auth disabled as on Microsoft 365)."""


class NoSuchFolder(MailboxError):
    """The folder does not exist."""

    def __init__(self, folder: str) -> None:
        super().__init__(f"no folder {folder!r}")
        self.folder = folder


class UidValidityChanged(MailboxError):
    """The folder's UIDVALIDITY changed under a running fetch: earlier UIDs no longer name the same mail."""

    def __init__(self, folder: str, old: int, new: int) -> None:
        super().__init__(f"UIDVALIDITY of {folder!r} changed from {old} to {new}")
        self.folder = folder
        self.old = old
        self.new = new


class Mailbox(Protocol):
    """The shared mailbox as the bot uses it. Not thread-safe, except `interrupt()`.

    The caller owns its place (UIDVALIDITY and last UID per folder); an adapter only reconnects
    and reselects, so a dropped connection never skips or repeats anything on its own.
    """

    def connect(self) -> None:
        """Open the connection and log in (also done lazily by every other method)."""

    def close(self) -> None:
        """Log out and drop the connection; safe to call twice."""

    def select(self, folder: str) -> int:
        """Select a folder and return its UIDVALIDITY."""

    def fetch_new(
        self, folder: str, after_uid: int, max_message_bytes: int, batch_size: int = 200
    ) -> Iterator[FetchedMessage]:
        """Messages with UID > after_uid in UID order, without setting \\Seen.

        Sizes are checked first: a message over max_message_bytes comes back with raw=None and is
        never downloaded. Raises UidValidityChanged if the folder's UIDVALIDITY changes mid-way.
        """

    def fetch_headers(self, folder: str, uids: Sequence[int]) -> dict[int, bytes]:
        """The raw header block of each given UID that still exists, without setting \\Seen."""

    def move(self, folder: str, uids: Sequence[int], target: str) -> None:
        """Move messages to target (created, with its parents, when missing)."""

    def wait_for_new(self, timeout_s: float, folder: str = INBOX) -> bool:
        """Block until mail newer than the last fetch_new may have arrived (True) or timeout_s passes."""

    def interrupt(self) -> None:
        """Make a wait_for_new running in another thread return False soon (for a clean shutdown)."""
