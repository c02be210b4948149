"""The Adresseregister at the edge: HER-ids looked up for an order or a confirmation, and the daily morning check."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.ar import AddressRegister, ArError, UnknownHerId
from bot.ar.verdict import Found, RegisterAnswer
from bot.casework import Casework
from bot.domain import CaseState, MailKind
from bot.outbound.mail_request import MailRequest
from bot.routine.actions import Command, CommandReceived, Event, OrderAmended, OrderReceived, RegisterChecked
from bot.routine.case import Case
from bot.routine.confirm import target_step
from bot.routine.register import ORDER_CHECKED, ORDER_PENDING, step_check_due, wants_register
from bot.store.repo import Store

log = logging.getLogger("bot.register")
# An order naming more HER-ids than this has the first ones checked: one message must not cost unbounded calls.
MAX_HER_IDS = 20
DAILY = "register_daily"


@dataclass(frozen=True)
class RegisterLookups:
    """Looks HER-ids up and attaches AR's answer to the event that needs it; the engine decides what it means."""

    register: AddressRegister
    casework: Casework

    def answer(self, her_ids: tuple[int, ...]) -> RegisterAnswer:
        """AR's answer for these HER-ids; the first failure (AR down, refused) stands for all of them."""
        trusts = self.casework.plan.trust_her_ids
        found: list[Found] = []
        for her_id in [h for h in dict.fromkeys(her_ids) if h not in trusts][:MAX_HER_IDS]:
            try:
                found.append(Found(her_id, self.register.lookup(her_id)))
            except UnknownHerId:
                found.append(Found(her_id, None))
            except ArError as exc:
                log.warning("Adresseregister unavailable: %s", exc)
                return RegisterAnswer(unavailable=str(exc))
            except Exception as exc:  # whatever goes wrong with AR, the mail is still handled
                log.exception("Adresseregister look-up of HER-id %s failed", her_id)
                return RegisterAnswer(unavailable=f"{type(exc).__name__}: {exc}"[:300])
        return RegisterAnswer(tuple(found))

    def enrich(self, case: Case | None, event: Event) -> Event:
        """The event with AR's answer when it needs one: an order (or its amendment) naming HER-ids, and the
        kommune's confirmation of the AR step. Strangers and refused commands cost no look-up."""
        if isinstance(event, OrderReceived) and event.order.her_ids:
            return replace(event, register=self.answer(event.order.her_ids))
        if isinstance(event, OrderAmended) and case is not None and case.state is CaseState.NEEDS_INFO:
            her_ids = (*case.her_ids, *event.order.her_ids)
            return replace(event, register=self.answer(her_ids)) if her_ids else event
        if (isinstance(event, CommandReceived) and event.command is Command.CONFIRM and event.refused_reason is None
                and case is not None and case.state is CaseState.ACTIVE):
            plan = self.casework.plan
            name = target_step(case, event, plan, self.casework.calendar)
            if wants_register(case, event, plan.steps.get(name) if name else None):
                return replace(event, register=self.answer(case.her_ids))
        return event


@dataclass(frozen=True, kw_only=True)
class DailyRegisterCheck:
    """Once a day, in the first run at or after the routine's `daily_check` time: every active case whose AR
    step is being checked, or whose order AR could not check, is looked up again and fed to the engine."""

    store: Store
    lookups: RegisterLookups
    coordinators: tuple[str, ...]

    def run(self, now: datetime) -> int:
        """Check what is due today; returns the cases checked (0 before the time, or when done today)."""
        casework = self.lookups.casework
        plan, cal = casework.plan, casework.calendar
        today = cal.local_date(now)
        instant = cal.at(today, plan.register.daily_check)
        if now < instant:
            return 0
        with self.store.tx() as tx:
            if tx.has_event_since(DAILY, today.isoformat(), instant - timedelta(days=1)):
                return 0
            tx.add_event(None, now, DAILY, today.isoformat())
            due: list[tuple[str, bool, bool]] = []
            for case in tx.list_cases([CaseState.ACTIVE]):
                # An order AR could not check is tried again by the next morning's check, not the same day's.
                latest = tx.latest_event(case.ref, (ORDER_PENDING, ORDER_CHECKED))
                order_check = latest is not None and latest.kind == ORDER_PENDING and latest.at < instant
                step_check = step_check_due(case, now, plan, cal)
                if order_check or step_check:
                    due.append((case.ref, order_check, step_check))
        down: str | None = None
        for ref, order_check, step_check in due:
            with self.store.tx() as tx:
                loaded = tx.load_case(ref)
            if loaded is None:
                continue
            # Once AR has failed this morning, the other cases wait for tomorrow without a call each.
            answer = RegisterAnswer(unavailable=down) if down else self.lookups.answer(loaded.her_ids)
            down = down or answer.unavailable
            with self.store.tx() as tx:
                current = tx.load_case(ref)
                if current is not None and current.state is CaseState.ACTIVE:
                    casework.run(tx, current, RegisterChecked(answer, now, order_check, step_check), now)
        if down is not None:
            self._tell_coordinators(now, down, len(due))
        log.info("daily Adresseregister check: %d case(s)%s", len(due), f"; unavailable: {down}" if down else "")
        return len(due)

    def _tell_coordinators(self, now: datetime, reason: str, cases: int) -> None:
        if not self.coordinators:
            return
        with self.store.tx() as tx:
            self.lookups.casework.post.send(tx, [MailRequest(
                kind=MailKind.NOTICE, case=None, to=self.coordinators, recipient_role="coordinators",
                detail=(f"Adresseregisteret svarte ikke ved den daglige kontrollen, så {cases} sak(er) ble ikke "
                        f"sjekket i dag. Boten prøver igjen i morgen tidlig.\nFeil: {reason}"))], now)
