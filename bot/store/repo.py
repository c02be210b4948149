"""The repository: the only module that reads and writes SQL. One `Tx` is one transaction."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from typing import Any, cast

from sqlalchemy import Insert, Select, Table, Update, bindparam, func
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel, col, select

from bot.addresses import mailbox_key
from bot.domain import Audience, CaseState, MailKind, OrderedType, SentMail
from bot.routine.actions import DueItem
from bot.routine.case import Case, CaseSummary, Deviation, StepState
from bot.store.case_list import MunicipalityLookup as MunicipalityLookup
from bot.store.case_list import read_summaries
from bot.store.case_list import ref_of as ref_of
from bot.store.db import StoreError as StoreError
from bot.store.db import busy_timeout_s, check_schema, engine_for, insert_ignoring_duplicates, reader_of, safe_url
from bot.store.models import (
    CaseRow,
    DeliveryRow,
    DeviationRow,
    DueRow,
    EventRow,
    FolderState,
    Inbound,
    InboundRow,
    InProgressRow,
    OutboxRow,
    RawMessage,
    StepRow,
)
from bot.store.turns import Turns


def id_of(ref: str) -> int:
    prefix, _, number = ref.upper().partition("-")
    if prefix != "OPK" or not number.isdigit():
        raise ValueError(f"not a case reference: {ref!r}")
    return int(number)


@dataclass(frozen=True)
class EventView:
    at: datetime
    kind: str
    detail: str


@dataclass(frozen=True)
class PendingMail:
    id: int
    message_id: str
    raw: bytes
    recipients: tuple[str, ...]
    attempts: int
    case_ref: str | None
    kind: str


@dataclass(frozen=True)
class InboundView:
    id: int
    received_at: datetime
    sender: str | None
    subject: str
    outcome: str
    error: str | None
    sha256: str | None
    case_ref: str | None


def _types_to_json(types: Sequence[OrderedType]) -> str:
    return json.dumps([{"type": t.code, "version": t.version} for t in types], ensure_ascii=False)


_NO_PARTS: frozenset[str] = frozenset()


def _parts(text: str) -> frozenset[str]:
    return frozenset(p for p in text.split(",") if p) if text else _NO_PARTS


def _step_name(st: StepState) -> str:
    return st.step


def _json_tuple(text: str) -> tuple[Any, ...]:
    return () if text == "[]" else tuple(json.loads(text))


def _types_from_json(text: str) -> tuple[OrderedType, ...]:
    if text == "[]":
        return ()
    return tuple(OrderedType(code=d["type"], version=d["version"]) for d in json.loads(text))


# pg_advisory_xact_lock key taken by every writing unit on PostgreSQL (the migrations use their own key).
WRITERS_LOCK = 0x0DB0_0001
# How long a writing unit waits for another of this process on PostgreSQL (SQLite: its busy timeout).
PG_TURN_TIMEOUT_S = 60.0


class Store:
    """Owns the engine; `tx()` opens a unit of work."""

    def __init__(self, url: str, municipality: MunicipalityLookup) -> None:
        self.engine: Engine = engine_for(url)
        self.url = url
        self._municipality = municipality
        self._reader = reader_of(self.engine)
        self._serialize_writers = self.engine.dialect.name == "postgresql"
        # This process's writing units queue here before they ask the database (bot.store.turns).
        self.turns = Turns(PG_TURN_TIMEOUT_S if self._serialize_writers else busy_timeout_s(url))
        # Set by a leading daemon (bot.store.leader): each commit, and each mail just before it is sent, first
        # checks that this process still leads; NotLeader (a StoreError) otherwise, and nothing is written.
        self.fence: Callable[[Session], None] | None = None
        self.send_fence: Callable[[], None] | None = None

    @classmethod
    def open(cls, url: str, municipality: MunicipalityLookup) -> Store:
        """A store on a database at this bot's schema (an empty one is created); StoreError otherwise, with
        nothing left connected."""
        store = cls(url, municipality)
        try:
            store.create_schema()
        except BaseException:
            store.dispose()
            raise
        return store

    def create_schema(self) -> None:
        """Bring an empty database to the current schema through the migrations; refuse an older or a newer
        one with the command that fixes it (bot.store.migrate)."""
        check_schema(self.engine)

    @property
    def safe_url(self) -> str:
        return safe_url(self.engine)

    @contextmanager
    def tx(self, *, read_only: bool = False) -> Iterator[Tx]:
        """One transaction, committed when the block ends. Writing units take turns, so what one read is still
        true when it writes (a case loaded by the ticker is not saved over a reply's confirmation): SQLite's
        write lock at the start (BEGIN IMMEDIATE, waiting up to the busy timeout), on PostgreSQL a
        transaction-scoped advisory lock. `read_only=True` reads a snapshot and never waits for a writer."""
        try:
            with nullcontext() if read_only else self.turns.turn(), \
                    Session(self._reader if read_only else self.engine, expire_on_commit=False) as session:
                if not read_only and self._serialize_writers:
                    session.connection().exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITERS_LOCK})")
                yield Tx(session, self._municipality)
                if self.fence is not None and not read_only:
                    self.fence(session)
                session.commit()
        except OperationalError as exc:
            raise StoreError(f"database error on {self.safe_url}: {exc.orig}") from exc
        except TimeoutError as exc:
            raise StoreError(f"database busy on {self.safe_url}: {exc}") from exc

    @property
    def errors_end_the_transaction(self) -> bool:
        """PostgreSQL aborts a transaction at its first failed statement (a SAVEPOINT keeps it usable); SQLite
        does not."""
        return self._serialize_writers

    def writers_waiting(self) -> int:
        """Writing units of this process waiting for the one in progress (a long unit commits early for them)."""
        return self.turns.waiting()

    def dispose(self) -> None:
        self.engine.dispose()


class Tx:
    """One transaction: everything done through one Tx commits together or not at all."""

    def __init__(self, session: Session, municipality: MunicipalityLookup) -> None:
        self.s = session
        self._municipality = municipality

    # --- cases -----------------------------------------------------------------------------

    def reserve_ref(self, at: datetime) -> str:
        row = CaseRow(state=CaseState.NEEDS_INFO, created_at=at, order_received_at=at)
        self.s.add(row)
        self.s.flush()
        assert row.id is not None
        return ref_of(row.id)

    def save_case(self, case: Case, *, order_message_id: str | None = None, sender: str | None = None) -> None:
        """The case row, its steps and its new deviations, in Core statements (no ORM objects: the store
        reads cases through Core only, so no object in the session can go stale; the row `reserve_ref`
        added is flushed first and then updated in place)."""
        cid = id_of(case.ref)
        values: dict[str, Any] = {
            "state": case.state,
            "municipality_number": case.municipality.number if case.municipality else None,
            "activation_date": case.activation_date,
            "message_types_json": _types_to_json(case.message_types),
            "outdated_json": _types_to_json(case.outdated_versions),
            "her_ids_json": json.dumps(list(case.her_ids)),
            "contact_email": case.contact_email,
            "created_at": case.created_at,
            "order_received_at": case.order_received_at,
            "service_deactivated": case.service_deactivated_until_d,
            "proposed_date": case.proposed_date,
            "undeliverable_json": json.dumps(list(case.undeliverable)),
        }
        if order_message_id is not None:
            values["order_message_id"] = order_message_id
        if sender is not None:
            values["order_sender"] = sender
        self.s.flush()  # Core past the session: what this transaction queued (the reserved row) goes first
        conn = self.s.connection()
        q = _statements()
        if conn.execute(q.update_case, {"b_id": cid, **values}).rowcount == 0:
            conn.execute(q.insert_case, [{"id": cid, "order_message_id": None, "order_sender": None, **values}])
        existing = {r.step: r for r in conn.execute(q.steps_of, {"b_case": cid})}
        new_steps: list[dict[str, Any]] = []
        for st in case.steps:
            step_values = {"done_at": st.done_at, "done_by": st.done_by,
                           "confirmed_parts": ",".join(sorted(st.confirmed_parts))}
            old = existing.get(st.step)
            if old is None:
                new_steps.append({"case_id": cid, "step": st.step, **step_values})
            elif (old.done_at, old.done_by, old.confirmed_parts) != tuple(step_values.values()):
                conn.execute(q.update_step, {"b_case": cid, "b_step": st.step, **step_values})
        if new_steps:
            conn.execute(q.insert_step, new_steps)
        known = conn.execute(q.deviation_count, {"b_case": cid}).scalar_one()
        if case.deviations[known:]:
            conn.execute(q.insert_deviation, [{"case_id": cid, "at": dev.at, "text": dev.text, "by": dev.by}
                                              for dev in case.deviations[known:]])

    def load_case(self, ref: str) -> Case | None:
        """The case with its steps and deviations: three Core reads of plain rows (no ORM objects: every
        inbound message that names a case, or looks like it does, asks for one)."""
        try:
            cid = id_of(ref)
        except ValueError:
            return None
        self.s.flush()  # Core reads past the session: what this transaction changed must be written first
        conn = self.s.connection()
        cases, steps, devs = _table(CaseRow), _table(StepRow), _table(DeviationRow)
        row = conn.execute(sa_select(cases).where(cases.c.id == cid)).first()
        if row is None:
            return None
        step_rows = conn.execute(sa_select(steps).where(steps.c.case_id == cid)).all()
        dev_rows = conn.execute(sa_select(devs).where(devs.c.case_id == cid).order_by(devs.c.id)).all()
        return self._case_from_row(cast(CaseRow, row), cast(list[StepRow], step_rows),
                                   cast(list[DeviationRow], dev_rows))

    def _case_from_row(self, row: CaseRow, steps: list[StepRow] | None = None,
                       devs: list[DeviationRow] | None = None) -> Case:
        assert row.id is not None
        if steps is None:
            steps = list(self.s.exec(select(StepRow).where(StepRow.case_id == row.id)))
        if devs is None:
            devs = list(self.s.exec(select(DeviationRow).where(DeviationRow.case_id == row.id)
                                    .order_by(col(DeviationRow.id))))
        muni = self._municipality(row.municipality_number) if row.municipality_number else None
        return Case(
            ref=ref_of(row.id),
            state=CaseState(row.state),
            municipality=muni,
            activation_date=row.activation_date,
            message_types=_types_from_json(row.message_types_json),
            her_ids=_json_tuple(row.her_ids_json),
            contact_email=row.contact_email,
            created_at=row.created_at,
            order_received_at=row.order_received_at,
            deviations=tuple(Deviation(at=d.at, text=d.text, by=d.by) for d in devs),
            undeliverable=_json_tuple(row.undeliverable_json),
            service_deactivated_until_d=row.service_deactivated,
            outdated_versions=_types_from_json(row.outdated_json),
            proposed_date=row.proposed_date,
            steps=tuple(sorted(
                (StepState(r.step, r.done_at, r.done_by, _parts(r.confirmed_parts)) for r in steps),
                key=_step_name)),
        )

    def list_cases(self, states: Sequence[CaseState] | None = None) -> list[Case]:
        """All cases (optionally in some states), loaded with three queries whatever their number.

        Reads plain rows rather than ORM objects: with 10,000 cases, building ~25,000 tracked objects
        was most of the time of `cases --json`. The rows have the same attribute names.
        """
        q = sa_select(CaseRow.__table__).order_by(CaseRow.__table__.c.id)  # type: ignore[attr-defined]
        if states:
            q = q.where(CaseRow.__table__.c.state.in_([str(s) for s in states]))  # type: ignore[attr-defined]
        rows = self.s.connection().execute(q).all()
        steps: dict[int, list[StepRow]] = {}
        for sr in self.s.connection().execute(sa_select(StepRow.__table__)).all():  # type: ignore[attr-defined]
            steps.setdefault(sr.case_id, []).append(cast(StepRow, sr))
        devs: dict[int, list[DeviationRow]] = {}
        dq = sa_select(DeviationRow.__table__).order_by(DeviationRow.__table__.c.id)  # type: ignore[attr-defined]
        for dr in self.s.connection().execute(dq).all():
            devs.setdefault(dr.case_id, []).append(cast(DeviationRow, dr))
        return [self._case_from_row(cast(CaseRow, r), steps.get(r.id, []), devs.get(r.id, [])) for r in rows]

    def list_summaries(self) -> list[CaseSummary]:
        """What `cases` lists of every case, oldest first: two queries of the few columns it shows (the whole
        cases, as list_cases loads them, took most of the time of `cases --json` with 10,000 cases)."""
        self.s.flush()  # Core reads past the session: what this transaction changed must be written first
        return read_summaries(self.s.connection(), self._municipality)

    def add_event(self, ref: str | None, at: datetime, kind: str, detail: str = "") -> None:
        """One event row, written at once (a Core insert: an ORM object would cost a unit of work each)."""
        self.s.flush()  # the case row it names goes first
        self.s.connection().execute(_statements().insert_event, {
            "case_id": id_of(ref) if ref else None, "at": at, "kind": kind, "detail": detail})

    def has_event_since(self, kind: str, detail: str, since: datetime) -> bool:
        q = select(EventRow.id).where(EventRow.kind == kind, EventRow.detail == detail,
                                      col(EventRow.at) >= since).limit(1)
        return self.s.exec(q).first() is not None

    def events_since(self, kind: str, since: datetime, limit: int = 10_000) -> list[EventView]:
        """Events of one kind at or after `since`, oldest first (at most `limit`)."""
        q = select(EventRow).where(EventRow.kind == kind, col(EventRow.at) >= since)
        return [EventView(at=e.at, kind=e.kind, detail=e.detail)
                for e in self.s.exec(q.order_by(col(EventRow.id)).limit(limit))]

    def latest_event(self, ref: str, kinds: Sequence[str]) -> EventView | None:
        """The case's most recent event of one of `kinds`."""
        q = (select(EventRow).where(EventRow.case_id == id_of(ref), col(EventRow.kind).in_(list(kinds)))
             .order_by(col(EventRow.id).desc()).limit(1))
        row = self.s.exec(q).first()
        return None if row is None else EventView(at=row.at, kind=row.kind, detail=row.detail)

    def events(self, ref: str) -> list[EventView]:
        q = select(EventRow).where(EventRow.case_id == id_of(ref)).order_by(col(EventRow.id))
        return [EventView(at=e.at, kind=e.kind, detail=e.detail) for e in self.s.exec(q)]

    # --- the schedule ----------------------------------------------------------------------

    def replace_schedule(self, ref: str, items: Sequence[DueItem]) -> None:
        """Pending rows not in `items` are cancelled; new keys are added; fired keys stay fired."""
        cid = id_of(ref)
        self.s.flush()
        if self.s.connection().execute(_statements().has_schedule, {"b_case": cid}).first() is None:
            rows: dict[tuple[str, str, datetime], DueRow] = {}  # a new case: its rows in one Core insert below
        else:  # rows to cancel or bring back: through the ORM, as `due` and `fire_due` read them
            rows = {(r.step, r.name, r.deadline): r for r in self.s.exec(select(DueRow).where(DueRow.case_id == cid))}
        wanted = {(i.step, i.name, i.deadline): i for i in items}
        for key, row in rows.items():
            if row.status == "pending" and key not in wanted:
                row.status = "cancelled"
                self.s.add(row)
        new: list[dict[str, Any]] = []
        for key, item in wanted.items():
            existing = rows.get(key)
            if existing is None:
                new.append({"case_id": cid, "step": item.step, "name": item.name, "mail_kind": str(item.mail_kind),
                            "audience": str(item.audience), "at": item.at, "deadline": item.deadline,
                            "status": "pending", "fired_at": None})
            elif existing.status == "cancelled":
                existing.status, existing.at = "pending", item.at
                self.s.add(existing)
        if new:  # a new case's dozen rows in one Core statement (the select above has flushed the case)
            self.s.connection().execute(_table(DueRow).insert(), new)

    def due(self, now: datetime, limit: int = 5000) -> dict[str, list[DueItem]]:
        q = (select(DueRow).where(DueRow.status == "pending", col(DueRow.at) <= now)
             .order_by(col(DueRow.case_id), col(DueRow.at)).limit(limit))
        out: dict[str, list[DueItem]] = {}
        for r in self.s.exec(q):
            out.setdefault(ref_of(r.case_id), []).append(_due_item(r))
        return out

    def schedule_of(self, ref: str) -> list[tuple[DueItem, str]]:
        q = select(DueRow).where(DueRow.case_id == id_of(ref)).order_by(col(DueRow.at), col(DueRow.id))
        return [(_due_item(r), r.status) for r in self.s.exec(q)]

    def fire_due(self, ref: str, item: DueItem, *, sent: bool, at: datetime) -> None:
        q = select(DueRow).where(DueRow.case_id == id_of(ref), DueRow.step == item.step,
                                 DueRow.name == item.name, DueRow.deadline == item.deadline)
        row = self.s.exec(q).first()
        if row is not None and row.status == "pending":
            row.status = "sent" if sent else "skipped"
            row.fired_at = at
            self.s.add(row)

    # --- inbound ---------------------------------------------------------------------------

    def folder_state(self, account: str, folder: str) -> FolderState | None:
        return self.s.get(FolderState, (account, folder))

    def set_folder_state(self, account: str, folder: str, uidvalidity: int, last_uid: int) -> None:
        row = self.s.get(FolderState, (account, folder)) or FolderState(
            account=account, folder=folder, uidvalidity=uidvalidity)
        row.uidvalidity, row.last_uid = uidvalidity, max(last_uid, 0)
        self.s.add(row)

    def inbound_seen(self, account: str, folder: str, uidvalidity: int, uid: int) -> bool:
        q = select(InboundRow.id).where(InboundRow.account == account, InboundRow.folder == folder,
                                        InboundRow.uidvalidity == uidvalidity, InboundRow.uid == uid)
        return self.s.exec(q).first() is not None

    def duplicate_of(self, message_id: str | None, sha256: str, exclude_id: int | None = None) -> int | None:
        """An earlier inbound row for the same message (same Message-ID, or same bytes).

        One statement built once with bound parameters (asked for every inbound message); a missing
        Message-ID compares with NULL, which matches nothing, and ids start at 1."""
        found = self.s.connection().execute(_duplicate_query(), {
            "sha256": sha256, "message_id": message_id or None, "exclude_id": exclude_id or 0}).first()
        return None if found is None else int(found[0])

    def start_processing(self, account: str, folder: str, uidvalidity: int, uid: int, *, sha256: str | None,
                         at: datetime) -> int:
        """Mark a message as in progress (commit before processing it); returns how often it was started."""
        row = self.s.get(InProgressRow, (account, folder, uidvalidity, uid)) or InProgressRow(
            account=account, folder=folder, uidvalidity=uidvalidity, uid=uid, first_started_at=at, sha256=sha256)
        row.starts += 1
        self.s.add(row)
        return row.starts

    def finish_processing(self, account: str, folder: str, uidvalidity: int, uid: int) -> None:
        row = self.s.get(InProgressRow, (account, folder, uidvalidity, uid))
        if row is not None:
            self.s.delete(row)

    # --- a fetched batch: one transaction, Core statements, one query per question ---------

    def inbound_seen_uids(self, account: str, folder: str, uidvalidity: int, uids: Sequence[int]) -> set[int]:
        """Which of `uids` already have an inbound row (the batch's seen check, one query)."""
        t = _table(InboundRow)
        q = sa_select(t.c.uid).where(t.c.account == account, t.c.folder == folder, t.c.uidvalidity == uidvalidity,
                                     t.c.uid.in_(list(uids)))
        return {int(uid) for (uid,) in self.s.connection().execute(q)}

    def in_progress_uids(self, account: str, folder: str, uidvalidity: int, uids: Sequence[int]) -> set[int]:
        """Which of `uids` were started before and never finished (the bot died while processing them)."""
        t = _table(InProgressRow)
        q = sa_select(t.c.uid).where(t.c.account == account, t.c.folder == folder, t.c.uidvalidity == uidvalidity,
                                     t.c.uid.in_(list(uids)))
        return {int(uid) for (uid,) in self.s.connection().execute(q)}

    def store_raws(self, raws: dict[str, bytes]) -> None:
        """Every message's bytes by hash, kept once (insert or ignore)."""
        insert_ignore(self.s.connection(), _table(RawMessage), [{"sha256": k, "raw": v} for k, v in raws.items()])

    def start_batch(self, account: str, folder: str, uidvalidity: int, hashes: dict[int, str], at: datetime) -> None:
        """Mark a whole batch in progress, committed before any of it is parsed. A batch's start counts for none
        of its messages (starts=0): after a crash nobody knows which one was in hand, so they are then read one
        at a time, and only those starts count towards quarantine (MAX_STARTS in bot.inbound.inbox)."""
        insert_ignore(self.s.connection(), _table(InProgressRow), [
            {"account": account, "folder": folder, "uidvalidity": uidvalidity, "uid": uid, "starts": 0,
             "first_started_at": at, "sha256": sha} for uid, sha in hashes.items()])

    def finish_batch(self, account: str, folder: str, uidvalidity: int, uids: Sequence[int]) -> None:
        t = _table(InProgressRow)
        self.s.connection().execute(t.delete().where(
            t.c.account == account, t.c.folder == folder, t.c.uidvalidity == uidvalidity, t.c.uid.in_(list(uids))))

    def insert_inbound(self, row: Inbound) -> None:
        """The message's outcome row, as one Core INSERT (no ORM object tracked)."""
        values = {name: getattr(row, name) for name in _INBOUND_COLUMNS}
        self.s.connection().execute(_table(InboundRow).insert(), [values])

    def store_raw(self, sha256: str, raw: bytes) -> None:
        if self.s.get(RawMessage, sha256) is None:
            self.s.add(RawMessage(sha256=sha256, raw=raw))

    def raw(self, sha256: str) -> bytes | None:
        row = self.s.get(RawMessage, sha256)
        return None if row is None else row.raw

    def inbound(self, outcomes: Sequence[str] | None = None, since: datetime | None = None,
                limit: int = 200) -> list[InboundView]:
        q = select(InboundRow).order_by(col(InboundRow.id).desc()).limit(limit)
        if outcomes:
            q = q.where(col(InboundRow.outcome).in_(list(outcomes)))
        if since is not None:
            q = q.where(col(InboundRow.received_at) >= since)
        return [InboundView(id=r.id or 0, received_at=r.received_at, sender=r.sender, subject=r.subject,
                            outcome=r.outcome, error=r.error, sha256=r.sha256,
                            case_ref=ref_of(r.case_id) if r.case_id else None) for r in self.s.exec(q)]

    def inbound_row(self, inbound_id: int) -> InboundRow | None:
        return self.s.get(InboundRow, inbound_id)

    def update_inbound(self, row: Inbound) -> None:
        """Write a row read back with `Inbound.of` (a replay) again."""
        orm = self.s.get(InboundRow, row.id)
        assert orm is not None
        for name in _INBOUND_COLUMNS:
            setattr(orm, name, getattr(row, name))

    # --- outbox ----------------------------------------------------------------------------

    def enqueue(self, *, ref: str | None, kind: MailKind, step: str | None, message_id: str,
                in_reply_to: str | None, subject: str, raw: bytes, recipients: Sequence[str],
                at: datetime) -> None:
        self.s.flush()  # the case row the mail names is written before the mail
        conn = self.s.connection()
        q = _statements()
        result = conn.execute(q.insert_outbox, [{
            "case_id": id_of(ref) if ref else None, "kind": str(kind), "step": step, "message_id": message_id,
            "in_reply_to": in_reply_to, "subject": subject, "raw": raw, "created_at": at, "next_attempt_at": at,
            "status": "pending", "attempts": 0, "last_error": None, "sent_at": None}])
        outbox_id = result.inserted_primary_key[0] if result.inserted_primary_key else None
        assert outbox_id is not None
        if recipients:
            conn.execute(q.insert_delivery, [
                {"outbox_id": outbox_id, "recipient": rcpt.lower(), "created_at": at, "status": "pending",
                 "error": None} for rcpt in recipients])

    def mails_to(self, recipient: str, since: datetime) -> int:
        """Mails to the mailbox of `recipient` since `since`, counting every `+tag` of it (bot.addresses)."""
        return self.mails_to_each([recipient], since)[0]

    def mails_to_each(self, recipients: Sequence[str], since: datetime) -> list[int]:
        """`mails_to` for each of `recipients`, in one statement (a count per mailbox, in that order)."""
        if not recipients:
            return []
        params: dict[str, Any] = {"since": since}
        for i, recipient in enumerate(recipients):
            key = mailbox_key(recipient)
            local, _, domain = key.rpartition("@")
            # Two index ranges on (recipient, created_at): the address itself, and "local+…" ("," follows "+").
            params.update({f"key{i}": key, f"lo{i}": local + "+", f"hi{i}": local + ",",
                           f"dom{i}": "%@" + _like_escape(domain)})
        self.s.flush()  # mails queued earlier in this transaction count too
        row = self.s.connection().execute(_mails_to_query(len(recipients)), params).one()
        return [int(n) for n in row]

    def pending_mail(self, now: datetime, limit: int = 500) -> list[PendingMail]:
        """Mails due to be sent, oldest first, with their recipients still pending: two Core reads."""
        o, d = _table(OutboxRow), _table(DeliveryRow)
        conn = self.s.connection()
        rows = conn.execute(sa_select(o.c.id, o.c.message_id, o.c.raw, o.c.attempts, o.c.case_id, o.c.kind)
                            .where(o.c.status == "pending", o.c.next_attempt_at <= now)
                            .order_by(o.c.id).limit(limit)).all()
        rcpts: dict[int, list[str]] = {}
        if rows:
            q = (sa_select(d.c.outbox_id, d.c.recipient)
                 .where(d.c.outbox_id.in_([r.id for r in rows]), d.c.status == "pending").order_by(d.c.id))
            for outbox_id, recipient in conn.execute(q):
                rcpts.setdefault(outbox_id, []).append(recipient)
        return [PendingMail(id=r.id, message_id=r.message_id, raw=r.raw, recipients=tuple(rcpts.get(r.id, ())),
                            attempts=r.attempts, case_ref=ref_of(r.case_id) if r.case_id else None, kind=r.kind)
                for r in rows]

    def mark_delivery(self, outbox_id: int, recipient: str, *, accepted: bool, error: str | None = None) -> None:
        self.s.connection().execute(_mark_delivery_query(), {
            "outbox": outbox_id, "rcpt": recipient.lower(), "status": "accepted" if accepted else "rejected",
            "error": error})

    def finish_mail(self, outbox_id: int, *, at: datetime, sent: bool, error: str | None = None,
                    retry_at: datetime | None = None) -> None:
        o = _table(OutboxRow)
        values: dict[str, Any] = {"attempts": o.c.attempts + 1, "last_error": error}
        if sent:
            values.update(status="sent", sent_at=at)
        elif retry_at is not None:
            values["next_attempt_at"] = retry_at
        else:
            values["status"] = "failed"
        self.s.connection().execute(o.update().where(o.c.id == outbox_id).values(**values))

    def sent_mails(self, message_ids: Sequence[str]) -> list[SentMail]:
        """Our own outgoing mails among `message_ids`, in that order, with their recipients (reply key, bounces)."""
        wanted = list(dict.fromkeys(message_ids))[:100]
        if not wanted:
            return []
        rows = {r.message_id: r for r in self.s.exec(select(OutboxRow).where(col(OutboxRow.message_id).in_(wanted)))}
        out = []
        for mid in wanted:
            row = rows.get(mid)
            if row is None:
                continue
            rcpts = self.s.exec(select(DeliveryRow.recipient).where(DeliveryRow.outbox_id == row.id)).all()
            out.append(SentMail(message_id=row.message_id, case_ref=ref_of(row.case_id) if row.case_id else None,
                                kind=MailKind(row.kind), step=row.step or None,
                                recipients=tuple(rcpts)))
        return out


_INBOUND_COLUMNS = tuple(c.name for c in InboundRow.__table__.columns if c.name != "id")  # type: ignore[attr-defined]


@cache
def _duplicate_query() -> Select[Any]:
    t = _table(InboundRow)
    return (sa_select(t.c.id)
            .where((t.c.sha256 == bindparam("sha256")) | (t.c.message_id == bindparam("message_id")),
                   t.c.outcome != "duplicate", t.c.id != bindparam("exclude_id"))
            .limit(1))


@dataclass(frozen=True)
class _Statements:
    update_case: Update
    insert_case: Insert
    steps_of: Select[Any]
    update_step: Update
    insert_step: Insert
    deviation_count: Select[Any]
    insert_deviation: Insert
    has_schedule: Select[Any]
    insert_event: Insert
    insert_outbox: Insert
    insert_delivery: Insert


@cache
def _statements() -> _Statements:
    """The writing statements of cases, events and the outbox, built once (the SET columns of an update
    are the parameters it is given)."""
    cases, steps, devs, due = _table(CaseRow), _table(StepRow), _table(DeviationRow), _table(DueRow)
    return _Statements(
        update_case=cases.update().where(cases.c.id == bindparam("b_id")),
        insert_case=cases.insert(),
        steps_of=sa_select(steps.c.step, steps.c.done_at, steps.c.done_by, steps.c.confirmed_parts)
        .where(steps.c.case_id == bindparam("b_case")),
        update_step=steps.update().where(steps.c.case_id == bindparam("b_case"), steps.c.step == bindparam("b_step")),
        insert_step=steps.insert(),
        deviation_count=sa_select(func.count()).select_from(devs).where(devs.c.case_id == bindparam("b_case")),
        insert_deviation=devs.insert(),
        has_schedule=sa_select(due.c.id).where(due.c.case_id == bindparam("b_case")).limit(1),
        insert_event=_table(EventRow).insert(),
        insert_outbox=_table(OutboxRow).insert(),
        insert_delivery=_table(DeliveryRow).insert(),
    )


@lru_cache(maxsize=16)
def _mails_to_query(n: int) -> Select[Any]:
    """One row of `n` counts: the deliveries to mailbox i (itself or any `+tag`) since `since`."""
    t = _table(DeliveryRow)
    counts = []
    for i in range(n):
        tagged = ((t.c.recipient > bindparam(f"lo{i}")) & (t.c.recipient < bindparam(f"hi{i}"))
                  & t.c.recipient.like(bindparam(f"dom{i}"), escape="\\"))
        counts.append(sa_select(func.count()).select_from(t)
                      .where((t.c.recipient == bindparam(f"key{i}")) | tagged, t.c.created_at >= bindparam("since"))
                      .scalar_subquery().label(f"n{i}"))
    return sa_select(*counts)


@cache
def _mark_delivery_query() -> Update:
    d = _table(DeliveryRow)
    return (d.update().where(d.c.outbox_id == bindparam("outbox"), d.c.recipient == bindparam("rcpt"))
            .values(status=bindparam("status"), error=bindparam("error")))


def _table(model: type[SQLModel]) -> Table:
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


def insert_ignore(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT … ON CONFLICT DO NOTHING of many rows, in the connection's dialect (bot.store.db)."""
    if rows:
        conn.execute(insert_ignoring_duplicates(conn.dialect.name, table), list(rows))


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _due_item(r: DueRow) -> DueItem:
    return DueItem(step=r.step, name=r.name, mail_kind=MailKind(r.mail_kind),
                   audience=Audience(r.audience), at=r.at, deadline=r.deadline)
