"""The PDF reader's own process: a PDF on stdin, its text as JSON on stdout, under RLIMIT_CPU and RLIMIT_AS."""

from __future__ import annotations

import json
import math
import resource
import sys

# The budget of one message; the worker maps ~45 MB, ~65 MB after reading 20 pages of 45,000 tokens each.
ADDRESS_SPACE_BYTES = 512 << 20


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str]) -> int:
    """`python -m bot.intake.pdf_worker SECONDS`: over SECONDS of CPU the kernel stops it with SIGXCPU."""
    limit = math.ceil(_cpu_s() + float(argv[1]))
    resource.setrlimit(resource.RLIMIT_CPU, (limit, limit + 1))
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_BYTES, ADDRESS_SPACE_BYTES))
    data = sys.stdin.buffer.read()
    from bot.intake.pdf_text import read_pdf

    result: dict[str, object]
    try:
        result = {"text": read_pdf(data)}
    except Exception as exc:  # third-party parsers raise anything on hostile files
        reason = str(exc).splitlines()[0][:200] if str(exc) else ""
        result = {"error": f"{type(exc).__name__}: {reason}"}
    result["cpu_s"] = _cpu_s()
    sys.stdout.write(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
