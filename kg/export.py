"""Write the graph out: Turtle, N-Triples (the union of all graphs), N-Quads, TriG, JSON-LD."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import pyoxigraph as ox

from kg.files import write_atomically
from kg.namespaces import PREFIXES
from kg.store import Store


class ExportFormat(StrEnum):
    TTL = "ttl"
    NT = "nt"
    NQ = "nq"
    TRIG = "trig"
    JSONLD = "jsonld"


_RDF_FORMATS = {
    ExportFormat.TTL: ox.RdfFormat.TURTLE,
    ExportFormat.NT: ox.RdfFormat.N_TRIPLES,
    ExportFormat.NQ: ox.RdfFormat.N_QUADS,
    ExportFormat.TRIG: ox.RdfFormat.TRIG,
}
_DATASET_FORMATS = {ExportFormat.NQ, ExportFormat.TRIG}


def jsonld_context() -> dict:
    """The JSON-LD context used for export: the project's prefixes."""
    return {"@context": dict(PREFIXES)}


def union_triples(store: Store) -> list[ox.Triple]:
    """Every triple of every named graph, each once, in a stable order."""
    return sorted({q.triple for q in store.quads()}, key=str)


def serialize(store: Store, fmt: ExportFormat) -> bytes:
    """The graph in ``fmt``: named graphs kept in nq and trig, merged in the others."""
    if fmt in _DATASET_FORMATS:
        quads = sorted(store.quads(), key=str)
        return ox.serialize(quads, format=_RDF_FORMATS[fmt], prefixes=PREFIXES if fmt is ExportFormat.TRIG else None)
    triples = union_triples(store)
    if fmt is ExportFormat.JSONLD:
        return _jsonld(triples)
    prefixes = PREFIXES if fmt is ExportFormat.TTL else None
    return ox.serialize(triples, format=_RDF_FORMATS[fmt], prefixes=prefixes)


def _jsonld(triples: list[ox.Triple]) -> bytes:
    import rdflib  # only this format needs it; keeps `kg` start-up fast

    graph = rdflib.Graph()
    nt = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    graph.parse(data=nt.decode("utf-8"), format="nt")
    text = graph.serialize(format="json-ld", context=jsonld_context()["@context"], auto_compact=True)
    json.loads(text)  # guard: what we write must be JSON
    return text.encode("utf-8")


def export(store: Store, fmt: ExportFormat, output: Path) -> int:
    """Write the graph to ``output`` atomically; return the number of bytes written."""
    return write_atomically(output, serialize(store, fmt))
