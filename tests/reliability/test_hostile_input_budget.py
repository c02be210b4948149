"""Bounded cost per message: each hostile mail of issue 10 is understood or refused within 10 s and 512 MB.

Before the fixes (measured on the same machine): 160 KB of "PLO 1.6" paragraphs over 150 s, an 8 KB DOCX
over 150 s, 100 KB of one word 43 s, 1.9 MB of nested blockquotes 18 s and 3.6 GB, an XLSX with a
far-right cell 670 MB, PDF bombs past the pre-check 5 s and 160 MB each. Run `pytest -s` for the figures.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hostile_inputs import GENERATORS, pdf_forms
from reliability_kit import PROJECT, IntakeWorker, kommune, memory_bot, order

from bot.app import account_of
from bot.domain import MessageOutcome
from bot.intake.addresses import text_addresses
from bot.intake.budget import BudgetExceeded, Deadline
from bot.intake.pdf_text import pdf_text
from bot.intake.quotes import cut_quotes, load_quote_rules
from bot.registry import load_registry

CPU_BUDGET_S = 10.0
MEMORY_BUDGET_BYTES = 512_000_000
REFUSED = "refused"

# (what the issue measured, generator, size of the hostile part, expected outcome)
ATTACKS: list[tuple[str, str, int, str]] = [
    ("160 KB of PLO 1.6 lines", "plo-lines", 160_000, REFUSED),
    ("224 KB of PLO 1.6 lines", "plo-lines", 224_000, REFUSED),
    ("160 KB of PLO 1.6 paragraphs", "plo-paragraphs", 160_000, "order"),
    ("8 KB DOCX of PLO 1.6 paragraphs", "docx-plo-lines", 8_000, REFUSED),
    ("96 KB DOCX of numbered PLO 1.6 paragraphs", "docx-plo-numbered", 96_000, REFUSED),
    ("100 KB of one word in an order", "one-word", 100_000, "order"),
    ("400,000 dashes in an order", "dashes", 400_000, REFUSED),
    ("190,000 dashes in an order", "dashes", 190_000, "order"),
    ("190 KB dotted domain in an order", "dotted-domain", 190_000, "order"),
    ("150 KB of dates in an order", "dated-lines", 150_000, REFUSED),
    ("1.9 MB of nested quoting blockquotes", "nested-blockquotes", 1_900_000, "other"),
    ("1.9 MB of nested divs", "nested-divs", 1_900_000, "other"),
    ("XLSX, 8,000 rows with a far-right cell", "xlsx-far-right", 8_000, "other"),
    ("PDF, 60 MB of Flate under /ASCIIHexDecode", "pdf-hex", 60_000_000, "other"),
    ("PDF, 60 MB of Flate after stream\\r", "pdf-cr", 60_000_000, "other"),
    ("2 KB PDF drawing a 10,000-token form 200 times", "pdf-form-200-draws", 10_000, REFUSED),
    ("2.5 MB of header fields", "many-headers", 2_500_000, REFUSED),
    ("2.5 MB Cc field", "long-to-header", 2_500_000, REFUSED),
    ("900 KB Cc field", "long-to-header", 900_000, "other"),
    ("1 MB of lines of 480 spaces around 'skrev'", "spaced-lines", 1_000_000, "other"),
    ("80,000 blank lines in a bounce", "blank-lines-bounce", 80_000, "bounce"),
    ("3.9 MB delivery report of 245,000 blocks", "delivery-report-blocks", 3_920_000, "bounce"),
    ("490,000 short lines", "short-lines", 980_000, "other"),
    ("510,000 short lines", "short-lines", 1_020_000, REFUSED),
    ("190 KB of near-typos of a type name", "near-typos", 190_000, "order"),
    ("190 KB named HER-id list on one line", "named-her-list", 190_000, "order"),
    ("190 KB of HER-ids said to be 'ikke våre'", "her-not-ours", 190_000, "order"),
    ("150 KB of '>'-quoted forwards", "quoted-forwards", 150_000, "order"),
    ("190 KB of quoted mails under 'som i bestillingen under'", "refers-to-quoted", 190_000, "order"),
]


@pytest.fixture(scope="module")
def worker() -> Iterator[IntakeWorker]:
    w = IntakeWorker()
    yield w
    w.close()


@pytest.mark.parametrize(("label", "shape", "size", "expected"), ATTACKS, ids=[a[0] for a in ATTACKS])
def test_hostile_mail_is_understood_or_refused_within_the_budget(
    label: str, shape: str, size: int, expected: str, worker: IntakeWorker
) -> None:
    """Intake finishes each hostile mail within 10 s of CPU and 512 MB, with the outcome stated for it."""
    raw = GENERATORS[shape](size)
    cost = worker.measure(raw, deadline_s=3 * CPU_BUDGET_S)
    assert cost is not None, f"{label}: still running after {3 * CPU_BUDGET_S:.0f} s, or over 3 GB"
    report = cost.report(label, len(raw))
    print(report)
    assert cost.error is None, report
    assert cost.cpu_s < CPU_BUDGET_S, report
    assert cost.peak_growth_bytes < MEMORY_BUDGET_BYTES, report
    if expected == REFUSED:
        assert cost.refused is not None, report
    else:
        assert cost.refused is None and cost.kind == expected, report
    if shape in ("pdf-hex", "pdf-cr"):
        assert any("unreadable" in d for d in cost.defects), cost.defects


def _cpu_s(work: Callable[[], object]) -> float:
    started = time.process_time()
    work()
    return time.process_time() - started


@pytest.mark.parametrize("text", ["a" * 100_000, "-" * 400_000, "a." * 200_000, "a@" * 100_000],
                         ids=["one word", "dashes", "dots", "at signs"])
def test_address_scan_is_linear(text: str) -> None:
    """Scanning text for addresses reads each character a bounded number of times (was 73 s / over 120 s)."""
    cpu = _cpu_s(lambda: text_addresses(text))
    print(f"address scan of {len(text)} characters: {cpu:.3f} s CPU")
    assert cpu < 1.0


def test_domain_lookup_of_a_400_kb_domain_is_immediate() -> None:
    """The municipality lookup refuses a name longer than a domain can be instead of walking it (was 52 s)."""
    registry = load_registry()
    domain = "a." * 200_000 + "malvik.kommune.no"
    cpu = _cpu_s(lambda: registry.by_domain(domain))
    print(f"by_domain of {len(domain)} characters: {cpu:.4f} s CPU")
    assert registry.by_domain(domain) is None and cpu < 0.1
    assert registry.by_domain("helse.malvik.kommune.no") is not None


def test_quote_cutting_of_lines_full_of_spaces_is_fast() -> None:
    """Lines of 480 spaces cost the quote rules microseconds each (were 26 ms a line: 52 s for 2,000)."""
    text = "Hei\n" + "\n".join([" " * 499 + "x"] * 2_000)
    rules = load_quote_rules()
    cpu = _cpu_s(lambda: cut_quotes(text, rules=rules))
    print(f"quote cutting of 2,000 lines of spaces: {cpu:.3f} s CPU")
    assert cpu < 1.0


def test_a_pdf_that_outlasts_the_budget_is_stopped_and_the_message_refused() -> None:
    """The PDF reader's process stops at RLIMIT_CPU (what is left of the budget); the message is refused."""
    deadline = Deadline(1.0)
    data = pdf_forms(20, 20, 45_000)  # 8 KB; 18 million tokens, minutes of pypdf
    started = time.monotonic()
    with pytest.raises(BudgetExceeded, match="reading a PDF attachment"):
        pdf_text(data, deadline)
    print(f"{len(data)} byte PDF stopped after {time.monotonic() - started:.1f} s, {deadline.used_s():.1f} s charged")
    assert time.monotonic() - started < 30


def _parse(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", "parse", str(path), "--json"], capture_output=True,
                          text=True, timeout=60, cwd=PROJECT)


def test_parse_command_answers_a_refused_and_an_understood_hostile_mail(tmp_path: Path) -> None:
    """`parse --json` names the budget for a refused mail (exit 2) and prints JSON for one within it."""
    refused = tmp_path / "plo.eml"
    refused.write_bytes(GENERATORS["plo-lines"](160_000))
    done = _parse(refused)
    assert done.returncode == 2 and "over the per-message budget" in done.stderr and not done.stdout
    understood = tmp_path / "blockquotes.eml"
    understood.write_bytes(GENERATORS["nested-blockquotes"](1_900_000))
    done = _parse(understood)
    assert done.returncode == 0 and '"kind": "other"' in done.stdout, done.stderr


def test_inbox_quarantines_an_over_budget_mail_with_its_reason_and_goes_on(tmp_path: Path) -> None:
    """Through the inbox: a refused mail is quarantined with the budget's reason, the next order is read."""
    bot = memory_bot(tmp_path)
    bot.deliver(GENERATORS["plo-lines"](160_000))
    bot.deliver(GENERATORS["many-headers"](2_500_000))
    bot.deliver(order(kommune("Malvik"), message_id="ok@malvik.kommune.no", her_id=8142326))
    account = account_of(bot.app.settings)
    fetched = bot.mailbox.fetch_new("INBOX", 0, bot.app.settings.max_message_bytes)
    results = [bot.app.inbox.process_fetched(f, account) for f in fetched]
    quarantined = MessageOutcome.QUARANTINED
    assert [r.outcome if r else None for r in results] == [quarantined, quarantined, "order"]
    errors = [e for (e,) in bot.query("SELECT error FROM inbound WHERE outcome = 'quarantined' ORDER BY uid")]
    assert errors[0].startswith("BudgetExceeded: 5000 message-type names")
    assert errors[1].startswith("BudgetExceeded: header block of")
    bot.app.store.dispose()


@pytest.mark.parametrize(("hold_s", "commits"), [(60.0, 2), (0.0, 4)], ids=["within-hold", "hold-spent"])
def test_a_batch_commits_once_its_transaction_has_held_the_write_lock_long_enough(
        tmp_path: Path, hold_s: float, commits: int) -> None:
    """A batch is marked (one commit), then read in one transaction until that has run for the inbox's hold
    time: slow mail cannot keep the ticker and the outbox from the database for longer than one message."""
    from dataclasses import replace

    from sqlalchemy import event

    bot = memory_bot(tmp_path)
    for i, name in enumerate(["Malvik", "Frosta", "Hitra"]):
        bot.deliver(order(kommune(name), message_id=f"o{i}@x.kommune.no", her_id=8142326 + i))
    inbox = replace(bot.app.inbox, batch_hold_s=hold_s)
    seen: list[int] = []
    event.listen(bot.app.store.engine, "commit", lambda _conn: seen.append(1))
    fetched = list(bot.mailbox.fetch_new("INBOX", 0, bot.app.settings.max_message_bytes))
    results = inbox.process_batch(fetched, account_of(bot.app.settings))
    assert [r.outcome for r in results] == ["order"] * 3
    assert len(seen) == commits
    assert bot.query("SELECT count(*) FROM in_progress") == [(0,)]
    bot.app.store.dispose()


def test_a_batch_commits_after_the_message_in_hand_when_another_writer_of_the_process_waits(
        tmp_path: Path) -> None:
    """The outbox (or the ticker) waiting to write during a batch gets in after the message in hand, not after
    the batch: it sees exactly one message of the batch recorded, and the batch then goes on."""
    import threading
    from dataclasses import replace

    from sqlalchemy import event

    bot = memory_bot(tmp_path)
    for i, name in enumerate(["Malvik", "Frosta", "Hitra"]):
        bot.deliver(order(kommune(name), message_id=f"o{i}@x.kommune.no", her_id=8142326 + i))
    inbox = replace(bot.app.inbox, batch_hold_s=60.0)
    store = bot.app.store
    seen_by_writer: list[int] = []

    def writer() -> None:
        with store.tx() as tx:
            seen_by_writer.append(len(tx.list_cases()))

    threads: list[threading.Thread] = []

    def first_inbound_row(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.startswith("INSERT INTO inbound") and not threads:
            threads.append(threading.Thread(target=writer))
            threads[0].start()
            deadline = time.monotonic() + 10
            while store.writers_waiting() == 0:
                assert time.monotonic() < deadline
                time.sleep(0.001)

    event.listen(store.engine, "after_cursor_execute", first_inbound_row)
    fetched = list(bot.mailbox.fetch_new("INBOX", 0, bot.app.settings.max_message_bytes))
    results = inbox.process_batch(fetched, account_of(bot.app.settings))
    threads[0].join()
    assert [r.outcome for r in results] == ["order"] * 3
    assert seen_by_writer == [1]
    assert bot.query("SELECT count(*) FROM inbound") == [(3,)]
    assert bot.query("SELECT count(*) FROM in_progress") == [(0,)]
    store.dispose()
