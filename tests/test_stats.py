"""kg stats: triple, class and source counts (imports included) and the --coverage table of conflicts."""

from __future__ import annotations

import json

from kg.build import open_store
from kg.importers import import_graphs
from tests.test_import import FIXTURES


def test_stats_json_counts(kg, store):
    result = kg("stats", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    people = next(iter(store.query("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a <https://w3id.org/pskg/ontology#Person> }")))
    assert data["classes"]["pskg:Person"] == int(people["n"].value) > 60 and data["classes"]["pskg:Claim"] >= 180
    assert data["triples"] == sum(data["graphs"].values()) and data["sources"] > 40


def test_stats_coverage_lists_every_conflict_with_its_gates(kg, store):
    result = kg("stats", "--coverage", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {r["conflict"]: r for r in json.loads(result.output)}
    conflicts = {r["c"].value for r in store.query("SELECT ?c WHERE { ?c a <https://w3id.org/pskg/ontology#Conflict> }")}
    assert len(rows) == len(conflicts) >= 25
    clashes = rows["conflict:kyrgyzstan-tajikistan-clashes-2022"]
    assert (clashes["start"], clashes["end"], clashes["parties"], clashes["missing"]) == ("2022-09-14", "2022-09-17", 2, [])
    assert clashes["claims"] >= 15 and clashes["mediators"] >= 2
    table = kg("stats", "--coverage")
    assert f"{len(rows)} conflicts; {len(rows)} pass every gate" in table.output
    markdown = kg("stats", "--coverage", "--format", "markdown").output
    assert markdown.startswith("| conflict | start | end |") and "| First Chechen War | 1994-12-11 | 1996-08-31 |" in markdown


def test_stats_count_imports_from_their_own_description(kg_in):
    import json

    assert kg_in("import", "ucdp-ged", str(FIXTURES / "ged_sample.csv")).exit_code == 0
    result = kg_in("stats", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    with open_store(kg_in.project) as store:
        graph = import_graphs(store, "ucdp-ged")[0]
        actual = sum(1 for _ in store.quads(graph))
        clashes = len(list(store.query("SELECT DISTINCT ?e WHERE { ?e a <https://w3id.org/pskg/ontology#ArmedClash> }")))
    assert data["graphs"][graph] == actual
    assert data["triples"] == sum(data["graphs"].values())
    assert data["classes"]["pskg:ArmedClash"] == clashes  # curated clashes plus the import's three
