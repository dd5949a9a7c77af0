"""The network conversion, its scopes, analytics (paths, centrality) and graph-tool exports."""

from __future__ import annotations

import datetime as dt
import random
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

from kg.analytics import GraphFormat, Measure, rank, shortest_paths, write_graph
from kg.errors import KgError
from kg.namespaces import instance_iri
from kg.network import HAS_SOURCE, HOLDS_OFFICE, Scope, ontology_graph, to_networkx
from kg.query import QueryFile
from kg.views_html import script_json, view_data, write_view

JAPAROV = instance_iri("person", "sadyr-japarov")
GUTERRES = instance_iri("person", "antonio-guterres")
BATKEN = instance_iri("place", "batken")
CLASHES = instance_iri("conflict", "kyrgyzstan-tajikistan-clashes-2022")
CEASEFIRE = instance_iri("event", "kyrgyz-tajik-ceasefire-2022-09-16")
SEED = instance_iri("source", "seed-article")


@pytest.fixture(scope="module")
def whole(store):
    return to_networkx(store, Scope(with_sources=False), fold_offices=False)


def test_focus_two_hops_holds_the_clashes_ceasefire_claims_and_sources(store):
    graph = to_networkx(store, Scope(focus=JAPAROV, hops=2))
    assert {JAPAROV, CLASHES, CEASEFIRE, SEED} <= set(graph)
    kinds = nx.get_node_attributes(graph, "kind")
    assert kinds[JAPAROV] == "person" and kinds[CLASHES] == "conflict" and kinds[SEED] == "source"
    claims = {n for n, k in kinds.items() if k == "claim"}
    assert instance_iri("claim", "kg-tj-2022-total-killed-71") in claims
    # every claim drawn comes with its source
    assert all(any(k == HAS_SOURCE for _, _, k in graph.out_edges(c, keys=True)) for c in claims)
    # sources are leaves: nothing is reached through them
    assert instance_iri("place", "south-caucasus") not in graph


def test_node_attributes_carry_names_facts_and_links(store):
    graph = to_networkx(store, Scope(focus=JAPAROV, hops=1), lang="ru")
    data = graph.nodes[JAPAROV]
    assert data["label"] == "Садыр Жапаров" and data["labels"]["en"] == "Sadyr Japarov"
    assert ("Wikidata: Q25597826", "https://www.wikidata.org/wiki/Q25597826") in data["links"]
    claim = to_networkx(store, Scope(focus=CLASHES, hops=1)).nodes[instance_iri("claim", "kg-tj-2022-total-killed-71")]
    assert ("has value", "71") in claim["facts"] and ("reported on", "2022-09-18") in claim["facts"]


def test_language_falls_back_to_english(store):
    graph = to_networkx(store, Scope(focus=CEASEFIRE, hops=1), lang="ky")
    assert graph.nodes[CEASEFIRE]["label"].startswith("Ceasefire agreed by Japarov and Rahmon")


def test_offices_fold_into_holds_office_edges(store):
    graph = to_networkx(store, Scope(focus=JAPAROV, hops=1))
    edges = [(o, d) for _, o, k, d in graph.out_edges(JAPAROV, keys=True, data=True) if k == HOLDS_OFFICE]
    assert edges == [(instance_iri("office", "president-of-kyrgyzstan"),
                      {"property": HOLDS_OFFICE, "label": "holds office", "dates": {"startDate": "2021-01-28"},
                       "folded": instance_iri("holding", "sadyr-japarov-president-of-kyrgyzstan-2021")})]
    assert not any(k == "office" and "holding/" in n for n, k in graph.nodes(data="kind"))


def test_conflict_scope_takes_phases_events_and_claims(store):
    graph = to_networkx(store, Scope(conflict=instance_iri("conflict", "kyrgyzstan-tajikistan-border-conflict")))
    assert {CLASHES, CEASEFIRE, instance_iri("conflict", "kyrgyzstan-tajikistan-clashes-2021"),
            instance_iri("claim", "kg-tj-2021-kyrgyz-killed-36")} <= set(graph)
    assert instance_iri("conflict", "russian-invasion-of-ukraine-2022") not in graph


def test_since_until_keeps_events_in_range(store):
    scope = Scope(conflict=CLASHES, since=dt.date(2022, 9, 17), until=dt.date(2022, 9, 18))
    graph = to_networkx(store, scope)
    events = {n for n, k in graph.nodes(data="kind") if k == "event"}
    assert instance_iri("event", "putin-japarov-phone-call-2022-09-18") in events
    assert CEASEFIRE not in events  # 16 September
    assert instance_iri("event", "guterres-japarov-meeting-2022-09-20") not in events


def test_query_scope_select_and_construct(store, tmp_path):
    select = QueryFile.parse("q", "PREFIX pskg: <https://w3id.org/pskg/ontology#>\n"
                                  "SELECT ?s ?p ?o WHERE { ?s pskg:isPhaseOf ?o BIND(pskg:isPhaseOf AS ?p) }")
    construct = QueryFile.parse("q", "PREFIX pskg: <https://w3id.org/pskg/ontology#>\n"
                                     "CONSTRUCT { ?s pskg:isPhaseOf ?o } WHERE { ?s pskg:isPhaseOf ?o }")
    a, b = to_networkx(store, Scope(query=select)), to_networkx(store, Scope(query=construct))
    assert set(a.edges(keys=True)) == set(b.edges(keys=True))
    assert (CLASHES, instance_iri("conflict", "kyrgyzstan-tajikistan-border-conflict"),
            "https://w3id.org/pskg/ontology#isPhaseOf") in set(a.edges(keys=True))
    with pytest.raises(KgError, match=r"must return \?s \?p \?o"):
        to_networkx(store, Scope(query=QueryFile.parse("q", "SELECT ?x WHERE { ?x ?y ?z } LIMIT 1")))


def test_unknown_focus_is_an_error(store):
    with pytest.raises(KgError, match="person:nobody: no such entity"):
        to_networkx(store, Scope(focus=instance_iri("person", "nobody")))


def test_path_links_guterres_to_batken_through_the_meeting_and_the_clashes(whole):
    chains = shortest_paths(whole, GUTERRES, BATKEN, limit=5)
    assert chains and all(len(chain) == 3 for chain in chains)
    passed = [{n for step in chain for n in (step.subject, step.object)} for chain in chains]
    assert any(instance_iri("event", "guterres-japarov-meeting-2022-09-20") in p and CLASHES in p for p in passed)
    assert str(chains[0][-1]) == "September 2022 Kyrgyzstan–Tajikistan clashes —has place→ Batken"


def test_rank_puts_the_clashes_first_by_betweenness(store, whole):
    border = to_networkx(store, Scope(conflict=instance_iri("conflict", "kyrgyzstan-tajikistan-border-conflict"),
                                      with_sources=False))
    rows = rank(border, by=Measure.BETWEENNESS, limit=5)
    assert rows[0].iri == CLASHES
    assert rows == sorted(rows, key=lambda r: -r.betweenness)
    people = rank(whole, by=Measure.DEGREE, kinds={"person"}, limit=3)
    assert {r.kind for r in people} == {"person"} and len(people) == 3


@pytest.mark.parametrize("fmt", list(GraphFormat))
def test_graphml_and_gexf_round_trip_through_networkx(whole, tmp_path, fmt):
    out = tmp_path / f"g.{fmt}"
    assert write_graph(whole, fmt, out) > 0
    back = nx.read_graphml(out) if fmt is GraphFormat.GRAPHML else nx.read_gexf(out)
    assert back.number_of_nodes() == whole.number_of_nodes()
    assert back.number_of_edges() == whole.number_of_edges()
    ET.parse(out)  # well-formed XML


def test_ontology_graph_draws_classes_and_properties(store):
    graph = to_networkx_ontology = ontology_graph(store)
    onto = "https://w3id.org/pskg/ontology#"
    assert to_networkx_ontology.nodes[onto + "Conflict"]["label"] == "armed conflict"
    assert graph.has_edge(onto + "State", onto + "Organisation")  # subclass of
    assert (onto + "Conflict", onto + "Conflict", onto + "isPhaseOf") in set(graph.edges(keys=True))


def test_script_json_cannot_close_the_script_element():
    text = script_json({"label": "</script><img src=x onerror=alert(1)>&"})
    assert "<" not in text and ">" not in text and "&" not in text


def test_view_data_marks_large_views_and_lays_them_out(tmp_path):
    graph = nx.MultiDiGraph()
    graph.add_nodes_from((f"n{i}", {"kind": "event", "label": f"n{i}"}) for i in range(2000))
    graph.add_edges_from((f"n{i}", f"n{(i * 7) % 2000}", "p", {"label": "p"}) for i in range(2000))
    data = view_data(graph)
    assert data["large"] and all("x" in n and "y" in n for n in data["nodes"])
    info = write_view(graph, tmp_path / "big.html", title="big")
    assert info.large and "Narrow the scope" in info.advice


def test_view_file_is_utf8_whatever_the_locale(kg, tmp_path, monkeypatch):
    monkeypatch.setenv("LC_ALL", "C")
    monkeypatch.setenv("PYTHONIOENCODING", "ascii")
    out = tmp_path / "ru.html"
    result = kg("view", "--focus", "Sadyr Japarov", "--lang", "ru", "--output", str(out))
    assert result.exit_code == 0, result.output
    assert "Садыр Жапаров" in out.read_bytes().decode("utf-8")


def _conflicts_view(conflicts: int = 30, events: int = 60) -> nx.MultiDiGraph:
    """A large view shaped like the graph: conflicts with their events, a claim about each
    event, and a few sources and imported points cited by many."""
    from kg.vocab import PSKG

    graph = nx.MultiDiGraph()
    sources = [f"https://w3id.org/pskg/id/source/s{i}" for i in range(5)]
    graph.add_nodes_from((s, {"kind": "source", "label": f"Report {s[-1]}",
                              "links": [(f"Report {s[-1]}", f"https://example.org/{s[-1]}")]}) for s in sources)
    point = "https://w3id.org/pskg/id/point/40.06_70.8_1"
    graph.add_node(point, kind="other", label="point", facts=[("latitude", "40.06"), ("longitude", "70.8")])
    for c in range(conflicts):
        conflict = f"https://w3id.org/pskg/id/conflict/c{c}"
        graph.add_node(conflict, kind="conflict", label=f"conflict {c}")
        for e in range(events):
            event, claim = f"https://w3id.org/pskg/id/event/c{c}e{e}", f"https://w3id.org/pskg/id/claim/c{c}e{e}"
            graph.add_node(event, kind="event", label=f"event {c}.{e}")
            graph.add_node(claim, kind="claim", label=f"claim {c}.{e}")
            graph.add_edge(event, conflict, PSKG.isPartOfConflict, label="is part of")
            graph.add_edge(claim, event, PSKG.isAbout, label="is about")
            graph.add_edge(claim, sources[(c + e) % 5], PSKG.hasSource, label="has source")
            if e % 10 == 0:
                graph.add_edge(event, f"https://w3id.org/pskg/id/event/c{(c + 1) % conflicts}e{e}", "urn:p",
                               label="follows")
    graph.add_edge("https://w3id.org/pskg/id/event/c0e0", point, "http://www.w3.org/2003/01/geo/wgs84_pos#location",
                   label="location")
    return graph


def test_a_large_view_folds_sources_and_lays_conflicts_out_together():
    from kg.layout import edge_length_ratio

    graph = _conflicts_view()
    data = view_data(graph)
    assert data["large"] and data["folded"] == 6
    kinds = {n["kind"] for n in data["nodes"]}
    assert "source" not in kinds and len(data["nodes"]) == graph.number_of_nodes() - 6
    assert not any(e["label"] in ("has source", "location") for e in data["edges"])
    claim = next(d for d in data["details"] if d["iri"].endswith("/claim/c0e0"))
    assert claim["links"] == [["source: Report 0", "https://example.org/0"]]
    event = next(d for d in data["details"] if d["iri"].endswith("/event/c0e0"))
    assert ["location", "40.06, 70.8"] in event["facts"]
    positions = [(n["x"], n["y"]) for n in data["nodes"]]
    pairs = [(e["from"], e["to"]) for e in data["edges"]]
    assert edge_length_ratio(positions, pairs) < 0.35  # a spiral is near 1
    scattered = random.Random(3)
    assert edge_length_ratio([(scattered.random(), scattered.random()) for _ in positions], pairs) > 0.9
    # each conflict's events sit around it: nearer their own conflict than the others on average
    at = {d["iri"]: p for d, p in zip(data["details"], positions, strict=True)}
    own = other = 0.0
    for c in range(30):
        centre = at[f"https://w3id.org/pskg/id/conflict/c{c}"]
        far = at[f"https://w3id.org/pskg/id/conflict/c{(c + 15) % 30}"]
        for e in range(60):
            x, y = at[f"https://w3id.org/pskg/id/event/c{c}e{e}"]
            own += ((x - centre[0]) ** 2 + (y - centre[1]) ** 2) ** 0.5
            other += ((x - far[0]) ** 2 + (y - far[1]) ** 2) ** 0.5
    assert own < other / 3
    assert view_data(graph)["nodes"] == data["nodes"]  # the same view, the same page


def test_a_small_view_keeps_its_sources_and_lets_the_browser_lay_it_out():
    graph = _conflicts_view(conflicts=3, events=5)
    data = view_data(graph)
    assert not data["large"] and data["folded"] == 0
    assert "source" in {n["kind"] for n in data["nodes"]} and "x" not in data["nodes"][0]


def test_the_layout_packs_small_parts_beside_the_large_one_without_squeezing_it():
    """A force-directed layout of everything at once pushes small parts to a far ring and
    squeezes the large part into a dot; laid out part by part and packed, the large part's
    edges stay about as long as the spacing."""
    from kg.layout import force_layout

    big = [(i, (i + 1) % 400) for i in range(400)] + [(i, (i * 7 + 3) % 400) for i in range(400)]
    pairs = [(400 + 2 * k, 401 + 2 * k) for k in range(150)]
    positions = force_layout(700, big + pairs, spacing=60.0)

    def length(a: int, b: int) -> float:
        return ((positions[a][0] - positions[b][0]) ** 2 + (positions[a][1] - positions[b][1]) ** 2) ** 0.5

    def width(nodes) -> float:
        xs = [positions[n][0] for n in nodes]
        return max(xs) - min(xs)

    # the large part spans most of the drawing (all at once: under a quarter of it)
    assert width(range(400)) > 0.5 * width(range(700))
    assert sum(length(a, b) for a, b in pairs) / len(pairs) < 60 * 1.5  # each pair drawn compact
    assert force_layout(700, big + pairs, spacing=60.0) == positions
