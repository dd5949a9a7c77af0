"""kg links: the table of external identifiers and ACLED names, as CSV and Turtle."""

from __future__ import annotations

import csv

import pytest

from tests.test_import import FIXTURES


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
