"""Running the bot: one cycle (`run --once`) and the daemon (IDLE watcher, scheduler tick, outbox)."""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.app import App
from bot.inbound.sync import Tally, sync_mailbox
from bot.mail.mailbox import Mailbox, MailboxError
from bot.mail.sender import Sender
from bot.outbound.outbox import DrainReport
from bot.store.repo import StoreError

if TYPE_CHECKING:
    from bot.store.leader import Leadership

log = logging.getLogger("bot.run")


@dataclass
class CycleReport(Tally):
    due_handled: int = 0
    outbox: DrainReport | None = None

    def summary(self) -> str:
        parts = [f"{k}={v}" for k, v in sorted(self.outcomes.items())]
        ob = self.outbox
        sent = f"sent={ob.sent} retrying={ob.retrying} failed={ob.failed}" if ob else "sent=0"
        return f"messages: {', '.join(parts) or 'none'}; due handled={self.due_handled}; {sent}"


async def run_once(app: App, mailbox: Mailbox | None, sender: Sender | None) -> CycleReport:
    """One full cycle: all new mail, everything due at the clock's now, then the outbox. While the mailbox
    is read, the outbox already sends what each committed batch queued (`_read_mailbox`)."""
    report = CycleReport()
    drained: list[DrainReport] = []
    if mailbox is not None:
        await _read_mailbox(app, mailbox, sender, report, drained)
    report.due_handled = app.ticker.tick()
    if sender is not None:
        drained.append(await app.outbox.drain(sender))
        report.outbox = DrainReport(sent=sum(d.sent for d in drained), retrying=sum(d.retrying for d in drained),
                                    failed=sum(d.failed for d in drained))
    return report


async def _read_mailbox(app: App, mailbox: Mailbox, sender: Sender | None, report: CycleReport,
                        drained: list[DrainReport]) -> None:
    """Read the mailbox in a thread while the loop sends what each batch queued: the receipts of the first
    orders of a flood go out while the rest is read, and the wait for the SMTP server overlaps the reading.
    Cancelled (Ctrl-C), the reader stops after the message in hand."""
    loop = asyncio.get_running_loop()
    queued = asyncio.Event()
    stop = threading.Event()

    def read() -> None:
        try:
            sync_mailbox(app.inbox, mailbox, app.folders, report, stop=stop,
                         on_batch=lambda: loop.call_soon_threadsafe(queued.set))
        finally:
            mailbox.close()

    reading = asyncio.ensure_future(asyncio.to_thread(read))
    try:
        while sender is not None and not reading.done():
            waiter = asyncio.ensure_future(queued.wait())
            await asyncio.wait({reading, waiter}, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            if queued.is_set():
                queued.clear()
                drained.append(await app.outbox.drain(sender))
        await reading
    except BaseException:
        stop.set()
        raise


async def run_daemon(app: App, mailbox: Mailbox, sender: Sender, *, leadership: Leadership | None = None) -> None:
    """IDLE watcher in a thread, the scheduler tick and the outbox on the loop; stops on SIGTERM/SIGINT.

    With `leadership` (PostgreSQL, bot.store.leader) a thread renews the lease; when another daemon has taken
    the lead, this one stops (its commits and sends are fenced already) and `leadership.epoch` is None."""
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
                if sync_mailbox(app.inbox, mailbox, app.folders, stop=stop,
                                on_batch=lambda: loop.call_soon_threadsafe(wake_outbox.set)):
                    loop.call_soon_threadsafe(wake_outbox.set)
                if stop.is_set():
                    break
                mailbox.wait_for_new(app.settings.poll_interval_s, app.settings.imap_folder)
            except MailboxError as exc:
                log.error("mailbox trouble, retrying: %s", exc)
                stop.wait(5.0)
            except StoreError as exc:
                log.error("database trouble, retrying: %s", exc)
                stop.wait(5.0)
            except Exception:
                log.exception("unexpected error in the mailbox watcher; retrying")
                stop.wait(5.0)
        mailbox.close()

    async def drain() -> None:
        async with sending:
            try:
                await app.outbox.drain(sender)
            except StoreError as exc:
                log.error("outbox interrupted, retrying later: %s", exc)

    async def scheduled_tick() -> None:
        try:
            await asyncio.to_thread(app.ticker.tick)
        except StoreError as exc:
            log.error("tick interrupted, retrying later: %s", exc)
        await drain()

    def keep_the_lead(lead: Leadership) -> None:
        every = lead.lease_s / 3
        while not stop.wait(every):
            try:
                if not lead.renew():
                    log.error("lost the lead (another instance leads now): stopping; nothing more is committed "
                              "or sent by this process")
                    loop.call_soon_threadsafe(request_stop)
                    return
            except Exception as exc:  # the database is down: keep trying; the fences hold meanwhile
                log.warning("cannot renew the lead, retrying: %s", " ".join(str(exc).split())[:300])

    if leadership is not None:
        threading.Thread(target=keep_the_lead, args=(leadership,), name="lease", daemon=True).start()

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
