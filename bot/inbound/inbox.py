"""The inbox: every fetched message to exactly one recorded outcome, in one transaction with its effects."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.casework import Casework
from bot.clock import Clock
from bot.domain import CaseState, MailKind, MessageOutcome
from bot.inbound.events import Intent, intent_for
from bot.intake.budget import Deadline
from bot.intake.classify import case_ref_from_subject
from bot.intake.message import InboundMessage, parse_message
from bot.intake.understand import IntakeRules, Known, Mailroom, Understood, mentioned_ids, read_message, understand
from bot.mail.mailbox import FetchedMessage
from bot.outbound.mail_request import MailRequest
from bot.register_checks import RegisterLookups
from bot.routine.actions import OrderReceived
from bot.routine.calendar import BusinessCalendar
from bot.routine.contacts import CONTACT_APPROVED, CONTACT_PENDING
from bot.store.models import Inbound
from bot.store.repo import Store, Tx, id_of

log = logging.getLogger("bot.inbox")
QUARANTINE_NOTICE_INTERVAL = timedelta(hours=1)
# A message found still in progress (the bot died on it) is tried once more, then quarantined.
MAX_STARTS = 2
# How long one batch transaction may run before it is committed and the batch goes on in the next one.
BATCH_HOLD_S = 1.0


@dataclass(frozen=True)
class Processed:
    uid: int
    outcome: str
    case_ref: str | None
    error: str | None = None


@dataclass(frozen=True, kw_only=True)
class Inbox:
    """Reads each message once: intake understands it, the engine decides, everything commits together."""

    store: Store
    clock: Clock
    intake: IntakeRules
    mailroom: Mailroom
    casework: Casework
    calendar: BusinessCalendar
    max_message_bytes: int
    register: RegisterLookups | None = None  # BOT_AR=rest: HER-ids looked up for orders and AR confirmations
    batch_hold_s: float = BATCH_HOLD_S

    def last_uid(self, account: str, folder: str, uidvalidity: int) -> int:
        """The highest UID recorded for the folder, or 0 when UIDVALIDITY changed (a rescan)."""
        with self.store.tx() as tx:
            state = tx.folder_state(account, folder)
        if state is not None and state.uidvalidity != uidvalidity:
            log.warning("UIDVALIDITY of %s changed (%s → %s): rescanning, duplicates are recognised",
                        folder, state.uidvalidity, uidvalidity)
        return state.last_uid if state is not None and state.uidvalidity == uidvalidity else 0

    def process_fetched(self, fetched: FetchedMessage, account: str, *,
                        headers: bytes | None = None) -> Processed | None:
        """Record one fetched message and everything it causes; None when it was recorded before.

        `headers` is the header block of a message too large to download: it names the message in the
        quarantine notice and lets a second copy (or a rescan after a UIDVALIDITY change) count as a duplicate.
        """
        now = self.clock.now()
        starts = 0
        if fetched.raw is not None:
            marked = self._mark_in_progress(fetched, account, now)
            if marked is None:
                return None
            starts = marked
        with self.store.tx() as tx:
            if tx.inbound_seen(account, fetched.folder, fetched.uidvalidity, fetched.uid):
                return None
            row = Inbound(account=account, folder=fetched.folder, uidvalidity=fetched.uidvalidity,
                             uid=fetched.uid, size_bytes=fetched.size_bytes, received_at=now)
            if fetched.raw is None:
                if headers:
                    head = parse_message(headers)
                    row.message_id, row.sender, row.subject = head.message_id, head.from_addr, head.subject[:500]
                if row.message_id and tx.duplicate_of(row.message_id, "") is not None:
                    row.outcome = MessageOutcome.DUPLICATE
                else:
                    row.outcome = MessageOutcome.QUARANTINED
                    row.error = (f"message of {fetched.size_bytes} bytes exceeds BOT_MAX_MESSAGE_BYTES="
                                 f"{self.max_message_bytes}; not downloaded")
                    self._quarantine_notice(tx, row, now)
            elif starts > MAX_STARTS:
                row.sha256 = hashlib.sha256(fetched.raw).hexdigest()
                row.outcome = MessageOutcome.QUARANTINED
                row.error = (f"processing was interrupted {starts - 1} times (the bot crashed or was killed while "
                             f"handling this message); not tried again")
                self._quarantine_notice(tx, row, now)
            else:
                raw = fetched.raw
                row.sha256 = hashlib.sha256(raw).hexdigest()
                tx.store_raw(row.sha256, raw)
                self._handle_guarded(tx, fetched, row, now)
            tx.finish_processing(account, fetched.folder, fetched.uidvalidity, fetched.uid)
            tx.insert_inbound(row)
            tx.set_folder_state(account, fetched.folder, fetched.uidvalidity,
                                _max_uid(tx, account, fetched.uid, fetched.folder, fetched.uidvalidity))
        return self._processed(row)

    def process_batch(self, batch: Sequence[FetchedMessage], account: str, *,
                      headers_of: Callable[[FetchedMessage], bytes | None] = lambda _f: None,
                      stop: threading.Event | None = None) -> list[Processed]:
        """Record a fetched batch: few transactions for all of it, a SAVEPOINT per message.

        First the batch is marked in progress and its bytes stored (one commit), then every message is
        understood and acted on in a transaction that also records its outcome, queues its mails and moves
        the folder's last UID, committed every `batch_hold_s`: a crash loses the uncommitted part, done again.
        A batch found marked from an earlier, unfinished pass goes message by message (`process_fetched`), so a
        message that kills the bot is quarantined after two starts of its own without taking its batch along.
        """
        if not batch:
            return []
        folder, uidvalidity = batch[0].folder, batch[0].uidvalidity
        if any(f.raw is None or f.folder != folder or f.uidvalidity != uidvalidity for f in batch):
            return self._one_by_one(batch, account, headers_of, stop)
        now = self.clock.now()
        uids = [f.uid for f in batch]
        with self.store.tx() as tx:
            crashed = bool(tx.in_progress_uids(account, folder, uidvalidity, uids))
            if not crashed:
                seen = tx.inbound_seen_uids(account, folder, uidvalidity, uids)
                todo = [f for f in batch if f.uid not in seen]
                hashes = {f.uid: hashlib.sha256(f.raw).hexdigest() for f in todo if f.raw is not None}
                tx.store_raws({hashes[f.uid]: f.raw for f in todo if f.raw is not None})
                tx.start_batch(account, folder, uidvalidity, hashes, now)
        if crashed:
            return self._one_by_one(batch, account, headers_of, stop)
        results: list[Processed] = []
        left = list(todo)
        while left:
            # The transaction holds the database's write lock: it is committed once it has run for
            # `batch_hold_s`, or as soon as another writing unit of this process waits (the outbox recording
            # a mail it sent, the ticker), so no one waits for more than about one message.
            rows: list[Inbound] = []
            with self.store.tx() as tx:
                began = time.monotonic()
                done: list[int] = []
                while left and (not done or (time.monotonic() - began < self.batch_hold_s
                                             and not self.store.writers_waiting())):
                    fetched = left.pop(0)
                    assert fetched.raw is not None
                    row = Inbound(account=account, folder=folder, uidvalidity=uidvalidity, uid=fetched.uid,
                                     size_bytes=fetched.size_bytes, received_at=now, sha256=hashes[fetched.uid])
                    self._handle_guarded(tx, fetched, row, now)
                    tx.insert_inbound(row)
                    rows.append(row)
                    done.append(fetched.uid)
                    if stop is not None and stop.is_set():
                        done += [f.uid for f in left]  # not started: fetched again by the next pass
                        left = []
                tx.finish_batch(account, folder, uidvalidity, done)
                tx.set_folder_state(account, folder, uidvalidity, _max_uid(tx, account, rows[-1].uid, folder,
                                                                           uidvalidity))
            results.extend(self._processed(row) for row in rows)  # logged once committed, not before
        return results

    def _one_by_one(self, batch: Sequence[FetchedMessage], account: str,
                    headers_of: Callable[[FetchedMessage], bytes | None],
                    stop: threading.Event | None) -> list[Processed]:
        results = []
        for fetched in batch:
            headers = headers_of(fetched) if fetched.raw is None else None
            result = self.process_fetched(fetched, account, headers=headers)
            if result is not None:
                results.append(result)
            if stop is not None and stop.is_set():
                break
        return results

    def _handle_guarded(self, tx: Tx, fetched: FetchedMessage, row: Inbound, now: datetime) -> None:
        """`handle_raw` in a SAVEPOINT: an error undoes only this message's work and quarantines it. On SQLite,
        where a failed statement leaves the transaction usable, reading and understanding (which write nothing)
        run outside it, and only a message that acts opens one; on PostgreSQL any error ends the transaction
        unless it happened inside a savepoint, so there every message gets one."""
        assert fetched.raw is not None
        try:
            if self.store.errors_end_the_transaction:
                with tx.s.begin_nested():
                    self.handle_raw(tx, fetched.raw, row, now)
            elif (read := self._read(tx, fetched.raw, row, now)) is not None:
                with tx.s.begin_nested() if read[1].writes else nullcontext():
                    self._act(tx, *read, row, now)
        except Exception as exc:  # one bad message must never stop the rest
            log.exception("quarantined uid=%s", fetched.uid)
            row.outcome = MessageOutcome.QUARANTINED
            row.kind = row.kind or ""
            row.case_id = None
            row.error = f"{type(exc).__name__}: {exc}"[:2000]
            self._quarantine_notice(tx, row, now)

    @staticmethod
    def _processed(row: Inbound) -> Processed:
        result = Processed(uid=row.uid, outcome=row.outcome, case_ref=_ref(row), error=row.error)
        log.info("message uid=%s from=%s outcome=%s case=%s kind=%s", row.uid, row.sender or "-",
                 row.outcome, result.case_ref or "-", row.kind or "-")
        return result

    def _mark_in_progress(self, fetched: FetchedMessage, account: str, now: datetime) -> int | None:
        """Commit the message as in progress before it is parsed; how often it has been started (this time
        included), or None when it was recorded before. Its bytes are stored now, so a message that kills
        the bot is kept for `quarantine replay` even though it never gets an outcome of its own making."""
        assert fetched.raw is not None
        with self.store.tx() as tx:
            if tx.inbound_seen(account, fetched.folder, fetched.uidvalidity, fetched.uid):
                return None
            sha256 = hashlib.sha256(fetched.raw).hexdigest()
            tx.store_raw(sha256, fetched.raw)
            return tx.start_processing(account, fetched.folder, fetched.uidvalidity, fetched.uid, sha256=sha256,
                                       at=now)

    def _quarantine_notice(self, tx: Tx, row: Inbound, now: datetime) -> None:
        """Tell the coordinators, at most once an hour: a flood of broken mail must not become a flood of
        notices."""
        tx.add_event(None, now, "quarantined", f"uid {row.uid}: {row.error}")
        if tx.has_event_since("quarantine_notice", "", now - QUARANTINE_NOTICE_INTERVAL):
            return
        tx.add_event(None, now, "quarantine_notice", "")
        if not self.mailroom.coordinators:
            return
        self.casework.post.send(tx, [MailRequest(kind=MailKind.NOTICE, case=None, to=self.mailroom.coordinators,
                                                 recipient_role="coordinators", detail=(
            f"En melding i postkassen kunne ikke behandles og er satt i karantene.\n"
            f"Avsender: {row.sender or 'ukjent'}\nEmne: {row.subject or '(uten emne)'}\n"
            f"Feil: {row.error}\n\nOriginalen er tatt vare på og kan spilles av på nytt med "
            f"«oppkobling quarantine replay» når feilen er rettet. Flere meldinger i karantene den neste "
            f"timen varsles ikke hver for seg; de står i «oppkobling quarantine list» og i ukeoversikten."))], now)

    def handle_raw(self, tx: Tx, raw: bytes, row: Inbound, now: datetime) -> None:
        """Understand one message and act on it; fills in `row`'s outcome. Raises on a processing error."""
        read = self._read(tx, raw, row, now)
        if read is not None:
            self._act(tx, *read, row, now)

    def _read(self, tx: Tx, raw: bytes, row: Inbound, now: datetime) -> tuple[Understood, Intent] | None:
        """Parse and understand one message, reading the store only; fills in what `row` says of it. None for
        a duplicate (its outcome set), else what intake understood and what it is to become."""
        deadline = Deadline()
        msg = read_message(raw, max_decompressed_bytes=self.max_message_bytes, deadline=deadline)
        u = understand(msg, self.intake, own_address=self.mailroom.own_address, mailroom=self.mailroom,
                       known=_known(tx, msg, self.mailroom.own_domain), today=self.calendar.local_date(now),
                       raw_bytes=raw, deadline=deadline)
        row.message_id = msg.message_id
        row.sender = msg.from_addr
        row.subject = msg.subject[:500]
        row.kind = u.verdict.kind.value
        row.rules_hit = ",".join(u.verdict.rules_hit)
        row.new_text = u.cut.new_text
        row.quoted_text = u.cut.quoted_text
        if tx.duplicate_of(msg.message_id, row.sha256 or "", exclude_id=row.id) is not None:
            row.outcome = MessageOutcome.DUPLICATE
            return None
        return u, intent_for(u, now)

    def _act(self, tx: Tx, u: Understood, intent: Intent, row: Inbound, now: datetime) -> None:
        """Record what the message became and hand its event to the engine (the writing half of `handle_raw`)."""
        row.outcome = intent.outcome
        row.case_id = id_of(u.case.ref) if u.case is not None else None
        if intent.note is not None:
            tx.add_event(None, now, *intent.note)
        event = intent.event
        if event is None:
            return
        if isinstance(event, OrderReceived):
            event = replace(event, ref=tx.reserve_ref(now))
            row.case_id = id_of(event.ref)
        if self.register is not None:
            event = self.register.enrich(u.case, event)
        case = self.casework.run(tx, u.case, event, now)
        if isinstance(event, OrderReceived) and case.state is CaseState.NEEDS_INFO:
            row.outcome = MessageOutcome.NEEDS_INFO

    def replay(self, inbound_id: int) -> Processed:
        """Process a quarantined message's stored bytes again (after a fix); the old row records the result."""
        now = self.clock.now()
        with self.store.tx() as tx:
            stored = tx.inbound_row(inbound_id)
            if stored is None or stored.sha256 is None:
                raise ValueError(f"no stored message {inbound_id}")
            row = Inbound.of(stored)
            raw = tx.raw(stored.sha256)
            if raw is None:
                raise ValueError(f"message {inbound_id} has no stored bytes")
            previous = row.error
            nested = tx.s.begin_nested()
            try:
                row.outcome, row.error = "", None
                self.handle_raw(tx, raw, row, now)
                nested.commit()
            except Exception as exc:
                nested.rollback()  # and the row as it was, with the new error
                row = replace(Inbound.of(stored), outcome=MessageOutcome.QUARANTINED,
                              error=f"{type(exc).__name__}: {exc}"[:2000])
            tx.add_event(_ref(row), now, "replayed", f"inbound {inbound_id}: {previous} → {row.outcome}")
            tx.update_inbound(row)
        return Processed(uid=row.uid, outcome=row.outcome, case_ref=_ref(row), error=row.error)


def _known(tx: Tx, msg: InboundMessage, own_domain: str) -> Known:
    """The store's part of understanding a message, looked up once before intake: the bot mails it mentions,
    the cases they (or the subject tag) are about, and a contact waiting for approval on each."""
    sent = tuple(tx.sent_mails(mentioned_ids(msg, own_domain)))
    refs = [m.case_ref for m in sent if m.case_ref]
    tagged = case_ref_from_subject(msg.subject)
    cases = {ref: case for ref in dict.fromkeys([*refs, *([tagged] if tagged else [])])
             if (case := tx.load_case(ref)) is not None}
    pending = {}
    for ref in cases:
        latest = tx.latest_event(ref, (CONTACT_PENDING, CONTACT_APPROVED))
        if latest is not None and latest.kind == CONTACT_PENDING:
            pending[ref] = latest.detail
    return Known(sent=sent, cases=cases, pending_contacts=pending)


def _max_uid(tx: Tx, account: str, uid: int, folder: str, uidvalidity: int) -> int:
    state = tx.folder_state(account, folder)
    if state is None or state.uidvalidity != uidvalidity:
        return uid
    return max(state.last_uid, uid)


def _ref(row: Inbound) -> str | None:
    return f"OPK-{row.case_id}" if row.case_id else None
