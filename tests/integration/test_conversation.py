"""The conversation at its seams, in-process: the real app and store with a memory mailbox and SMTP fake."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from cli_bot import CONTACT, COORDINATORS, HEMIT, KOMMUNE, KOMMUNE_MA
from mailmaker import bounce, mail, order, order_body, oslo, plain_text, reply

from bot.app import App, build_app
from bot.clock import FixedClock
from bot.mail.memory import MemoryMailbox
from bot.mail.memory_sender import MemorySender
from bot.routine.case import Case
from bot.runner import CycleReport, run_once
from bot.settings import load_settings

ORDER_AT = oslo(2027, 1, 12, 9, 14)  # a Tuesday; D is Monday 1 March 2027
D_TEXT = "mandag 1. mars 2027"

Sent = tuple[EmailMessage, tuple[str, ...]]


@dataclass
class World:
    """One bot on a fixed clock, a memory mailbox and a memory SMTP server; `run` is one `run --once`."""

    app: App
    clock: FixedClock
    mailbox: MemoryMailbox
    sender: MemorySender
    seen: int = 0
    reports: list[CycleReport] = field(default_factory=list)

    def deliver(self, raw: bytes) -> None:
        self.mailbox.deliver(raw)

    def run(self, at: datetime) -> list[Sent]:
        """One cycle at `at`; returns what the SMTP fake accepted during it (message, accepted RCPTs)."""
        self.clock.set(at)
        self.reports.append(asyncio.run(run_once(self.app, self.mailbox, self.sender)))
        new, self.seen = self.sender.envelopes[self.seen:], len(self.sender.envelopes)
        return new

    def case(self, ref: str = "OPK-1") -> Case:
        with self.app.store.tx() as tx:
            found = tx.load_case(ref)
        assert found is not None
        return found

    def events(self, ref: str = "OPK-1") -> list[tuple[str, str]]:
        with self.app.store.tx() as tx:
            return [(e.kind, e.detail) for e in tx.events(ref)]

    def order(self, at: datetime = ORDER_AT) -> list[Sent]:
        self.deliver(order(CONTACT, order_body(date_phrase=D_TEXT, contact=CONTACT), at=at))
        return self.run(at)


MakeWorld = Callable[..., World]


@pytest.fixture
def make_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MakeWorld]:
    """Factory: a World with fresh settings (no ambient BOT_* or .env) and the given SMTP fake."""
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("BOT_")]:
        monkeypatch.delenv(name)
    apps: list[App] = []

    def make(sender: MemorySender | None = None, **settings: object) -> World:
        app = build_app(load_settings(coordinators=",".join(COORDINATORS),
                                      database_url=f"sqlite:///{tmp_path}/bot.sqlite", **settings),
                        FixedClock(ORDER_AT))
        apps.append(app)
        assert isinstance(app.clock, FixedClock)
        return World(app=app, clock=app.clock, mailbox=MemoryMailbox(), sender=sender or MemorySender())

    yield make
    for app in apps:
        app.store.dispose()


@pytest.fixture
def world(make_world: MakeWorld) -> World:
    """A World with an SMTP fake that accepts everything."""
    return make_world()


# --- reading what was sent ----------------------------------------------------------------------


def kind_of(msg: EmailMessage) -> str:
    return str(msg.get("X-Oppkobling-Kind", ""))


def without_digest(sent: Iterable[Sent]) -> list[Sent]:
    return [(m, r) for m, r in sent if kind_of(m) != "digest"]


def summary(sent: Iterable[Sent]) -> list[tuple[str, tuple[str, ...]]]:
    return [(kind_of(m), r) for m, r in sent]


def one(sent: Sequence[Sent], kind: str, to: tuple[str, ...]) -> EmailMessage:
    found = [m for m, r in sent if kind_of(m) == kind and r == to]
    assert len(found) == 1, f"{len(found)} {kind} to {to}; sent: {summary(sent)}"
    return found[0]


def first_of(sent: Iterable[Sent], kind: str) -> EmailMessage:
    return next(m for m, _ in sent if kind_of(m) == kind)


# --- scenarios ----------------------------------------------------------------------------------


def test_the_eleventh_automatic_mail_in_a_day_is_held_back_and_coordinators_told_once(world: World) -> None:
    """Ten automatic mails per kommune address per 24 h; the 11th is not sent and ONE notice goes to coordinators."""
    receipt = first_of(world.order(), "receipt")
    for minute in range(11):  # receipt + 9 answers = 10 mails; the 10th and 11th «status» stay unanswered
        world.deliver(reply(receipt, CONTACT, "status", at=ORDER_AT + timedelta(minutes=minute + 1)))
    sent = without_digest(world.run(ORDER_AT + timedelta(minutes=15)))

    assert summary(sent).count(("command_result", (CONTACT,))) == 9
    assert len(world.sender.sent_to(CONTACT)) == 10
    notice = one(sent, "notice", COORDINATORS)
    assert CONTACT in plain_text(notice)
    assert len(sent) == 10
    assert [k for k, _ in world.events()].count("rate_limited") == 1

    # A day later the address gets answers again.
    world.deliver(reply(receipt, CONTACT, "status", at=ORDER_AT + timedelta(days=1, minutes=2)))
    sent = world.run(ORDER_AT + timedelta(days=1, minutes=2))
    assert summary(sent) == [("command_result", (CONTACT,))]


def test_a_reply_without_a_command_is_forwarded_to_the_coordinators(world: World) -> None:
    """A kommune's question above the quoted receipt reaches the coordinators: author, new text, lists intact,
    signature included; the kommune is told its mail went to a person, at most once a day for the case."""
    receipt = first_of(world.order(), "receipt")
    question = ("Hei!\n\nVi bytter fagsystem i februar. Spørsmål:\n- går testen som planlagt?\n"
                "- trenger dere ny HER-id?\n----------\nRing gjerne 73 98 00 00.\n\nMvh\nKari")
    at = oslo(2027, 1, 13, 10, 0)
    world.deliver(reply(receipt, KOMMUNE_MA, question, at=at, quote="outlook_rule"))

    sent = world.run(at)

    forward = one(sent, "forward", COORDINATORS)
    assert summary(sent) == [("forward", COORDINATORS), ("reply_forwarded", (KOMMUNE_MA,))]
    text = plain_text(forward)
    assert "- går testen som planlagt?\n- trenger dere ny HER-id?\n----------\nRing gjerne" in text
    assert "Mvh\nKari" in text  # the coordinators see who wrote and how to reach them
    assert "Takk for bestillingen" not in text  # the quoted receipt is cut
    assert KOMMUNE_MA in str(forward["Subject"])
    assert f"{KOMMUNE_MA} har svart" in text and CONTACT not in text
    assert world.case().state.value == "active"
    ack = one(sent, "reply_forwarded", (KOMMUNE_MA,))
    assert "sendt videre til koordinatorene" in plain_text(ack)
    assert ack["Auto-Submitted"] == "auto-replied"

    # A second reply the same day is forwarded, but the kommune is not told again; the next day it is.
    world.deliver(reply(receipt, KOMMUNE_MA, "Vi rekker ikke å publisere før fredag.", at=at + timedelta(hours=2)))
    assert summary(world.run(at + timedelta(hours=2))) == [("forward", COORDINATORS)]
    next_day = at + timedelta(days=1, minutes=5)
    world.deliver(reply(receipt, CONTACT, "Skal vi publisere for legevakten også?", at=next_day))
    assert summary(without_digest(world.run(next_day))) == [
        ("forward", COORDINATORS), ("reply_forwarded", (CONTACT,))]


def test_status_and_help_are_answered_to_known_senders(world: World) -> None:
    """«status» from the kommune gets the case status; «hjelp» lists the commands each role may use."""
    receipt = first_of(world.order(), "receipt")
    new_case = first_of(world.sender.envelopes, "new_case")
    at = oslo(2027, 1, 13, 10, 0)
    status = reply(receipt, CONTACT, "Status?", at=at)
    kommune_help = reply(receipt, KOMMUNE_MA, "hjelp", at=at)
    coordinator_help = reply(new_case, HEMIT, "hjelp", at=at, quote="gmail")
    for raw in (status, kommune_help, coordinator_help):
        world.deliver(raw)

    sent = world.run(at)

    assert summary(sent) == [("command_result", (CONTACT,)), ("command_result", (KOMMUNE_MA,)),
                             ("command_result", (HEMIT,))]
    status_text, kommune_text, coordinator_text = (plain_text(m) for m, _ in sent)
    assert "OPK-1" in status_text and D_TEXT in status_text
    assert "Publisering i Adresseregisteret: venter, frist mandag 15. februar 2027 kl. 16:00" in status_text
    assert "ar_publisering" not in status_text  # step names for people, not the engine's keys
    assert "help" not in kommune_text.splitlines() and "help" not in coordinator_text.splitlines()
    assert "bekreftet" in kommune_text and "status" in kommune_text
    assert "avbryt" not in kommune_text and "avvik:" not in kommune_text
    assert all(usage in coordinator_text for usage in ("avvik: <tekst>", "ny dato: <dato>", "avbryt"))


def test_a_new_date_moves_the_deadlines_and_the_new_ar_reminders_fire_once(world: World) -> None:
    """«ny dato: 15.03.2027» after the first AR reminder: the kommune is told, and AR reminders follow the new D."""
    new_case = first_of(world.order(), "new_case")
    assert summary(world.run(oslo(2027, 2, 8, 8, 0))).count(("reminder", KOMMUNE)) == 1

    at = oslo(2027, 2, 9, 10, 0)
    world.deliver(reply(new_case, HEMIT, "ny dato: 15.03.2027", at=at))
    sent = world.run(at)
    moved = one(sent, "date_changed", KOMMUNE)
    assert "15. mars 2027" in str(moved["Subject"])
    assert any(p.get_content_type() == "text/calendar" for p in moved.iter_attachments())
    one(sent, "command_result", (HEMIT,))
    assert str(world.case().activation_date) == "2027-03-15"

    # The old D's second AR reminder (Thursday 11 February) and its partneravtaler reminder stay quiet.
    assert without_digest(world.run(oslo(2027, 2, 11, 8, 0))) == []
    assert without_digest(world.run(oslo(2027, 2, 17, 8, 0))) == []
    # New AR deadline Monday 1 March 16:00: reminders Monday 22 and Thursday 25 February 08:00, once each.
    assert without_digest(world.run(oslo(2027, 2, 22, 7, 59))) == []
    sent = without_digest(world.run(oslo(2027, 2, 22, 8, 0)))
    assert summary(sent) == [("reminder", KOMMUNE)]
    assert "mandag 1. mars 2027 kl. 16:00" in str(sent[0][0]["Subject"])
    assert world.run(oslo(2027, 2, 22, 8, 0)) == []
    assert summary(world.run(oslo(2027, 2, 25, 8, 0))) == [("reminder", KOMMUNE)]
    assert world.run(oslo(2027, 2, 25, 8, 1)) == []


def test_a_coordinator_command_counts_only_with_dmarc_pass_from_the_trusted_server(make_world: MakeWorld) -> None:
    """With BOT_TRUSTED_AUTHSERV_ID set, «avbryt» without dmarc=pass from that server is refused."""
    world = make_world(trusted_authserv_id="mx.helse-midt.no")
    new_case = first_of(world.order(), "new_case")
    at = oslo(2027, 1, 13, 10, 0)
    unsigned = reply(new_case, HEMIT, "avbryt", at=at)
    foreign = reply(new_case, HEMIT, "avbryt", at=at,
                    headers=[("Authentication-Results", "mx.evil.example; dmarc=pass header.from=hemit.no")])
    failed = reply(new_case, HEMIT, "avbryt", at=at,
                   headers=[("Authentication-Results", "mx.helse-midt.no; dmarc=fail header.from=hemit.no")])
    for raw in (unsigned, foreign, failed):
        world.deliver(raw)

    sent = world.run(at)

    assert summary(sent) == [("command_result", (HEMIT,))] * 3
    assert world.case().state.value == "active"
    assert [k for k, _ in world.events()].count("command_refused") == 3

    passed = "mx.helse-midt.no; spf=pass smtp.mailfrom=hemit.no; dmarc=pass header.from=hemit.no"
    signed = reply(new_case, HEMIT, "avbryt", at=at + timedelta(minutes=5),
                   headers=[("Authentication-Results", passed)])
    world.deliver(signed)
    sent = world.run(at + timedelta(minutes=5))
    assert world.case().state.value == "cancelled"
    assert summary(sent) == [("cancelled", KOMMUNE)]


def test_a_permanent_rejection_marks_the_address_undeliverable_and_coordinators_are_told(make_world: MakeWorld) -> None:
    """A 5xx for the contact address is recorded on the case, coordinators get a notice, later mail skips it."""
    world = make_world(MemorySender(permanent={CONTACT}))

    sent = without_digest(world.order())

    assert summary(sent) == [("receipt", (KOMMUNE_MA,)), ("new_case", COORDINATORS), ("notice", COORDINATORS)]
    assert CONTACT in plain_text(one(sent, "notice", COORDINATORS))
    assert world.case().undeliverable == (CONTACT,)
    assert ("undeliverable", CONTACT) in world.events()

    new_case = first_of(sent, "new_case")
    at = oslo(2027, 1, 13, 13, 40)
    world.deliver(reply(new_case, HEMIT, "avvik: Kommunikasjonsparten finnes ikke i AR ennå.", at=at))
    sent = without_digest(world.run(at))
    assert summary(sent) == [("deviation", (KOMMUNE_MA,))]


def test_a_bounce_for_the_receipt_marks_the_address_and_is_never_answered(world: World) -> None:
    """A 5.1.1 DSN marks the contact undeliverable and tells the coordinators; a 4.x delay bothers nobody."""
    receipt = first_of(world.order(), "receipt")
    at = oslo(2027, 1, 12, 9, 30)
    world.deliver(bounce(receipt, KOMMUNE_MA, at=at, status="4.2.2"))
    world.deliver(bounce(receipt, CONTACT, at=at))

    sent = world.run(at)

    assert summary(sent) == [("notice", COORDINATORS)]
    assert CONTACT in plain_text(sent[0][0])
    assert world.case().undeliverable == (CONTACT,)
    assert [k for k, _ in world.events()][-2:] == ["bounce_transient", "bounce"]
    assert world.reports[-1].outcomes["bounce"] == 2


def test_an_smtp_outage_loses_nothing_and_each_mail_goes_out_once_when_it_is_back(make_world: MakeWorld) -> None:
    """While the SMTP server is down nothing is sent or lost; afterwards every queued mail goes out exactly once."""
    world = make_world(MemorySender(down=True))

    assert world.order() == []
    assert world.reports[-1].outbox is not None and world.reports[-1].outbox.retrying >= 2

    world.sender.down = False
    sent = without_digest(world.run(ORDER_AT + timedelta(minutes=5)))
    assert summary(sent) == [("receipt", KOMMUNE), ("new_case", COORDINATORS)]
    assert world.run(ORDER_AT + timedelta(hours=2)) == []
    assert len(world.sender.sent_to(CONTACT)) == 1


def test_mail_from_a_stranger_never_gets_an_answer_but_shows_in_the_digest(world: World) -> None:
    """An «order» and a «status» from an unknown address get no mail; the next weekly digest lists them."""
    world.order()
    at = oslo(2027, 1, 13, 10, 0)
    world.deliver(mail("someone@gmail.com", "SV: [OPK-1] Malvik kommune: Bestilling mottatt", "status\n", at=at))
    world.deliver(order("someone@gmail.com", order_body(date_phrase=D_TEXT, contact="someone@gmail.com"), at=at))

    assert world.run(at) == []
    digest = [m for m, r in world.run(oslo(2027, 1, 18, 8, 0)) if kind_of(m) == "digest" and r == COORDINATORS]
    assert len(digest) == 1
    assert "someone@gmail.com" in plain_text(digest[0])


def test_a_confirmation_in_a_sentence_is_quoted_and_can_be_undone(world: World) -> None:
    """The kommune confirms AR in a sentence; the answer quotes it; «angre» reopens the step for both sides; a
    coordinator's «gjenåpne AR» on a step that is open changes nothing. The event log keeps it all."""
    receipt = first_of(world.order(), "receipt")
    at = oslo(2027, 1, 14, 9, 0)
    world.deliver(reply(receipt, CONTACT, "God morgen. Tjenesten ligger nå ute i AR.\n\nHilsen Ingrid", at=at))
    confirmed = one(world.run(at), "step_confirmed", (CONTACT,))
    assert "Vi leste: «Tjenesten ligger nå ute i AR.»" in plain_text(confirmed)
    assert world.case().step("ar_publisering").done

    at += timedelta(minutes=30)
    world.deliver(reply(confirmed, CONTACT, "Angre, det var feil tjeneste.", at=at))
    sent = world.run(at)
    assert set(summary(sent)) == {("step_reopened", COORDINATORS), ("step_reopened", (CONTACT,))}
    assert "åpnet igjen" in plain_text(one(sent, "step_reopened", (CONTACT,)))
    assert not world.case().step("ar_publisering").done
    kinds = [k for k, _ in world.events()]
    assert kinds.index("step_done") < kinds.index("step_reopened")

    new_case = first_of(world.sender.envelopes, "new_case")
    at += timedelta(minutes=30)
    world.deliver(reply(new_case, HEMIT, "gjenåpne AR", at=at))
    answer = one(world.run(at), "command_result", (HEMIT,))
    assert "ikke bekreftet" in plain_text(answer)
