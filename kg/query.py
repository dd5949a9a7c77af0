"""The query catalogue (queries/*.rq), parameter binding and result formats.

A query file opens with comment lines: the question it answers, then one line per
parameter, ``# param NAME: TYPE -- description``. Each parameter has its default in the
query itself, as ``VALUES ?NAME { default }``, so the file runs as-is in any SPARQL tool;
binding a parameter rewrites that one VALUES block.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from pathlib import Path

import pyoxigraph as ox

from kg.dates import parse_day
from kg.errors import KgError
from kg.namespaces import compact
from kg.sparql_tokens import calls_service, is_update
from kg.store import QueryResult, Store, is_graph_result

XSD = "http://www.w3.org/2001/XMLSchema#"
PARAM_TYPES = ("entity", "date", "string", "integer", "grade")
_PARAM_LINE = re.compile(r"^#\s*param\s+(\w+)\s*:\s*(\w+)\s*(?:--\s*(.*))?$")


class OutputFormat(StrEnum):
    """Result formats of ``kg query``; json is SPARQL 1.1 Query Results JSON."""

    TABLE = "table"
    CSV = "csv"
    TSV = "tsv"
    JSON = "json"


Row = dict[str, ox.NamedNode | ox.Literal | ox.BlankNode]
Bound = ox.NamedNode | ox.Literal


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    description: str = ""


@dataclass(frozen=True)
class QueryFile:
    """A SPARQL query with the question it answers and its parameters."""

    name: str
    text: str
    question: str = ""
    params: tuple[Param, ...] = field(default_factory=tuple)
    path: Path | None = None

    @classmethod
    def parse(cls, name: str, text: str, path: Path | None = None) -> QueryFile:
        question_lines: list[str] = []
        params: list[Param] = []
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            match = _PARAM_LINE.match(line.strip())
            if match:
                pname, ptype, desc = match.groups()
                if ptype not in PARAM_TYPES:
                    allowed = ", ".join(PARAM_TYPES)
                    raise KgError(f"{path or name}: parameter {pname!r} has unknown type {ptype!r} (use {allowed})")
                params.append(Param(pname, ptype, (desc or "").strip()))
            elif not params:
                question_lines.append(line.lstrip("#").strip())
        question = " ".join(q for q in question_lines if q).strip()
        return cls(name=name, text=text, question=question, params=tuple(params), path=path)

    def default_of(self, param: str) -> str | None:
        """The default value of a parameter, as written in its VALUES block."""
        match = _values_block(param).search(self.text)
        return match.group(1).strip() if match else None


def _values_block(param: str) -> re.Pattern[str]:
    return re.compile(r"VALUES\s+\?" + re.escape(param) + r"\s*\{([^}]*)\}")


def catalogue(queries_dir: Path) -> dict[str, QueryFile]:
    """Every query in a folder, by name (file name without .rq)."""
    return {
        path.stem: QueryFile.parse(path.stem, path.read_text(encoding="utf-8"), path)
        for path in sorted(queries_dir.glob("*.rq"))
    }


def internal_query(name: str) -> QueryFile:
    """A query the package itself runs (search, entity cards, stats), from kg/sparql/."""
    text = resources.files("kg").joinpath("sparql", f"{name}.rq").read_text(encoding="utf-8")
    return QueryFile.parse(name, text)


def load_query(ref: str, queries_dir: Path) -> QueryFile:
    """A query by catalogue name, by file path, or ``-`` for standard input."""
    if ref == "-":
        return QueryFile.parse("<stdin>", sys.stdin.read())
    known = catalogue(queries_dir) if queries_dir.is_dir() else {}
    if ref in known:
        return known[ref]
    path = Path(ref)
    if path.suffix == ".rq" or path.exists():
        try:
            return QueryFile.parse(path.stem, path.read_text(encoding="utf-8"), path)
        except OSError as err:
            raise KgError(f"{ref}: cannot read query file: {err.strerror}") from None
    raise KgError(f"unknown query {ref!r}: not in queries/ and no such file (see `kg query --list`)")


def term_to_sparql(term: ox.NamedNode | ox.Literal) -> str:
    """A term in SPARQL/N-Triples syntax, escaped by pyoxigraph."""
    return str(term)


def parse_param_value(
    param: Param, raw: str, *, resolve_entity: Callable[[str], str]
) -> ox.NamedNode | ox.Literal:
    """Turn a ``--param`` string into an RDF term of the parameter's type."""
    if param.type == "entity":
        try:
            return ox.NamedNode(resolve_entity(raw))
        except ValueError:
            raise KgError(f"parameter {param.name}: {raw!r} is neither an entity's name nor an IRI") from None
    if param.type == "date":
        if parse_day(raw) is None:
            raise KgError(f"parameter {param.name}: {raw!r} is not a date (YYYY-MM-DD)")
        return ox.Literal(raw, datatype=ox.NamedNode(XSD + "date"))
    if param.type == "integer":
        if not _INTEGER.fullmatch(raw):
            raise KgError(f"parameter {param.name}: {raw!r} is not an integer (ASCII digits)")
        return ox.Literal(str(int(raw)), datatype=ox.NamedNode(XSD + "integer"))
    if param.type == "grade":
        if raw not in ("A", "B", "C", "D", "E", "F", "any"):
            raise KgError(f"parameter {param.name}: {raw!r} is not a reliability grade (A-F, or any)")
        return ox.Literal(raw)
    return ox.Literal(raw)


# strict: Python's int() takes 5_000 and other scripts' digits; a SPARQL literal of those
# would be wrong or malformed
_INTEGER = re.compile(r"[+-]?[0-9]+")


def bind(query: QueryFile, values: dict[str, Bound | Sequence[Bound]]) -> str:
    """The query text with each named parameter's VALUES block set to the given term or terms."""
    text = query.text
    declared = {p.name for p in query.params}
    for name, term in values.items():
        if name not in declared:
            known = ", ".join(sorted(declared)) or "none"
            raise KgError(f"unknown parameter {name!r} for query {query.name!r} (its parameters: {known})")
        block = _values_block(name)
        if not block.search(text):
            raise KgError(f"query {query.name!r} declares {name!r} but has no 'VALUES ?{name} {{ ... }}' block")
        terms = [term] if isinstance(term, ox.NamedNode | ox.Literal) else list(term)
        replacement = f"VALUES ?{name} {{ {' '.join(term_to_sparql(t) for t in terms)} }}"
        text = block.sub(lambda _m, r=replacement: r, text, count=1)
    return text


def parse_assignments(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``["name=value", ...]`` to a dict; a pair without ``=`` is an error naming it."""
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise KgError(f"--param {pair!r}: expected NAME=VALUE")
        out[name.strip()] = value
    return out


def run(
    store: Store,
    query: QueryFile,
    raw_params: dict[str, str] | None = None,
    *,
    resolve_entity: Callable[[str], str] | None = None,
) -> QueryResult:
    """Bind the parameters given as strings, then run the query on the store."""
    params = {p.name: p for p in query.params}
    values: dict[str, ox.NamedNode | ox.Literal] = {}
    for name, raw in (raw_params or {}).items():
        if name not in params:
            known = ", ".join(sorted(params)) or "none"
            raise KgError(f"unknown parameter {name!r} for query {query.name!r} (its parameters: {known})")
        resolver = resolve_entity or (lambda ref: ref)
        values[name] = parse_param_value(params[name], raw, resolve_entity=resolver)
    text = bind(query, values)
    if calls_service(text):
        raise KgError(f"{query.path or query.name}: SERVICE is not run: kg queries the graph offline, "
                      "never other endpoints")
    if is_update(text):
        raise KgError(f"{query.path or query.name}: an update is not run: kg query runs SELECT, ASK, "
                      "CONSTRUCT and DESCRIBE (the store changes only through kg build and kg import)")
    try:
        return store.query(text)
    except KgError as err:
        raise KgError(f"{query.path or query.name}: {err}") from None


def select_rows(
    store: Store, query: QueryFile, values: dict[str, Bound | Sequence[Bound]] | None = None
) -> list[Row]:
    """Run a SELECT with bound terms and return its rows as dicts (unbound variables left out)."""
    result = store.query(bind(query, values or {}))
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError(f"{query.name} is not a SELECT query")
    names = [v.value for v in result.variables]
    return [{n: s[n] for n in names if s[n] is not None} for s in result]


def term_text(term: object | None, *, compact_iris: bool = True) -> str:
    """How a term reads in a table: compacted IRI, literal value, blank for unbound."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(term.value) if compact_iris else term.value
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term)


def rows_of(result: QueryResult) -> tuple[list[str], Iterator[list[object]]]:
    """Column names and rows of any result; graph results read as subject/predicate/object."""
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        return names, ([s[n] for n in names] for s in result)
    if isinstance(result, ox.QueryBoolean):
        return ["result"], iter([[ox.Literal(str(bool(result)).lower())]])
    return ["subject", "predicate", "object"], ([t.subject, t.predicate, t.object] for t in result)


_RESULT_FORMATS = {
    OutputFormat.JSON: ox.QueryResultsFormat.JSON,
    OutputFormat.CSV: ox.QueryResultsFormat.CSV,
    OutputFormat.TSV: ox.QueryResultsFormat.TSV,
}


def serialize(result: QueryResult, fmt: OutputFormat) -> str:
    """A SELECT or ASK result in a standard SPARQL results format; graph results as N-Triples."""
    if is_graph_result(result):
        return ox.serialize(result, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    data = result.serialize(format=_RESULT_FORMATS[fmt])
    return data.decode("utf-8")
