"""The triple store behind a small interface, so that a remote SPARQL endpoint can take its place.

The embedded default is pyoxigraph (RocksDB on disk, or in memory). Queries see the union
of all named graphs; curated data, the ontology and each import live in graphs of their own.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from kg.errors import KgError, first_line


class GraphResult(list):
    """The triples of a CONSTRUCT or DESCRIBE answered by a remote store (a list of ox.Triple)."""


QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | GraphResult


def is_graph_result(result: object) -> bool:
    """Whether a query result is a set of triples (CONSTRUCT, DESCRIBE), local or remote."""
    return isinstance(result, ox.QueryTriples | GraphResult)


class Store(Protocol):
    """What the rest of the package needs from a triple store."""

    def query(self, sparql: str) -> QueryResult:
        """Run a SPARQL query over the union of all graphs."""

    def update(self, sparql: str) -> None:
        """Run a SPARQL update."""

    def load(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads (each names its graph) in one transaction."""

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Every quad, or those of one named graph."""

    def graphs(self) -> list[str]:
        """The IRIs of the named graphs."""

    def clear_graph(self, graph: str) -> None:
        """Remove one named graph and its triples."""


class OxigraphStore:
    """The embedded store: pyoxigraph on disk (``path``) or in memory (``path=None``)."""

    def __init__(self, path: Path | str | None = None, *, read_only: bool = False,
                 on_close: Callable[[], None] | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        self._on_close = on_close  # releases what held the files for this store (kg.storage's pin)
        try:
            if self.path is None:
                self._store = ox.Store()
            elif read_only:
                self._store = ox.Store.read_only(str(self.path))
            else:
                self._store = ox.Store(str(self.path))
        except OSError as err:
            if on_close is not None:
                on_close()
            raise KgError(f"{self.path}: cannot open the store: {first_line(err)}") from None

    def query(self, sparql: str) -> QueryResult:
        try:
            return self._store.query(sparql, use_default_graph_as_union=True)
        except SyntaxError as err:
            raise KgError(f"SPARQL syntax {err}") from None

    def update(self, sparql: str) -> None:
        try:
            self._store.update(sparql)
        except SyntaxError as err:
            raise KgError(f"SPARQL syntax {err}") from None

    def load(self, quads: Iterable[ox.Quad]) -> None:
        self._store.extend(quads)

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        graph_name = ox.NamedNode(graph) if graph else None
        for quad in self._store.quads_for_pattern(None, None, None, graph_name):
            if isinstance(quad.graph_name, ox.NamedNode):
                yield quad

    def quads_for_pattern(self, subject=None, predicate=None, obj=None, graph=None) -> Iterator[ox.Quad]:
        """The quads matching a pattern (None matches anything), graph by graph."""
        return self._store.quads_for_pattern(subject, predicate, obj, graph)

    def bulk_load(self, path: Path, graph: str, *, lenient: bool = False) -> None:
        """Load an N-Triples file into a named graph with the bulk loader (outside a transaction)."""
        self._store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph),
                              lenient=lenient)

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def clear_graph(self, graph: str) -> None:
        node = ox.NamedNode(graph)
        if self._store.contains_named_graph(node):
            self._store.remove_graph(node)

    def backup(self, target: Path) -> None:
        """A copy of the on-disk store in ``target`` (hard links to RocksDB's immutable files)."""
        self._store.backup(str(target))

    def optimize(self) -> None:
        """Compact the on-disk files (RocksDB), as after loading in several batches."""
        if self.path is not None and not self.read_only:
            self._store.optimize()

    def __len__(self) -> int:
        return len(self._store)

    def close(self) -> None:
        """Flush and release the on-disk files (RocksDB holds a lock until the object dies)."""
        if self.path is not None and not self.read_only and hasattr(self, "_store"):
            self._store.flush()
        self.__dict__.pop("_store", None)
        gc.collect()
        if self._on_close is not None:
            self._on_close()
            self._on_close = None

    def __enter__(self) -> OxigraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
