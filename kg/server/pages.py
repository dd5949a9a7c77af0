"""The pages that read the store (entity pages and network views), run in the executor's
worker processes like clients' queries, so that they answer within the same time limit.

Each function takes the worker's open store and the row limit first, then the request's
checked values, and returns an :class:`~kg.server.executor.Answer`.
"""

from __future__ import annotations

import functools
import urllib.parse

import pyoxigraph as ox

from kg.namespaces import INSTANCE, PREFIXES, compact
from kg.server.executor import GRAPH_TYPES, Answer, execute, with_charset
from kg.store import OxigraphStore

HTML = "text/html"


def local_path(iri: str | None) -> str | None:
    """The path under which the server answers for one of the project's instance IRIs."""
    if iri and iri.startswith(INSTANCE):
        return "/id/" + iri[len(INSTANCE):]
    return None


@functools.cache
def templates():
    """The Jinja environment of the pages (autoescaping on)."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("kg", "templates"), autoescape=True)
    env.filters["urlencode"] = lambda value: urllib.parse.quote(str(value), safe="")
    return env


def html(template: str, status: int = 200, **context) -> Answer:
    body = templates().get_template(template).render(**context).encode("utf-8")
    return Answer(status, "text/html; charset=utf-8", body)


def entity(store: OxigraphStore, row_limit: int, iri: str, media: str) -> Answer:
    """An entity's page (``text/html``) or its statements in both directions (an RDF format)."""
    from kg.entities import card, exists
    from kg.identifiers import BY_NAME
    from kg.query import bind, internal_query

    if not exists(store, iri):
        return Answer.error(404, f"no statement about {iri}")
    if media != HTML:
        describe = bind(internal_query("entity_describe"), {"entity": ox.NamedNode(iri)})
        answer = execute(store, describe, media, row_limit)
        if answer.status != 200 or GRAPH_TYPES[media] is not ox.RdfFormat.TURTLE:
            return answer
        triples = sorted(ox.parse(answer.body, format=ox.RdfFormat.TURTLE), key=str)
        return Answer(200, with_charset(media), ox.serialize(triples, format=ox.RdfFormat.TURTLE,
                                                             prefixes=dict(PREFIXES)))
    shown = card(store, iri)
    links = {name: BY_NAME[name].url(value) for name, value in shown.identifiers.items()
             if name in BY_NAME and BY_NAME[name].page}
    return html("entity.html", card=shown, links=links, local=local_path)


def view(store: OxigraphStore, row_limit: int, focus: str, hops: int, query: str, lang: str) -> Answer:
    """The interactive network around an entity (``focus``) or of a query's statements."""
    from kg.network import Scope, to_networkx, triples_from_results
    from kg.views_html import render

    if focus:
        graph = to_networkx(store, Scope(focus=focus, hops=hops), lang=lang)
        title = f"Around {compact(focus)}"
    else:
        answer = execute(store, query, "application/n-triples, application/sparql-results+json", row_limit)
        if answer.status != 200:
            return answer
        triples = triples_from_results(answer.body, answer.media_type)
        graph = to_networkx(store, Scope(), triples=triples, lang=lang)
        title = "Network of a query's statements"
    if graph.number_of_nodes() == 0:
        return Answer.error(404, "nothing to draw: the query returned no statements between entities")
    return Answer(200, "text/html; charset=utf-8", render(graph, title=title, lang=lang).encode("utf-8"))


def reconcile(store: OxigraphStore, row_limit: int, what: str, text: str) -> Answer:
    """A reconciliation request that reads the store (kg.reconciliation): a query batch, data
    extension, entity suggestions, a preview or proposed properties."""
    import json

    from kg.errors import KgError
    from kg.reconciliation import Reconciler

    def as_json(data: object) -> Answer:
        return Answer(200, "application/json", json.dumps(data, ensure_ascii=False).encode("utf-8"))

    try:
        service = Reconciler(store)
        if what in ("queries", "extend"):
            try:
                request = json.loads(text)
            except json.JSONDecodeError as err:
                return Answer.error(400, f"{what} is not JSON: {err}")
            if not isinstance(request, dict):
                return Answer.error(400, f"{what} must be a JSON object")
            if what == "queries":
                if len(request) > 100:
                    return Answer.error(400, "at most 100 queries a batch")
                return as_json(service.batch(request))
            return as_json(service.extend([str(i) for i in request.get("ids", [])],
                                          [str(p.get("id", "")) for p in request.get("properties", [])]))
        if what == "entity":
            return as_json(service.suggest_entities(text))
        if what == "propose":
            return as_json(service.propose(text or None))
        if what == "preview":
            body = service.preview(text).encode("utf-8")
            return Answer(200, "text/html; charset=utf-8", body)
    except KgError as err:
        return Answer.error(400, str(err))
    return Answer.error(404, f"no reconciliation request {what!r}")
