"""The reply key: which answered bot mails let a sender change a case, and which replies are forwarded."""

from __future__ import annotations

import pytest

from bot.domain import MailKind, Role, SentMail
from bot.intake.reply_key import answered_ids, not_forwarded_because, reply_key

COORDINATORS = ("koordinator@hemit.no", "e-meldinger@stolav.no")
MALVIK = "meldingsansvarlig@malvik.kommune.no"


def sent(*to: str, case: str | None = "OPK-1", kind: MailKind = MailKind.RECEIPT) -> SentMail:
    return SentMail(message_id=f"{kind.value}.opk@helse-midt.no", case_ref=case, kind=kind, step=None,
                    recipients=to)


@pytest.mark.parametrize(("label", "answered", "sender", "role", "ok"), [
    ("answers a mail sent to the sender", [sent(MALVIK)], MALVIK, Role.KOMMUNE, True),
    ("the sender's address in another case and +tag", [sent(MALVIK)], "Meldingsansvarlig+x@Malvik.kommune.no",
     Role.KOMMUNE, True),
    ("a colleague answers what reached the shared mailbox", [sent(MALVIK)], "ola@malvik.kommune.no",
     Role.KOMMUNE, True),
    ("a coordinator answers a mail sent to the other coordinator", [sent(COORDINATORS[1], kind=MailKind.NEW_CASE)],
     COORDINATORS[0], Role.COORDINATOR, True),
    ("the kommune answers its receipt with a coordinator's From", [sent(MALVIK)], COORDINATORS[0],
     Role.COORDINATOR, False),
    ("a kommune answers a mail that went to the coordinators only", [sent(*COORDINATORS, kind=MailKind.NEW_CASE)],
     MALVIK, Role.KOMMUNE, False),
    ("a mail about another case", [sent(MALVIK, case="OPK-2")], MALVIK, Role.KOMMUNE, False),
    ("a mail about no case", [sent(*COORDINATORS, case=None, kind=MailKind.DIGEST)], COORDINATORS[0],
     Role.COORDINATOR, False),
    ("a new mail answers nothing", [], COORDINATORS[0], Role.COORDINATOR, False),
    ("a look-alike domain is another domain", [sent(MALVIK)], "ola@malvik.kommune.no.evil.example",
     Role.KOMMUNE, False),
    ("a subdomain is another domain", [sent(MALVIK)], "ola@skole.malvik.kommune.no", Role.KOMMUNE, False),
])
def test_reply_key(label: str, answered: list[SentMail], sender: str, role: Role, ok: bool) -> None:
    """A command counts only when it answers a mail about the case that went to the sender, the sender's
    domain or, for a coordinator, to a coordinator."""
    verdict = reply_key(answered, case_ref="OPK-1", sender=sender, role=role, coordinators=COORDINATORS)
    assert verdict.ok is ok, label
    if not ok:
        assert "En ny e-post er ikke nok" in verdict.reason


def test_any_answered_mail_of_the_case_is_enough() -> None:
    """The thread may hold mails of other cases and kinds: one that qualifies is enough."""
    answered = [sent(MALVIK, case="OPK-2"), sent(*COORDINATORS, kind=MailKind.NEW_CASE), sent(MALVIK)]
    assert reply_key(answered, case_ref="OPK-1", sender=MALVIK, role=Role.KOMMUNE, coordinators=COORDINATORS).ok


def test_answered_ids_are_in_reply_to_first_then_references_newest_first() -> None:
    """The nearest parent comes first, each id once."""
    assert answered_ids(("c",), ("a", "b", "c")) == ("c", "b", "a")


@pytest.mark.parametrize(("role", "kind", "forwarded"), [
    (Role.KOMMUNE, MailKind.RECEIPT, True),
    (Role.KOMMUNE, None, True),  # a kommune's new mail tagged [OPK-n]: the coordinators must see it
    (Role.COORDINATOR, MailKind.NEW_CASE, True),
    (Role.COORDINATOR, MailKind.FORWARD, False),
    (Role.COORDINATOR, MailKind.NOTICE, False),
    (Role.COORDINATOR, MailKind.DIGEST, False),
    (Role.COORDINATOR, None, False),  # an autoresponder that keeps only the subject
])
def test_a_reply_to_a_forward_notice_or_digest_is_never_forwarded_again(
    role: Role, kind: MailKind | None, forwarded: bool
) -> None:
    """Forwards go to coordinators only; forwarding answers to them would let two autoresponders breed mail."""
    assert (not_forwarded_because(role, kind) is None) is forwarded
