"""Find entities by any of their names, resolve references to IRIs, and build entity cards."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.errors import KgError
from kg.identifiers import SCHEMES
from kg.namespaces import INSTANCE, PREFIXES, RDF_TYPE, compact
from kg.query import bind, internal_query, select_rows
from kg.store import Store
from kg.vocab import PSKG

SKOS = PREFIXES["skos"]
RDFS = PREFIXES["rdfs"]
LABEL_PROPERTIES = {SKOS + "prefLabel", SKOS + "altLabel", PSKG.hasFormerName}
ID_PROPERTIES = {scheme.property: scheme.name for scheme in SCHEMES}


def fold(text: str) -> str:
    """Lower-case without accents, for matching names typed without them.

    >>> fold("António")
    'antonio'
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class Match:
    """A search hit: the entity, the name that matched, and how well."""

    iri: str
    label: str
    matched: str
    score: float


STRONG_MATCH = 70.0
EXACT_MATCH = 100.0 - 1.0  # a whole-name match, less the length penalty


def _score(needle: str, name: str, is_preferred: bool) -> float:
    folded = fold(name)
    if folded == needle:
        score = 100.0
    elif folded.startswith(needle):
        score = 80.0
    elif needle in folded.split():
        score = 70.0
    elif any(word.startswith(needle) for word in folded.split()):
        score = 60.0
    else:
        score = 40.0
    # shorter names that match are closer matches; preferred names beat variants
    return score + (5.0 if is_preferred else 0.0) - len(folded) / 100.0


def search(store: Store, text: str, *, limit: int = 10, lang: str = "en") -> list[Match]:
    """Entities one of whose names contains ``text`` (any case), best match first."""
    needle = fold(text.strip())
    if not needle:
        raise KgError("search text is empty")
    rows = select_rows(store, internal_query("search"), {"needle": ox.Literal(text.strip().lower())})
    if needle != text.strip().lower():
        rows += select_rows(store, internal_query("search"), {"needle": ox.Literal(needle)})
    best: dict[str, tuple[float, str]] = {}
    for row in rows:
        entity = row["entity"]
        if not isinstance(entity, ox.NamedNode):
            continue
        name = row["label"].value
        score = _score(needle, name, row["property"].value == SKOS + "prefLabel")
        if entity.value not in best or score > best[entity.value][0]:
            best[entity.value] = (score, name)
    ranked = sorted(best.items(), key=lambda item: (-item[1][0], item[0]))[:limit]
    return [Match(iri, label(store, iri, lang), name, score) for iri, (score, name) in ranked]


def label(store: Store, iri: str, lang: str = "en") -> str:
    """The preferred label in ``lang``, else English, else any; the compact IRI if none."""
    rows = select_rows(store, internal_query("labels"), {"entity": ox.NamedNode(iri)})
    by_lang: dict[str, str] = {}
    for row in rows:
        literal = row["label"]
        key = literal.language or ""
        if row["property"].value == SKOS + "prefLabel" or key not in by_lang:
            by_lang[key] = literal.value
    for key in (lang, "en", ""):
        if key in by_lang:
            return by_lang[key]
    return next(iter(by_lang.values()), compact(iri))


def exists(store: Store, iri: str) -> bool:
    """True when the IRI is the subject of at least one triple."""
    return bool(store.query(bind(internal_query("exists"), {"entity": ox.NamedNode(iri)})))


def resolve(store: Store, ref: str) -> str:
    """The IRI an entity reference names.

    A reference is a full IRI (``<...>`` or ``https://...``), a compact one
    (``person:sadyr-japarov``), a path (``person/sadyr-japarov``), a slug
    (``sadyr-japarov``) or a name in any spelling the graph knows (``Schaparov``).
    """
    text = ref.strip()
    if not text:
        raise KgError("empty entity reference")
    candidates = _iri_candidates(text)
    for iri in candidates:
        if exists(store, iri):
            return iri
    if candidates and text.startswith(("<", "http://", "https://", "urn:")):
        raise KgError(f"unknown entity {ref!r}: no statements about that IRI")
    if " " not in text and ":" not in text:
        suffix = ox.Literal("/" + text.strip("/"))
        hits = sorted(r["entity"].value for r in select_rows(store, internal_query("resolve_slug"), {"suffix": suffix}))
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise KgError(f"ambiguous entity {ref!r}: {', '.join(compact(h) for h in hits)}")
    return _resolve_name(store, ref, text)


def _iri_candidates(text: str) -> list[str]:
    """IRIs a reference may spell: full, in angle brackets, prefixed, or an instance path."""
    if text.startswith("<") and text.endswith(">"):
        return [text[1:-1]]
    if text.startswith(("http://", "https://", "urn:")):
        return [text]
    candidates = []
    prefix, sep, local = text.partition(":")
    if sep and prefix in PREFIXES and "/" not in local:
        candidates.append(PREFIXES[prefix] + local)
    if "/" in text and " " not in text:
        candidates.append(INSTANCE + text.strip("/"))
    return candidates


def _resolve_name(store: Store, ref: str, text: str) -> str:
    matches = search(store, text, limit=5)
    # a whole name, a name's start or a whole word of it: accept when one entity has such a match
    strong = [m for m in matches if m.score >= STRONG_MATCH]
    exact = [m for m in strong if m.score >= EXACT_MATCH]
    if len(exact) == 1:  # one entity bears the whole name: it wins over names that merely start so
        return exact[0].iri
    if len(strong) == 1 or (len(matches) == 1 and matches):
        return (strong or matches)[0].iri
    if len(strong) > 1:
        raise KgError(f"ambiguous entity {ref!r}: {', '.join(compact(m.iri) for m in strong)}")
    suggestions = [compact(m.iri) for m in matches[:3]] or _close_names(store, text)
    hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
    raise KgError(f"unknown entity {ref!r}{hint}")


def _close_names(store: Store, text: str) -> list[str]:
    """Entities whose names are spelled close to ``text`` (a typo: "Japarof"), found among those
    whose names share its beginning."""
    import difflib

    if len(text) < 4:
        return []
    pool = {m.matched.lower(): m.iri for m in search(store, text[: max(4, len(text) // 2)], limit=50)}
    close = difflib.get_close_matches(text.lower(), list(pool), n=3, cutoff=0.7)
    return list(dict.fromkeys(compact(pool[name]) for name in close))


@dataclass
class Fact:
    """One statement on a card: property and value as read, with the IRIs behind them."""

    property: str
    value: str
    property_iri: str
    value_iri: str | None = None


@dataclass
class ClaimLine:
    label: str
    value: str
    measure: str
    claimants: list[str]
    reported: str
    sources: list[str]
    #: the best reliability grade (A-F) among its sources' publishers; "" when none is graded
    grade: str = ""


@dataclass
class EntityCard:
    """Everything the graph says about one entity, ready to print."""

    iri: str
    label: str
    kinds: list[str]
    names: dict[str, list[str]]
    identifiers: dict[str, str]
    facts: list[Fact]
    incoming: list[Fact]
    claims: list[ClaimLine]
    sources: list[tuple[str, str]] = field(default_factory=list)
    #: how many statements point at it and how many claims concern it, where the card shows
    #: only the first CARD_LIMIT of them (None: it shows them all); COUNT_LIMIT + 1 means more
    incoming_total: int | None = None
    claims_total: int | None = None


#: Most incoming statements and claims a card lists; an imported dataset's organisation is the
#: claimant of hundreds of thousands of claims, which no card can show (or label) in time.
CARD_LIMIT = 500
#: Totals past this are given as "more than" (counting millions exactly costs seconds).
COUNT_LIMIT = 10_000


def card(store: Store, iri: str, *, lang: str = "en") -> EntityCard:
    """The entity card: names, kinds, facts, claims with sources, external identifiers."""
    labels: dict[str, str] = {}

    def name_of(node: object) -> str:
        if isinstance(node, ox.NamedNode):
            if node.value not in labels:
                labels[node.value] = label(store, node.value, lang)
            return labels[node.value]
        return node.value if isinstance(node, ox.Literal) else str(node)

    entity = ox.NamedNode(iri)
    names: dict[str, list[str]] = {}
    kinds: list[str] = []
    identifiers: dict[str, str] = {}
    facts: list[Fact] = []
    source_iris: list[str] = []
    for row in select_rows(store, internal_query("card_outgoing"), {"entity": entity}):
        prop, value = row["property"].value, row["value"]
        if prop in LABEL_PROPERTIES and isinstance(value, ox.Literal):
            key = {SKOS + "prefLabel": "preferred", SKOS + "altLabel": "variant"}.get(prop, "former")
            names.setdefault(key, []).append(f"{value.value}" + (f" ({value.language})" if value.language else ""))
        elif prop == RDF_TYPE:
            kinds.append(name_of(value))
        elif prop in ID_PROPERTIES and isinstance(value, ox.Literal):
            identifiers[ID_PROPERTIES[prop]] = value.value
        elif prop == PSKG.hasSource and isinstance(value, ox.NamedNode):
            source_iris.append(value.value)
        else:
            value_iri = value.value if isinstance(value, ox.NamedNode) else None
            facts.append(Fact(name_of(row["property"]), name_of(value), prop, value_iri))
    incoming_rows = select_rows(store, internal_query("card_incoming"), {"entity": entity})
    incoming_total = _count(store, "card_count_incoming", entity) if len(incoming_rows) > CARD_LIMIT else None
    incoming = [
        Fact(name_of(row["property"]), name_of(row["subject"]), row["property"].value, row["subject"].value)
        for row in sorted(incoming_rows[:CARD_LIMIT], key=lambda r: (r["property"].value, str(r["subject"])))
        if isinstance(row["subject"], ox.NamedNode) and row["property"].value != PSKG.hasSource
    ]
    claims, claims_total = _claims(store, entity, name_of)
    if not source_iris:  # an imported record: the dataset its import's graph is derived from
        source_iris = [row["source"].value for row in select_rows(store, internal_query("card_imported_from"),
                                                                  {"entity": entity})]
    sources = [(name_of(ox.NamedNode(s)), _source_address(store, s)) for s in sorted(set(source_iris))]
    return EntityCard(
        iri=iri, label=label(store, iri, lang), kinds=sorted(set(kinds)), names=names,
        identifiers=identifiers, facts=facts, incoming=incoming, claims=claims, sources=sources,
        incoming_total=incoming_total, claims_total=claims_total,
    )


def _count(store: Store, query: str, entity: ox.NamedNode) -> int:
    return int(select_rows(store, internal_query(query), {"entity": entity})[0]["n"].value)


def _claims(store: Store, entity: ox.NamedNode, name_of) -> tuple[list[ClaimLine], int | None]:
    """The claims of a card, by date reported, and their total if there are more than it shows."""
    rows = select_rows(store, internal_query("card_claims"), {"entity": entity})
    total = _count(store, "card_count_claims", entity) if len(rows) > CARD_LIMIT else None
    rows = sorted(rows[:CARD_LIMIT], key=lambda r: (r["reported"].value if "reported" in r else "", r["claim"].value))
    grouped: dict[str, ClaimLine] = {}
    for row in rows:
        key = row["claim"].value
        line = grouped.setdefault(key, ClaimLine(
            label=name_of(row["claim"]),
            value=row["value"].value if "value" in row else "",
            measure=name_of(row["measure"]) if "measure" in row else "",
            claimants=[], reported=row["reported"].value if "reported" in row else "", sources=[],
        ))
        for column, bucket in (("claimant", line.claimants), ("source", line.sources)):
            if column in row:
                text = name_of(row[column])
                if text not in bucket:
                    bucket.append(text)
        if "grade" in row and (not line.grade or row["grade"].value < line.grade):
            line.grade = row["grade"].value
    return list(grouped.values()), total


def _source_address(store: Store, iri: str) -> str:
    rows = select_rows(store, internal_query("card_outgoing"), {"entity": ox.NamedNode(iri)})
    for row in rows:
        if row["property"].value in (PSKG.hasUrl, PSKG.hasLocalCopy):
            return row["value"].value
    return compact(iri)
