"""Scores intake on the blind held-out replies (heldout/README.md): `python -m tests.replies.score_heldout`.

A scored benchmark, not a regression test: the set was scored once before issue 13's work and once after it,
and nothing was tuned on it (a threshold here would invite exactly that). Figures (123 replies):

    before (f486c8b, main + the set): commands right 79/123; wrong confirmations 0; missed 44; other wrong 0
                                      text right 8/123 (115 kept extra lines at the end, none lost a line)
    after (issue 13, scored once):    commands right 117/123; wrong confirmations 1; missed 4; other wrong 1
                                      text right 60/123 (63 kept extra lines at the end, none lost a line)
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bot.intake.understand import IntakeRules, load_intake_rules, parse_json, understand

HELDOUT = Path(__file__).parent / "heldout"
OWN_ADDRESS = "meldingsansvarlig@helse-midt.no"
TRUSTS = frozenset({"st_olav", "hnt", "hmr"})
PART_STEP = "partneravtaler"
RESOLVED = ("confirm", "reopen")  # commands whose step is scored


@dataclass(frozen=True)
class Reading:
    """What intake made of one message: the command (as `parse --json` shows it) and the new text."""

    command: dict[str, object] | None
    text: str
    html_only: bool


def read(path: Path, rules: IntakeRules) -> Reading:
    u = understand(path.read_bytes(), rules, own_address=OWN_ADDRESS)
    shown = parse_json(u)
    return Reading(shown["command"], u.cut.new_text, u.message.body_is_html)  # type: ignore[arg-type]


def normal_text(text: str, *, html_only: bool) -> str:
    """Trailing spaces stripped, runs of blank lines collapsed (dropped for HTML-only mail)."""
    lines = [line.rstrip() for line in text.strip("\n").split("\n")]
    out: list[str] = []
    for line in lines:
        if not line and (html_only or not out or not out[-1]):
            continue
        out.append(line)
    return "\n".join(out).strip()


def _parts(command: dict[str, object], step: object) -> frozenset[str]:
    """A confirmation of the per-trust step that names no trust (or "alle") confirms all three."""
    named = command.get("parts") or []
    assert isinstance(named, list)
    return frozenset(named) if named or step != PART_STEP else TRUSTS


def verdict(expected: dict[str, object], got: dict[str, object] | None, replied_to: object) -> str:
    """`right`, `missed` (a command not read), `wrong_confirmation` (the costly error) or `wrong`."""
    if expected is None:
        if got is None:
            return "right"
        return "wrong_confirmation" if got["name"] in RESOLVED else "wrong"
    if got is None:
        return "missed"
    name = expected["name"]
    if got["name"] != name:
        return "wrong_confirmation" if got["name"] in RESOLVED else "wrong"
    if name in RESOLVED:
        want_step, got_step = expected["step"] or replied_to, got["step"] or replied_to
        if want_step != got_step or _parts(expected, want_step) != _parts(got, got_step):
            return "wrong_confirmation"
    if name == "new_date" and expected["date"] != got["date"]:
        return "wrong"
    return "right"


def lost(expected: str, got: str) -> bool:
    """Some line of the expected new text is missing from what intake kept."""
    kept = {line.strip() for line in got.split("\n")}
    return any(line.strip() and line.strip() not in kept for line in expected.split("\n"))


def score(folder: Path = HELDOUT) -> tuple[Counter[str], int, list[str]]:
    rules = load_intake_rules()
    outcomes: Counter[str] = Counter()
    text_right = 0
    notes: list[str] = []
    for path in sorted(folder.glob("*.eml")):
        expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        reading = read(path, rules)
        outcome = verdict(expected["command"], reading.command, expected["replied_to_step"])
        outcomes[outcome] += 1
        if outcome != "right":
            notes.append(f"{path.stem}: {outcome}: got {json.dumps(reading.command, ensure_ascii=False)}")
        want = normal_text(expected["text"], html_only=reading.html_only)
        if normal_text(reading.text, html_only=reading.html_only) == want:
            text_right += 1
        else:
            notes.append(f"{path.stem}: text differs")
        if lost(want, reading.text):
            outcomes["text_lost"] += 1
    return outcomes, text_right, notes


def main(argv: list[str]) -> int:
    outcomes, text_right, notes = score()
    total = sum(n for k, n in outcomes.items() if k != "text_lost")
    if "-v" in argv:
        print("\n".join(notes))
    print(f"held-out replies: {total}")
    print(f"commands right: {outcomes['right']}/{total}; wrong confirmations: {outcomes['wrong_confirmation']}; "
          f"missed: {outcomes['missed']}; other wrong: {outcomes['wrong']}")
    print(f"text right: {text_right}/{total}; replies that lost a line of new text: {outcomes['text_lost']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
