"""An in-memory Mailbox with IMAP's UID semantics: the seam fake for fast tests and dry runs."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from bot.mail.mailbox import INBOX, FetchedMessage, NoSuchFolder, UidValidityChanged

_FIRST_UIDVALIDITY = 1_700_000_000


@dataclass
class _Folder:
    uidvalidity: int
    uidnext: int = 1
    messages: dict[int, bytes] = field(default_factory=dict)
    flags: dict[int, set[str]] = field(default_factory=dict)


class MemoryMailbox:
    """Folders of raw messages with UIDs, UIDVALIDITY and flags, safe to feed from another thread."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._uidvalidity_counter = _FIRST_UIDVALIDITY
        self._folders: dict[str, _Folder] = {}
        self._known_max_uid: dict[str, int] = {}
        self._reported_uidvalidity: dict[str, int] = {}
        self._interrupted = False
        self.connected = False
        self.selected: str | None = None
        self._folder(INBOX)

    # -- the Mailbox port ----------------------------------------------------------------------------

    def connect(self) -> None:
        self.connected = True

    def close(self) -> None:
        self.connected = False
        self.selected = None

    def select(self, folder: str) -> int:
        with self._lock:
            self.connected = True
            self.selected = folder
            uidvalidity = self._existing(folder).uidvalidity
            self._reported_uidvalidity[folder] = uidvalidity
            return uidvalidity

    def fetch_new(
        self, folder: str, after_uid: int, max_message_bytes: int, batch_size: int = 200
    ) -> Iterator[FetchedMessage]:
        with self._lock:
            box = self._existing(folder)
            uidvalidity = box.uidvalidity
            reported = self._reported_uidvalidity.get(folder)
            if reported is not None and reported != uidvalidity:
                raise UidValidityChanged(folder, reported, uidvalidity)
            uids = sorted(uid for uid in box.messages if uid > after_uid)
            if uids:
                self._known_max_uid[folder] = max(uids[-1], self._known_max_uid.get(folder, 0))
            else:
                self._known_max_uid.setdefault(folder, after_uid)
        for uid in uids:
            with self._lock:
                box = self._existing(folder)
                if box.uidvalidity != uidvalidity:
                    raise UidValidityChanged(folder, uidvalidity, box.uidvalidity)
                raw = box.messages.get(uid)
            if raw is None:
                continue  # expunged meanwhile, as on a real server
            size = len(raw)
            yield FetchedMessage(folder, uidvalidity, uid, size, raw if size <= max_message_bytes else None)

    def fetch_headers(self, folder: str, uids: Sequence[int]) -> dict[int, bytes]:
        with self._lock:
            box = self._existing(folder)
            found = {uid: box.messages[uid] for uid in uids if uid in box.messages}
        return {uid: _header_block(raw) for uid, raw in found.items()}

    def move(self, folder: str, uids: Sequence[int], target: str) -> None:
        with self._lock:
            source = self._existing(folder)
            destination = self._folder(target)
            for uid in sorted(uids):
                raw = source.messages.pop(uid, None)
                if raw is None:
                    continue
                new_uid = destination.uidnext
                destination.uidnext += 1
                destination.messages[new_uid] = raw
                destination.flags[new_uid] = source.flags.pop(uid, set())
            self._lock.notify_all()

    def wait_for_new(self, timeout_s: float, folder: str = INBOX) -> bool:
        deadline = time.monotonic() + timeout_s
        with self._lock:
            box = self._folders.get(folder)
            if folder not in self._known_max_uid and box is not None:
                # Nothing fetched yet: "new" means newer than what is there now (as the IMAP adapter).
                self._known_max_uid[folder] = box.uidnext - 1
            while True:
                box = self._folders.get(folder)
                if box is not None and any(uid > self._known_max_uid.get(folder, 0) for uid in box.messages):
                    return True
                remaining = deadline - time.monotonic()
                if self._interrupted or remaining <= 0:
                    self._interrupted = False
                    return False
                self._lock.wait(remaining)

    def interrupt(self) -> None:
        with self._lock:
            self._interrupted = True
            self._lock.notify_all()

    # -- test helpers --------------------------------------------------------------------------------

    def deliver(self, raw: bytes, folder: str = INBOX, flags: Sequence[str] = ()) -> int:
        """Add a message as the server would on delivery; returns its UID."""
        with self._lock:
            box = self._folder(folder)
            uid = box.uidnext
            box.uidnext += 1
            box.messages[uid] = raw
            box.flags[uid] = set(flags)
            self._lock.notify_all()
            return uid

    def messages(self, folder: str = INBOX) -> list[bytes]:
        with self._lock:
            box = self._folders.get(folder)
            return [] if box is None else [box.messages[uid] for uid in sorted(box.messages)]

    def uids(self, folder: str = INBOX) -> list[int]:
        with self._lock:
            box = self._folders.get(folder)
            return [] if box is None else sorted(box.messages)

    def flags(self, folder: str, uid: int) -> frozenset[str]:
        with self._lock:
            return frozenset(self._existing(folder).flags.get(uid, set()))

    def folders(self) -> list[str]:
        with self._lock:
            return sorted(self._folders)

    def change_uidvalidity(self, folder: str = INBOX) -> int:
        """Rebuild a folder as a server might: new UIDVALIDITY, same mail renumbered from 1."""
        with self._lock:
            old = self._existing(folder)
            self._uidvalidity_counter += 1
            rebuilt = _Folder(uidvalidity=self._uidvalidity_counter)
            for uid in sorted(old.messages):
                rebuilt.messages[rebuilt.uidnext] = old.messages[uid]
                rebuilt.flags[rebuilt.uidnext] = old.flags.get(uid, set())
                rebuilt.uidnext += 1
            self._folders[folder] = rebuilt
            self._known_max_uid.pop(folder, None)
            self._lock.notify_all()
            return rebuilt.uidvalidity

    # -- internals -----------------------------------------------------------------------------------

    def _existing(self, folder: str) -> _Folder:
        box = self._folders.get(folder)
        if box is None:
            raise NoSuchFolder(folder)
        return box

    def _folder(self, folder: str) -> _Folder:
        box = self._folders.get(folder)
        if box is None:
            self._uidvalidity_counter += 1
            box = self._folders[folder] = _Folder(uidvalidity=self._uidvalidity_counter)
        return box


def _header_block(raw: bytes) -> bytes:
    for separator in (b"\r\n\r\n", b"\n\n"):
        end = raw.find(separator)
        if end != -1:
            return raw[: end + len(separator)]
    return raw
