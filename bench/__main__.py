"""`make bench`: run every benchmark, print the figures and write bench/RESULTS.md (never fails on wall time).

    python -m bench                      all benchmarks, backlog at 2,000 and 10,000 (~10 min)
    python -m bench --quick              backlog at 2,000 only, no in-process breakdown (~3 min)
    python -m bench --only scale latency a subset (RESULTS.md is left alone)
    python -m bench --no-write           do not touch RESULTS.md
    python -m bench backlog --profile    one benchmark with its own options (see `python -m bench NAME -h`)

The exit status is 1 only when a benchmark could not run at all; a missed target is reported, not failed.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import sys
import time
import traceback
from collections.abc import Callable

from bench.harness import machine
from bench.report import RESULTS, Section, Target, targets_table, write_results

NAMES = ("backlog", "latency", "scale", "extraction")
EXTRACTION_TARGET_MS = 20.0


def run_backlog(quick: bool) -> Section:
    from bench import backlog

    return backlog.run(quick)


def run_latency(quick: bool) -> Section:
    from bench import latency

    return latency.run(quick)


def run_scale(quick: bool) -> Section:
    from bench import scale

    return scale.run(quick)


class _Tee(io.StringIO):
    """Keeps what bench/extraction.py prints and still shows it as it comes."""

    def write(self, s: str) -> int:
        sys.__stdout__.write(s)
        sys.__stdout__.flush()
        return super().write(s)


def run_extraction(quick: bool) -> Section:
    from bench import extraction

    section = Section("4. Extraction", "python bench/extraction.py")
    out = _Tee()
    # The corpus lives in the shared folder beside the project; a git worktree (one level deeper) names it
    # with BENCH_CORPUS_DIR.
    corpus = os.environ.get("BENCH_CORPUS_DIR")
    with contextlib.redirect_stdout(out):
        status = extraction.main(["bench/extraction.py", *([corpus] if corpus else [])])
    section.lines.extend(line for line in out.getvalue().splitlines() if line.strip())
    found = re.search(r"median ([\d.]+) ms, p95 ([\d.]+) ms", out.getvalue())
    if status != 0 or found is None:
        raise RuntimeError(f"bench/extraction.py exited {status} without a median/p95 line")
    median, p95 = float(found.group(1)), float(found.group(2))
    section.targets.append(Target("extraction per order (dev corpus)", f"median ≤ {EXTRACTION_TARGET_MS:.0f} ms",
                                  f"median {median:.2f} ms, p95 {p95:.2f} ms", median <= EXTRACTION_TARGET_MS,
                                  "parse_message + extract_order; target as set in bench/extraction.py"))
    return section


RUNNERS: dict[str, Callable[[bool], Section]] = {
    "backlog": run_backlog, "latency": run_latency, "scale": run_scale, "extraction": run_extraction,
}


def run_one_module(name: str, argv: list[str]) -> int:
    """`python -m bench NAME …`: one benchmark with its own options; RESULTS.md is left alone."""
    if name == "extraction":
        from bench import extraction

        return int(extraction.main(["bench/extraction.py", *argv]))
    module = __import__(f"bench.{name}", fromlist=["main"])
    section = module.main(argv)
    if section is not None and section.targets:
        print()
        print(targets_table([section]))
    return 0


def main(argv: list[str]) -> int:
    if argv and argv[0] in NAMES:
        return run_one_module(argv[0], argv[1:])
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="skip the 10,000-message backlog and the breakdown")
    p.add_argument("--only", nargs="+", choices=NAMES, help="run just these (RESULTS.md is then left alone)")
    p.add_argument("--no-write", action="store_true", help=f"do not write {RESULTS}")
    args = p.parse_args(argv)
    info = machine()
    print("machine: " + ", ".join(f"{k}: {v}" for k, v in info.items()), flush=True)
    sections: list[Section] = []
    failed = False
    started = time.perf_counter()
    for name in args.only or NAMES:
        print(f"\n== {name}", flush=True)
        t0 = time.perf_counter()
        try:
            section = RUNNERS[name](args.quick)
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            failed = True
            traceback.print_exc()
            section = Section(name, f"python -m bench --only {name}")
            section.say(f"could not run: {type(exc).__name__}: {exc}")
            section.targets.append(Target(name, "-", "could not run", None, f"{type(exc).__name__}: {exc}"[:200]))
        section.say(f"({name} took {time.perf_counter() - t0:.0f} s)")
        sections.append(section)
    total = time.perf_counter() - started
    print(f"\n== targets (all benchmarks took {total:.0f} s)\n")
    print(targets_table(sections))
    if not args.no_write and not args.only:
        write_results(sections, info, " ".join(argv))
        print(f"written: {RESULTS}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
