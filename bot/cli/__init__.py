"""The command line: run, parse, cases, case, check, quarantine, web, demo (SPEC §6); one module per subcommand."""

from __future__ import annotations

import argparse
import gc
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
# Commands that read the store, print and end: they run without the cyclic garbage collector (see below).
SHORT_READS = ("cases", "case")


def _parse_now(text: str) -> datetime:
    """An ISO-8601 instant; without an offset it is local time in BOT_TIMEZONE (resolved by bot.app)."""
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO-8601 time: {text!r}") from exc


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="oppkobling",
                                description="Oppkoblingsbot: the onboarding routine, run from a mailbox.")
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="the daemon (IMAP IDLE, scheduler tick, outbox); --once for one cycle")
    run.add_argument("--once", action="store_true",
                     help="fetch and process all new mail, send what is due, drain the outbox, exit")
    run.add_argument("--now", type=_parse_now, help="ISO-8601 instant to use as the clock (with --once)")

    parse = sub.add_parser("parse", help="classify and extract one .eml file without touching mailbox or database")
    parse.add_argument("file", type=Path)
    mode = parse.add_mutually_exclusive_group()
    mode.add_argument("--json", action="store_true", help="print the SPEC §6 JSON object")
    mode.add_argument("--explain", action="store_true", help="show, per field, the text span and the rule that matched")

    cases = sub.add_parser("cases", help="list cases")
    cases.add_argument("--json", action="store_true")
    cases.add_argument("--now", type=_parse_now, help="ISO-8601 instant for overdue/next deadline")

    case = sub.add_parser("case", help="show one case")
    case.add_argument("ref", help="OPK-<n>")
    case.add_argument("--json", action="store_true")
    case.add_argument("--now", type=_parse_now, help="ISO-8601 instant for step status")

    check = sub.add_parser("check", help="validate settings, rules/, data/ and every template")
    check.add_argument("--connect", action="store_true", help="also log in to IMAP and SMTP")

    q = sub.add_parser("quarantine", help="list quarantined messages, export one, or replay it")
    q.add_argument("action", choices=["list", "show", "export", "replay"], nargs="?", default="list")
    q.add_argument("id", nargs="?", type=int, help="inbound message id (from `quarantine list`)")
    q.add_argument("--out", type=Path, help="with export: where to write the .eml")
    q.add_argument("--now", type=_parse_now)

    web = sub.add_parser("web", help="the coordinators' status page (BOT_WEB_HOST:BOT_WEB_PORT)")
    web.add_argument("--now", type=_parse_now, help="ISO-8601 instant the page's clock starts at (it then runs on)")

    db = sub.add_parser("db", help="the database: its schema version, upgrades, and copying it elsewhere")
    db.add_argument("action", choices=["upgrade", "current", "copy"],
                    help="upgrade: bring the schema to this version (stop every instance first); current: show "
                         "the schema version; copy: every row into an empty database at --to")
    db.add_argument("--to", metavar="URL", help="with copy: the target database (e.g. postgresql+psycopg://…)")

    demo = sub.add_parser("demo", help="play one onboarding through the whole routine against a local sandbox")
    demo.add_argument("--keep", action="store_true", help="keep the sandbox running and print its settings")
    return p


_starting = False  # entry() paused the collector and the command has not yet called started()


def entry() -> int:
    """The process: `oppkobling` and `python -m bot`. main() with the garbage collector set for a process of its
    own. Start-up makes ~110,000 objects that live as long as the process (modules, classes, rules, compiled
    patterns); the collector walking them again and again during start-up, and several times more while the
    interpreter exits, cost about a third of an empty `run --once` (~0.3 s CPU). So it is paused until the
    command has built what it keeps (`started`), which then moves those objects out of its sight for good, and
    everything is moved out of its sight before the interpreter exits. In-process callers of main() (tests)
    keep the collector as it is."""
    global _starting
    gc.disable()
    _starting = True
    try:
        return main()
    finally:
        started()
        gc.freeze()  # exit without collecting: the process's memory goes back to the OS as a whole


def started() -> None:
    """A command has loaded what it keeps for the life of the process: when entry() paused the collector, those
    objects are frozen (never examined again; the few cycles made while loading stay) and collection resumes."""
    global _starting
    if _starting:
        _starting = False
        gc.freeze()
        gc.enable()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in SHORT_READS:
        with without_cycle_collection():
            return _command(args)
    if args.command != "run":
        started()  # `run` calls it once the app is built
    return _command(args)


@contextmanager
def without_cycle_collection() -> Iterator[None]:
    """A short command imports its libraries and builds its objects, which all live until it ends: the cyclic
    garbage collector would only walk them again and again (a quarter of the time of `cases --json` with 10,000
    cases). Reference counting still frees what is dropped; the collector is back on when the block ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _command(args: argparse.Namespace) -> int:
    from bot.rulefile import RulesError
    from bot.settings import SettingsError
    from bot.store.db import StoreError

    try:
        if args.command == "parse":
            from bot.cli.parse import parse_main

            return parse_main(args.file, as_json=args.json, explain=args.explain)
        if args.command == "check":
            from bot.cli.check import check_main

            return check_main(connect=args.connect)
        if args.command in ("cases", "case"):
            from bot.cli.cases import case_main, cases_main

            if args.command == "cases":
                return cases_main(as_json=args.json, now=args.now)
            return case_main(args.ref, as_json=args.json, now=args.now)
        if args.command == "run":
            from bot.cli.run import run_main

            return run_main(once=args.once, now=args.now)
        if args.command == "quarantine":
            from bot.cli.quarantine import quarantine_main

            return quarantine_main(args.action, args.id, out=args.out, now=args.now)
        if args.command == "web":
            from bot.cli.web import web_main

            return web_main(now=args.now)
        if args.command == "db":
            from bot.cli.db_cmd import db_main

            return db_main(args.action, to=args.to)
        if args.command == "demo":
            from bot.demo import demo_command

            return demo_command(keep=args.keep)
    except (SettingsError, RulesError, StoreError) as exc:
        print(f"oppkobling: {exc}", file=sys.stderr)
        return EXIT_FAIL
    return EXIT_USAGE


def print_json(obj: object) -> None:
    # One write: json.dump to a text stream writes each token on its own (340,000 writes for 10,000 cases).
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")
