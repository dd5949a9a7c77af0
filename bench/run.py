"""Benchmarks for the core: cold-start `kg query`, `kg build`, and the store engine choice.

Run from the project root:  python bench/run.py [--repeat 7] [--triples 1500000]
Prints a Markdown table; bench/README.md keeps the latest figures.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed_command(args: list[str], env: dict[str, str], repeat: int) -> float:
    """Median wall time of a command run as a fresh process."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def synthetic_events(n_triples: int, seed: int = 7) -> str:
    """GED-like events as N-Triples: each event has a conflict, a date and a death count."""
    rng = random.Random(seed)
    ns = "https://w3id.org/pskg/"
    lines = []
    for i in range(n_triples // 4):
        event = f"<{ns}id/event/bench-{i}>"
        lines.append(f"{event} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{ns}ontology#ArmedClash> .")
        lines.append(f"{event} <{ns}ontology#isPartOfConflict> <{ns}id/conflict/bench-{rng.randrange(200)}> .")
        day = f"20{rng.randrange(10, 23)}-0{rng.randrange(1, 10)}-1{rng.randrange(10)}"
        lines.append(f'{event} <{ns}ontology#startDate> "{day}"^^<http://www.w3.org/2001/XMLSchema#date> .')
        value = rng.randrange(100)
        lines.append(f'{event} <{ns}ontology#hasValue> "{value}"^^<http://www.w3.org/2001/XMLSchema#integer> .')
    return "\n".join(lines) + "\n"


GROUP_BY = """
SELECT ?conflict (SUM(?deaths) AS ?total) WHERE {
  ?event <https://w3id.org/pskg/ontology#isPartOfConflict> ?conflict ;
         <https://w3id.org/pskg/ontology#hasValue> ?deaths .
} GROUP BY ?conflict
"""


def engines(n_triples: int) -> list[tuple[str, float, float]]:
    """Load throughput and group-by time: plain rdflib Graph versus pyoxigraph (the default store)."""
    import pyoxigraph as ox
    import rdflib

    data = synthetic_events(n_triples)
    out = []
    start = time.perf_counter()
    store = ox.Store()
    store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("https://w3id.org/pskg/graph/import/bench"))
    load = time.perf_counter() - start
    start = time.perf_counter()
    list(store.query(GROUP_BY, use_default_graph_as_union=True))
    out.append(("pyoxigraph (kg default)", n_triples / load, time.perf_counter() - start))
    start = time.perf_counter()
    graph = rdflib.Graph()
    graph.parse(data=data, format="nt")
    load = time.perf_counter() - start
    start = time.perf_counter()
    list(graph.query(GROUP_BY))
    out.append(("rdflib Graph (in memory)", n_triples / load, time.perf_counter() - start))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--triples", type=int, default=1_500_000)
    args = parser.parse_args()
    kg = shutil.which("kg") or sys.exit("kg is not installed: pip install -e .")
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "KG_HOME": home, "KG_ROOT": str(ROOT)}
        subprocess.run([kg, "build"], env=env, check=True, stdout=subprocess.DEVNULL)
        query = timed_command([kg, "query", "casualty-claims"], env, args.repeat)
        search = timed_command([kg, "search", "Schaparov"], env, args.repeat)
        build = timed_command([kg, "build", "--force"], env, args.repeat)
    print(f"| measure | median of {args.repeat} | target |\n|---|---|---|")
    print(f"| `kg query casualty-claims`, cold process | {query:.3f} s | < 0.5 s |")
    print(f"| `kg search Schaparov`, cold process | {search:.3f} s | |")
    print(f"| `kg build --force` of the curated data | {build:.3f} s | < 5 s |")
    print(f"\n| engine, {args.triples:,} synthetic triples | load (triples/s) | group-by (s) |\n|---|---|---|")
    for name, rate, group_by in engines(args.triples):
        print(f"| {name} | {rate:,.0f} | {group_by:.2f} |")


if __name__ == "__main__":
    main()
