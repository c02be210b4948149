"""Writing units of one process take turns in the order they asked (bot.store.turns)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from bot.store.turns import Turns


def _until(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.001)


def _queue(turns: Turns, name: str, order: list[str]) -> threading.Thread:
    """A thread that takes a turn, notes its name and lets go; returned once it waits in the queue."""
    before = turns.waiting()

    def work() -> None:
        with turns.turn():
            order.append(name)

    thread = threading.Thread(target=work)
    thread.start()
    _until(lambda: turns.waiting() == before + 1)
    return thread


def test_units_get_their_turn_in_the_order_they_asked_even_if_the_holder_asks_again() -> None:
    """The unit that held the turn and asks again at once queues behind those already waiting."""
    turns = Turns(timeout_s=30)
    order: list[str] = []
    with turns.turn():
        second = _queue(turns, "second", order)
        third = _queue(turns, "third", order)
        assert turns.waiting() == 2
        order.append("first")
    with turns.turn():
        order.append("first again")
    second.join()
    third.join()
    assert order == ["first", "second", "third", "first again"]
    assert turns.waiting() == 0


def test_a_unit_that_waits_too_long_gives_up_and_the_next_in_line_still_gets_its_turn() -> None:
    """Waiting ends with TimeoutError after the timeout; the place it gave up is skipped, not waited for."""
    turns = Turns(timeout_s=0.2)
    order: list[str] = []
    gave_up: list[BaseException] = []

    def impatient() -> None:
        try:
            with turns.turn():
                order.append("impatient")
        except TimeoutError as exc:
            gave_up.append(exc)

    with turns.turn():
        waiter = threading.Thread(target=impatient)
        waiter.start()
        waiter.join()
        turns.timeout_s = 30
        patient = _queue(turns, "patient", order)
        assert turns.waiting() == 1
    patient.join()
    assert order == ["patient"]
    assert len(gave_up) == 1 and "waited 0.2 s" in str(gave_up[0])
    with turns.turn():
        assert turns.waiting() == 0


def test_a_unit_opened_inside_another_on_the_same_thread_does_not_wait_for_itself() -> None:
    """A nested unit goes on at once (the database's own lock decides, as without the queue)."""
    turns = Turns(timeout_s=0.5)
    with turns.turn(), turns.turn():
        assert turns.waiting() == 0
    with turns.turn():  # the outer turn was handed on exactly once
        pass


def test_an_error_inside_a_turn_hands_the_turn_on() -> None:
    """A unit that fails still lets the next one in."""
    turns = Turns(timeout_s=1)
    with pytest.raises(ValueError), turns.turn():
        raise ValueError("boom")
    with turns.turn():
        pass
