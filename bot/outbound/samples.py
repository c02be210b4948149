"""Sample data from the plan: `check` and the tests render every template (and every step's mails) with it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain import Audience, CaseState, MailKind, Municipality, OrderedType
from bot.outbound.views import DigestCase, DigestMessage, DigestOverdue, DigestView, MailContext
from bot.routine.calendar import BusinessCalendar
from bot.routine.case import Case, Deviation, StepState
from bot.routine.plan import Plan
from bot.routine.schedule import deadlines
from bot.routine.week import this_week

_OSLO = ZoneInfo("Europe/Oslo")
SAMPLE_D = date(2027, 3, 1)
# The sample digest is Monday's, a week before D: the week's strip has deadlines and the test messages.
DIGEST_NOW = datetime(2027, 2, 22, 7, 0, tzinfo=_OSLO)
COORDINATORS = "coordinators"


def _oslo(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=_OSLO).astimezone(UTC)


def sample_case(plan: Plan, state: CaseState = CaseState.ACTIVE) -> Case:
    """Malvik kommune, D = mandag 1. mars 2027, PLO 1.5 (outdated), dialogmelding, epikrise and lab; the order
    step done and, for a step confirmed per health trust, the first trust confirmed."""
    plo = OrderedType("PLO", "1.5")
    steps = [StepState(plan.order_step.name, done_at=_oslo(2027, 1, 25, 9, 30), done_by="bot")]
    part = plan.part_step
    if part is not None and plan.health_trusts:
        steps.append(StepState(part.name, confirmed_parts=frozenset({plan.health_trusts[0].key})))
    return Case(
        ref="OPK-7",
        state=state,
        municipality=Municipality("5031", "Malvik", "Trøndelag", "malvik.kommune.no", "939865942"),
        activation_date=SAMPLE_D,
        message_types=(plo, OrderedType("DIALOGMELDING", "1.1"), OrderedType("EPIKRISE", "1.2"),
                       OrderedType("SVARRAPPORT", "1.4")),
        her_ids=(8142326, 8142327),
        contact_email="meldingsansvarlig@malvik.kommune.no",
        created_at=_oslo(2027, 1, 25, 9, 30),
        order_received_at=_oslo(2027, 1, 25, 9, 30),
        steps=tuple(steps),
        deviations=(Deviation(at=_oslo(2027, 2, 22, 13, 5), text="Apprec fra Malvik ble avvist (status 2).",
                              by="koordinator@hemit.no"),),
        outdated_versions=(plo,),
    )


def due_contexts(plan: Plan, cal: BusinessCalendar) -> list[tuple[MailKind, MailContext]]:
    """One context per reminder, notice and escalation of the plan, a day before its step's deadline."""
    case = sample_case(plan)
    due = deadlines(case, plan, cal)
    out = []
    for name, sp in plan.steps.items():
        for rule in (*sp.reminders, *sp.escalations):
            role = COORDINATORS if rule.audience is Audience.COORDINATORS else "kommune"
            out.append((rule.kind, MailContext(now=due[name] - timedelta(days=1), case=case, step=name,
                                               recipient_role=role)))
    return out


def sample_contexts(plan: Plan, cal: BusinessCalendar) -> dict[MailKind, MailContext]:
    """One realistic context per mail kind, so every template can be rendered without a database."""
    case = sample_case(plan)
    needs_info = replace(sample_case(plan, CaseState.NEEDS_INFO), activation_date=date(2027, 2, 6),
                         message_types=(OrderedType("PLO", "1.6"), OrderedType("EPIKRISE", None)), steps=(),
                         proposed_date=SAMPLE_D)
    confirmable = [s for s in plan.steps.values() if s.confirmable]
    first = confirmable[0].name if confirmable else plan.order_step.name
    last = confirmable[-1].name if confirmable else plan.order_step.name
    done_first = case.with_step(StepState(first, done_at=_oslo(2027, 2, 9, 10, 14), done_by=case.contact_email))
    due = dict(due_contexts(plan, cal))
    help_text = (
        "bekreftet / publisert / verifisert [steg] – bekrefter et steg\n"
        "avvik: <tekst> – registrerer et avvik og varsler kommunen\n"
        "ny dato: <dato> – flytter aktiveringsdatoen\n"
        "status – viser status for saken\n"
        "avbryt – avbryter saken\n"
        "hjelp – viser denne listen"
    )
    digest = DigestView(
        open_cases=(
            DigestCase("OPK-7", "Malvik", CaseState.ACTIVE, SAMPLE_D, plan.step(first).short_label,
                       _oslo(2027, 2, 15, 16)),
            DigestCase("OPK-9", "Orkland", CaseState.NEEDS_INFO, None, "Mangler opplysninger", None),
        ),
        overdue=(DigestOverdue("OPK-5", "Frøya", first, _oslo(2027, 2, 1, 8)),),
        quarantined=(
            DigestMessage(_oslo(2027, 2, 3, 14, 2), "postmottak@hitra.kommune.no", "Ordre", "feil i MIME"),
        ),
        unknown_senders=(DigestMessage(_oslo(2027, 2, 4, 8, 40), "salg@leverandor.example", "Tilbud"),),
        week=this_week([case], DIGEST_NOW, plan, cal),
        web_url="https://oppkobling.hemit.no",
    )  # fmt: skip
    now = _oslo(2027, 1, 25, 9, 31)
    samples = {
        MailKind.RECEIPT: MailContext(now=now, case=case,  # what the Adresseregister says (BOT_AR=rest)
                                      detail="HER-id 8142326: Malvik kommune – Hjemmetjenesten, tjeneste"),
        MailKind.CLARIFICATION: MailContext(now=now, case=needs_info),
        MailKind.NEW_CASE: MailContext(now=now, case=case, recipient_role=COORDINATORS),
        MailKind.REMINDER: MailContext(now=_oslo(2027, 2, 8, 8), case=case, step=first),
        MailKind.ESCALATION: MailContext(now=_oslo(2027, 2, 22, 8), case=case, step=first,
                                         recipient_role=COORDINATORS),
        MailKind.DEVIATION: MailContext(
            now=_oslo(2027, 2, 22, 13, 5), case=case, step=last,
            detail="Apprec fra Malvik ble avvist (status 2).\nSjekk mottakstjenesten i EPJ.",
        ),
        MailKind.STEP_CONFIRMED: MailContext(now=_oslo(2027, 2, 9, 10, 14), case=done_first, step=first),
        MailKind.COMMAND_RESULT: MailContext(
            now=_oslo(2027, 2, 10, 9), case=done_first, step=first,
            detail="Steget er allerede bekreftet. Ingenting er endret.", help_text=help_text,
        ),
        MailKind.ACTIVATED: MailContext(now=_oslo(2027, 3, 1, 10, 2),
                                        case=replace(case, state=CaseState.ACTIVATED,
                                                     service_deactivated_until_d=True)),
        MailKind.DIGEST: MailContext(now=DIGEST_NOW, digest=digest, recipient_role=COORDINATORS),
        MailKind.FORWARD: MailContext(
            now=_oslo(2027, 2, 9, 11), case=case, recipient_role=COORDINATORS,
            sender="ola.nordmann@malvik.kommune.no",
            detail="Hei, vi lurer på om vi kan bruke HER-id 8142326 for både sykehjem og hjemmetjeneste?",
        ),
        MailKind.DATE_CHANGED: MailContext(now=_oslo(2027, 1, 28, 12), case=case, previous_date=date(2027, 2, 22)),
        MailKind.CANCELLED: MailContext(now=_oslo(2027, 2, 1, 12), case=replace(case, state=CaseState.CANCELLED),
                                        detail="Kommunen bytter EPJ-system og bestiller på nytt senere."),
        MailKind.NOTICE: MailContext(
            now=_oslo(2027, 2, 3, 14, 2), recipient_role=COORDINATORS, sender="postmottak@hitra.kommune.no",
            detail="En melding kunne ikke behandles og er lagt i karantene (ugyldig MIME-struktur).",
        ),
        MailKind.LOGIN_LINK: MailContext(
            now=_oslo(2027, 2, 8, 7, 55), recipient_role=COORDINATORS,
            detail="https://oppkobling.hemit.no/login/Qm9vdHN0cmFwLXNhbXBsZS10b2tlbi1ub3QtcmVhbA",
        ),
    }  # fmt: skip
    # Kinds only the routine's reminders use (test_notice, dialog_notice): the plan's own context for them.
    for kind in MailKind:
        if kind not in samples:
            samples[kind] = due.get(kind, MailContext(now=now, case=case, step=first))
    return samples
