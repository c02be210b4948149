"""One engine event for one case, carried out in the caller's transaction: decide, record, post."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.outbound.effects import Effects
from bot.outbound.post import PostOffice
from bot.routine.actions import Event, OrderReceived, ReplyReceived
from bot.routine.calendar import BusinessCalendar
from bot.routine.case import Case
from bot.routine.engine import handle
from bot.routine.plan import Plan
from bot.store.repo import Tx


@dataclass(frozen=True)
class Casework:
    """The only way case state changes: the engine decides, the effects record, the post office mails."""

    plan: Plan
    calendar: BusinessCalendar
    effects: Effects
    post: PostOffice

    def run(self, tx: Tx, case: Case | None, event: Event, now: datetime) -> Case:
        """The engine's answer to `event`, carried out; returns the case as it is now."""
        decision = handle(case, event, now, self.plan, self.calendar)
        references: tuple[str, ...] = ()
        order_sender = message_from = None
        if isinstance(event, OrderReceived):
            # Every mail about a new order threads with it; the case remembers who ordered.
            references = (event.message_id,) if event.message_id else ()
            order_sender = event.sender
        elif isinstance(event, ReplyReceived):
            message_from = event.sender  # a forward names who wrote, not always the contact
        requests = self.effects.apply(tx, decision, now, references=references, order_sender=order_sender,
                                      message_from=message_from)
        self.post.send(tx, requests, now)
        return decision.case
