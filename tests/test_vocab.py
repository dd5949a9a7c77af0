"""The vocabulary module (kg/vocab.py) and the identifier schemes (kg/identifiers.py)."""

from __future__ import annotations

import pytest

from kg import vocab
from kg.identifiers import SCHEMES
from kg.importers.base import P, V
from kg.vocabulary import generate

from .conftest import ROOT


def test_regenerating_the_vocabulary_changes_nothing():
    assert generate(ROOT / "ontology") == (ROOT / "kg" / "vocab.py").read_text(encoding="utf-8"), \
        "ontology/ changed: run python -m kg.vocabulary > kg/vocab.py"


def test_the_vocabulary_is_closed():
    assert vocab.PSKG.hasSource == "https://w3id.org/pskg/ontology#hasSource"
    assert vocab.MEASURE.dead_and_missing == "https://w3id.org/pskg/vocab/measure/dead-and-missing"
    assert vocab.GRADE.A.endswith("/reliability/A")
    with pytest.raises(AttributeError):
        vocab.PSKG.hasSauce  # noqa: B018 - a misspelt term fails where it is used
    with pytest.raises(AttributeError):
        P("hasSauce")
    with pytest.raises(AttributeError):
        V("measure", "killd")
    assert P("hasParty") == "<https://w3id.org/pskg/ontology#hasParty>"


def test_every_identifier_scheme_is_an_ontology_property_with_one_entry():
    properties = [s.property for s in SCHEMES]
    assert len(properties) == len(set(properties)) == 6
    assert all(p in vars(vocab.PSKG).values() for p in properties)
    assert SCHEMES[0].url("Q123") == "https://www.wikidata.org/wiki/Q123"
