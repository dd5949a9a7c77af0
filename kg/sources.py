"""What the curated claims rest on: sources by kind, grade and host, and the claims on weak sources.

A source's grade is its publisher's reliability grade (A-F, the Admiralty scale; the rules are in
data/README.md); a copy (``pskg:Copy``) is never graded, it only says how an original was read.
A claim's grade is the best grade among its sources. The figures are the ones the catalogue is
held to: no claim on copies alone, few on an encyclopedia alone, most with an A-C source.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from kg.namespaces import PREFIXES, compact
from kg.query import internal_query, select_rows
from kg.store import Store

GRADES = ("A", "B", "C", "D", "E", "F")
ENCYCLOPEDIA = PREFIXES["sourcekind"] + "encyclopedia"
COPY = PREFIXES["sourcekind"] + "copy"

#: Hosts that only reproduce others' text (Wikipedia mirrors, content farms, CDN and IPFS
#: gateways). A source on one of them that is not marked a pskg:Copy is reported: it would pass
#: a copy off as the original. A suffix matches the host and its subdomains.
COPY_HOSTS = (
    "azureedge.net", "cloudfront.net", "ipfs.io", "dweb.link", "wikimili.com", "piglix.com",
    "wikiwand.com", "popflock.com", "military-history.fandom.com", "wiki2.org", "en-academic.com", "academic.ru",
    "owiki.org", "datana.com", "gravy.com", "chuanqisf.com", "searchvn.net", "rushprnews.com",
    "d1softballnews.com", "bbabo.net", "exbulletin.com", "fundscene.com", "gettotext.com",
    "hirkatalogus.hu", "maltanewsgazette.com", "wikizero.com", "everybodywiki.com", "dbpedia.org",
    "infogalactic.com", "alchetron.com", "justapedia.org", "wiki.edu.vn", "aroundus.com",
)


def is_copy_host(url: str) -> bool:
    """True when the URL's host is, or is under, one of COPY_HOSTS (or an IPFS gateway path)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in COPY_HOSTS) or parts.path.startswith("/ipfs/")


@dataclass(frozen=True)
class Source:
    iri: str
    kind: str
    publisher: str
    grade: str
    url: str
    copy: bool
    read_through: str

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower().removeprefix("www.") if self.url else ""


@dataclass
class ClaimSources:
    """One claim and what it rests on."""

    iri: str
    label: str
    grade: str = ""
    sources: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    copies: int = 0

    @property
    def only_copies(self) -> bool:
        return bool(self.sources) and self.copies == len(self.sources)

    @property
    def only_encyclopedia(self) -> bool:
        """Every source is an encyclopedia or a copy (Wikipedia and its mirrors, at best)."""
        return bool(self.sources) and all(k in (ENCYCLOPEDIA, COPY) for k in self.kinds) and \
            len(self.kinds) + self.copies >= len(self.sources)

    @property
    def weak(self) -> bool:
        return self.grade not in ("A", "B", "C")

    def as_dict(self) -> dict:
        return {"claim": self.iri, "label": self.label, "grade": self.grade or None,
                "sources": self.sources, "only_copies": self.only_copies,
                "only_encyclopedia": self.only_encyclopedia}


@dataclass
class SourcesReport:
    sources: list[Source]
    claims: list[ClaimSources]

    @property
    def figures(self) -> dict[str, float | int]:
        total = len(self.claims)

        def share(n: int) -> float:
            return round(100 * n / total, 1) if total else 0.0

        on_copies = sum(c.only_copies for c in self.claims)
        on_encyclopedia = sum(c.only_encyclopedia for c in self.claims)
        graded = sum(not c.weak for c in self.claims)
        return {
            "claims": total,
            "claims_only_on_copies": on_copies,
            "claims_only_on_encyclopedia_or_copies": on_encyclopedia,
            "claims_only_on_encyclopedia_or_copies_percent": share(on_encyclopedia),
            "claims_with_a_source_graded_a_to_c": graded,
            "claims_with_a_source_graded_a_to_c_percent": share(graded),
            "claims_ungraded": sum(not c.grade for c in self.claims),
            "sources": len(self.sources),
            "unmarked_copies": len(self.unmarked_copies),
        }

    @property
    def by_kind(self) -> Counter:
        return Counter(compact(s.kind) if s.kind else "(no kind)" for s in self.sources)

    @property
    def by_grade(self) -> Counter:
        return Counter(("copy" if s.copy else s.grade or "(ungraded)") for s in self.sources)

    @property
    def by_host(self) -> Counter:
        return Counter(s.host for s in self.sources if s.host)

    @property
    def weak_claims(self) -> list[ClaimSources]:
        return [c for c in self.claims if c.weak or c.only_copies or c.only_encyclopedia]

    @property
    def unmarked_copies(self) -> list[Source]:
        """Sources on a known copy host that are not marked pskg:Copy."""
        return [s for s in self.sources if s.url and not s.copy and is_copy_host(s.url)]

    def as_dict(self) -> dict:
        return {
            "figures": self.figures,
            "by_kind": dict(self.by_kind.most_common()),
            "by_grade": dict(sorted(self.by_grade.items())),
            "by_host": dict(self.by_host.most_common()),
            "weak_claims": [c.as_dict() for c in self.weak_claims],
            "unmarked_copies": [s.iri for s in self.unmarked_copies],
        }


def report(store: Store) -> SourcesReport:
    """The sources of the curated data and what each claim rests on."""
    sources = []
    for row in select_rows(store, internal_query("sources_list")):
        def text(name: str, row=row) -> str:
            return row[name].value if name in row else ""
        sources.append(Source(
            iri=text("source"), kind=text("kind"), publisher=text("publisher"), grade=text("grade"),
            url=text("url"), copy=text("copy") == "true", read_through=text("readThrough")))
    claims: dict[str, ClaimSources] = {}
    for row in select_rows(store, internal_query("sources_claims")):
        iri = row["claim"].value
        claim = claims.setdefault(iri, ClaimSources(iri, row["label"].value if "label" in row else compact(iri)))
        if "source" not in row or row["source"].value in claim.sources:
            continue
        claim.sources.append(row["source"].value)
        if row["copy"].value == "true":
            claim.copies += 1
        elif "kind" in row:
            claim.kinds.append(row["kind"].value)
        if "grade" in row and (not claim.grade or row["grade"].value < claim.grade):
            claim.grade = row["grade"].value
    return SourcesReport(sources=sources, claims=sorted(claims.values(), key=lambda c: c.iri))
