"""Triage: the ordered chain of named rules (rules/triage.yaml) that says what an inbound message is."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.domain import MessageKind
from bot.intake.addresses import TEXT_ADDRESS
from bot.intake.message import InboundMessage
from bot.intake.quotes import BoundaryKind, QuoteCut, QuoteRules, cut_quotes
from bot.rulefile import RulesError, load_yaml

RULE_NAMES = ("own_mail", "bounce", "auto_reply", "bulk", "known_case", "order")


# --------------------------------------------------------------------------- rules file schema


def _check_regexes(values: list[str]) -> list[str]:
    for value in values:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regex {value!r}: {exc}") from exc
    return values


class _Subjects(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    reply_prefixes: list[str]
    forward_prefixes: list[str]
    gateway_tags: list[str]
    _regexes = field_validator("gateway_tags")(_check_regexes)


class _Bounce(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    daemon_localparts: list[str]
    daemon_localpart_patterns: list[str] = []
    system_localparts: list[str] = []
    subject_patterns: list[str]
    body_patterns: list[str] = []
    _regexes = field_validator("daemon_localpart_patterns", "subject_patterns", "body_patterns")(_check_regexes)


class _AutoReply(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    human_auto_submitted: list[str] = ["no"]
    subject_prefixes: list[str]
    subject_starts: list[str] = []
    autoreply_headers: list[str]
    precedence_values: list[str]


class _Bulk(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    precedence_values: list[str]
    list_headers: list[str] = []
    sender_headers: list[str] = []


class _Order(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    order_words: list[str] = Field(min_length=1)
    detail_words: list[str] = Field(min_length=1)
    min_detail_hits: int = Field(default=1, ge=0)
    question_patterns: list[str] = []
    question_subject_patterns: list[str] = []
    _regexes = field_validator("question_patterns", "question_subject_patterns")(_check_regexes)


class TriageRulesFile(BaseModel):
    """The schema of rules/triage.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    chain: list[str] = Field(min_length=1)
    subjects: _Subjects
    bounce: _Bounce
    auto_reply: _AutoReply
    bulk: _Bulk
    order: _Order

    @field_validator("chain")
    @classmethod
    def _known_rules(cls, value: list[str]) -> list[str]:
        for name in value:
            if name not in RULE_NAMES:
                raise ValueError(f"unknown rule {name!r}; known: {', '.join(RULE_NAMES)}")
        if len(set(value)) != len(value):
            raise ValueError("a rule is listed twice")
        return value


def _words_regex(words: list[str]) -> re.Pattern[str]:
    parts = [r"\s+".join(re.escape(w) for w in word.split()) for word in sorted(words, key=len, reverse=True)]
    return re.compile(rf"(?<!\w)(?:{'|'.join(parts)})", re.IGNORECASE)


def _any_regex(patterns: list[str], flags: int = re.IGNORECASE) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns), flags)


@dataclass(frozen=True)
class TriageRules:
    """rules/triage.yaml compiled."""

    chain: tuple[str, ...]
    prefix: re.Pattern[str]  # one leading reply/forward prefix or gateway tag
    forward_prefix: re.Pattern[str]
    daemon_localparts: frozenset[str]
    daemon_localpart: re.Pattern[str] | None
    system_localparts: frozenset[str]
    bounce_subject: re.Pattern[str] | None
    bounce_body: re.Pattern[str] | None
    auto_subject: re.Pattern[str]
    autoreply_headers: tuple[str, ...]
    human_auto_submitted: frozenset[str]
    auto_precedence: frozenset[str]
    bulk_precedence: frozenset[str]
    list_headers: tuple[str, ...]
    bulk_sender_headers: tuple[str, ...]
    order_words: re.Pattern[str]
    detail_words: re.Pattern[str]
    min_detail_hits: int
    question: re.Pattern[str] | None
    question_subject: re.Pattern[str] | None
    quotes: QuoteRules  # rules/quotes.yaml: what counts as quoted text


def compile_triage(model: TriageRulesFile, quotes: QuoteRules) -> TriageRules:
    subjects = model.subjects
    all_prefixes = {*subjects.reply_prefixes, *subjects.forward_prefixes}
    prefixes = "|".join(re.escape(p) for p in sorted(all_prefixes, key=len, reverse=True))
    tags = "|".join(f"(?:{t})" for t in subjects.gateway_tags)
    # "SV:", "Re[2]:", "RE^3:", "Sv :" — and bracketed gateway tags like "[EKSTERN]".
    numbered = r"(?:\[\d+\]|\^\d+|\(\d+\))?"
    prefix = re.compile(rf"^\s*(?:(?:{prefixes})\s*{numbered}\s*[:：]|{tags})\s*", re.IGNORECASE)
    fwd = "|".join(re.escape(p) for p in sorted(subjects.forward_prefixes, key=len, reverse=True))
    auto = "|".join(re.escape(p) for p in sorted(model.auto_reply.subject_prefixes, key=len, reverse=True))
    starts = "|".join(re.escape(p) for p in sorted(model.auto_reply.subject_starts, key=len, reverse=True))
    # "Automatisk svar: …", "[Automatisk svar] …"; the subject_starts also without a colon ("Fraværsmelding …").
    auto_subject = rf"^\s*\[?\s*(?:(?:{auto})\s*[:\]]"
    auto_subject += rf"|(?:{starts})\b(?!-))" if starts else ")"
    return TriageRules(
        chain=tuple(model.chain),
        prefix=prefix,
        forward_prefix=re.compile(rf"^\s*(?:{fwd})\s*(?:\[\d+\])?\s*:", re.IGNORECASE),
        daemon_localparts=frozenset(p.lower() for p in model.bounce.daemon_localparts),
        daemon_localpart=_any_regex([f"^(?:{p})$" for p in model.bounce.daemon_localpart_patterns]),
        system_localparts=frozenset(p.lower() for p in model.bounce.system_localparts),
        bounce_subject=_any_regex(model.bounce.subject_patterns),
        bounce_body=_any_regex(model.bounce.body_patterns),
        auto_subject=re.compile(auto_subject, re.IGNORECASE),
        autoreply_headers=tuple(h.lower() for h in model.auto_reply.autoreply_headers),
        human_auto_submitted=frozenset(v.lower() for v in model.auto_reply.human_auto_submitted),
        auto_precedence=frozenset(v.lower() for v in model.auto_reply.precedence_values),
        bulk_precedence=frozenset(v.lower() for v in model.bulk.precedence_values),
        list_headers=tuple(h.lower() for h in model.bulk.list_headers),
        bulk_sender_headers=tuple(h.lower() for h in model.bulk.sender_headers),
        order_words=_words_regex(model.order.order_words),
        detail_words=_words_regex(model.order.detail_words),
        min_detail_hits=model.order.min_detail_hits,
        question=_any_regex(model.order.question_patterns, re.IGNORECASE | re.MULTILINE),
        question_subject=_any_regex(model.order.question_subject_patterns),
        quotes=quotes,
    )


def load_triage_rules(path: Path, quotes: QuoteRules) -> TriageRules:
    """Load and compile rules/triage.yaml (or another file of that schema); raises RulesError."""
    model = load_yaml(path, TriageRulesFile)
    try:
        return compile_triage(model, quotes)
    except re.error as exc:
        raise RulesError(path, "", f"invalid regex: {exc}") from exc


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class TriageContext:
    own_address: str  # the bot's mailbox address
    own_domain: str  # the domain of the bot's Message-IDs
    # Our own Message-IDs among those the message mentions, looked up before triage: id → "OPK-n" or None.
    sent_cases: Mapping[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class BounceInfo:
    recipient: str | None
    status: str | None  # enhanced status code, e.g. "5.1.1"
    permanent: bool
    original_message_id: str | None  # of the bounced message, without angle brackets


@dataclass(frozen=True)
class Verdict:
    kind: MessageKind
    case_ref: str | None
    rules_hit: tuple[str, ...]  # every rule that fired with its reason, e.g. "auto_reply:auto-submitted"
    bounce: BounceInfo | None = None


# --------------------------------------------------------------------------- subject helpers

_CASE_TAG = re.compile(r"\[\s*OPK\s*-\s*0*(\d{1,9})\s*\]", re.IGNORECASE)
_CASE_BARE = re.compile(r"(?<![\w-])OPK-0*(\d{1,9})(?!\w)", re.IGNORECASE)


def case_ref_from_subject(subject: str) -> str | None:
    """The case reference tagged in a subject ("[OPK-12]"; a bare "OPK-12" too), normalised, else None."""
    match = _CASE_TAG.search(subject) or _CASE_BARE.search(subject)
    return f"OPK-{int(match.group(1))}" if match else None


def strip_prefixes(subject: str, rules: TriageRules) -> str:
    """The subject without leading SV:/Re:/Fwd:/… prefixes and gateway tags like [EKSTERN]."""
    previous = None
    while previous != subject:
        previous = subject
        subject = rules.prefix.sub("", subject, count=1)
    return subject.strip()


def is_forward_subject(subject: str, rules: TriageRules) -> bool:
    """True when a forward prefix (VS:, Fwd:, …) appears among the subject's leading prefixes."""
    rest = subject
    while True:
        if rules.forward_prefix.match(rest):
            return True
        stripped = rules.prefix.sub("", rest, count=1)
        if stripped == rest:
            return False
        rest = stripped


def text_for(msg: InboundMessage, kind: MessageKind, rules: TriageRules) -> QuoteCut:
    """The message's own new text; an order that was forwarded keeps its forwarded part (SPEC §6)."""
    keep = kind is MessageKind.ORDER and _looks_forwarded(msg, rules)
    return cut_quotes(msg.body_text, keep_forwarded=keep, rules=rules.quotes)


def _looks_forwarded(msg: InboundMessage, rules: TriageRules) -> bool:
    if is_forward_subject(msg.subject, rules):
        return True
    plain = cut_quotes(msg.body_text, rules=rules.quotes)
    return any(p.name == plain.rule and p.kind is BoundaryKind.FORWARD for p in rules.quotes.patterns)


# --------------------------------------------------------------------------- the rules

_STATUS = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")
# [ \t], not \s: a "\s*" after "^" ran across every following blank line, from every line start (quadratic).
_QUOTED_MESSAGE_ID = re.compile(
    r"^[ \t]*+Message-ID[ \t]*+:[ \t]*+<?([^<>\s@]++@[^<>\s]++)>?", re.IGNORECASE | re.MULTILINE
)

Rule = Callable[[InboundMessage, TriageContext, TriageRules], "Verdict | None"]


def _localpart(address: str | None) -> str:
    return (address or "").split("@", 1)[0].lower()


def _rule_own_mail(msg: InboundMessage, ctx: TriageContext, rules: TriageRules) -> Verdict | None:
    reason = None
    if msg.from_addr and msg.from_addr == ctx.own_address.lower():
        reason = "from-own-address"
    elif any(name.startswith("x-oppkobling-") for name, _ in msg.headers):
        reason = "x-oppkobling-header"
    elif msg.message_id and msg.message_id.lower().endswith(".opk@" + ctx.own_domain.lower()):
        # Only our own Message-ID form (bot.outbound.render.make_message_id): people at the same
        # domain may have mail clients that mint Message-IDs there too.
        reason = "own-message-id"
    if reason is None:
        return None
    return Verdict(MessageKind.OWN, msg.header("x-oppkobling-case"), (f"own_mail:{reason}",))


_SUCCESS_ACTIONS = frozenset({"delivered", "relayed", "expanded"})


def _dsn_reports_success(msg: InboundMessage) -> bool:
    """A DSN whose every recipient was delivered, relayed or expanded (a delivery receipt, not a bounce)."""
    actions = [value.strip().lower() for name, value in msg.delivery_status if name == "action"]
    statuses = [value.strip() for name, value in msg.delivery_status if name == "status"]
    if not actions or any(a not in _SUCCESS_ACTIONS for a in actions):
        return False
    return not any(st[:1] in ("4", "5") for st in statuses)


def _bounce_body(msg: InboundMessage, rules: TriageRules) -> re.Match[str] | None:
    if rules.bounce_body is None:
        return None
    return rules.bounce_body.search(msg.body_text[:4000])


def _bounce_info(msg: InboundMessage, rules: TriageRules) -> BounceInfo:
    fields = msg.delivery_status
    recipient: str | None = None
    status: str | None = None
    action: str | None = None
    for name, value in fields:
        # The per-recipient block: take the first failed recipient (or the first one at all).
        if name in ("final-recipient", "original-recipient") and recipient is None:
            recipient = value.split(";", 1)[-1].strip().strip("<>").lower() or None
        elif name == "status" and status is None:
            found = _STATUS.search(value)
            status = found.group(1) if found else value.strip() or None
        elif name == "action" and action is None:
            action = value.strip().lower()
    body = msg.body_text
    if recipient is None:
        failed = msg.header("x-failed-recipients")
        if failed:
            recipient = failed.split(",")[0].strip().lower() or None
    if recipient is None:
        own = {msg.from_addr, *msg.to}
        # Non-standard bounces name the failed address after their failure sentence
        # ("did not reach the following recipient(s):"); the text before it often quotes other addresses.
        phrase = _bounce_body(msg, rules)
        for text in (body[phrase.start() :], body) if phrase else (body,):
            for found in TEXT_ADDRESS.finditer(text):
                if found.group(0).lower() not in own:
                    recipient = found.group(0).lower()
                    break
            if recipient is not None:
                break
    if status is None:
        found = _STATUS.search(body)
        status = found.group(1) if found else None
    if status is not None and status[:1] in "45":
        permanent = status.startswith("5")
    elif action is not None:
        permanent = action == "failed"
    else:
        permanent = not re.search(r"\b(delay|delayed|temporar|forsinket|midlertidig)", body, re.IGNORECASE)
    original: str | None = None
    for embedded in msg.embedded:
        if embedded.message_id:
            original = embedded.message_id
            break
    if original is None:
        for found_id in _QUOTED_MESSAGE_ID.findall(body):
            if found_id != msg.message_id:
                original = found_id
                break
    return BounceInfo(recipient, status, permanent, original)


def _is_daemon(localpart: str, rules: TriageRules) -> bool:
    return localpart in rules.daemon_localparts or bool(
        rules.daemon_localpart is not None and rules.daemon_localpart.match(localpart)
    )


def _null_sender(msg: InboundMessage, rules: TriageRules) -> bool:
    """Return-Path <>; some MTAs (sendmail) deliver the null sender as <MAILER-DAEMON@host>."""
    if msg.return_path is None:
        return False
    return msg.return_path == "" or _is_daemon(_localpart(msg.return_path), rules)


def _bounce_reason(msg: InboundMessage, rules: TriageRules) -> str | None:
    if msg.content_type == "multipart/report" and msg.report_type == "delivery-status":
        return None if _dsn_reports_success(msg) else "rfc3464"
    if msg.delivery_status:
        return None if _dsn_reports_success(msg) else "delivery-status-part"
    sender = _localpart(msg.from_addr)
    null_sender = _null_sender(msg, rules)
    if _is_daemon(sender, rules):
        return "mailer-daemon"  # MAILER-DAEMON never writes anything but delivery reports
    subject_hit = bool(rules.bounce_subject and rules.bounce_subject.search(msg.subject))
    failed_header = msg.header("x-failed-recipients") is not None
    if sender in rules.system_localparts:
        # postmaster@ may be a person: it needs a second sign of a delivery report.
        if null_sender or subject_hit or failed_header or _bounce_body(msg, rules):
            return "postmaster"
        return None
    if null_sender and (subject_hit or _bounce_body(msg, rules)):
        return "null-sender-bounce"
    if failed_header:
        return "x-failed-recipients"  # Exim puts it on the delivery reports it writes, on nothing else
    return None


def _rule_bounce(msg: InboundMessage, ctx: TriageContext, rules: TriageRules) -> Verdict | None:
    reason = _bounce_reason(msg, rules)
    if reason is None:
        return None
    info = _bounce_info(msg, rules)
    case_ref = case_ref_from_subject(msg.subject) or _lookup(msg, ctx, info.original_message_id)
    return Verdict(MessageKind.BOUNCE, case_ref, (f"bounce:{reason}",), info)


def _auto_reply_reason(msg: InboundMessage, rules: TriageRules) -> str | None:
    auto_submitted = msg.header("auto-submitted")
    if auto_submitted is not None:
        # "auto-replied (zimbra; vacation)", "auto-generated; owner-email=…": the keyword is the first word.
        token = re.split(r"[\s;(]", auto_submitted.strip(), maxsplit=1)[0].lower()
        # RFC 3834 §5: "no" is the explicit statement of a human message; "auto-forwarded" carries one.
        if token and token not in rules.human_auto_submitted:
            return "auto-submitted"
    for name in rules.autoreply_headers:
        value = msg.header(name)
        if value is not None and value.strip().lower() not in ("no", "false", "0"):
            return name
    precedence = (msg.header("precedence") or "").strip().lower()
    if precedence in rules.auto_precedence:
        return "precedence"
    suppress = (msg.header("x-auto-response-suppress") or "").lower()
    # Exchange's OOF carries both; X-Auto-Response-Suppress alone is only a request (meeting replies).
    if msg.header("x-ms-exchange-inbox-rules-loop") is not None and "all" in suppress:
        return "exchange-oof"
    if msg.content_type == "multipart/report":
        # Read receipts (disposition-notification), delivery receipts, feedback reports: machine-made.
        return "read-receipt" if msg.report_type == "disposition-notification" else "report"
    rest = msg.subject
    while True:
        if rules.auto_subject.match(rest):
            return "subject"
        if rules.forward_prefix.match(rest):
            break  # "VS: Automatisk svar: …" is a person forwarding an auto-reply, with their own words
        stripped = rules.prefix.sub("", rest, count=1)
        if stripped == rest:
            break
        rest = stripped
    if _null_sender(msg, rules):
        return "null-sender"
    return None


def _rule_auto_reply(msg: InboundMessage, ctx: TriageContext, rules: TriageRules) -> Verdict | None:
    reason = _auto_reply_reason(msg, rules)
    if reason is None:
        return None
    case_ref = case_ref_from_subject(msg.subject) or _lookup(msg, ctx)
    return Verdict(MessageKind.AUTO_REPLY, case_ref, (f"auto_reply:{reason}",))


def _rule_bulk(msg: InboundMessage, ctx: TriageContext, rules: TriageRules) -> Verdict | None:
    precedence = (msg.header("precedence") or "").strip().lower()
    reason = None
    if precedence in rules.bulk_precedence:
        reason = "precedence"
    elif msg.header("list-id") is not None:
        reason = "list-id"
    elif any(msg.header(name) is not None for name in rules.list_headers):
        reason = "list-headers"
    elif msg.header("list-unsubscribe") is not None and (
        precedence or any(msg.header(name) is not None for name in rules.bulk_sender_headers)
    ):
        # List-Unsubscribe alone is not enough (some ticket systems add it to a person's mail); with a
        # bulk sender's own header (Feedback-ID, a campaign id) it is a newsletter.
        reason = "list-unsubscribe"
    if reason is None:
        return None
    return Verdict(MessageKind.BULK, None, (f"bulk:{reason}",))


def _lookup(msg: InboundMessage, ctx: TriageContext, *extra: str | None) -> str | None:
    # In-Reply-To names the direct parent; References (newest last) the thread.
    candidates = [*msg.in_reply_to, *reversed(msg.references), *(e for e in extra if e)]
    for message_id in candidates:
        found = ctx.sent_cases.get(message_id)
        if found:
            return found
    return None


def _rule_known_case(msg: InboundMessage, ctx: TriageContext, rules: TriageRules) -> Verdict | None:
    found = _lookup(msg, ctx)
    if found:
        return Verdict(MessageKind.REPLY, found, ("known_case:in-reply-to",))
    tagged = case_ref_from_subject(msg.subject)
    if tagged:
        return Verdict(MessageKind.REPLY, tagged, ("known_case:subject-tag",))
    suffix = "@" + ctx.own_domain.lower()
    if any(m.lower().endswith(suffix) for m in (*msg.in_reply_to, *msg.references)):
        # Answering one of our mails that belongs to no case (a digest, a notice) is still a reply.
        return Verdict(MessageKind.REPLY, None, ("known_case:answers-own-message",))
    return None


def _rule_order(msg: InboundMessage, ctx: TriageContext, rules: TriageRules) -> Verdict | None:
    own_text = text_for(msg, MessageKind.ORDER, rules).new_text
    attachment_text = "\n".join(a.text for a in msg.attachments if a.text)
    subject = strip_prefixes(msg.subject, rules)
    if rules.question_subject and rules.question_subject.search(subject):
        return None
    if rules.question and rules.question.search(own_text):
        return None
    everything = f"{subject}\n{own_text}\n{attachment_text}"
    if not rules.order_words.search(everything):
        return None
    if len(list(islice(rules.detail_words.finditer(everything), rules.min_detail_hits))) < rules.min_detail_hits:
        return None
    return Verdict(MessageKind.ORDER, None, ("order:vocabulary",))


RULES: dict[str, Rule] = {
    "own_mail": _rule_own_mail,
    "bounce": _rule_bounce,
    "auto_reply": _rule_auto_reply,
    "bulk": _rule_bulk,
    "known_case": _rule_known_case,
    "order": _rule_order,
}


def classify(msg: InboundMessage, ctx: TriageContext, rules: TriageRules) -> Verdict:
    """Run the chain from rules/triage.yaml; the first rule that fires decides, else "other"."""
    for name in rules.chain:
        verdict = RULES[name](msg, ctx, rules)
        if verdict is not None:
            return verdict
    return Verdict(MessageKind.OTHER, None, ("other",))
