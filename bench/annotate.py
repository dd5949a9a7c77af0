"""kg annotate's speed: the name index built from the curated graph, and a 5,000-word report.

    python bench/annotate.py
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seed" / "kyrgyzstan-tajikistan-2022-article.txt"


def main() -> None:
    sys.path.insert(0, str(ROOT))
    import kg
    from kg.annotate import NameIndex, annotate

    graph = kg.open(ROOT)
    store = graph.store
    started = time.perf_counter()
    index = NameIndex(store)
    built = time.perf_counter() - started
    text = SEED.read_text(encoding="utf-8")
    words = len(text.split())
    report = "\n\n".join([text] * (5000 // words + 1))
    started = time.perf_counter()
    result = annotate(store, report, report_date=dt.date(2022, 9, 18), index=index)
    took = time.perf_counter() - started
    print("| what | value | target |\n|---|---|---|")
    print(f"| name index of the curated graph ({len(index.keys):,} keys) | {built:.2f} s | < 2 s |")
    print(f"| a report of {len(report.split()):,} words (the seed article repeated): {len(result.mentions)} "
          f"mentions, {len(result.figures)} figures | {took:.2f} s | < 1 s |")


if __name__ == "__main__":
    main()
