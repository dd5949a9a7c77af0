"""A remote SPARQL 1.1 store in the embedded store's place: ``--store URL`` / ``KG_STORE``.

:class:`RemoteStore` speaks the SPARQL 1.1 Protocol (queries by GET, or form POST when
long: some servers hang on ``application/sparql-query`` bodies), SPARQL 1.1 Update (form
POST) and the Graph Store Protocol (PUT a graph as N-Triples) with Basic or Digest
credentials. Results come back as pyoxigraph objects, so every command works unchanged.

The URL names the query endpoint. A scheme prefix picks a known engine's other endpoints:

- ``oxigraph+http://HOST:PORT``: Oxigraph server (``/query``, ``/update``, ``/store``);
- ``virtuoso+http://HOST:PORT``: OpenLink Virtuoso (``/sparql``; updates and the Graph
  Store at ``/sparql-auth`` and ``/sparql-graph-crud-auth`` with Digest credentials);
- a plain ``http(s)://.../sparql``: give the others with ``KG_STORE_UPDATE`` and
  ``KG_STORE_GRAPH_STORE``.

Credentials come from ``KG_STORE_USER`` and ``KG_STORE_PASSWORD``. The store must treat its
default graph as the union of the named graphs (Virtuoso does; start Oxigraph server with
``--union-default-graph``), as the embedded store does for every query.
"""

from __future__ import annotations

import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from kg.errors import KgError
from kg.namespaces import BASE, GRAPH
from kg.sparql_tokens import LexError, keywords
from kg.store import GraphResult

SKOLEM = BASE + ".well-known/genid/"
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
TIMEOUT = 120


def query_form(query: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first such keyword outside strings, IRIs and comments.

    >>> query_form('PREFIX s: <http://x/SELECT#> # ASK\\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p "SELECT" }')
    'CONSTRUCT'
    """
    try:
        form = next((k for k in keywords(query) if k in _FORMS), None)
    except LexError as err:
        raise KgError(f"SPARQL syntax error: {err}") from None
    if form is None:
        raise KgError("not a SPARQL query (no SELECT, ASK, CONSTRUCT or DESCRIBE)")
    return form


@dataclass(frozen=True)
class Endpoints:
    query: str
    update: str | None
    graph_store: str | None
    graph_param: str = "graph"  # Virtuoso's Graph Store names it graph-uri


def endpoints_for(url: str) -> Endpoints:
    """The query, update and Graph Store URLs for a ``--store`` URL.

    >>> endpoints_for("oxigraph+http://127.0.0.1:7878").update
    'http://127.0.0.1:7878/update'
    >>> endpoints_for("virtuoso+http://127.0.0.1:8890").graph_store
    'http://127.0.0.1:8890/sparql-graph-crud-auth'
    """
    engine, _, rest = url.partition("+") if re.match(r"^\w+\+https?://", url) else ("", "", url)
    if not rest.startswith(("http://", "https://")):
        raise KgError(f"--store {url!r}: expected an http(s) URL, optionally prefixed oxigraph+ or virtuoso+")
    root = rest.rstrip("/")
    if engine == "oxigraph":
        return Endpoints(root + "/query", root + "/update", root + "/store")
    if engine == "virtuoso":
        base = root.removesuffix("/sparql")
        return Endpoints(base + "/sparql", base + "/sparql-auth", base + "/sparql-graph-crud-auth", "graph-uri")
    if engine:
        raise KgError(f"--store {url!r}: unknown engine {engine!r} (oxigraph or virtuoso, or a plain URL)")
    return Endpoints(root, os.environ.get("KG_STORE_UPDATE"), os.environ.get("KG_STORE_GRAPH_STORE"))


class RemoteStore:
    """The :class:`kg.store.Store` interface over HTTP (see the module's docstring)."""

    read_only = False
    path = None

    def __init__(self, url: str, *, user: str | None = None, password: str | None = None) -> None:
        self.url = url
        self.endpoints = endpoints_for(url)
        user = user if user is not None else os.environ.get("KG_STORE_USER")
        password = password if password is not None else os.environ.get("KG_STORE_PASSWORD")
        handlers: list[urllib.request.BaseHandler] = []
        self._digest: urllib.request.HTTPDigestAuthHandler | None = None
        if user:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for target in (self.endpoints.update, self.endpoints.graph_store, self.endpoints.query):
                if target:
                    passwords.add_password(None, target, user, password or "")
            self._digest = urllib.request.HTTPDigestAuthHandler(passwords)
            handlers += [self._digest, urllib.request.HTTPBasicAuthHandler(passwords)]
        self._opener = urllib.request.build_opener(*handlers)

    # --- HTTP ---------------------------------------------------------------------------------

    def _request(self, url: str, *, data: bytes | None = None, method: str | None = None,
                 headers: dict[str, str] | None = None) -> bytes:
        request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
        if data and len(data) > 65536 and self._digest is not None:
            self._authorise_first(request)
        try:
            with self._opener.open(request, timeout=TIMEOUT) as response:
                return response.read()
        except urllib.error.HTTPError as err:
            detail = err.read().decode("utf-8", errors="replace").strip().splitlines()
            raise KgError(f"{self.url}: HTTP {err.code} from {url.split('?')[0]}"
                          + (f": {detail[0][:300]}" if detail else "")) from None
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise KgError(f"{self.url}: cannot reach the store ({reason})") from None

    def _authorise_first(self, request: urllib.request.Request) -> None:
        """Answer a Digest challenge before sending a large body.

        urllib sends a request without credentials and answers the 401 by sending it again.
        With a body of megabytes, Virtuoso answers 401 and closes the connection while the body
        is still being written: the client sees a broken pipe, not the challenge. So a request
        without a body fetches the challenge first, and the large one goes out authorised.
        """
        probe = urllib.request.Request(request.full_url, method="GET")
        challenge = None
        try:
            with urllib.request.urlopen(probe, timeout=TIMEOUT):
                return  # no authentication asked for
        except urllib.error.HTTPError as err:
            header = err.headers.get("WWW-Authenticate", "") if err.code == 401 else ""
            if header.lower().startswith("digest "):
                challenge = urllib.request.parse_keqv_list(urllib.request.parse_http_list(header[7:]))
        except (urllib.error.URLError, OSError):
            return  # the request itself will report it
        if challenge:
            authorization = self._digest.get_authorization(request, challenge)
            if authorization:
                request.add_unredirected_header("Authorization", f"Digest {authorization}")

    def query(self, sparql: str):
        form = query_form(sparql)
        accept = "application/n-triples" if form in ("CONSTRUCT", "DESCRIBE") else "application/sparql-results+json"
        encoded = urllib.parse.urlencode({"query": sparql})
        headers = {"Accept": accept}
        if len(encoded) < 4000:
            body = self._request(f"{self.endpoints.query}?{encoded}", headers=headers)
        else:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = self._request(self.endpoints.query, data=encoded.encode(), headers=headers)
        try:
            if accept == "application/n-triples":
                return GraphResult(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
            return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        except SyntaxError as err:
            raise KgError(f"{self.url}: the store's answer is not {accept}: {str(err).splitlines()[0]}") from None

    def update(self, sparql: str) -> None:
        if not self.endpoints.update:
            raise KgError(f"{self.url}: no update endpoint (set KG_STORE_UPDATE, or use oxigraph+ or virtuoso+)")
        self._request(self.endpoints.update, data=urllib.parse.urlencode({"update": sparql}).encode(),
                      headers={"Content-Type": "application/x-www-form-urlencoded"})

    # --- the Store interface ------------------------------------------------------------------

    def graphs(self) -> list[str]:
        rows = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(r["g"].value for r in rows if r["g"].value.startswith(GRAPH))

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        for name in [graph] if graph else self.graphs():
            node = ox.NamedNode(name)
            for triple in self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {node} {{ ?s ?p ?o }} }}"):
                yield ox.Quad(triple.subject, triple.predicate, triple.object, node)

    def clear_graph(self, graph: str) -> None:
        self.update(f"DROP SILENT GRAPH {ox.NamedNode(graph)}")

    def load(self, quads: Iterable[ox.Quad]) -> None:
        by_graph: dict[str, list[ox.Triple]] = {}
        for quad in quads:
            if not isinstance(quad.graph_name, ox.NamedNode):
                raise KgError("only named graphs can be uploaded: every statement needs its graph")
            by_graph.setdefault(quad.graph_name.value, []).append(skolemise(quad.triple))
        for graph, triples in by_graph.items():
            self.put_graph(graph, triples)

    def put_graph(self, graph: str, triples: list[ox.Triple]) -> None:
        """Replace one named graph with these triples (Graph Store Protocol PUT)."""
        if not self.endpoints.graph_store:
            raise KgError(f"{self.url}: no Graph Store endpoint (set KG_STORE_GRAPH_STORE, or use oxigraph+ or "
                          "virtuoso+)")
        data = ox.serialize([skolemise(t) for t in triples], format=ox.RdfFormat.N_TRIPLES)
        target = f"{self.endpoints.graph_store}?{urllib.parse.urlencode({self.endpoints.graph_param: graph})}"
        self._request(target, data=data, method="PUT", headers={"Content-Type": "application/n-triples"})

    def close(self) -> None:
        pass

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def skolemise(triple: ox.Triple) -> ox.Triple:
    """Blank nodes become IRIs under /.well-known/genid/, so that a remote store keeps them apart.

    >>> skolemise(ox.Triple(ox.BlankNode("b1"), ox.NamedNode("http://x/p"), ox.Literal("o"))).subject.value
    'https://w3id.org/pskg/.well-known/genid/b1'
    """
    def fix(term):
        return ox.NamedNode(SKOLEM + term.value) if isinstance(term, ox.BlankNode) else term

    if isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode):
        return ox.Triple(fix(triple.subject), triple.predicate, fix(triple.object))
    return triple


def push(local, remote: RemoteStore, *, graphs: list[str] | None = None) -> dict[str, int]:
    """Upload every named graph of the local store (or those given), each replacing its copy."""
    counts = {}
    for graph in graphs or local.graphs():
        triples = [q.triple for q in local.quads(graph)]
        remote.put_graph(graph, triples)
        counts[graph] = len(triples)
    return counts
