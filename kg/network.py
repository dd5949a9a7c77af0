"""The graph as a network: RDF resources as nodes, the statements between them as edges.

One conversion serves the interactive views, the analytics (paths, centrality) and the
GraphML/GEXF export. A *scope* says which part of the graph to take; :func:`to_networkx`
turns it into a :class:`networkx.MultiDiGraph` whose nodes carry their kind, names in
every language and the facts a tooltip shows, and whose edges carry the property and its
label. Everything runs in time linear in the size of the scope: a few SPARQL queries with
the nodes bound in VALUES blocks, then ``add_nodes_from``/``add_edges_from``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import networkx as nx
import pyoxigraph as ox

from kg.dates import day_of
from kg.errors import KgError
from kg.identifiers import SCHEMES
from kg.namespaces import ONTOLOGY, PREFIXES, RDF_TYPE, compact
from kg.query import QueryFile, bind, internal_query, select_rows
from kg.store import Store, is_graph_result
from kg.vocab import PSKG

SKOS = PREFIXES["skos"]
RDFS = PREFIXES["rdfs"]
HAS_SOURCE = PSKG.hasSource
HAS_HOLDER = PSKG.hasHolder
HAS_OFFICE = PSKG.hasOffice
HOLDS_OFFICE = "urn:x-kg:holds-office"
SUBCLASS_OF = RDFS + "subClassOf"

#: Kinds of node, in the order the legend lists them.
KINDS = ("person", "state", "organisation", "place", "conflict", "event", "claim", "source", "office", "class",
         "other")

# Which kind a class belongs to; the first superclass found in this order wins (a state is
# also an organisation and a place: it is drawn as a state).
_KIND_OF_CLASS = (
    ("Person", "person"), ("State", "state"), ("DeFactoState", "state"), ("Claim", "claim"),
    ("Source", "source"), ("Conflict", "conflict"), ("ConflictSystem", "conflict"), ("Event", "event"),
    ("OfficeHolding", "office"), ("Office", "office"), ("Place", "place"), ("Organisation", "organisation"),
    ("Actor", "organisation"),
)

_LABEL_PROPERTIES = (SKOS + "prefLabel", RDFS + "label", PREFIXES["dct"] + "title")
_DATE_PROPERTIES = (PSKG.startDate, PSKG.endDate, PSKG.reportedOn, PSKG.publishedOn)
_LINKS = {
    **{scheme.property: (scheme.name, scheme.page) for scheme in SCHEMES if scheme.page},
    PSKG.hasUrl: ("Source page", "{}"),
}
_HIDDEN_FACTS = {RDF_TYPE, *_LABEL_PROPERTIES}


@dataclass(frozen=True)
class Scope:
    """Which part of the graph a view or an analysis takes.

    With nothing set, the whole graph. ``focus`` with ``hops`` takes the neighbourhood of an
    entity; ``conflict`` a conflict with its phases, events and claims; ``query`` the
    statements a CONSTRUCT (or a SELECT of ?s ?p ?o) returns. ``since``/``until`` then keep
    only the events dated within the range. Sources are attached to what they support but
    never walked through, so a widely cited source does not pull in the whole graph.
    """

    focus: str | None = None
    hops: int = 1
    conflict: str | None = None
    query: QueryFile | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    with_sources: bool = True
    with_claims: bool = True

    def describe(self) -> str:
        """A short title for what the scope holds."""
        if self.focus:
            what = f"{compact(self.focus)}, {self.hops} hop{'s' if self.hops != 1 else ''}"
        elif self.conflict:
            what = compact(self.conflict)
        elif self.query:
            what = f"query {self.query.name}"
        else:
            what = "whole graph"
        if self.since or self.until:
            what += f", events {self.since or '…'} to {self.until or '…'}"
        return what


@dataclass
class _Details:
    """What the store says about the nodes seen so far (types, names, literal facts)."""

    types: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    labels: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    facts: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    seen: set[str] = field(default_factory=set)

    def fetch(self, store: Store, nodes: Iterable[str], *, query: str = "view_node_details") -> None:
        todo = sorted(set(nodes) - self.seen)
        for chunk in _chunks(todo, 2000):
            rows = select_rows(store, internal_query(query), {"node": [ox.NamedNode(n) for n in chunk]})
            for row in rows:
                self._add(row["node"].value, row["p"].value, row["o"], row.get("olabel"))
            self.seen.update(chunk)

    def _add(self, node: str, prop: str, value: object, value_label: object | None) -> None:
        if prop == RDF_TYPE and isinstance(value, ox.NamedNode):
            self.types[node].add(value.value)
        elif prop in _LABEL_PROPERTIES and isinstance(value, ox.Literal):
            lang = value.language or ""
            # keep the first label seen per language, preferring skos:prefLabel
            self.labels[node].setdefault(lang, value.value)
        elif isinstance(value, ox.Literal):
            self.facts[node].append((prop, value.value))
        elif isinstance(value, ox.NamedNode):
            text = value_label.value if isinstance(value_label, ox.Literal) else compact(value.value)
            self.facts[node].append((prop, text))


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _class_kinds(store: Store) -> dict[str, str]:
    """Each ontology class mapped to the kind of node it is drawn as."""
    rank = {ONTOLOGY + name: (i, kind) for i, (name, kind) in enumerate(_KIND_OF_CLASS)}
    best: dict[str, tuple[int, str]] = {}
    for row in select_rows(store, internal_query("view_class_kinds")):
        cls, sup = row["class"].value, row["super"].value
        if sup in rank and (cls not in best or rank[sup] < best[cls]):
            best[cls] = rank[sup]
    return {cls: kind for cls, (_, kind) in best.items()}


def property_labels(store: Store) -> dict[str, dict[str, str]]:
    """The labels of the ontology's properties, by property and language."""
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    for row in select_rows(store, internal_query("view_property_labels")):
        label = row["label"]
        labels[row["property"].value].setdefault(label.language or "", label.value)
    labels[SUBCLASS_OF].update({"en": "subclass of", "ru": "подкласс"})
    labels[HOLDS_OFFICE].update({"en": "holds office", "ru": "занимает должность"})
    return labels


def pick_label(labels: dict[str, str], lang: str, fallback: str) -> str:
    """The label in ``lang``, else English, else untagged, else any (sorted), else ``fallback``.

    >>> pick_label({"en": "Moscow", "ru": "Москва"}, "ru", "x")
    'Москва'
    >>> pick_label({"en": "Moscow"}, "ky", "x")
    'Moscow'
    >>> pick_label({}, "en", "place:moscow")
    'place:moscow'
    """
    for key in (lang, "en", ""):
        if key in labels:
            return labels[key]
    return labels[sorted(labels)[0]] if labels else fallback


# --- selecting the statements of a scope ---------------------------------------------------

Triple = tuple[str, str, str]


def _edges(rows: list[dict]) -> set[Triple]:
    return {(r["s"].value, r["p"].value, r["o"].value) for r in rows if all(k in r for k in ("s", "p", "o"))}


def _around(store: Store, nodes: Iterable[str]) -> set[Triple]:
    found: set[Triple] = set()
    for chunk in _chunks(sorted(set(nodes)), 2000):
        found |= _edges(select_rows(store, internal_query("view_edges_around"),
                                    {"node": [ox.NamedNode(n) for n in chunk]}))
    return found


def _kind(node: str, details: _Details, kinds: dict[str, str]) -> str:
    found = {kinds[t] for t in details.types.get(node, ()) if t in kinds}
    for kind in KINDS:
        if kind in found:
            return kind
    return "other"


def _neighbourhood(store: Store, focus: str, hops: int, details: _Details, kinds: dict[str, str]) -> set[Triple]:
    """Statements within ``hops`` of ``focus``, never walking on through a source."""
    triples: set[Triple] = set()
    seen = {focus}
    frontier = {focus}
    for _ in range(hops):
        if not frontier:
            break
        found = {t for t in _around(store, frontier) if t[1] != HAS_SOURCE or t[0] == focus or t[2] == focus}
        triples |= found
        reached = {n for s, _, o in found for n in (s, o)} - seen
        details.fetch(store, reached)
        seen |= reached
        frontier = {n for n in reached if _kind(n, details, kinds) != "source"}
    return triples


def _conflict_members(store: Store, conflict: str) -> set[str]:
    rows = select_rows(store, internal_query("view_conflict_members"), {"conflict": ox.NamedNode(conflict)})
    return {r["member"].value for r in rows if isinstance(r.get("member"), ox.NamedNode)}


def _query_triples(store: Store, query: QueryFile) -> set[Triple]:
    result = store.query(bind(query, {}))
    if is_graph_result(result):
        return {(t.subject.value, t.predicate.value, t.object.value) for t in result
                if isinstance(t.subject, ox.NamedNode) and isinstance(t.object, ox.NamedNode)}
    if isinstance(result, ox.QuerySolutions):
        names = {v.value for v in result.variables}
        if not {"s", "p", "o"} <= names:
            raise KgError(f"--query {query.path or query.name}: a SELECT must return ?s ?p ?o "
                          f"(it returns {', '.join('?' + n for n in sorted(names))})")
        return {(r["s"].value, r["p"].value, r["o"].value) for r in result
                if isinstance(r["s"], ox.NamedNode) and isinstance(r["p"], ox.NamedNode)
                and isinstance(r["o"], ox.NamedNode)}
    raise KgError(f"--query {query.path or query.name}: must be a CONSTRUCT or a SELECT of ?s ?p ?o, not an ASK")


def _attachments(store: Store, nodes: set[str], scope: Scope, details: _Details,
                 kinds: dict[str, str]) -> set[Triple]:
    """The claims about the nodes (with their claimants and sides) and the sources of all."""
    triples: set[Triple] = set()
    if scope.with_claims:
        claims: set[str] = set()
        for chunk in _chunks(sorted(nodes), 2000):
            rows = select_rows(store, internal_query("view_claims_about"), {"node": [ox.NamedNode(n) for n in chunk]})
            claims |= {r["claim"].value for r in rows}
        claims -= nodes
        triples |= {t for t in _around(store, claims) if t[0] in claims}
        nodes = nodes | claims | {o for _, _, o in triples}
    if scope.with_sources:
        details.fetch(store, nodes)
        holders = {n for n in nodes if _kind(n, details, kinds) != "source"}
        triples |= {t for t in _around(store, holders) if t[1] == HAS_SOURCE and t[0] in holders}
    return triples


def select(store: Store, scope: Scope, details: _Details, kinds: dict[str, str]) -> set[Triple]:
    """The statements (subject, property, object IRIs) that make up a scope."""
    if scope.query is not None:
        triples = _query_triples(store, scope.query)
    elif scope.focus is not None:
        triples = _neighbourhood(store, scope.focus, scope.hops, details, kinds)
        nodes = {n for s, _, o in triples for n in (s, o)} | {scope.focus}
        triples |= _attachments(store, nodes, scope, details, kinds)
    elif scope.conflict is not None:
        members = _conflict_members(store, scope.conflict)
        triples = {t for t in _around(store, members) if t[1] != HAS_SOURCE}
        nodes = {n for s, _, o in triples for n in (s, o)} | members
        triples |= _attachments(store, nodes, scope, details, kinds)
    else:
        triples = _edges(select_rows(store, internal_query("view_edges_all")))
        if not scope.with_sources:
            triples = {t for t in triples if t[1] != HAS_SOURCE}
    if not scope.with_sources:
        triples = {t for t in triples if t[1] != HAS_SOURCE}
    return triples


# --- building the networkx graph -----------------------------------------------------------

def _in_range(facts: list[tuple[str, str]], since: dt.date | None, until: dt.date | None) -> bool:
    """Whether an event's dates fall in [since, until]; partial dates compare by their first day."""
    dates = {p: v for p, v in facts if p in (PSKG.startDate, PSKG.endDate)}
    start = day_of(dates.get(PSKG.startDate))
    end = day_of(dates.get(PSKG.endDate)) or start
    if start is None:
        return False
    if until is not None and start > until:
        return False
    return not (since is not None and end is not None and end < since)


def triples_from_results(body: bytes, media_type: str) -> set[Triple]:
    """The IRI statements in an N-Triples body, or in SPARQL JSON results of ?s ?p ?o."""
    if media_type.startswith("application/n-triples"):
        return {(t.subject.value, t.predicate.value, t.object.value)
                for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)
                if isinstance(t.subject, ox.NamedNode) and isinstance(t.object, ox.NamedNode)}
    result = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    if not isinstance(result, ox.QuerySolutions) or not {"s", "p", "o"} <= {v.value for v in result.variables}:
        raise KgError("a network needs a CONSTRUCT, or a SELECT of ?s ?p ?o")
    return {(r["s"].value, r["p"].value, r["o"].value) for r in result
            if all(isinstance(r[k], ox.NamedNode) for k in ("s", "p", "o"))}


def to_networkx(store: Store, scope: Scope | None = None, *, lang: str = "en", fold_offices: bool = True,
                triples: set[Triple] | None = None) -> nx.MultiDiGraph:
    """The scope as a directed multigraph.

    Node attributes: ``kind``, ``label`` (in ``lang``, falling back to English), ``labels``
    (every language), ``facts`` (property label, value), ``links`` (text, URL for Wikidata,
    GeoNames and source pages). Edge attributes: ``property`` (IRI) and ``label``.
    With ``fold_offices``, each term of office becomes a "holds office" edge from the person
    to the office, its dates in the edge's ``facts``. ``triples`` gives the statements
    directly (for instance a query's result, run elsewhere) instead of a scope.
    """
    scope = scope or Scope()
    details = _Details()
    kinds = _class_kinds(store)
    for ref in (scope.focus, scope.conflict):
        if ref is not None:
            details.fetch(store, [ref])
            if not details.types.get(ref) and not details.labels.get(ref):
                raise KgError(f"{compact(ref)}: no such entity in the graph")
    given = triples is not None
    if triples is None:
        triples = select(store, scope, details, kinds)
    nodes = {n for s, _, o in triples for n in (s, o)}
    if scope.focus:
        nodes.add(scope.focus)
    details.fetch(store, nodes)
    # a term of office reads only with its holder and its office: bring both in
    holdings = {n for n in nodes if PSKG.OfficeHolding in details.types.get(n, ())}
    if holdings and scope.query is None and not given:
        triples |= {t for t in _around(store, holdings) if t[0] in holdings and t[1] in (HAS_HOLDER, HAS_OFFICE)}
        nodes |= {o for s, _, o in triples if s in holdings}
        details.fetch(store, nodes)
    if scope.since or scope.until:
        dropped = {n for n in nodes if _kind(n, details, kinds) == "event"
                   and not _in_range(details.facts.get(n, []), scope.since, scope.until)}
        nodes -= dropped
        triples = {t for t in triples if t[0] in nodes and t[2] in nodes}
        linked = {n for s, _, o in triples for n in (s, o)}
        nodes = {n for n in nodes if n in linked or n in (scope.focus, scope.conflict)}
    plabels = property_labels(store)
    graph = nx.MultiDiGraph(scope=scope.describe(), lang=lang)
    graph.add_nodes_from(_node_records(nodes, details, kinds, plabels, lang))
    graph.add_edges_from(
        (s, o, p, {"property": p, "label": pick_label(plabels.get(p, {}), lang, compact(p))})
        for s, p, o in sorted(triples)
    )
    if fold_offices:
        fold_office_holdings(graph, lang)
    return graph


_FACT_ORDER = (PSKG.startDate, PSKG.endDate, PSKG.hasValue, PSKG.hasMeasure,
               PSKG.isApproximate, PSKG.reportedOn, PSKG.publishedOn)


def _fact_rank(prop: str) -> int:
    return _FACT_ORDER.index(prop) if prop in _FACT_ORDER else len(_FACT_ORDER)


def _node_records(nodes: Iterable[str], details: _Details, kinds: dict[str, str],
                  plabels: dict[str, dict[str, str]], lang: str) -> Iterator[tuple[str, dict]]:
    for node in sorted(nodes):
        facts, links, dates = [], [], {}
        for prop, value in sorted(details.facts.get(node, []), key=lambda f: (_fact_rank(f[0]), f)):
            if prop in _LINKS:
                text, pattern = _LINKS[prop]
                links.append((value if prop == PSKG.hasUrl else f"{text}: {value}", pattern.format(value)))
                if prop == PSKG.hasUrl:
                    continue
            if prop in (PSKG.startDate, PSKG.endDate):
                dates[prop.removeprefix(ONTOLOGY)] = value
            if prop not in _HIDDEN_FACTS:
                facts.append((pick_label(plabels.get(prop, {}), lang, compact(prop)), value))
        labels = dict(details.labels.get(node, {}))
        yield node, {
            "kind": _kind(node, details, kinds),
            "label": pick_label(labels, lang, compact(node)),
            "labels": labels,
            "facts": facts,
            "links": sorted(links),
            "dates": dates,
        }


def fold_office_holdings(graph: nx.MultiDiGraph, lang: str = "en") -> None:
    """Replace each office-holding node that links a person and an office by one edge."""
    holdings = [n for n, k in graph.nodes(data="kind") if k == "office" and _targets(graph, n, HAS_HOLDER)]
    for holding in holdings:
        holders, offices = _targets(graph, holding, HAS_HOLDER), _targets(graph, holding, HAS_OFFICE)
        if len(holders) != 1 or len(offices) != 1:
            continue
        data = graph.nodes[holding]
        label = "holds office" if lang != "ru" else "занимает должность"
        graph.add_edge(holders[0], offices[0], HOLDS_OFFICE, property=HOLDS_OFFICE, label=label,
                       dates=dict(data.get("dates", {})), folded=holding)
        graph.remove_node(holding)


def _targets(graph: nx.MultiDiGraph, node: str, prop: str) -> list[str]:
    return [o for _, o, k in graph.out_edges(node, keys=True) if k == prop]


def ontology_graph(store: Store, lang: str = "en") -> nx.MultiDiGraph:
    """The ontology's classes as nodes; subclass links and object properties (domain to range) as edges."""
    plabels = property_labels(store)
    triples = _edges(select_rows(store, internal_query("view_ontology_schema")))
    details = _Details()
    for row in select_rows(store, internal_query("view_ontology_classes")):
        details._add(row["node"].value, row["p"].value, row["o"], None)
    nodes = {n for s, _, o in triples for n in (s, o)} | set(details.labels)
    details.labels[PREFIXES["owl"] + "Thing"].update({"en": "any resource", "ru": "любой ресурс"})
    graph = nx.MultiDiGraph(scope="ontology", lang=lang)
    for node in sorted(nodes):
        graph.add_node(node, kind="class", label=pick_label(details.labels.get(node, {}), lang, compact(node)),
                       labels=dict(details.labels.get(node, {})),
                       facts=[("definition", v) for _, v in details.facts.get(node, [])], links=[])
    graph.add_edges_from(
        (s, o, p, {"property": p, "label": pick_label(plabels.get(p, {}), lang, compact(p))})
        for s, p, o in sorted(triples)
    )
    return graph
