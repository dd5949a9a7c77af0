"""The link table: the graph's entities and their identifiers in other datasets."""

from __future__ import annotations

import pyoxigraph as ox

from kg.namespaces import PREFIXES, compact
from kg.query import internal_query, select_rows
from kg.store import Store

COLUMNS = ["entity", "label", "wikidata", "geonames", "ucdp_conflict", "ucdp_actor", "iso_3166", "gleditsch_ward",
           "acled_names"]
_VARIABLES = ["entity", "label", "wikidataIds", "geonamesIds", "ucdpConflictIds", "ucdpActorIds", "isoCodes",
              "gwCodes", "acledNames"]


def link_rows(store: Store) -> tuple[list[str], list[list[str]]]:
    """One row per entity that carries an outside identifier (curated or from an import)."""
    rows = []
    for row in select_rows(store, internal_query("links")):
        values = [row[v].value if v in row else "" for v in _VARIABLES]
        values[0] = compact(values[0])
        rows.append(values)
    return COLUMNS, rows


def links_turtle(store: Store) -> str:
    """The same links as Turtle (identifier statements and English labels)."""
    result = store.query(internal_query("links_construct").text)
    return ox.serialize(sorted(result, key=str), format=ox.RdfFormat.TURTLE,
                        prefixes={k: PREFIXES[k] for k in ("pskg", "skos", "person", "state", "org", "place",
                                                            "conflict")}).decode("utf-8")
