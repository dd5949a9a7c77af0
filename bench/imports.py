"""Benchmark `kg import ucdp-ged`: a seeded generator of GED-shaped events, imported end to end.

    python bench/imports.py [--events 100000] [--seed 7]

Writes a synthetic GED CSV (all 49 columns, UCDP's quoting, some multi-line source fields,
events spread over the post-Soviet conflicts the catalogue knows and some it does not),
builds the project's store in a temporary folder, then runs `kg import ucdp-ged` in a fresh
process and reports events per second and the process's peak memory (ru_maxrss).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.importers.ucdp import GED_COLUMNS  # noqa: E402

# (conflict id, name, side a, id, gw, side b, id, gw, lat, lon): real UCDP ids and codes of
# the catalogue's conflicts, plus one the catalogue does not hold
CONFLICTS = [
    ("13324", "Kyrgyzstan - Tajikistan", "Government of Kyrgyzstan", "132", "703", "Government of Tajikistan", "131",
     "702", 40.0, 70.8),
    ("13243", "Russia (Soviet Union) - Ukraine", "Government of Russia (Soviet Union)", "57", "365",
     "Government of Ukraine", "61", "369", 48.5, 37.5),
    ("388", "Azerbaijan: Nagorno-Karabakh", "Government of Azerbaijan", "64", "373", "Republic of Artsakh", "338", "",
     39.8, 46.7),
    ("401", "Russia (Soviet Union): Chechnya", "Government of Russia (Soviet Union)", "57", "365",
     "Chechen Republic of Ichkeria", "352", "", 43.3, 45.7),
    ("99001", "Synthetic conflict", "Synthetic group A", "99002", "", "Synthetic group B", "99003", "", 42.0, 44.0),
]


def write_ged(path: Path, events: int, seed: int) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(GED_COLUMNS)
        for i in range(events):
            cid, name, sa, sa_id, gwa, sb, sb_id, gwb, lat, lon = CONFLICTS[rng.randrange(len(CONFLICTS))]
            place = rng.randrange(500)  # events are reported at a fixed set of places per conflict
            spot = random.Random(f"{cid}-{place}")
            year = rng.randrange(1994, 2023)
            month, day = rng.randrange(1, 13), rng.randrange(1, 29)
            best = rng.randrange(0, 30)
            row = {c: "" for c in GED_COLUMNS}
            row.update(
                id=str(1_000_000 + i), relid=f"SYN-{i}", year=str(year), active_year="1", code_status="Clear",
                type_of_violence=str(rng.choice((1, 1, 1, 2, 3))), conflict_dset_id=cid, conflict_new_id=cid,
                conflict_name=name, dyad_dset_id=str(int(cid) + 50000), dyad_new_id=str(int(cid) + 50000),
                dyad_name=f"{sa} - {sb}", side_a_dset_id=sa_id, side_a_new_id=sa_id, side_a=sa, side_b_dset_id=sb_id,
                side_b_new_id=sb_id, side_b=sb, number_of_sources=str(rng.randrange(1, 5)),
                source_article=f'"Synthetic wire {i}",\nsecond line' if i % 10 == 0 else f"Synthetic wire {i}",
                source_office="Synthetic office", source_date=f"{year}-{month:02d}-{day:02d}",
                source_headline=f"Synthetic headline {i}", where_prec=str(spot.randrange(1, 7)),
                where_description=f"Synthetic place {place}", adm_1="Synthetic province",
                latitude=f"{lat + spot.uniform(-1, 1):.4f}", longitude=f"{lon + spot.uniform(-1, 1):.4f}",
                country="Synthetic", region="Europe", event_clarity="1", date_prec=str(rng.randrange(1, 6)),
                date_start=f"{year}-{month:02d}-{day:02d}", date_end=f"{year}-{month:02d}-{day:02d}",
                deaths_a=str(best // 3), deaths_b=str(best // 3), deaths_civilians=str(best // 6), deaths_unknown="0",
                best=str(best), high=str(best + rng.randrange(0, 5)), low=str(max(0, best - rng.randrange(0, 3))),
                gwnoa=gwa, gwnob=gwb,
            )
            writer.writerow([row[c] for c in GED_COLUMNS])


def map_rows(ged: Path, root: Path, out: Path) -> int:
    """Map a GED CSV's rows to N-Triples as `kg import` does, against the store built in
    ``root``; the number of statements written."""
    from kg.importers import IMPORTERS
    from kg.importers.base import Context, Writer, read_header, read_rows
    from kg.reconcile import Reconciler
    from kg.storage import open_current

    with open_current(root / ".kg") as store:
        reconciler = Reconciler.from_store(store)
    importer = IMPORTERS["ucdp-ged"](read_header(ged))
    with out.open("w", encoding="utf-8") as handle:
        writer = Writer(handle)
        ctx = Context(reconciler=reconciler, source="<urn:x-bench:source>", writer=writer)
        for row in read_rows(ged)[1]:
            importer.map_row(row.values, ctx)
            writer.end_row()
    return writer.triples


def stages(root: Path, ged: Path) -> tuple[float, int, float]:
    """Time the two stages apart: mapping every row to N-Triples, and pyoxigraph loading them."""
    import pyoxigraph as ox

    nt = root / "mapped.nt"
    started = time.perf_counter()
    triples = map_rows(ged, root, nt)
    mapping = time.perf_counter() - started
    fresh = ox.Store(str(root / "raw-store"))
    started = time.perf_counter()
    fresh.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:x-bench:g"), lenient=True)
    load = time.perf_counter() - started
    del fresh
    return mapping, triples, load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for folder in ("ontology", "data", "queries"):
            shutil.copytree(ROOT / folder, root / folder)
        ged = root / "GEDEvent_synthetic.csv"
        write_ged(ged, args.events, args.seed)
        env = {**os.environ, "KG_ROOT": str(root), "KG_HOME": str(root / ".kg")}
        kg = [sys.executable, "-c", "from kg.cli import main; main()"]
        subprocess.run([*kg, "build"], env=env, check=True, capture_output=True)
        started = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        done = subprocess.run([*kg, "import", "ucdp-ged", str(ged)], env=env, check=True, capture_output=True,
                              text=True)
        seconds = time.perf_counter() - started
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        size = ged.stat().st_size
        store_bytes = sum(p.stat().st_size for p in (root / ".kg").rglob("*") if p.is_file())
        mapping_s, triples, load_s = stages(root, ged)
    print(done.stdout.strip().splitlines()[0][:200])
    print(f"| GED import of {args.events:,} synthetic events ({size / 1e6:.0f} MB CSV) | value | target |")
    print("|---|---|---|")
    print(f"| `kg import ucdp-ged`, fresh process, store built beforehand | {seconds:.1f} s | |")
    print(f"| events per second | {args.events / seconds:,.0f} | >= 10,000 |")
    print(f"| peak memory of the import process (ru_maxrss) | {peak_kib / 1024:.0f} MiB | < 1,536 MiB |")
    print(f"| store on disk afterwards | {store_bytes / 1e6:.0f} MB | |")
    print(f"| of which: mapping rows to N-Triples, in-process ({triples / args.events:.0f} triples per event) "
          f"| {mapping_s:.1f} s ({args.events / mapping_s:,.0f} events/s) | |")
    print(f"| raw pyoxigraph `bulk_load` of the same triples into a fresh on-disk store "
          f"| {load_s:.1f} s ({triples / load_s:,.0f} triples/s, {args.events / load_s:,.0f} events/s) | |")
    if before > peak_kib:
        print("(note: ru_maxrss of children is the largest child so far; the build ran first)")


if __name__ == "__main__":
    main()
