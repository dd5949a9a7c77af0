"""Match the names and ids of imported datasets to the catalogue's entities.

A :class:`Reconciler` is built once per import from the store: UCDP conflict ids to the
catalogue's conflicts; UCDP actor ids, Gleditsch-Ward codes, "Government of Kyrgyzstan"
and ACLED names such as "Military Forces of Russia (2000-)" to states and armed groups;
coordinates to the nearest settlement. Hand-made matches come from a ``--links`` CSV file.
Whatever cannot be matched is counted in :attr:`Reconciler.unmatched` and left unlinked;
the importer still keeps the record.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from kg.dates import day_of
from kg.entities import fold
from kg.errors import KgError
from kg.query import internal_query, select_rows
from kg.store import Store

_FORCES = re.compile(r"^(?:Military|Police|Rebel|Unidentified Armed)? ?Forces of (?P<name>.+?)(?: \(\d{4}-\d{0,4}\))?"
                     r"(?: .*)?$")
_GOVERNMENT = re.compile(r"^Government of (?P<name>.+?)(?: \(.*\))?$")


@functools.lru_cache(maxsize=65536)  # imports look the same few names up on every row
def _key(name: str) -> str:
    """A name folded for matching: lower case, no accents, no punctuation.

    >>> _key("Kyrgyz Republic")
    'kyrgyz republic'
    >>> _key("Ts'khinvali")
    'tskhinvali'
    """
    return " ".join(re.sub(r"[^\w\s]", "", fold(name)).split())


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres.

    >>> round(distance_km(40.0604, 70.81929, 42.87, 74.59))
    443
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 6371 * 2 * math.asin(math.sqrt(a))


@dataclass
class _Conflict:
    iri: str
    start: dt.date | None
    end: dt.date | None
    parent: str | None
    parties: set[str] = field(default_factory=set)

    def covers(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def span(self) -> int:
        start = self.start or dt.date(1900, 1, 1)
        end = self.end or dt.date.today()
        return (end - start).days


@dataclass
class Reconciler:
    """Catalogue lookups for one import, and the tally of what found no match."""

    conflicts_by_ucdp: dict[str, str] = field(default_factory=dict)
    #: UCDP ids that scope decisions say catalogue conflicts cover (data/ucdp-scope.ttl)
    covered_by_ucdp: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    #: UCDP ids that a scope decision puts outside the catalogue, with the decision
    outside_by_ucdp: dict[str, str] = field(default_factory=dict)
    conflicts: dict[str, _Conflict] = field(default_factory=dict)
    actors_by_ucdp: dict[str, str] = field(default_factory=dict)
    states_by_gw: dict[str, str] = field(default_factory=dict)
    actors_by_name: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    states: set[str] = field(default_factory=set)
    links: dict[str, str] = field(default_factory=dict)
    places: list[tuple[str, float, float]] = field(default_factory=list)
    place_grid: dict[tuple[int, int], list[int]] = field(default_factory=lambda: defaultdict(list))
    places_by_name: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    unmatched: Counter = field(default_factory=Counter)
    #: rows of outside conflicts that a scope decision puts outside the catalogue, by (name, decision)
    outside: Counter = field(default_factory=Counter)
    matched_names: dict[str, str] = field(default_factory=dict)
    #: the names matched by their form alone (no curated id, no --links entry): lexical matches
    by_name: set[str] = field(default_factory=set)
    # what imports ask row after row, worked out once
    _families: dict[str, list[_Conflict]] = field(default_factory=dict, repr=False)
    _by_parties: dict[frozenset, list[_Conflict]] = field(default_factory=dict, repr=False)
    _places: dict[tuple, str | None] = field(default_factory=dict, repr=False)

    @classmethod
    def from_store(cls, store: Store, links_file: Path | None = None,
                   resolve=None) -> Reconciler:
        rec = cls()
        rec._load_conflicts(store)
        rec._load_actors(store)
        rec._load_places(store)
        if links_file is not None:
            rec._read_links(links_file, resolve)
        return rec

    def _load_conflicts(self, store: Store) -> None:
        for row in select_rows(store, internal_query("reconcile_conflicts")):
            iri = row["conflict"].value
            conflict = self.conflicts.get(iri) or _Conflict(
                iri, day_of(_text(row.get("start"))), day_of(_text(row.get("end")), last=True), None)
            if row.get("parent") is not None:
                conflict.parent = row["parent"].value
            self.conflicts[iri] = conflict
            if row.get("ucdp") is not None:
                self.conflicts_by_ucdp[row["ucdp"].value] = iri
        for row in select_rows(store, internal_query("reconcile_decisions")):
            if row.get("conflict") is not None:
                self.covered_by_ucdp[row["ucdp"].value].append(row["conflict"].value)
            else:
                self.outside_by_ucdp[row["ucdp"].value] = row["decision"].value
        for row in select_rows(store, internal_query("reconcile_parties")):
            if row["conflict"].value in self.conflicts:
                self.conflicts[row["conflict"].value].parties.add(row["party"].value)

    def _load_actors(self, store: Store) -> None:
        for row in select_rows(store, internal_query("reconcile_actors")):
            actor, key, value = row["actor"].value, row["key"].value, row["value"].value
            if key == "name":
                self.actors_by_name[_key(value)].add(actor)
            elif key == "ucdp":
                self.actors_by_ucdp[value] = actor
            elif key == "gw":
                self.states_by_gw[value] = actor
            elif key == "acled":
                self.links[_key(value)] = actor
            elif key == "state":
                self.states.add(actor)

    def _load_places(self, store: Store) -> None:
        seen: dict[str, int] = {}
        for row in select_rows(store, internal_query("reconcile_places")):
            iri = row["place"].value
            if iri not in seen:
                seen[iri] = len(self.places)
                lat, lon = float(row["lat"].value), float(row["long"].value)
                self.places.append((iri, lat, lon))
                self.place_grid[(math.floor(lat), math.floor(lon))].append(seen[iri])
            if row.get("name") is not None:
                self.places_by_name[_key(row["name"].value)].add(seen[iri])

    def _read_links(self, path: Path, resolve) -> None:
        """Hand-made matches: a CSV file with the columns name and entity (and optionally dataset)."""
        try:
            handle = path.open(newline="", encoding="utf-8-sig")
        except OSError as err:
            raise KgError(f"--links {path}: {err.strerror}") from None
        with handle:
            reader = csv.DictReader(handle)
            missing = {"name", "entity"} - set(reader.fieldnames or [])
            if missing:
                raise KgError(f"--links {path}: missing column(s) {', '.join(sorted(missing))} "
                              "(expected a header with name,entity)")
            for row in reader:
                name, ref = (row.get("name") or "").strip(), (row.get("entity") or "").strip()
                if not name or not ref:
                    raise KgError(f"--links {path}:{reader.line_num}: empty name or entity")
                try:
                    self.links[_key(name)] = resolve(ref) if resolve else ref
                except KgError as err:
                    raise KgError(f"--links {path}:{reader.line_num}: {err}") from None

    # --- conflicts --------------------------------------------------------------------------

    def conflict_for_ucdp(self, ucdp_id: str, year: int | None = None) -> str | None:
        """The catalogue conflict with this UCDP id; else, of those a scope decision says cover
        it, the widest one whose dates take in ``year`` (or the first, without a year)."""
        found = self.conflicts_by_ucdp.get(ucdp_id.strip())
        if found is not None:
            return found
        covering = [self.conflicts[c] for c in self.covered_by_ucdp.get(ucdp_id.strip(), ()) if c in self.conflicts]
        if year is not None:
            covering = [c for c in covering if c.covers(dt.date(year, 7, 1)) or
                        (c.start and c.start.year <= year and (c.end is None or c.end.year >= year))]
        return max(covering, key=_Conflict.span).iri if covering else None

    def decision_outside(self, ucdp_id: str) -> str | None:
        """The scope decision that puts this UCDP conflict outside the catalogue, if one does."""
        return self.outside_by_ucdp.get(ucdp_id.strip())

    def specific_conflict(self, day: dt.date | None, *, within: str | None = None,
                          parties: set[str] | None = None) -> str | None:
        """The narrowest catalogue conflict covering ``day``: a phase of ``within`` (or it),
        or, without ``within``, one whose parties include all of ``parties``."""
        if day is None:
            return within
        if within is not None:
            candidates = self._family(within)
        elif parties and len(parties) >= 2:
            key = frozenset(parties)
            candidates = self._by_parties.get(key)
            if candidates is None:
                candidates = self._by_parties[key] = [c for c in self.conflicts.values() if parties <= c.parties]
        else:
            return None
        covering = [c for c in candidates if c.covers(day)]
        if not covering:
            return within
        return min(covering, key=lambda c: (c.span(), c.iri)).iri

    def _family(self, ancestor: str) -> list[_Conflict]:
        """The conflict and its phases at any depth (worked out once per conflict)."""
        found = self._families.get(ancestor)
        if found is None:
            found = self._families[ancestor] = [c for c in self.conflicts.values() if self._descends(c.iri, ancestor)]
        return found

    def _descends(self, iri: str, ancestor: str) -> bool:
        seen = set()
        while iri and iri not in seen:
            if iri == ancestor:
                return True
            seen.add(iri)
            conflict = self.conflicts.get(iri)
            iri = conflict.parent if conflict else None
        return False

    # --- actors -----------------------------------------------------------------------------

    def actor(self, name: str, *, ucdp_id: str = "", gw: str = "", kind: str = "actor") -> str | None:
        """The entity an actor name (and, for UCDP, its id and Gleditsch-Ward code) stands for."""
        name = name.strip()
        if not name:
            return None
        found = self.links.get(_key(name))
        if found is None and ucdp_id:
            ids = [i.strip() for i in ucdp_id.split(",") if i.strip()]
            found = self.actors_by_ucdp.get(ids[0]) if len(ids) == 1 else None
        if found is None:
            found = self._by_name(name, gw)
            if found is not None:
                self.by_name.add(name)
        if found is None:
            self.unmatched[(kind, name)] += 1
        else:
            self.matched_names[name] = found
        return found

    def _by_name(self, name: str, gw: str) -> str | None:
        """A state for "Government of X" (by its Gleditsch-Ward code, or X its unique name) or
        "Military Forces of X" (X a state's name); else the one actor with this exact name.

        >>> rec = Reconciler(states={"s:tj"}, states_by_gw={"702": "s:tj"})
        >>> rec.actors_by_name[_key("Tajikistan")].add("s:tj")
        >>> rec._by_name("Government of Tajikistan", "702"), rec._by_name("Forces of Tajikistan", "")
        ('s:tj', 's:tj')
        >>> rec._by_name("Forces of Mullo Abdullo", "702") is None  # a rebel's forces, in Tajikistan
        True
        """
        government = _GOVERNMENT.match(name)
        forces = _FORCES.match(name)
        if government or forces:
            country = (government or forces).group("name")
            gw = gw.strip()
            if government and gw in self.states_by_gw and "," not in gw:
                return self.states_by_gw[gw]
            hits = self.actors_by_name.get(_key(country), set()) & self.states
            if len(hits) == 1:
                return next(iter(hits))
        hits = self.actors_by_name.get(_key(name), set())
        return next(iter(hits)) if len(hits) == 1 else None

    # --- places -----------------------------------------------------------------------------

    def place(self, lat: float | None, lon: float | None, *, name: str = "", max_km: float = 5.0) -> str | None:
        """The catalogue settlement within ``max_km`` of a point (nearest), or one of that name
        within 25 km; None when there is none."""
        if lat is None or lon is None:
            return None
        key = (lat, lon, name, max_km)
        if key not in self._places:
            if len(self._places) > 200_000:
                self._places.clear()
            self._places[key] = self._place(lat, lon, name, max_km)
        return self._places[key]

    def _place(self, lat: float, lon: float, name: str, max_km: float) -> str | None:
        best, best_km = None, max_km
        cell = (math.floor(lat), math.floor(lon))
        for dlat in (-1, 0, 1):
            for dlon in (-1, 0, 1):
                for index in self.place_grid.get((cell[0] + dlat, cell[1] + dlon), ()):
                    iri, plat, plon = self.places[index]
                    km = distance_km(lat, lon, plat, plon)
                    if km <= best_km:
                        best, best_km = iri, km
        if best is None and name:
            for index in self.places_by_name.get(_key(name), ()):
                iri, plat, plon = self.places[index]
                if distance_km(lat, lon, plat, plon) <= 25:
                    return iri
        return best

    def report(self, limit: int = 20) -> list[str]:
        """Lines naming what found no match, most frequent first."""
        return [f"{kind}: {name} ({count} row{'s' if count != 1 else ''})"
                for (kind, name), count in self.unmatched.most_common(limit)]

    def report_outside(self) -> list[str]:
        """Lines naming the outside conflicts that a scope decision keeps out of the catalogue."""
        return [f"{name}: outside the catalogue by {decision.rsplit('/', 1)[-1]}"
                f" ({count} row{'s' if count != 1 else ''})"
                for (name, decision), count in sorted(self.outside.items())]


def _text(term) -> str | None:
    return term.value if term is not None else None
