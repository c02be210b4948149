"""A message whose processing fails is quarantined alone: raw bytes kept, coordinators told, the rest flows."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from reliability_kit import COORDINATORS, T0, cli_bot, kinds_to, kommune, make_app, order

from sandbox import Sandbox

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# The input that breaks processing is not a bug waiting to be fixed (the last one, an activation date in
# year 9999, now gets a clarification): the database refuses to store this one order's case, as a full disk,
# a constraint or a storage fault would. That fault stays while the first replay runs.
BROKEN_HER_ID = 222222


def refuse_her_id(db: Path, her_id: int) -> None:
    """A storage fault that refuses exactly the case naming `her_id`."""
    with sqlite3.connect(db) as conn:
        conn.execute(f"CREATE TRIGGER refuse_her BEFORE UPDATE ON cases WHEN NEW.her_ids_json LIKE '%{her_id}%' "
                     "BEGIN SELECT RAISE(ABORT, 'simulated storage fault'); END")


def test_processing_error_quarantines_only_that_message(sandbox: Sandbox, workdir: Path) -> None:
    """run --once prints the quarantine line, export gives the same bytes, replay retries, the loop goes on."""
    box = sandbox
    hitra = kommune("Hitra")
    box.append(box.bot_user, order(kommune("Malvik"), message_id="a@malvik.kommune.no", her_id=111111))
    broken_uid = box.append(box.bot_user, order(hitra, message_id="broken@hitra.kommune.no", her_id=BROKEN_HER_ID))
    box.append(box.bot_user, order(kommune("Frøya"), message_id="c@froya.kommune.no", her_id=333333))
    fetched = box.messages(box.bot_user)
    bot = cli_bot(workdir, box.settings_env())
    app, _clock = make_app(bot.env)  # creates the schema
    app.store.dispose()
    refuse_her_id(bot.db, BROKEN_HER_ID)

    run = bot.run_once()
    assert run.returncode == 0, run.stderr[-3000:]
    summary, *quarantine_lines = run.stdout.splitlines()
    assert "order=2" in summary and "quarantined=1" in summary
    assert len(quarantine_lines) == 1 and quarantine_lines[0].startswith(f"quarantined: uid {broken_uid}: ")
    assert "receipt" in kinds_to(box.sent, "meldingsansvarlig@malvik.kommune.no")
    assert "receipt" in kinds_to(box.sent, "meldingsansvarlig@froya.kommune.no")
    assert kinds_to(box.sent, hitra.mailbox) == []
    notices = [e for e in box.sent if e.message["X-Oppkobling-Kind"] == "notice"]
    assert len(notices) == 1 and sorted(notices[0].rcpt_tos) == sorted(COORDINATORS)

    [(inbound_id, uid, error)] = bot.query("SELECT id, uid, error FROM inbound WHERE outcome = 'quarantined'")
    assert uid == broken_uid and error

    exported = workdir / "exported.eml"
    result = bot.run("quarantine", "export", str(inbound_id), "--out", str(exported))
    assert result.returncode == 0, result.stderr
    assert exported.read_bytes() == fetched[1]

    # Replaying while the fault is still there keeps it in quarantine and sends nothing.
    cases_before = bot.query("SELECT count(*) FROM cases")
    replayed = bot.run("quarantine", "replay", str(inbound_id))
    assert replayed.returncode != 0
    assert "outcome quarantined" in replayed.stdout
    assert bot.query("SELECT count(*) FROM cases") == cases_before
    assert bot.query("SELECT outcome FROM inbound WHERE id = ?", (inbound_id,)) == [("quarantined",)]

    # The loop goes on: mail that arrives afterwards flows, and the quarantined one is not retried.
    sent_before = len(box.sent)
    box.append(box.bot_user, order(kommune("Selbu"), message_id="d@selbu.kommune.no", her_id=444444))
    run = bot.run_once(T0 + timedelta(minutes=10))
    assert run.returncode == 0, run.stderr[-3000:]
    assert "order=1" in run.stdout and "quarantined" not in run.stdout
    assert [e.message["X-Oppkobling-Kind"] for e in box.sent[sent_before:]].count("receipt") == 1


def test_replay_after_the_fault_is_repaired(sandbox: Sandbox, workdir: Path) -> None:
    """A storage fault quarantines one order; once repaired, `quarantine replay` makes it a case, mailed once."""
    box = sandbox
    orkland = kommune("Orkland")
    bot = cli_bot(workdir, box.settings_env())
    app, _clock = make_app(bot.env)  # creates the schema
    app.store.dispose()
    # The fault lives in the database the bot writes to, not in the bot: it refuses this one case.
    refuse_her_id(bot.db, 7777777)
    faulty_uid = box.append(box.bot_user, order(orkland, message_id="o@orkland.kommune.no", her_id=7777777))
    box.append(box.bot_user, order(kommune("Rindal"), message_id="r@rindal.kommune.no", her_id=5555555))

    run = bot.run_once()
    assert run.returncode == 0, run.stderr[-3000:]
    summary, *quarantine_lines = run.stdout.splitlines()
    assert "order=1" in summary and "quarantined=1" in summary
    assert len(quarantine_lines) == 1, run.stdout
    assert quarantine_lines[0].startswith(f"quarantined: uid {faulty_uid}: ")
    assert "simulated storage fault" in quarantine_lines[0]
    assert "receipt" in kinds_to(box.sent, "meldingsansvarlig@rindal.kommune.no")
    [(inbound_id,)] = bot.query("SELECT id FROM inbound WHERE outcome = 'quarantined'")

    with sqlite3.connect(bot.db) as conn:
        conn.execute("DROP TRIGGER refuse_her")
    replayed = bot.run("quarantine", "replay", str(inbound_id), "--now", (T0 + timedelta(hours=1)).isoformat())
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert "outcome order" in replayed.stdout
    assert bot.query("SELECT outcome, case_id IS NOT NULL FROM inbound WHERE id = ?", (inbound_id,)) == [
        ("order", 1)]

    run = bot.run_once(T0 + timedelta(hours=1))
    assert run.returncode == 0, run.stderr[-3000:]
    assert kinds_to(box.sent, orkland.mailbox) == ["receipt"]

    # Replaying it again would process it twice: refused, nothing changes.
    outbox_before = bot.query("SELECT count(*) FROM outbox")
    again = bot.run("quarantine", "replay", str(inbound_id), "--now", (T0 + timedelta(hours=2)).isoformat())
    assert again.returncode != 0 and "not quarantined" in again.stderr
    assert bot.query("SELECT count(*) FROM cases") == [(2,)]
    assert bot.query("SELECT count(*) FROM outbox") == outbox_before
