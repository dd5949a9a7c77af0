"""`kg serve` driven by real clients: SPARQLWrapper, rdflib's SPARQLStore, plain HTTP, and
the pages in the headless browser."""

from __future__ import annotations

import csv
import io
import json
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
import rdflib

SELECT_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/pskg/ontology#Conflict> }"


def _get(url: str, accept: str = "*/*") -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def _post(url: str, data: bytes, content_type: str, accept: str = "*/*") -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, data=data, headers={"Content-Type": content_type, "Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def _conflicts(store) -> int:
    return int(next(iter(store.query(SELECT_COUNT)))["n"].value)


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_sparqlwrapper_gets_select_results_in_every_format(endpoint, store, fmt):
    from SPARQLWrapper import CSV, JSON, TSV, XML, SPARQLWrapper

    client = SPARQLWrapper(endpoint + "/sparql")
    client.setQuery(SELECT_COUNT)
    client.setReturnFormat({"json": JSON, "xml": XML, "csv": CSV, "tsv": TSV}[fmt])
    result = client.query().convert()
    expected = _conflicts(store)
    if fmt == "json":
        assert int(result["results"]["bindings"][0]["n"]["value"]) == expected
    elif fmt == "xml":
        assert result.getElementsByTagName("literal")[0].firstChild.data == str(expected)
    elif fmt == "csv":
        assert list(csv.reader(io.StringIO(result.decode()))) == [["n"], [str(expected)]]
    else:
        lines = result.decode().strip().splitlines()
        assert lines[0] == "?n" and lines[1].startswith(f'"{expected}"') or lines[1] == str(expected)


@pytest.mark.parametrize("fmt, media", [("turtle", "text/turtle"), ("nt", "application/n-triples"),
                                        ("json-ld", "application/ld+json")])
def test_construct_comes_as_turtle_ntriples_and_jsonld(endpoint, fmt, media):
    query = ("CONSTRUCT { ?c <http://www.w3.org/2004/02/skos/core#prefLabel> ?l } WHERE { "
             "?c a <https://w3id.org/pskg/ontology#Conflict> ; <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }")
    status, headers, body = _get(endpoint + "/sparql?" + urllib.parse.urlencode({"query": query}), media)
    assert status == 200 and headers["Content-Type"].startswith(media)
    graph = rdflib.Graph().parse(data=body.decode(), format=fmt)
    labels = {str(o) for o in graph.objects()}
    assert "First Chechen War" in labels and "Первая чеченская война" in labels


def test_ask_post_direct_and_form(endpoint):
    status, _, body = _post(endpoint + "/sparql", b"ASK { ?s ?p ?o }", "application/sparql-query",
                            "application/sparql-results+json")
    assert status == 200 and json.loads(body)["boolean"] is True
    status, _, body = _post(endpoint + "/sparql", urllib.parse.urlencode({"query": SELECT_COUNT}).encode(),
                            "application/x-www-form-urlencoded", "text/csv")
    assert status == 200 and body.decode().splitlines()[0] == "n"


def test_rdflib_sparqlstore_reads_through_the_endpoint(endpoint, store):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    remote = rdflib.Graph(SPARQLStore(endpoint + "/sparql", returnFormat="json"))
    rows = list(remote.query(SELECT_COUNT))
    assert int(rows[0][0]) == _conflicts(store)


def test_updates_and_service_are_refused(endpoint):
    status, _, body = _post(endpoint + "/sparql", b"update=DELETE+WHERE+%7B%3Fs+%3Fp+%3Fo%7D",
                            "application/x-www-form-urlencoded")
    assert status == 403 and b"read-only" in body
    status, _, _ = _post(endpoint + "/sparql", b"DROP ALL", "application/sparql-update")
    assert status == 403
    service = "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
    status, _, body = _get(endpoint + "/sparql?" + urllib.parse.urlencode({"query": service}))
    assert status == 403 and b"SERVICE is refused" in body


def test_a_runaway_query_is_stopped_and_the_endpoint_goes_on(endpoint):
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    started = time.monotonic()
    status, _, body = _get(endpoint + "/sparql?" + urllib.parse.urlencode({"query": runaway}))
    assert status == 503 and b"time limit of 2 s" in body
    assert time.monotonic() - started < 10
    status, _, _ = _get(endpoint + "/sparql?" + urllib.parse.urlencode({"query": SELECT_COUNT}))
    assert status == 200


def test_row_limit_and_bad_queries_are_clear_errors(endpoint):
    status, _, body = _get(endpoint + "/sparql?" + urllib.parse.urlencode({"query": "SELECT * { ?s ?p ?o }"}))
    assert status == 413 and b"more than 5000 rows" in body
    status, _, body = _get(endpoint + "/sparql?" + urllib.parse.urlencode({"query": "SELEKT nothing"}))
    assert status == 400 and body.startswith(b"SPARQL syntax error")
    status, _, _ = _get(endpoint + "/sparql?" + urllib.parse.urlencode({"query": SELECT_COUNT}), "image/png")
    assert status == 406


def test_cors_and_service_description(endpoint):
    request = urllib.request.Request(endpoint + "/sparql", method="OPTIONS")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 204 and response.headers["Access-Control-Allow-Origin"] == "*"
    status, headers, body = _get(endpoint + "/sparql", "text/turtle")
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    graph = rdflib.Graph().parse(data=body.decode(), format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert (None, sd.endpoint, rdflib.URIRef(endpoint + "/sparql")) in graph


def test_entity_iris_negotiate_html_turtle_and_jsonld(endpoint):
    url = endpoint + "/id/person/sadyr-japarov"
    status, headers, body = _get(url, "text/html,application/xhtml+xml;q=0.9")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    page = body.decode()
    assert "<h1>Sadyr Japarov</h1>" in page and "https://www.wikidata.org/wiki/Q25597826" in page
    status, headers, body = _get(url, "text/turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=body.decode(), format="turtle")
    japarov = rdflib.URIRef("https://w3id.org/pskg/id/person/sadyr-japarov")
    assert (japarov, rdflib.URIRef("https://w3id.org/pskg/ontology#hasWikidataId"), rdflib.Literal("Q25597826")) in graph
    status, _, body = _get(url, "application/ld+json")
    assert status == 200 and rdflib.Graph().parse(data=body.decode(), format="json-ld").value(
        japarov, rdflib.URIRef("https://w3id.org/pskg/ontology#hasWikidataId")) == rdflib.Literal("Q25597826")
    assert _get(endpoint + "/id/person/nobody-at-all")[0] == 404
    assert _get(endpoint + "/id/person/x%3E%20%7D")[0] == 404


def test_query_page_runs_an_example_and_escapes_everything(endpoint):
    status, _, body = _get(endpoint + "/?" + urllib.parse.urlencode({"example": "casualty-claims", "load": "1"}))
    assert status == 200 and b"Which casualty figures" in body and b"PREFIX pskg:" in body
    hostile = 'SELECT ?x WHERE { BIND("<script>alert(1)</script>" AS ?x) }'
    status, _, body = _get(endpoint + "/?" + urllib.parse.urlencode({"query": hostile}))
    page = body.decode()
    assert status == 200 and "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_view_of_a_query_and_of_an_entity(endpoint):
    query = ("SELECT ?s ?p ?o WHERE { ?s <https://w3id.org/pskg/ontology#isPhaseOf> ?o "
             "BIND(<https://w3id.org/pskg/ontology#isPhaseOf> AS ?p) }")
    status, headers, body = _get(endpoint + "/view?" + urllib.parse.urlencode({"query": query}))
    assert status == 200 and b'id="kg-data"' in body and b"First Chechen War" in body
    status, _, body = _get(endpoint + "/view?" + urllib.parse.urlencode(
        {"focus": "https://w3id.org/pskg/id/person/sadyr-japarov"}))
    assert status == 200 and b"Sadyr Japarov" in body
    assert _get(endpoint + "/view?focus=javascript:alert(1)")[0] == 400


def test_pages_in_the_browser_run_offline_and_show_results(endpoint, browser):
    from tests.browser import Page

    page = Page(browser, endpoint + "/?example=office-holders-on-date&load=1", allow=endpoint, wait_settled=False)
    try:
        p = page.page
        p.click("button:has-text('Run')")
        p.wait_for_selector("table tbody tr")
        cells = p.locator("table tbody td").all_text_contents()
        assert "Sadyr Japarov" in cells and "President of Kyrgyzstan" in cells
        p.goto(endpoint + "/id/person/sadyr-japarov")
        assert p.locator("h1").text_content() == "Sadyr Japarov"
        p.click("a:has-text('network')")
        p.wait_for_selector("body[data-settled=true]", state="attached", timeout=60_000)
        assert page.eval("() => kgView.nodes.length") > 5
        assert page.errors == [] and page.outside == []
    finally:
        page.close()
