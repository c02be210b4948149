"""Who gets one more automatic mail: valid addresses only, and a daily cap per mailbox that covers everyone."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.addresses import clean_recipient, mailbox_key, recipient_problem
from bot.domain import MailKind
from bot.outbound.formatting import sanitize_header
from bot.outbound.mail_request import MailRequest
from bot.store.repo import EventView, Tx

# Local parts that never get automatic mail: answering them is how mail loops start.
NEVER_ANSWER = ("mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply", "do-not-reply", "bounce")
WINDOW = timedelta(hours=24)
HELD_BACK = "held_back"  # event detail: "<mailbox> <kind> <case ref or ->"
HELD_BACK_SUMMARY = "held_back_summary"  # event detail: "<mailbox>"
# Kinds a case sends at most once in WINDOW, whoever it goes to: the kommune's "your reply went to a person".
ONCE_A_DAY_PER_CASE = frozenset({MailKind.REPLY_FORWARDED})
DAILY_SENT = "daily_mail_sent"  # event detail: "<kind> <case ref>"
SUMMARY_LOOKBACK = timedelta(days=7)


def is_unanswerable(address: str, own_address: str) -> bool:
    addr = address.strip().lower()
    if not addr or "@" not in addr or addr == own_address.lower():
        return True
    local = addr.split("@", 1)[0].split("+", 1)[0]
    return local in NEVER_ANSWER or local.startswith(("noreply", "no-reply", "donotreply", "do-not-reply"))


@dataclass(frozen=True)
class Admission:
    to: tuple[str, ...]  # the recipients that may get the mail, as they go to RCPT TO (one per mailbox)
    notices: tuple[MailRequest, ...] = ()  # a mailbox just reached its cap: the coordinators are told once


class RecipientGate:
    """Every mail passes here before the outbox: bad addresses are dropped, mailboxes over their cap skipped.

    A mailbox is counted once whatever its `+tag` or case. Kommune and other addresses get at most
    `max_per_day` automatic mails in 24 hours (then one notice to the coordinators). Coordinators get at
    most `max_per_coordinator_per_day`; what is held back from them is summed up in one notice a day
    (`summaries`), so two coordinator autoresponders can never drive the bot into a storm.
    """

    def __init__(self, *, own_address: str, coordinators: Sequence[str], max_per_day: int,
                 max_per_coordinator_per_day: int) -> None:
        self.own_address = own_address.lower()
        self.coordinators = tuple(coordinators)
        self._coordinator_keys = {mailbox_key(c) for c in coordinators}
        self.max_per_day = max_per_day
        self.max_per_coordinator = max_per_coordinator_per_day

    def count(self, tx: Tx, requests: Sequence[MailRequest], now: datetime, counted: dict[str, int]) -> None:
        """Adds to `counted` the mails in the window of every capped mailbox of `requests` it lacks, in one
        statement. The caller drops a mailbox from `counted` as soon as it queues mail to it."""
        keys = [k for req in requests if req.capped for k in self._countable(req.to) if k not in counted]
        keys = list(dict.fromkeys(keys))
        if keys:
            counted.update(zip(keys, tx.mails_to_each(keys, now - WINDOW), strict=True))

    @staticmethod
    def mailboxes(addresses: Sequence[str]) -> set[str]:
        """The mailboxes whose counts mail to `addresses` changes (bot.addresses.mailbox_key)."""
        return {mailbox_key(a) for a in addresses}

    def _countable(self, addresses: Sequence[str]) -> list[str]:
        """The mailboxes among `addresses` the cap applies to (valid and answerable), each once."""
        cleaned = (clean_recipient(a) for a in addresses)
        return list(dict.fromkeys(mailbox_key(c) for c in cleaned if c is not None
                                  and not is_unanswerable(c, self.own_address)))

    def admit(self, tx: Tx, req: MailRequest, now: datetime, counted: dict[str, int] | None = None) -> Admission:
        """The recipients of `req` that may get it, and the notices reaching a cap calls for.

        `counted` holds mailbox counts already read in this transaction with nothing queued to them since
        (see `count`); the ones missing are read here, in one statement (nothing this loop does changes a
        count: the mail is queued after the gate)."""
        ref = req.case.ref if req.case else None
        once = f"{req.kind.value} {ref}" if req.kind in ONCE_A_DAY_PER_CASE and ref else None
        if once is not None and tx.has_event_since(DAILY_SENT, once, now - WINDOW):
            return Admission(())
        allowed: dict[str, str] = {}
        notices: list[MailRequest] = []
        cleaned = [(address, clean_recipient(address)) for address in req.to]
        counted = {} if counted is None else counted
        if req.capped:
            self.count(tx, [req], now, counted)
        for address, clean in cleaned:
            if clean is None:
                problem = recipient_problem(address)
                tx.add_event(ref, now, "recipient_refused", f"{sanitize_header(address)[:200]!r}: {problem}")
                continue
            key = mailbox_key(clean)
            if is_unanswerable(clean, self.own_address) or key in allowed:
                continue
            if req.capped and not self._within_cap(tx, req, key, counted[key], now, notices):
                continue
            allowed[key] = clean
        if once is not None and allowed:
            tx.add_event(ref, now, DAILY_SENT, once)
        return Admission(tuple(allowed.values()), tuple(notices))

    def _within_cap(self, tx: Tx, req: MailRequest, key: str, sent: int, now: datetime,
                    notices: list[MailRequest]) -> bool:
        """Whether `key`, which had `sent` mails in the window, may get one more (else record why not)."""
        ref = req.case.ref if req.case else None
        coordinator = key in self._coordinator_keys
        cap = self.max_per_coordinator if coordinator else self.max_per_day
        if sent < cap:
            return True
        if coordinator:
            tx.add_event(ref, now, HELD_BACK, f"{key} {req.kind.value} {ref or '-'}")
            return False
        # Over the limit: tell the coordinators once per mailbox and day, then stay quiet.
        if not tx.has_event_since("rate_limited", key, now - WINDOW):
            tx.add_event(ref, now, "rate_limited", key)
            if self.coordinators:
                notices.append(MailRequest(
                    kind=MailKind.NOTICE, case=req.case, to=self.coordinators, recipient_role="coordinators",
                    detail=f"Grensen på {self.max_per_day} automatiske e-poster per døgn er nådd for {key}. "
                    f"Boten sender ikke flere til denne adressen før det har gått et døgn."))
        return False

    def summaries(self, tx: Tx, now: datetime) -> list[MailRequest]:
        """One notice per coordinator that had mail held back since its last summary, at most one a day."""
        since = now - SUMMARY_LOOKBACK
        held_all = tx.events_since(HELD_BACK, since)
        if not held_all:
            return []
        previous = tx.events_since(HELD_BACK_SUMMARY, since)
        out = []
        for address in self.coordinators:
            key = mailbox_key(address)
            last = max((e.at for e in previous if e.detail == key), default=None)
            if last is not None and now - last < WINDOW:
                continue
            held = [e for e in held_all if e.detail.startswith(key + " ") and (last is None or e.at > last)]
            if not held:
                continue
            tx.add_event(None, now, HELD_BACK_SUMMARY, key)
            out.append(MailRequest(kind=MailKind.NOTICE, case=None, to=(address,), recipient_role="coordinators",
                                   detail=self._summary_text(key, held), capped=False))
        return out

    def _summary_text(self, key: str, held: Sequence[EventView]) -> str:
        counts: Counter[tuple[str, str]] = Counter()
        for event in held:
            _mailbox, kind, ref = ([*event.detail.split(" "), "", ""])[:3]
            counts[(ref, kind)] += 1
        lines = [f"- {'uten sak' if ref == '-' else ref}: {n} × {kind}" for (ref, kind), n in sorted(counts.items())]
        return (f"Boten har holdt tilbake {len(held)} automatiske e-poster til {key}, fordi grensen på "
                f"{self.max_per_coordinator} e-poster per døgn til én koordinator var nådd. Det kan være en "
                f"e-postsløyfe (for eksempel et autosvar uten merking) eller uvanlig mye trafikk.\n\n"
                + "\n".join(lines[:50])
                + ("\n- …" if len(lines) > 50 else "")
                + "\n\nSe sakene med «oppkobling case OPK-n». Denne oppsummeringen kommer høyst én gang i døgnet; "
                "e-post som holdes tilbake etter den, kommer med i neste.")
