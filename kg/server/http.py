"""`kg serve`: the SPARQL 1.1 Protocol at /sparql, a query page at /, network views at /view
and dereferenceable entity IRIs at /id/..., from the standard library's threading HTTP server.

Read-only: updates get 403, SERVICE gets 403, and every client query runs in a worker
process with a time limit and a row limit (:mod:`kg.server.executor`). Entity pages and
views run only the package's own bounded queries in the serving process. Everything the
pages show from the graph is escaped by Jinja's autoescaping; nothing is fetched from
outside.
"""

from __future__ import annotations

import json
import sys
import urllib.parse
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KgError
from kg.namespaces import BASE, INSTANCE, PREFIXES, compact
from kg.query import catalogue
from kg.server.executor import GRAPH_TYPES, Answer, QueryExecutor, negotiate, with_charset
from kg.store import OxigraphStore

MAX_BODY = 1 << 20  # 1 MiB of query text is plenty
ENTITY_FORMATS = {"ttl": "text/turtle", "jsonld": "application/ld+json", "nt": "application/n-triples"}
HTML = "text/html"


@dataclass
class Site:
    """What the handlers share: the store (for pages), the executor (for client queries), the
    query catalogue and the Jinja environment."""

    store: OxigraphStore
    executor: QueryExecutor
    queries_dir: Path
    public_base: str

    def __post_init__(self) -> None:
        import jinja2

        self.env = jinja2.Environment(loader=jinja2.PackageLoader("kg", "templates"), autoescape=True)
        self.env.filters["urlencode"] = lambda value: urllib.parse.quote(str(value), safe="")


def local_path(iri: str | None) -> str | None:
    """The path under which this server answers for one of the project's instance IRIs."""
    if iri and iri.startswith(INSTANCE):
        return "/id/" + iri[len(INSTANCE):]
    return None


class Handler(BaseHTTPRequestHandler):
    server_version = "kg-serve"
    site: Site  # set on the subclass made by make_server

    # --- plumbing ---------------------------------------------------------------------------

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's name
        if getattr(self.server, "verbose", False):
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")

    def _send(self, answer: Answer, *, head_only: bool = False, extra: dict[str, str] | None = None) -> None:
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.media_type)
        self.send_header("Content-Length", str(len(answer.body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Vary", "Accept")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if not head_only:
            self.wfile.write(answer.body)

    def _html(self, template: str, status: int = 200, **context) -> None:
        body = self.site.env.get_template(template).render(**context).encode("utf-8")
        self._send(Answer(status, "text/html; charset=utf-8", body))

    def do_OPTIONS(self) -> None:  # noqa: N802 - the stdlib's name
        self.send_response(HTTPStatus.NO_CONTENT)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
        self.send_header("Access-Control-Max-Age", "86400")
        self.end_headers()

    def do_GET(self) -> None:  # noqa: N802
        url = urllib.parse.urlsplit(self.path)
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        self._safely(url.path, params, "GET")

    def _safely(self, path: str, params: dict[str, list[str]], method: str) -> None:
        try:
            self._route(path, params, method=method)
        except (KgError, ValueError) as err:
            self._send(Answer.error(400, str(err).splitlines()[0] if str(err) else type(err).__name__))

    def do_POST(self) -> None:  # noqa: N802
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._send(Answer.error(413, f"request body over {MAX_BODY} bytes"))
            return
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        if media == "application/x-www-form-urlencoded":
            for key, values in urllib.parse.parse_qs(body, keep_blank_values=True).items():
                params.setdefault(key, []).extend(values)
        elif media == "application/sparql-query":
            params["query"] = [body]
        elif media == "application/sparql-update":
            params["update"] = [body]
        self._safely(url.path, params, "POST")

    def _route(self, path: str, params: dict[str, list[str]], *, method: str) -> None:
        if path == "/sparql":
            self._sparql(params)
        elif path.startswith("/id/"):
            self._entity(path, params)
        elif path == "/view":
            self._view(params)
        elif path in ("/", "/index.html"):
            self._query_page(params)
        else:
            self._send(Answer.error(404, f"nothing at {path}; see / for the query page, /sparql for the endpoint"))

    # --- the SPARQL 1.1 Protocol ------------------------------------------------------------

    def _sparql(self, params: dict[str, list[str]]) -> None:
        if "update" in params:
            self._send(Answer.error(403, "this endpoint is read-only: SPARQL Update is refused"))
            return
        queries = params.get("query", [])
        if not queries:
            self._send(service_description(self.site.public_base, self.headers.get("Accept", "")))
            return
        if len(queries) > 1:
            self._send(Answer.error(400, "give one query parameter, not several"))
            return
        if params.get("default-graph-uri") or params.get("named-graph-uri"):
            self._send(Answer.error(400, "default-graph-uri and named-graph-uri are not supported: "
                                         "the default graph is the union of all graphs"))
            return
        self._send(self.site.executor.run(queries[0], self.headers.get("Accept", "")))

    # --- pages --------------------------------------------------------------------------------

    def _query_page(self, params: dict[str, list[str]]) -> None:
        known = catalogue(self.site.queries_dir)
        examples = [(name, q.question or name) for name, q in sorted(known.items())]
        chosen = (params.get("example") or [""])[0]
        query = (params.get("query") or [""])[0]
        if params.get("load") and chosen in known:
            query = known[chosen].text
            self._html("query.html", examples=examples, chosen=chosen, query=query, columns=None, rows=[],
                       error=None, boolean=None)
            return
        columns, rows, error, boolean, status = None, [], None, None, 200
        if query.strip():
            answer = self.site.executor.run(query, "application/sparql-results+json, application/n-triples")
            if answer.status != 200:
                error, status = answer.body.decode("utf-8", errors="replace").strip(), answer.status
            elif answer.media_type.startswith("application/sparql-results+json"):
                data = json.loads(answer.body)
                if "boolean" in data:
                    boolean = data["boolean"]
                else:
                    columns = data["head"]["vars"]
                    rows = [[_cell(b.get(c)) for c in columns] for b in data["results"]["bindings"]]
            else:
                columns = ["subject", "predicate", "object"]
                rows = [[_cell_term(t.subject), _cell_term(t.predicate), _cell_term(t.object)]
                        for t in ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES)]
        self._html("query.html", status, examples=examples, chosen=chosen, query=query, columns=columns,
                   rows=rows, error=error, boolean=boolean)

    def _entity(self, path: str, params: dict[str, list[str]]) -> None:
        from kg.entities import ID_PROPERTIES, card, exists
        from kg.query import bind, internal_query

        iri = INSTANCE + urllib.parse.unquote(path[len("/id/"):])
        try:
            node = ox.NamedNode(iri)  # refuses anything that is not an IRI (spaces, <, >, quotes)
        except ValueError:
            self._send(Answer.error(404, "not an entity IRI"))
            return
        if not exists(self.site.store, iri):
            self._send(Answer.error(404, f"no statement about {iri}"))
            return
        wanted = ENTITY_FORMATS.get((params.get("format") or [""])[0])
        media = wanted or negotiate(self.headers.get("Accept", ""), {HTML: 1, **GRAPH_TYPES}, HTML)
        if media is None:
            self._send(Answer.error(406, "ask for text/html, text/turtle, application/ld+json or "
                                         "application/n-triples"))
            return
        if media != HTML:
            triples = sorted(self.site.store.query(bind(internal_query("entity_describe"), {"entity": node})),
                             key=str)
            fmt = GRAPH_TYPES[media]
            if fmt is ox.RdfFormat.TURTLE:
                body = ox.serialize(triples, format=fmt, prefixes=dict(PREFIXES))
            else:
                body = ox.serialize(triples, format=fmt)
            self._send(Answer(200, with_charset(media), body))
            return
        entity = card(self.site.store, iri)
        names = {v: k for k, v in ID_PROPERTIES.items()}
        links = {}
        for name, value in entity.identifiers.items():
            if names.get(name, "").endswith("hasWikidataId"):
                links[name] = f"https://www.wikidata.org/wiki/{value}"
            elif names.get(name, "").endswith("hasGeonamesId"):
                links[name] = f"https://www.geonames.org/{value}"
        self._html("entity.html", card=entity, links=links, local=local_path)

    def _view(self, params: dict[str, list[str]]) -> None:
        from kg.network import Scope, to_networkx, triples_from_results
        from kg.views_html import render

        lang = (params.get("lang") or ["en"])[0][:8]
        focus = (params.get("focus") or [""])[0]
        query = (params.get("query") or [""])[0]
        if focus:
            if not focus.startswith(INSTANCE):
                raise KgError("focus must be one of this graph's entity IRIs")
            graph = to_networkx(self.site.store, Scope(focus=focus, hops=min(int((params.get("hops") or ["1"])[0]), 3)),
                                lang=lang)
            title = f"Around {compact(focus)}"
        elif query:
            answer = self.site.executor.run(query, "application/n-triples, application/sparql-results+json")
            if answer.status != 200:
                self._send(answer)
                return
            triples = triples_from_results(answer.body, answer.media_type)
            graph = to_networkx(self.site.store, Scope(), triples=triples, lang=lang)
            title = "Network of a query's statements"
        else:
            raise KgError("give focus=IRI or query=SPARQL")
        if graph.number_of_nodes() == 0:
            self._send(Answer.error(404, "nothing to draw: the query returned no statements between entities"))
            return
        self._send(Answer(200, "text/html; charset=utf-8", render(graph, title=title, lang=lang).encode("utf-8")))


def _cell(binding: dict | None) -> dict:
    if binding is None:
        return {"text": "", "href": None}
    if binding["type"] == "uri":
        return {"text": compact(binding["value"]), "href": local_path(binding["value"])}
    return {"text": binding["value"], "href": None}


def _cell_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"text": compact(term.value), "href": local_path(term.value)}
    return {"text": term.value if hasattr(term, "value") else str(term), "href": None}


def service_description(base: str, accept: str) -> Answer:
    """The SPARQL 1.1 Service Description of this endpoint."""
    endpoint = base.rstrip("/") + "/sparql"
    sd = "http://www.w3.org/ns/sparql-service-description#"
    node = ox.NamedNode(endpoint)
    service = ox.NamedNode(endpoint + "#service")
    triples = [
        ox.Triple(service, ox.NamedNode(PREFIXES["rdf"] + "type"), ox.NamedNode(sd + "Service")),
        ox.Triple(service, ox.NamedNode(sd + "endpoint"), node),
        ox.Triple(service, ox.NamedNode(sd + "supportedLanguage"), ox.NamedNode(sd + "SPARQL11Query")),
        ox.Triple(service, ox.NamedNode(sd + "feature"), ox.NamedNode(sd + "UnionDefaultGraph")),
        ox.Triple(service, ox.NamedNode(PREFIXES["dct"] + "description"),
                  ox.Literal("Read-only SPARQL 1.1 endpoint of the Post-Soviet Conflicts Knowledge Graph; "
                             "the default graph is the union of all named graphs.", language="en")),
        ox.Triple(service, ox.NamedNode(sd + "defaultDataset"), ox.NamedNode(BASE + "dataset")),
    ]
    for media in ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                  "text/tab-separated-values", "text/turtle", "application/n-triples", "application/ld+json"):
        triples.append(ox.Triple(service, ox.NamedNode(sd + "resultFormat"),
                                 ox.NamedNode(f"http://www.w3.org/ns/formats/{_FORMAT_NAMES[media]}")))
    media = negotiate(accept, GRAPH_TYPES, "text/turtle") or "text/turtle"
    return Answer(200, with_charset(media),
                  ox.serialize(triples, format=GRAPH_TYPES[media]))


_FORMAT_NAMES = {
    "application/sparql-results+json": "SPARQL_Results_JSON", "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV", "text/tab-separated-values": "SPARQL_Results_TSV", "text/turtle": "Turtle",
    "application/n-triples": "N-Triples", "application/ld+json": "JSON-LD",
}


def make_server(store_path: Path, queries_dir: Path, *, host: str = "127.0.0.1", port: int = 8000,
                timeout: float = 30.0, row_limit: int = 100_000, workers: int = 2,
                verbose: bool = False) -> ThreadingHTTPServer:
    """A ready server (call ``serve_forever``); close it with :func:`close_server`."""
    store = OxigraphStore(store_path, read_only=True)
    executor = QueryExecutor(store_path, workers=workers, timeout=timeout, row_limit=row_limit)
    try:
        server = ThreadingHTTPServer((host, port), type("BoundHandler", (Handler,), {}))
    except OSError as err:
        executor.close()
        store.close()
        raise KgError(f"cannot listen on {host}:{port}: {err.strerror}") from None
    public = f"http://{host}:{server.server_address[1]}"
    server.RequestHandlerClass.site = Site(store=store, executor=executor, queries_dir=queries_dir, public_base=public)
    server.verbose = verbose
    server.daemon_threads = True
    return server


def close_server(server: ThreadingHTTPServer) -> None:
    site = server.RequestHandlerClass.site
    server.server_close()
    site.executor.close()
    site.store.close()
