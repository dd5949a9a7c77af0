"""The outside identifier schemes the graph links to, in one table that every module reads:
entity cards, network views, the VoID linksets, the entity pages."""

from __future__ import annotations

from dataclasses import dataclass

from kg.vocab import PSKG


@dataclass(frozen=True)
class Scheme:
    property: str
    #: the name a card shows
    name: str
    #: the short name of its VoID linkset
    slug: str
    #: the dataset it points into, and that dataset's title
    dataset: str
    title: str
    #: a page for one identifier ("{}" is the identifier), where the scheme has pages
    page: str | None = None
    #: in SSSOM mapping tables: the CURIE prefix of the identifiers and what it expands to
    #: (the scheme's own IRIs where it has them; else names under the project's w3id space),
    #: and the SKOS predicate from a catalogue entity to its identifier
    curie: str = ""
    expansion: str = ""
    match: str = "skos:exactMatch"

    def url(self, identifier: str) -> str | None:
        return self.page.format(identifier) if self.page else None


_EXTERNAL = "https://w3id.org/pskg/external/"

SCHEMES = (
    Scheme(PSKG.hasWikidataId, "Wikidata", "wikidata", "https://www.wikidata.org/", "Wikidata",
           "https://www.wikidata.org/wiki/{}", "wikidata", "http://www.wikidata.org/entity/"),
    Scheme(PSKG.hasGeonamesId, "GeoNames", "geonames", "https://www.geonames.org/", "GeoNames",
           "https://www.geonames.org/{}", "geonames", "https://www.geonames.org/"),
    Scheme(PSKG.hasIsoCode, "ISO 3166-1", "iso-3166", "https://www.iso.org/iso-3166-country-codes.html", "ISO 3166-1",
           None, "iso3166", "https://www.iso.org/obp/ui/#iso:code:3166:"),
    Scheme(PSKG.hasGleditschWardCode, "Gleditsch-Ward", "gleditsch-ward", "http://ksgleditsch.com/data-4.html",
           "Gleditsch and Ward list of independent states", None, "gw", _EXTERNAL + "gleditsch-ward/"),
    # a catalogue conflict is often cut differently from UCDP's (phases, dyads): a close match
    Scheme(PSKG.hasUcdpConflictId, "UCDP conflict", "ucdp-conflicts", "https://ucdp.uu.se/downloads/#armedconflict",
           "UCDP/PRIO Armed Conflict Dataset", None, "ucdp.conflict", _EXTERNAL + "ucdp-conflict/",
           "skos:closeMatch"),
    Scheme(PSKG.hasUcdpActorId, "UCDP actor", "ucdp-actors", "https://ucdp.uu.se/downloads/#actor",
           "UCDP Actor Dataset", None, "ucdp.actor", _EXTERNAL + "ucdp-actor/"),
)
BY_PROPERTY = {scheme.property: scheme for scheme in SCHEMES}
BY_NAME = {scheme.name: scheme for scheme in SCHEMES}
