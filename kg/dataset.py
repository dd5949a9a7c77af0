"""A VoID and DCAT description of the dataset, computed from the store at each build and import.

It lives in its own named graph, ``graph/void``: title, licence, version, sizes, one class
partition per class, where the SPARQL endpoint and the dump are to be published, and one
void:Linkset per external identifier scheme (Wikidata, GeoNames, UCDP, ISO 3166,
Gleditsch-Ward) with the number of links, and one void:subset per import with the number of
statements it wrote. Nothing here is hand-counted; imports are not rescanned (each records
its own size), so describing a store of millions of imported statements stays cheap.
"""

from __future__ import annotations

import pyoxigraph as ox

from kg import __version__
from kg.identifiers import SCHEMES
from kg.namespaces import BASE, GRAPH, ONTOLOGY, PREFIXES, RDF_TYPE
from kg.query import internal_query, select_rows
from kg.store import Store

VOID_GRAPH = GRAPH + "void"
DATASET = BASE + "dataset"
#: Where the project means to publish its endpoint and dump (under its w3id namespace).
SPARQL_ENDPOINT = BASE + "sparql"
DUMP = BASE + "dump/pskg.trig"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"

VOID = "http://rdfs.org/ns/void#"
DCAT = PREFIXES["dcat"]
DCT = PREFIXES["dct"]
XSD = PREFIXES["xsd"]

#: External targets: identifier property -> (slug, dataset IRI, title), from kg.identifiers.
LINK_TARGETS = {scheme.property: (scheme.slug, scheme.dataset, scheme.title) for scheme in SCHEMES}


def _n(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_n(XSD + "integer"))


def _en(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


def describe(store: Store) -> list[ox.Quad]:
    """The VoID/DCAT description of what the store holds now, as quads in graph/void."""
    graph = _n(VOID_GRAPH)
    ds = _n(DATASET)
    triples: list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]] = []

    def add(s, p: str, o) -> None:
        triples.append((s, _n(p), o))

    counts = select_rows(store, internal_query("void_counts"))[0]
    add(ds, RDF_TYPE, _n(VOID + "Dataset"))
    add(ds, RDF_TYPE, _n(DCAT + "Dataset"))
    add(ds, DCT + "title", _en("Post-Soviet Conflicts Knowledge Graph"))
    add(ds, DCT + "description", _en(
        "Armed conflicts on the territory of the former Soviet Union since 1988: conflicts and their phases, "
        "parties, people and the offices they held, places, events, agreements, mediation, and casualty and "
        "displacement figures as claims, every statement with its source."))
    add(ds, DCT + "license", _n(LICENSE))
    add(ds, DCAT + "version", ox.Literal(__version__))
    add(ds, PREFIXES["owl"] + "versionInfo", ox.Literal(__version__))
    add(ds, VOID + "uriSpace", ox.Literal(BASE + "id/"))
    for vocabulary in (ONTOLOGY, PREFIXES["skos"], DCT, PREFIXES["geo"], PREFIXES["prov"]):
        add(ds, VOID + "vocabulary", _n(vocabulary))
    imports = select_rows(store, internal_query("void_imports"))
    total = int(counts["triples"].value) + sum(int(r["triples"].value) for r in imports)
    add(ds, VOID + "triples", _int(total))
    for name in ("entities", "classes", "properties"):
        add(ds, VOID + name, _int(int(counts[name].value)))
    add(ds, VOID + "distinctSubjects", _int(int(counts["subjects"].value)))
    add(ds, VOID + "distinctObjects", _int(int(counts["objects"].value)))
    add(ds, VOID + "sparqlEndpoint", _n(SPARQL_ENDPOINT))
    add(ds, VOID + "dataDump", _n(DUMP))
    service, dump = _n(DATASET + "/sparql-service"), _n(DATASET + "/dump")
    add(ds, DCAT + "distribution", dump)
    add(dump, RDF_TYPE, _n(DCAT + "Distribution"))
    add(dump, DCAT + "downloadURL", _n(DUMP))
    add(dump, DCAT + "mediaType", _n("https://www.iana.org/assignments/media-types/application/trig"))
    add(dump, DCT + "title", _en("Every named graph as TriG (kg export --format trig)"))
    sparql_dist = _n(DATASET + "/sparql")
    add(ds, DCAT + "distribution", sparql_dist)
    add(sparql_dist, RDF_TYPE, _n(DCAT + "Distribution"))
    add(sparql_dist, DCAT + "accessService", service)
    add(service, RDF_TYPE, _n(DCAT + "DataService"))
    add(service, DCAT + "endpointURL", _n(SPARQL_ENDPOINT))
    add(service, DCT + "conformsTo", _n("https://www.w3.org/TR/sparql11-protocol/"))
    add(service, DCAT + "servesDataset", ds)

    for row in imports:
        subset = _n(row["graph"].value)
        add(ds, VOID + "subset", subset)
        add(subset, RDF_TYPE, _n(VOID + "Dataset"))
        add(subset, VOID + "triples", _int(int(row["triples"].value)))
        if row.get("title") is not None:
            add(subset, DCT + "title", row["title"])

    for row in select_rows(store, internal_query("void_classes")):
        cls = row["class"].value
        part = _n(DATASET + "/class/" + cls.rsplit("#", 1)[-1])
        add(ds, VOID + "classPartition", part)
        add(part, VOID + "class", _n(cls))
        add(part, VOID + "entities", _int(int(row["count"].value)))

    for row in select_rows(store, internal_query("void_linksets")):
        prop = row["property"].value
        slug, target, title = LINK_TARGETS[prop]
        linkset = _n(DATASET + "/linkset/" + slug)
        add(ds, VOID + "subset", linkset)
        add(linkset, RDF_TYPE, _n(VOID + "Linkset"))
        add(linkset, DCT + "title", _en(f"Identifiers in {title}"))
        add(linkset, VOID + "subjectsTarget", ds)
        add(linkset, VOID + "objectsTarget", _n(target))
        add(linkset, VOID + "linkPredicate", _n(prop))
        add(linkset, VOID + "triples", _int(int(row["links"].value)))
        add(linkset, VOID + "entities", _int(int(row["entities"].value)))
    return [ox.Quad(s, p, o, graph) for s, p, o in triples]
