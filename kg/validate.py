"""Check the graph against the SHACL shapes in ontology/shapes.ttl.

pyshacl checks the core constraints. The SHACL-SPARQL constraints (``sh:sparql``) run on
the store itself instead: pyshacl evaluates them once per focus node in rdflib's SPARQL
engine, which took 19 of 20 seconds on 9,000 triples; here each runs once, for all its
targets at once, in pyoxigraph (the target pattern is put at the head of its WHERE, which
gives the same answers as SHACL's pre-binding of ``$this`` for these queries).
"""

from __future__ import annotations

import re
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
    import logging

    import rdflib

    graph = rdflib.Graph()
    data = ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES)
    # rdflib logs a traceback for each ill-formed literal (30 February); the shapes report it
    term_log = logging.getLogger("rdflib.term")
    level = term_log.level
    term_log.setLevel(logging.CRITICAL)
    try:
        graph.parse(data=data.decode("utf-8"), format="nt")
    finally:
        term_log.setLevel(level)
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
    sparql_checks = _take_sparql_constraints(shapes)
    data = _to_rdflib(store.quads())
    conforms, results, _text = shacl_validate(
        data, shacl_graph=shapes, inference="none",
        abort_on_first=False, allow_warnings=True, advanced=True,
    )
    if not isinstance(results, rdflib.Graph):  # pyshacl reports a broken shapes graph this way
        raise KgError(f"{shapes_file}: cannot validate: {str(results).splitlines()[0]}")
    violations = _violations(results)
    for check in sparql_checks:
        violations.extend(check.run(store, shapes_file))
    violations.sort(key=lambda v: (v.focus, v.path, v.message))
    failing = any(v.severity == "Violation" for v in violations)
    return Report(conforms=bool(conforms) and not failing, violations=violations)


@dataclass(frozen=True)
class SparqlCheck:
    """One sh:sparql constraint of a node shape, with the shape's targets."""

    shape: str
    select: str
    message: str
    severity: str
    prefixes: str
    targets: str

    def query_text(self) -> str:
        text = self.select.replace("$this", "?this")
        head = re.search(r"WHERE\s*\{", text, re.IGNORECASE)
        if head is None:
            raise KgError(f"{self.shape}: sh:select has no WHERE {{ ... }}")
        return self.prefixes + text[: head.end()] + "\n" + self.targets + "\n" + text[head.end():]

    def run(self, store: Store, shapes_file: Path) -> list[Violation]:
        try:
            result = store.query(self.query_text())
        except KgError as err:
            raise KgError(f"{shapes_file}: {self.shape}: {err}") from None
        names = [v.value for v in result.variables]
        found = []
        for row in result:
            values = {n: row[n] for n in names if row[n] is not None}
            focus = values.get("this")
            if focus is None:
                continue
            message = re.sub(r"\{[?$](\w+)\}", lambda m, v=values: _text(v.get(m.group(1))), self.message)
            found.append(Violation(focus=compact(focus.value), path="", message=message,
                                   severity=self.severity, shape=compact(self.shape)))
        return found


def _text(term) -> str:
    if term is None:
        return ""
    return compact(term.value) if isinstance(term, ox.NamedNode) else term.value


def _take_sparql_constraints(shapes) -> list[SparqlCheck]:
    """Remove the sh:sparql constraints from the shapes graph and return them as checks."""
    from rdflib import RDF, RDFS
    from rdflib.namespace import SH

    checks = []
    for shape, constraint in list(shapes.subject_objects(SH.sparql)):
        select = shapes.value(constraint, SH.select)
        if select is None:
            continue
        prefixes = "".join(
            f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
            for decl in shapes.objects(constraint, SH.prefixes) for d in shapes.objects(decl, SH.declare)
        )
        prefixes += f"PREFIX rdf: <{RDF}>\nPREFIX rdfs: <{RDFS}>\n"
        patterns = [f"{{ ?this rdf:type/rdfs:subClassOf* <{c}> }}" for c in shapes.objects(shape, SH.targetClass)]
        patterns += [f"{{ ?this <{p}> [] }}" for p in shapes.objects(shape, SH.targetSubjectsOf)]
        patterns += [f"{{ [] <{p}> ?this }}" for p in shapes.objects(shape, SH.targetObjectsOf)]
        patterns += [f"{{ VALUES ?this {{ <{n}> }} }}" for n in shapes.objects(shape, SH.targetNode)]
        if not patterns:
            continue
        targets = "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(patterns) + " } }"
        severity = shapes.value(shape, SH.severity) or SH.Violation
        checks.append(SparqlCheck(
            shape=str(shape), select=str(select), message=str(shapes.value(constraint, SH.message) or "fails a check"),
            severity=str(severity).rsplit("#", 1)[-1], prefixes=prefixes, targets=targets,
        ))
        shapes.remove((shape, SH.sparql, constraint))
    return checks


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
