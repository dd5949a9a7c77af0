"""Counts over the graph: triples per named graph, instances per class, sources."""

from __future__ import annotations

from dataclasses import dataclass

from kg.namespaces import compact
from kg.query import internal_query, select_rows
from kg.store import Store


@dataclass
class Stats:
    triples: int
    graphs: dict[str, int]
    classes: dict[str, int]
    sources: int
    cited: int

    def as_dict(self) -> dict:
        return {
            "triples": self.triples, "graphs": self.graphs, "classes": self.classes,
            "sources": self.sources, "resources_citing_a_source": self.cited,
        }


def stats(store: Store) -> Stats:
    """Triples per named graph, instances per ontology class, number of sources."""
    graph_rows = select_rows(store, internal_query("stats_graphs"))
    class_rows = select_rows(store, internal_query("stats_classes"))
    graphs = {r["graph"].value: int(r["triples"].value) for r in graph_rows}
    classes = {compact(r["class"].value): int(r["count"].value) for r in class_rows}
    row = select_rows(store, internal_query("stats_sources"))[0]
    return Stats(
        triples=sum(graphs.values()), graphs=graphs, classes=classes,
        sources=int(row["sources"].value), cited=int(row["cited"].value),
    )
