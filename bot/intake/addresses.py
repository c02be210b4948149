"""Mail addresses: read from the structure of an address header (RFC 5322 §3.4), never from decoded text."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# An address field longer than this is not read at all (a real To line with 500 colleagues is ~20 KB).
MAX_ADDRESS_FIELD_CHARS = 64_000
MAX_FROM_CHARS = 2_000
MAX_LOCAL_CHARS = 64
MAX_DOMAIN_CHARS = 253

# One token per match, each alternative possessive, so the scan is one linear pass over the field.
_TOKEN = re.compile(
    r"""(?P<ws>[ \t\r\n]++)
    |(?P<qs>"(?:[^"\\]|\\.)*+(?P<qs_end>")?)
    |(?P<lit>\[(?:[^\[\]\\]|\\.)*+(?P<lit_end>\])?)
    |(?P<open>\()
    |(?P<special>[<>,;:@.\]\)\\])
    |(?P<atom>[^ \t\r\n"(),.:;<>@\[\]\\]++)""",
    re.DOTALL | re.VERBOSE,
)
_PAREN = re.compile(r"[()\\]")
# RFC 5322 atext, UTF-8 as RFC 6532 allows: A-Za-z0-9!#$%&'*+/=?^_`{|}~- and every character from U+0080 up,
# written as what it is not (controls, space, DEL and the specials). The same set: spelled as the range
# \u0080-\U0010ffff it took 7 ms to compile at every start (re's compiler walks a range one character at a time).
_ATEXT = r"[^\x00-\x20\x7f\"(),.:;<>@\[\]\\]++"
_LOCAL = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*+")
_LABEL = re.compile(r"(?!-)[\w-]{1,63}(?<!-)")
# Text that reads as an address somewhere in free text or in a display name. The lookbehind lets a match
# start only where a run of address characters starts, and the possessive runs never give characters back,
# so a 100 KB word or 400,000 dashes is scanned once (the plain pattern backtracked quadratically).
TEXT_ADDRESS = re.compile(r"(?<![\w.+'-])[\w.+'-]++@[\w-]++(?:\.[\w-]++)+")


def text_addresses(text: str) -> list[tuple[str, int]]:
    """Lower-cased addresses written in free text, with their offsets (a sentence's full stop left out)."""
    return [(m.group(0).lower().rstrip("."), m.start()) for m in TEXT_ADDRESS.finditer(text)]


@dataclass(frozen=True)
class Mailbox:
    """One mailbox of an address field: its display name (decoded) and its address, or why it has none."""

    name: str
    address: str | None  # lower-cased addr-spec; None when the mailbox has no usable address
    problem: str | None = None


@dataclass(frozen=True)
class Sender:
    """What the From field says: the one address it gives rights to, or the reason it gives none."""

    address: str | None
    name: str
    problem: str | None  # None only for a From with exactly one clean mailbox


@dataclass
class _Token:
    kind: str  # ws, qs (quoted string), lit (domain literal), comment, special, atom
    text: str


def _comment_end(value: str, start: int) -> int:
    """Index after the comment opening at `start`; nesting is counted, never recursed into."""
    depth = 0
    for m in _PAREN.finditer(value, start):
        ch = m.group(0)
        if ch == "\\":
            continue  # the escaped character is skipped by the next find: \( and \) are never counted
        depth += 1 if ch == "(" else -1
        if depth == 0:
            return m.end()
    return -1


def _tokens(value: str) -> tuple[list[_Token], str | None]:
    out: list[_Token] = []
    pos, n = 0, len(value)
    while pos < n:
        m = _TOKEN.match(value, pos)
        if m is None:
            return out, f"unreadable character {value[pos]!r}"
        kind = next(k for k in ("ws", "qs", "lit", "open", "special", "atom") if m.group(k) is not None)
        if kind == "open":
            end = _comment_end(value, pos)
            if end < 0:
                return out, "unbalanced comment"
            out.append(_Token("comment", value[pos + 1 : end - 1]))
            pos = end
            continue
        text = m.group(0)
        if kind == "qs" and m.group("qs_end") is None:
            return out, "unterminated quoted string"
        if kind == "lit" and m.group("lit_end") is None:
            return out, "unterminated domain literal"
        if kind == "special" and text in ")\\]":
            return out, f"stray {text!r}"
        out.append(_Token(kind, text))
        pos = m.end()
    return out, None


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1], flags=re.DOTALL)


def _phrase(words: list[_Token], decode: Callable[[str], str]) -> str:
    """A display name as written (quotes taken off, spacing kept to one space), RFC 2047 words decoded."""
    parts = [" " if w.kind == "ws" else _unquote(w.text) if w.kind == "qs" else w.text for w in words]
    return decode("".join(parts).strip())


def _addr_spec(tokens: list[_Token]) -> tuple[str | None, str | None]:
    """The address written by `tokens` (comments removed), or why there is none."""
    while tokens and tokens[0].kind == "ws":
        tokens = tokens[1:]
    while tokens and tokens[-1].kind == "ws":
        tokens = tokens[:-1]
    if not tokens:
        return None, "no address"
    text = "".join(t.text for t in tokens)
    if any(t.kind == "ws" for t in tokens):
        return None, "no @ in the address" if "@" not in text else "spaces in the address"
    if any(t.kind in ("qs", "lit") for t in tokens):
        return None, "quoted local part or domain literal"
    local, at, domain = text.rpartition("@")
    if not at:
        return None, "no @ in the address"
    if "=?" in local or "?=" in local:
        return None, "encoded-word in the address"
    if "@" in local or len(local) > MAX_LOCAL_CHARS or not _LOCAL.fullmatch(local):
        return None, "malformed local part"
    labels = domain.split(".")
    if len(domain) > MAX_DOMAIN_CHARS or len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        return None, "malformed domain"
    return f"{local}@{domain}".lower(), None


def _mailbox(tokens: list[_Token], decode: Callable[[str], str]) -> Mailbox:
    """One mailbox from the tokens between two top-level commas: `name <addr>` or a bare `addr`."""
    comments = [t.text for t in tokens if t.kind == "comment"]
    tokens = [t for t in tokens if t.kind != "comment"]
    opens = [i for i, t in enumerate(tokens) if t.text == "<" and t.kind == "special"]
    if opens:
        first = opens[0]
        closes = [i for i, t in enumerate(tokens) if t.text == ">" and t.kind == "special"]
        name = _phrase(tokens[:first], decode)
        if len(opens) != 1 or len(closes) != 1 or closes[0] < first:
            return Mailbox(name, None, "unbalanced angle brackets")
        inner = tokens[first + 1 : closes[0]]
        if any(t.kind != "ws" for t in tokens[closes[0] + 1 :]):
            return Mailbox(name, None, "text after the address")
        if any(t.text == "@" for t in inner[:1]) or any(t.text == ":" for t in inner):
            return Mailbox(name, None, "source route in the address")
        address, problem = _addr_spec(inner)
        return Mailbox(name, address, problem)
    address, problem = _addr_spec(tokens)
    if problem == "no @ in the address":
        return Mailbox(_phrase(tokens, decode), None, "a name without an address")
    return Mailbox(decode(comments[0]) if comments and address else "", address, problem)


def parse_address_list(
    value: str, decode: Callable[[str], str], *, max_chars: int = MAX_ADDRESS_FIELD_CHARS
) -> tuple[list[Mailbox], str | None]:
    """Every mailbox of one address field (groups flattened), and a problem with the field as a whole."""
    if len(value) > max_chars:
        return [], f"address field of {len(value)} characters not read (limit {max_chars})"
    tokens, problem = _tokens(value)
    if problem is not None:
        return [], problem
    boxes: list[Mailbox] = []
    item: list[_Token] = []
    in_angle, group_problem = False, None
    for tok in tokens:
        special = tok.text if tok.kind == "special" else ""
        if special == "<":
            in_angle = True
        elif special == ">":
            in_angle = False
        if not in_angle and special == ":":
            group_problem = "group syntax"
            item = []  # the group's name is not a mailbox
            continue
        if not in_angle and special in (",", ";"):
            if any(t.kind != "ws" for t in item):
                boxes.append(_mailbox(item, decode))
            item = []
            continue
        item.append(tok)
    if any(t.kind != "ws" for t in item):
        boxes.append(_mailbox(item, decode))
    return boxes, group_problem


def addresses_of(values: Iterable[str], decode: Callable[[str], str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The usable addresses of some address fields (To, Cc), in order, and the problems met."""
    found: list[str] = []
    problems: list[str] = []
    for value in values:
        boxes, problem = parse_address_list(value, decode)
        if problem and problem != "group syntax":
            problems.append(problem)
        found.extend(b.address for b in boxes if b.address)
        problems.extend(b.problem for b in boxes if b.problem)
    return tuple(found), tuple(problems)


def sender_of(values: list[str], decode: Callable[[str], str]) -> Sender:
    """The From field read strictly: one field, one mailbox, a clean address, no address in the display name."""
    if not values:
        return Sender(None, "", "no From field")
    if len(values) > 1:
        return Sender(None, "", f"{len(values)} From fields")
    boxes, problem = parse_address_list(values[0], decode, max_chars=MAX_FROM_CHARS)
    if problem is not None:
        return Sender(None, "", f"From: {problem}")
    if len(boxes) > 1 and all(b.problem == "a name without an address" for b in boxes[:-1]) and boxes[-1].address:
        # Nordmann, Kari <kari@x.no>: a comma in a display name some client forgot to quote.
        last = boxes[-1]
        boxes = [Mailbox(", ".join([*(b.name for b in boxes[:-1]), last.name]), last.address, last.problem)]
    if len(boxes) != 1:
        return Sender(None, "", f"From names {len(boxes)} mailboxes" if boxes else "From names no mailbox")
    box = boxes[0]
    if box.problem is not None or box.address is None:
        return Sender(None, box.name, f"From: {box.problem or 'no address'}")
    if any(found != box.address for found, _ in text_addresses(box.name)):
        # "victim@gmail.example <x@kommune.no>": a reader sees the name, the bot would act on the other one.
        # A name that repeats the address itself ("post@x.no" <post@x.no>) is what many clients write.
        return Sender(box.address, box.name, "From: another address in the display name")
    return Sender(box.address, box.name, None)
