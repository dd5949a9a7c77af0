"""`kg serve`: the SPARQL 1.1 Protocol at /sparql, a query page at /, network views at /view
and dereferenceable entity IRIs at /id/..., on the standard library's HTTP server with a
connection reactor (:mod:`kg.server.connections`).

Read-only: updates get 403, SERVICE gets 403, and every client query, entity page and view
runs in a worker process with a time limit and a row limit (:mod:`kg.server.executor`,
:mod:`kg.server.pages`); this process only parses requests and sends answers. Everything the
pages show from the graph is escaped by Jinja's autoescaping; nothing is fetched from
outside.
"""

from __future__ import annotations

import json
import re
import sys
import urllib.parse
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KgError
from kg.namespaces import BASE, INSTANCE, PREFIXES, compact
from kg.query import catalogue
from kg.server.connections import ReactorServer
from kg.server.executor import GRAPH_TYPES, Answer, QueryExecutor, negotiate, refusal, with_charset
from kg.server.pages import HTML, html, local_path
from kg.storage import open_current

MAX_BODY = 1 << 20  # 1 MiB of query text is plenty
ENTITY_FORMATS = {"ttl": "text/turtle", "jsonld": "application/ld+json", "nt": "application/n-triples"}


HANDLER_THREADS = 64  # requests served at once (the rest queue); silent connections hold none
SOCKET_TIMEOUT = 15.0  # seconds a client may take to send a request (or to read its answer)
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


@dataclass
class Site:
    """What the handlers share: the executor (queries and pages run in its workers), the
    query catalogue, the public base URL and the host names requests may carry."""

    executor: QueryExecutor
    queries_dir: Path
    public_base: str
    hosts: frozenset[str]


class Handler(BaseHTTPRequestHandler):
    server_version = "kg-serve"
    protocol_version = "HTTP/1.0"  # one request per connection: no thread waits on an idle keep-alive
    site: Site  # set on the subclass made by make_server

    # --- plumbing ---------------------------------------------------------------------------

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's name
        if getattr(self.server, "verbose", False):
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")

    head_only = False  # set for a HEAD request: headers as for GET, no body

    def _send(self, answer: Answer, *, extra: dict[str, str] | None = None) -> None:
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.media_type)
        self.send_header("Content-Length", str(len(answer.body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Vary", "Accept")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if not self.head_only:
            self.wfile.write(answer.body)

    def _html(self, template: str, status: int = 200, **context) -> None:
        self._send(html(template, status, **context))

    def do_OPTIONS(self) -> None:  # noqa: N802 - the stdlib's name
        self.send_response(HTTPStatus.NO_CONTENT)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
        self.send_header("Access-Control-Max-Age", "86400")
        self.end_headers()

    def do_HEAD(self) -> None:  # noqa: N802 - the stdlib's name
        self.head_only = True
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        url = urllib.parse.urlsplit(self.path)
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        self._safely(url.path, params, "GET")

    def _safely(self, path: str, params: dict[str, list[str]], method: str) -> None:
        refused = self._refuse_host()
        if refused is not None:
            self._send(refused)
            return
        try:
            self._route(path, params, method=method)
        except (KgError, ValueError) as err:
            self._send(Answer.error(400, str(err).splitlines()[0] if str(err) else type(err).__name__))

    def _refuse_host(self) -> Answer | None:
        """A Host header naming another site (DNS rebinding: a page elsewhere that resolves its
        own name to this loopback server) gets 421; allowed are the names the server listens as.
        A request without one (HTTP/1.0 tools) is answered: browsers always send it."""
        host = (self.headers.get("Host") or "").strip().lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if host and self.site.hosts and name not in self.site.hosts:
            self.close_connection = True
            return Answer.error(421, f"this server does not answer for host {host!r}")
        return None

    def _body(self) -> bytes | None:
        """The request body as its Content-Length frames it; None after answering a bad frame."""
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            self._send(Answer.error(411, "send the body with a Content-Length (chunked encoding is not accepted)"))
            return None
        raw = (self.headers.get("Content-Length") or "0").strip()
        if not (raw.isascii() and raw.isdigit()):
            self.close_connection = True
            self._send(Answer.error(400, f"Content-Length {raw!r} is not a length in bytes"))
            return None
        if int(raw) > MAX_BODY:
            self.close_connection = True
            self._send(Answer.error(413, f"request body over {MAX_BODY} bytes"))
            return None
        return self.rfile.read(int(raw))

    def do_POST(self) -> None:  # noqa: N802
        url = urllib.parse.urlsplit(self.path)
        raw = self._body()
        if raw is None:
            return
        body = raw.decode("utf-8", errors="replace")
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
        elif path == "/reconcile" or path.startswith("/reconcile/"):
            self._reconcile(path, params)
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

    # --- the W3C Reconciliation API 0.2 (OpenRefine) ------------------------------------------

    def _reconcile(self, path: str, params: dict[str, list[str]]) -> None:
        """The manifest, query batches, suggest, preview and data extension: see kg.reconciliation.
        Everything that reads the store runs in a worker under the time limit."""
        from kg.reconciliation import manifest, suggest_properties, suggest_types

        def first(name: str) -> str:
            return (params.get(name) or [""])[0]

        callback = first("callback")
        if callback and not re.fullmatch(r"[A-Za-z_$][\w$.]{0,63}", callback):
            raise KgError("callback must be a JavaScript name")
        if path == "/reconcile" and not params.get("queries") and not params.get("extend"):
            answer = Answer(200, "application/json", json.dumps(manifest(self.site.public_base)).encode())
        elif path == "/reconcile/suggest/type":
            answer = Answer(200, "application/json", json.dumps(suggest_types(first("prefix"))).encode())
        elif path == "/reconcile/suggest/property":
            answer = Answer(200, "application/json", json.dumps(suggest_properties(first("prefix"))).encode())
        elif path == "/reconcile":
            what, text = ("queries", first("queries")) if params.get("queries") else ("extend", first("extend"))
            answer = self.site.executor.call("reconcile", what, text)
        elif path in ("/reconcile/suggest/entity", "/reconcile/preview", "/reconcile/extend/propose"):
            key = {"/reconcile/suggest/entity": "prefix", "/reconcile/preview": "id",
                   "/reconcile/extend/propose": "type"}[path]
            answer = self.site.executor.call("reconcile", path.rsplit("/", 1)[-1], first(key))
        else:
            answer = Answer.error(404, f"nothing at {path}")
        if callback and answer.status == 200 and answer.media_type.startswith("application/json"):
            answer = Answer(200, "application/javascript", callback.encode() + b"(" + answer.body + b");")
        # the preview is shown inside OpenRefine: no script of any kind may run in it
        extra = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"} \
            if path == "/reconcile/preview" else None
        self._send(answer, extra=extra)

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
        iri = INSTANCE + urllib.parse.unquote(path[len("/id/"):])
        try:
            ox.NamedNode(iri)  # refuses anything that is not an IRI (spaces, <, >, quotes)
        except ValueError:
            self._send(Answer.error(404, "not an entity IRI"))
            return
        wanted = ENTITY_FORMATS.get((params.get("format") or [""])[0])
        media = wanted or negotiate(self.headers.get("Accept", ""), {HTML: 1, **GRAPH_TYPES}, HTML)
        if media is None:
            self._send(Answer.error(406, "ask for text/html, text/turtle, application/ld+json or "
                                         "application/n-triples"))
            return
        self._send(self.site.executor.call("entity", iri, media))

    def _view(self, params: dict[str, list[str]]) -> None:
        lang = (params.get("lang") or ["en"])[0][:8]
        focus = (params.get("focus") or [""])[0]
        query = (params.get("query") or [""])[0]
        hops_text = (params.get("hops") or ["1"])[0]
        if focus and not focus.startswith(INSTANCE):
            raise KgError("focus must be one of this graph's entity IRIs")
        if not (hops_text.isascii() and hops_text.isdigit() and 1 <= int(hops_text) <= 3):
            raise KgError(f"hops must be 1, 2 or 3, not {hops_text!r}")
        if not focus and not query:
            raise KgError("give focus=IRI or query=SPARQL")
        refused = None if focus else refusal(query)
        self._send(refused or self.site.executor.call("view", focus, int(hops_text), query, lang))


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


def make_server(store_dir: Path, queries_dir: Path, *, host: str = "127.0.0.1", port: int = 8000,
                timeout: float = 30.0, row_limit: int = 100_000, workers: int = 2, max_workers: int | None = None,
                memory_mib: int = 4096, public_hosts: tuple[str, ...] = (), socket_timeout: float = SOCKET_TIMEOUT,
                verbose: bool = False) -> ReactorServer:
    """A ready server over the store published in ``store_dir`` (call ``serve_forever``);
    close it with :func:`close_server`.

    Requests must name this server in their Host header: on loopback, 127.0.0.1, localhost or
    ::1; on another interface, that address or one of ``public_hosts`` (none checked if
    ``host`` is 0.0.0.0 and no ``public_hosts`` are given).
    """
    opened = open_current(store_dir)  # fails now, in one line, if there is no store or it is damaged
    if opened is None:
        raise KgError(f"{store_dir}: no store has been built here")
    opened.close()
    executor = QueryExecutor(store_dir, workers=workers, max_workers=max_workers, timeout=timeout,
                             row_limit=row_limit, memory_mib=memory_mib)
    try:
        server = ReactorServer((host, port), type("BoundHandler", (Handler,), {}), threads=HANDLER_THREADS,
                               socket_timeout=socket_timeout)
    except OSError as err:
        executor.close()
        raise KgError(f"cannot listen on {host}:{port}: {err.strerror}") from None
    public = f"http://{host}:{server.server_address[1]}"
    names = {h.lower() for h in public_hosts}
    if host in LOOPBACK:
        names.update(LOOPBACK)
    elif host not in ("0.0.0.0", "::", ""):
        names.add(host.lower())
    server.RequestHandlerClass.site = Site(executor=executor, queries_dir=queries_dir, public_base=public,
                                           hosts=frozenset(names))
    server.verbose = verbose
    return server


def close_server(server: ReactorServer) -> None:
    site = server.RequestHandlerClass.site
    server.server_close()
    site.executor.close()
