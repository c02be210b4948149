"""Benchmark results: sections of figures and targets, printed as they come and written to RESULTS.md."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
BEGIN, END = "<!-- bench:begin (written by `make bench`; edit outside these markers) -->", "<!-- bench:end -->"


@dataclass(frozen=True)
class Target:
    """A target from the issue. `met` is None when it was not measured in this run."""

    name: str
    goal: str
    measured: str
    met: bool | None
    note: str = ""

    def row(self) -> str:
        verdict = {True: "met", False: "**missed**", None: "not run"}[self.met]
        return f"| {self.name} | {self.goal} | {self.measured} | {verdict} | {self.note} |"


@dataclass
class Section:
    title: str
    command: str
    lines: list[str] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)

    def say(self, line: str = "") -> None:
        """Record a line of figures and print it at once (long runs show progress)."""
        self.lines.append(line)
        print(f"  {line}" if line else "", flush=True)

    def markdown(self) -> str:
        out = [f"### {self.title}", "", f"Command: `{self.command}`", "", "```", *self.lines, "```", ""]
        return "\n".join(out)


def targets_table(sections: list[Section]) -> str:
    rows = [t.row() for s in sections for t in s.targets]
    head = ["| target | goal | measured | verdict | note |", "|---|---|---|---|---|"]
    return "\n".join(head + rows) + "\n"


def write_results(sections: list[Section], machine: dict[str, str], argv: str, path: Path = RESULTS) -> None:
    """Replace the generated block of RESULTS.md, keeping whatever people wrote around it."""
    info = ", ".join(f"{k}: {v}" for k, v in machine.items())
    block = "\n".join([
        BEGIN,
        "",
        f"## Latest run: `make bench{(' ARGS=' + repr(argv)) if argv else ''}`",
        "",
        f"Machine: {info}",
        "",
        "Wall-time verdicts below are reported, never enforced: the machine is shared and noisy, so "
        "ratios measured in the same run are the figures to trust.",
        "",
        targets_table(sections),
        *(s.markdown() for s in sections),
        END,
    ])
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.DOTALL)
    if pattern.search(old):
        new = pattern.sub(lambda _m: block, old)
    else:
        new = (old.rstrip() + "\n\n" if old else "# Benchmark results\n\n") + block + "\n"
    path.write_text(new, encoding="utf-8")
