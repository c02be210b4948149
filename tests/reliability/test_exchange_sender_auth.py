"""BOT_SENDER_AUTH=exchange-online through the whole bot: a forged Authentication-Results never confirms a step."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from reliability_kit import COORDINATOR, T0, MemoryBot, kommune, memory_bot, order, reply_to

from bot.domain import CaseState

MALVIK = kommune("Malvik")
FRONTEND = "AM4PEPF00027A5F"
PASS = ("spf=pass (sender IP is 193.0.2.25) smtp.mailfrom=hemit.no; dkim=pass (signature was verified) "
        "header.d=hemit.no;dmarc=pass action=none header.from=hemit.no;compauth=pass reason=100")
FAIL = ("spf=fail (sender IP is 203.0.113.9) smtp.mailfrom=hemit.no; dkim=none (message not signed) "
        "header.d=none;dmarc=fail action=oreject header.from=hemit.no;compauth=fail reason=000")


def delivered_by_exchange(raw: bytes, own: str | None, *, auth_as: str = "Anonymous", above: str = "") -> bytes:
    """`raw` as Exchange Online stores it: its trace fields on top, its organisation fields below the sender's."""
    head, _, body = raw.partition(b"\n\n")
    top = (f"Received: from {FRONTEND}.eurprd04.prod.outlook.com (2603:10a6:20b:462:cafe::4c) by\n"
           " AS9PR06CA0006.outlook.office365.com with Microsoft SMTP Server via Frontend Transport\n"
           f"{above}"
           + (f"Authentication-Results: {own}\n" if own else "")
           + f"Received: from mx.hemit.no (193.0.2.25) by {FRONTEND}.mail.protection.outlook.com (10.167.16.74)\n"
           " with Microsoft SMTP Server via Frontend Transport; Tue, 12 Jan 2027 08:17:56 +0000\n")
    org = (f"\nX-MS-Exchange-Organization-AuthSource: {FRONTEND}.eurprd04.prod.outlook.com\n"
           f"X-MS-Exchange-Organization-AuthAs: {auth_as}\nX-MS-Exchange-Organization-SCL: 1")
    return top.encode() + head + org.encode() + b"\n\n" + body


def confirmed(tmp_path: Path, own: str | None, *, sender: str = COORDINATOR, auth_as: str = "Anonymous",
              added: tuple[tuple[str, str], ...] = (), above: str = "") -> bool:
    """Whether the coordinator's `bekreftet AR`, delivered through Exchange Online, confirms the step."""
    bot: MemoryBot = memory_bot(tmp_path, env={"BOT_SENDER_AUTH": "exchange-online"})
    bot.deliver(order(MALVIK, message_id="order@malvik.kommune.no"))
    bot.cycle()
    thread = bot.latest_to(COORDINATOR, "new_case")
    at = T0 + timedelta(minutes=10)
    raw = reply_to(thread, sender, "bekreftet AR", message_id=f"cmd-{uuid.uuid4().hex}@x", headers=added, at=at)
    bot.deliver(delivered_by_exchange(raw, own, auth_as=auth_as, above=above))
    bot.clock.set(at)
    bot.cycle()
    with bot.app.store.tx() as tx:
        [case] = tx.list_cases()
    assert case.state is CaseState.ACTIVE
    return case.step("ar_publisering").done_at is not None


def test_exchanges_own_pass_lets_the_coordinators_command_count(tmp_path: Path) -> None:
    """Control: Exchange Online's dmarc=pass for the coordinator's domain, under the reply key, confirms."""
    assert confirmed(tmp_path, PASS)


def test_internal_mail_counts(tmp_path: Path) -> None:
    """A coordinator inside the organisation (AuthAs: Internal) needs no Authentication-Results."""
    assert confirmed(tmp_path, None, auth_as="Internal")


@pytest.mark.parametrize(("label", "kwargs"), [
    ("a sender-added pass below Exchange's fail", {"own": FAIL, "added": (("Authentication-Results", PASS),)}),
    ("a pass placed above Exchange's fail", {"own": FAIL, "above": f"Authentication-Results: {PASS}\n"}),
    ("a sender's pass where Exchange wrote none", {"own": None, "added": (("Authentication-Results", PASS),)}),
    ("a sender-added AuthAs: Internal", {"own": FAIL,
                                         "added": (("X-MS-Exchange-Organization-AuthAs", "Internal"),)}),
    ("an ARC pass", {"own": FAIL, "added": (("ARC-Authentication-Results", f"i=1; mx.microsoft.com 1; {PASS}"),)}),
])
def test_a_forged_authentication_result_never_confirms(tmp_path: Path, label: str, kwargs: dict[str, object]) -> None:
    """Whatever the sender writes, only Exchange Online's own verdict counts."""
    assert not confirmed(tmp_path, **kwargs), label  # type: ignore[arg-type]


def test_a_stranger_with_a_genuine_pass_for_their_own_domain_gets_nothing(tmp_path: Path) -> None:
    """Authentication proves who sent it, not that they may act: a stranger's real pass changes nothing."""
    stranger_pass = PASS.replace("hemit.no", "evil.example")
    assert not confirmed(tmp_path, stranger_pass, sender="koordinator@evil.example")
