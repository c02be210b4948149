"""Extraction speed: median and p95 of parse_message + extract_order per order mail of a corpus folder.

Usage: .venv/bin/python bench/extraction.py [CORPUS_DIR]   (default: ../shared/corpus/dev from the project root)
Prints a figure; it is not a pass/fail test. Target: median ≤ 20 ms per order.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from bot.intake.message import parse_message  # noqa: E402
from bot.intake.order import extract_order, load_order_vocabulary  # noqa: E402
from bot.registry import load_registry  # noqa: E402

ROUNDS = 20
TARGET_MEDIAN_MS = 20.0


def order_files(corpus: Path) -> list[Path]:
    """The .eml files whose expected JSON says they are orders (all .eml files if there is no JSON)."""
    out = []
    for eml in sorted(corpus.glob("*.eml")):
        expected = eml.with_suffix(".json")
        if expected.exists() and json.loads(expected.read_text(encoding="utf-8")).get("kind") != "order":
            continue
        out.append(eml)
    return out


def main(argv: list[str]) -> int:
    corpus = Path(argv[1]) if len(argv) > 1 else PROJECT_ROOT.parent / "shared" / "corpus" / "dev"
    files = order_files(corpus)
    if not files:
        print(f"no order mails in {corpus}", file=sys.stderr)
        return 2
    registry, vocab = load_registry(), load_order_vocabulary()
    raws = [f.read_bytes() for f in files]
    for raw in raws:  # warm-up: imports of docx/openpyxl/pypdf, regex caches
        extract_order(parse_message(raw), registry, vocab)
    timings_ms: list[float] = []
    for _ in range(ROUNDS):
        for raw in raws:
            start = time.perf_counter()
            extract_order(parse_message(raw), registry, vocab)
            timings_ms.append((time.perf_counter() - start) * 1000)
    timings_ms.sort()
    median = statistics.median(timings_ms)
    p95 = timings_ms[min(len(timings_ms) - 1, int(len(timings_ms) * 0.95))]
    print(f"orders: {len(files)}  runs: {len(timings_ms)}  corpus: {corpus}")
    print(
        f"parse_message + extract_order per order: median {median:.2f} ms, p95 {p95:.2f} ms "
        f"(target median ≤ {TARGET_MEDIAN_MS:.0f} ms)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
