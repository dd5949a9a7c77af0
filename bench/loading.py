"""How fast pyoxigraph can take an import's statements, by the ways it offers: the floor
under `kg import`.

    python bench/loading.py                   # 350,000 GED events (the full GED's size), about 10 minutes here
    python bench/loading.py --events 50000    # a quicker run

A seeded generator (bench/scale.py's) writes a GED-shaped CSV; its rows are mapped to
N-Triples in-process as `kg import ucdp-ged` maps them (the store the mapping reconciles
against is built in a temporary folder). Those statements are then loaded into a fresh
on-disk store, each way in its own process: in one `bulk_load` call; in files of 100,000
statements, one `bulk_load` after another (what `kg import` does) and two at a time; in
files of 1,000,000. Each way reports its wall and processor time and peak memory, then the
store is queried by a fresh read-only process (as `kg` reads a published store: no
background compaction there), compacted (`optimize`, what `kg import` does before it
publishes), and queried again. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
QUERY = BENCH / "scale_queries" / "1-fatalities-per-conflict.rq"

LOAD = """
import json, os, resource, sys, threading, time, pyoxigraph as ox
location, threads, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
store = ox.Store(location)
graph = ox.NamedNode("urn:x-bench:import")
pending = list(files)
lock = threading.Lock()
def work():
    while True:
        with lock:
            if not pending:
                return
            path = pending.pop(0)
        store.bulk_load(path=path, format=ox.RdfFormat.N_TRIPLES, to_graph=graph, lenient=True)
started, cpu = time.perf_counter(), time.process_time()
workers = [threading.Thread(target=work) for _ in range(threads)]
for worker in workers: worker.start()
for worker in workers: worker.join()
store.flush()
print(json.dumps({"load": time.perf_counter() - started, "cpu": time.process_time() - cpu,
                  "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

COMPACT = """
import sys, time, pyoxigraph as ox
store = ox.Store(sys.argv[1])
started = time.perf_counter()
store.optimize()
print(time.perf_counter() - started)
"""

QUERY_ONCE = """
import sys, time, pyoxigraph as ox
store = ox.Store.read_only(sys.argv[1])
text = open(sys.argv[2], encoding="utf-8").read()
started = time.perf_counter()
list(store.query(text, use_default_graph_as_union=True))
print(time.perf_counter() - started)
"""


def python(code: str, *args: str) -> str:
    return subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def split(path: Path, lines: int, folder: Path) -> list[str]:
    """The file cut into files of ``lines`` statements."""
    folder.mkdir()
    files, handle, count = [], None, 0
    with path.open(encoding="utf-8") as source:
        for line in source:
            if handle is None or count == lines:
                if handle is not None:
                    handle.close()
                files.append(str(folder / f"{len(files):04d}.nt"))
                handle, count = open(files[-1], "w", encoding="utf-8"), 0  # noqa: SIM115 - closed above or below
            handle.write(line)
            count += 1
    if handle is not None:
        handle.close()
    return files


def one_way(name: str, files: list[str], threads: int, work: Path) -> dict:
    location = work / "store"
    shutil.rmtree(location, ignore_errors=True)
    figures = json.loads(python(LOAD, str(location), str(threads), *files))
    figures["query_before"] = float(python(QUERY_ONCE, str(location), str(QUERY)))
    figures["compact"] = float(python(COMPACT, str(location)))
    figures["query_after"] = float(python(QUERY_ONCE, str(location), str(QUERY)))
    shutil.rmtree(location, ignore_errors=True)
    figures["name"] = name
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=350_000, help="GED events to generate")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    from imports import map_rows
    from scale import write_ged

    with tempfile.TemporaryDirectory(prefix="kg-loading-") as tmp:
        work = Path(tmp)
        project = work / "project"
        for folder in ("ontology", "data", "queries"):
            shutil.copytree(ROOT / folder, project / folder)
        env = {**os.environ, "KG_ROOT": str(project), "KG_HOME": str(project / ".kg")}
        subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", "build"], check=True,
                       capture_output=True, env=env)
        ged, nt = work / "ged.csv", work / "ged.nt"
        write_ged(ged, args.events, random.Random(args.seed))
        started = time.perf_counter()
        triples = map_rows(ged, project, nt)
        mapping = time.perf_counter() - started
        small, large = split(nt, 100_000, work / "100k"), split(nt, 1_000_000, work / "1m")
        ways = [("one `bulk_load` of the whole file", [str(nt)], 1),
                ("files of 100,000, one after another (`kg import`)", small, 1),
                ("files of 100,000, two at a time", small, 2),
                ("files of 1,000,000, one after another", large, 1)]
        rows = [one_way(name, files, threads, work) for name, files, threads in ways]
    print(f"#### {args.events:,} GED events, {triples:,} statements; mapping them in-process: {mapping:.1f} s\n")
    print("| loading into a fresh on-disk store | load | processor time | peak memory "
          "| group-by, read-only, before compacting | compacting | group-by after |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['name']} | {row['load']:.1f} s | {row['cpu']:.1f} s | {row['peak']:,.0f} MiB "
              f"| {row['query_before']:.2f} s | {row['compact']:.1f} s | {row['query_after']:.2f} s |")


if __name__ == "__main__":
    main()
