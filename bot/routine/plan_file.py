"""The schema of rules/routine.yaml (pydantic): unknown keys, bad times and typos stop start-up."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, field_validator, model_validator

from bot.domain import Audience, MailKind, Owner, Role
from bot.routine.calendar import parse_hhmm

# Offsets further out than this are almost certainly a typo (a year instead of a day count).
MAX_OFFSET_DAYS = 90
Key = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]


class Anchor(StrEnum):
    D = "d"
    DEADLINE = "deadline"


class Completion(StrEnum):
    """How a step completes."""

    ORDER_ACCEPTED = "order_accepted"  # when a complete order with a valid D is accepted
    CONFIRM = "confirm"  # one confirmation by reply
    CONFIRM_EACH_HEALTH_TRUST = "confirm_each_health_trust"  # one confirmation per health trust
    AUTOMATIC = "automatic"  # when the step named in `after` completes
    # Like confirm; with BOT_AR=rest the bot also checks the case's HER-ids in the Adresseregister itself:
    # a kommune's confirmation counts only when AR agrees, and the daily check completes the step "by AR".
    ADRESSEREGISTER = "adresseregister"


class OnDone(StrEnum):
    """What completing a step does to the case, beyond marking the step done."""

    DEACTIVATE_UNTIL_D = "deactivate_until_d"  # the case records "service deactivated until D"
    ACTIVATE = "activate"  # the case is activated: no more reminders, `activated` to kommune and coordinators


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class OffsetModel(_Strict):
    anchor: Anchor = Field(alias="from")
    days: StrictInt | None = None
    business_days: StrictInt | None = None
    time: str | None = None

    @field_validator("days", "business_days")
    @classmethod
    def _backwards_and_near(cls, v: int | None) -> int | None:
        if v is not None and not -MAX_OFFSET_DAYS <= v <= 0:
            raise ValueError(f"must be between -{MAX_OFFSET_DAYS} and 0 (offsets count backwards)")
        return v

    @field_validator("time")
    @classmethod
    def _hhmm(cls, v: str | None) -> str | None:
        if v is not None:
            parse_hhmm(v)
        return v

    @model_validator(mode="after")
    def _one_kind_of_days(self) -> OffsetModel:
        if self.days is not None and self.business_days is not None:
            raise ValueError("give either days or business_days, not both")
        if self.anchor is Anchor.D and self.time is None:
            raise ValueError("an offset from d needs a time (HH:MM)")
        return self


class DueModel(_Strict):
    name: Key
    audience: Audience
    kind: MailKind
    at: OffsetModel | None = None  # escalations default to the deadline itself


class CalendarModel(_Strict):
    """An entry of the receipt's calendar; `summary` and `description` are jinja text like the templates."""

    summary: Annotated[str, Field(min_length=1)]
    description: str = ""
    minutes: Annotated[StrictInt, Field(ge=1, le=24 * 60)] | None = None  # absent: all day
    busy: StrictBool = False


class EventModel(_Strict):
    label: Annotated[str, Field(min_length=1)]
    owner: Owner
    at: OffsetModel
    calendar: CalendarModel | None = None


class StepModel(_Strict):
    owner: Owner
    label: Annotated[str, Field(min_length=1)]
    short_label: Annotated[str, Field(min_length=1)] | None = None  # subjects, lists; default: label
    completion: Completion
    confirmed_by: tuple[Role, ...] | None = None  # default: coordinators, and the kommune for its own steps
    on_done: tuple[OnDone, ...] | None = None  # default: [activate] for an automatic step, else nothing
    after: Key | None = None  # automatic steps only; default: the step before it in this file
    deadline: OffsetModel | None = None
    reminders: tuple[DueModel, ...] = ()
    escalations: tuple[DueModel, ...] = ()
    events: tuple[EventModel, ...] = ()
    calendar: CalendarModel | None = None  # the deadline in the calendar (needs `minutes`)
    checked_from: Key | None = None  # adresseregister: daily checks from this reminder's day (default: the first)

    @field_validator("deadline")
    @classmethod
    def _deadline_from_d(cls, v: OffsetModel | None) -> OffsetModel | None:
        if v is not None and v.anchor is not Anchor.D:
            raise ValueError("a deadline is counted from d")
        return v

    @field_validator("confirmed_by")
    @classmethod
    def _people(cls, v: tuple[Role, ...] | None) -> tuple[Role, ...] | None:
        if v is not None and Role.STRANGER in v:
            raise ValueError("a stranger never confirms a step")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> StepModel:
        from_deadline = any(e.at.anchor is Anchor.DEADLINE for e in self.events)
        if (self.reminders or self.escalations or from_deadline or self.calendar) and self.deadline is None:
            raise ValueError("reminders, escalations, a calendar entry and events from the deadline need a deadline")
        if self.calendar is not None and self.calendar.minutes is None:
            raise ValueError("a deadline's calendar entry needs minutes (the block ends at the deadline)")
        if self.after is not None and self.completion is not Completion.AUTOMATIC:
            raise ValueError("only an automatic step has `after`")
        if self.confirmed_by is not None and self.completion not in (
                Completion.CONFIRM, Completion.CONFIRM_EACH_HEALTH_TRUST, Completion.ADRESSEREGISTER):
            raise ValueError("only a step completed by confirmation has `confirmed_by`")
        if self.checked_from is not None:
            if self.completion is not Completion.ADRESSEREGISTER:
                raise ValueError("only a step with completion: adresseregister has `checked_from`")
            if self.checked_from not in [r.name for r in self.reminders]:
                raise ValueError(f"checked_from names no reminder of this step: {self.checked_from!r}")
        names = [r.name for r in (*self.reminders, *self.escalations)]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate reminder/escalation name(s): {', '.join(dupes)}")
        return self


class HealthTrustModel(_Strict):
    name: Annotated[str, Field(min_length=1)]
    org_number: Annotated[str, Field(pattern=r"^\d{9}$")]
    her_id: StrictInt | None = None


class ClosedDaysModel(_Strict):
    julaften: StrictBool = True
    nyttarsaften: StrictBool = True
    onsdag_for_skjaertorsdag: StrictBool = False


class RegisterModel(_Strict):
    """The bot's own look-ups in NHN's Adresseregister (BOT_AR=rest)."""

    daily_check: str = "07:00"  # the morning run: each case's HER-ids are looked up once a day from this time
    certificate_warning_days: Annotated[StrictInt, Field(ge=0, le=365)] = 60  # certificates ending this soon
    # after D are a warning to the coordinators

    @field_validator("daily_check")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        parse_hhmm(v)
        return v


class RoutineFile(_Strict):
    min_lead_days: Annotated[StrictInt, Field(ge=0, le=120)]
    # D further ahead than this (from the order's arrival) is most likely a typo: the bot asks.
    max_lead_days: Annotated[StrictInt, Field(ge=30, le=3660)] = 730
    closed_days: ClosedDaysModel = ClosedDaysModel()
    health_trusts: dict[Key, HealthTrustModel]
    adresseregister: RegisterModel = RegisterModel()
    steps: dict[Key, StepModel] = Field(min_length=1)
