"""Recipient addresses: what may reach RCPT TO, and which mailbox an address counts as."""

from __future__ import annotations

import pytest

from bot.addresses import clean_recipient, mailbox_key, recipient_problem


@pytest.mark.parametrize("address", [
    "meldingsansvarlig@malvik.kommune.no",
    "Ola.Nordmann+opk@Malvik.Kommune.no",
    "o'brien@example.com",
    "koordinator@hemit.no.",
    "post@bærum.kommune.no",  # IDNA: sent as its xn-- form
])
def test_plain_mailboxes_pass(address: str) -> None:
    """Ordinary addresses, plus-tags and IDNA domains are accepted."""
    assert recipient_problem(address) is None


@pytest.mark.parametrize(("label", "address"), [
    ("decoded display text", "victim@gmail.example <x1@malvik.kommune.no"),
    ("angle brackets", "<victim@gmail.example>"),
    ("a space", "ola nordmann@malvik.kommune.no"),
    ("CR/LF", "ola@malvik.kommune.no\r\nBcc: victim@gmail.example"),
    ("a quoted local part", '"victim@gmail.example"@malvik.kommune.no'),
    ("a comma list", "a@malvik.kommune.no,victim@gmail.example"),
    ("non-ASCII local part", "øla@malvik.kommune.no"),
    ("no domain dot", "root@localhost"),
    ("an IP-literal", "x@[127.0.0.1]"),
    ("numeric top-level label", "x@10.0.0.1"),
    ("a hyphen at a label's end", "x@malvik-.kommune.no"),
    ("an empty label", "x@malvik..kommune.no"),
    ("an over-long label", "x@" + "a" * 64 + ".no"),
    ("an over-long local part", "a" * 65 + "@malvik.kommune.no"),
    ("a leading dot", ".ola@malvik.kommune.no"),
    ("no local part", "@malvik.kommune.no"),
    ("bidi override", "ola\u202e@malvik.kommune.no"),
])
def test_anything_but_a_plain_mailbox_is_refused(label: str, address: str) -> None:
    """Display text, line breaks, quotes, odd domains: refused before the outbox, never sent to."""
    assert recipient_problem(address) is not None, label
    assert clean_recipient(address) is None


def test_clean_recipient_lowercases_and_sends_idna_domains_as_ascii() -> None:
    """The address given to RCPT TO is lower-cased with an ASCII domain."""
    assert clean_recipient("Post@Bærum.Kommune.no") == "post@xn--brum-voa.kommune.no"


@pytest.mark.parametrize(("a", "b"), [
    ("victim+1@gmail.example", "Victim+2@GMAIL.example"),
    ("victim@gmail.example", "victim+opk@gmail.example."),
])
def test_a_mailbox_counts_once_whatever_its_tag_or_case(a: str, b: str) -> None:
    """The per-mailbox cap folds +tags and case."""
    assert mailbox_key(a) == mailbox_key(b)
