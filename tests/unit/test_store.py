"""The repository on a real SQLite file and a real PostgreSQL database: refs never reused, schedule keys fire once,
times stay aware."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.cli.views import case_summary_json, summary_json
from bot.domain import Audience, CaseState, MailKind, Municipality, OrderedType
from bot.readonly import build_routine, list_cases
from bot.routine.actions import DueItem
from bot.routine.calendar import BusinessCalendar
from bot.routine.case import Case, Deviation, StepState
from bot.routine.plan import load_plan
from bot.settings import load_settings
from bot.store.migrate import head
from bot.store.models import SCHEMA_VERSION
from bot.store.repo import Store, StoreError

MALVIK = Municipality(number="5031", name="Malvik", county="Trøndelag", domain="malvik.kommune.no")
T0 = datetime(2027, 1, 11, 8, 14, tzinfo=UTC)


_opened: list[Store] = []


@pytest.fixture(autouse=True)
def _dispose_stores() -> Iterator[None]:
    """Every store a test opened is closed after it (PostgreSQL connections are not left to the collector)."""
    yield
    while _opened:
        _opened.pop().dispose()


def make_store(url: str) -> Store:
    store = Store(url, {"5031": MALVIK}.get)
    _opened.append(store)
    store.create_schema()
    return store


def make_case(ref: str) -> Case:
    case = Case(ref=ref, state=CaseState.ACTIVE, municipality=MALVIK, activation_date=date(2027, 3, 1),
                message_types=(OrderedType("PLO", "1.6"), OrderedType("DIALOGMELDING", None)),
                her_ids=(8142326,), contact_email="ingrid@malvik.kommune.no", created_at=T0,
                order_received_at=T0, deviations=(Deviation(T0, "Apprec mangler", "koordinator@hemit.no"),))
    return case.with_step(StepState("bestilling", done_at=T0, done_by="ingrid@malvik.kommune.no"))


def due(name: str, at: datetime, deadline: datetime) -> DueItem:
    return DueItem(step="ar_publisering", name=name, mail_kind=MailKind.REMINDER, audience=Audience.KOMMUNE,
                   at=at, deadline=deadline)


def test_case_round_trips(database_url: str) -> None:
    """A saved case loads back equal, with aware UTC datetimes."""
    store = make_store(database_url)
    with store.tx() as tx:
        ref = tx.reserve_ref(T0)
        tx.save_case(make_case(ref))
    with store.tx() as tx:
        loaded = tx.load_case(ref)
    assert loaded == make_case(ref)
    assert loaded is not None and loaded.step("bestilling").done_at == T0
    assert loaded.created_at.tzinfo is not None


def test_a_case_saved_again_keeps_its_order_and_gains_steps_and_deviations(database_url: str) -> None:
    """Saving a changed case updates its row in place (the order's Message-ID and sender stay unless given),
    changes the steps that changed, adds new steps and only the deviations not yet stored."""
    store = make_store(database_url)
    with store.tx() as tx:
        ref = tx.reserve_ref(T0)
        tx.save_case(make_case(ref), order_message_id="o@malvik.kommune.no", sender="ingrid@malvik.kommune.no")
    first = make_case(ref)
    later = replace(
        first.with_step(StepState("bestilling", done_at=T0 + timedelta(hours=1), done_by="kari@malvik.kommune.no"))
        .with_step(StepState("hf_bekreftelse", confirmed_parts=frozenset({"stolav", "helse-more"}))),
        state=CaseState.NEEDS_INFO, contact_email=None, activation_date=date(2027, 3, 8),
        deviations=(*first.deviations, Deviation(T0 + timedelta(hours=2), "Feil HER-id", "koordinator@hemit.no")))
    with store.tx() as tx:
        tx.save_case(later)
        assert tx.load_case(ref) == later  # read back in the same transaction
        tx.save_case(later)  # again, unchanged: nothing doubles
    with store.tx() as tx:
        assert tx.load_case(ref) == later
        row = tx.s.connection().execute(text("SELECT order_message_id, order_sender FROM cases")).one()
        assert tuple(row) == ("o@malvik.kommune.no", "ingrid@malvik.kommune.no")
        assert tx.s.connection().execute(text("SELECT count(*) FROM deviations")).scalar_one() == 2


def test_a_case_without_a_reserved_row_is_inserted(database_url: str) -> None:
    """save_case of a ref whose row does not exist writes the whole case."""
    store = make_store(database_url)
    with store.tx() as tx:
        tx.save_case(make_case("OPK-41"))
    with store.tx() as tx:
        assert tx.load_case("OPK-41") == make_case("OPK-41")


def test_refs_are_never_reused(database_url: str) -> None:
    """A rolled-back or deleted case's number is not handed out again."""
    store = make_store(database_url)
    with store.tx() as tx:
        first = tx.reserve_ref(T0)
    with pytest.raises(RuntimeError), store.tx() as tx:
        tx.reserve_ref(T0)
        raise RuntimeError("crash before commit")
    with store.engine.begin() as db:
        db.execute(text("DELETE FROM cases"))
    with store.tx() as tx:
        later = tx.reserve_ref(T0)
    assert first == "OPK-1"
    assert int(later.split("-")[1]) > 1


def test_schedule_keys_fire_once_and_survive_replacement(database_url: str) -> None:
    """A fired key stays fired when the schedule is replaced; a new deadline is a new key."""
    store = make_store(database_url)
    deadline = datetime(2027, 2, 15, 15, 0, tzinfo=UTC)
    item = due("kommune_week_before", deadline - timedelta(days=7), deadline)
    with store.tx() as tx:
        ref = tx.reserve_ref(T0)
        tx.save_case(make_case(ref))
        tx.replace_schedule(ref, [item])
    now = item.at + timedelta(minutes=1)
    with store.tx() as tx:
        assert tx.due(now) == {ref: [item]}
        tx.fire_due(ref, item, sent=True, at=now)
        tx.replace_schedule(ref, [item])
    with store.tx() as tx:
        assert tx.due(now) == {}
        moved = due("kommune_week_before", item.at + timedelta(days=7), deadline + timedelta(days=7))
        tx.replace_schedule(ref, [moved])
        assert tx.due(moved.at) == {ref: [moved]}
        assert [s for _, s in tx.schedule_of(ref)] == ["sent", "pending"]


def test_a_new_schedule_replaced_in_the_same_transaction_cancels_what_left_it(database_url: str) -> None:
    """A new case's schedule (written in one insert) replaced before commit: the dropped key is cancelled,
    the kept one stays pending and fires once."""
    store = make_store(database_url)
    deadline = datetime(2027, 2, 15, 15, 0, tzinfo=UTC)
    week, day = (due(n, deadline - timedelta(days=d), deadline) for n, d in (("week_before", 7), ("day_before", 1)))
    with store.tx() as tx:
        ref = tx.reserve_ref(T0)
        tx.save_case(make_case(ref))
        tx.replace_schedule(ref, [week, day])
        tx.replace_schedule(ref, [day])
        assert sorted((i.name, s) for i, s in tx.schedule_of(ref)) == [("day_before", "pending"),
                                                                         ("week_before", "cancelled")]
        tx.fire_due(ref, day, sent=True, at=day.at)
        tx.fire_due(ref, week, sent=True, at=day.at)
        assert sorted((i.name, s) for i, s in tx.schedule_of(ref)) == [("day_before", "sent"),
                                                                         ("week_before", "cancelled")]


def test_naive_datetimes_are_refused(database_url: str) -> None:
    """Storing a naive datetime fails loudly instead of guessing a zone."""
    store = make_store(database_url)
    with pytest.raises(Exception, match="naive"), store.tx() as tx:
        tx.add_event(None, datetime(2027, 1, 1, 8, 0), "x")


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    """SQLite runs in WAL mode, so the status page reads while the daemon writes."""
    store = make_store(f"sqlite:///{tmp_path / 'bot.sqlite'}")
    with store.tx() as tx:
        tx.add_event(None, T0, "x")
    with sqlite3.connect(tmp_path / "bot.sqlite") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_schema_version_is_recorded_and_a_newer_schema_is_refused(database_url: str) -> None:
    """The schema version is kept in `meta` and Alembic's table; a revision this bot does not know is refused."""
    store = make_store(database_url)
    with store.engine.begin() as db:
        assert db.execute(text("SELECT value FROM meta WHERE key='schema_version'")).scalar() == str(SCHEMA_VERSION)
        assert db.execute(text("SELECT version_num FROM alembic_version")).scalar() == head()
        db.execute(text("UPDATE alembic_version SET version_num='9999'"))
    store.dispose()
    with pytest.raises(StoreError, match="does not know"):
        make_store(database_url)


def test_rate_counter_counts_recipients_in_the_window(database_url: str) -> None:
    """mails_to counts one recipient's outgoing mails within the window only."""
    store = make_store(database_url)
    with store.tx() as tx:
        for i in range(3):
            tx.enqueue(ref=None, kind=MailKind.NOTICE, step=None, message_id=f"m{i}@helse-midt.no", in_reply_to=None,
                       subject="s", raw=b"x", recipients=["A@malvik.kommune.no"], at=T0 + timedelta(hours=i * 10))
    with store.tx() as tx:
        assert tx.mails_to("a@malvik.kommune.no", T0 - timedelta(hours=1)) == 3
        assert tx.mails_to("a@malvik.kommune.no", T0 + timedelta(hours=5)) == 2


def test_rate_counter_counts_a_mailbox_once_whatever_its_tag_or_case(database_url: str) -> None:
    """victim+1@ and Victim+2@ are one mailbox for the cap; victim2@ and victim@other are not."""
    store = make_store(database_url)
    with store.tx() as tx:
        for i, rcpt in enumerate(["victim@gmail.example", "victim+1@gmail.example", "Victim+2@GMAIL.example",
                                  "victim2@gmail.example", "victim+3@other.example", "victim_x@gmail.example"]):
            tx.enqueue(ref=None, kind=MailKind.NOTICE, step=None, message_id=f"m{i}@helse-midt.no", in_reply_to=None,
                       subject="s", raw=b"x", recipients=[rcpt], at=T0)
    with store.tx() as tx:
        assert tx.mails_to("victim+99@gmail.example", T0 - timedelta(hours=1)) == 3
        assert tx.mails_to("victim@other.example", T0 - timedelta(hours=1)) == 1


def test_rate_counter_counts_several_mailboxes_in_one_statement(database_url: str) -> None:
    """mails_to_each gives, in order, what mails_to gives for each mailbox (tags, case and window included)."""
    store = make_store(database_url)
    rcpts = ["victim@gmail.example", "victim+1@gmail.example", "Victim+2@GMAIL.example", "victim2@gmail.example",
             "victim+3@other.example", "victim_x@gmail.example", "a%b@gmail.example", "x@gmail.example"]
    with store.tx() as tx:
        for i, rcpt in enumerate(rcpts):
            tx.enqueue(ref=None, kind=MailKind.NOTICE, step=None, message_id=f"m{i}@helse-midt.no", in_reply_to=None,
                       subject="s", raw=b"x", recipients=[rcpt], at=T0 + timedelta(hours=i))
    asked = ["victim+99@gmail.example", "victim@other.example", "nobody@gmail.example", "a%b@gmail.example",
             "x@gmail.example", "victim@gmail.example"]
    with store.tx() as tx:
        for since in (T0 - timedelta(hours=1), T0 + timedelta(minutes=90)):
            assert tx.mails_to_each(asked, since) == [tx.mails_to(a, since) for a in asked]
        assert tx.mails_to_each(asked, T0 - timedelta(hours=1)) == [3, 1, 0, 1, 1, 3]
        assert tx.mails_to_each([], T0) == []


def test_text_with_a_nul_character_is_stored_on_both_databases(database_url: str) -> None:
    """Hostile mail can carry U+0000, which PostgreSQL refuses in text: it is stored as U+FFFD there."""
    store = make_store(database_url)
    with store.tx() as tx:
        tx.add_event(None, T0, "quarantined", "uid 7: subject a\x00b")
    with store.tx() as tx:
        [event] = tx.events_since("quarantined", T0)
    assert event.detail in ("uid 7: subject a\x00b", "uid 7: subject a\ufffdb")
    assert (event.detail == "uid 7: subject a\ufffdb") == database_url.startswith("postgresql")


def test_a_released_savepoint_is_undone_with_the_transaction_around_it(database_url: str) -> None:
    """A message's effects, kept in a savepoint, are neither visible nor durable until its outcome commits."""
    store = make_store(database_url)
    other = make_store(database_url)
    with pytest.raises(RuntimeError), store.tx() as tx:
        assert tx.load_case("OPK-1") is None  # a read first, as the inbox does before handling a message
        nested = tx.s.begin_nested()
        tx.save_case(make_case(tx.reserve_ref(T0)))
        nested.commit()
        with other.tx(read_only=True) as seen:
            assert seen.list_cases() == []  # another process sees nothing yet
        raise RuntimeError("killed before the message's outcome was recorded")
    with store.tx() as tx:
        assert tx.list_cases() == []


def test_writers_take_turns_and_readers_do_not_wait(database_url: str) -> None:
    """While one unit of work writes, a second writer waits for its turn (here: gives up), a reader goes on."""
    store = make_store(database_url)
    patience = "timeout=0.2" if database_url.startswith("sqlite") else "options=-c%20lock_timeout%3D200"
    impatient = make_store(f"{database_url}{'&' if '?' in database_url else '?'}{patience}")
    with store.tx() as tx:
        tx.save_case(make_case(tx.reserve_ref(T0)))
        with impatient.tx(read_only=True) as reader:
            assert reader.list_cases() == []
        with pytest.raises(StoreError, match="lock"), impatient.tx() as writer:
            writer.list_cases()
    with impatient.tx(read_only=True) as reader:
        assert [c.ref for c in reader.list_cases()] == ["OPK-1"]


def test_a_writer_of_the_same_process_that_waits_goes_before_the_one_that_held_the_lock_asks_again(
        database_url: str) -> None:
    """Writing units of one process queue for the database in the order they asked: the mailbox reader that
    commits because the outbox waits cannot take the lock straight back."""
    store = make_store(database_url)
    order: list[str] = []

    def outbox() -> None:
        with store.tx() as tx:
            order.append(f"outbox sees {len(tx.list_cases())}")

    with store.tx() as tx:
        tx.save_case(make_case(tx.reserve_ref(T0)))
        waiter = threading.Thread(target=outbox)
        waiter.start()
        deadline = time.monotonic() + 10
        while store.writers_waiting() == 0:
            assert time.monotonic() < deadline
            time.sleep(0.001)
        order.append("reader commits")
    with store.tx() as tx:
        order.append("reader again")
    waiter.join()
    assert order == ["reader commits", "outbox sees 1", "reader again"]
    assert store.writers_waiting() == 0


def test_the_list_of_cases_reads_the_same_summaries_as_the_whole_cases(database_url: str) -> None:
    """`cases` reads only what it lists: for cases in every state, with and without kommune, date or done steps,
    its summaries and their SPEC §6 JSON are those of the whole cases."""
    store = make_store(database_url)
    plan, cal = load_plan(), BusinessCalendar()
    base = make_case("OPK-0")
    shapes = [
        *(replace(base, state=state) for state in CaseState),
        replace(base, municipality=None, activation_date=None, steps=()),
        base.with_step(StepState("ar_publisering", done_at=T0, done_by="ingrid@malvik.kommune.no",
                                 confirmed_parts=frozenset({"hmr"}))).with_step(StepState("partneravtaler")),
        replace(base, activation_date=date(2027, 1, 4)),  # every deadline passed at `now`
    ]
    with store.tx() as tx:
        for shape in shapes:
            tx.save_case(replace(shape, ref=tx.reserve_ref(T0)))
    now = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
    with store.tx(read_only=True) as tx:
        summaries, cases = tx.list_summaries(), tx.list_cases()
    assert [c.ref for c in cases] == [f"OPK-{n}" for n in range(1, len(shapes) + 1)]
    assert summaries == [c.summary for c in cases]
    assert [summary_json(plan, cal, s, now) for s in summaries] == [case_summary_json(plan, cal, c, now)
                                                                   for c in cases]
    assert {s.state for s in summaries} == set(CaseState)
    assert any(case_summary_json(plan, cal, c, now)["next_deadline"] for c in cases)


def test_the_cases_command_reads_the_list_the_repository_reads(database_url: str) -> None:
    """`cases` reads its list on plain Core, without the ORM: the same summaries as Tx.list_summaries."""
    routine = build_routine(load_settings(database_url=database_url))
    store = Store.open(database_url, routine.municipality)
    _opened.append(store)
    with store.tx() as tx:
        for state in CaseState:
            tx.save_case(replace(make_case(tx.reserve_ref(T0)), state=state))
    with store.tx(read_only=True) as tx:
        expected = tx.list_summaries()
    assert [s.state for s in expected] == list(CaseState)
    assert list_cases(routine) == expected
