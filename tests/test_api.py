"""The library as a notebook uses it (kg.open and its methods): every behaviour the CLI tests
check, at the library level, without click."""

from __future__ import annotations

import json
import re
from pathlib import Path

import networkx as nx
import pytest

import kg
from kg.api import KnowledgeGraph, Rows
from kg.build import read_manifest
from kg.errors import KgError

from .conftest import ROOT

FIXTURES = Path(__file__).parent / "fixtures"
ID = "https://w3id.org/pskg/id/"


@pytest.fixture
def g(project):
    with KnowledgeGraph(project) as graph:
        yield graph


def test_the_package_face_lists_its_api():
    assert set(kg.__all__) >= {"open", "KnowledgeGraph", "Rows", "View", "KgError", "__version__"}
    assert kg.open is kg.api.open and kg.KgError is KgError


def test_open_finds_the_project_and_answers(project):
    with kg.open(project.root, store_dir=project.store_dir) as graph:
        assert graph.project.root == ROOT
        assert graph.search("Schaparov")[0].iri == ID + "person/sadyr-japarov"


def test_search_and_show(g):
    assert [m.label for m in g.search("Душанбе", limit=1)] == ["Dushanbe"]
    card = g.show("Sadyr Japarov")
    assert card.iri == ID + "person/sadyr-japarov" and card.label == "Sadyr Japarov"
    claims = g.show("kyrgyzstan-tajikistan-clashes-2022").claims
    assert claims and all(c.grade in ("A", "B", "C", "D", "E", "F", "") for c in claims)
    assert any(c.grade in ("A", "B", "C") for c in claims)
    with pytest.raises(KgError, match="unknown entity 'no such thing at all'"):
        g.show("no such thing at all")


def test_query_gives_rows_of_python_values(g):
    rows = g.query("casualty-claims")
    assert isinstance(rows, Rows) and rows.columns[:3] == ["value", "measure", "side"]
    first = rows[0]
    assert isinstance(first["value"], int) and first["measure"] == "people killed"
    # parameters by name, an entity by any of its names
    kazakh = g.query("casualty-claims", conflict="2022 Kazakh unrest", min_grade="C")
    assert kazakh and {r["grade"] for r in kazakh} <= {"A", "B", "C"}
    assert 225 in {r["value"] for r in kazakh}
    assert g.query("ASK { ?s ?p ?o }") is True
    triples = g.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3")
    assert len(triples) == 3
    text = g.query("SELECT (COUNT(*) AS ?n) WHERE { ?c a <https://w3id.org/pskg/ontology#Conflict> }")
    assert text[0]["n"] >= 42
    with pytest.raises(KgError, match="unknown parameter 'nope'"):
        g.query("casualty-claims", nope="x")
    with pytest.raises(KgError, match="SERVICE is not run"):
        g.query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")


def test_rows_to_dataframe_needs_pandas(g):
    rows = g.query("casualty-claims")
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(KgError, match="pip install pandas"):
            rows.to_dataframe()
    else:
        frame = rows.to_dataframe()
        assert list(frame.columns) == rows.columns and len(frame) == len(rows)


def test_scope_is_checked_in_the_library(g):
    with pytest.raises(KgError, match="choose one scope: focus and conflict"):
        g.scope(focus="Batken", conflict="2022 Kazakh unrest")
    with pytest.raises(KgError, match="hops counts steps from focus"):
        g.scope(hops=2)
    with pytest.raises(KgError, match="since 2022-09-20 is after until 2022-09-01"):
        g.scope(since="2022-09-20", until="2022-09-01")
    with pytest.raises(KgError, match="not a date"):
        g.scope(since="20220901")
    scope = g.scope(focus="Batken", hops=2)
    assert scope.focus == ID + "place/batken" and scope.hops == 2


def test_view_writes_html_and_converts_to_pyvis(g, tmp_path):
    view = g.view(focus="Sadyr Japarov", hops=1)
    assert isinstance(view.graph, nx.MultiDiGraph) and ID + "person/sadyr-japarov" in view.graph
    info = view.write(tmp_path / "japarov.html")
    assert info.nodes == view.graph.number_of_nodes() and info.path.is_file()
    net = view.to_pyvis()
    assert len(net.nodes) == view.graph.number_of_nodes() and len(net.edges) == view.graph.number_of_edges()
    japarov = next(n for n in net.nodes if n["title"].startswith("Sadyr Japarov\n"))
    assert japarov["shape"] == "dot" and japarov["color"] == "#e15759"  # a person, as kg view draws one
    assert {e["arrows"] for e in net.edges} == {"to"} and all(e["label"] for e in net.edges)
    html = net.generate_html()
    assert "Sadyr Japarov" in html  # pyvis's own page loads its scripts from CDNs; View.write works offline


def test_pyvis_conversion_escapes_what_reaches_html(g):
    view = g.view(focus="Batken", hops=1)
    node = next(iter(view.graph.nodes))
    view.graph.nodes[node]["label"] = "</script><script>alert(1)</script>"
    html = view.to_pyvis().generate_html()
    assert "<script>alert(1)</script>" not in html


def test_ontology_view_takes_no_scope(g):
    assert g.view(ontology=True).graph.number_of_nodes() > 20
    with pytest.raises(KgError, match="takes no focus"):
        g.view(ontology=True, focus="Batken")


def test_path_and_its_view(g):
    chains = g.path("Putin", "Batken", limit=2)
    assert 1 <= len(chains) <= 2
    for chain in chains:
        ends = {n for step in chain for n in (step.subject, step.object)}
        assert {ID + "person/vladimir-putin", ID + "place/batken"} <= ends
    assert chains.view().graph.number_of_nodes() >= 2
    with pytest.raises(KgError, match="same entity"):
        g.path("Sadyr Japarov", "Japarov")


def test_rank_leaves_sources_out_of_the_whole_graph(g):
    ranked = g.rank(by="degree", limit=30)
    assert ranked and "source" not in {r.kind for r in ranked}
    with_sources = g.rank(by="degree", limit=30, sources=True)
    assert "source" in {r.kind for r in with_sources}
    people = g.rank(kinds=["person"], limit=5)
    assert {r.kind for r in people} == {"person"}
    with pytest.raises(KgError, match="not a kind"):
        g.rank(kinds=["planet"])
    with pytest.raises(KgError, match="by 'fame'"):
        g.rank(by="fame")


def test_export_and_serialize(g, tmp_path):
    written = g.export("nt", tmp_path / "all.nt")
    assert written.bytes == (tmp_path / "all.nt").stat().st_size > 1000 and written.nodes is None
    network = g.export("graphml", tmp_path / "all.graphml")
    assert network.nodes > 100 and nx.read_graphml(tmp_path / "all.graphml").number_of_nodes() == network.nodes
    assert g.serialize("jsonld").lstrip().startswith(b"{")
    with pytest.raises(KgError, match="format 'xml'"):
        g.serialize("xml")


def test_stats_coverage_sources_validate_links(g):
    assert g.stats().triples > 10_000
    coverage = g.coverage()
    assert len(coverage) >= 42 and not [c for c in coverage if c.missing]
    assert g.sources().figures["claims_only_on_copies"] == 0
    assert g.validate().conforms
    columns, rows = g.links()
    assert "entity" in columns[0] and rows
    assert 'pskg:hasGeonamesId "1528735"' in g.links_turtle()  # Batken


def test_import_from_python_is_recorded_like_the_cli_one(scratch_project):
    with KnowledgeGraph(scratch_project) as graph:
        graph.build()
        report = graph.import_file("ucdp-ged", FIXTURES / "ged_sample.csv")
        assert report.rows_imported >= 1 and not report.unchanged
        # recorded in the store's manifest: kg build and kg stats know of it
        manifest = read_manifest(scratch_project)
        assert report.graph in json.dumps(manifest)
        rebuilt = graph.build()
        assert report.graph in rebuilt.graphs
        assert [i["graph"] for i in graph.imports()] == [report.graph]
        assert graph.stats().graphs[report.graph] > 0
        assert graph.remove_imports([report.graph]) == [report.graph]
        assert graph.imports() == []


def test_a_remote_graph_refuses_writes(project):
    remote = KnowledgeGraph(project, store_url="http://127.0.0.1:9/sparql")
    with pytest.raises(KgError, match="changes the embedded store"):
        remote.import_file("ucdp-ged", FIXTURES / "ged_sample.csv")
    with pytest.raises(KgError, match="changes the embedded store"):
        remote.build()


def test_the_readme_notebook_session_runs(project, tmp_path, monkeypatch):
    """The README's "From a notebook" block, run as written (in the project's folder)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## From a notebook\n.*?```python\n(.*?)```", readme, re.S).group(1)
    assert len([line for line in block.splitlines() if line.strip() and not line.startswith("#")]) <= 12
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KG_ROOT", str(project.root))
    monkeypatch.setenv("KG_HOME", str(project.store_dir))
    namespace: dict = {}
    exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102 - the README's own code
    assert (tmp_path / "japarov.html").is_file()
    namespace["g"].close()


def test_import_options_from_python(scratch_project, tmp_path):
    """--strict, --replace, --skipped and re-importing, as the library takes them."""
    ged = FIXTURES / "ged_sample.csv"
    with KnowledgeGraph(scratch_project) as graph:
        graph.build()
        before = graph.stats().triples
        with pytest.raises(KgError, match=r"ged_sample.csv:5: date_start '2022-13-45' is not a date \(--strict"):
            graph.import_file("ucdp-ged", ged, strict=True)
        assert graph.stats().triples == before and graph.imports() == []
        skipped: list[tuple[int, str]] = []
        first = graph.import_file("ucdp-ged", ged, on_skip=lambda line, reason: skipped.append((line, reason)))
        assert [line for line, _ in skipped] == [5, 6] and first.rows_skipped == 2
        assert graph.import_file("ucdp-ged", ged).unchanged
        newer = tmp_path / "ged_sample.csv"
        newer.write_text("".join(ged.read_text(encoding="utf-8").splitlines(keepends=True)[:-1]), encoding="utf-8")
        second = graph.import_file("ucdp-ged", newer, replace=True)
        assert second.replaced == [first.graph] and [i["graph"] for i in graph.imports()] == [second.graph]
        with pytest.raises(KgError, match="unknown dataset 'gdelt'"):
            graph.import_file("gdelt", ged)
