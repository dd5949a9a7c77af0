"""Building the embedded store: content hash, named graphs, atomic rebuilds."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.build import build, is_current, open_store
from kg.dataset import VOID_GRAPH
from kg.errors import KgError
from kg.namespaces import CURATED_GRAPH, IMPORT_GRAPH_PREFIX, ONTOLOGY, ONTOLOGY_GRAPH


def test_build_describes_the_dataset_in_void_and_dcat(scratch_project):
    build(scratch_project)
    with open_store(scratch_project) as store:
        rows = list(store.query("""
            PREFIX void: <http://rdfs.org/ns/void#>
            PREFIX dct: <http://purl.org/dc/terms/>
            PREFIX dcat: <http://www.w3.org/ns/dcat#>
            SELECT ?triples ?license ?endpoint ?dump ?version WHERE { GRAPH <https://w3id.org/pskg/graph/void> {
              ?d a void:Dataset , dcat:Dataset ; void:triples ?triples ; dct:license ?license ;
                 void:sparqlEndpoint ?endpoint ; void:dataDump ?dump ; dcat:version ?version } }"""))
        assert len(rows) == 1
        counted = sum(1 for q in store.quads() if q.graph_name.value != VOID_GRAPH)
        assert int(rows[0]["triples"].value) == counted
        assert rows[0]["license"].value == "https://creativecommons.org/licenses/by/4.0/"
        links = {r["target"].value: int(r["n"].value) for r in store.query("""
            PREFIX void: <http://rdfs.org/ns/void#>
            SELECT ?target ?n WHERE { ?l a void:Linkset ; void:objectsTarget ?target ; void:triples ?n }""")}
        wikidata = sum(1 for q in store.quads(CURATED_GRAPH) if q.predicate.value == ONTOLOGY + "hasWikidataId")
        assert links["https://www.wikidata.org/"] == wikidata > 20
        assert set(links) >= {"https://www.geonames.org/", "https://ucdp.uu.se/downloads/#armedconflict"}


def test_build_puts_ontology_and_data_in_separate_graphs(scratch_project):
    report = build(scratch_project)
    assert report.rebuilt
    assert set(report.graphs) == {ONTOLOGY_GRAPH, CURATED_GRAPH, VOID_GRAPH}
    assert report.graphs[CURATED_GRAPH] > 1000 and report.graphs[ONTOLOGY_GRAPH] > 400
    assert "data/people.ttl" in report.files and "ontology/shapes.ttl" not in report.files


def test_unchanged_sources_are_not_parsed_again(scratch_project):
    build(scratch_project)
    again = build(scratch_project)
    assert not again.rebuilt and is_current(scratch_project)


def test_a_changed_file_triggers_a_rebuild(scratch_project):
    build(scratch_project)
    people = scratch_project.data_dir / "people.ttl"
    people.write_text(people.read_text(encoding="utf-8").replace('"Zhaparov"@en', '"Dzhaparov"@en'), encoding="utf-8")
    assert not is_current(scratch_project)
    with open_store(scratch_project) as store:
        assert bool(store.query('ASK { ?s ?p "Dzhaparov"@en }'))


def test_malformed_turtle_names_file_and_line_and_keeps_the_old_store(scratch_project):
    build(scratch_project)
    with open_store(scratch_project) as store:
        before = len(list(store.quads()))
    places = scratch_project.data_dir / "places.ttl"
    lines = places.read_text(encoding="utf-8").splitlines()
    lines[20] = lines[20] + ' "unterminated'
    places.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(KgError, match=r"^data/places\.ttl:2[12]:\d+: malformed Turtle"):
        build(scratch_project)
    with _open_existing(scratch_project) as store:
        assert len(list(store.quads())) == before


def _open_existing(project):
    from kg.storage import open_current

    return open_current(project.store_dir)


def test_imported_graphs_survive_a_rebuild(scratch_project):
    from kg.build import edit

    graph, unfinished = IMPORT_GRAPH_PREFIX + "test", IMPORT_GRAPH_PREFIX + "interrupted"
    complete = ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
    with edit(scratch_project) as change:
        change.record({graph: 2, unfinished: 1}, [])
        change.store.load([ox.Quad(ox.NamedNode("urn:x:a"), ox.NamedNode("urn:x:b"), ox.Literal("c"), ox.NamedNode(graph)),
                    ox.Quad(ox.NamedNode(graph), ox.NamedNode(ONTOLOGY + "isComplete"), complete, ox.NamedNode(graph)),
                    ox.Quad(ox.NamedNode("urn:x:a"), ox.NamedNode("urn:x:b"), ox.Literal("d"),
                            ox.NamedNode(unfinished))])
    build(scratch_project, force=True)
    with _open_existing(scratch_project) as store:
        assert graph in store.graphs()
        assert unfinished not in store.graphs()  # the remnant of an interrupted import is not carried over


def test_missing_data_folder_is_reported(scratch_project):
    import shutil

    shutil.rmtree(scratch_project.data_dir)
    with pytest.raises(KgError, match="no .ttl files"):
        build(scratch_project)
