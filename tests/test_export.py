"""kg export: serializing the store as Turtle, N-Triples, JSON-LD, N-Quads and TriG."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic


@pytest.mark.parametrize("fmt, rdflib_format", [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")])
def test_export_reimports_to_the_same_graph(kg, store, tmp_path, fmt, rdflib_format):
    out = tmp_path / f"graph.{fmt}"
    result = kg("export", "--format", fmt, "--output", str(out))
    assert result.exit_code == 0, result.output
    expected = rdflib.Graph().parse(data=ox.serialize([q.triple for q in store.quads()], format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")
    got = rdflib.Graph().parse(out, format=rdflib_format)
    assert len(got) == len(expected) and isomorphic(got, expected)


@pytest.mark.parametrize("fmt", ["nq", "trig"])
def test_export_keeps_named_graphs(kg, store, tmp_path, fmt):
    out = tmp_path / f"graph.{fmt}"
    assert kg("export", "--format", fmt, "-o", str(out)).exit_code == 0
    dataset = ox.Dataset(ox.parse(path=str(out)))
    assert len(dataset) == len(list(store.quads()))
    assert {str(q.graph_name) for q in dataset} == {f"<{g}>" for g in store.graphs()}


def test_jsonld_export_is_compacted_with_a_context(kg, tmp_path):
    out = tmp_path / "graph.jsonld"
    kg("export", "--format", "jsonld", "-o", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["@context"]["pskg"] == "https://w3id.org/pskg/ontology#"
    assert "person:sadyr-japarov" in out.read_text(encoding="utf-8")
