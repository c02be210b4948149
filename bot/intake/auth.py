"""Who sent a command and what they may do: DMARC from our own server (RFC 8601), role, permission."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain import Role

_DMARC_PASS = re.compile(r"^\s*dmarc\s*(?:/\s*\d+\s*)?=\s*pass\b", re.I)
_DMARC_ANY = re.compile(r"^\s*dmarc\s*(?:/\s*\d+\s*)?=\s*([\w-]+)", re.I)


@dataclass(frozen=True)
class AuthVerdict:
    ok: bool
    reason: str


def _strip_cfws(value: str) -> str:
    """Unfold, drop (comments), and unquote "strings" with their ';' blanked.

    A quoted reason or property value may contain "; dmarc=pass"; blanking ';' inside quotes keeps
    such text from posing as a result of its own.
    """
    out: list[str] = []
    depth, quoted, escaped = 0, False, False
    for ch in re.sub(r"\r?\n[ \t]+", " ", value):
        if escaped:
            escaped = False
            if depth == 0:
                out.append(" " if ch == ";" else ch)
        elif ch == "\\" and (quoted or depth):
            escaped = True
        elif quoted:
            if ch == '"':
                quoted = False
            else:
                out.append(" " if ch == ";" else ch)
        elif ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        elif depth == 0:
            if ch == '"':
                quoted = True
            else:
                out.append(ch)
    return "".join(out)


def _results_from(value: str, trusted_authserv_id: str) -> list[str] | None:
    """The resinfo parts of one Authentication-Results value, or None when another server wrote it."""
    head, sep, tail = _strip_cfws(value).partition(";")
    tokens = head.split()
    if not sep or not tokens or tokens[0].casefold() != trusted_authserv_id.casefold():
        return None
    # After the authserv-id only an optional version number may follow (RFC 8601 §2.2).
    if len(tokens) > 2 or (len(tokens) == 2 and not tokens[1].isdigit()):
        return None
    return tail.split(";")


def sender_authenticated(headers: Sequence[tuple[str, str]], trusted_authserv_id: str | None) -> AuthVerdict:
    """Whether a command in this message may count (SPEC §4, BOT_TRUSTED_AUTHSERV_ID).

    Only Authentication-Results headers written by our own receiving server are evidence: a sender
    can add any header it likes, so headers naming another authserv-id are ignored (RFC 8601 §5).
    ARC-Authentication-Results and other look-alike names are a different header and never count.
    """
    if trusted_authserv_id is None or not trusted_authserv_id.strip():
        return AuthVerdict(True, "no trusted authserv-id configured; authentication not required")
    trusted = trusted_authserv_id.strip()
    seen: list[str] = []
    found = False
    for name, value in headers:
        if name.strip().lower() != "authentication-results":
            continue
        results = _results_from(value, trusted)
        if results is None:
            continue
        found = True
        if any(_DMARC_PASS.match(r) for r in results):
            return AuthVerdict(True, f"dmarc=pass from {trusted}")
        seen += [m.group(1).lower() for r in results if (m := _DMARC_ANY.match(r))]
    if not found:
        return AuthVerdict(False, f"no Authentication-Results header from {trusted}")
    verdict = f"dmarc={','.join(seen)}" if seen else "no dmarc result"
    return AuthVerdict(False, f"Authentication-Results from {trusted} without dmarc=pass ({verdict})")


def _address(raw: str | None) -> str | None:
    if raw is None:
        return None
    address = raw.strip().strip("<>").strip().lower()
    return address if address.count("@") == 1 and all(address.split("@")) else None


def role_of(
    sender: str | None,
    coordinators: Sequence[str],
    municipality_domain: str | None,
    contact_email: str | None,
) -> Role:
    """The sender's role for authorization (SPEC §4); coordinators win over kommune.

    The municipality domain must match exactly: `skole.malvik.kommune.no` is not
    `malvik.kommune.no`. Subdomains are often run by schools or vendors, and accepting them would
    widen who may confirm the AR step; an unusual address can be set as the case's contact address.
    """
    address = _address(sender)
    if address is None:
        return Role.STRANGER
    if address in {a for c in coordinators if (a := _address(c))}:
        return Role.COORDINATOR
    if address == _address(contact_email):
        return Role.KOMMUNE
    domain = (municipality_domain or "").strip().lstrip("@").rstrip(".").lower()
    if domain and address.rpartition("@")[2] == domain:
        return Role.KOMMUNE
    return Role.STRANGER

