"""IRIs of the project: the ontology namespace, instance IRIs, named graphs and prefixes."""

from __future__ import annotations

BASE = "https://w3id.org/pskg/"
ONTOLOGY = BASE + "ontology#"
INSTANCE = BASE + "id/"
VOCAB = BASE + "vocab/"
GRAPH = BASE + "graph/"

ONTOLOGY_GRAPH = GRAPH + "ontology"
CURATED_GRAPH = GRAPH + "curated"
IMPORT_GRAPH_PREFIX = GRAPH + "import/"

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

#: Kinds of instance; an instance IRI is ``INSTANCE + kind + "/" + slug``.
INSTANCE_KINDS = (
    "person", "state", "org", "place", "conflict", "event", "claim", "source",
    "office", "holding", "decision", "point",
)

PREFIXES: dict[str, str] = {
    "pskg": ONTOLOGY,
    **{kind: f"{INSTANCE}{kind}/" for kind in INSTANCE_KINDS},
    "kind": VOCAB + "conflict-kind/",
    "measure": VOCAB + "measure/",
    "officekind": VOCAB + "office-kind/",
    "status": VOCAB + "event-status/",
    "weapon": VOCAB + "weapon/",
    "damage": VOCAB + "damage/",
    "estimate": VOCAB + "estimate/",
    "sourcekind": VOCAB + "source-kind/",
    "grade": VOCAB + "reliability/",
    "graph": GRAPH,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "schema": "https://schema.org/",
    "orgv": "http://www.w3.org/ns/org#",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "sh": "http://www.w3.org/ns/shacl#",
}


def instance_iri(kind: str, slug: str) -> str:
    """The IRI of an instance, e.g. ``instance_iri("person", "sadyr-japarov")``.

    >>> instance_iri("person", "sadyr-japarov")
    'https://w3id.org/pskg/id/person/sadyr-japarov'
    """
    if kind not in INSTANCE_KINDS:
        raise ValueError(f"unknown instance kind {kind!r}")
    return f"{INSTANCE}{kind}/{slug}"


def compact(iri: str) -> str:
    """Shorten an IRI with the project's prefixes, longest namespace first.

    >>> compact("https://w3id.org/pskg/id/person/sadyr-japarov")
    'person:sadyr-japarov'
    >>> compact("http://example.org/x")
    'http://example.org/x'
    """
    best = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(PREFIXES.get(best, "")):
            local = iri[len(namespace):]
            if local and "/" not in local and "#" not in local:
                best = prefix
    return f"{best}:{iri[len(PREFIXES[best]):]}" if best else iri

