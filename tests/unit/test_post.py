"""The post office and the recipient gate: caps counted once per send, and again after mail is queued."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from bot.domain import MailKind, Municipality
from bot.outbound.gate import RecipientGate
from bot.outbound.mail_request import MailRequest
from bot.outbound.post import PostOffice
from bot.outbound.render import Composer
from bot.outbound.samples import sample_case
from bot.routine.calendar import BusinessCalendar
from bot.routine.plan import load_plan
from bot.rulefile import TEMPLATES_DIR
from bot.store.repo import Store

PLAN = load_plan()
CAL = BusinessCalendar(PLAN.closed_days, tz=ZoneInfo("Europe/Oslo"))
NOW = datetime(2027, 1, 25, 9, 30, tzinfo=UTC)
COORDINATORS = ("koordinator@hemit.no", "vakt@hemit.no")
MALVIK = Municipality("5031", "Malvik", "Trøndelag", "malvik.kommune.no", "939865942")


@pytest.fixture()
def store(database_url: str) -> Iterator[Store]:
    s = Store(database_url, {"5031": MALVIK}.get)
    s.create_schema()
    yield s
    s.dispose()


def post_office(max_per_day: int, max_per_coordinator: int) -> PostOffice:
    gate = RecipientGate(own_address="meldingsansvarlig@helse-midt.no", coordinators=COORDINATORS,
                         max_per_day=max_per_day, max_per_coordinator_per_day=max_per_coordinator)
    return PostOffice(composer=Composer(TEMPLATES_DIR, "meldingsansvarlig@helse-midt.no", PLAN, CAL), gate=gate,
                      help_texts={}, own_domain="helse-midt.no")


def rcpts(store: Store) -> list[str]:
    with store.tx() as tx:
        return [r for (r,) in tx.s.connection().execute(text("SELECT recipient FROM deliveries ORDER BY id"))]


def notice(*to: str) -> MailRequest:
    return MailRequest(kind=MailKind.NOTICE, case=None, to=to, recipient_role="coordinators", detail="Test.")


def test_a_mailbox_reached_twice_in_one_send_is_counted_again_after_the_first(store: Store) -> None:
    """With a cap of one a day, the second request of one send to the same mailbox (another tag) is held
    back and the coordinators told: the count read before the first mail does not admit the second."""
    post = post_office(max_per_day=1, max_per_coordinator=50)
    with store.tx() as tx:
        queued = post.send(tx, [notice("ola+1@malvik.kommune.no"), notice("Ola+2@malvik.kommune.no"),
                                notice("kari@malvik.kommune.no")], NOW)
    assert [q.to for q in queued][:2] == [("ola+1@malvik.kommune.no",), ("kari@malvik.kommune.no",)]
    assert rcpts(store)[:2] == ["ola+1@malvik.kommune.no", "kari@malvik.kommune.no"]
    assert sorted(rcpts(store)[2:]) == sorted(COORDINATORS)  # the one notice that ola@ reached its cap
    with store.tx() as tx:
        assert tx.events_since("rate_limited", NOW)[0].detail == "ola@malvik.kommune.no"


def test_caps_hold_across_sends_and_for_coordinators(store: Store) -> None:
    """A receipt and a notice per order, as casework sends them: each kommune mailbox gets at most its cap,
    each coordinator at most theirs, whatever mix of sends."""
    post = post_office(max_per_day=2, max_per_coordinator=3)
    case = sample_case(PLAN)
    with store.tx() as tx:
        tx.save_case(case)
        for i in range(5):
            receipt = MailRequest(kind=MailKind.NOTICE, case=case, to=(f"ola+{i}@malvik.kommune.no",), detail="K.")
            post.send(tx, [receipt, notice(*COORDINATORS)], NOW)
    sent = rcpts(store)
    assert len([r for r in sent if r.startswith("ola+")]) == 2
    assert all(sent.count(c) == 3 for c in COORDINATORS)
