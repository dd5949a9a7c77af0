"""kg links: the table of external identifiers and ACLED names, as CSV and Turtle."""

from __future__ import annotations

import csv

import pytest

from tests.test_import import FIXTURES, SHARED_UCDP, brd_file


def test_link_table_lists_identifiers_and_acled_names(kg_in):
    assert kg_in("import", "acled", str(FIXTURES / "acled_newer.csv")).exit_code == 0
    result = kg_in("links", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = {r["entity"]: r for r in csv.DictReader(result.output.splitlines())}
    assert rows["state:kyrgyzstan"]["iso_3166"] == "KG" and rows["state:kyrgyzstan"]["wikidata"] == "Q813"
    assert rows["state:kyrgyzstan"]["acled_names"] == "Military Forces of Kyrgyzstan (2021-)"
    assert rows["conflict:kyrgyzstan-tajikistan-border-conflict"]["ucdp_conflict"] == "13324"
    ttl = kg_in("links", "--format", "ttl").output
    assert 'pskg:hasAcledName "Military Forces of Kyrgyzstan (2021-)"' in ttl


def _sssom_rows(text: str) -> list[dict[str, str]]:
    body = [line for line in text.splitlines() if not line.startswith("#")]
    return list(csv.DictReader(body, delimiter="\t"))


def test_links_as_sssom_pass_the_sssom_validator(kg, tmp_path):
    """kg links --format sssom: every curated mapping, read back by the sssom package without a
    row dropped, its prefixes complete and its CURIEs strict; `sssom validate` accepts it."""
    import shutil
    import subprocess

    sssom = pytest.importorskip("sssom", reason="the sssom package (pip install -e '.[test]') is absent")
    from sssom.constants import SchemaValidationType
    from sssom.parsers import parse_sssom_table
    from sssom.validators import validate

    path = tmp_path / "links.sssom.tsv"
    result = kg("links", "--format", "sssom", "--output", str(path))
    assert result.exit_code == 0, result.output
    text = path.read_text(encoding="utf-8")
    rows = _sssom_rows(text)
    assert {"subject_id", "predicate_id", "object_id", "mapping_justification"} <= set(rows[0])
    by = {(r["subject_id"], r["object_id"]): r for r in rows}
    assert by[("person:vladimir-putin", "wikidata:Q7747")]["predicate_id"] == "skos:exactMatch"
    assert by[("conflict:armenia-azerbaijan-conflict", "ucdp.conflict:388")]["predicate_id"] == "skos:closeMatch"
    assert by[("conflict:georgian-abkhaz-conflict", "ucdp.conflict:4747")]["predicate_id"] == "skos:narrowMatch"
    assert {r["mapping_justification"] for r in rows} == {"semapv:ManualMappingCuration"}
    assert {r["predicate_id"] for r in rows} <= {"skos:exactMatch", "skos:closeMatch", "skos:narrowMatch"}
    mapping_set = parse_sssom_table(path)
    assert len(mapping_set.df) == len(rows)  # the parser drops a row that is not well-formed
    validate(mapping_set, validation_types=[SchemaValidationType.JsonSchema, SchemaValidationType.PrefixMapCompleteness,
                                            SchemaValidationType.StrictCurieFormat], fail_on_error=True)
    command = shutil.which("sssom")
    if command:
        checked = subprocess.run([command, "validate", str(path)], capture_output=True, text=True, timeout=300)
        assert checked.returncode == 0 and "not well-formed" not in checked.stdout + checked.stderr, checked.stderr
    assert sssom is not None


@brd_file
def test_an_actor_an_import_matched_by_name_is_a_lexical_mapping(kg_in):
    """An actor the catalogue names but whose UCDP id it does not carry: the import matches it by
    name and records the id in its own graph; SSSOM lists that mapping as LexicalMatching with
    a confidence and the day, beside the curated ones, and it survives a re-import."""
    sssom = pytest.importorskip("sssom", reason="the sssom package (pip install -e '.[test]') is absent")
    from sssom.parsers import parse_sssom_table

    orgs = kg_in.project.root / "data" / "states-and-organisations.ttl"
    text = orgs.read_text(encoding="utf-8")
    assert text.count('    pskg:hasUcdpActorId "333" ;\n') == 1  # the Zviadists
    orgs.write_text(text.replace('    pskg:hasUcdpActorId "333" ;\n', ""), encoding="utf-8")
    acd = SHARED_UCDP / "ucdp_acd_v23_1_postsoviet.csv"
    assert kg_in("import", "ucdp-acd", str(acd)).exit_code == 0

    def lexical() -> list[dict[str, str]]:
        result = kg_in("links", "--format", "sssom")
        assert result.exit_code == 0, result.output
        return [r for r in _sssom_rows(result.output) if r["mapping_justification"] == "semapv:LexicalMatching"]

    rows = lexical()
    assert [(r["subject_id"], r["object_id"], r["predicate_id"]) for r in rows] == [
        ("org:zviadists", "ucdp.actor:333", "skos:exactMatch")]
    assert rows[0]["confidence"] == "0.9" and len(rows[0]["mapping_date"]) == 10
    assert "UCDP/PRIO Armed Conflict Dataset version 23.1" in rows[0]["comment"]
    changed = kg_in.project.root / "acd.csv"  # a corrected release (one start date changed), imported anew
    fixed = acd.read_text(encoding="utf-8").replace('"1993","1","0","3","1991-12-22"', '"1993","1","0","3","1991-12-21"', 1)
    changed.write_text(fixed, encoding="utf-8")
    assert kg_in("import", "ucdp-acd", str(changed), "--replace").exit_code == 0
    assert [(r["subject_id"], r["object_id"]) for r in lexical()] == [("org:zviadists", "ucdp.actor:333")]
    path = kg_in.project.root / "links.sssom.tsv"
    assert kg_in("links", "--format", "sssom", "--output", str(path)).exit_code == 0
    assert len(parse_sssom_table(path).df) == len(_sssom_rows(path.read_text(encoding="utf-8")))
    assert sssom is not None
