"""What one sentence says about the routine's steps: done, not done (and why), or nothing (rules/commands.yaml)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.intake.command_registry import ALL_PARTS, CommandRules
from bot.intake.sentences import Unit
from bot.routine.actions import Command

# Why a sentence (or one clause of it) does not say that something is done.
VETOES = ("neg", "future", "notyet", "remain", "doubt", "partial", "problem", "question")
# These lose their force before a verb of saying: "Vi kan bekrefte at …", "Vil bare si at det er gjort".
_BEFORE_SPEECH = frozenset({"future", "doubt", "partial"})
_BOUNDARIES = frozenset({",", ";", "–", "—", "men", "but", "mens", "while", "(", ")"})
_BARE_OK = ("weak", "step", "mention", "part", "conn", "trail", "greet", "polite")


@dataclass(frozen=True)
class Reading:
    """One sentence's reading: what it confirms (if anything), and what any sentence says that could veto."""

    confirms: bool
    step: str | None  # the step it names (None: none named, or several)
    parts: tuple[str, ...]  # the health trusts it confirms, in order; all of them for "alle"
    weak: bool  # a bare "ok" / "ja": counts only in a reply that says nothing else
    vetoes: frozenset[str]  # the veto kinds it holds (a question, a plan, a problem, …)
    names: frozenset[str]  # every step it names or is about, also weakly and by its verbs
    trusts: frozenset[str]  # every health trust it names
    has_done: bool  # it holds a done word, counted or not ("ikke ferdig")
    reports_problem: bool = False  # it says something is wrong (not "Hvis dere ser feil, …", not a question)


def _reports_problem(units: Sequence[Unit], vetoes: set[str]) -> bool:
    """A problem said as a fact: not asked about, not under a condition ("Hvis dere ser noe feil, si fra")."""
    if "problem" not in vetoes or "question" in vetoes:
        return False
    first = next(i for i, u in enumerate(units) if u.has("problem"))
    return not any(u.has("cond") or u.has("condopen") for u in units[:first])


def _segments(units: Sequence[Unit]) -> list[list[Unit]]:
    """The sentence's clauses, split at commas, dashes and "men"."""
    out: list[list[Unit]] = [[]]
    for u in units:
        if u.text in _BOUNDARIES:
            out.append([])
        else:
            out[-1].append(u)
    return [s for s in out if s]


def _counted_done(units: Sequence[Unit], i: int) -> bool:
    """A done word counts unless a new object follows a general one ("gjort en endring", "registrert ny
    kontaktperson"); a step's own done word keeps its meaning ("publisert nye tjenester")."""
    u = units[i]
    if not (u.has("done") or u.has("named_done") or u.value("cmd") == Command.CONFIRM):
        return False
    own = any(v for v in u.values("done"))
    return own or not (i + 1 < len(units) and units[i + 1].has("obj"))


def _vetoes(segment: Sequence[Unit]) -> set[str]:
    found: set[str] = set()
    for i, u in enumerate(segment):
        for kind in VETOES:
            if not u.has(kind):
                continue
            if kind in _BEFORE_SPEECH and any(s.has("speech") for s in segment[i + 1 :]):
                continue
            found.add(kind)
    return found


def _is_question(units: Sequence[Unit]) -> bool:
    """A question mark, a question word, or a verb first and its subject next ("Er det publisert nå")."""
    if any(u.text == "?" or u.has("question") for u in units):
        return True
    return len(units) > 1 and units[0].has("qverb") and units[1].has("subj")


def _condition_vetoes(units: Sequence[Unit]) -> bool:
    """A condition before the done word, or after it in the same clause ("Når vi har publisert, sier vi fra")."""
    conds = [i for i, u in enumerate(units)
             if u.has("cond") or (u.has("condopen") and (i == 0 or units[i - 1].text in _BOUNDARIES))]
    dones = [i for i in range(len(units)) if _counted_done(units, i)]
    if not conds or not dones:
        return False
    c, d = conds[0], dones[0]
    return c < d or not any(u.text in _BOUNDARIES for u in units[d:c])


def _names(units: Sequence[Unit], part_step: str | None) -> tuple[set[str], set[str], set[str]]:
    """The steps named strongly (nouns, health trusts), weakly (mentions) and by the done words."""
    strong = {s for u in units for s in u.values("step")}
    if part_step and any(p != ALL_PARTS for u in units for p in u.values("part")):
        strong.add(part_step)
    weak = {s for u in units for s in u.values("mention")}
    implied = {s for u in units for s in u.values("done") if s}
    return strong, weak, implied


def _pick(strong: set[str], weak: set[str], implied: set[str]) -> tuple[str | None, bool]:
    """The step a confirmation is about and whether the sentence names it; (None, False) when it names none;
    ("", …) when it names several it cannot choose between."""
    for named in (strong, weak):
        if len(named) == 1:
            return next(iter(named)), True
        if len(named) > 1:
            both = named & implied
            return (next(iter(both)), True) if len(both) == 1 else ("", True)
    if len(implied) == 1:
        return next(iter(implied)), True
    return (None, False) if not implied else ("", False)


def _done_for(units: Sequence[Unit], step: str | None, named: bool) -> bool:
    """A counted done word that can say `step` is done: a general one, one of the step's own, or one that
    needs the step named when it is."""
    for i, u in enumerate(units):
        if not _counted_done(units, i):
            continue
        general = u.value("cmd") == Command.CONFIRM or "" in u.values("done")
        if general or (step is not None and step in u.values("done")):
            return True
        if named and step is not None and step in u.values("named_done"):
            return True
    return False


def _trusts(units: Sequence[Unit], rules: CommandRules) -> tuple[str, ...]:
    keys = [p for u in units for p in u.values("part")]
    if ALL_PARTS in keys:
        return rules.trusts
    return tuple(dict.fromkeys(keys))


def _bare_weak(units: Sequence[Unit]) -> bool:
    """Only an "ok" / "ja" with step names and politeness: "OK", "AR ok", "Ok, takk!"."""
    words = [u for u in units if u.text.isalnum() or u.tags]
    return any(u.has("weak") for u in words) and all(any(u.has(c) for c in _BARE_OK) for u in words)


def read_sentence(units: Sequence[Unit], rules: CommandRules) -> Reading:
    """Whether a sentence says a step is done, which step and which health trusts; and what could veto."""
    strong, weak, implied = _names(units, rules.part_step)
    trusts = frozenset(p for u in units for p in u.values("part") if p != ALL_PARTS)
    has_done = any(_counted_done(units, i) or units[i].has("named_done") for i in range(len(units)))
    segments = _segments(units)
    seg_vetoes = [_vetoes(s) for s in segments]
    vetoes = set().union(*seg_vetoes) | ({"question"} if _is_question(units) else set())
    base = Reading(False, None, (), False, frozenset(vetoes), frozenset(strong | weak | implied), trusts, has_done,
                   _reports_problem(units, vetoes))
    if "question" in vetoes or _condition_vetoes(units):
        return base
    kept = [s for s, v in zip(segments, seg_vetoes, strict=True) if not v]
    vetoed = [s for s, v in zip(segments, seg_vetoes, strict=True) if v]
    flat = [u for s in kept for u in s]
    step, named = _pick(*_names(flat, rules.part_step))
    if step == "":
        return base
    if _done_for(flat, step, named):
        parts = _trusts(flat, rules) if step == rules.part_step else ()
        # A clause that vetoes may only set something else aside: "St. Olav er opprettet, HNT gjenstår",
        # "AR er publisert, testen er ikke ferdig".
        if any(not _about_other(s, step, parts, rules.part_step) for s in vetoed):
            return base
        return replace(base, confirms=True, step=step, parts=parts)
    if not vetoes and _bare_weak(units):
        # "AR ok", "HMR ok" name what they confirm; a bare "ok" counts only in a reply that says nothing else.
        parts = _trusts(units, rules) if step == rules.part_step else ()
        return replace(base, confirms=True, step=step, parts=parts, weak=step is None)
    return base


def _about_other(segment: Sequence[Unit], step: str | None, parts: tuple[str, ...], part_step: str | None) -> bool:
    """A clause that names only other steps, or only other health trusts of the step confirmed per trust."""
    strong, weak, implied = _names(segment, part_step)
    if step is None or not strong or step in weak | implied:
        return False
    if step != part_step:
        return step not in strong
    named = {p for u in segment for p in u.values("part")}
    # "Partneravtalene er opprettet, bortsett fra HMR": with no trust named as done, all were meant.
    return bool(parts) and strong == {part_step} and bool(named) and not named & {*parts, ALL_PARTS} \
        and not any(u.has("step") for u in segment)


def read_reopen(units: Sequence[Unit], rules: CommandRules) -> tuple[str | None, tuple[str, ...]] | None:
    """A request to undo a confirmation ("gjenåpne AR", "Kan du angre bekreftelsen?"): the step and trusts it
    names, or None. "Ikke angre" and "Hvordan angrer jeg?" are not requests."""
    for segment in _segments(units):
        if any(u.value("cmd") == Command.REOPEN for u in segment):
            if any(u.has("neg") or u.has("question") or u.has("cond") for u in segment):
                return None
            break
    else:
        return None
    step, _named = _pick(*_names(units, rules.part_step))
    if step == "":
        return None
    return step, _trusts(units, rules) if step == rules.part_step else ()
