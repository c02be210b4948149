"""`parse FILE.eml --json|--explain`: classify and extract one message, touching no mailbox or database."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.cli import EXIT_OK, EXIT_USAGE, print_json


def parse_main(path: Path, *, as_json: bool, explain: bool) -> int:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        print(f"oppkobling parse: cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    if not raw.strip():
        print(f"oppkobling parse: {path} is empty, not a mail message", file=sys.stderr)
        return EXIT_USAGE

    from bot.app import build_reader
    from bot.domain import MessageKind
    from bot.intake.budget import BudgetExceeded
    from bot.intake.understand import describe_command, parse_json, understand

    reader = build_reader()
    try:
        u = understand(raw, reader.intake, own_address=reader.mailroom.own_address, mailroom=reader.mailroom,
                       max_decompressed_bytes=reader.max_message_bytes)
    except BudgetExceeded as exc:
        # Not readable within one message's budget: the daemon quarantines such a message (SPEC §6: exit 2).
        print(f"oppkobling parse: {path}: over the per-message budget ({exc.reason}); "
              "the daemon quarantines such a message", file=sys.stderr)
        return EXIT_USAGE
    if as_json or not explain:
        print_json(parse_json(u))
        return EXIT_OK
    from bot.intake.order import format_explanation

    print(f"kind:     {u.verdict.kind.value}")
    print(f"case_ref: {u.verdict.case_ref}")
    print(f"rules:    {', '.join(u.verdict.rules_hit) or '-'}")
    if u.cut.rule:
        print(f"quotes:   cut by {u.cut.rule}")
    print("text:")
    for line in u.cut.new_text.splitlines():
        print(f"  | {line}")
    if u.verdict.kind is MessageKind.REPLY:
        print(f"command:  {describe_command(u.said)}")
    if u.order is not None:
        print()
        print(format_explanation(u.order))
    return EXIT_OK
