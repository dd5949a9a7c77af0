"""Graph analytics on the network conversion: chains of facts between entities, centrality,
and GraphML/GEXF files for Gephi and other graph tools."""

from __future__ import annotations

import io
from dataclasses import dataclass
from enum import StrEnum
from itertools import islice
from pathlib import Path

import networkx as nx

from kg.errors import KgError
from kg.files import write_atomically
from kg.namespaces import compact


@dataclass(frozen=True)
class Step:
    """One statement on a path, in its real direction: subject, property label, object."""

    subject: str
    subject_label: str
    label: str
    object: str
    object_label: str

    def __str__(self) -> str:
        return f"{self.subject_label} —{self.label}→ {self.object_label}"


def _undirected(graph: nx.MultiDiGraph) -> nx.Graph:
    """The graph with directions and parallel edges dropped, remembering one statement per pair."""
    simple = nx.Graph()
    simple.add_nodes_from(graph.nodes)
    for s, o, data in graph.edges(data=True):
        if s != o and not simple.has_edge(s, o):
            simple.add_edge(s, o, statement=(s, data.get("label", ""), o))
    return simple


def shortest_paths(graph: nx.MultiDiGraph, source: str, target: str, *, limit: int = 3) -> list[list[Step]]:
    """Up to ``limit`` shortest chains of statements linking two entities, whatever their direction."""
    for node in (source, target):
        if node not in graph:
            raise KgError(f"{compact(node)} is not in the graph (sources are left out of paths)")
    simple = _undirected(graph)
    try:
        paths = list(islice(nx.all_shortest_paths(simple, source, target), limit))
    except nx.NetworkXNoPath:
        return []
    label = graph.nodes
    chains = []
    for path in paths:
        steps = []
        for a, b in zip(path, path[1:], strict=False):
            s, prop, o = simple.edges[a, b]["statement"]
            steps.append(Step(s, label[s].get("label", compact(s)), prop, o, label[o].get("label", compact(o))))
        chains.append(steps)
    return chains


def path_subgraph(graph: nx.MultiDiGraph, chains: list[list[Step]]) -> nx.MultiDiGraph:
    """The nodes and statements of the chains, for drawing them as a view."""
    nodes = {n for chain in chains for step in chain for n in (step.subject, step.object)}
    sub = nx.MultiDiGraph(graph.subgraph(nodes))
    wanted = {(step.subject, step.object) for chain in chains for step in chain}
    sub.remove_edges_from([(s, o, k) for s, o, k in list(sub.edges(keys=True)) if (s, o) not in wanted])
    return sub


class Measure(StrEnum):
    DEGREE = "degree"
    BETWEENNESS = "betweenness"
    PAGERANK = "pagerank"


@dataclass(frozen=True)
class Ranked:
    iri: str
    label: str
    kind: str
    degree: float
    betweenness: float
    pagerank: float


def rank(graph: nx.MultiDiGraph, *, by: Measure = Measure.PAGERANK, limit: int = 20,
         kinds: set[str] | None = None) -> list[Ranked]:
    """Nodes ordered by a centrality measure, with all three measures given.

    Degree and betweenness are normalised (networkx's defaults) and computed on the
    undirected simple graph: a broker is a broker whichever way the statements point.
    PageRank follows the statements' direction.
    """
    if graph.number_of_nodes() == 0:
        return []
    simple = _undirected(graph)
    degree = nx.degree_centrality(simple)
    # exact betweenness is cubic-ish; sample pivots on large graphs (seeded: same answer each run)
    k = None if simple.number_of_nodes() <= 2000 else 500
    betweenness = nx.betweenness_centrality(simple, k=k, seed=7)
    pagerank = nx.pagerank(nx.DiGraph(graph))
    rows = [
        Ranked(n, d.get("label", compact(n)), d.get("kind", "other"), degree[n], betweenness[n], pagerank[n])
        for n, d in graph.nodes(data=True) if kinds is None or d.get("kind") in kinds
    ]
    rows.sort(key=lambda r: (-getattr(r, by.value), r.label))
    return rows[:limit]


class GraphFormat(StrEnum):
    GRAPHML = "graphml"
    GEXF = "gexf"


def flat_graph(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose attributes are plain strings, as GraphML and GEXF require."""
    flat = nx.MultiDiGraph()
    for node, data in graph.nodes(data=True):
        flat.add_node(node, label=data.get("label", compact(node)), kind=data.get("kind", "other"),
                      iri=node, facts="; ".join(f"{k}: {v}" for k, v in data.get("facts", [])),
                      links=" ".join(url for _, url in data.get("links", [])))
    for s, o, key, data in graph.edges(keys=True, data=True):
        flat.add_edge(s, o, key=key, label=data.get("label", ""), property=data.get("property", key))
    return flat


def write_graph(graph: nx.MultiDiGraph, fmt: GraphFormat, output: Path) -> int:
    """Write GraphML or GEXF atomically; return the number of bytes written."""
    buffer = io.BytesIO()
    if fmt is GraphFormat.GRAPHML:
        nx.write_graphml(flat_graph(graph), buffer, encoding="utf-8")
    else:
        nx.write_gexf(flat_graph(graph), buffer, encoding="utf-8")
    return write_atomically(output, buffer.getvalue(), label=f"--output {output}")
