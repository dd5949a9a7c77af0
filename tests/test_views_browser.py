"""The views in a real headless browser: Debian's chromium driven by playwright.

Pages load from file:// with every other request aborted (and recorded: there must be none).
Layouts differ from run to run, so these tests compare structure and count painted pixels,
never compare pixels. Without chromium they skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import networkx as nx
import pytest

from kg.build import build, open_store
from kg.cli import main
from kg.namespaces import instance_iri
from kg.network import Scope, to_networkx
from tests.browser import Page

JAPAROV = instance_iri("person", "sadyr-japarov")

@pytest.fixture(scope="module")
def japarov_view(tmp_path_factory, project):
    """`kg view --focus "Sadyr Japarov" --hops 2`, run from another folder."""
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("views") / "japarov.html"
    result = CliRunner().invoke(main, ["--root", str(project.root), "--store-dir", str(project.store_dir), "view",
                                       "--focus", "Sadyr Japarov", "--hops", "2", "--output", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def japarov_page(browser, japarov_view):
    page = Page(browser, japarov_view)
    yield page
    page.close()


def test_page_holds_the_view_and_asks_nothing_from_outside(japarov_page, store):
    graph = to_networkx(store, Scope(focus=JAPAROV, hops=2))
    counts = japarov_page.eval("() => [kgView.nodes.length, kgView.edges.length, kgView.nodeView.length]")
    assert counts == [graph.number_of_nodes(), graph.number_of_edges(), graph.number_of_nodes()]
    labels = set(japarov_page.eval("() => kgView.data.details.map(d => d.label)"))
    assert {"Sadyr Japarov", "September 2022 Kyrgyzstan–Tajikistan clashes",
            "Ceasefire agreed by Japarov and Rahmon, 16 September 2022",
            "Both sides: 71 killed in all (18 September 2022)"} <= labels
    assert japarov_page.outside == []
    assert japarov_page.errors == []
    assert japarov_page.page.locator("#status").text_content() == "layout settled"
    assert japarov_page.eval("() => kgView.network.physics.physicsEnabled") is False


def test_legend_lists_kinds_and_filters_them(japarov_page, store):
    graph = to_networkx(store, Scope(focus=JAPAROV, hops=2))
    kinds = nx.get_node_attributes(graph, "kind")
    page = japarov_page.page
    entries = page.locator("#legend li").all_text_contents()
    sources = sum(1 for k in kinds.values() if k == "source")
    assert f"source ({sources})" in entries and f"person ({sum(1 for k in kinds.values() if k == 'person')})" in entries
    page.locator("#legend input[data-kind=source]").uncheck()
    assert japarov_page.eval("() => kgView.nodeView.length") == len(kinds) - sources
    page.locator("#legend input[data-kind=source]").check()
    assert japarov_page.eval("() => kgView.nodeView.length") == len(kinds)


def test_search_finds_and_focuses_a_node(japarov_page):
    page = japarov_page.page
    page.fill("#search", "rahmon")
    page.click("#search-form button")
    selected = japarov_page.eval("() => kgView.network.getSelectedNodes().map(i => kgView.data.details[i].iri)")
    assert selected == [instance_iri("person", "emomali-rahmon")]
    assert page.locator("#details h2").first.text_content() == "Emomali Rahmon"
    assert "https://w3id.org/pskg/id/person/emomali-rahmon" in page.locator("#details").text_content()
    page.fill("#search", "no such name at all")
    page.click("#search-form button")
    assert page.locator("#status").text_content() == "no node matches"


def test_tooltip_shows_facts_and_identifiers_on_hover(japarov_page):
    page = japarov_page.page
    x, y = japarov_page.eval("""() => {
        const id = kgView.data.details.findIndex(d => d.iri.endsWith('/person/sadyr-japarov'));
        kgView.network.moveNode(id, 20000, 20000);  // alone, so nothing else lies under the pointer
        kgView.network.moveTo({position: {x: 20000, y: 20000}, scale: 1.5, animation: false});
        const p = kgView.network.canvasToDOM(kgView.network.getPositions([id])[id]);
        const r = document.querySelector('#network canvas').getBoundingClientRect();
        return [r.left + p.x, r.top + p.y];
    }""")
    page.mouse.move(x, y)
    tip = page.locator("div.vis-tooltip")
    tip.wait_for(state="visible", timeout=5000)
    text = tip.text_content()
    assert "Sadyr Japarov" in text and "person" in text and "Wikidata: Q25597826" in text


def test_canvas_is_painted(japarov_page, tmp_path):
    shot = tmp_path / "view.png"
    japarov_page.page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    painted, colours = japarov_page.eval("""() => {
        const c = document.querySelector('#network canvas');
        const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let painted = 0; const colours = new Set();
        for (let i = 0; i < px.length; i += 4) {
            if (px[i + 3] > 0) { painted++; colours.add((px[i] >> 4) + ',' + (px[i+1] >> 4) + ',' + (px[i+2] >> 4)); }
        }
        return [painted, colours.size];
    }""")
    assert painted > 20_000, painted  # nodes, edges and labels, not a blank canvas
    assert colours > 8, colours  # the kinds' colours, not one flat fill


def test_hostile_labels_show_as_text_and_run_nothing(browser, scratch_project, tmp_path):
    payloads = ['<img src=x onerror="window.__pwned=1">', "<script>window.__pwned=2</script>",
                '"><svg onload="window.__pwned=3">']
    literals = " , ".join('"' + p.replace('"', '\\"') + '"@en' for p in payloads)
    (scratch_project.data_dir / "hostile.ttl").write_text(
        "@prefix pskg: <https://w3id.org/pskg/ontology#> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "<https://w3id.org/pskg/id/person/sadyr-japarov> skos:altLabel " + literals + " ;\n"
        f'  pskg:hasSummary "{payloads[0].replace(chr(34), chr(92) + chr(34))}"@en .\n'
        '<https://w3id.org/pskg/id/person/hostile> a pskg:Person ; skos:prefLabel "'
        + payloads[1] + '"@en ; pskg:hasUrl "javascript:window.__pwned=4" ;\n'
        "  pskg:hasSource <https://w3id.org/pskg/id/source/seed-article> .\n", encoding="utf-8")
    build(scratch_project)
    with open_store(scratch_project) as store:
        graph = to_networkx(store, Scope(focus=instance_iri("source", "seed-article"), hops=1))
    from kg.views_html import write_view

    out = tmp_path / "hostile.html"
    write_view(graph, out, title=payloads[2])
    page = Page(browser, out)
    try:
        p = page.page
        assert page.eval("() => window.__pwned") is None
        assert p.title() == payloads[2]
        p.fill("#search", "<script>")
        p.click("#search-form button")
        assert p.locator("#details h2").first.text_content() == payloads[1]
        assert p.locator("#details a").count() == 0  # the javascript: URL is not a link
        p.fill("#search", "Sadyr Japarov")
        p.click("#search-form button")
        assert payloads[0] in p.locator("#details").text_content()
        assert p.locator("#details img, #details svg, #details script").count() == 0
        assert page.eval("() => window.__pwned") is None
        assert page.errors == [] and page.outside == []
    finally:
        page.close()


def test_page_runs_under_its_own_content_security_policy(browser, japarov_view):
    page = Page(browser, japarov_view, bypass_csp=False)
    try:
        assert page.page.locator("#status").text_content() == "layout settled"
        assert page.errors == [] and page.outside == []
    finally:
        page.close()


def test_large_view_starts_still_and_says_so(browser, tmp_path):
    from kg.views_html import write_view

    graph = nx.MultiDiGraph()
    graph.add_nodes_from((f"urn:n{i}", {"kind": "event", "label": f"event {i}"}) for i in range(3000))
    graph.add_edges_from((f"urn:n{i % 3000}", f"urn:n{(i * 7 + 1) % 3000}", f"p{i}", {"label": "p"}) for i in range(6000))
    out = tmp_path / "large.html"
    write_view(graph, out, title="large")
    page = Page(browser, out)
    try:
        assert page.page.locator("#banner").text_content().startswith("3000 nodes and 6000 edges")
        assert page.eval("() => [kgView.nodes.length, kgView.edges.length]") == [3000, 6000]
        assert page.page.locator("#physics").is_checked() is False
        assert page.errors == []
    finally:
        page.close()


def test_the_whole_graph_opens_laid_out_with_sources_in_the_details(browser, kg, tmp_path):
    """`kg view` of the whole curated graph is a large view: positions computed beforehand,
    sources folded into the nodes that cite them, and a node's details link its sources."""
    out = tmp_path / "whole.html"
    result = kg("view", "--output", str(out))
    assert result.exit_code == 0 and "sources shown in each node's details" in result.output, result.output
    page = Page(browser, out)
    try:
        banner = page.page.locator("#banner").text_content()
        assert "the layout was computed beforehand" in banner and "each node's details list its sources" in banner
        kinds = page.eval("() => kgView.data.nodes.map(n => n.kind)")
        assert "source" not in kinds and "person" in kinds
        assert page.eval("() => kgView.data.nodes.every(n => typeof n.x === 'number' && typeof n.y === 'number')")
        page.page.fill("#search", "Sadyr Japarov")
        page.page.click("#search-form button")
        assert page.page.locator("#details h2").first.text_content() == "Sadyr Japarov"
        links = page.page.locator("#details a")
        texts = [links.nth(i).text_content() for i in range(links.count())]
        assert any(t.startswith("source: ") for t in texts), texts
        assert page.errors == [] and page.outside == []
    finally:
        page.close()


def test_ontology_view(browser, kg, tmp_path):
    out = tmp_path / "onto.html"
    result = kg("view", "--ontology", "--output", str(out))
    assert result.exit_code == 0, result.output
    page = Page(browser, out)
    try:
        labels = set(page.eval("() => kgView.data.details.map(d => d.label)"))
        assert {"armed conflict", "claim", "person", "state"} <= labels
        edge_labels = set(page.eval("() => kgView.edges.get().map(e => e.label)"))
        assert {"subclass of", "is phase of", "has source"} <= edge_labels
        assert page.errors == []
    finally:
        page.close()


def test_claim_tooltip_names_its_claimant_and_sources(japarov_page):
    text = japarov_page.eval("""() => {
        const id = kgView.data.details.findIndex(d => d.iri.endsWith('/claim/kg-tj-2022-kyrgyz-killed-59'));
        return kgView.nodes.get(id).title.textContent;
    }""")
    assert "has value: 59" in text and "has claimant → Ministry of Health of Kyrgyzstan" in text
    assert "has source → " in text
