"""Quote and signature cutting measured on replies paraphrased from four public trimmers' test suites (issue 13)."""

from __future__ import annotations

import pytest
from replies import public_suites

CASES = public_suites.CASES


def test_at_least_95_percent_of_the_public_suite_replies_are_right(capsys: pytest.CaptureFixture[str]) -> None:
    """The trimming target: 95 % of the paraphrased public-suite replies cut exactly right (figure printed)."""
    right, wrong, _lost = public_suites.score()
    with capsys.disabled():
        print(f"\npublic-suite replies right: {right}/{len(CASES)} ({100 * right / len(CASES):.1f} %)")
    assert len(CASES) >= 100
    assert right >= 0.95 * len(CASES), [c.name for c, _ in wrong]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.suite}: {c.name}" for c in CASES])
def test_no_line_of_new_text_is_lost(case: public_suites.Case) -> None:
    """Whatever else happens, every line the sender wrote now survives the cut."""
    assert public_suites.lost_lines(case, public_suites.new_text(case.text)) == []
