"""kg annotate: precision and recall of its mentions on the gold set in tests/fixtures/annotate/
(six reports in English, German and Russian, each mention checked by hand), per language; and
its speed: the name index built from the curated graph, and a 5,000-word report.

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
    gold_file = ROOT / "tests" / "fixtures" / "annotate" / "gold.json"
    by_lang: dict[str, list[int]] = {}
    misses = []
    if gold_file.is_file():
        import json

        gold = json.loads(gold_file.read_text(encoding="utf-8"))
        for name, entry in sorted(gold.items()):
            text = (gold_file.parent / name).read_text(encoding="utf-8")
            found = annotate(store, text, lang=entry["lang"], report_date=dt.date.fromisoformat(entry["date"]),
                             index=index).mentions
            tally = by_lang.setdefault(entry["lang"], [0, 0, 0, 0])  # gold, found, right found, gold found
            tally[0] += len(entry["mentions"])
            tally[1] += len(found)
            for m in found:
                right = any(g["entity"] == m.entity and g["start"] < m.end and m.start < g["end"]
                            for g in entry["mentions"])
                tally[2] += right
                if not right:
                    misses.append(f"{name}: {m.text!r} -> {m.entity.rsplit('/', 2)[-2:]} (not in the gold set)")
            for g in entry["mentions"]:
                hit = any(g["entity"] == m.entity and g["start"] < m.end and m.start < g["end"] for m in found)
                tally[3] += hit
                if not hit:
                    misses.append(f"{name}: {g['text']!r} (gold {g['entity'].rsplit('/', 2)[-2:]}) not found")
    print("| what | value | target |\n|---|---|---|")
    for lang, (n, found_n, right, hit) in sorted(by_lang.items()):
        print(f"| gold mentions, {lang} ({n} in the gold set, {found_n} found) "
              f"| precision {right / max(found_n, 1):.3f}, recall {hit / max(n, 1):.3f} | >= 0.95, >= 0.9 |")
    print(f"| name index of the curated graph ({len(index.keys):,} keys) | {built:.2f} s | < 2 s |")
    print(f"| a report of {len(report.split()):,} words (the seed article repeated): {len(result.mentions)} "
          f"mentions, {len(result.figures)} figures | {took:.2f} s | < 1 s |")
    if misses:
        print("\n" + "\n".join(f"- {m}" for m in misses))


if __name__ == "__main__":
    main()
