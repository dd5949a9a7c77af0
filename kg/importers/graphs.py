"""The import graphs in a store: their names, their checksums, listing and removing them, and
what an interrupted import left behind."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox

from kg.dataset import VOID_GRAPH, describe
from kg.errors import KgError
from kg.importers.base import slug
from kg.namespaces import IMPORT_GRAPH_PREFIX
from kg.query import internal_query, select_rows
from kg.store import OxigraphStore
from kg.vocab import PSKG


def checksum(path: Path) -> str:
    """sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as err:
        raise KgError(f"{path}: cannot read: {err.strerror}") from None
    return digest.hexdigest()


def graph_for(dataset: str, path: Path, digest: str) -> str:
    """The named graph of one imported file: dataset, file name and the start of its checksum."""
    return f"{IMPORT_GRAPH_PREFIX}{dataset}/{slug(path.stem)}-{digest[:12]}"


def import_graphs(store: OxigraphStore, dataset: str | None = None) -> list[str]:
    prefix = IMPORT_GRAPH_PREFIX + (f"{dataset}/" if dataset else "")
    return [g for g in store.graphs() if g.startswith(prefix)]


def is_complete(store: OxigraphStore, graph: str) -> bool:
    node = ox.NamedNode(graph)
    return any(True for _ in store.quads_for_pattern(node, ox.NamedNode(PSKG.isComplete), None, node))


def drop_incomplete(store: OxigraphStore) -> list[str]:
    """Remove what an interrupted import left: import graphs without their completion mark."""
    dropped = [g for g in import_graphs(store) if not is_complete(store, g)]
    for graph in dropped:
        store.clear_graph(graph)
    return dropped


def drop_others(store: OxigraphStore, dataset: str, *, keep: str) -> list[str]:
    dropped = [g for g in import_graphs(store, dataset) if g != keep]
    for graph in dropped:
        store.clear_graph(graph)
    return dropped


def list_imports(store: OxigraphStore) -> list[dict[str, str]]:
    """The complete imports in the store: graph, file, time of import, rows imported, statements."""
    return [{name: term.value for name, term in row.items()}
            for row in select_rows(store, internal_query("imports_list"))]


def remove_imports(store: OxigraphStore, refs: list[str]) -> list[str]:
    """Drop import graphs, named by IRI or by what follows ``graph/import/`` (``ucdp-ged/ged-...``);
    return the graphs dropped. An unknown name is an error, before anything is dropped."""
    known = import_graphs(store)
    chosen = []
    for ref in refs:
        graph = ref if ref.startswith(IMPORT_GRAPH_PREFIX) else IMPORT_GRAPH_PREFIX + ref.strip("/")
        if graph not in known:
            raise KgError(f"{ref}: not an import of this store (see `kg imports`)")
        chosen.append(graph)
    for graph in chosen:
        store.clear_graph(graph)
    refresh_description(store)
    return chosen


def refresh_description(store: OxigraphStore) -> None:
    store.clear_graph(VOID_GRAPH)
    store.load(describe(store))
