"""kg links: the table of external identifiers and ACLED names, as CSV and Turtle."""

from __future__ import annotations

import csv

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
