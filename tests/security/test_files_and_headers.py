"""Small hardening: private database files, UMask in the unit, no bidi or format characters in headers."""

from __future__ import annotations

import os
import stat
import unicodedata
from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from reliability_kit import COORDINATORS, PROJECT, T0, kommune, memory_bot, order

from bot.domain import MailKind
from bot.outbound.mail_request import MailRequest

MALVIK = kommune("Malvik")


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The common default umask 022, under which files come out world-readable unless the bot says otherwise."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("open_umask")
def test_the_database_is_created_private(tmp_path: Path) -> None:
    """The SQLite file holding raw mail is 0600 and a folder created for it 0700 (before: 0644 and 0755)."""
    bot = memory_bot(tmp_path / "data" / "bot")
    bot.deliver(order(MALVIK, message_id="o@malvik.kommune.no"))
    bot.cycle()
    assert mode(bot.db) == 0o600
    assert mode(tmp_path / "data") == 0o700 and mode(tmp_path / "data" / "bot") == 0o700
    for extra in ("-wal", "-shm"):
        side = bot.db.with_name(bot.db.name + extra)
        assert not side.exists() or mode(side) & 0o077 == 0, extra


@pytest.mark.usefixtures("open_umask")
def test_an_existing_readable_database_is_tightened(tmp_path: Path) -> None:
    """A database file left world-readable by an older version is made 0600 at start-up."""
    db = tmp_path / "bot.sqlite"
    db.touch(mode=0o644)
    db.chmod(0o644)
    memory_bot(tmp_path)
    assert mode(db) == 0o600


def test_the_unit_file_sets_a_private_umask() -> None:
    """systemd starts the bot with UMask=0077, so nothing it writes is readable by other users."""
    unit = (PROJECT / "deploy" / "oppkoblingsbot.service").read_text(encoding="utf-8")
    assert "\nUMask=0077\n" in unit


def test_a_bidi_override_in_a_sender_never_reaches_an_outgoing_header(tmp_path: Path) -> None:
    """U+202E and other format characters in a name the bot puts in a subject are dropped on the way to the
    outbox (before: a forward's subject carried the override)."""
    bot = memory_bot(tmp_path)
    bot.deliver(order(MALVIK, message_id="o@malvik.kommune.no"))
    bot.cycle()
    with bot.app.store.tx() as tx:
        [case] = tx.list_cases()
        [sent] = bot.app.casework.post.send(tx, [MailRequest(
            kind=MailKind.FORWARD, case=case, to=COORDINATORS, detail="Hei",
            sender="\u202eon.enummok.kivlam@alo\u2066\u200b", recipient_role="coordinators")], T0)
    assert sent.to == COORDINATORS
    raw = bot.query("SELECT raw FROM outbox ORDER BY id DESC LIMIT 1")[0][0]
    head = message_from_bytes(raw, policy=policy.default)
    assert "Svar fra on.enummok.kivlam@alo" in str(head["Subject"])
    for name, value in head.items():
        assert not [ch for ch in str(value) if unicodedata.category(ch) in ("Cf", "Cc")], name
