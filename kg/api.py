"""The library's face: open the graph and ask it what the ``kg`` commands ask.

``kg.open()`` gives a :class:`KnowledgeGraph`; every ``kg`` command is a thin shell over one
of its methods (parse the options, call, print). A notebook session::

    import kg
    g = kg.open()                                      # the project here, or the installed graph
    g.search("Schaparov")[0].label                     # 'Sadyr Japarov'
    rows = g.query("casualty-claims")                  # rows as dicts; rows.to_dataframe() with pandas
    view = g.view(focus="Sadyr Japarov", hops=1)       # a networkx graph inside
    view.write("japarov.html"); net = view.to_pyvis()  # net.show("japarov.html") in Jupyter
    g.path("Putin", "Batken")                          # chains of statements
    g.rank(by="betweenness", limit=5)                  # who brokers between conflicts

Opening builds the embedded store when ontology/ or data/ changed (``on_rebuild`` is told),
waits for another writer (``on_wait``), and answers from the last good store when a data
file is broken (``on_stale``). With ``store=URL`` it reads a remote SPARQL store instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KgError
from kg.project import Project

Notice = Callable[[str], None] | None


class Rows(list):
    """A SELECT's rows as dicts of Python values (IRIs and text as ``str``, numbers as numbers;
    unbound variables left out), with the column names in ``columns``."""

    def __init__(self, columns: list[str], rows: list[dict]):
        super().__init__(rows)
        self.columns = columns

    def to_dataframe(self):
        """The rows as a pandas DataFrame (pandas is not a dependency of kg: install it)."""
        try:
            import pandas as pd
        except ImportError:
            raise KgError("to_dataframe needs pandas: pip install pandas") from None
        return pd.DataFrame(list(self), columns=self.columns)


def python_value(term):
    """A result term as a Python value: numbers as int or float, booleans as bool, the rest as text."""
    import pyoxigraph as ox

    from kg.namespaces import PREFIXES

    if not isinstance(term, ox.Literal):
        return term.value
    xsd = PREFIXES["xsd"]
    datatype = term.datatype.value
    try:
        if datatype in (xsd + "integer", xsd + "int", xsd + "long", xsd + "nonNegativeInteger"):
            return int(term.value)
        if datatype in (xsd + "decimal", xsd + "double", xsd + "float"):
            return float(term.value)
    except ValueError:
        return term.value  # an ill-formed literal stays as written
    if datatype == xsd + "boolean":
        return term.value in ("true", "1")
    return term.value


@dataclass
class View:
    """A part of the graph to draw: ``graph`` is the networkx MultiDiGraph ``kg view`` draws."""

    graph: object
    title: str
    name: str
    lang: str = "en"
    size_by: str = "degree"

    def write(self, output: Path | str | None = None):
        """Write the offline HTML view (default ``view-NAME.html``) and say what was written."""
        from kg.views_html import write_view

        return write_view(self.graph, Path(output or f"view-{self.name}.html"), title=self.title, lang=self.lang,
                          size_by=self.size_by)

    def to_pyvis(self, **network_options):
        """The view as a ``pyvis.network.Network`` with ``kg view``'s nodes, colours, shapes,
        sizes, labels and edge labels, and the full label, kind and first facts as tooltips
        (plain text: vis-network shows a string title as text), for ``show()`` in Jupyter (pyvis's
        page loads vis-network from a CDN; :meth:`write` gives the offline page). Built by filling
        the network's lists directly: pyvis's ``add_node``/``add_edge`` scan every node per call."""
        from pyvis.network import Network

        from kg.views_html import KIND_STYLES, view_data

        data = view_data(self.graph, lang=self.lang, size_by=self.size_by)
        options = {"directed": True, "height": "750px", "width": "100%", "cdn_resources": "remote",
                   **network_options}
        net = Network(**options)
        for node, detail in zip(data["nodes"], data["details"], strict=True):
            color, shape = KIND_STYLES.get(node["kind"], KIND_STYLES["other"])
            facts = "\n".join(f"{k}: {v}" for k, v in detail["facts"][:8])
            record = {"id": node["id"], "label": node["label"], "shape": shape, "color": color,
                      "size": node["size"], "title": f"{detail['label']}\n{detail['kind']}\n{detail['iri']}"
                      + (f"\n{facts}" if facts else ""), "font": {"color": "#343434"}}
            if "x" in node:  # above the live-layout limit the positions are fixed, as in kg view
                record.update(x=node["x"], y=node["y"], physics=False)
            net.nodes.append(record)
            net.node_ids.append(node["id"])
            net.node_map[node["id"]] = record
        for edge in data["edges"]:
            record = {"from": edge["from"], "to": edge["to"], "label": edge["label"], "arrows": "to"}
            if "note" in edge:
                record["title"] = edge["note"]
            net.edges.append(record)
        if data["large"]:
            net.toggle_physics(False)
        return net


class KnowledgeGraph:
    """One project's graph, opened on first use and closed by :meth:`close` (or ``with``)."""

    def __init__(self, project: Project, *, store_url: str | None = None, on_rebuild: Callable[[], None] | None = None,
                 on_wait: Notice = None, on_stale: Notice = None):
        self.project = project
        self.store_url = store_url or None
        self._notices = {"on_rebuild": on_rebuild, "on_wait": on_wait, "on_stale": on_stale}
        self._opened = None
        self._names = None

    # --- the store ---------------------------------------------------------------------------

    @property
    def store(self):
        """The store it reads: the embedded one (built if need be) or the remote one."""
        if self._opened is None:
            if self.store_url:
                from kg.remote import RemoteStore

                self._opened = RemoteStore(self.store_url)
            else:
                from kg.build import open_store

                self._opened = open_store(self.project, **self._notices)
        return self._opened

    @property
    def remote(self) -> bool:
        return bool(self.store_url)

    def close(self) -> None:
        opened, self._opened = self._opened, None
        if opened is not None and hasattr(opened, "close"):
            opened.close()

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _embedded_only(self, what: str) -> None:
        if self.remote:
            raise KgError(f"{what} changes the embedded store; work there, then kg push --store {self.store_url}")

    def build(self, *, force: bool = False):
        """(Re)build the embedded store from ontology/ and data/; a BuildReport."""
        from kg.build import build

        self._embedded_only("build")
        self.close()
        return build(self.project, force=force, on_wait=self._notices["on_wait"])  # building is what was asked

    def ensure_built(self):
        """Build the embedded store if ontology/ or data/ changed since (telling ``on_rebuild``)."""
        from kg.build import build

        self._embedded_only("build")
        return build(self.project, on_rebuild=self._notices["on_rebuild"], on_wait=self._notices["on_wait"])

    def repair(self):
        """Rebuild a damaged store and redo the recorded imports; a RepairReport."""
        from kg.repair import repair

        self._embedded_only("repair")
        self.close()
        return repair(self.project, on_wait=self._notices["on_wait"])

    # --- entities ----------------------------------------------------------------------------

    def resolve(self, ref: str) -> str:
        """The IRI of an entity given by name, variant, slug, prefixed name or IRI."""
        from kg.entities import resolve

        return resolve(self.store, ref)

    def search(self, text: str, *, limit: int = 10, lang: str = "en"):
        """Entities whose names (any language, variant or transliteration) match ``text``."""
        from kg.entities import search

        return search(self.store, text, limit=limit, lang=lang)

    def show(self, entity: str, *, lang: str = "en"):
        """The card of an entity, as data (an EntityCard)."""
        from kg.entities import card

        return card(self.store, self.resolve(entity), lang=lang)

    # --- queries -----------------------------------------------------------------------------

    def catalogue(self) -> dict:
        """The queries of queries/ by name, each with its question and parameters."""
        from kg.query import catalogue

        return catalogue(self.project.queries_dir)

    def load_query(self, ref: str):
        """A query by catalogue name, file path or ``-`` (stdin), or SPARQL text itself."""
        from kg.query import QueryFile, load_query

        if any(ch.isspace() for ch in ref.strip()) and not Path(ref).is_file():
            return QueryFile.parse("query", ref)
        return load_query(ref, self.project.queries_dir)

    def query_result(self, ref: str, params: dict[str, str] | None = None):
        """The raw result (pyoxigraph solutions, triples or boolean) of a query with parameters."""
        from kg.query import run

        return run(self.store, self.load_query(ref), {k: str(v) for k, v in (params or {}).items()},
                   resolve_entity=self.resolve)

    def query(self, ref: str, **params) -> Rows | list | bool:
        """Run a query: a SELECT gives :class:`Rows`, a CONSTRUCT a list of triples, an ASK a bool.
        Parameters are given by name (``conflict="2010 South Kyrgyzstan ethnic clashes"``)."""
        import pyoxigraph as ox

        result = self.query_result(ref, params)
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        if isinstance(result, ox.QuerySolutions):
            columns = [v.value for v in result.variables]
            return Rows(columns, [{c: python_value(row[c]) for c in columns if row[c] is not None} for row in result])
        return list(result)

    # --- networks ----------------------------------------------------------------------------

    def scope(self, *, focus: str | None = None, hops: int | None = None, conflict: str | None = None,
              query: str | None = None, since: dt.date | str | None = None, until: dt.date | str | None = None,
              sources: bool = True):
        """Which part of the graph a view or a ranking takes, checked: one of ``focus``,
        ``conflict`` or ``query`` at most; ``hops`` only with ``focus``; ``since`` before ``until``."""
        from kg.network import Scope

        chosen = [name for name, value in (("focus", focus), ("conflict", conflict), ("query", query)) if value]
        if len(chosen) > 1:
            raise KgError(f"choose one scope: {' and '.join(chosen)} were both given")
        if hops is not None and not focus:
            raise KgError("hops counts steps from focus: give a focus entity too")
        if hops is not None and not 0 <= hops <= 6:
            raise KgError(f"hops {hops}: give 0 to 6")
        start, end = _day(since, "since"), _day(until, "until")
        if start and end and start > end:
            raise KgError(f"since {start} is after until {end}")
        return Scope(
            focus=self.resolve(focus) if focus else None, hops=1 if hops is None else hops,
            conflict=self.resolve(conflict) if conflict else None,
            query=self.load_query(query) if query else None, since=start, until=end, with_sources=sources,
        )

    def network(self, *, lang: str = "en", **scope):
        """The scope as a networkx MultiDiGraph (node kinds, labels, facts; edge properties)."""
        from kg.network import to_networkx

        return to_networkx(self.store, self.scope(**scope), lang=lang)

    def view(self, *, ontology: bool = False, lang: str = "en", size_by: str = "degree", **scope) -> View:
        """A view of a scope (see :meth:`scope`), or with ``ontology`` of the schema; nothing to
        draw is an error."""
        from kg.namespaces import compact
        from kg.network import ontology_graph, to_networkx

        if ontology:
            given = [k for k, v in scope.items() if v not in (None, True)]
            if given:
                raise KgError(f"the ontology view draws the schema: it takes no {', '.join(given)}")
            graph, title, name = ontology_graph(self.store, lang), "Ontology: classes and properties", "ontology"
        else:
            chosen = self.scope(**scope)
            graph = to_networkx(self.store, chosen, lang=lang)
            title = f"Post-Soviet conflicts KG: {chosen.describe()}"
            ref = chosen.focus or chosen.conflict
            name = compact(ref).split(":")[-1] if ref else (chosen.query.name if chosen.query else "graph")
        if graph.number_of_nodes() == 0:
            raise KgError("nothing to draw: the scope holds no statements")
        return View(graph, title, name, lang, size_by)

    def path(self, start: str, end: str, *, limit: int = 3, lang: str = "en") -> Chains:
        """The shortest chains of statements between two entities, sources left out."""
        from kg.analytics import shortest_paths
        from kg.network import Scope, to_networkx

        a, b = self.resolve(start), self.resolve(end)
        if a == b:
            raise KgError(f"{start!r} and {end!r} are the same entity: give two different ones")
        graph = to_networkx(self.store, Scope(with_sources=False), lang=lang, fold_offices=False)
        chains = shortest_paths(graph, a, b, limit=limit)
        if not chains:
            raise KgError(f"no chain of facts links {start!r} and {end!r}")
        return Chains(chains, graph, f"Chains from {start} to {end}", lang)

    def rank(self, *, by: str = "betweenness", kinds: tuple[str, ...] | list[str] = (), limit: int = 20,
             lang: str = "en", **scope):
        """Centrality of the entities of a scope. Over the whole graph sources are left out
        unless ``sources=True`` is asked for: a widely cited source would top every ranking."""
        from kg.analytics import Measure, rank
        from kg.network import KINDS, to_networkx

        unknown = sorted(set(kinds) - set(KINDS))
        if unknown:
            raise KgError(f"kind {unknown[0]!r}: not a kind (use {', '.join(KINDS)})")
        try:
            measure = Measure(by)
        except ValueError:
            raise KgError(f"by {by!r}: use {', '.join(m.value for m in Measure)}") from None
        whole = not any(scope.get(k) for k in ("focus", "conflict", "query"))
        if whole and "sources" not in scope:
            scope["sources"] = False
        graph = to_networkx(self.store, self.scope(**scope), lang=lang)
        return rank(graph, by=measure, limit=limit, kinds=set(kinds) or None)

    # --- the whole graph ---------------------------------------------------------------------

    def export(self, fmt: str, output: Path | str | None = None) -> Written:
        """Write the graph in an RDF format (ttl, nt, nq, trig, jsonld) or as a network for graph
        tools (graphml, gexf) to ``output`` (default ``kg-export.FORMAT``)."""
        from kg.analytics import GraphFormat, write_graph
        from kg.export import export
        from kg.network import to_networkx

        target = Path(output or f"kg-export.{fmt}")
        if fmt in [f.value for f in GraphFormat]:
            graph = to_networkx(self.store)
            size = write_graph(graph, GraphFormat(fmt), target)
            return Written(target, size, graph.number_of_nodes(), graph.number_of_edges())
        return Written(target, export(self.store, _rdf_format(fmt), target))

    def serialize(self, fmt: str) -> bytes:
        """The graph in an RDF format (ttl, nt, nq, trig, jsonld), as bytes."""
        from kg.export import serialize

        return serialize(self.store, _rdf_format(fmt))

    def stats(self):
        """Triples per graph, instances per class, sources (a Stats)."""
        from kg.stats import stats

        return stats(self.store)

    def coverage(self):
        """One row per conflict: its quality gates and what the catalogue holds about it."""
        from kg.stats import coverage

        return coverage(self.store)

    def sources(self):
        """What the curated claims rest on: by kind, grade and host (a SourcesReport)."""
        from kg.sources import report

        return report(self.store)

    def validate(self):
        """The SHACL report of the graph against ontology/shapes.ttl."""
        from kg.validate import validate

        return validate(self.store, self.project.shapes_file)

    def links(self):
        """The entities with their ids in Wikidata, GeoNames, UCDP, ISO 3166 and their ACLED names."""
        from kg.links import link_rows

        return link_rows(self.store)

    def links_turtle(self) -> str:
        """The same links as Turtle (owl:sameAs and the identifiers)."""
        from kg.links import links_turtle

        return links_turtle(self.store)

    def links_sssom(self) -> str:
        """Every curated mapping as an SSSOM table (TSV with its metadata block)."""
        from kg import __version__
        from kg.links import links_sssom

        return links_sssom(self.store, version=__version__)

    def reconcile_csv(self, path: Path | str, column: str, output: Path | str, *, type_id: str | None = None,
                      country_column: str | None = None, date_column: str | None = None,
                      review: Path | str | None = None, progress=None):
        """Link a CSV column's names to the graph's entities (kg.reconciliation.reconcile_csv)."""
        from kg.reconciliation import reconcile_csv

        return reconcile_csv(self.store, Path(path), column, Path(output), type_id=type_id,
                             country_column=country_column, date_column=date_column,
                             review=Path(review) if review else None, progress=progress)

    def annotate(self, text: str, *, lang: str | None = None, report_date: dt.date | str | None = None):
        """The entities a text names, its dates and its figures beside the graph's claims
        (kg.annotate)."""
        from kg.annotate import annotate

        return annotate(self.store, text, lang=lang, report_date=_day(report_date, "report_date"),
                        index=self._name_index())

    def _name_index(self):
        """The annotator's name index of this store: kept per store version in the store
        folder's cache/ (built each time for a remote store)."""
        from kg.annotate import NameIndex

        if self._names is None or self._names.store is not self.store:
            generation = getattr(self.store, "path", None)
            self._names = (NameIndex.cached(self.store, self.project.store_dir / "cache", generation.name)
                           if generation is not None and not self.remote else NameIndex(self.store))
        return self._names

    def annotation_html(self, text: str, result, *, report_date: dt.date | None = None, title: str = "Report") -> str:
        """The annotated report as one offline HTML page (kg.annotate.to_html)."""
        from kg.annotate import to_html

        return to_html(self.store, text, result, self._name_index(), report_date=report_date, title=title)

    def annotation_turtle(self, result, *, report_date: dt.date | None = None, title: str = "",
                          text: str = "") -> str:
        """Draft statements from an annotated report (kg.annotate.to_turtle); never written to data/."""
        from kg.annotate import to_turtle

        return to_turtle(result, report_date=report_date, title=title, text=text)

    # --- imports -----------------------------------------------------------------------------

    def import_file(self, dataset: str, file: Path | str, *, strict: bool = False, replace: bool = False,
                    links: Path | str | None = None, progress: bool = False,
                    on_skip: Callable[[int, str], None] | None = None):
        """Import a UCDP GED, UCDP/PRIO ACD or ACLED CSV file into its own named graph, as one
        write published whole (or not at all), recorded in the store's manifest so that
        ``kg build`` and ``kg stats`` know of it; an ImportReport."""
        from kg.build import edit
        from kg.entities import resolve
        from kg.importers import import_file

        self._embedded_only("import")
        self.close()
        with edit(self.project, on_rebuild=self._notices["on_rebuild"], on_wait=self._notices["on_wait"]) as change:
            store = change.store
            report = import_file(store, dataset, Path(file), work_dir=change.work_dir, strict=strict,
                                 replace=replace, links=Path(links) if links else None,
                                 resolve=lambda ref: resolve(store, ref), progress=progress, on_skip=on_skip)
            change.record({} if report.unchanged else {report.graph: report.triples_in_graph}, report.replaced,
                          None if report.unchanged else report.record())
        return report

    def imports(self) -> list[dict[str, str]]:
        """The imported files: graph, file, time, rows, statements."""
        from kg.importers import list_imports

        return list_imports(self.store)

    def remove_imports(self, refs: list[str]) -> list[str]:
        """Drop imports by name (as :meth:`imports` lists them) or graph IRI; the graphs dropped."""
        from kg.build import edit
        from kg.importers import remove_imports

        self._embedded_only("removing imports")
        self.close()
        with edit(self.project, on_rebuild=self._notices["on_rebuild"], on_wait=self._notices["on_wait"]) as change:
            dropped = remove_imports(change.store, list(refs))
            change.record({}, dropped)
        return dropped

    def push(self, url: str, *, graphs: list[str] | None = None) -> dict[str, int]:
        """Upload the embedded store's named graphs to a remote store; triples per graph."""
        from kg.build import open_store
        from kg.remote import RemoteStore, push

        if self.remote:
            raise KgError("push uploads the embedded store: open the graph without store=")
        local = open_store(self.project, **self._notices)
        try:
            unknown = sorted(set(graphs or ()) - set(local.graphs()))
            if unknown:
                raise KgError(f"graph {unknown[0]}: not a graph of the embedded store")
            return push(local, RemoteStore(url), graphs=list(graphs) if graphs else None)
        finally:
            local.close()


class Chains(list):
    """Chains of statements (lists of steps) between two entities, drawable as a view."""

    def __init__(self, chains: list, graph, title: str, lang: str):
        super().__init__(chains)
        self._graph, self.title, self.lang = graph, title, lang

    def view(self) -> View:
        from kg.analytics import path_subgraph

        return View(path_subgraph(self._graph, list(self)), self.title, "path", self.lang)


@dataclass(frozen=True)
class Written:
    """What an export wrote: the file, its size, and for a network its nodes and edges."""

    path: Path
    bytes: int
    nodes: int | None = None
    edges: int | None = None


def _rdf_format(fmt: str):
    from kg.analytics import GraphFormat
    from kg.export import ExportFormat

    try:
        return ExportFormat(fmt)
    except ValueError:
        known = [f.value for f in ExportFormat] + [f.value for f in GraphFormat]
        raise KgError(f"format {fmt!r}: use {', '.join(known)}") from None


def _day(value: dt.date | str | None, name: str) -> dt.date | None:
    from kg.dates import parse_day

    if value is None or isinstance(value, dt.date):
        return value
    day = parse_day(value)
    if day is None:
        raise KgError(f"{name} {value!r}: not a date (YYYY-MM-DD)")
    return day


def open(root: Path | str | None = None, *, store: str | None = None, store_dir: Path | str | None = None,  # noqa: A001
         on_rebuild: Callable[[], None] | None = None, on_wait: Notice = None, on_stale: Notice = None
         ) -> KnowledgeGraph:
    """Open the graph of the project at ``root`` (default: this folder or the nearest parent
    holding one, else the graph installed with kg), or of the remote SPARQL store ``store``."""
    import os

    root = root or os.environ.get("KG_ROOT") or None  # as the kg command reads them
    store = store or os.environ.get("KG_STORE") or None
    return KnowledgeGraph(Project.at(root, store_dir), store_url=store, on_rebuild=on_rebuild, on_wait=on_wait,
                          on_stale=on_stale)
