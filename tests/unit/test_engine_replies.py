"""Issue 13 in the engine: confirmations quote their sentence, a step can be reopened, the kommune hears that
its reply went to a person."""

from __future__ import annotations

from test_engine import AR, KOMMUNE, PA, Sim, active_sim, oslo

from bot.domain import Audience, MailKind, Role
from bot.routine.actions import Command, RecordEvent, ReplyReceived, SendMail

TEST = "testmeldinger"


def mails(out_actions: tuple[object, ...], kind: MailKind) -> list[SendMail]:
    return [a for a in out_actions if isinstance(a, SendMail) and a.kind is kind]


def recorded(sim: Sim) -> list[str]:
    return [r.kind for r in sim.records]


def test_a_confirmation_quotes_the_sentence_it_was_read_from() -> None:
    """Every step_confirmed carries the sentence, for the sender and for the kommune told of the progress."""
    sim = active_sim()
    out = sim.command("2027-02-05 10:00", Command.CONFIRM, step=TEST, sentence="Apprec kom tilbake som de skulle.")
    confirmed = mails(out.actions, MailKind.STEP_CONFIRMED)
    assert {m.audience for m in confirmed} == {Audience.SENDER, Audience.KOMMUNE}
    assert all(m.quote == "Apprec kom tilbake som de skulle." for m in confirmed)


def test_reopening_makes_the_step_pending_and_its_reminders_come_again() -> None:
    """gjenåpne: the step is open, the reminders still to come are scheduled, and the log keeps both events."""
    sim = active_sim()
    sim.command("2027-02-05 10:00", Command.CONFIRM, Role.KOMMUNE, step=AR, sentence="Publisert i AR.")
    assert sim.case is not None and sim.case.step(AR).done
    out = sim.command("2027-02-06 10:00", Command.REOPEN, step=AR, sentence="gjenåpne AR")
    assert not out.case.step(AR).done
    assert {i.name for i in sim.pending.values() if i.step == AR} >= {"kommune_week_before", "escalation"}
    assert recorded(sim).index("step_done") < recorded(sim).index("step_reopened")
    reopened = mails(out.actions, MailKind.STEP_REOPENED)
    assert {m.audience for m in reopened} == {Audience.SENDER, Audience.KOMMUNE}
    sim.run_until("2027-02-09 00:00")
    assert ("2027-02-08 08:00", AR, "reminder", "kommune") in sim.sent()


def test_reopening_one_health_trust_keeps_the_others() -> None:
    """gjenåpne partneravtale HNT drops HNT only; the step is no longer done."""
    sim = active_sim()
    sim.command("2027-02-05 10:00", Command.CONFIRM, step=PA)
    out = sim.command("2027-02-06 10:00", Command.REOPEN, step=PA, parts=("hnt",))
    state = out.case.step(PA)
    assert not state.done and state.confirmed_parts == {"st_olav", "hmr"}


def test_reopening_the_test_step_takes_back_the_deactivation() -> None:
    """What completing the step did (deactivated until D) is undone with it."""
    sim = active_sim()
    sim.command("2027-02-22 10:00", Command.CONFIRM, step=TEST)
    assert sim.case is not None and sim.case.service_deactivated_until_d
    out = sim.command("2027-02-22 11:00", Command.REOPEN, step=TEST)
    assert not out.case.service_deactivated_until_d and not out.case.step(TEST).done


def test_reopening_a_step_that_is_not_confirmed_changes_nothing() -> None:
    """Nothing to undo: the sender is told, the case is unchanged."""
    sim = active_sim()
    before = sim.case
    out = sim.command("2027-02-06 10:00", Command.REOPEN, step=AR)
    assert out.case == before
    (answer,) = [a for a in out.actions if isinstance(a, SendMail)]
    assert answer.kind is MailKind.COMMAND_RESULT and "ikke bekreftet" in answer.detail


def test_only_who_may_confirm_a_step_may_reopen_it() -> None:
    """The kommune may reopen AR (its own step), not the coordinators' partneravtaler."""
    sim = active_sim()
    sim.command("2027-02-05 10:00", Command.CONFIRM, step=PA)
    out = sim.command("2027-02-06 10:00", Command.REOPEN, Role.KOMMUNE, step=PA)
    assert out.case.step(PA).done
    assert any(isinstance(a, RecordEvent) and a.kind == "command_refused" for a in out.actions)
    sim.command("2027-02-06 11:00", Command.CONFIRM, Role.KOMMUNE, step=AR)
    out = sim.command("2027-02-06 12:00", Command.REOPEN, Role.KOMMUNE, step=AR)
    assert not out.case.step(AR).done
    assert {m.audience for m in mails(out.actions, MailKind.STEP_REOPENED)} == {Audience.SENDER,
                                                                                  Audience.COORDINATORS}


def test_a_kommune_reply_without_command_gets_a_short_answer() -> None:
    """Forwarded to the coordinators, and the kommune is told a person reads it; a coordinator is not."""
    sim = active_sim()
    out = sim.feed(ReplyReceived(KOMMUNE, Role.KOMMUNE, "<r@m>", oslo("2027-02-05 10:00"), "Vi rekker ikke fredag"),
                   sim.now)
    (ack,) = mails(out.actions, MailKind.REPLY_FORWARDED)
    assert ack.audience is Audience.SENDER and ack.to == (KOMMUNE,) and ack.in_reply_to == "<r@m>"
    out = sim.feed(ReplyReceived("koord@hemit.no", Role.COORDINATOR, "<c@m>", oslo("2027-02-05 11:00"), "Notert"),
                   sim.now)
    assert not mails(out.actions, MailKind.REPLY_FORWARDED)
