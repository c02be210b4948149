"""A message over BOT_MAX_MESSAGE_BYTES: quarantined without being downloaded, one notice, the rest flows."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from reliability_kit import (
    COORDINATORS,
    T0,
    body_text,
    bot_settings_env,
    kinds_to,
    kommune,
    make_app,
    order,
    order_mail,
    sandbox_cycle,
)

from sandbox import Sandbox

pytestmark = pytest.mark.integration

LIMIT = 50_000


def _big_order() -> bytes:
    msg = order_mail(kommune("Hitra"), message_id="big@hitra.kommune.no", her_id=444444)
    msg.add_attachment(b"%PDF-1.4\n" + bytes(range(256)) * 1200, maintype="application", subtype="pdf",
                       filename="bestilling-skannet.pdf")
    return msg.as_bytes()


def _bytes_sent_by_imap(log: str) -> int:
    return sum(int(n) for n in re.findall(r"Logged out in=\d+ out=(\d+)", log))


def test_oversize_message_is_quarantined_without_download_and_the_rest_flows(
    fresh_sandbox: Sandbox, workdir: Path
) -> None:
    """The big message is never fetched, coordinators hear of it once, the orders around it get receipts."""
    box = fresh_sandbox
    big = _big_order()
    assert len(big) > 4 * LIMIT
    box.append(box.bot_user, order(kommune("Frøya"), message_id="a@froya.kommune.no", her_id=111111))
    box.append(box.bot_user, big)
    box.append(box.bot_user, order(kommune("Selbu"), message_id="b@selbu.kommune.no", her_id=222222))
    log_before = len(box.dovecot_log())

    db = workdir / "bot.sqlite"
    env = {**box.settings_env(), **bot_settings_env(db, BOT_MAX_MESSAGE_BYTES=str(LIMIT))}
    app, clock = make_app(env)
    report = sandbox_cycle(app)
    assert report.outcomes == Counter({"order": 2, "quarantined": 1}), report.summary()
    [q] = report.quarantined
    assert q.uid == 2 and "BOT_MAX_MESSAGE_BYTES" in (q.error or "")

    # Not downloaded: everything the IMAP server sent the bot is less than the message itself.
    assert 0 < _bytes_sent_by_imap(box.dovecot_log()[log_before:]) < len(big)
    with app.store.tx() as tx:
        [row] = tx.inbound(["quarantined"])
    assert row.sha256 is None

    notices = [e for e in box.sent if e.message["X-Oppkobling-Kind"] == "notice"]
    assert len(notices) == 1
    assert sorted(notices[0].rcpt_tos) == sorted(COORDINATORS)
    notice_text = body_text(notices[0].message)
    assert "meldingsansvarlig@hitra.kommune.no" in notice_text and "Hitra" in notice_text  # named, from headers
    assert "receipt" in kinds_to(box.sent, "meldingsansvarlig@froya.kommune.no")
    assert "receipt" in kinds_to(box.sent, "meldingsansvarlig@selbu.kommune.no")

    # Later cycles do not notice it again.
    sent_before = len(box.sent)
    clock.set(T0 + timedelta(minutes=5))
    assert sandbox_cycle(app).outcomes == Counter()
    assert len(box.sent) == sent_before
    app.store.dispose()


def test_oversize_message_is_not_noticed_again_after_a_uidvalidity_change(
    fresh_sandbox: Sandbox, workdir: Path
) -> None:
    """A rescan under a new UIDVALIDITY recognises the undownloaded message and tells nobody twice."""
    box = fresh_sandbox
    box.append(box.bot_user, _big_order())
    db = workdir / "bot.sqlite"
    env = {**box.settings_env(), **bot_settings_env(db, BOT_MAX_MESSAGE_BYTES=str(LIMIT))}
    app, clock = make_app(env)
    assert sandbox_cycle(app).outcomes == Counter({"quarantined": 1})
    box.change_uidvalidity()
    clock.set(T0 + timedelta(hours=3))  # past any throttling of quarantine notices
    report = sandbox_cycle(app)
    assert report.outcomes == Counter({"duplicate": 1}), report.summary()
    assert [e.message["X-Oppkobling-Kind"] for e in box.sent].count("notice") == 1
    app.store.dispose()
