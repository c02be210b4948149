"""The routine engine walked end to end: orders, the exact schedule of SPEC §2, commands of SPEC §4."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

import pytest

from bot.domain import Audience, CaseState, MailKind, Municipality, Order, OrderedType, Role, StepStatus
from bot.intake.command_registry import load_command_rules
from bot.routine.actions import (
    AutoReplyReceived,
    BounceReceived,
    Command,
    CommandReceived,
    Decision,
    DeliveryFailed,
    DueItem,
    DueReached,
    Event,
    FireDue,
    OrderAmended,
    OrderReceived,
    RecordEvent,
    ReplyReceived,
    Schedule,
    SendMail,
)
from bot.routine.calendar import OSLO, BusinessCalendar
from bot.routine.case import Case
from bot.routine.engine import handle
from bot.routine.plan import load_plan
from bot.routine.schedule import deadlines, schedule_for, step_status, timeline
from bot.rulefile import RULES_DIR

PLAN = load_plan()
CAL = BusinessCalendar(PLAN.closed_days)
COMMANDS = load_command_rules(RULES_DIR, PLAN)
MALVIK = Municipality("5031", "Malvik", "Trøndelag", "malvik.kommune.no")
KOMMUNE = "meldingsansvarlig@malvik.kommune.no"
COORD = "koordinator@hemit.no"
AR, PA, TM, DM = "ar_publisering", "partneravtaler", "testmeldinger", "dialogmelding"
K, C = Audience.KOMMUNE, Audience.COORDINATORS


def oslo(text: str) -> datetime:
    """'2027-02-15 16:00' as an aware Europe/Oslo instant."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=OSLO)


def local(dt: datetime) -> str:
    return dt.astimezone(OSLO).strftime("%Y-%m-%d %H:%M")


def make_order(d: date | None, *, versions: bool = True, lab: bool = False) -> Order:
    types = [OrderedType("PLO", "1.6" if versions else None), OrderedType("DIALOGMELDING", "1.1")]
    if lab:
        types.append(OrderedType("SVARRAPPORT", "1.4"))
    return Order(MALVIK, d, tuple(types), (8142326,), KOMMUNE)


@dataclass
class Sim:
    """A tiny stand-in for store + scheduler: applies actions and ticks at every due instant."""

    case: Case | None = None
    pending: dict[tuple[str, str, datetime], DueItem] = field(default_factory=dict)
    fired: set[tuple[str, str, datetime]] = field(default_factory=set)
    mails: list[tuple[datetime, SendMail]] = field(default_factory=list)
    records: list[RecordEvent] = field(default_factory=list)
    now: datetime = datetime(2027, 1, 1, tzinfo=UTC)

    def feed(self, event: Event, now: datetime) -> Decision:
        self.now = now
        out = handle(self.case, event, now, PLAN, CAL)
        self.case = out.case
        for action in out.actions:
            match action:
                case Schedule(items):
                    self.pending = {_key(i): i for i in items if _key(i) not in self.fired}
                case FireDue(item):
                    self.fired.add(_key(item))
                    self.pending.pop(_key(item), None)
                case SendMail():
                    self.mails.append((now, action))
                case RecordEvent():
                    self.records.append(action)
        return out

    def order(self, at: str, d: date | None, **kw: bool) -> Decision:
        ev = OrderReceived("OPK-1", make_order(d, **kw), KOMMUNE, "<order@malvik>", oslo(at))
        return self.feed(ev, oslo(at))

    def tick(self, now: datetime) -> Decision | None:
        due = tuple(sorted((i for i in self.pending.values() if i.at <= now), key=lambda i: i.at))
        return self.feed(DueReached(due, now), now) if due else None

    def run_until(self, end: str) -> None:
        """Tick at every due instant up to `end`, as the minute tick would."""
        stop = oslo(end)
        while True:
            upcoming = sorted(i.at for i in self.pending.values() if i.at <= stop)
            if not upcoming:
                break
            self.tick(upcoming[0])
        self.now = max(self.now, stop)

    def command(self, at: str, command: Command, role: Role = Role.COORDINATOR, **kw: object) -> Decision:
        sender = {Role.COORDINATOR: COORD, Role.KOMMUNE: KOMMUNE, Role.STRANGER: "x@example.com"}[role]
        # As intake does: who may use a command is its `roles` in rules/commands.yaml.
        kw.setdefault("refused_reason", COMMANDS.refusal(command, role))
        ev = CommandReceived(command, sender, role, "<cmd@x>", oslo(at), **kw)  # type: ignore[arg-type]
        return self.feed(ev, oslo(at))

    def sent(self, since: int = 0) -> list[tuple[str, str, str, str]]:
        return [
            (local(at), m.step or "-", m.kind.value, m.audience.value)
            for at, m in self.mails[since:]
        ]


def _key(item: DueItem) -> tuple[str, str, datetime]:
    return (item.step, item.name, item.deadline)


def active_sim(d: date = date(2027, 3, 1), at: str = "2027-02-01 09:00") -> Sim:
    sim = Sim()
    sim.order(at, d)
    assert sim.case is not None and sim.case.state is CaseState.ACTIVE
    sim.mails.clear()
    return sim


# --- the schedule, walked -------------------------------------------------------------------------

WALKS = {
    "D Monday 2027-03-01": (date(2027, 3, 1), "2027-02-01 09:00", [
        ("2027-02-08 08:00", "ar_publisering", "reminder", "kommune"),
        ("2027-02-11 08:00", "ar_publisering", "reminder", "kommune"),
        ("2027-02-15 16:00", "ar_publisering", "escalation", "coordinators"),
        ("2027-02-15 16:00", "ar_publisering", "escalation", "kommune"),
        ("2027-02-17 08:00", "partneravtaler", "reminder", "coordinators"),
        ("2027-02-22 08:00", "partneravtaler", "escalation", "coordinators"),
        ("2027-02-22 08:00", "testmeldinger", "reminder", "coordinators"),
        ("2027-02-22 08:00", "testmeldinger", "test_notice", "kommune"),
        ("2027-02-24 16:00", "testmeldinger", "escalation", "coordinators"),
        ("2027-02-26 12:00", "dialogmelding", "dialog_notice", "kommune"),
        ("2027-03-01 09:00", "dialogmelding", "reminder", "coordinators"),
        ("2027-03-01 15:00", "dialogmelding", "escalation", "coordinators"),
    ]),
    # Testmeldinger deadline 25.3 is skjærtorsdag; the day before D (29.3) is 2. påskedag.
    "D Tuesday after Easter 2027-03-30": (date(2027, 3, 30), "2027-03-01 09:00", [
        ("2027-03-09 08:00", "ar_publisering", "reminder", "kommune"),
        ("2027-03-12 08:00", "ar_publisering", "reminder", "kommune"),
        ("2027-03-16 16:00", "ar_publisering", "escalation", "coordinators"),
        ("2027-03-16 16:00", "ar_publisering", "escalation", "kommune"),
        ("2027-03-18 08:00", "partneravtaler", "reminder", "coordinators"),
        ("2027-03-23 08:00", "partneravtaler", "escalation", "coordinators"),
        ("2027-03-23 08:00", "testmeldinger", "reminder", "coordinators"),
        ("2027-03-23 08:00", "testmeldinger", "test_notice", "kommune"),
        ("2027-03-24 12:00", "dialogmelding", "dialog_notice", "kommune"),
        ("2027-03-24 16:00", "testmeldinger", "escalation", "coordinators"),
        ("2027-03-30 09:00", "dialogmelding", "reminder", "coordinators"),
        ("2027-03-30 15:00", "dialogmelding", "escalation", "coordinators"),
    ]),
    # D−7 is skjærtorsdag and D−5 a Saturday in Easter: test day, partner deadline and the
    # testmeldinger deadline all roll back to Wednesday 24.3.
    "D Thursday after Easter 2027-04-01": (date(2027, 4, 1), "2027-03-01 09:00", [
        ("2027-03-11 08:00", "ar_publisering", "reminder", "kommune"),
        ("2027-03-16 08:00", "ar_publisering", "reminder", "kommune"),
        ("2027-03-18 16:00", "ar_publisering", "escalation", "coordinators"),
        ("2027-03-18 16:00", "ar_publisering", "escalation", "kommune"),
        ("2027-03-19 08:00", "partneravtaler", "reminder", "coordinators"),
        ("2027-03-24 08:00", "partneravtaler", "escalation", "coordinators"),
        ("2027-03-24 08:00", "testmeldinger", "reminder", "coordinators"),
        ("2027-03-24 08:00", "testmeldinger", "test_notice", "kommune"),
        ("2027-03-24 16:00", "testmeldinger", "escalation", "coordinators"),
        ("2027-03-31 12:00", "dialogmelding", "dialog_notice", "kommune"),
        ("2027-04-01 09:00", "dialogmelding", "reminder", "coordinators"),
        ("2027-04-01 15:00", "dialogmelding", "escalation", "coordinators"),
    ]),
    # D−7 is 2. påskedag: the test_notice rolls back over the whole Easter weekend.
    "D Monday 2027-04-05, test day on 2. påskedag": (date(2027, 4, 5), "2027-03-01 09:00", [
        ("2027-03-15 08:00", "ar_publisering", "reminder", "kommune"),
        ("2027-03-18 08:00", "ar_publisering", "reminder", "kommune"),
        ("2027-03-22 16:00", "ar_publisering", "escalation", "coordinators"),
        ("2027-03-22 16:00", "ar_publisering", "escalation", "kommune"),
        ("2027-03-19 08:00", "partneravtaler", "reminder", "coordinators"),
        ("2027-03-24 08:00", "partneravtaler", "escalation", "coordinators"),
        ("2027-03-24 08:00", "testmeldinger", "reminder", "coordinators"),
        ("2027-03-24 08:00", "testmeldinger", "test_notice", "kommune"),
        ("2027-03-31 16:00", "testmeldinger", "escalation", "coordinators"),
        ("2027-04-02 12:00", "dialogmelding", "dialog_notice", "kommune"),
        ("2027-04-05 09:00", "dialogmelding", "reminder", "coordinators"),
        ("2027-04-05 15:00", "dialogmelding", "escalation", "coordinators"),
    ]),
    # The DST change (28.3) falls between the partner reminder (CET) and its deadline (CEST).
    "D Wednesday 2027-04-07 across DST": (date(2027, 4, 7), "2027-03-01 09:00", [
        ("2027-03-17 08:00", "ar_publisering", "reminder", "kommune"),
        ("2027-03-22 08:00", "ar_publisering", "reminder", "kommune"),
        ("2027-03-23 08:00", "partneravtaler", "reminder", "coordinators"),
        ("2027-03-24 16:00", "ar_publisering", "escalation", "coordinators"),
        ("2027-03-24 16:00", "ar_publisering", "escalation", "kommune"),
        ("2027-03-31 08:00", "partneravtaler", "escalation", "coordinators"),
        ("2027-03-31 08:00", "testmeldinger", "reminder", "coordinators"),
        ("2027-03-31 08:00", "testmeldinger", "test_notice", "kommune"),
        ("2027-04-02 16:00", "testmeldinger", "escalation", "coordinators"),
        ("2027-04-06 12:00", "dialogmelding", "dialog_notice", "kommune"),
        ("2027-04-07 09:00", "dialogmelding", "reminder", "coordinators"),
        ("2027-04-07 15:00", "dialogmelding", "escalation", "coordinators"),
    ]),
    # D−5 is a Saturday: the testmeldinger deadline and its escalation move to Friday 16:00.
    "D Thursday 2027-03-11, deadline on a Saturday": (date(2027, 3, 11), "2027-02-01 09:00", [
        ("2027-02-18 08:00", "ar_publisering", "reminder", "kommune"),
        ("2027-02-23 08:00", "ar_publisering", "reminder", "kommune"),
        ("2027-02-25 16:00", "ar_publisering", "escalation", "coordinators"),
        ("2027-02-25 16:00", "ar_publisering", "escalation", "kommune"),
        ("2027-03-01 08:00", "partneravtaler", "reminder", "coordinators"),
        ("2027-03-04 08:00", "partneravtaler", "escalation", "coordinators"),
        ("2027-03-04 08:00", "testmeldinger", "reminder", "coordinators"),
        ("2027-03-04 08:00", "testmeldinger", "test_notice", "kommune"),
        ("2027-03-05 16:00", "testmeldinger", "escalation", "coordinators"),
        ("2027-03-10 12:00", "dialogmelding", "dialog_notice", "kommune"),
        ("2027-03-11 09:00", "dialogmelding", "reminder", "coordinators"),
        ("2027-03-11 15:00", "dialogmelding", "escalation", "coordinators"),
    ]),
}  # fmt: skip


@pytest.mark.parametrize("walk", list(WALKS))
def test_every_reminder_escalation_and_notice_fires_at_its_instant(walk: str) -> None:
    """With nothing confirmed, each item of SPEC §2 is sent exactly once at its Europe/Oslo instant."""
    d, arrival, expected = WALKS[walk]
    sim = active_sim(d, arrival)
    sim.run_until(f"{d.isoformat()} 23:59")
    assert sorted(sim.sent()) == sorted(expected)
    sim.run_until(f"{d.year}-12-31 23:59")
    assert len(sim.mails) == len(expected)


@pytest.mark.parametrize(
    ("d", "step", "utc"),
    [
        (date(2027, 4, 7), "ar_publisering", datetime(2027, 3, 24, 15, 0, tzinfo=UTC)),  # CET
        (date(2027, 4, 7), "partneravtaler", datetime(2027, 3, 31, 6, 0, tzinfo=UTC)),  # CEST
        (date(2027, 3, 1), "dialogmelding", datetime(2027, 3, 1, 14, 0, tzinfo=UTC)),
        (date(2027, 11, 15), "ar_publisering", datetime(2027, 11, 1, 15, 0, tzinfo=UTC)),  # CET
        (date(2027, 11, 8), "partneravtaler", datetime(2027, 11, 1, 7, 0, tzinfo=UTC)),  # CET
        (date(2027, 11, 1), "ar_publisering", datetime(2027, 10, 18, 14, 0, tzinfo=UTC)),  # CEST
    ],
)
def test_deadlines_are_stored_as_utc_across_dst(d: date, step: str, utc: datetime) -> None:
    """Deadlines are aware UTC instants of the right local clock time on either side of a DST change."""
    case = active_sim(d, "2027-01-04 09:00").case
    assert case is not None
    assert deadlines(case, PLAN, CAL)[step] == utc
    assert all(i.at.tzinfo is UTC and i.deadline.tzinfo is UTC for i in schedule_for(case, PLAN, CAL))


def test_whole_routine_to_activation() -> None:
    """Confirmed steps get no more reminders; the verified dialogmelding activates the case."""
    sim = active_sim()
    sim.run_until("2027-02-10 10:00")
    sim.command("2027-02-10 10:00", Command.CONFIRM, Role.KOMMUNE, step=AR)
    sim.command("2027-02-16 09:00", Command.CONFIRM, parts=("st_olav",), step=PA)
    sim.run_until("2027-02-18 09:00")
    sim.command("2027-02-18 09:00", Command.CONFIRM, parts=("hnt",), step=PA)
    sim.command("2027-02-19 09:00", Command.CONFIRM, parts=("hmr",), step=PA)
    sim.run_until("2027-02-23 10:00")
    sim.command("2027-02-23 10:00", Command.CONFIRM, step=TM)
    assert sim.case is not None and sim.case.service_deactivated_until_d
    sim.run_until("2027-03-01 10:00")
    sim.command("2027-03-01 10:00", Command.CONFIRM, step=DM)
    sim.run_until("2027-12-31 23:59")
    assert sim.sent() == [
        ("2027-02-08 08:00", "ar_publisering", "reminder", "kommune"),
        ("2027-02-10 10:00", "ar_publisering", "step_confirmed", "sender"),
        ("2027-02-16 09:00", "partneravtaler", "step_confirmed", "sender"),
        ("2027-02-17 08:00", "partneravtaler", "reminder", "coordinators"),
        ("2027-02-18 09:00", "partneravtaler", "step_confirmed", "sender"),
        ("2027-02-19 09:00", "partneravtaler", "step_confirmed", "sender"),
        ("2027-02-19 09:00", "partneravtaler", "step_confirmed", "kommune"),
        ("2027-02-22 08:00", "testmeldinger", "reminder", "coordinators"),
        ("2027-02-22 08:00", "testmeldinger", "test_notice", "kommune"),
        ("2027-02-23 10:00", "testmeldinger", "step_confirmed", "sender"),
        ("2027-02-23 10:00", "testmeldinger", "step_confirmed", "kommune"),
        ("2027-02-26 12:00", "dialogmelding", "dialog_notice", "kommune"),
        ("2027-03-01 09:00", "dialogmelding", "reminder", "coordinators"),
        ("2027-03-01 10:00", "aktivering", "activated", "kommune"),
        ("2027-03-01 10:00", "aktivering", "activated", "coordinators"),
    ]
    case = sim.case
    assert case is not None and case.state is CaseState.ACTIVATED
    assert case.step("aktivering").done
    now = oslo("2027-03-02 08:00")
    assert {s: step_status(case, s, now, PLAN, CAL) for s in PLAN.steps} == dict.fromkeys(PLAN.steps, StepStatus.DONE)


def test_partner_reminder_names_the_missing_health_trusts() -> None:
    """The partneravtaler reminder lists the HF still without a confirmed agreement."""
    sim = active_sim()
    sim.command("2027-02-16 09:00", Command.CONFIRM, parts=("st_olav",), step=PA)
    sim.run_until("2027-02-17 08:00")
    reminder = sim.mails[-1][1]
    assert (reminder.kind, reminder.step) == (MailKind.REMINDER, PA)
    assert "Helse Nord-Trøndelag HF" in reminder.detail and "St. Olavs" not in reminder.detail


# --- orders -----------------------------------------------------------------------------------------


def test_valid_order_becomes_active_with_receipt_and_schedule() -> None:
    """A complete order with a valid D: active, bestilling done, receipt, new_case and a schedule."""
    out = Sim().order("2027-02-01 09:00", date(2027, 3, 1))
    assert out.case.state is CaseState.ACTIVE
    assert out.case.step("bestilling").done
    mails = [a for a in out.actions if isinstance(a, SendMail)]
    assert [(m.kind, m.audience) for m in mails] == [(MailKind.RECEIPT, K), (MailKind.NEW_CASE, C)]
    assert mails[0].in_reply_to == "<order@malvik>"
    (schedule,) = [a for a in out.actions if isinstance(a, Schedule)]
    assert len(schedule.items) == 12


@pytest.mark.parametrize(
    ("arrival", "d", "kw", "proposed", "says"),
    [
        ("2027-01-04 09:00", date(2027, 5, 17), {}, date(2027, 5, 18), "ikke en virkedag"),
        ("2027-02-20 09:00", date(2027, 3, 1), {}, date(2027, 3, 8), "for tidlig"),
        ("2027-03-15 09:00", date(2027, 3, 26), {}, date(2027, 3, 30), "Langfredag"),
        ("2027-02-01 09:00", date(2027, 3, 6), {}, date(2027, 3, 8), "Lørdag"),
        ("2027-02-01 09:00", None, {}, date(2027, 2, 15), "aktiveringsdato"),
        ("2027-02-01 09:00", date(2027, 3, 1), {"versions": False}, date(2027, 3, 1), "versjon"),
        # More than max_lead_days (730) ahead is a typo until the kommune says otherwise; the year-9999 date
        # that once crashed the calendar is answered like any other.
        ("2027-02-01 09:00", date(2029, 3, 1), {}, date(2027, 2, 15), "mer enn 730 dager"),
        ("2027-02-01 09:00", date(9999, 3, 1), {}, date(2027, 2, 15), "mer enn 730 dager"),
    ],
)
def test_invalid_or_incomplete_order_needs_info(
    arrival: str, d: date | None, kw: dict[str, bool], proposed: date, says: str
) -> None:
    """An invalid D or a missing field: needs_info, a clarification saying why, a proposed D, no schedule."""
    out = Sim().order(arrival, d, **kw)
    assert out.case.state is CaseState.NEEDS_INFO
    assert out.case.proposed_date == proposed
    assert not any(isinstance(a, Schedule) for a in out.actions)
    mails = [a for a in out.actions if isinstance(a, SendMail)]
    assert [(m.kind, m.audience) for m in mails] == [
        (MailKind.CLARIFICATION, Audience.SENDER),
        (MailKind.NEW_CASE, C),
    ]
    (event,) = [a for a in out.actions if isinstance(a, RecordEvent) and a.kind == "order_needs_info"]
    assert says in event.detail and says in mails[1].detail
    if d is not None and not kw:  # why D is invalid; missing fields the template lists from the case itself
        assert says in mails[0].detail
    assert mails[0].to == (KOMMUNE,)


def test_amendment_completes_a_needs_info_case() -> None:
    """A reply with the missing version and a valid D turns the needs_info case active with a receipt; the
    coordinators, told of the case when it arrived, get an update (order_completed), not a second new_case."""
    sim = Sim()
    sim.order("2027-01-04 09:00", date(2027, 5, 17), versions=False)
    amendment = Order(None, date(2027, 5, 18), (OrderedType("PLO", "1.6"),), (), None)
    out = sim.feed(
        OrderAmended(amendment, KOMMUNE, "<a@m>", oslo("2027-01-05 10:00")), oslo("2027-01-05 10:00")
    )
    assert out.case.state is CaseState.ACTIVE
    assert out.case.activation_date == date(2027, 5, 18)
    assert out.case.message_types == (OrderedType("PLO", "1.6"), OrderedType("DIALOGMELDING", "1.1"))
    assert out.case.municipality == MALVIK and out.case.contact_email == KOMMUNE
    assert [m.kind for m in out.actions if isinstance(m, SendMail)] == [MailKind.RECEIPT, MailKind.ORDER_COMPLETED]


def test_amendment_still_incomplete_asks_again_without_new_case() -> None:
    """An amendment that leaves the order incomplete gets another clarification, no new new_case."""
    sim = Sim()
    sim.order("2027-01-04 09:00", None)
    out = sim.feed(
        OrderAmended(Order(None, date(2027, 5, 17), (), (), None), KOMMUNE, None, oslo("2027-01-05 10:00")),
        oslo("2027-01-05 10:00"),
    )
    assert out.case.state is CaseState.NEEDS_INFO
    assert [m.kind for m in out.actions if isinstance(m, SendMail)] == [MailKind.CLARIFICATION]


def test_schedule_omits_reminders_that_passed_before_the_order() -> None:
    """An order arriving after a reminder's time does not get that reminder fired at it later."""
    sim = Sim()
    sim.order("2027-02-15 09:00", date(2027, 3, 1))  # AR reminders (8.2, 11.2) already passed
    names = {(i.step, i.name) for i in sim.pending.values()}
    assert (AR, "kommune_week_before") not in names
    assert (AR, "escalation") in names


# --- the clock: catch-up, moves, closed cases -------------------------------------------------------


def test_downtime_sends_only_the_latest_item_per_step_and_audience() -> None:
    """A bot down over two reminders and the escalation sends the escalations once, not a burst."""
    sim = active_sim()
    out = sim.tick(oslo("2027-02-16 10:00"))
    assert out is not None
    assert sim.sent() == [
        ("2027-02-16 10:00", "ar_publisering", "escalation", "coordinators"),
        ("2027-02-16 10:00", "ar_publisering", "escalation", "kommune"),
    ]
    skipped = [a.item.name for a in out.actions if isinstance(a, FireDue) and not a.sent]
    assert skipped == ["kommune_week_before", "kommune_two_business_days_before"]
    assert sim.tick(oslo("2027-02-16 10:01")) is None  # nothing fires twice


def test_a_missed_reminder_is_sent_once_on_return() -> None:
    """A reminder due while the bot was down is sent once when it comes back."""
    sim = active_sim()
    sim.run_until("2027-02-08 08:00")
    sim.tick(oslo("2027-02-12 07:30"))
    sim.tick(oslo("2027-02-12 07:31"))
    assert sim.sent() == [
        ("2027-02-08 08:00", "ar_publisering", "reminder", "kommune"),
        ("2027-02-12 07:30", "ar_publisering", "reminder", "kommune"),
    ]


def test_moving_d_resends_reminders_for_the_new_deadline_once() -> None:
    """After ny dato the new deadlines are new keys: reminders already sent fire again, once each."""
    sim = active_sim()
    sim.run_until("2027-02-12 10:00")
    out = sim.command("2027-02-12 10:00", Command.NEW_DATE, new_date=date(2027, 3, 15))
    assert out.case.activation_date == date(2027, 3, 15)
    assert [(m.kind, m.audience) for m in out.actions if isinstance(m, SendMail)] == [
        (MailKind.DATE_CHANGED, K),
        (MailKind.COMMAND_RESULT, Audience.SENDER),
    ]
    sim.run_until("2027-03-01 16:00")
    ar_mails = [s for s in sim.sent() if s[1] == "ar_publisering"]
    assert ar_mails == [
        ("2027-02-08 08:00", "ar_publisering", "reminder", "kommune"),
        ("2027-02-11 08:00", "ar_publisering", "reminder", "kommune"),
        ("2027-02-22 08:00", "ar_publisering", "reminder", "kommune"),
        ("2027-02-25 08:00", "ar_publisering", "reminder", "kommune"),
        ("2027-03-01 16:00", "ar_publisering", "escalation", "coordinators"),
        ("2027-03-01 16:00", "ar_publisering", "escalation", "kommune"),
    ]


def test_items_of_an_old_deadline_are_skipped_if_still_delivered() -> None:
    """A due item computed for the old D is skipped as stale rather than sent."""
    sim = active_sim()
    stale = next(i for i in sim.pending.values() if i.step == AR and i.name == "escalation")
    sim.command("2027-02-12 10:00", Command.NEW_DATE, new_date=date(2027, 3, 15))
    out = sim.feed(DueReached((stale,), oslo("2027-02-15 16:00")), oslo("2027-02-15 16:00"))
    assert out.actions[0] == FireDue(stale, sent=False)
    assert not any(isinstance(a, SendMail) for a in out.actions)


@pytest.mark.parametrize("close", [Command.CANCEL, "activate"])
def test_closed_cases_get_no_reminders(close: Command | str) -> None:
    """Cancelled and activated cases skip every due item, even one delivered late."""
    sim = active_sim()
    items = tuple(sim.pending.values())
    if close == "activate":
        sim.command("2027-02-05 10:00", Command.CONFIRM, step=DM)
        assert sim.case is not None and sim.case.state is CaseState.ACTIVATED
    else:
        out = sim.command("2027-02-05 10:00", Command.CANCEL, text="kommunen trakk bestillingen")
        assert out.case.state is CaseState.CANCELLED
        assert Schedule(()) in out.actions
        assert SendMail(MailKind.CANCELLED, K, detail="kommunen trakk bestillingen") in out.actions
    assert sim.pending == {}
    before = len(sim.mails)
    out = sim.feed(DueReached(items, oslo("2027-03-02 10:00")), oslo("2027-03-02 10:00"))
    assert len(sim.mails) == before
    assert all(not a.sent for a in out.actions if isinstance(a, FireDue))


def test_done_step_gets_no_reminder_even_if_delivered() -> None:
    """A reminder for a step confirmed since it was scheduled is skipped, not sent."""
    sim = active_sim()
    item = next(i for i in sim.pending.values() if i.step == AR)
    sim.command("2027-02-05 10:00", Command.CONFIRM, Role.KOMMUNE)
    out = sim.feed(DueReached((item,), oslo("2027-02-08 08:00")), oslo("2027-02-08 08:00"))
    assert out.actions[0] == FireDue(item, sent=False)
    assert not any(isinstance(a, SendMail) for a in out.actions)


# --- commands ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "role", "step", "allowed"),
    [
        (Command.CONFIRM, Role.COORDINATOR, PA, True),
        (Command.CONFIRM, Role.COORDINATOR, None, True),
        (Command.CONFIRM, Role.KOMMUNE, AR, True),
        (Command.CONFIRM, Role.KOMMUNE, None, True),
        (Command.CONFIRM, Role.KOMMUNE, PA, False),
        (Command.CONFIRM, Role.KOMMUNE, DM, False),
        (Command.DEVIATION, Role.COORDINATOR, None, True),
        (Command.DEVIATION, Role.KOMMUNE, None, False),
        (Command.NEW_DATE, Role.COORDINATOR, None, True),
        (Command.NEW_DATE, Role.KOMMUNE, None, False),
        (Command.CANCEL, Role.COORDINATOR, None, True),
        (Command.CANCEL, Role.KOMMUNE, None, False),
        (Command.STATUS, Role.KOMMUNE, None, True),
        (Command.STATUS, Role.COORDINATOR, None, True),
        (Command.HELP, Role.KOMMUNE, None, True),
        (Command.HELP, Role.COORDINATOR, None, True),
        *((c, Role.STRANGER, None, False) for c in Command),
    ],
)
def test_authorize(command: Command, role: Role, step: str | None, allowed: bool) -> None:
    """SPEC §4: coordinators do all, the kommune confirms AR and asks status/help, strangers nothing
    (commands by their roles in rules/commands.yaml, steps by `confirmed_by` in routine.yaml)."""
    out = active_sim().command("2027-02-05 10:00", command, role, step=step, text="x", new_date=date(2027, 3, 15))
    refused = any(isinstance(a, RecordEvent) and a.kind == "command_refused" for a in out.actions)
    assert refused is not allowed


@pytest.mark.parametrize(
    ("command", "kw"),
    [
        (Command.DEVIATION, {"text": "feil"}),
        (Command.CANCEL, {}),
        (Command.NEW_DATE, {"new_date": date(2027, 3, 15)}),
        (Command.CONFIRM, {"step": PA}),
    ],
)
def test_kommune_refused_commands_change_nothing_and_get_an_answer(
    command: Command, kw: dict[str, object]
) -> None:
    """A kommune trying avvik/avbryt/ny dato/partner confirmation changes nothing and is told why."""
    sim = active_sim()
    before = sim.case
    out = sim.command("2027-02-05 10:00", command, Role.KOMMUNE, **kw)
    assert out.case == before
    assert out.actions[0].kind == "command_refused"  # type: ignore[union-attr]
    (reply,) = [a for a in out.actions if isinstance(a, SendMail)]
    assert (reply.kind, reply.audience, reply.to) == (MailKind.COMMAND_RESULT, Audience.SENDER, (KOMMUNE,))
    assert "koordinator" in reply.detail or "bare" in reply.detail.lower()


@pytest.mark.parametrize("command", list(Command))
def test_strangers_get_no_mail(command: Command) -> None:
    """A stranger's command is logged and refused without any mail (no backscatter)."""
    sim = active_sim()
    out = sim.command("2027-02-05 10:00", command, Role.STRANGER, text="x", new_date=date(2027, 3, 15))
    assert out.case == sim.case
    assert [type(a) for a in out.actions] == [RecordEvent]


def test_failed_authentication_refuses_even_a_coordinator() -> None:
    """A command intake marked as unauthenticated (dmarc) is refused with that reason."""
    sim = active_sim()
    out = sim.command("2027-02-05 10:00", Command.CANCEL, refused_reason="DMARC ikke bestått")
    assert out.case.state is CaseState.ACTIVE
    assert [a.detail for a in out.actions if isinstance(a, SendMail)] == ["DMARC ikke bestått"]


def test_second_confirmation_is_already_confirmed() -> None:
    """Confirming a done step again answers "allerede bekreftet" and changes nothing."""
    sim = active_sim()
    sim.command("2027-02-05 10:00", Command.CONFIRM, Role.KOMMUNE, step=AR)
    before = sim.case
    out = sim.command("2027-02-06 10:00", Command.CONFIRM, step=AR)
    assert out.case == before
    (reply,) = [a for a in out.actions if isinstance(a, SendMail)]
    assert reply.kind is MailKind.COMMAND_RESULT and "allerede bekreftet" in reply.detail


@pytest.mark.parametrize(
    ("parts", "done", "confirmed"),
    [
        ([("st_olav",)], False, {"st_olav"}),
        ([("st_olav",), ("hnt",)], False, {"st_olav", "hnt"}),
        ([("st_olav",), ("hnt",), ("hmr",)], True, {"st_olav", "hnt", "hmr"}),
        ([("st_olav", "hmr")], False, {"st_olav", "hmr"}),
        ([("st_olav", "hmr"), ("hnt",)], True, {"st_olav", "hnt", "hmr"}),
        ([()], True, {"st_olav", "hnt", "hmr"}),
        ([("hmr",), ()], True, {"st_olav", "hnt", "hmr"}),
    ],
)
def test_partner_agreements_per_health_trust_or_all_at_once(
    parts: list[tuple[str, ...]], done: bool, confirmed: set[str]
) -> None:
    """Partneravtaler is done when all three HF are confirmed, one or several at a time, or all at once."""
    sim = active_sim()
    for named in parts:
        sim.command("2027-02-05 10:00", Command.CONFIRM, step=PA, parts=named)
    assert sim.case is not None
    state = sim.case.step(PA)
    assert state.done is done
    assert state.confirmed_parts == confirmed


def test_unknown_health_trust_is_answered() -> None:
    """A partner confirmation naming an unknown HF changes nothing and lists the valid keys."""
    sim = active_sim()
    out = sim.command("2027-02-05 10:00", Command.CONFIRM, step=PA, parts=("helse_bergen",))
    assert out.case == sim.case and not out.case.step(PA).confirmed_parts
    assert "st_olav" in next(a.detail for a in out.actions if isinstance(a, SendMail))


@pytest.mark.parametrize(
    ("role", "done_before", "expected"),
    [
        (Role.COORDINATOR, [], AR),
        (Role.COORDINATOR, [AR], PA),
        (Role.COORDINATOR, [AR, PA, TM], DM),
        (Role.KOMMUNE, [], AR),
    ],
)
def test_confirm_without_step_takes_the_earliest_open_step(
    role: Role, done_before: list[str], expected: str
) -> None:
    """A bare "ok" confirms the earliest open step the sender may confirm."""
    sim = active_sim()
    for step in done_before:
        sim.command("2027-02-05 09:00", Command.CONFIRM, step=step)
    sim.command("2027-02-05 10:00", Command.CONFIRM, role)
    assert sim.case is not None and sim.case.step(expected).done


def test_confirming_a_step_by_the_kommune_answers_the_kommune_only() -> None:
    """The kommune's own AR confirmation gets one step_confirmed back to the sender."""
    sim = active_sim()
    out = sim.command("2027-02-05 10:00", Command.CONFIRM, Role.KOMMUNE, step=AR)
    mails = [a for a in out.actions if isinstance(a, SendMail)]
    assert [(m.kind, m.audience, m.to) for m in mails] == [
        (MailKind.STEP_CONFIRMED, Audience.SENDER, (KOMMUNE,))
    ]
    assert out.case.step(AR).done_by == KOMMUNE


def test_dialogmelding_confirmation_activates() -> None:
    """Verifying the dialogmelding activates the case and tells kommune and coordinators."""
    sim = active_sim()
    out = sim.command("2027-03-01 10:00", Command.CONFIRM, step=DM)
    assert out.case.state is CaseState.ACTIVATED
    assert out.case.step("aktivering").done
    assert Schedule(()) in out.actions
    mails = [(a.kind, a.audience) for a in out.actions if isinstance(a, SendMail)]
    assert mails == [(MailKind.ACTIVATED, K), (MailKind.ACTIVATED, C)]


def test_deviation_is_recorded_and_sent_to_the_kommune() -> None:
    """avvik: records a deviation and mails its text to the kommune's meldingsansvarlig."""
    sim = active_sim()
    out = sim.command("2027-02-23 10:00", Command.DEVIATION, text="Apprec mangler fra St. Olav")
    assert [(d.text, d.by) for d in out.case.deviations] == [("Apprec mangler fra St. Olav", COORD)]
    assert SendMail(MailKind.DEVIATION, K, None, detail="Apprec mangler fra St. Olav") in out.actions


@pytest.mark.parametrize(
    ("now", "new_d", "proposal"),
    [
        ("2027-02-05 10:00", date(2027, 5, 17), "18.05.2027"),  # a holiday
        ("2027-02-05 10:00", date(2027, 2, 15), "19.02.2027"),  # AR deadline would have passed
        ("2027-02-05 10:00", date(2027, 2, 1), None),  # in the past
        ("2027-02-05 10:00", date(9999, 2, 1), None),  # more than max_lead_days ahead
    ],
)
def test_invalid_new_date_is_refused_with_a_proposal(now: str, new_d: date, proposal: str | None) -> None:
    """ny dato to a non-business day or too close to now changes nothing and proposes a valid date."""
    sim = active_sim()
    out = sim.command(now, Command.NEW_DATE, new_date=new_d)
    assert out.case == sim.case and out.case.activation_date == date(2027, 3, 1)
    (reply,) = [a for a in out.actions if isinstance(a, SendMail)]
    assert reply.kind is MailKind.COMMAND_RESULT
    if proposal is not None:
        assert f"Forslag: {proposal}" in reply.detail


def test_short_move_allowed_once_early_steps_are_done() -> None:
    """After AR and partner agreements are done, D can move by a few days after a test-week avvik."""
    sim = active_sim()
    sim.command("2027-02-10 10:00", Command.CONFIRM, step=AR)
    sim.command("2027-02-10 10:00", Command.CONFIRM, step=PA)
    out = sim.command("2027-02-23 10:00", Command.NEW_DATE, new_date=date(2027, 3, 8))
    assert out.case.activation_date == date(2027, 3, 8)


def test_new_date_on_needs_info_completes_the_order() -> None:
    """A coordinator's ny dato on a needs_info case is validated as the order's D and can accept it."""
    sim = Sim()
    sim.order("2027-01-04 09:00", date(2027, 5, 17))
    out = sim.command("2027-01-05 09:00", Command.NEW_DATE, new_date=date(2027, 5, 18))
    assert out.case.state is CaseState.ACTIVE
    assert MailKind.RECEIPT in [a.kind for a in out.actions if isinstance(a, SendMail)]


@pytest.mark.parametrize("command", [Command.STATUS, Command.HELP])
@pytest.mark.parametrize("role", [Role.KOMMUNE, Role.COORDINATOR])
def test_status_and_help_answer_the_sender(command: Command, role: Role) -> None:
    """status and hjelp answer the sender with a command_result and change nothing."""
    sim = active_sim()
    out = sim.command("2027-02-16 10:00", command, role)
    assert out.case == sim.case
    (reply,) = [a for a in out.actions if isinstance(a, SendMail)]
    assert reply.kind is MailKind.COMMAND_RESULT and reply.audience is Audience.SENDER
    assert reply.detail == ""  # the command_result template shows the status and the commands


@pytest.mark.parametrize("command", [Command.CONFIRM, Command.DEVIATION, Command.NEW_DATE, Command.CANCEL])
def test_closed_case_refuses_state_changes_politely(command: Command) -> None:
    """On a cancelled case every state-changing command is answered "saken er avsluttet"."""
    sim = active_sim()
    sim.command("2027-02-05 10:00", Command.CANCEL)
    before = sim.case
    out = sim.command("2027-02-06 10:00", command, step=AR, text="x", new_date=date(2027, 3, 15))
    assert out.case == before
    (reply,) = [a for a in out.actions if isinstance(a, SendMail)]
    assert "avsluttet" in reply.detail


# --- other inbound mail -----------------------------------------------------------------------------


def test_reply_without_command_is_forwarded() -> None:
    """A reply with no command is recorded and forwarded to the coordinators."""
    sim = active_sim()
    out = sim.feed(
        ReplyReceived(KOMMUNE, Role.KOMMUNE, "<r@m>", oslo("2027-02-05 10:00"), "Hei, et spørsmål"), sim.now
    )
    assert SendMail(MailKind.FORWARD, C, detail="Hei, et spørsmål") in out.actions
    assert out.case == sim.case


def test_auto_reply_is_only_logged() -> None:
    """An out-of-office reply is recorded and nothing else happens."""
    sim = active_sim()
    out = sim.feed(AutoReplyReceived(KOMMUNE, "<oof@m>", oslo("2027-02-05 10:00")), oslo("2027-02-05 10:00"))
    assert [type(a) for a in out.actions] == [RecordEvent]


@pytest.mark.parametrize(("permanent", "marked", "mails"), [(True, (KOMMUNE,), 1), (False, (), 0)])
def test_bounce_marks_recipient_and_tells_coordinators(
    permanent: bool, marked: tuple[str, ...], mails: int
) -> None:
    """A permanent bounce marks the recipient undeliverable and tells coordinators; a transient is logged."""
    sim = active_sim()
    out = sim.feed(BounceReceived(KOMMUNE, "5.1.1" if permanent else "4.2.2", permanent, sim.now), sim.now)
    assert out.case.undeliverable == marked
    assert len([a for a in out.actions if isinstance(a, SendMail)]) == mails


@pytest.mark.parametrize(("coordinator", "mails"), [(False, 1), (True, 0)])
def test_a_refused_delivery_is_an_engine_event(coordinator: bool, mails: int) -> None:
    """A 5xx at sending marks the address undeliverable on the case and tells the coordinators once (never
    about a coordinator's own address, where the notice would only fail again)."""
    sim = active_sim()
    failed = DeliveryFailed(KOMMUNE, "550 5.1.1 no such user", coordinator, sim.now)
    out = sim.feed(failed, sim.now)
    assert out.case.undeliverable == (KOMMUNE,)
    assert [a.kind for a in out.actions if isinstance(a, RecordEvent)] == ["undeliverable"]
    assert len([a for a in out.actions if isinstance(a, SendMail)]) == mails
    again = sim.feed(failed, sim.now)
    assert not [a for a in again.actions if isinstance(a, SendMail)]


def test_a_second_bounce_for_a_known_undeliverable_address_tells_nobody() -> None:
    """The coordinators hear about an undeliverable address once; later bounces for it are only recorded."""
    sim = active_sim()
    sim.feed(BounceReceived(KOMMUNE, "5.1.1", True, sim.now), sim.now)
    out = sim.feed(BounceReceived(KOMMUNE, "5.1.1", True, sim.now), sim.now)
    assert [a.kind for a in out.actions if isinstance(a, RecordEvent)] == ["bounce_repeated"]
    assert not [a for a in out.actions if isinstance(a, SendMail)]


# --- contacts outside the kommune's domain ----------------------------------------------------------

OUTSIDE = "victim@gmail.example"


def _order_naming(contact: str, d: date = date(2027, 3, 1)) -> Decision:
    sim = Sim()
    order = replace(make_order(d), contact_email=contact)
    return sim.feed(OrderReceived("OPK-1", order, "x1@malvik.kommune.no", "<o@x>", oslo("2027-02-01 09:00")),
                    oslo("2027-02-01 09:00"))


def test_an_outside_contact_is_held_and_the_coordinators_are_asked() -> None:
    """The case opens, but the outside contact gets no receipt and no place on the case until approved."""
    out = _order_naming(OUTSIDE)
    assert out.case.state is CaseState.ACTIVE and out.case.contact_email is None
    assert ("contact_pending", OUTSIDE) in [(a.kind, a.detail) for a in out.actions if isinstance(a, RecordEvent)]
    mails = [a for a in out.actions if isinstance(a, SendMail)]
    assert [(m.kind, m.audience) for m in mails] == [(MailKind.RECEIPT, K), (MailKind.NEW_CASE, C),
                                                     (MailKind.NOTICE, C)]
    assert OUTSIDE in mails[-1].detail and "godkjenn kontakt" in mails[-1].detail


@pytest.mark.parametrize("contact", ["ola@malvik.kommune.no", "OLA@Malvik.Kommune.no"])
def test_a_contact_at_the_kommunes_domain_is_kept(contact: str) -> None:
    """A contact at the kommune's own domain needs no approval."""
    out = _order_naming(contact)
    assert out.case.contact_email == contact
    assert not [a for a in out.actions if isinstance(a, RecordEvent) and a.kind == "contact_pending"]


def test_approving_the_contact_gives_it_the_case_and_its_receipt() -> None:
    """`godkjenn kontakt` with the pending address makes it the contact; an active case sends it the receipt."""
    sim = Sim()
    sim.case = _order_naming(OUTSIDE).case
    out = sim.command("2027-02-02 10:00", Command.APPROVE_CONTACT, text=OUTSIDE)
    assert out.case.contact_email == OUTSIDE
    assert [(a.kind, a.audience, a.to) for a in out.actions if isinstance(a, SendMail)] == [
        (MailKind.COMMAND_RESULT, Audience.SENDER, (COORD,)), (MailKind.RECEIPT, Audience.SENDER, (OUTSIDE,))]


def test_approving_without_a_pending_contact_changes_nothing() -> None:
    """Nothing pending: the coordinator is told so and the case stays as it was."""
    sim = active_sim()
    before = sim.case
    out = sim.command("2027-02-02 10:00", Command.APPROVE_CONTACT, text="")
    assert out.case == before


def test_only_a_coordinator_approves_a_contact() -> None:
    """A kommune cannot approve a contact, not even one it named."""
    sim = Sim()
    sim.case = _order_naming(OUTSIDE).case
    out = sim.command("2027-02-02 10:00", Command.APPROVE_CONTACT, Role.KOMMUNE, text=OUTSIDE)
    assert out.case.contact_email is None


def test_an_amendment_naming_an_outside_contact_keeps_the_old_one() -> None:
    """A needs_info reply that names an outside contact is held too; the contact on the case stays."""
    sim = Sim()
    sim.order("2027-02-01 09:00", None)
    assert sim.case is not None and sim.case.contact_email == KOMMUNE
    amended = replace(make_order(date(2027, 3, 1)), contact_email=OUTSIDE)
    out = sim.feed(OrderAmended(amended, KOMMUNE, "<a@x>", oslo("2027-02-01 10:00")), oslo("2027-02-01 10:00"))
    assert out.case.contact_email == KOMMUNE
    assert ("contact_pending", OUTSIDE) in [(a.kind, a.detail) for a in out.actions if isinstance(a, RecordEvent)]


# --- views: status, timeline ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "step", "status"),
    [
        ("2027-02-15 15:59", AR, StepStatus.PENDING),
        ("2027-02-15 16:00", AR, StepStatus.OVERDUE),
        ("2027-02-22 07:59", PA, StepStatus.PENDING),
        ("2027-02-22 08:00", PA, StepStatus.OVERDUE),
        ("2027-03-01 15:00", DM, StepStatus.OVERDUE),
        ("2027-02-01 10:00", "bestilling", StepStatus.DONE),
        ("2027-03-02 10:00", "aktivering", StepStatus.PENDING),
    ],
)
def test_step_status(now: str, step: str, status: StepStatus) -> None:
    """A step is overdue from its deadline on, done when confirmed, else pending."""
    case = active_sim().case
    assert case is not None
    assert step_status(case, step, oslo(now), PLAN, CAL) is status


def test_timeline_lists_who_does_what_by_when() -> None:
    """The timeline has the order, each deadline and the test and dialogmelding events in time order."""
    case = active_sim().case
    assert case is not None
    got = [(local(e.at), e.step, e.owner, e.kind) for e in timeline(case, PLAN, CAL)]
    assert got == [
        ("2027-02-01 09:00", "bestilling", "kommune", "event"),
        ("2027-02-15 16:00", "ar_publisering", "kommune", "deadline"),
        ("2027-02-22 08:00", "partneravtaler", "coordinators", "deadline"),
        ("2027-02-22 08:00", "testmeldinger", "coordinators", "event"),
        ("2027-02-24 16:00", "testmeldinger", "coordinators", "deadline"),
        ("2027-03-01 09:00", "dialogmelding", "coordinators", "event"),
        ("2027-03-01 15:00", "dialogmelding", "coordinators", "deadline"),
        ("2027-03-01 15:00", "aktivering", "bot", "event"),
    ]
    assert all(e.label for e in timeline(case, PLAN, CAL))


def test_engine_is_pure() -> None:
    """The same input gives the same output, and the input case is not modified."""
    sim = active_sim()
    case = sim.case
    ev = CommandReceived(Command.CONFIRM, COORD, Role.COORDINATOR, None, oslo("2027-02-05 10:00"), step=AR)
    first = handle(case, ev, oslo("2027-02-05 10:00"), PLAN, CAL)
    second = handle(case, ev, oslo("2027-02-05 10:00"), PLAN, CAL)
    assert first == second
    assert case is not None and not case.step(AR).done
    assert replace(first.case, steps=case.steps) == case
