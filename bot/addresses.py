"""Mail addresses the bot sends to: one strict syntax check, and the mailbox an address lands in."""

from __future__ import annotations

import re

# RFC 5321/5322 dot-atom local part, ASCII only: no quotes, spaces, angle brackets, CR/LF or display text.
_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def ascii_domain(domain: str) -> str | None:
    """The domain in ASCII (IDNA for non-ASCII labels), lower-cased; None when it is not a sane host name."""
    name = domain.rstrip(".").lower()
    if not name or len(name) > 253 or name != name.strip():
        return None
    try:
        ascii_name = name if name.isascii() else name.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    labels = ascii_name.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels) or labels[-1].isdigit():
        return None
    return ascii_name


def recipient_problem(address: str) -> str | None:
    """Why `address` must not reach RCPT TO (syntax, display text, CR/LF, odd domain), or None when fine."""
    local, at, domain = address.rpartition("@")
    if not at or not local:
        return "not an address"
    if len(local) > 64 or not _LOCAL.fullmatch(local):
        return "local part is not a plain ASCII mailbox name"
    if ascii_domain(domain) is None:
        return "domain is not a valid host name"
    if len(address) > 254:
        return "address too long"
    return None


def clean_recipient(address: str) -> str | None:
    """The address as it goes to RCPT TO (lower-cased, ASCII domain), or None when it is refused."""
    if recipient_problem(address) is not None:
        return None
    local, _, domain = address.rpartition("@")
    return f"{local.lower()}@{ascii_domain(domain)}"


def mailbox_key(address: str) -> str:
    """The mailbox an address reaches: case folded, `+tag` dropped, so victim+1@ and Victim+2@ count once."""
    local, _, domain = address.strip().lower().rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain.rstrip('.')}"


def domain_of(address: str | None) -> str:
    """The lower-cased domain of an address ("" when there is none)."""
    return (address or "").strip().lower().rpartition("@")[2].rstrip(".")
