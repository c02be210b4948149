"""`check [--connect]`: settings, the rules and templates they point at, and optionally the servers."""

from __future__ import annotations

import sys

from bot.cli import EXIT_FAIL, EXIT_OK


def check_main(*, connect: bool) -> int:
    from bot.app import check

    failures = 0
    for label, problem in check(connect=connect):
        print(f"FAIL  {label}: {problem}" if problem else f"ok    {label}")
        failures += problem is not None
    if failures:
        print(f"{failures} problem(s)", file=sys.stderr)
        return EXIT_FAIL
    return EXIT_OK
