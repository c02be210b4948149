"""Reading the mailbox: every new message of the folder to the inbox, then moved to its done folder."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from bot.inbound.inbox import Inbox, Processed
from bot.mail.mailbox import FetchedMessage, Mailbox, MailboxError, UidValidityChanged
from bot.store.web_repo import record_sync

log = logging.getLogger("bot.run")
# A batch's transaction holds its messages' bytes; a batch of large messages is cut short at this size.
MAX_BATCH_BYTES = 32_000_000


@dataclass(frozen=True)
class Folders:
    """Where the mail is and where it goes: the parts of the settings the mailbox reader needs."""

    account: str  # user@host: one folder state per account
    inbox: str = "INBOX"
    processed: str | None = None
    quarantine: str | None = None
    max_message_bytes: int = 25_000_000
    batch_size: int = 200


@dataclass
class Tally:
    outcomes: Counter[str] = field(default_factory=Counter)
    quarantined: list[Processed] = field(default_factory=list)


def sync_mailbox(inbox: Inbox, mailbox: Mailbox, folders: Folders, tally: Tally | None = None,
                 stop: threading.Event | None = None, on_batch: Callable[[], object] | None = None) -> int:
    """Fetch and process everything new in the folder; returns how many messages were recorded.
    `on_batch` is called after each batch is committed (the outbox may send what it queued meanwhile)."""
    folder = folders.inbox
    done = 0
    for _attempt in range(2):
        uidvalidity = mailbox.select(folder)
        after = inbox.last_uid(folders.account, folder, uidvalidity)
        processed_uids: list[int] = []
        quarantined_uids: list[int] = []
        try:
            fetched_all = mailbox.fetch_new(folder, after, folders.max_message_bytes, folders.batch_size)
            for batch in _batches(fetched_all, folders.batch_size, MAX_BATCH_BYTES):
                for result in inbox.process_batch(batch, folders.account,
                                                  headers_of=lambda f: _headers_of(mailbox, f), stop=stop):
                    done += 1
                    if tally is not None:
                        tally.outcomes[result.outcome] += 1
                        if result.outcome == "quarantined":
                            tally.quarantined.append(result)
                    (quarantined_uids if result.outcome == "quarantined" else processed_uids).append(result.uid)
                if on_batch is not None:
                    on_batch()
                if stop is not None and stop.is_set():
                    break
        except UidValidityChanged:
            continue
        _move(mailbox, folder, processed_uids, folders.processed)
        _move(mailbox, folder, quarantined_uids, folders.quarantine)
        with inbox.store.tx() as tx:
            record_sync(tx, inbox.clock.now())  # for /healthz: when the mailbox was last read to the end
        break
    return done


def _batches(messages: Iterator[FetchedMessage], size: int, max_bytes: int) -> Iterator[list[FetchedMessage]]:
    """The fetched messages in groups of at most `size` messages and about `max_bytes` bytes: one transaction
    each. A group is handed on before the next message is asked for, so nothing is fetched ahead of it."""
    batch: list[FetchedMessage] = []
    total = 0
    for fetched in messages:
        batch.append(fetched)
        total += len(fetched.raw or b"")
        if len(batch) >= max(size, 1) or total >= max_bytes:
            yield batch
            batch, total = [], 0
    if batch:
        yield batch


def _headers_of(mailbox: Mailbox, fetched: FetchedMessage) -> bytes | None:
    """The header block of a message too large to download: enough to name it and to recognise it again."""
    try:
        return mailbox.fetch_headers(fetched.folder, [fetched.uid]).get(fetched.uid)
    except MailboxError as exc:
        log.warning("could not read the headers of oversize uid=%s: %s", fetched.uid, exc)
        return None


def _move(mailbox: Mailbox, folder: str, uids: list[int], target: str | None) -> None:
    if target and uids:
        mailbox.move(folder, uids, target)
