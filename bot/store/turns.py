"""Writing units of one process take turns in the order they asked (a ticket lock).

The database lets one writer in at a time (SQLite's write lock, the advisory lock on PostgreSQL), but it does
not queue them: a waiting SQLite writer polls, and a writer that lets go and asks again at once usually wins.
The mailbox reader commits its batch as soon as another unit of the process waits (`waiting`), so the outbox
can record a mail's result between two messages; this queue makes sure that unit is the next one in.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Turns:
    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self._changed = threading.Condition()
        self._next_ticket = 0
        self._serving = 0
        self._given_up: set[int] = set()
        self._holder = threading.local()

    def waiting(self) -> int:
        """How many writing units wait behind the one holding the turn."""
        with self._changed:
            return max(self._next_ticket - self._serving - 1 - len(self._given_up), 0)

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Wait for this thread's turn; TimeoutError after `timeout_s` (the caller is told the database is busy,
        as SQLite's busy timeout would). A thread that already holds a turn does not queue behind itself: a
        unit opened inside another waits for the database's own lock, as it would without this queue."""
        if getattr(self._holder, "held", False):
            yield
            return
        with self._changed:
            ticket = self._next_ticket
            self._next_ticket += 1
            if not self._changed.wait_for(lambda: self._serving == ticket, timeout=self.timeout_s):
                self._given_up.add(ticket)
                raise TimeoutError(f"waited {self.timeout_s:g} s for another writer of this process")
        self._holder.held = True
        try:
            yield
        finally:
            self._holder.held = False
            with self._changed:
                self._serving += 1
                while self._serving in self._given_up:  # those stopped waiting: the next in line goes
                    self._given_up.discard(self._serving)
                    self._serving += 1
                self._changed.notify_all()
