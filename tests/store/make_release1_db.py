"""Makes tests/store/release1.sqlite with release 1's own code (git commit baa8eb7, 2026-11-26): its store,
its intake and its `run --once` cycle on fakes, fed four orders, a reply, a quarantined message and an
undeliverable recipient. Kept for the record; the file it wrote is committed.

    git worktree add /tmp/rel baa8eb7
    cd /tmp/rel && PYTHONPATH=/tmp/rel /path/to/.venv/bin/python /path/to/tests/store/make_release1_db.py OUT
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import build_app  # release 1's
from bot.clock import FixedClock
from bot.mail.memory import MemoryMailbox
from bot.mail.memory_sender import MemorySender
from bot.runner import run_once
from bot.settings import load_settings

OSLO = ZoneInfo("Europe/Oslo")
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=OSLO)
BOT = "meldingsansvarlig@helse-midt.no"


def order(name: str, domain: str, n: int, d: str | None, at: datetime) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"meldingsansvarlig@{domain}"
    msg["To"] = BOT
    msg["Subject"] = f"Bestilling av oppkobling – {name} kommune"
    msg["Date"] = format_datetime(at)
    msg["Message-ID"] = f"<order-{n}@{domain}>"
    lines = ["Hei,", "", f"{name} kommune bestiller oppkobling av elektronisk meldingsutveksling.", ""]
    if d:
        lines.append(f"Aktiveringsdato: {d}")
    lines += ["Meldingstyper: PLO 1.6, dialogmelding 1.1", f"Kommunikasjonspart: HER-id {8142320 + n}", "",
              "Med vennlig hilsen", f"Meldingsansvarlig, {name} kommune"]
    msg.set_content("\n".join(lines) + "\n")
    return msg.as_bytes()


def main(out: Path) -> None:
    out.unlink(missing_ok=True)
    settings = load_settings(database_url=f"sqlite:///{out}", coordinators="koordinator@hemit.no",
                             mailbox_address=BOT)
    clock = FixedClock(T0.astimezone(ZoneInfo("UTC")))
    app = build_app(settings, clock)
    box, sender = MemoryMailbox(), MemorySender()
    sender.permanent = {"meldingsansvarlig@frosta.kommune.no"}
    for n, (name, domain, d) in enumerate([("Malvik", "malvik.kommune.no", "01.03.2027"),
                                          ("Frosta", "frosta.kommune.no", "15.03.2027"),
                                          ("Orkland", "orkland.kommune.no", None),
                                          ("Steinkjer", "steinkjer.kommune.no", "05.04.2027")]):
        box.deliver(order(name, domain, n, d, T0))
    box.deliver(b"From: x\r\nSubject: \xff\xfe broken\r\nContent-Type: multipart/mixed\r\n\r\n--")
    asyncio.run(run_once(app, box, sender))
    first = next(m for m in sender.sent if "malvik" in str(m["To"]))
    reply = EmailMessage()
    reply["From"] = "meldingsansvarlig@malvik.kommune.no"
    reply["To"] = BOT
    reply["Subject"] = f"SV: {first['Subject']}"
    reply["Message-ID"] = "<reply-1@malvik.kommune.no>"
    reply["In-Reply-To"] = str(first["Message-ID"])
    reply["References"] = str(first["Message-ID"])
    reply.set_content("status\n")
    box.deliver(reply.as_bytes())
    clock.set(clock.now() + timedelta(hours=1))
    asyncio.run(run_once(app, box, sender))
    app.store.engine.dispose()


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve())
