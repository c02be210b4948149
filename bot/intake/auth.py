"""Who sent a command and what they may do: sender authentication (RFC 8601, Exchange Online) and role."""

from __future__ import annotations

import email.header
import email.utils
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain import Role
from bot.settings import SenderAuth

# method[/version] = result, then the rest of one resinfo (RFC 8601 §2.2).
_RESINFO = re.compile(r"^\s*([a-z0-9_-]+)\s*(?:/\s*\d+\s*)?=\s*([a-z0-9_-]+)(.*)$", re.I | re.S)
_PROPERTY = re.compile(r"\b([a-z0-9_-]+)\.([a-z0-9_-]+)\s*=\s*([^\s;]+)", re.I)
_ADDRESS = re.compile(r"[a-z0-9._%+'&=-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+", re.I)
_RECEIVED_BY = re.compile(r"\bby\s+([^\s;()]+)", re.I)
# The header block is read undecoded, at most this much: Exchange Online's own is 10-30 KB.
MAX_HEADER_BYTES = 512 * 1024


@dataclass(frozen=True)
class AuthVerdict:
    ok: bool
    reason: str


@dataclass(frozen=True)
class _Result:
    method: str
    result: str
    header_from: str | None


def header_fields(raw: bytes) -> list[tuple[str, str]] | None:
    """The message's header fields in order as (lower-cased name, unfolded value), undecoded; None if too big.

    Bytes become characters one to one (latin-1): an RFC 2047 encoded-word stays what it is, text.
    """
    ends = [i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0]
    block = raw[: min(ends)] if ends else raw
    if len(block) > MAX_HEADER_BYTES:
        return None
    fields: list[tuple[str, str]] = []
    for line in block.decode("latin-1").split("\n"):
        line = line.removesuffix("\r")
        if line[:1] in (" ", "\t") and fields:
            name, value = fields[-1]
            fields[-1] = (name, f"{value} {line.strip()}")
        elif ":" in line:
            name, _, value = line.partition(":")
            fields.append((name.strip().lower(), value.strip()))
    return fields


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


def _results(text: str) -> list[_Result]:
    """The method=result parts of an Authentication-Results value; anything else (an id, a bare
    domain as Exchange Online writes after some results) is skipped."""
    found = []
    for part in _strip_cfws(text).split(";"):
        m = _RESINFO.match(part)
        if m is None:
            continue
        props = {f"{p.lower()}.{q.lower()}": v for p, q, v in _PROPERTY.findall(m.group(3))}
        header_from = props.get("header.from")
        domain = header_from.rpartition("@")[2].strip(".").lower() if header_from else None
        found.append(_Result(m.group(1).lower(), m.group(2).lower(), domain))
    return found


def _authserv_results(value: str, trusted: str) -> list[_Result] | None:
    """The results of a header written by `trusted`, else None. The id must open the value as written:
    an encoded-word, or a (comment) before it, is something else (RFC 8601 §2.2, §5)."""
    head, sep, tail = value.partition(";")
    tokens = head.split()
    if not sep or not tokens or tokens[0].casefold() != trusted.casefold():
        return None
    rest = _strip_cfws(" ".join(tokens[1:])).split()
    # After the authserv-id only an optional version number may follow.
    if len(rest) > 1 or (rest and not rest[0].isdigit()):
        return None
    return _results(tail)


def _from_domain(fields: Sequence[tuple[str, str]], sender: str | None) -> tuple[str | None, str]:
    """The From address's domain when the From field names exactly one mailbox, plainly; else why not."""
    values = [v for n, v in fields if n == "from"]
    if len(values) != 1:
        return None, f"{len(values)} From fields"
    pairs = email.utils.getaddresses(values)
    if len(pairs) != 1:
        return None, "the From field names several addresses"
    address = pairs[0][1].strip().lower()
    if not _ADDRESS.fullmatch(address):
        return None, "the From address is malformed"
    try:
        decoded = str(email.header.make_header(email.header.decode_header(values[0])))
    except (ValueError, LookupError, UnicodeError):
        decoded = values[0]
    others = {a.lower() for a in _ADDRESS.findall(f"{values[0]} {decoded}")} - {address}
    if others:
        return None, "the From field shows another address in its display name"
    if sender is not None and sender.strip().lower() != address:
        return None, "the From field reads differently from the sender"
    return address.rpartition("@")[2], ""


def _aligned(results: Sequence[_Result], domain: str, methods: tuple[str, ...]) -> AuthVerdict:
    """Pass when one of `methods` passed for the From domain (header.from, else the dmarc result's)."""
    dmarc_from = next((r.header_from for r in results if r.method == "dmarc" and r.header_from), None)
    for r in results:
        if r.method in methods and r.result == "pass":
            checked = r.header_from or dmarc_from
            if checked == domain:
                return AuthVerdict(True, f"{r.method}=pass for {domain}")
            return AuthVerdict(False, f"{r.method}=pass for {checked or 'no header.from'}, not the From domain "
                                      f"{domain}")
    seen = ", ".join(f"{r.method}={r.result}" for r in results if r.method in ("dmarc", "compauth"))
    return AuthVerdict(False, f"no {' or '.join(f'{m}=pass' for m in methods)} ({seen or 'no result'})")


def _by_authserv_id(fields: Sequence[tuple[str, str]], trusted: str, domain: str) -> AuthVerdict:
    """Only the topmost header from our own receiving server counts: it adds its own above whatever came in."""
    for name, value in fields:
        if name == "authentication-results":
            results = _authserv_results(value, trusted)
            if results is not None:
                verdict = _aligned(results, domain, ("dmarc",))
                return AuthVerdict(verdict.ok, f"{verdict.reason} (from {trusted})")
    return AuthVerdict(False, f"no Authentication-Results header from {trusted}")


def _by_exchange_online(fields: Sequence[tuple[str, str]], domain: str) -> AuthVerdict:
    """Exchange Online's own verdict; docs/drift.md gives the reasoning.

    X-MS-Exchange-Organization-* fields are stripped from mail arriving from outside and stamped by
    Exchange itself, so they can be believed. AuthAs says whether the sender signed in to the
    organisation; AuthSource names the server that received the message from outside, and Exchange
    puts its Authentication-Results above that server's Received field, with everything the sender
    wrote below it.
    """
    auth_as = {v.strip().lower() for n, v in fields if n == "x-ms-exchange-organization-authas"}
    if not auth_as:
        return AuthVerdict(False, "no X-MS-Exchange-Organization-AuthAs: not delivered by Exchange Online")
    if len(auth_as) > 1:
        return AuthVerdict(False, f"conflicting X-MS-Exchange-Organization-AuthAs values {sorted(auth_as)}")
    if auth_as == {"internal"}:
        if any(n.startswith("resent-") or n == "x-ms-exchange-inbox-rules-loop" for n, _ in fields):
            return AuthVerdict(False, "internal, but forwarded by a person or a mailbox rule")
        return AuthVerdict(True, "internal to the organisation (X-MS-Exchange-Organization-AuthAs: Internal)")
    sources = {v.split()[0].split(".")[0].lower() for n, v in fields
               if n == "x-ms-exchange-organization-authsource" and v.split()}
    if len(sources) != 1:
        return AuthVerdict(False, f"{len(sources)} X-MS-Exchange-Organization-AuthSource servers; expected one")
    source = sources.pop()
    ingress = next((i for i, (n, v) in enumerate(fields) if n == "received"
                    and (m := _RECEIVED_BY.search(v)) and m.group(1).split(".")[0].lower() == source), None)
    if ingress is None:
        return AuthVerdict(False, f"no Received field by {source}, the server that took the message in")
    own = [v for n, v in fields[:ingress] if n == "authentication-results"]
    if len(own) != 1:
        return AuthVerdict(False, f"{len(own)} Authentication-Results fields above {source}'s Received; "
                                  "expected Exchange Online's one")
    verdict = _aligned(_results(own[0]), domain, ("dmarc", "compauth"))
    return AuthVerdict(verdict.ok, f"{verdict.reason} (Exchange Online)")


def sender_authenticated(raw: bytes, sender: str | None, mode: SenderAuth,
                         trusted_authserv_id: str | None = None) -> AuthVerdict:
    """Whether a command in this message may count as coming from `sender` (the parsed From address).

    `raw` is the message (its header block is enough). Header fields are read undecoded and in order.
    Whatever the mode, a From field that names several addresses, or shows another address in its
    display name, gives no rights. Then `off` asks no more; `authserv-id` believes only the topmost
    Authentication-Results from `trusted_authserv_id`; `exchange-online` only the one Exchange Online
    added, or the organisation's own sign-in. A result must be for the From domain (header.from).
    """
    fields = header_fields(raw)
    if fields is None:
        return AuthVerdict(False, f"header block larger than {MAX_HEADER_BYTES} bytes")
    domain, problem = _from_domain(fields, sender)
    if domain is None:
        return AuthVerdict(False, problem)
    if mode == SenderAuth.AUTHSERV_ID:
        if not trusted_authserv_id or not trusted_authserv_id.strip():
            return AuthVerdict(False, "BOT_SENDER_AUTH=authserv-id without BOT_TRUSTED_AUTHSERV_ID")
        return _by_authserv_id(fields, trusted_authserv_id.strip(), domain)
    if mode == SenderAuth.EXCHANGE_ONLINE:
        return _by_exchange_online(fields, domain)
    return AuthVerdict(True, "sender authentication off; the reply key still applies")


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

