"""The held-out replies' scorer (tests/replies/score_heldout.py) judges readings as its README says."""

from __future__ import annotations

from replies.score_heldout import lost, normal_text, verdict

AR, PA = "ar_publisering", "partneravtaler"


def confirm(step: str | None = None, parts: list[str] | None = None) -> dict[str, object]:
    return {"name": "confirm", "step": step, "parts": parts, "date": None}


def test_a_confirmation_where_nothing_was_said_is_the_costly_error() -> None:
    """Reading a confirm (or reopen) into a reply that says nothing, or another step or trust, is counted apart."""
    assert verdict(None, confirm(AR), AR) == "wrong_confirmation"
    assert verdict(confirm(AR), confirm(PA, ["hnt"]), AR) == "wrong_confirmation"
    assert verdict(confirm(PA, ["hnt"]), confirm(PA, ["hnt", "hmr"]), PA) == "wrong_confirmation"
    assert verdict(confirm(AR), None, AR) == "missed"
    assert verdict(None, {"name": "help", "step": None, "parts": None, "date": None}, AR) == "wrong"


def test_the_step_may_be_named_or_implicit_and_parts_compare_as_sets() -> None:
    """`step or replied_to_step` on both sides; parts as sets; no trust named on the per-trust step means all."""
    assert verdict(confirm(None), confirm(AR), AR) == "right"
    assert verdict(confirm(PA, ["hnt", "st_olav"]), confirm(None, ["st_olav", "hnt"]), PA) == "right"
    assert verdict(confirm(PA, ["st_olav", "hnt", "hmr"]), confirm(PA), PA) == "right"


def test_text_is_compared_without_trailing_spaces_and_blank_line_runs() -> None:
    """Blank-line runs collapse (HTML-only mail: dropped); a line missing from what was kept is a loss."""
    assert normal_text("Hei!  \n\n\n\nPublisert.\n", html_only=False) == "Hei!\n\nPublisert."
    assert normal_text("Hei!\n\nPublisert.", html_only=True) == "Hei!\nPublisert."
    assert lost("Hei!\nPublisert.", "Hei!") and not lost("Hei!", "Hei!\nMvh Kari")
