"""TLS client contexts: IMAP and SMTP share one while the CA files stay as they are."""

from __future__ import annotations

import os
from pathlib import Path

import trustme

from bot.mail.tls import shared_client_context


def write_ca(path: Path) -> None:
    trustme.CA().cert_pem.write_to_path(str(path))


def test_the_shared_context_is_built_once_for_the_same_ca_file(tmp_path: Path) -> None:
    """Every connection with the same BOT_CA_FILE gets the same context, so the system store is read once."""
    ca = tmp_path / "ca.pem"
    write_ca(ca)
    first = shared_client_context(ca)
    assert shared_client_context(str(ca)) is first
    assert shared_client_context(None) is not first


def test_a_replaced_ca_file_gives_a_new_context_that_trusts_it(tmp_path: Path) -> None:
    """A CA file rewritten on disk is read again: the next connection trusts the new CA, not the old one."""
    ca = tmp_path / "ca.pem"
    write_ca(ca)
    before = shared_client_context(ca)
    old = {c["serialNumber"] for c in before.get_ca_certs()}
    write_ca(ca)
    os.utime(ca, ns=(1, 1))  # a different stamp even on a file system with coarse timestamps
    after = shared_client_context(ca)
    assert after is not before
    assert {c["serialNumber"] for c in after.get_ca_certs()} != old
