"""The throughput floor: fetch a folder with imapclient in batches and parse every message (no bot code).

Run as `python -m bench.floor` with the BOT_IMAP_* variables of a sandbox set; prints one JSON object.
It does what any mail-reading program must do at least, over the same TLS connection the bot uses:
UID SEARCH, UID FETCH BODY.PEEK[] in batches of 200, `email.message_from_bytes(policy=default)` and
the text body (text/plain preferred, else HTML as markup).
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import ssl
import time
from email.message import EmailMessage

from imapclient import IMAPClient

BATCH = 200


def body_text(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError):
        return ""
    return content if isinstance(content, str) else ""


def main() -> None:
    started = time.perf_counter()
    context = ssl.create_default_context(cafile=os.environ.get("BOT_CA_FILE"))
    client = IMAPClient(os.environ["BOT_IMAP_HOST"], port=int(os.environ["BOT_IMAP_PORT"]), ssl=True,
                        ssl_context=context, timeout=30)
    client.login(os.environ["BOT_IMAP_USER"], os.environ["BOT_IMAP_PASSWORD"])
    client.select_folder("INBOX", readonly=True)
    uids = sorted(client.search("ALL"))
    fetch_s = parse_s = 0.0
    fetched_bytes = chars = 0
    for start in range(0, len(uids), BATCH):
        t0 = time.perf_counter()
        data = client.fetch(uids[start:start + BATCH], [b"BODY.PEEK[]"])
        t1 = time.perf_counter()
        for item in data.values():
            raw = bytes(item[b"BODY[]"])
            fetched_bytes += len(raw)
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            assert isinstance(msg, EmailMessage)
            chars += len(body_text(msg))
        parse_s += time.perf_counter() - t1
        fetch_s += t1 - t0
    client.logout()
    print(json.dumps({"messages": len(uids), "bytes": fetched_bytes, "body_chars": chars,
                      "fetch_s": fetch_s, "parse_s": parse_s, "work_s": time.perf_counter() - started}))


if __name__ == "__main__":
    main()
