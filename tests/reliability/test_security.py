"""Hostile senders: spoofed DMARC, header injection, template injection, path traversal, unauthorised commands."""

from __future__ import annotations

import email.utils
import hashlib
import os
import re
import uuid
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from reliability_kit import (
    BOT,
    COORDINATOR,
    DOCX,
    T0,
    MemoryBot,
    body_text,
    encoded_word,
    kommune,
    memory_bot,
    order,
    order_mail,
    reply_to,
)

from bot.domain import CaseState
from bot.routine.case import Case

TRUSTED = "mx.helse-midt.no"
MALVIK = kommune("Malvik")


def _case(bot: MemoryBot) -> Case:
    with bot.app.store.tx() as tx:
        [case] = tx.list_cases()
    return case


def _step_done(bot: MemoryBot, step: str) -> bool:
    return _case(bot).step(step).done_at is not None


def _active(tmp_path: Path, **settings: str) -> MemoryBot:
    bot = memory_bot(tmp_path, env=settings)
    bot.deliver(order(MALVIK, message_id="order@malvik.kommune.no"))
    bot.cycle()
    assert _case(bot).state is CaseState.ACTIVE
    return bot


def _command(bot: MemoryBot, sender: str, body: str, *, minutes: int, headers: tuple[tuple[str, str], ...] = (),
             thread_kind: str = "new_case") -> None:
    """`sender` answers the bot's latest mail of `thread_kind` with `body` (threaded, Outlook quote)."""
    thread = bot.latest_to(COORDINATOR if thread_kind == "new_case" else MALVIK.mailbox, thread_kind)
    at = T0 + timedelta(minutes=minutes)
    bot.deliver(reply_to(thread, sender, body, message_id=f"cmd-{uuid.uuid4().hex}@x", headers=headers, at=at))
    bot.clock.set(at)
    bot.cycle()


# -- DMARC ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("label", "auth_results", "counts"), [
    ("trusted pass (control)", [f"{TRUSTED}; dmarc=pass header.from=hemit.no"], True),
    ("spoofed: trusted fail", [f"{TRUSTED}; dmarc=fail header.from=hemit.no"], False),
    ("foreign authserv-id says pass", ["mx.evil.example; dmarc=pass header.from=hemit.no"], False),
    ("foreign pass next to trusted fail", ["mx.evil.example; dmarc=pass", f"{TRUSTED}; dmarc=fail"], False),
    ("no header at all", [], False),
    ("look-alike authserv-id", [f"{TRUSTED}.evil.example; dmarc=pass"], False),
    ("pass hidden in a comment", [f"{TRUSTED}; dmarc=fail (dmarc=pass)"], False),
])
def test_only_dmarc_pass_from_our_own_server_lets_a_command_count(
    tmp_path: Path, label: str, auth_results: list[str], counts: bool
) -> None:
    """With BOT_TRUSTED_AUTHSERV_ID set, a coordinator's confirmation counts only with our server's dmarc=pass."""
    bot = _active(tmp_path, BOT_TRUSTED_AUTHSERV_ID=TRUSTED)
    headers = tuple(("Authentication-Results", v) for v in auth_results)
    _command(bot, COORDINATOR, "bekreftet AR", minutes=10, headers=headers)
    assert _step_done(bot, "ar_publisering") is counts, label


# -- header injection ----------------------------------------------------------------------------------


def _header_names(raw: bytes) -> list[str]:
    head = re.split(rb"\r?\n\r?\n", raw, maxsplit=1)[0]
    return [ln.split(b":", 1)[0].decode().lower() for ln in re.split(rb"\r?\n", head) if ln and ln[:1] not in b" \t"]


def test_cr_lf_in_subjects_and_display_names_never_become_headers(tmp_path: Path) -> None:
    """Encoded CR/LF in incoming Subject and From names never start a header in anything the bot sends."""
    bot = memory_bot(tmp_path)
    # No address in the name: a From whose display name holds another address gives no rights at all
    # (tests/security/test_sender_address.py), and then nothing would be sent to look at.
    evil_name = encoded_word("Kari\r\nBcc: victim-at-evil.example\r\nX-Injected: name")
    evil_subject = encoded_word("Bestilling\r\nBcc: victim@evil.example\r\nX-Injected: subject")
    raw_order = order(MALVIK, message_id="order@malvik.kommune.no", subject="SUBJECT")
    raw_order = raw_order.replace(f"From: {MALVIK.mailbox}".encode(), f"From: {evil_name} <{MALVIK.mailbox}>".encode())
    bot.deliver(raw_order.replace(b"Subject: SUBJECT", f"Subject: {evil_subject}".encode()))
    bot.cycle()
    receipt = bot.latest_to(MALVIK.mailbox, "receipt")
    # A reply without a command is forwarded to the coordinators with its sender and subject.
    forward = reply_to(receipt, MALVIK.mailbox, "Hei, et spørsmål om testdagen.", message_id="q@malvik.kommune.no",
                       subject="SUBJECT", at=T0 + timedelta(minutes=5))
    forward = forward.replace(f"From: {MALVIK.mailbox}".encode(), f"From: {evil_name} <{MALVIK.mailbox}>".encode())
    bot.deliver(forward.replace(b"Subject: SUBJECT", f"Subject: SV: {receipt['Subject']} {evil_subject}".encode()))
    # A stranger's mail lands in the coordinators' digest.
    stranger = EmailMessage()
    stranger["From"] = "salg@leverandor.example"
    stranger["To"] = BOT
    stranger["Message-ID"] = "<s@leverandor.example>"
    stranger.set_content("Tilbud")
    raw_stranger = stranger.as_bytes().replace(b"To: ", b"Subject: " + evil_subject.encode() + b"\nTo: ", 1)
    bot.deliver(raw_stranger)
    bot.clock.set(T0 + timedelta(days=7))  # the next weekly digest
    bot.cycle()

    sent = bot.sender.sent
    assert {str(m["X-Oppkobling-Kind"]) for m in sent} >= {"receipt", "new_case", "forward", "digest"}
    for raw in [m.as_bytes() for m in sent] + [r[0] for r in bot.query("SELECT raw FROM outbox")]:
        names = _header_names(raw)
        assert "bcc" not in names and "x-injected" not in names, names
    for msg in sent:
        assert all(a.endswith(("@malvik.kommune.no", "@hemit.no", "@stolav.no")) for a in _recipients(msg)), msg["To"]


def _recipients(msg: EmailMessage) -> list[str]:
    return [a for _n, a in email.utils.getaddresses([str(v) for k in ("To", "Cc", "Bcc") for v in msg.get_all(k, [])])]


# -- template injection --------------------------------------------------------------------------------


def test_template_syntax_in_an_avvik_text_appears_literally(tmp_path: Path) -> None:
    """`{{ 7*7 }}`, `{% for %}` and `{# #}` written by a coordinator reach the kommune as typed, unevaluated."""
    bot = _active(tmp_path)
    text = "Testen feilet {{ 7*7 }} og {% for x in range(3) %}{{ x }}{% endfor %} {# skjult #} {{ config }}"
    _command(bot, COORDINATOR, f"avvik: {text}", minutes=10)
    [deviation] = [m for m in bot.sent_to(MALVIK.mailbox) if m["X-Oppkobling-Kind"] == "deviation"]
    plain = body_text(deviation)
    html = body_text(deviation, "html")
    assert text in plain
    assert "{{ 7*7 }}" in html and "{% for x in range(3) %}" in html and "{# skjult #}" in html
    assert "49" not in plain and "012" not in plain
    assert [d.text for d in _case(bot).deviations] == [text]


# -- path traversal ------------------------------------------------------------------------------------


def test_attachment_filenames_never_touch_the_filesystem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Filenames like ../../etc/passwd are only metadata: no file is created under the cwd or /tmp."""
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    bot = memory_bot(tmp_path)
    tag = uuid.uuid4().hex
    names = ["../../etc/passwd", f"../../../tmp/{tag}-up.docx", f"/tmp/{tag}-abs.docx", f"..\\..\\{tag}-win.docx",
             f"{tag}-nul\x00.docx", f"~/{tag}-home.docx", f"{tag}/../../{tag}-mid.docx"]
    msg = order_mail(MALVIK, message_id="order@malvik.kommune.no")
    for name in names:
        msg.add_attachment(b"PK\x03\x04 not really a docx " + tag.encode(), maintype="application",
                           subtype=DOCX.split("/")[1], filename=name)
    passwd = Path("/etc/passwd")
    before = hashlib.sha256(passwd.read_bytes()).hexdigest(), passwd.stat().st_mtime_ns
    bot.deliver(msg.as_bytes())
    report = bot.cycle()
    assert report.outcomes["order"] == 1, report.summary()
    assert (hashlib.sha256(passwd.read_bytes()).hexdigest(), passwd.stat().st_mtime_ns) == before
    touched = [path for root in (work, Path("/tmp"), tmp_path) for d, _dirs, files in os.walk(root)
               for f in files if tag in (path := os.path.join(d, f)) or path.endswith("etc/passwd")]
    assert touched == []
    assert sorted(os.listdir(work)) == []


# -- who may steer a case --------------------------------------------------------------------------


@pytest.mark.parametrize("sender", [MALVIK.mailbox, "ola@malvik.kommune.no", "x@gmail.com",
                                    "meldingsansvarlig@frosta.kommune.no", "koordinator@hemit.no.evil.example"])
def test_only_coordinators_cancel_move_d_or_report_deviations(tmp_path: Path, sender: str) -> None:
    """Kommune and stranger attempts to cancel, move D or report an avvik change nothing; strangers hear nothing."""
    bot = _active(tmp_path)
    before = _case(bot)
    mails_before = len(bot.sender.sent)
    for n, body in enumerate(["avbryt", "ny dato: 05.04.2027", "avvik: kommunen melder avvik selv"]):
        _command(bot, sender, body, minutes=10 * (n + 1), thread_kind="receipt")
    after = _case(bot)
    assert after.state is CaseState.ACTIVE
    assert after.activation_date == before.activation_date == date(2027, 3, 1)
    assert after.deviations == ()
    new = bot.sender.sent[mails_before:]
    assert [m["X-Oppkobling-Kind"] for m in new if m["X-Oppkobling-Kind"] in ("deviation", "cancelled",
                                                                               "date_changed")] == []
    if not sender.endswith("@malvik.kommune.no"):
        assert [m for m in new if sender in _recipients(m)] == []  # no backscatter to strangers

    # Control: the same commands from a coordinator do take effect.
    _command(bot, COORDINATOR, "avvik: koordinator melder avvik", minutes=50, thread_kind="new_case")
    _command(bot, COORDINATOR, "avbryt", minutes=60, thread_kind="new_case")
    final = _case(bot)
    assert [d.text for d in final.deviations] == ["koordinator melder avvik"]
    assert final.state is CaseState.CANCELLED
