"""Names: any variant, transliteration or script finds the entity; entity cards."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.entities import card, resolve, search
from kg.errors import KgError
from kg.namespaces import instance_iri

JAPAROV = instance_iri("person", "sadyr-japarov")
RAHMON = instance_iri("person", "emomali-rahmon")


@pytest.mark.parametrize("text, expected", [
    ("Schaparov", JAPAROV), ("zhaparov", JAPAROV), ("Japarov", JAPAROV), ("Жапаров", JAPAROV),
    ("Dschaparow", JAPAROV), ("Rahmon", RAHMON), ("Rakhmon", RAHMON), ("Rahmonov", RAHMON),
    ("Рахмон", RAHMON), ("Раҳмон", RAHMON), ("antonio guterres", instance_iri("person", "antonio-guterres")),
    ("Гутерриш", instance_iri("person", "antonio-guterres")), ("Batken", instance_iri("place", "batken")),
    ("Баткен", instance_iri("place", "batken")), ("dpa", instance_iri("org", "dpa")),
])
def test_any_name_variant_finds_the_entity_first(store, text, expected):
    matches = search(store, text)
    assert matches and matches[0].iri == expected, [(m.iri, m.matched) for m in matches]


def test_exact_names_outrank_substrings(store):
    matches = search(store, "Kyrgyzstan")
    assert matches[0].iri == instance_iri("state", "kyrgyzstan")
    assert matches[0].score > matches[1].score


def test_search_of_nothing_is_an_error(store):
    with pytest.raises(KgError, match="empty"):
        search(store, "   ")


@pytest.mark.parametrize("ref", [
    JAPAROV, f"<{JAPAROV}>", "person:sadyr-japarov", "person/sadyr-japarov", "sadyr-japarov", "Sadyr Schaparov", "Жапаров",
])
def test_resolve_accepts_iris_slugs_and_names(store, ref):
    assert resolve(store, ref) == JAPAROV


@pytest.mark.parametrize("ref, message", [
    ("Nobody Atall", "unknown entity 'Nobody Atall'"),
    ("https://w3id.org/pskg/id/person/nobody", "no statements about that IRI"),
])
def test_resolve_rejects_unknown_entities(store, ref, message):
    with pytest.raises(KgError, match=message):
        resolve(store, ref)


def test_card_has_names_identifiers_facts_claims_and_sources(store):
    japarov = card(store, JAPAROV)
    assert japarov.label == "Sadyr Japarov"
    assert "Sadyr Schaparov (de)" in japarov.names["variant"]
    assert japarov.identifiers == {"Wikidata": "Q25597826"}
    assert any(f.property == "has holder" for f in japarov.incoming)
    assert any(url == "https://en.wikipedia.org/wiki/Sadyr_Japarov" for _, url in japarov.sources)

    clashes = card(store, instance_iri("conflict", "kyrgyzstan-tajikistan-clashes-2022"))
    killed = {c.value: c for c in clashes.claims if c.measure == "people killed"}
    assert killed["36"].claimants == ["Kyrgyzstan"] and killed["35"].claimants == ["Tajikistan"]
    assert sorted(killed["71"].claimants) == ["Kyrgyzstan", "Tajikistan"]
    assert "Kyrgyzstan versus Tajikistan: Putin wants to mediate between ex-Soviet republics" in killed["71"].sources


def test_card_labels_follow_the_language(store):
    assert card(store, JAPAROV, lang="ru").label == "Садыр Жапаров"
    assert card(store, instance_iri("person", "sirojiddin-muhriddin"), lang="ru").label == "Sirojiddin Muhriddin"


def test_a_card_of_an_entity_with_thousands_of_claims_lists_the_first_and_counts_all():
    from kg.entities import CARD_LIMIT, card
    from kg.namespaces import ONTOLOGY
    from kg.store import OxigraphStore

    store = OxigraphStore()
    org = ox.NamedNode("https://w3id.org/pskg/id/org/bulk")
    graph = ox.NamedNode("https://w3id.org/pskg/graph/import/test/bulk")
    quads = [ox.Quad(org, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("Bulk"), graph)]
    for i in range(1500):
        claim = ox.NamedNode(f"https://w3id.org/pskg/id/claim/bulk-{i}")
        quads += [ox.Quad(claim, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                          ox.NamedNode(ONTOLOGY + "Claim"), graph),
                  ox.Quad(claim, ox.NamedNode(ONTOLOGY + "hasClaimant"), org, graph)]
    store.load(quads)
    shown = card(store, org.value)
    assert len(shown.claims) == CARD_LIMIT and shown.claims_total == 1500  # all counted
    assert len(shown.incoming) == CARD_LIMIT and shown.incoming_total == 1500


@pytest.mark.parametrize(("typo", "meant"), [("Japarof", "person:sadyr-japarov"), ("Rahmonn", "person:emomali-rahmon")])
def test_an_unknown_name_suggests_the_closest_names(store, typo, meant):
    with pytest.raises(KgError, match=rf"^unknown entity '{typo}'; did you mean .*{meant}"):
        resolve(store, typo)
