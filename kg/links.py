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


SSSOM_LICENCE = "https://creativecommons.org/licenses/by/4.0/"
MAPPING_SET = "https://w3id.org/pskg/mappings/links.sssom.tsv"


#: The confidence given to a UCDP actor id that an import matched by name. The importers' rules
#: (a "Government of X" name with the state's Gleditsch-Ward code, or one actor with exactly that
#: name) matched all 35 of the 35 post-Soviet UCDP actors whose ids the catalogue curates to the
#: right entity (`python bench/reconcile.py`); the figure is set below 1 for the names not seen.
LEXICAL_CONFIDENCE = 0.9


def links_sssom(store: Store, *, version: str = "") -> str:
    """Every mapping as an SSSOM table (TSV with its YAML metadata block): a catalogue entity,
    skos:exactMatch or closeMatch, an outside identifier (Wikidata, GeoNames, ISO 3166-1,
    Gleditsch-Ward, UCDP conflict and actor ids); from data/ucdp-scope.ttl, skos:narrowMatch
    from a catalogue conflict to a UCDP conflict it covers. Curated ones are
    semapv:ManualMappingCuration (the curated data records ids seen beside the names); the UCDP
    actor ids that an import matched by name are semapv:LexicalMatching, with a confidence, the
    day of the import and the dataset in a comment.
    """
    import csv
    import io
    import json

    from kg.identifiers import BY_PROPERTY, Scheme
    from kg.vocab import PSKG

    covered = Scheme(PSKG.isCoveredBy, "UCDP conflict", "", "", "", None, "ucdp.conflict",
                     BY_PROPERTY[PSKG.hasUcdpConflictId].expansion, "skos:narrowMatch")
    schemes = {**BY_PROPERTY, PSKG.isCoveredBy: covered}
    instance = {kind: ns for kind, ns in PREFIXES.items() if ns.startswith("https://w3id.org/pskg/id/")}
    curie_map = {**instance, "skos": PREFIXES["skos"], "semapv": "https://w3id.org/semapv/vocab/",
                 **{s.curie: s.expansion for s in BY_PROPERTY.values()}}
    def quoted(value: str) -> str:  # YAML: a "#" or ": " in a plain value would end or split it
        return json.dumps(value, ensure_ascii=False)

    head = ["# curie_map:"] + [f"#   {prefix}: {quoted(ns)}" for prefix, ns in sorted(curie_map.items())]
    head += [f"# mapping_set_id: {quoted(MAPPING_SET)}", f"# license: {quoted(SSSOM_LICENCE)}",
             "# mapping_set_description: " + quoted(
                 "The Post-Soviet conflicts knowledge graph's entities and the identifiers they carry in other "
                 "datasets: curated by hand, and UCDP actor ids that imports matched by name"),
             "# mapping_provider: " + quoted("https://w3id.org/pskg/")]
    if version:
        head.append(f"# mapping_set_version: {quoted(version)}")
    out = io.StringIO()
    out.write("\n".join(head) + "\n")
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(["subject_id", "subject_label", "predicate_id", "object_id", "object_source",
                     "mapping_justification", "confidence", "mapping_date", "comment"])
    for row in select_rows(store, internal_query("links_sssom")):
        scheme = schemes[row["property"].value]
        curated = "graph" not in row
        comment = "" if curated else (f"matched by name by the import of {row['dataset'].value}"
                                      if "dataset" in row else "matched by name by an import")
        writer.writerow([compact(row["entity"].value), row["label"].value if "label" in row else "",
                         scheme.match, f"{scheme.curie}:{row['id'].value}", scheme.dataset or
                         BY_PROPERTY[PSKG.hasUcdpConflictId].dataset,
                         "semapv:ManualMappingCuration" if curated else "semapv:LexicalMatching",
                         "" if curated else LEXICAL_CONFIDENCE, "" if curated else row["when"].value[:10], comment])
    return out.getvalue()
