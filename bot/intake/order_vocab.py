"""The order extractor's vocabulary: rules/message_types.yaml and rules/order.yaml, validated and compiled."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from bot.intake.type_typos import MAX_LETTERS, MIN_LETTERS, Spellings, build_spellings, edit_distance
from bot.registry import fold, fold_pattern
from bot.rulefile import RULES_DIR, RulesError, load_yaml

MESSAGE_TYPES_FILE = "message_types.yaml"
ORDER_FILE = "order.yaml"
_VERSION = r"^\d{1,2}\.\d{1,2}$"
_FLAGS = re.IGNORECASE | re.MULTILINE  # of every pattern matched on folded text


def _check_regex(value: str) -> str:
    try:
        # Compiled as _rx compiles it: most patterns are then found in re's cache by _compile instead of being
        # compiled twice (flags never make a pattern valid or invalid).
        re.compile(fold_pattern(value), _FLAGS)
    except re.error as exc:
        raise ValueError(f"bad regex {value!r}: {exc}") from exc
    return value


Regex = Annotated[str, AfterValidator(_check_regex)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AliasModel(_Strict):
    pattern: Regex
    weak: bool = False
    case_sensitive: bool = False


class TypeModel(_Strict):
    code: str = Field(pattern=r"^[A-Z]+$")
    name: str
    versions: list[str]
    outdated_below: str | None = Field(default=None, pattern=_VERSION)
    aliases: list[AliasModel] = Field(min_length=1)
    spellings: list[str] = []

    @field_validator("spellings")
    @classmethod
    def _spellings(cls, value: list[str]) -> list[str]:
        for word in value:
            if not re.fullmatch(rf"[a-zæøå]{{{MIN_LETTERS},{MAX_LETTERS}}}", word):
                raise ValueError(f"{word!r}: a name in lower-case letters, {MIN_LETTERS}–{MAX_LETTERS} of them")
        return value

    @field_validator("versions")
    @classmethod
    def _versions(cls, value: list[str]) -> list[str]:
        for v in value:
            if not re.match(_VERSION, v):
                raise ValueError(f"not a version: {v!r}")
        return value


class MessageTypesModel(_Strict):
    types: list[TypeModel] = Field(min_length=1)


class CueModel(_Strict):
    pattern: Regex
    weight: int


class DatesModel(_Strict):
    cues: list[CueModel]
    skip_lines: list[Regex]
    header_only_lines: list[Regex] = []
    aside_penalty: int = 40
    alternative: Regex = r"\s*eller\s*"
    alternative_penalty: int = 100


class TypesModel(_Strict):
    declined: list[Regex]
    in_use: list[Regex] = []
    declined_before: Regex
    declined_row: Regex
    order_column: Regex = "bestill\\w*"
    marker_yes: Regex = "x|ja"
    marker_no: Regex = "nei"


class VersionsModel(_Strict):
    keyword: Regex
    not_for_types: Regex
    replace_keep_last: Regex
    replace_keep_first: Regex


class ContactModel(_Strict):
    labels: Regex
    secondary_labels: list[Regex] = []
    sender_is_contact: list[Regex]


class NotOursModel(_Strict):
    reason: str = Field(min_length=1)
    pattern: Regex
    scope: Literal["any", "table", "row"] = "any"


class HerIdsModel(_Strict):
    labels: Regex
    not_ours: list[NotOursModel] = []


class MunicipalityModel(_Strict):
    on_behalf: Regex
    for_kommune: Regex
    number_labels: Regex
    org_labels: Regex
    field_labels: Regex


class MailModel(_Strict):
    forward_subject: Regex
    refers_to_quoted: list[Regex] = []
    forward_markers: list[Regex]
    reply_markers: list[Regex]
    header_line: Regex
    from_line: Regex
    signature_start: Regex


class OrderModel(_Strict):
    dates: DatesModel
    types: TypesModel
    versions: VersionsModel
    contact: ContactModel
    her_ids: HerIdsModel
    municipality: MunicipalityModel
    mail: MailModel


@dataclass(frozen=True)
class TypeAlias:
    code: str
    pattern: re.Pattern[str]  # matched on folded text, or on the original when case-sensitive
    weak: bool
    case_sensitive: bool


@dataclass(frozen=True)
class TypeSpec:
    code: str
    name: str
    versions: tuple[str, ...]
    outdated_below: str | None


@dataclass(frozen=True)
class Cue:
    pattern: re.Pattern[str]
    weight: int


@dataclass(frozen=True)
class NotOursCue:
    """Words that say a HER-id near them is not the kommune's own, and the reason `parse --explain` shows."""

    reason: str
    pattern: re.Pattern[str]  # matched on folded text
    scope: str  # "any": sentences and tables; "table": a table's heading and rows; "row": table rows only


@dataclass(frozen=True)
class OrderVocabulary:
    """Everything the extractor matches, compiled once at start-up."""

    types: tuple[TypeSpec, ...]
    aliases: tuple[TypeAlias, ...]
    spellings: Spellings  # full type names a typo one edit away still means
    date_cues: tuple[Cue, ...]
    date_skip_lines: tuple[re.Pattern[str], ...]
    date_header_only_lines: tuple[re.Pattern[str], ...]
    date_aside_penalty: int
    date_alternative: re.Pattern[str]
    date_alternative_penalty: int
    type_declined: tuple[re.Pattern[str], ...]
    type_in_use: tuple[re.Pattern[str], ...]
    type_declined_before: re.Pattern[str]
    type_declined_row: re.Pattern[str]
    type_order_column: re.Pattern[str]
    type_marker_yes: re.Pattern[str]
    type_marker_no: re.Pattern[str]
    version_keyword: re.Pattern[str]
    version_not_for_types: re.Pattern[str]
    replace_keep_last: re.Pattern[str]
    replace_keep_first: re.Pattern[str]
    contact_labels: re.Pattern[str]
    contact_secondary: tuple[re.Pattern[str], ...]
    contact_self: tuple[re.Pattern[str], ...]
    her_labels: re.Pattern[str]  # matched on the original text (case matters for a bare "HER")
    her_not_ours: tuple[NotOursCue, ...]
    on_behalf: re.Pattern[str]
    for_kommune: re.Pattern[str]
    number_labels: re.Pattern[str]
    org_labels: re.Pattern[str]
    field_labels: re.Pattern[str]
    forward_subject: re.Pattern[str]
    refers_to_quoted: tuple[re.Pattern[str], ...]  # matched on folded text
    forward_markers: tuple[re.Pattern[str], ...]
    reply_markers: tuple[re.Pattern[str], ...]
    header_line: re.Pattern[str]
    from_line: re.Pattern[str]
    signature_start: re.Pattern[str]

    def is_outdated(self, code: str, version: str | None) -> bool:
        """True for a version below the type's `outdated_below` (PLO 1.5, Dialogmelding 1.0 …)."""
        spec = next((t for t in self.types if t.code == code), None)
        if spec is None or spec.outdated_below is None or version is None:
            return False
        try:
            have = tuple(int(p) for p in version.split("."))
        except ValueError:
            return False
        return have < tuple(int(p) for p in spec.outdated_below.split("."))


def _rx(pattern: str, flags: int = _FLAGS) -> re.Pattern[str]:
    return re.compile(fold_pattern(pattern), flags)


def _word(pattern: str) -> str:
    # A version may follow without a space ("PLO1.6", "DM1.1").
    return rf"(?<![\w])(?:{pattern})(?:(?![\w])|(?=\d{{1,2}}[.,]\d))"


def _compile(types: MessageTypesModel, order: OrderModel) -> OrderVocabulary:
    aliases = [
        TypeAlias(
            t.code,
            re.compile(_word(a.pattern)) if a.case_sensitive else _rx(_word(a.pattern)),
            a.weak,
            a.case_sensitive,
        )
        for t in types.types
        for a in t.aliases
    ]
    return OrderVocabulary(
        types=tuple(TypeSpec(t.code, t.name, tuple(t.versions), t.outdated_below) for t in types.types),
        aliases=tuple(aliases),
        spellings=build_spellings((fold(w), t.code) for t in types.types for w in t.spellings),
        date_cues=tuple(Cue(_rx(c.pattern), c.weight) for c in order.dates.cues),
        date_skip_lines=tuple(re.compile(p, re.IGNORECASE | re.MULTILINE) for p in order.dates.skip_lines),
        date_header_only_lines=tuple(re.compile(p, re.IGNORECASE) for p in order.dates.header_only_lines),
        date_aside_penalty=order.dates.aside_penalty,
        date_alternative=_rx(order.dates.alternative),
        date_alternative_penalty=order.dates.alternative_penalty,
        type_declined=tuple(_rx(p) for p in order.types.declined),
        type_in_use=tuple(_rx(p) for p in order.types.in_use),
        type_declined_before=_rx(order.types.declined_before),
        type_declined_row=_rx(order.types.declined_row),
        type_order_column=_rx(order.types.order_column),
        type_marker_yes=_rx(order.types.marker_yes),
        type_marker_no=_rx(order.types.marker_no),
        version_keyword=_rx(order.versions.keyword),
        version_not_for_types=_rx(order.versions.not_for_types),
        replace_keep_last=_rx(order.versions.replace_keep_last),
        replace_keep_first=_rx(order.versions.replace_keep_first),
        contact_labels=_rx(order.contact.labels),
        contact_secondary=tuple(_rx(p) for p in order.contact.secondary_labels),
        contact_self=tuple(_rx(p) for p in order.contact.sender_is_contact),
        her_labels=re.compile(order.her_ids.labels),
        her_not_ours=tuple(NotOursCue(c.reason, _rx(c.pattern), c.scope) for c in order.her_ids.not_ours),
        on_behalf=_rx(order.municipality.on_behalf),
        for_kommune=_rx(order.municipality.for_kommune),
        number_labels=_rx(order.municipality.number_labels),
        org_labels=_rx(order.municipality.org_labels),
        field_labels=_rx(order.municipality.field_labels),
        forward_subject=_rx(order.mail.forward_subject),
        refers_to_quoted=tuple(_rx(p) for p in order.mail.refers_to_quoted),
        forward_markers=tuple(_rx(p) for p in order.mail.forward_markers),
        reply_markers=tuple(_rx(p) for p in order.mail.reply_markers),
        header_line=_rx(order.mail.header_line),
        from_line=_rx(order.mail.from_line),
        signature_start=_rx(order.mail.signature_start),
    )


def _check_spellings_apart(path: Path, types: MessageTypesModel) -> None:
    """Two types' names less than three edits apart would make a typo of one read as the other."""
    words = [(fold(w), t.code) for t in types.types for w in t.spellings]
    for i, (a, code_a) in enumerate(words):
        for b, code_b in words[i + 1 :]:
            if code_a != code_b and abs(len(a) - len(b)) <= 2 and edit_distance(a, b) <= 2:
                raise RulesError(path, "types.spellings", f"{a!r} ({code_a}) and {b!r} ({code_b}) are too alike")


def load_order_vocabulary(rules_dir: Path = RULES_DIR) -> OrderVocabulary:
    """Load and validate both rule files; any mistake raises RulesError naming file, key and reason."""
    types = load_yaml(rules_dir / MESSAGE_TYPES_FILE, MessageTypesModel)
    codes = [t.code for t in types.types]
    if len(set(codes)) != len(codes):
        raise RulesError(rules_dir / MESSAGE_TYPES_FILE, "types", "duplicate code")
    _check_spellings_apart(rules_dir / MESSAGE_TYPES_FILE, types)
    order = load_yaml(rules_dir / ORDER_FILE, OrderModel)
    return _compile(types, order)
