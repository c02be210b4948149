"""The same message twice, and a folder whose UIDVALIDITY changes: recorded as duplicates, never reprocessed."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from reliability_kit import T0, bot_settings_env, kommune, make_app, order, sandbox_cycle

from sandbox import Sandbox

pytestmark = pytest.mark.integration


def _kinds(box: Sandbox) -> Counter[str]:
    """What the bot sent about cases (the weekly digest depends on the calendar, not on the mail)."""
    return Counter(str(e.message["X-Oppkobling-Kind"]) for e in box.sent if e.message["X-Oppkobling-Kind"] != "digest")


def test_duplicate_delivery_and_uidvalidity_change_process_each_message_once(
    fresh_sandbox: Sandbox, workdir: Path
) -> None:
    """A second copy (same Message-ID, or same bytes) and a full rescan after a new UIDVALIDITY send nothing."""
    box = fresh_sandbox
    malvik, frosta, oppdal = kommune("Malvik"), kommune("Frosta"), kommune("Oppdal")
    first = order(malvik, message_id="malvik-1@malvik.kommune.no", her_id=111111)
    no_id = order(frosta, message_id="x", her_id=222222).replace(b"Message-ID: <x>\n", b"")
    assert b"Message-ID" not in no_id
    box.append(box.bot_user, first)
    box.deliver(first, mail_from=malvik.mailbox)  # again through LMTP: new trace headers, same Message-ID
    box.append(box.bot_user, no_id)
    box.append(box.bot_user, no_id)  # byte for byte the same, no Message-ID to go by

    db = workdir / "bot.sqlite"
    app, clock = make_app({**box.settings_env(), **bot_settings_env(db)})
    report = sandbox_cycle(app)
    assert report.outcomes == Counter({"order": 2, "duplicate": 2}), report.summary()
    mails_before = len(box.sent)
    assert _kinds(box) == Counter({"receipt": 2, "new_case": 2})

    old = box.uidvalidity()
    assert box.change_uidvalidity() != old
    clock.set(T0 + timedelta(minutes=5))
    report = sandbox_cycle(app)
    assert report.outcomes == Counter({"duplicate": 4}), report.summary()
    assert len(box.sent) == mails_before

    # Mail that arrives after the change is processed normally.
    box.append(box.bot_user, order(oppdal, message_id="oppdal-1@oppdal.kommune.no", her_id=333333))
    clock.set(T0 + timedelta(minutes=10))
    report = sandbox_cycle(app)
    assert report.outcomes == Counter({"order": 1}), report.summary()
    assert _kinds(box) == Counter({"receipt": 3, "new_case": 3})

    with app.store.tx() as tx:
        cases = tx.list_cases()
        rows = tx.inbound(limit=100)
    assert sorted(c.municipality.name for c in cases if c.municipality) == ["Frosta", "Malvik", "Oppdal"]
    assert len(rows) == 4 + 4 + 1
    assert Counter(r.outcome for r in rows) == Counter({"duplicate": 6, "order": 3})
    app.store.dispose()
