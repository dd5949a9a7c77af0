"""Check the graph against the SHACL shapes in ontology/shapes.ttl with pyshacl."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KgError
from kg.namespaces import compact
from kg.store import Store


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str
    message: str
    severity: str
    shape: str

    def __str__(self) -> str:
        where = f" {self.path}" if self.path else ""
        return f"{self.severity}: {self.focus}{where}: {self.message}"


@dataclass
class Report:
    conforms: bool
    violations: list[Violation]


def _to_rdflib(quads) -> rdflib.Graph:  # noqa: F821 - rdflib is imported lazily
    import rdflib

    graph = rdflib.Graph()
    data = ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES)
    graph.parse(data=data.decode("utf-8"), format="nt")
    return graph


def validate(store: Store, shapes_file: Path) -> Report:
    """Validate the union of all graphs (data and ontology) against the shapes."""
    import rdflib
    from pyshacl import validate as shacl_validate

    if not shapes_file.is_file():
        raise KgError(f"{shapes_file}: shapes file not found")
    shapes = rdflib.Graph()
    try:
        shapes.parse(shapes_file, format="turtle")
    except Exception as err:  # rdflib raises several parser error types
        raise KgError(f"{shapes_file}: malformed Turtle: {str(err).splitlines()[0]}") from None
    # The union holds the ontology, so sh:targetClass and sh:class follow rdfs:subClassOf
    # through it (SHACL instance semantics) without a costly inference pass.
    data = _to_rdflib(store.quads())
    conforms, results, _text = shacl_validate(
        data, shacl_graph=shapes, inference="none",
        abort_on_first=False, allow_warnings=True, advanced=True,
    )
    if not isinstance(results, rdflib.Graph):  # pyshacl reports a broken shapes graph this way
        raise KgError(f"{shapes_file}: cannot validate: {str(results).splitlines()[0]}")
    return Report(conforms=bool(conforms), violations=_violations(results))


def _violations(results: rdflib.Graph) -> list[Violation]:  # noqa: F821
    from rdflib.namespace import SH

    found = []
    for result in results.subjects(SH.resultSeverity, None):
        def one(predicate, result=result):
            value = results.value(result, predicate)
            return "" if value is None else str(value)

        found.append(Violation(
            focus=compact(one(SH.focusNode)), path=compact(one(SH.resultPath)),
            message=one(SH.resultMessage), severity=one(SH.resultSeverity).rsplit("#", 1)[-1],
            shape=compact(one(SH.sourceShape)),
        ))
    return sorted(found, key=lambda v: (v.focus, v.path, v.message))
