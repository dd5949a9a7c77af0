"""An import graph described in itself: the dataset, its version and licence, the file, its
checksum, the time, the counts, and a VoID class partition per class."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.namespaces import PREFIXES
from kg.vocab import PSKG

if TYPE_CHECKING:
    from kg.importers.base import Importer
    from kg.importers.pipeline import ImportReport

XSD = PREFIXES["xsd"]

VOID = "http://rdfs.org/ns/void#"


def provenance(importer: Importer, report: ImportReport, source: str, started: dt.datetime,
                classes: dict[str, int], size: int) -> list[ox.Quad]:
    """The import graph described in itself: dataset, version, licence, file, checksum, time,
    counts, and one VoID class partition per class it holds (so counting needs no scan)."""
    graph = ox.NamedNode(report.graph)
    src = ox.NamedNode(source[1:-1])
    dct, prov, rdf = PREFIXES["dct"], PREFIXES["prov"], PREFIXES["rdf"]

    def n(value: str) -> ox.NamedNode:
        return ox.NamedNode(value)

    def integer(value: int) -> ox.Literal:
        return ox.Literal(str(value), datatype=n(XSD + "integer"))

    title = f"{importer.title}" + (f" version {report.version}" if report.version else "")
    triples = [
        (src, n(rdf + "type"), n(PSKG.Dataset)),
        (src, n(dct + "title"), ox.Literal(title, language="en")),
        (src, n(PSKG.hasUrl), ox.Literal(importer.homepage, datatype=n(XSD + "anyURI"))),
        (graph, n(rdf + "type"), n(prov + "Entity")),
        (graph, n(dct + "title"), ox.Literal(f"Import of {report.path.name} ({title})", language="en")),
        (graph, n(prov + "wasDerivedFrom"), src),
        (graph, n(dct + "source"), ox.Literal(report.path.name)),
        (graph, n(PSKG.hasChecksum), ox.Literal(report.checksum)),
        (graph, n(prov + "generatedAtTime"),
         ox.Literal(started.replace(microsecond=0).isoformat().replace("+00:00", "Z"), datatype=n(XSD + "dateTime"))),
        (graph, n(PSKG.rowsRead), integer(report.rows_read)),
        (graph, n(PSKG.rowsImported), integer(report.rows_imported)),
        (graph, n(PSKG.rowsSkipped), integer(report.rows_skipped)),
        (graph, n(PSKG.isComplete), ox.Literal("true", datatype=n(XSD + "boolean"))),
    ]
    if importer.publisher:
        triples.append((src, n(PSKG.hasPublisher), n(importer.publisher[1:-1])))
        triples.append((src, n(PSKG.hasSourceKind), n(PREFIXES["sourcekind"] + "research-dataset")))
    if importer.licence:
        triples.append((src, n(dct + "license"), n(importer.licence)))
        triples.append((graph, n(dct + "license"), n(importer.licence)))
    if report.version:
        triples.append((src, n(PREFIXES["dcat"] + "version"), ox.Literal(report.version)))
    for cls, count in sorted(classes.items()):
        part = n(f"{report.graph}#class-{cls[1:-1].rsplit('#', 1)[-1]}")
        triples += [(graph, n(VOID + "classPartition"), part), (part, n(VOID + "class"), n(cls[1:-1])),
                    (part, n(VOID + "entities"), integer(count))]
    # the graph's size: what was loaded, this description, and this statement itself
    triples.append((graph, n(VOID + "triples"), integer(size + len(triples) + 1)))
    return [ox.Quad(s, p, o, graph) for s, p, o in triples]
