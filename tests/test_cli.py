"""The kg command line as such: option parsing, one-line errors and exit codes, --store placement, output formats."""

from __future__ import annotations

import json

import pytest

from kg.cli import main


def test_build_prints_a_summary(kg, project):
    result = kg("build")
    assert result.exit_code == 0, result.output
    files = len(list((project.root / "ontology").glob("*.ttl"))) - 1 + len(list((project.root / "data").rglob("*.ttl")))
    assert f"triples from {files} files" in result.output and "graph/curated" in result.output


def test_query_list_shows_questions(kg):
    result = kg("query", "--list")
    assert result.exit_code == 0, result.output
    assert "casualty-claims\n    Which casualty figures" in result.output


def test_query_json_is_sparql_results_json(kg):
    result = kg("query", "casualty-claims", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["head"]["vars"] == ["value", "measure", "side", "claimants", "reported", "grade", "sources"]
    values = {b["value"]["value"]: b for b in data["results"]["bindings"] if b["measure"]["value"] == "people killed"}
    assert {"36", "35", "71"} <= set(values)
    assert values["71"]["reported"]["datatype"] == "http://www.w3.org/2001/XMLSchema#date"


@pytest.mark.parametrize("fmt, first_line", [("csv", "officeLabel,holderLabel,start,end,certainty"),
                                             ("tsv", "?officeLabel\t?holderLabel\t?start\t?end\t?certainty")])
def test_query_csv_and_tsv(kg, fmt, first_line):
    result = kg("query", "office-holders-on-date", "--param", "date=2022-09-16", "--format", fmt)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == first_line
    assert "Sadyr Japarov" in result.output


def test_query_from_stdin_and_table(kg):
    sparql = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?l WHERE { <https://w3id.org/pskg/id/place/batken> skos:prefLabel ?l } ORDER BY ?l"
    result = kg("query", "-", input=sparql)
    assert result.exit_code == 0, result.output
    assert "Batken" in result.output and "Баткен" in result.output


def test_search_finds_japarov_by_the_german_spelling(kg):
    result = kg("search", "Schaparov")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1].startswith("person:sadyr-japarov")


def test_show_prints_the_card(kg):
    result = kg("show", "Rahmonov")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Emomali Rahmon  <https://w3id.org/pskg/id/person/emomali-rahmon>")
    assert "former    Emomali Rahmonov (en)" in result.output


def test_show_json(kg):
    result = kg("show", "conflict/kyrgyzstan-tajikistan-clashes-2022", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert any(c["value"] == "71" for c in data["claims"])


@pytest.mark.parametrize("args, message", [
    (["show", "Nobody Atall"], "Error: unknown entity 'Nobody Atall'"),
    (["query", "-"], "Error: <stdin>: SPARQL syntax error at 1:"),
    (["query", "missing.rq"], "Error: missing.rq: cannot read query file"),
    (["query", "no-such-question"], "Error: unknown query 'no-such-question'"),
    (["query", "office-holders-on-date", "-p", "when=2020-01-01"], "Error: unknown parameter 'when'"),
    (["query", "office-holders-on-date", "-p", "date"], "Error: --param 'date': expected NAME=VALUE"),
])
def test_errors_are_one_line_without_traceback(kg, args, message):
    result = kg(*args, input="SELECT ?x WHERE { ?x ?p }")
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), result.output
    assert "Traceback" not in result.output


def test_malformed_data_is_reported_with_file_and_line(runner, scratch_project):
    people = scratch_project.data_dir / "people.ttl"
    people.write_text(people.read_text(encoding="utf-8") + "\nperson:x a \n", encoding="utf-8")
    result = runner.invoke(main, ["--root", str(scratch_project.root), "build"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: data/people.ttl:"), result.output
    assert "malformed Turtle" in result.output and len(result.output.strip().splitlines()) == 1


def test_not_a_project_folder(runner, tmp_path):
    result = runner.invoke(main, ["--root", str(tmp_path), "stats"])
    assert result.exit_code == 1 and "not a project folder" in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["path", "Sadyr Japarov", "Japarov"], "are the same entity: give two different ones"),
    (["view", "--hops", "2", "-o", "unused.html"], "hops counts steps from focus"),
    (["rank", "--hops", "2"], "hops counts steps from focus"),
])
def test_commands_that_would_say_nothing_useful_say_why_instead(kg, args, message):
    result = kg(*args)
    assert result.exit_code == 1 and message in result.output, result.output


def test_rank_as_json_gives_numbers(kg):
    import json

    result = kg("rank", "--format", "json", "--limit", "3")
    rows = json.loads(result.output)
    assert all(isinstance(row[m], float) for row in rows for m in ("degree", "betweenness", "pagerank"))


def test_a_table_on_a_narrow_terminal_wraps_urls_rather_than_cutting_them(capsys, monkeypatch):
    from kg.cli import _table

    url = "https://www.hindustantimes.com/world-news/tajikistan-says-35-killed-in-border-clashes-101663507174765.html"
    monkeypatch.setenv("COLUMNS", "60")
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    _table(["value", "sources"], [["35", url]])
    printed = capsys.readouterr().out
    assert "…" not in printed and url in "".join(line.strip() for line in printed.splitlines()[1:])


def test_query_list_shows_each_parameters_default(kg):
    result = kg("query", "--list")
    assert 'parameters: date:date (default "2022-09-16"^^xsd:date)' in result.output, result.output


def test_reads_answer_from_the_last_good_store_when_data_is_malformed(runner, scratch_project):
    root = ["--root", str(scratch_project.root)]
    assert runner.invoke(main, [*root, "build"]).exit_code == 0
    people = scratch_project.data_dir / "people.ttl"
    people.write_text(people.read_text(encoding="utf-8") + "\nperson:x a \n", encoding="utf-8")
    result = runner.invoke(main, [*root, "query", "casualty-claims", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.count("Warning: data/people.ttl:") == 1 and "answering from the store built before" in result.output
    assert "24,people killed,Kyrgyzstan" in result.output
    fresh = scratch_project.root / "fresh"  # no store built before: the error itself
    result = runner.invoke(main, [*root, "--store-dir", str(fresh), "query", "casualty-claims"])
    assert result.exit_code == 1 and "Error: data/people.ttl:" in result.output and "Warning" not in result.output


@pytest.mark.parametrize(("args", "message"), [(["query", "casualty-claims"], "cannot reach the store"),
                                              (["stats"], "cannot reach the store"),
                                              (["push"], "no Graph Store endpoint")])
def test_store_is_accepted_after_the_command_too(kg, args, message):
    result = kg(*args, "--store", "http://127.0.0.1:9/sparql")
    assert result.exit_code == 1 and "No such option" not in result.output
    assert "http://127.0.0.1:9" in result.output and message in result.output, result.output
