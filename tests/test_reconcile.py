"""Reconciliation of imported names and ids to the catalogue: automatic matches, --links files, unmatched names."""

from __future__ import annotations

import csv
import os

import pytest

from kg.build import open_store
from kg.importers import import_graphs
from kg.namespaces import instance_iri
from tests.test_import import CLASHES, FIXTURES, SHARED_UCDP, _imports_in, _select


@pytest.mark.parametrize("layout", ["newer", "older"])
def test_acled_layouts_link_actors_and_the_conflict(kg_in, layout):
    result = kg_in("import", "acled", str(FIXTURES / f"acled_{layout}.csv"))
    assert result.exit_code == 0, result.output
    rows = _select(kg_in.project, """
        PREFIX pskg: <https://w3id.org/pskg/ontology#>
        SELECT ?conflict ?place ?start ?fatalities WHERE {
          <https://w3id.org/pskg/id/event/acled-kgz90001> pskg:isPartOfConflict ?conflict ; pskg:hasPlace ?place ;
              pskg:startDate ?start .
          ?claim pskg:isAbout <https://w3id.org/pskg/id/event/acled-kgz90001> ; pskg:hasValue ?fatalities } """)
    assert rows == [{"conflict": CLASHES, "place": instance_iri("place", "batken"), "start": "2022-09-15",
                     "fatalities": "4"}]
    names = _select(kg_in.project, """
        SELECT ?state ?name WHERE { ?state <https://w3id.org/pskg/ontology#hasAcledName> ?name
          FILTER(STRSTARTS(STR(?state), "https://w3id.org/pskg/id/state/")) } ORDER BY ?name""")
    assert names == [{"state": instance_iri("state", "kyrgyzstan"), "name": "Military Forces of Kyrgyzstan (2021-)"},
                     {"state": instance_iri("state", "tajikistan"), "name": "Military Forces of Tajikistan (1994-)"}]
    # what found no match is reported and kept as its own organisation, not dropped
    assert "ACLED actor: Civilians (Kyrgyzstan)" in result.output
    kept = _select(kg_in.project, """SELECT ?o WHERE { ?o <https://w3id.org/pskg/ontology#hasAcledName> "Civilians (Kyrgyzstan)" }""")
    assert kept == [{"o": instance_iri("org", "acled-civilians-kyrgyzstan")}]


def test_links_file_adds_hand_made_matches_and_unmatched_are_listed(kg_in, tmp_path):
    unmatched = tmp_path / "unmatched.csv"
    result = kg_in("import", "acled", str(FIXTURES / "acled_newer.csv"), "--links", str(FIXTURES / "links.csv"),
                   "--unmatched", str(unmatched))
    assert result.exit_code == 0, result.output
    linked = _select(kg_in.project, """
        SELECT ?p WHERE { <https://w3id.org/pskg/id/event/acled-kgz90002> <https://w3id.org/pskg/ontology#hasParty> ?p }""")
    assert {r["p"] for r in linked} >= {instance_iri("org", "united-tajik-opposition")}
    with unmatched.open(encoding="utf-8") as handle:
        assert list(csv.DictReader(handle)) == [{"kind": "ACLED actor", "name": "Civilians (Kyrgyzstan)", "rows": "1"}]


def test_links_file_errors_name_the_file_and_line(kg_in, tmp_path):
    bad = tmp_path / "links.csv"
    bad.write_text("name,entity\nSomeone,person:nobody-at-all\n", encoding="utf-8")
    result = kg_in("import", "acled", str(FIXTURES / "acled_newer.csv"), "--links", str(bad))
    assert result.exit_code == 1 and f"--links {bad}:2:" in result.output


ucdp_files = pytest.mark.skipif(
    not SHARED_UCDP.is_dir() and os.environ.get("CI") != "true",
    reason="the real UCDP extracts are in ../shared/data/ucdp/ (absent here)",
)


@ucdp_files
def test_real_acd_links_13324_and_13243_to_the_catalogue(kg_in):
    result = kg_in("import", "ucdp-acd", str(SHARED_UCDP / "ucdp_acd_v23_1_postsoviet.csv"))
    assert result.exit_code == 0, result.output
    assert "102 of 102 rows" in result.output
    rows = _select(kg_in.project, """
        PREFIX pskg: <https://w3id.org/pskg/ontology#>
        SELECT ?year ?parent WHERE { ?year pskg:isPhaseOf ?parent ; pskg:hasIntensityLevel ?i
          FILTER(?year IN (<https://w3id.org/pskg/id/conflict/ucdp-13324-2022>, <https://w3id.org/pskg/id/conflict/ucdp-13243-2022>)) }
        ORDER BY ?year""")
    assert rows == [
        {"year": instance_iri("conflict", "ucdp-13243-2022"), "parent": instance_iri("conflict", "russo-ukrainian-war")},
        {"year": instance_iri("conflict", "ucdp-13324-2022"),
         "parent": instance_iri("conflict", "kyrgyzstan-tajikistan-border-conflict")},
    ]
    parties = _select(kg_in.project, """
        SELECT ?p WHERE { <https://w3id.org/pskg/id/conflict/ucdp-13324-2022> <https://w3id.org/pskg/ontology#hasParty> ?p }
        ORDER BY ?p""")
    assert [r["p"] for r in parties] == [instance_iri("state", "kyrgyzstan"), instance_iri("state", "tajikistan")]
    # the size the import recorded is what the store holds (the file repeats some statements)
    with open_store(kg_in.project) as store:
        graph = import_graphs(store, "ucdp-acd")[0]
        recorded = _select(kg_in.project, f"SELECT ?n WHERE {{ GRAPH <{graph}> {{ <{graph}> "
                                          "<http://rdfs.org/ns/void#triples> ?n } }")
        assert recorded == [{"n": str(sum(1 for _ in store.quads(graph)))}]


def test_a_new_links_file_maps_an_imported_file_again(kg_in):
    assert kg_in("import", "acled", str(FIXTURES / "acled_newer.csv")).exit_code == 0
    query = """SELECT ?p WHERE { <https://w3id.org/pskg/id/event/acled-kgz90002> <https://w3id.org/pskg/ontology#hasParty> ?p }"""
    uto = instance_iri("org", "united-tajik-opposition")
    assert uto not in {r["p"] for r in _select(kg_in.project, query)}
    result = kg_in("import", "acled", str(FIXTURES / "acled_newer.csv"), "--replace", "--links",
                   str(FIXTURES / "links.csv"))
    assert result.exit_code == 0 and result.output.startswith("Imported again with"), result.output
    assert uto in {r["p"] for r in _select(kg_in.project, query)}
    assert len(_imports_in(kg_in.project)) == 1
