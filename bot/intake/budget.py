"""The cost bound of one message: the limits intake keeps, and BudgetExceeded, the reason one is quarantined.

Every step of intake is linear in its input, so these counts bound time and memory (measured by
tests/security/test_hostile_input_budget.py: each hostile mail of issue 10 within 10 s of CPU and 512 MB).
"""

from __future__ import annotations

import time

# The standard library's parser keeps every line as an object (~85 bytes each) and every MIME part as a
# Message: a 25 MB mail of 3-byte lines took 3 s and 700 MB, one of 1.6 million empty parts 18 s.
MAX_LINES = 500_000  # a 25 MB base64 attachment has 330,000
MAX_BOUNDARY_LINES = 10_000  # lines starting with "--": MIME boundaries (and signature separators)
MAX_HEADER_FIELDS = 2_000  # in the top-level header block; a real one has 20–200
MAX_HEADER_BYTES = 1_000_000

# CPU time one message may take in intake, checked between steps (attachments, pages, rows) and stages.
MAX_CPU_S = 10.0

# The order extractor reads every text of an order mail several times over; these bound that work.
MAX_ORDER_TEXT_CHARS = 200_000  # all parts together: body, forwarded mails, attachments
MAX_TYPE_MENTIONS = 2_500  # message-type names in one text (~0.4 ms each)
MAX_DATES = 300  # dates in one text; each is scored against every date cue around it


class BudgetExceeded(Exception):
    """A message would cost more than one message may; the inbox quarantines it with this reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Deadline:
    """The CPU time left for one message. thread_time counts this thread only, so other work in the daemon
    and a loaded machine do not eat into a message's budget; a helper process's time is charged to it."""

    def __init__(self, limit_s: float = MAX_CPU_S) -> None:
        self.limit_s = limit_s
        self._started = time.thread_time()
        self._charged_s = 0.0

    def used_s(self) -> float:
        return time.thread_time() - self._started + self._charged_s

    def remaining_s(self) -> float:
        return self.limit_s - self.used_s()

    def charge(self, seconds: float) -> None:
        """Count CPU time spent for this message in another process."""
        self._charged_s += seconds

    def check(self, step: str) -> None:
        used = self.used_s()
        if used > self.limit_s:
            raise BudgetExceeded(f"{step}: {used:.1f} s of CPU used (limit {self.limit_s:.0f} s)")


def _header_block(raw: bytes) -> bytes:
    ends = [i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0]
    return raw[: min(ends)] if ends else raw


def check_raw(raw: bytes) -> None:
    """Refuse a message whose shape alone would cost too much to parse; a few C-speed scans, no copies."""
    lines = raw.count(b"\n")
    if lines > MAX_LINES:
        raise BudgetExceeded(f"message has {lines} lines (limit {MAX_LINES})")
    boundaries = raw.count(b"\n--")
    if boundaries > MAX_BOUNDARY_LINES:
        raise BudgetExceeded(f"message has {boundaries} lines starting with '--' (limit {MAX_BOUNDARY_LINES})")
    head = _header_block(raw)
    if len(head) > MAX_HEADER_BYTES:
        raise BudgetExceeded(f"header block of {len(head)} bytes (limit {MAX_HEADER_BYTES})")
    # A field starts on a line that does not begin with white space (RFC 5322 §2.2.3 folding).
    fields = head.count(b"\n") + 1 - head.count(b"\n ") - head.count(b"\n\t")
    if fields > MAX_HEADER_FIELDS:
        raise BudgetExceeded(f"header block has {fields} fields (limit {MAX_HEADER_FIELDS})")
