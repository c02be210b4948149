"""`quarantine [list|show|export|replay] [ID]`: inspect quarantined mail and process it again."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from bot.cli import EXIT_FAIL, EXIT_OK, EXIT_USAGE


def quarantine_main(action: str, inbound_id: int | None, *, out: Path | None, now: datetime | None) -> int:
    from bot.cli.run import one_line
    from bot.readonly import build_view

    app = build_view(now=now)  # replay builds the whole bot; reading needs the store only
    if action == "list":
        with app.store.tx(read_only=True) as tx:
            rows = tx.inbound(["quarantined"], limit=1000)
        for r in rows:
            print(f"{r.id:>6}  {r.received_at:%Y-%m-%d %H:%M}  {r.sender or '-':<40}  {one_line(r.subject, 50)}  "
                  f"({one_line(r.error or '', 200)})")
        if not rows:
            print("no quarantined messages")
        return EXIT_OK
    if inbound_id is None:
        print(f"oppkobling quarantine {action}: give the message id from `quarantine list`", file=sys.stderr)
        return EXIT_USAGE
    with app.store.tx(read_only=True) as tx:
        row = tx.inbound_row(inbound_id)
        raw = tx.raw(row.sha256) if row is not None and row.sha256 else None
    if row is None:
        print(f"oppkobling quarantine: no message {inbound_id}", file=sys.stderr)
        return EXIT_FAIL
    if action == "show":
        print(f"id {row.id}  uid {row.uid}  outcome {row.outcome}")
        print(f"from {row.sender}\nsubject {row.subject}\nerror {row.error}")
        return EXIT_OK
    if raw is None:
        print(f"oppkobling quarantine: message {inbound_id} has no stored bytes (it was too large to download)",
              file=sys.stderr)
        return EXIT_FAIL
    if action == "export":
        target = out or Path(f"quarantine-{inbound_id}.eml")
        target.write_bytes(raw)
        print(f"wrote {target}")
        return EXIT_OK
    if row.outcome != "quarantined":
        # Replaying a message that was processed would process it twice: a second case, second mails.
        print(f"oppkobling quarantine replay: message {inbound_id} is not quarantined (outcome {row.outcome}); "
              "nothing to replay", file=sys.stderr)
        return EXIT_FAIL
    # replay: process the stored bytes again, as if they had just arrived; the old row records the replay.
    from bot.app import build_app

    app.store.dispose()
    result = build_app(now=now).inbox.replay(inbound_id)
    print(f"replayed {inbound_id}: outcome {result.outcome}" + (f" ({one_line(result.error)})" if result.error else ""))
    return EXIT_OK if result.outcome != "quarantined" else EXIT_FAIL
