"""ACLED (Armed Conflict Location & Event Data) exports, in the older layout (with data_id and
iso3) and the newer one (with disorder_type and civilian_targeting), told apart by the header.

Each row becomes an event typed by ACLED's event type, dated at ACLED's time precision,
placed at its coordinates (and at a catalogue settlement when one is within reach), with
its actors matched to states and groups ("Military Forces of Russia (2000-)" is Russia) and
its fatalities as a claim by ACLED. An event whose two actors are the parties of a
catalogue conflict running on that date becomes part of the narrowest such conflict.
"""

from __future__ import annotations

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

ACLED_ORG = I("org", "acled")
COMMON = (
    "event_id_cnty", "event_date", "year", "time_precision", "event_type", "sub_event_type", "actor1",
    "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "region", "country", "admin1",
    "admin2", "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
    "fatalities", "timestamp",
)
OLD_ONLY = ("data_id", "iso", "event_id_no_cnty", "iso3")
NEW_ONLY = ("disorder_type", "civilian_targeting", "iso", "tags")

_DETAIL_COLUMNS = (("notes", "notes"), ("source", "source"), ("source scale", "source_scale"),
                   ("disorder type", "disorder_type"), ("civilian targeting", "civilian_targeting"), ("tags", "tags"),
                   ("admin", "admin1"), ("interaction", "interaction"))
_EVENT_CLASS = {
    "battles": "ArmedClash",
    "explosions/remote violence": "Attack",
    "violence against civilians": "Attack",
}
# ACLED time_precision: 1 the day is known, 2 the week, 3 the month
_TIME_PRECISION = {1: "date", 2: "date", 3: "gYearMonth"}


class Acled(Importer):
    name: ClassVar[str] = "acled"
    title: ClassVar[str] = "ACLED export"
    required: ClassVar[tuple[str, ...]] = COMMON
    licence: ClassVar[str | None] = None  # ACLED's own terms of use apply
    homepage: ClassVar[str] = "https://acleddata.com/"
    publisher: ClassVar[str] = ACLED_ORG
    key: ClassVar[tuple[str, ...]] = ("event_id_cnty",)

    def __init__(self, header: list[str]) -> None:
        super().__init__(header)
        self.layout = "newer" if all(c in header for c in NEW_ONLY) else (
            "older" if all(c in header for c in OLD_ONLY) else "unknown")

    @classmethod
    def check_header(cls, path, header):
        super().check_header(path, header)
        if not (all(c in header for c in NEW_ONLY) or all(c in header for c in OLD_ONLY)):
            from kg.errors import KgError

            raise KgError(f"{path}: an ACLED file of neither published layout: expected the columns "
                          f"{', '.join(OLD_ONLY)} (older) or {', '.join(NEW_ONLY)} (newer)")

    def version_of(self, path, first_row):
        return super().version_of(path, first_row) or f"{self.layout} layout"

    def map_row(self, row: dict[str, str], ctx: Context) -> None:
        event_id = row["event_id_cnty"].strip()
        if not event_id:
            raise RowError("event_id_cnty is empty")
        day = parse_date(row, "event_date")
        precision = parse_int(row, "time_precision")
        if precision not in _TIME_PRECISION:
            raise RowError(f"time_precision {precision} is not 1, 2 or 3")
        lat, lon = parse_float(row, "latitude"), parse_float(row, "longitude")
        check_coordinates(lat, lon)
        geo_precision = parse_int(row, "geo_precision", required=False)
        fatalities = parse_int(row, "fatalities")

        w = ctx.writer
        if w.once(ACLED_ORG):
            w.add(ACLED_ORG, A, P("Organisation"))
            w.add(ACLED_ORG, LABEL, text("ACLED (Armed Conflict Location & Event Data)", "en"))
            w.add(ACLED_ORG, P("hasSource"), ctx.source)
        event = I("event", f"acled-{slug(event_id)}")
        event_type = row["event_type"].strip()
        w.add(event, A, P(_EVENT_CLASS.get(event_type.lower(), "Event")))
        location = row["location"].strip() or row["admin1"].strip() or row["country"].strip()
        w.add(event, DESCRIPTION, text(f"{event_type}: {row['sub_event_type'].strip()}, {location}, {day.isoformat()}"
                                 f" (ACLED {event_id})", "en"))
        w.add(event, P("hasAcledEventId"), text(event_id))
        w.add(event, P("startDate"), date(day, _TIME_PRECISION[precision]))
        locate(ctx, event, lat, lon, geo_precision, place_name=row["location"].strip(),
               place_km=5.0 if (geo_precision or 9) == 1 else 0.0)
        self._actors(ctx, event, row, day)
        detail = "; ".join(f"{label}: {row[c].strip()}" for label, c in _DETAIL_COLUMNS if row.get(c, "").strip())
        if detail:
            w.add(event, P("hasReportDetail"), text(detail))
        # no pskg:hasSource here: the import's graph is derived from the dataset, and the
        # event's claim names the dataset as its source

        claim = I("claim", f"acled-{slug(event_id)}-fatalities")
        w.add(claim, A, P("Claim"))
        w.add(claim, P("isAbout"), event)
        w.add(claim, P("hasMeasure"), V("measure", "killed"))
        w.add(claim, P("hasValue"), integer(fatalities))
        w.add(claim, P("hasClaimant"), ACLED_ORG)
        w.add(claim, P("hasSource"), ctx.source)

    def _actors(self, ctx: Context, event: str, row: dict[str, str], day) -> None:
        """Actors 1 and 2 as parties, associated actors as participants, and the catalogue
        conflict they are the parties of on that day."""
        w = ctx.writer
        parties = []
        for column in ("actor1", "actor2"):
            name = row[column].strip()
            if name:
                node = self._actor(ctx, name)
                parties.append(node)
                w.add(event, P("hasParty"), node)
        for column in ("assoc_actor_1", "assoc_actor_2"):
            for name in (n.strip() for n in row[column].split(";")):
                if name:
                    w.add(event, P("hasParticipant"), self._actor(ctx, name))
        matched = {p[1:-1] for p in parties if not p.startswith(I("org", "acled-")[:-1])}
        conflict = ctx.reconciler.specific_conflict(day, parties=matched) if len(matched) >= 2 else None
        if conflict is not None:
            w.add(event, P("isPartOfConflict"), f"<{conflict}>")

    @staticmethod
    def _actor(ctx: Context, name: str) -> str:
        w = ctx.writer
        found = ctx.reconciler.actor(name, kind="ACLED actor")
        if found is not None:
            node = f"<{found}>"
            if w.once("acled-name:" + name):
                w.add(node, P("hasAcledName"), text(name))
            return node
        node = I("org", f"acled-{slug(name)}")
        if w.once(node):
            w.add(node, A, P("Organisation"))
            w.add(node, LABEL, text(name, "en"))
            w.add(node, P("hasAcledName"), text(name))
            w.add(node, P("hasSource"), ctx.source)
        return node
