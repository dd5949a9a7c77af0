"""kg validate: SHACL and the checks beyond it (dates, membership, shared identifiers), and how problems are reported."""

from __future__ import annotations

from kg.cli import main


def test_validate_passes_on_shipped_data(kg):
    result = kg("validate")
    assert result.exit_code == 0, result.output
    assert "conforms" in result.output


def test_validate_reports_violations_and_exits_1(runner, scratch_project):
    path = scratch_project.data_dir / "conflicts" / "azerbaijan-attack-on-armenia-2022-09.ttl"
    text = path.read_text(encoding="utf-8").replace(
        'pskg:startDate "2022-09-12"^^xsd:date ; pskg:endDate "2022-09-14"^^xsd:date',
        'pskg:startDate "2022-09-15"^^xsd:date ; pskg:endDate "2022-09-14"^^xsd:date',
    ).replace("    pskg:hasClaimant state:azerbaijan ;\n", "").replace(
        '    pskg:hasSummary "Azerbaijani forces shelled', '    pskg:hasSummary "A second summary."@en , "Azerbaijani forces shelled', 1)
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(main, ["--root", str(scratch_project.root), "validate"])
    assert result.exit_code == 1, result.output
    assert "conflict:azerbaijan-attack-on-armenia-2022-09: start date 2022-09-15 is after end date 2022-09-14" in result.output
    assert "claim:am-az-2022-azerbaijani-dead-79 pskg:hasClaimant: has no claimant" in result.output
    assert "pskg:hasSummary: has more than one summary in one language (write one)" in result.output


def test_validate_checks_calendar_dates_and_membership_of_the_whole(runner, scratch_project):
    path = scratch_project.data_dir / "conflicts" / "azerbaijan-attack-on-armenia-2022-09.ttl"
    path.write_text(path.read_text(encoding="utf-8").replace(
        'pskg:startDate "2022-09-12"^^xsd:date ; pskg:endDate "2022-09-14"^^xsd:date',
        'pskg:startDate "2022-02-30"^^xsd:date ; pskg:endDate "2022-13"^^xsd:gYearMonth',
    ), encoding="utf-8")
    whole = scratch_project.data_dir / "conflicts" / "armenia-azerbaijan-conflict.ttl"
    whole.write_text(whole.read_text(encoding="utf-8").replace(
        "    pskg:isPartOfSystem conflict:post-soviet-conflicts ;\n", ""), encoding="utf-8")
    result = runner.invoke(main, ["--root", str(scratch_project.root), "validate"])
    assert result.exit_code == 1, result.output
    assert "pskg:startDate 2022-02-30 is not a valid xsd:date" in result.output
    assert "pskg:endDate 2022-13 is not a valid xsd:gYearMonth" in result.output
    assert ("conflict:armenia-azerbaijan-conflict: is neither a phase of a conflict (pskg:isPhaseOf) "
            "nor part of a conflict system") in result.output
    assert "Traceback" not in result.output


def test_validate_reports_shared_identifiers(runner, scratch_project):
    path = scratch_project.data_dir / "places.ttl"
    path.write_text(path.read_text(encoding="utf-8").replace('pskg:hasGeonamesId "1528675"', 'pskg:hasGeonamesId "1221874"'),
                    encoding="utf-8")
    result = runner.invoke(main, ["--root", str(scratch_project.root), "validate"])
    assert result.exit_code == 1, result.output
    assert "place:bishkek: shares pskg:hasGeonamesId 1221874 with place:dushanbe" in result.output
