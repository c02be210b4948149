"""Running the bot: one cycle (`run --once`) and the daemon (IDLE watcher, scheduler tick, outbox)."""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections import Counter
from dataclasses import dataclass, field

from bot.app import App
from bot.inbox import Processed, process_fetched
from bot.mail.mailbox import FetchedMessage, Mailbox, MailboxError, UidValidityChanged
from bot.mail.sender import Sender
from bot.outbox import DrainReport, drain_outbox
from bot.settings import Settings
from bot.store.web_repo import record_sync
from bot.ticker import tick

log = logging.getLogger("bot.run")


@dataclass
class CycleReport:
    outcomes: Counter[str] = field(default_factory=Counter)
    quarantined: list[Processed] = field(default_factory=list)
    due_handled: int = 0
    outbox: DrainReport | None = None

    def summary(self) -> str:
        parts = [f"{k}={v}" for k, v in sorted(self.outcomes.items())]
        ob = self.outbox
        sent = f"sent={ob.sent} retrying={ob.retrying} failed={ob.failed}" if ob else "sent=0"
        return f"messages: {', '.join(parts) or 'none'}; due handled={self.due_handled}; {sent}"


def account_of(settings: Settings) -> str:
    return f"{settings.imap_user or settings.mailbox_address}@{settings.imap_host or 'local'}"


def sync_mailbox(app: App, mailbox: Mailbox, report: CycleReport | None = None,
                 stop: threading.Event | None = None) -> int:
    """Fetch and process everything new in the folder; returns how many messages were recorded."""
    settings = app.settings
    account, folder = account_of(settings), settings.imap_folder
    done = 0
    for _attempt in range(2):
        uidvalidity = mailbox.select(folder)
        with app.store.tx() as tx:
            state = tx.folder_state(account, folder)
            after = state.last_uid if state is not None and state.uidvalidity == uidvalidity else 0
            if state is not None and state.uidvalidity != uidvalidity:
                log.warning("UIDVALIDITY of %s changed (%s → %s): rescanning, duplicates are recognised",
                            folder, state.uidvalidity, uidvalidity)
        processed_uids: list[int] = []
        quarantined_uids: list[int] = []
        try:
            for fetched in mailbox.fetch_new(folder, after, settings.max_message_bytes, settings.fetch_batch_size):
                headers = _headers_of(mailbox, fetched) if fetched.raw is None else None
                result = process_fetched(app, fetched, account, headers=headers)
                if result is None:
                    continue
                done += 1
                if report is not None:
                    report.outcomes[result.outcome] += 1
                    if result.outcome == "quarantined":
                        report.quarantined.append(result)
                (quarantined_uids if result.outcome == "quarantined" else processed_uids).append(result.uid)
                if stop is not None and stop.is_set():
                    break
        except UidValidityChanged:
            continue
        _move(mailbox, folder, processed_uids, settings.processed_folder)
        _move(mailbox, folder, quarantined_uids, settings.quarantine_folder)
        with app.store.tx() as tx:
            record_sync(tx, app.clock.now())  # for /healthz: when the mailbox was last read to the end
        break
    return done


def _headers_of(mailbox: Mailbox, fetched: FetchedMessage) -> bytes | None:
    """The header block of a message too large to download: enough to name it and to recognise it again."""
    try:
        return mailbox.fetch_headers(fetched.folder, [fetched.uid]).get(fetched.uid)
    except MailboxError as exc:
        log.warning("could not read the headers of oversize uid=%s: %s", fetched.uid, exc)
        return None


def _move(mailbox: Mailbox, folder: str, uids: list[int], target: str | None) -> None:
    if target and uids:
        mailbox.move(folder, uids, target)


async def run_once(app: App, mailbox: Mailbox | None, sender: Sender | None) -> CycleReport:
    """One full cycle: all new mail, everything due at the clock's now, then the outbox."""
    report = CycleReport()
    if mailbox is not None:
        try:
            sync_mailbox(app, mailbox, report)
        finally:
            mailbox.close()
    report.due_handled = tick(app)
    if sender is not None:
        report.outbox = await drain_outbox(app, sender)
    return report


async def run_daemon(app: App, mailbox: Mailbox, sender: Sender) -> None:
    """IDLE watcher in a thread, the scheduler tick and the outbox on the loop; stops on SIGTERM/SIGINT."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    loop = asyncio.get_running_loop()
    stop = threading.Event()
    stopped = asyncio.Event()
    wake_outbox = asyncio.Event()
    sending = asyncio.Lock()

    def request_stop() -> None:
        if not stop.is_set():
            log.info("stopping: finishing the message in hand")
        stop.set()
        mailbox.interrupt()
        loop.call_soon_threadsafe(stopped.set)

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, request_stop)

    def watch() -> None:
        while not stop.is_set():
            try:
                if sync_mailbox(app, mailbox, stop=stop):
                    loop.call_soon_threadsafe(wake_outbox.set)
                if stop.is_set():
                    break
                mailbox.wait_for_new(app.settings.poll_interval_s, app.settings.imap_folder)
            except MailboxError as exc:
                log.error("mailbox trouble, retrying: %s", exc)
                stop.wait(5.0)
            except Exception:
                log.exception("unexpected error in the mailbox watcher; retrying")
                stop.wait(5.0)
        mailbox.close()

    async def drain() -> None:
        async with sending:
            await drain_outbox(app, sender)

    async def scheduled_tick() -> None:
        await asyncio.to_thread(tick, app)
        await drain()

    scheduler = AsyncIOScheduler(timezone=app.settings.timezone)
    scheduler.add_job(scheduled_tick, "interval", seconds=app.settings.tick_interval_s, id="tick",
                      max_instances=1, coalesce=True, next_run_time=None)
    scheduler.start()
    watcher = threading.Thread(target=watch, name="mailbox-watcher", daemon=True)
    watcher.start()
    await scheduled_tick()
    log.info("running: mailbox %s, tick every %.0f s", app.settings.mailbox_address, app.settings.tick_interval_s)
    try:
        while not stopped.is_set():
            waiter = asyncio.ensure_future(wake_outbox.wait())
            await asyncio.wait({waiter, asyncio.ensure_future(stopped.wait())},
                                         return_when=asyncio.FIRST_COMPLETED)
            if wake_outbox.is_set():
                wake_outbox.clear()
                await drain()
            for t in (waiter,):
                t.cancel()
    finally:
        scheduler.shutdown(wait=False)
        await asyncio.to_thread(watcher.join, 30)
        await drain()
        log.info("stopped cleanly")
