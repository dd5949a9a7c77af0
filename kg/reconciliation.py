"""Reconciliation against the graph, as OpenRefine asks it: the W3C Entity Reconciliation API,
version 0.2 (https://reconciliation-api.github.io/specs/0.2/), and `kg reconcile` for CSV files.

A query is a name, with an optional type (person, state, organisation, place, conflict,
event) and property conditions (``country``, ``date``, ``ucdp`` id, ``wikidata`` id). The
candidates are the graph's entities by any of their names (variants, transliterations,
native scripts) and, for UCDP's actor names ("Government of Tajikistan", "Forces of ..."),
the entity the importers link those names to. Scores run from 0 to 100; an identifier
condition that holds gives 100, a country or date condition moves a score up or down, and
``match`` is true only for an unambiguous exact name of the right type.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.dates import within
from kg.entities import fold, label, search
from kg.errors import KgError
from kg.namespaces import INSTANCE, PREFIXES
from kg.query import bind, internal_query, select_rows
from kg.store import Store
from kg.vocab import PSKG

#: The types a query may name: id -> (name, the ontology class).
TYPES = {
    "person": ("person", PSKG.Person),
    "state": ("state", PSKG.State),
    "organisation": ("organisation or armed group", PSKG.Organisation),
    "place": ("place", PSKG.Place),
    "conflict": ("conflict", PSKG.Conflict),
    "event": ("event", PSKG.Event),
}
#: Conditions a query may give: id -> name.
CONDITIONS = {"country": "country", "date": "date (YYYY-MM-DD)", "ucdp": "UCDP conflict or actor id",
              "wikidata": "Wikidata id"}
#: What data extension returns: id -> (name, predicate or a special key).
EXTENSIONS = {
    "wikidata": ("Wikidata id", PSKG.hasWikidataId),
    "geonames": ("GeoNames id", PSKG.hasGeonamesId),
    "ucdp_conflict": ("UCDP conflict id", PSKG.hasUcdpConflictId),
    "ucdp_actor": ("UCDP actor id", PSKG.hasUcdpActorId),
    "iso": ("ISO 3166-1 code", PSKG.hasIsoCode),
    "lat": ("latitude", PREFIXES["geo"] + "lat"),
    "long": ("longitude", PREFIXES["geo"] + "long"),
    "start": ("start date", PSKG.startDate),
    "end": ("end date", PSKG.endDate),
    "country": ("country", PSKG.isLocatedIn),
    "parent": ("parent conflict", PSKG.isPhaseOf),
    "parties": ("parties", PSKG.hasParty),
}
CANDIDATES = 20


@dataclass
class Candidate:
    iri: str
    name: str
    score: float
    types: list[str] = field(default_factory=list)
    exact: bool = False

    @property
    def id(self) -> str:
        return self.iri.removeprefix(INSTANCE)

    def as_result(self, match: bool) -> dict:
        return {"id": self.id, "name": self.name, "score": round(self.score, 1), "match": match,
                "type": [{"id": t, "name": TYPES[t][0]} for t in self.types]}


def entity_iri(entity_id: str) -> str:
    """The IRI of an id the service gave out (``person/sadyr-japarov``)."""
    return entity_id if entity_id.startswith("http") else INSTANCE + entity_id.lstrip("/")


class Reconciler:
    """Answers reconciliation queries on one store (built per request batch)."""

    def __init__(self, store: Store):
        from kg.reconcile import Reconciler as ImportMatcher

        self.store = store
        self._actors = ImportMatcher.from_store(store, None, None)

    # --- candidates -----------------------------------------------------------------------

    def _types_of(self, iri: str) -> list[str]:
        rows = select_rows(self.store, internal_query("reconcile_types"), {"entity": ox.NamedNode(iri)})
        classes = {r["class"].value for r in rows}
        return [t for t, (_, cls) in TYPES.items() if cls in classes]

    def candidates(self, text: str, *, type_id: str | None = None, limit: int = CANDIDATES) -> list[Candidate]:
        """The entities the name may stand for, best first, before conditions."""
        if type_id is not None and type_id not in TYPES:
            raise KgError(f"type {type_id!r}: use one of {', '.join(TYPES)}")
        needle = fold(text.strip())
        found: dict[str, Candidate] = {}
        if needle:
            for m in search(self.store, text, limit=CANDIDATES):
                exact = fold(m.matched) == needle
                found[m.iri] = Candidate(m.iri, m.label, min(100.0, m.score + (1.0 if exact else 0.0)), exact=exact)
            actor = self._actors.actor(text.strip(), kind="name")
            if actor is not None and actor not in found:  # "Government of Tajikistan": the state
                found[actor] = Candidate(actor, label(self.store, actor), 95.0, exact=True)
            elif actor is not None:
                found[actor].score, found[actor].exact = max(found[actor].score, 95.0), True
        ranked = []
        for candidate in sorted(found.values(), key=lambda c: (-c.score, c.iri)):
            candidate.types = self._types_of(candidate.iri)
            # the graph's entities only (not its claims, sources or scope decisions)
            if candidate.types and (type_id is None or type_id in candidate.types):
                ranked.append(candidate)
            if len(ranked) >= limit:
                break
        return ranked

    # --- conditions -----------------------------------------------------------------------

    def _values(self, iri: str, predicate: str) -> list[str]:
        rows = select_rows(self.store, internal_query("reconcile_values"),
                           {"entity": ox.NamedNode(iri), "predicate": ox.NamedNode(predicate)})
        return [r["value"].value for r in rows]

    def _apply(self, candidate: Candidate, pid: str, value: str) -> None:
        value = value.strip()
        if not value:
            return
        if pid in ("ucdp", "wikidata"):
            predicates = [PSKG.hasWikidataId] if pid == "wikidata" else [PSKG.hasUcdpConflictId, PSKG.hasUcdpActorId]
            if any(value in self._values(candidate.iri, p) for p in predicates):
                candidate.score = 100.0
            else:
                candidate.score -= 30.0
        elif pid == "country":
            country = self._country(value)
            related = country is not None and bool(self.store.query(bind(
                internal_query("reconcile_in_country"),
                {"entity": ox.NamedNode(candidate.iri), "country": ox.NamedNode(country)})))
            candidate.score += 10.0 if related or candidate.iri == country else -10.0
        elif pid == "date":
            day = _day(value)
            starts, ends = self._values(candidate.iri, PSKG.startDate), self._values(candidate.iri, PSKG.endDate)
            if starts:
                inside = within(value, min(starts), max(ends) if ends else None)
                candidate.score += 10.0 if inside and day else -10.0
        else:
            raise KgError(f"property {pid!r}: use one of {', '.join(CONDITIONS)}")
        candidate.score = max(0.0, min(100.0, candidate.score))

    def _country(self, value: str) -> str | None:
        for m in search(self.store, value, limit=5):
            if "state" in self._types_of(m.iri):
                return m.iri
        return None

    # --- the API's answers ----------------------------------------------------------------

    def reconcile(self, query: dict) -> dict:
        """One query of a batch -> ``{"result": [...]}``."""
        text = str(query.get("query", ""))
        type_id = query.get("type") or None
        if isinstance(type_id, list):
            type_id = type_id[0] if type_id else None
        limit = int(query.get("limit") or 5)
        if not 1 <= limit <= 100:
            raise KgError(f"limit {limit}: give 1 to 100")
        candidates = self.candidates(text, type_id=type_id, limit=max(limit, 10))
        for condition in query.get("properties") or []:
            values = condition.get("v")
            values = values if isinstance(values, list) else [values]
            for value in values:
                value = value.get("id", value.get("name", "")) if isinstance(value, dict) else str(value)
                for candidate in candidates:
                    self._apply(candidate, str(condition.get("pid", "")), value)
        candidates.sort(key=lambda c: (-c.score, c.iri))
        candidates = candidates[:limit]
        results = []
        for i, candidate in enumerate(candidates):
            runner_up = candidates[i + 1].score if i + 1 < len(candidates) else -1.0
            match = (i == 0 and candidate.exact and candidate.score >= 95.0 and candidate.score - runner_up >= 5.0)
            results.append(candidate.as_result(match))
        return {"result": results}

    def batch(self, queries: dict) -> dict:
        return {key: self.reconcile(query) for key, query in queries.items()}

    def suggest_entities(self, prefix: str, *, limit: int = 10) -> dict:
        found = self.candidates(prefix, limit=limit) if prefix.strip() else []
        return {"result": [{"id": c.id, "name": c.name, "notable": [{"id": t, "name": TYPES[t][0]} for t in c.types]}
                           for c in found]}

    def preview(self, entity_id: str) -> str:
        """A small HTML card: name, kinds and a few facts, everything escaped, no scripts."""
        from kg.entities import card, exists

        iri = entity_iri(entity_id)
        if not exists(self.store, iri):
            raise KgError(f"no entity {entity_id!r}")
        shown = card(self.store, iri)
        facts = "".join(f"<li>{html.escape(f.property)}: {html.escape(str(f.value))}</li>" for f in shown.facts[:6])
        return ("<!doctype html><html><head><meta charset=\"utf-8\"><title>" + html.escape(shown.label) +
                "</title></head><body style=\"font:13px sans-serif;margin:4px\"><b>" + html.escape(shown.label) +
                "</b> <i>" + html.escape(", ".join(shown.kinds)) + "</i><ul style=\"margin:2px 0\">" + facts +
                "</ul></body></html>")

    def columns(self, result: dict | None) -> list[str]:
        """The values `kg reconcile` adds for a row's best candidate (ADDED_COLUMNS)."""
        if result is None:
            return [""] * len(ADDED_COLUMNS)
        iri = entity_iri(result["id"])

        def ids(*predicates: str) -> str:
            return " ".join(v for p in predicates for v in self._values(iri, p))

        return [iri, result["name"], str(result["score"]), "true" if result["match"] else "false",
                ids(PSKG.hasWikidataId), ids(PSKG.hasGeonamesId), ids(PSKG.hasUcdpConflictId, PSKG.hasUcdpActorId)]

    def propose(self, type_id: str | None) -> dict:
        return {"type": type_id or "", "properties": [{"id": k, "name": n} for k, (n, _) in EXTENSIONS.items()]}

    def extend(self, ids: list[str], properties: list[str]) -> dict:
        unknown = [p for p in properties if p not in EXTENSIONS]
        if unknown:
            raise KgError(f"property {unknown[0]!r}: use one of {', '.join(EXTENSIONS)}")
        rows = {}
        for entity_id in ids:
            iri, row = entity_iri(entity_id), {}
            for pid in properties:
                values = self._values(iri, EXTENSIONS[pid][1])
                if pid in ("country", "parent", "parties"):
                    row[pid] = [{"id": v.removeprefix(INSTANCE), "name": label(self.store, v)}
                                for v in values if v.startswith(INSTANCE)]
                else:
                    row[pid] = [{"str": v} for v in values]
            rows[entity_id] = row
        return {"meta": [{"id": p, "name": EXTENSIONS[p][0]} for p in properties], "rows": rows}


def manifest(base: str) -> dict:
    """The service manifest, with the URLs under ``base`` (the server's address)."""
    return {
        "versions": ["0.2"],
        "name": "Post-Soviet conflicts knowledge graph",
        "identifierSpace": INSTANCE,
        "schemaSpace": PSKG.NS,
        "defaultTypes": [{"id": t, "name": n} for t, (n, _) in TYPES.items()],
        "view": {"url": f"{base}/id/{{{{id}}}}"},
        "preview": {"url": f"{base}/reconcile/preview?id={{{{id}}}}", "width": 400, "height": 160},
        "suggest": {
            "entity": {"service_url": base, "service_path": "/reconcile/suggest/entity"},
            "type": {"service_url": base, "service_path": "/reconcile/suggest/type"},
            "property": {"service_url": base, "service_path": "/reconcile/suggest/property"},
        },
        "extend": {
            "propose_properties": {"service_url": base, "service_path": "/reconcile/extend/propose"},
            "property_settings": [],
        },
    }


def suggest_types(prefix: str) -> dict:
    needle = fold(prefix.strip())
    return {"result": [{"id": t, "name": n} for t, (n, _) in TYPES.items() if needle in fold(n) or needle in t]}


def suggest_properties(prefix: str) -> dict:
    needle = fold(prefix.strip())
    found = {**CONDITIONS, **{k: n for k, (n, _) in EXTENSIONS.items()}}
    return {"result": [{"id": k, "name": n} for k, n in found.items() if needle in fold(n) or needle in k]}


def _day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if len(value) >= 10 else dt.date(int(value[:4]), 1, 1)
    except ValueError:
        return None



#: The columns `kg reconcile` adds to each row.
ADDED_COLUMNS = ("kg_entity", "kg_label", "kg_score", "kg_match", "kg_wikidata", "kg_geonames", "kg_ucdp")


@dataclass
class CsvReport:
    rows: int = 0
    matched: int = 0
    candidates_only: int = 0
    unmatched: int = 0
    review: int = 0
    distinct: int = 0


def _cell(row: list[str], index: int) -> str:
    return row[index].strip() if index < len(row) else ""


def _tally(report: CsvReport, results: list[dict]) -> bool:
    """Count a row's outcome; True when it needs a person's decision (close candidates, no match)."""
    if results and results[0]["match"]:
        report.matched += 1
        return False
    if not results:
        report.unmatched += 1
        return False
    report.candidates_only += 1
    close = len(results) > 1 and results[0]["score"] - results[1]["score"] < 10
    report.review += close
    return close


def reconcile_csv(store: Store, path, column: str, output, *, type_id: str | None = None,
                  country_column: str | None = None, date_column: str | None = None, review=None,
                  progress=None) -> CsvReport:
    """Add the matched entity's columns (ADDED_COLUMNS) to every row of a CSV file, streaming,
    into ``output``; rows whose best candidates are close (a person's decision) also go to
    ``review`` with their three best candidates. Each distinct (name, conditions) is asked once.
    ``progress(bytes)`` hears how far the reading got."""
    import csv

    from kg.files import write_atomically

    service = Reconciler(store)
    answers: dict[tuple, dict] = {}
    report = CsvReport()
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise KgError(f"{path}: the file is empty") from None
        for name, given in (("--column", column), ("--country", country_column), ("--date", date_column)):
            if given is not None and given not in header:
                raise KgError(f"{path}: {name} {given!r} is not a column (the columns: {', '.join(header)})")
        at = {name: header.index(name) for name in (column, country_column, date_column) if name}
        out_rows, review_rows = [header + list(ADDED_COLUMNS)], [["line", column, "candidates"]]
        for row in reader:
            report.rows += 1
            name = _cell(row, at[column])
            conditions = [{"pid": pid, "v": _cell(row, at[c])} for pid, c in (("country", country_column),
                                                                           ("date", date_column))
                          if c and _cell(row, at[c])]
            key = (name, type_id, tuple((c["pid"], c["v"]) for c in conditions))
            if key not in answers:
                found = service.reconcile({"query": name, "type": type_id, "limit": 3,
                                           "properties": conditions})["result"] if name else []
                answers[key] = (found, service.columns(found[0] if found else None))
            results, added = answers[key]
            out_rows.append(row + added)
            if _tally(report, results):
                review_rows.append([str(reader.line_num), name, "; ".join(
                    f"{r['id']} ({r['name']}, {r['score']})" for r in results[:3])])
            if progress is not None and report.rows % 1000 == 0:
                progress(handle.tell() if hasattr(handle, "tell") else 0)
    report.distinct = len(answers)

    def as_csv(rows: list[list[str]]) -> bytes:
        import io

        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        return buffer.getvalue().encode("utf-8")

    write_atomically(output, as_csv(out_rows), label=f"--output {output}")
    if review is not None:
        write_atomically(review, as_csv(review_rows), label=f"--review {review}")
    return report
