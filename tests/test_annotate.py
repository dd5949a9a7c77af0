"""kg annotate: the entities a report names (inflected and transliterated too), its dates and
its figures beside the graph's claims."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from kg.annotate import annotate, detect_language

from .conftest import SHARED

SEED = SHARED / "seed" / "kyrgyzstan-tajikistan-2022-article.txt"
ID = "https://w3id.org/pskg/id/"


@pytest.mark.skipif(not SEED.is_file(), reason="the seed article in ../shared/seed is absent")
def test_the_seed_article(kg):
    result = kg("annotate", str(SEED), "--date", "2022-09-18", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    text = SEED.read_text(encoding="utf-8")
    entities = {m["entity"] for m in data["mentions"]}
    expected = {"person/vladimir-putin", "person/sadyr-japarov", "person/emomali-rahmon", "person/antonio-guterres",
                "person/jeenbek-kulubayev", "place/batken", "place/bishkek", "place/dushanbe", "place/moscow",
                "place/new-york-city", "state/kyrgyzstan", "state/tajikistan", "state/russia", "state/ukraine",
                "state/armenia", "state/azerbaijan", "state/china"}
    assert {ID + e for e in expected} <= entities
    for mention in data["mentions"]:  # offsets in Unicode characters of the input
        assert text[mention["start"]:mention["end"]] == mention["text"]
        assert set(mention) >= {"start", "end", "text", "entity", "label", "score"}
    figures = {(f["value"], f["measure"].rsplit("/", 1)[-1]): f for f in data["figures"]}
    assert figures[(71, "killed")]["matches"] == [ID + "claim/kg-tj-2022-total-killed-71"]
    assert figures[(36, "killed")]["matches"] == [ID + "claim/kg-tj-2022-kyrgyz-killed-36"]
    assert figures[(35, "killed")]["matches"] == [ID + "claim/kg-tj-2022-tajik-killed-35"]
    assert figures[(137000, "evacuated")]["matches"] == [ID + "claim/kg-tj-2022-kyrgyz-evacuated-137000"]
    assert figures[(35, "killed")]["side"] == ID + "state/tajikistan"
    assert figures[(137000, "evacuated")]["measure_label"] == "people evacuated"
    dates = {d["text"]: d["value"] for d in data["dates"]}
    assert dates["Friday"] == "2022-09-16" and dates["Saturday"] == "2022-09-17"
    assert dates["Monday"] == "2022-09-19" and dates["Tuesday"] == "2022-09-20"
    # "is" (a verb) is not the Islamic State, nor "Kyrgyz" (an adjective) UCDP's communal group
    assert ID + "org/islamic-state" not in entities
    assert not any(e.endswith("-communal-groups") for e in entities)


def test_russian_case_endings_and_german_spellings(store):
    ru = annotate(store, "Путин позвонил Жапарову и Рахмону. По данным Минздрава Киргизии, погибли 59 человек "
                         "в пятницу.", report_date=dt.date(2022, 9, 18))
    assert ru.lang == "ru"
    assert [m.entity.rsplit("/", 1)[-1] for m in ru.mentions] == ["vladimir-putin", "sadyr-japarov",
                                                                  "emomali-rahmon", "kyrgyzstan"]
    assert [(f.value, f.side, f.matches) for f in ru.figures] == [
        (59, ID + "state/kyrgyzstan", [ID + "claim/kg-tj-2022-kyrgyz-killed-59"])]
    assert [d.value for d in ru.dates] == ["2022-09-16"]
    de = annotate(store, "Nach Angaben des Gesundheitsministeriums Kirgisistans wurden 46 Menschen getötet; "
                         "Sadyr Schaparow und Emomali Rachmon vereinbarten am Freitag eine Waffenruhe.",
                  report_date=dt.date(2022, 9, 18))
    assert de.lang == "de" and detect_language("Kyrgyzstan and Tajikistan agreed") == "en"
    assert {m.entity.rsplit("/", 1)[-1] for m in de.mentions} == {"kyrgyzstan", "sadyr-japarov", "emomali-rahmon"}
    assert de.figures[0].value == 46 and de.figures[0].matches == [ID + "claim/kg-tj-2022-kyrgyz-killed-46"]


def test_a_figure_far_from_the_report_date_is_new_and_years_are_no_figures(store):
    result = annotate(store, "In 2022 the clashes left 71 dead after 30 years of dispute.",
                      report_date=dt.date(2024, 1, 1))
    assert [(f.value, f.matches) for f in result.figures] == [(71, [])]


@pytest.mark.skipif(not SEED.is_file(), reason="the seed article in ../shared/seed is absent")
def test_the_html_view_works_offline_in_chromium(kg, browser, tmp_path):
    """The page opens with no request leaving it; a click on a name or a figure fills the side
    panel from the page's own data; the report's text is text, never markup."""
    seed = SEED.read_text(encoding="utf-8")
    report = tmp_path / "report.txt"
    report.write_text(seed.replace("Battles flare up", "<script>window.pwned = 1</script> Battles flare up"),
                      encoding="utf-8")
    page_file = tmp_path / "report.html"
    result = kg("annotate", str(report), "--date", "2022-09-18", "--format", "html", "--output", str(page_file))
    assert result.exit_code == 0, result.output
    page = browser.new_page()
    outside = []
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith("file://") else None)
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(page_file.as_uri())
    assert page.evaluate("window.pwned") is None
    assert "<script>window.pwned = 1</script>" in page.inner_text("#report")
    page.click("a.mention[data-entity$='/person/vladimir-putin'] >> nth=0")
    panel = page.inner_text("#panel")
    assert "Vladimir Putin" in panel and "President of Russia" in panel
    page.click("mark.figure >> text=137,000")
    panel = page.inner_text("#panel")
    assert "people evacuated" in panel and "Kyrgyzstan" in panel and "137,000" in panel
    assert outside == [] and errors == []
    page.close()


def test_turtle_drafts_the_new_figures_only(store):
    from kg.annotate import to_turtle

    text = "Tajikistan said 35 people were killed; Kyrgyzstan reported 999 people wounded on Friday."
    result = annotate(store, text, report_date=dt.date(2022, 9, 18))
    drafted = to_turtle(result, report_date=dt.date(2022, 9, 18), title="A test report")
    import rdflib

    graph = rdflib.Graph().parse(data=drafted, format="turtle")
    claims = set(graph.subjects(rdflib.RDF.type, rdflib.URIRef("https://w3id.org/pskg/ontology#Claim")))
    assert len(claims) == 1  # 35 killed matches the graph's claim; 999 wounded is new
    claim = claims.pop()
    assert graph.value(claim, rdflib.URIRef("https://w3id.org/pskg/ontology#hasValue")).toPython() == 999
    assert str(graph.value(claim, rdflib.URIRef("https://w3id.org/pskg/ontology#concernsSide"))).endswith(
        "/state/kyrgyzstan")


def test_the_gold_set_is_consistent_and_found(store):
    """tests/fixtures/annotate: six reports (en, de, ru) with their mentions checked by hand;
    every offset names its text, every entity exists, and the annotator finds them (precision
    at least 0.95 and recall at least 0.9 per language; bench/annotate.py prints the figures)."""
    from pathlib import Path

    from kg.entities import exists

    folder = Path(__file__).parent / "fixtures" / "annotate"
    gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
    assert len(gold) == 6 and sum(len(e["mentions"]) for e in gold.values()) >= 150
    tallies: dict[str, list[int]] = {}
    for name, entry in gold.items():
        text = (folder / name).read_text(encoding="utf-8")
        for g in entry["mentions"]:
            assert text[g["start"]:g["end"]] == g["text"], (name, g)
            assert exists(store, g["entity"]), g["entity"]
        found = annotate(store, text, lang=entry["lang"], report_date=dt.date.fromisoformat(entry["date"])).mentions
        tally = tallies.setdefault(entry["lang"], [0, 0, 0, 0])
        tally[0] += len(entry["mentions"])
        tally[1] += len(found)
        tally[2] += sum(any(g["entity"] == m.entity and g["start"] < m.end and m.start < g["end"]
                            for g in entry["mentions"]) for m in found)
        tally[3] += sum(any(g["entity"] == m.entity and g["start"] < m.end and m.start < g["end"] for m in found)
                        for g in entry["mentions"])
    assert set(tallies) == {"en", "de", "ru"}
    for lang, (gold_n, found_n, right, hit) in tallies.items():
        assert right / found_n >= 0.95 and hit / gold_n >= 0.9, (lang, gold_n, found_n, right, hit)


def test_an_ambiguous_name_goes_to_the_entity_linked_to_the_others(store):
    from kg.annotate import NameIndex

    index = NameIndex(store)
    index.keys[("zzz",)] = {ID + "state/russia", ID + "state/tajikistan"}  # a name two states would bear
    mentions = annotate(store, "In Dushanbe, Zzz said so.", index=index).mentions
    assert [(m.text, m.entity) for m in mentions] == [("Dushanbe", ID + "place/dushanbe"),
                                                      ("Zzz", ID + "state/tajikistan")]


def test_the_name_index_is_cached_beside_the_store(scratch_project, monkeypatch):
    from kg.annotate import NameIndex
    from kg.api import KnowledgeGraph

    with KnowledgeGraph(scratch_project) as graph:
        graph.build()
        assert graph.annotate("Putin called Japarov.").mentions
    cached = list((scratch_project.store_dir / "cache").glob("names-*.json"))
    assert len(cached) == 1

    def never(*args, **kwargs):
        raise AssertionError("the index was built again instead of read from the cache")

    monkeypatch.setattr(NameIndex, "__init__", never)
    with KnowledgeGraph(scratch_project) as graph:
        assert [m.entity for m in graph.annotate("Putin called Japarov.").mentions] == [
            ID + "person/vladimir-putin", ID + "person/sadyr-japarov"]
    monkeypatch.undo()
    cached[0].write_text("{not json", encoding="utf-8")  # a damaged cache is built again
    with KnowledgeGraph(scratch_project) as graph:
        assert len(graph.annotate("Putin called Japarov.").mentions) == 2


def test_turtle_drafts_an_event_for_each_day_named(store):
    from kg.annotate import to_turtle

    text = "On Friday Sadyr Japarov and Emomali Rahmon agreed a ceasefire in Samarkand."
    result = annotate(store, text, report_date=dt.date(2022, 9, 18))
    import rdflib

    graph = rdflib.Graph().parse(data=to_turtle(result, report_date=dt.date(2022, 9, 18), text=text),
                                 format="turtle")
    pskg = rdflib.Namespace("https://w3id.org/pskg/ontology#")
    events = list(graph.subjects(rdflib.RDF.type, pskg.Event))
    assert len(events) == 1
    assert str(graph.value(events[0], pskg.startDate)) == "2022-09-16"
    assert {str(o).rsplit("/", 1)[-1] for o in graph.objects(events[0], pskg.hasParticipant)} == {
        "sadyr-japarov", "emomali-rahmon"}
    assert str(graph.value(events[0], pskg.hasPlace)).endswith("/place/samarkand")
