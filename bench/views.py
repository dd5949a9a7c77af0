"""Benchmark the network views: a 5,000-node, 15,000-edge `kg view`, end to end and by stage.

A seeded synthetic project (the real ontology plus generated people, states, places,
conflicts, events and claims with labels, dates and sources) is built into a temporary
store; then ``kg view`` of the whole graph runs in fresh processes, and the conversion
(`to_networkx`) and page writing (`write_view`) are timed in-process. Also times
``kg rank`` and ``kg path`` on the same store. Results are printed as Markdown rows.

    python bench/views.py [--nodes 5000] [--edges 15000] [--repeat 5]
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
ID = "https://w3id.org/pskg/id/"
KINDS = [("person", "Person"), ("state", "State"), ("place", "Settlement"), ("conflict", "Conflict"),
         ("event", "ArmedClash"), ("claim", "Claim"), ("source", "NewsArticle"), ("org", "ArmedGroup")]
PROPS = ["hasParticipant", "hasParty", "hasPlace", "isPartOfConflict", "hasMediator", "hasCounterpart",
         "isLocatedIn", "concernsSide"]


def synthetic_data(nodes: int, edges: int, seed: int = 7) -> str:
    """Turtle with ``nodes`` typed, labelled resources and ``edges`` statements among them,
    shaped like the graph: the resources fall into conflicts (one conflict node and, on
    average, seven people, states, places, events, claims and organisations around it), 85% of
    the statements link two resources of the same conflict, the rest any two, and one in five
    is a source citation (sources are shared across conflicts)."""
    rng = random.Random(seed)
    lines = ["@prefix pskg: <https://w3id.org/pskg/ontology#> .",
             "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
             "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
             "@prefix id: <https://w3id.org/pskg/id/> ."]
    names, kinds = [], []
    for i in range(nodes):
        kind, cls = KINDS[i % len(KINDS)]
        name = f"{kind}/bench-{i}"
        names.append(name)
        kinds.append(kind)
        extra = f' ; pskg:startDate "20{10 + i % 14}-0{1 + i % 9}-1{i % 9}"^^xsd:date' if kind == "event" else ""
        lines.append(f'<{ID}{name}> a pskg:{cls} ; skos:prefLabel "Synthetic {kind} {i}"@en , '
                     f'"Синтетический {i}"@ru{extra} .')
    conflicts = [i for i, k in enumerate(kinds) if k == "conflict"]
    sources = [i for i, k in enumerate(kinds) if k == "source"]
    cluster = {i: rng.randrange(len(conflicts)) for i in range(nodes) if kinds[i] != "source"}
    cluster.update({c: n for n, c in enumerate(conflicts)})
    members: dict[int, list[int]] = {}
    for i, c in cluster.items():
        members.setdefault(c, []).append(i)
    seen = set()
    pool = list(cluster)
    while len(seen) < edges:
        s = rng.choice(pool)
        if rng.random() < 0.2:
            p, o = "hasSource", rng.choice(sources)
        else:
            p = PROPS[rng.randrange(len(PROPS))]
            o = rng.choice(members[cluster[s]]) if rng.random() < 0.85 else rng.choice(pool)
        if s != o and (s, p, o) not in seen:
            seen.add((s, p, o))
            lines.append(f"<{ID}{names[s]}> pskg:{p} <{ID}{names[o]}> .")
    return "\n".join(lines) + "\n"


def layout_quality(graph) -> tuple[float, str]:
    """The large-view layout's mean drawn edge length over the mean distance between random
    pairs of drawn nodes, and what was drawn."""
    from kg.layout import edge_length_ratio, spiral
    from kg.views_html import view_data

    data = view_data(graph)
    assert data["large"], "the view is not large: no layout is computed"
    positions = [(n["x"], n["y"]) for n in data["nodes"]]
    pairs = [(e["from"], e["to"]) for e in data["edges"]]
    before = edge_length_ratio(spiral(len(positions)), pairs)  # the fixed spiral large views had until 3 December
    return (edge_length_ratio(positions, pairs),
            f"{len(positions):,} nodes and {len(pairs):,} edges drawn, {data['folded']:,} sources, points and "
            f"publishers folded; "
            f"the spiral: {before:.2f}")


def curated_layout() -> tuple[float, str, float]:
    """The same measure for the whole curated graph of this checkout (`kg view` without a scope)."""
    import kg
    from kg.network import Scope, to_networkx

    graph = to_networkx(kg.open(ROOT).store, Scope())
    started = time.perf_counter()
    ratio, drawn = layout_quality(graph)
    return ratio, drawn, time.perf_counter() - started


def median_seconds(args: list[str], env: dict[str, str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(args, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _pyvis_one_call_each(view):
    """The same network built the way pyvis's documentation shows: one call per node and edge."""
    from pyvis.network import Network

    from kg.views_html import view_data

    data = view_data(view.graph)
    net = Network(directed=True)
    for node in data["nodes"]:
        net.add_node(node["id"], label=node["label"], size=node["size"])
    for edge in data["edges"]:
        net.add_edge(edge["from"], edge["to"], label=edge["label"])
    return net


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--edges", type=int, default=15000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from kg.api import View
    from kg.build import build, open_store
    from kg.network import Scope, to_networkx
    from kg.project import Project
    from kg.views_html import write_view

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(ROOT / "ontology", root / "ontology")
        (root / "data").mkdir()
        (root / "queries").mkdir()
        (root / "data" / "bench.ttl").write_text(synthetic_data(args.nodes, args.edges), encoding="utf-8")
        project = Project.at(root, root / ".kg")
        build(project)
        env = {**os.environ, "KG_ROOT": str(root), "KG_HOME": str(root / ".kg")}
        out = root / "view.html"
        kg = [sys.executable, "-m", "kg.cli"] if shutil.which("kg") is None else ["kg"]

        with open_store(project) as store:
            t0 = time.perf_counter()
            graph = to_networkx(store, Scope(with_sources=True))
            t1 = time.perf_counter()
            info = write_view(graph, out, title="bench")
            t2 = time.perf_counter()
        synthetic_ratio, drawn = layout_quality(graph)
        view = View(graph, "bench", "bench")
        t3 = time.perf_counter()
        net = view.to_pyvis()
        t4 = time.perf_counter()
        naive = _pyvis_one_call_each(view)
        t5 = time.perf_counter()
        assert len(net.nodes) == len(naive.nodes) and len(net.edges) == len(naive.edges)
        view_cold = median_seconds([*kg, "view", "--output", str(out)], env, args.repeat)
        rank_cold = median_seconds([*kg, "rank", "--limit", "10"], env, max(1, args.repeat // 2))
        path_cold = median_seconds([*kg, "path", "person/bench-0", "event/bench-4"], env, args.repeat)

    curated_ratio, curated_drawn, curated_seconds = curated_layout()
    print(f"| view of {info.nodes:,} nodes, {info.edges:,} edges | value |")
    print("|---|---|")
    print(f"| layout quality, this view ({drawn}): mean drawn edge / mean distance of random pairs "
          f"| {synthetic_ratio:.3f} (target <= 0.35; a spiral is near 1) |")
    print(f"| layout quality, the whole curated graph ({curated_drawn}) | {curated_ratio:.3f} "
          f"(target <= 0.35), view data with layout in {curated_seconds:.2f} s |")
    print(f"| `kg view` (whole graph), cold process, median of {args.repeat} | {view_cold:.2f} s |")
    print(f"| of which RDF to networkx (`to_networkx`) | {t1 - t0:.2f} s |")
    print(f"| of which page written (`write_view`) | {t2 - t1:.2f} s |")
    print(f"| page size | {info.bytes / 1e6:.1f} MB |")
    print(f"| `View.to_pyvis()` (a pyvis Network for notebooks), in-process | {t4 - t3:.2f} s |")
    print(f"| the same with pyvis's `add_node`/`add_edge`, for comparison | {t5 - t4:.2f} s |")
    print(f"| `kg rank --limit 10` (sampled betweenness, PageRank), cold | {rank_cold:.2f} s |")
    print(f"| `kg path` between two entities, cold | {path_cold:.2f} s |")


if __name__ == "__main__":
    main()
