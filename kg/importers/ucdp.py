"""UCDP's Georeferenced Event Dataset (GED), UCDP/PRIO Armed Conflict Dataset (ACD) and
Battle-Related Deaths Dataset (BRD, dyadic).

GED events become events (a clash, or an attack for one-sided violence) with their dates at
UCDP's precision, a shared point with UCDP's location precision, sides, UCDP's own source
fields, and UCDP's estimate of the deaths as one claim (best, low and high where they differ,
and the side A, side B, civilian and unknown-status parts where above zero). ACD
conflict-years become yearly phases of the conflict, with their sides and intensity. BRD
dyad-years give that year's phase its dyad's sides and UCDP's best, low and high estimates
of battle-related deaths as claims. UCDP
conflicts with an id in the catalogue, or covered in that year by one of its conflicts
(data/ucdp-scope.ttl), are the catalogue's conflicts; others, and every dyad, become
conflicts of the import.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from kg.importers.base import (
    DESCRIPTION,
    LABEL,
    A,
    Context,
    I,
    Importer,
    P,
    RowError,
    V,
    check_coordinates,
    date,
    integer,
    locate,
    parse_date,
    parse_float,
    parse_int,
    slug,
    text,
)

UCDP_ORG = I("org", "ucdp")
CC_BY = "https://creativecommons.org/licenses/by/4.0/"

GED_COLUMNS = (
    "id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_dset_id",
    "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id", "dyad_name", "side_a_dset_id",
    "side_a_new_id", "side_a", "side_b_dset_id", "side_b_new_id", "side_b", "number_of_sources",
    "source_article", "source_office", "source_date", "source_headline", "source_original", "where_prec",
    "where_coordinates", "where_description", "adm_1", "adm_2", "latitude", "longitude", "geom_wkt",
    "priogrid_gid", "country", "country_id", "region", "event_clarity", "date_prec", "date_start", "date_end",
    "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "best", "high", "low", "gwnoa", "gwnob",
)
ACD_COLUMNS = (
    "conflict_id", "location", "side_a", "side_a_id", "side_a_2nd", "side_b", "side_b_id", "side_b_2nd",
    "incompatibility", "territory_name", "year", "intensity_level", "cumulative_intensity", "type_of_conflict",
    "start_date", "start_prec", "start_date2", "start_prec2", "ep_end", "ep_end_date", "ep_end_prec", "gwno_a",
    "gwno_a_2nd", "gwno_b", "gwno_b_2nd", "gwno_loc", "region", "version",
)
BRD_COLUMNS = (
    "conflict_id", "dyad_id", "location_inc", "side_a", "side_a_id", "side_a_2nd", "side_b", "side_b_id",
    "side_b_2nd", "incompatibility", "territory_name", "year", "bd_best", "bd_low", "bd_high", "type_of_conflict",
    "battle_location", "gwno_a", "gwno_a_2nd", "gwno_b", "gwno_b_2nd", "gwno_loc", "gwno_battle", "region", "version",
)

# GED date_prec: 1 exact day, 2 within 2-6 days, 3 within a week, 4 within a month, 5 longer
_DATE_PRECISION = {1: "date", 2: "date", 3: "date", 4: "gYearMonth", 5: "gYear"}


def _conflict_node(ctx: Context, ucdp_id: str, name: str, *, start: str | None = None,
                   year: int | None = None) -> tuple[str, bool]:
    """The catalogue's conflict with this UCDP id, or covering it in ``year`` by a scope
    decision (and True), or a conflict of the import, described once (and False)."""
    found = ctx.reconciler.conflict_for_ucdp(ucdp_id, year)
    if found is not None:
        return f"<{found}>", True
    decision = ctx.reconciler.decision_outside(ucdp_id)
    if decision is not None:
        ctx.reconciler.outside[(f"UCDP conflict {ucdp_id} {name}", decision)] += 1
    else:
        ctx.reconciler.unmatched[("UCDP conflict", f"{ucdp_id} {name}")] += 1
    node = I("conflict", f"ucdp-{ucdp_id}")
    w = ctx.writer
    if w.once(node):
        w.add(node, A, P("Conflict"))
        w.add(node, LABEL, text(f"{name} (UCDP conflict {ucdp_id})", "en"))
        w.add(node, P("hasUcdpConflictId"), text(ucdp_id))
        w.add(node, P("hasSource"), ctx.source)
        if decision is not None:
            w.add(node, P("hasScopeDecision"), f"<{decision}>")
        if start:
            w.add(node, P("startDate"), start)
    return node, False


def _actor_node(ctx: Context, name: str, ucdp_id: str, gw: str = "") -> str:
    """The entity for a UCDP side, or an organisation of the import described once."""
    found = ctx.reconciler.actor(name, ucdp_id=ucdp_id, gw=gw, kind="UCDP actor")
    key = ucdp_id.strip()
    w = ctx.writer
    if found is not None:
        if key.isdigit() and name.strip() in ctx.reconciler.by_name and w.once("ucdp-actor-id:" + key):
            # matched by its name alone: the import records the mapping (a lexical match; SSSOM)
            w.add(f"<{found}>", P("hasUcdpActorId"), text(key))
        return f"<{found}>"
    node = I("org", f"ucdp-actor-{key}" if key.isdigit() else f"ucdp-actor-{slug(key or name)}")
    if w.once(node):
        w.add(node, A, P("Organisation"))
        w.add(node, LABEL, text(name, "en"))
        if ucdp_id.strip().isdigit():
            w.add(node, P("hasUcdpActorId"), text(ucdp_id.strip()))
        w.add(node, P("hasSource"), ctx.source)
    return node


def _sides(names: str, ids: str, known: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """The actors of one side with their UCDP ids, where the pairing is certain.

    UCDP lists several actors on a side as "A, B" with ids "1, 2", but not in the same order:
    the names alphabetically, the ids by number (ACD 23.1 has "Forces of Khudoberdiyev, UTO"
    with "345, 346", and Khudoberdiyev alone with 346). So a name gets an id only when it is the
    side's one actor, when ``known`` (name to id, learned from one-actor sides and updated
    here) gives it, or when it is the one name left with one id left; otherwise "".

    >>> known = {}
    >>> _sides("Forces of Khudoberdiyev", "346", known)
    [('Forces of Khudoberdiyev', '346')]
    >>> _sides("Forces of Khudoberdiyev, UTO", "345, 346", known)
    [('Forces of Khudoberdiyev', '346'), ('UTO', '345')]
    >>> _sides("DPR, LPR", "6711, 6712", known)
    [('DPR', ''), ('LPR', '')]
    """
    known = {} if known is None else known
    name_list = [n.strip() for n in names.split(",") if n.strip()]
    id_list = [i.strip() for i in ids.split(",") if i.strip()]
    if len(name_list) != len(id_list):
        return [(names.strip(), ids.strip())] if names.strip() else []
    if len(name_list) == 1:
        known[name_list[0]] = id_list[0]
        return [(name_list[0], id_list[0])]
    pairs, free = {}, set(id_list)
    for name in name_list:
        if known.get(name) in free:
            pairs[name] = known[name]
            free.discard(known[name])
    left = [n for n in name_list if n not in pairs]
    if len(left) == 1 and len(free) == 1:
        pairs[left[0]] = known[left[0]] = free.pop()
    return [(name, pairs.get(name, "")) for name in name_list]


_DETAIL_COLUMNS = (("place", "where_description"), ("admin", "adm_1"), ("source", "source_article"),
                   ("office", "source_office"), ("date", "source_date"), ("headline", "source_headline"),
                   ("original", "source_original"))


@dataclass(frozen=True)
class _GedRow:
    """The checked values of one GED row; a bad one raises RowError naming the column."""

    id: str
    start: dt.date
    end: dt.date
    precision: int
    violence: int
    lat: float | None
    lon: float | None
    where_prec: int | None
    best: int
    low: int | None
    high: int | None
    deaths_a: int | None
    deaths_b: int | None
    deaths_civilians: int | None
    deaths_unknown: int | None

    @classmethod
    def parse(cls, row: dict[str, str]) -> _GedRow:
        for column in ("id", "conflict_new_id", "dyad_new_id"):
            if not row[column].strip().isdigit():
                raise RowError(f"{column} {row[column].strip()!r} is not a UCDP id (digits)")
        for column in ("side_a_new_id", "side_b_new_id"):
            if not all(part.strip().isdigit() for part in row[column].split(",")):
                raise RowError(f"{column} {row[column].strip()!r} is not a list of UCDP actor ids")
        start, end = parse_date(row, "date_start"), parse_date(row, "date_end")
        if end < start:
            raise RowError(f"date_end {end} is before date_start {start}")
        precision = parse_int(row, "date_prec")
        if precision not in _DATE_PRECISION:
            raise RowError(f"date_prec {precision} is not one of 1-5")
        violence = parse_int(row, "type_of_violence")
        if violence not in (1, 2, 3):
            raise RowError(f"type_of_violence {violence} is not 1, 2 or 3")
        lat, lon = parse_float(row, "latitude"), parse_float(row, "longitude")
        check_coordinates(lat, lon)
        optional = {c: parse_int(row, c, required=False) for c in (
            "where_prec", "low", "high", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown")}
        best = parse_int(row, "best")
        low, high = optional["low"], optional["high"]
        if low is not None and low > best:
            raise RowError(f"low {low} is above best {best}")
        if high is not None and high < best:
            raise RowError(f"high {high} is below best {best}")
        return cls(id=row["id"].strip(), start=start, end=end, precision=precision, violence=violence, lat=lat,
                   lon=lon, best=best, **optional)


class UcdpGed(Importer):
    name: ClassVar[str] = "ucdp-ged"
    title: ClassVar[str] = "UCDP Georeferenced Event Dataset (GED)"
    required: ClassVar[tuple[str, ...]] = GED_COLUMNS
    licence: ClassVar[str | None] = CC_BY
    homepage: ClassVar[str] = "https://ucdp.uu.se/downloads/"
    publisher: ClassVar[str] = UCDP_ORG
    key: ClassVar[tuple[str, ...]] = ("id",)

    def map_row(self, row: dict[str, str], ctx: Context) -> None:
        ged = _GedRow.parse(row)
        conflict, known = _conflict_node(ctx, row["conflict_new_id"].strip(), row["conflict_name"].strip())
        side_a = _actor_node(ctx, row["side_a"], row["side_a_new_id"], row["gwnoa"])
        side_b = _actor_node(ctx, row["side_b"], row["side_b_new_id"], row["gwnob"])
        dyad = self._dyad(ctx, row, conflict, side_a, side_b)
        event = self._event(ctx, row, ged, dyad, conflict if known else None, side_a, side_b)
        self._claims(ctx, event, ged, side_a, side_b)

    @staticmethod
    def _dyad(ctx: Context, row: dict[str, str], conflict: str, side_a: str, side_b: str) -> str:
        w = ctx.writer
        dyad_id = row["dyad_new_id"].strip()
        dyad = I("conflict", f"ucdp-dyad-{dyad_id}")
        if w.once(dyad):
            w.add(dyad, A, P("Conflict"))
            w.add(dyad, LABEL, text(f"{row['dyad_name'].strip()} (UCDP dyad {dyad_id})", "en"))
            w.add(dyad, P("hasUcdpDyadId"), text(dyad_id))
            w.add(dyad, P("isPhaseOf"), conflict)
            w.add(dyad, P("hasParty"), side_a)
            w.add(dyad, P("hasParty"), side_b)
            w.add(dyad, P("hasSideA"), side_a)
            w.add(dyad, P("hasSideB"), side_b)
            w.add(dyad, P("hasSource"), ctx.source)
        return dyad

    @staticmethod
    def _event(ctx: Context, row: dict[str, str], ged: _GedRow, dyad: str, catalogue_conflict: str | None,
               side_a: str, side_b: str) -> str:
        w, rec = ctx.writer, ctx.reconciler
        event = I("event", f"ucdp-ged-{ged.id}")
        w.add(event, A, P("Attack") if ged.violence == 3 else P("ArmedClash"))
        where = row["where_description"].strip() or row["country"].strip()
        description = f"{row['dyad_name'].strip()}: {where}, {ged.start.isoformat()} (UCDP GED {ged.id})"
        w.add(event, DESCRIPTION, text(description, "en"))
        w.add(event, P("hasUcdpEventId"), text(ged.id))
        w.add(event, P("isPartOfConflict"), dyad)
        specific = rec.specific_conflict(ged.start, within=catalogue_conflict[1:-1] if catalogue_conflict else None,
                                         parties={side_a[1:-1], side_b[1:-1]})
        if specific is not None:
            w.add(event, P("isPartOfConflict"), f"<{specific}>")
        kind = _DATE_PRECISION[ged.precision]
        start, end = date(ged.start, kind), date(ged.end, kind)
        w.add(event, P("startDate"), start)
        if end != start:  # at month or year precision the datatype says so; one date is enough
            w.add(event, P("endDate"), end)
        locate(ctx, event, ged.lat, ged.lon, ged.where_prec, place_km=5.0 if (ged.where_prec or 9) <= 2 else 0.0)
        w.add(event, P("hasParty"), side_a)
        w.add(event, P("hasParty"), side_b)
        detail = "; ".join(f"{label}: {row[c].strip()}" for label, c in _DETAIL_COLUMNS if row.get(c, "").strip())
        if detail:
            w.add(event, P("hasReportDetail"), text(detail))
        # no pskg:hasSource here: the import's graph is derived from the dataset (its own
        # description says so), and the event's claim names the dataset as its source
        return event

    @staticmethod
    def _claims(ctx: Context, event: str, ged: _GedRow, side_a: str, side_b: str) -> None:
        """UCDP's estimate of the event's deaths: one claim, its best value with the low and
        high ends where they differ, and the parts UCDP gives (side A and side B of the dyad,
        civilians, unknown status) where above zero."""
        w = ctx.writer
        claim = I("claim", f"ucdp-ged-{ged.id}")
        w.add(claim, A, P("Claim"))
        w.add(claim, P("isAbout"), event)
        w.add(claim, P("hasMeasure"), V("measure", "killed"))
        w.add(claim, P("hasValue"), integer(ged.best))
        w.add(claim, P("hasEstimate"), V("estimate", "best"))
        for name, value in (("hasLowValue", ged.low), ("hasHighValue", ged.high)):
            if value is not None and value != ged.best:
                w.add(claim, P(name), integer(value))
        for name, value in (("hasSideAValue", ged.deaths_a), ("hasSideBValue", ged.deaths_b),
                            ("hasCiviliansValue", ged.deaths_civilians),
                            ("hasUnknownStatusValue", ged.deaths_unknown)):
            if value:
                w.add(claim, P(name), integer(value))
        w.add(claim, P("hasClaimant"), UCDP_ORG)
        w.add(claim, P("hasSource"), ctx.source)


class _UcdpYearTable(Importer):
    """ACD and BRD: one row per conflict (or dyad) and year, the release in a version column."""

    licence: ClassVar[str | None] = CC_BY
    homepage: ClassVar[str] = "https://ucdp.uu.se/downloads/"
    publisher: ClassVar[str] = UCDP_ORG

    def __init__(self, header: list[str]) -> None:
        super().__init__(header)
        #: UCDP actor ids by name, learned from one-actor sides (see _sides)
        self.actor_ids: dict[str, str] = {}

    def version_of(self, path, first_row):
        if first_row and first_row.get("version", "").strip():
            return first_row["version"].strip()
        return super().version_of(path, first_row)

    def _parties(self, ctx: Context, node: str, row: dict[str, str]) -> None:
        """Both sides' actors as parties of the conflict-year (once each: a year's other dyads
        may name the same actor)."""
        w = ctx.writer
        for side, ids, gw in (("side_a", "side_a_id", "gwno_a"), ("side_b", "side_b_id", "gwno_b")):
            found = _sides(row[side], row[ids], self.actor_ids)
            for actor_name, actor_id in found:
                actor = _actor_node(ctx, actor_name, actor_id, row[gw] if len(found) == 1 else "")
                if w.once(f"{node} hasParty {actor}"):
                    w.add(node, P("hasParty"), actor)

    @staticmethod
    def _year(row: dict[str, str]) -> int:
        year = parse_int(row, "year")
        if not 1946 <= year <= 2100:  # UCDP's records start in 1946
            raise RowError(f"year {year} is out of range")
        return year


def _conflict_year(ctx: Context, conflict: str, conflict_id: str, name: str, year: int) -> str:
    """The yearly phase of a UCDP conflict: the same node whichever of ACD and BRD makes it."""
    w = ctx.writer
    node = I("conflict", f"ucdp-{conflict_id}-{year}")
    if w.once(node):
        w.add(node, A, P("Conflict"))
        w.add(node, LABEL, text(f"{name}, {year} (UCDP conflict-year)", "en"))
        w.add(node, P("isPhaseOf"), conflict)
        w.add(node, P("startDate"), date(dt.date(year, 1, 1), "gYear"))
        w.add(node, P("endDate"), date(dt.date(year, 1, 1), "gYear"))
        w.add(node, P("hasSource"), ctx.source)
    return node


class UcdpAcd(_UcdpYearTable):
    name: ClassVar[str] = "ucdp-acd"
    title: ClassVar[str] = "UCDP/PRIO Armed Conflict Dataset"
    required: ClassVar[tuple[str, ...]] = ACD_COLUMNS
    key: ClassVar[tuple[str, ...]] = ("conflict_id", "year")

    def map_row(self, row: dict[str, str], ctx: Context) -> None:
        conflict_id = row["conflict_id"].strip()
        if not conflict_id.isdigit():
            raise RowError(f"conflict_id {conflict_id!r} is not a UCDP conflict id")
        year = self._year(row)
        intensity = parse_int(row, "intensity_level")
        if intensity not in (1, 2):
            raise RowError(f"intensity_level {intensity} is not 1 or 2")
        kind = parse_int(row, "type_of_conflict")
        incompatibility = parse_int(row, "incompatibility")
        start = parse_date(row, "start_date")
        w = ctx.writer
        territory = row["territory_name"].strip()
        name = f"{row['location'].strip()}" + (f" ({territory})" if territory else " (government)")
        conflict, known = _conflict_node(ctx, conflict_id, name, start=date(start))
        if not known and w.once(conflict + "kind"):
            w.add(conflict, P("hasConflictKind"), V("conflict-kind", "interstate" if kind == 2 else
                                                    "secessionist" if incompatibility == 1 else "civil-war"))
        node = _conflict_year(ctx, conflict, conflict_id, name, year)
        w.add(node, P("hasIntensityLevel"), integer(intensity))
        self._parties(ctx, node, row)


class UcdpBrd(_UcdpYearTable):
    """UCDP Battle-Related Deaths, dyadic: one row per dyad and year."""

    name: ClassVar[str] = "ucdp-brd"
    title: ClassVar[str] = "UCDP Battle-Related Deaths Dataset (dyadic)"
    required: ClassVar[tuple[str, ...]] = BRD_COLUMNS
    key: ClassVar[tuple[str, ...]] = ("dyad_id", "year")

    def map_row(self, row: dict[str, str], ctx: Context) -> None:
        conflict_id, dyad_id = row["conflict_id"].strip(), row["dyad_id"].strip()
        for column, value in (("conflict_id", conflict_id), ("dyad_id", dyad_id)):
            if not value.isdigit():
                raise RowError(f"{column} {value!r} is not a UCDP id")
        year = self._year(row)
        best, low, high = (parse_int(row, c) for c in ("bd_best", "bd_low", "bd_high"))
        if min(best, low, high) < 0:
            raise RowError(f"a negative estimate ({best}, {low}, {high})")
        if low > best or high < best:
            raise RowError(f"bd_low {low}, bd_best {best} and bd_high {high} are out of order")
        territory = row["territory_name"].strip()
        name = row["location_inc"].strip() + (f" ({territory})" if territory else " (government)")
        conflict, _ = _conflict_node(ctx, conflict_id, name, year=year)
        w = ctx.writer
        node = _conflict_year(ctx, conflict, conflict_id, name, year)
        self._parties(ctx, node, row)
        dyad = f"{row['side_a'].strip()} against {row['side_b'].strip()} (UCDP dyad {dyad_id})"
        for what, value in (("best", best), ("low", low), ("high", high)):
            if what != "best" and value == best:
                continue
            claim = I("claim", f"ucdp-brd-{dyad_id}-{year}-{what}")
            w.add(claim, A, P("Claim"))
            w.add(claim, LABEL, text(f"UCDP: {value} battle-related deaths, {dyad}, {year} ({what} estimate)", "en"))
            w.add(claim, P("isAbout"), node)
            w.add(claim, P("hasMeasure"), V("measure", "killed"))
            w.add(claim, P("hasValue"), integer(value))
            w.add(claim, P("hasEstimate"), V("estimate", what))
            w.add(claim, P("hasClaimant"), UCDP_ORG)
            w.add(claim, P("hasSource"), ctx.source)
