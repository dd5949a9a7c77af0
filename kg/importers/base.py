"""What every importer shares: a streaming CSV reader with line numbers, row errors, and an
N-Triples writer that escapes text through pyoxigraph."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, ClassVar

import pyoxigraph as ox

from kg.errors import KgError
from kg.namespaces import INSTANCE, PREFIXES
from kg.reconcile import Reconciler
from kg.vocab import ESTIMATE, KIND, MEASURE, PSKG, STATUS

XSD = PREFIXES["xsd"]


class RowError(ValueError):
    """A malformed row: the importer reports it with its line number and skips it."""


def iri(value: str) -> str:
    return f"<{value}>"


# Predicates and classes, ready to write
A = iri(PREFIXES["rdf"] + "type")
LABEL = iri(PREFIXES["skos"] + "prefLabel")
#: Imported events carry a generated description, not a name: rdfs:label, so that name search
#: (skos labels) stays off millions of event records.
DESCRIPTION = iri(PREFIXES["rdfs"] + "label")
LAT, LONG = iri(PREFIXES["geo"] + "lat"), iri(PREFIXES["geo"] + "long")
LOCATION, POINT = iri(PREFIXES["geo"] + "location"), iri(PREFIXES["geo"] + "Point")


@functools.cache
def P(name: str) -> str:
    """An ontology term, written as an IRI: ``P("hasParty")``; a term the ontology does not
    define is an AttributeError (kg.vocab is closed)."""
    return iri(getattr(PSKG, name))


_SCHEMES = {"measure": MEASURE, "estimate": ESTIMATE, "conflict-kind": KIND, "event-status": STATUS}


@functools.cache
def V(scheme: str, name: str) -> str:
    """A vocabulary concept, written as an IRI: ``V("measure", "killed")``; one that
    ontology/vocabularies.ttl does not define is an AttributeError."""
    return iri(getattr(_SCHEMES[scheme], name.replace("-", "_")))


def I(kind: str, slug: str) -> str:  # noqa: E743 - short on purpose, used on every row
    """An instance IRI, written: ``I("event", "ucdp-ged-1234")``."""
    return iri(f"{INSTANCE}{kind}/{slug}")


def text(value: str, lang: str | None = None) -> str:
    """A string literal, escaped by pyoxigraph (quotes, backslashes, line breaks)."""
    return str(ox.Literal(value, language=lang))


def integer(value: int) -> str:
    return f'"{value}"^^<{XSD}integer>'


def decimal(value: float) -> str:
    return f'"{value!r}"^^<{XSD}decimal>' if "e" not in repr(value) else f'"{value:.8f}"^^<{XSD}decimal>'


def date(value: dt.date, precision: str = "date") -> str:
    """A date as xsd:date, or cut to xsd:gYearMonth / xsd:gYear (the datatype is the precision)."""
    if precision == "gYear":
        return f'"{value.year:04d}"^^<{XSD}gYear>'
    if precision == "gYearMonth":
        return f'"{value.year:04d}-{value.month:02d}"^^<{XSD}gYearMonth>'
    return f'"{value.isoformat()}"^^<{XSD}date>'


def slug(value: str) -> str:
    """An IRI-safe slug of a name or id.

    >>> slug("Military Forces of Russia (2000-)")
    'military-forces-of-russia-2000'
    >>> slug("KGZ1234")
    'kgz1234'
    """
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-") or "x"


_WHOLE = re.compile(r"-?[0-9]+(?:\.0*)?")


def parse_int(row: dict[str, str], column: str, *, required: bool = True) -> int | None:
    """A count, id, year or code: ASCII digits (``12`` or ``12.0``), never negative.

    >>> parse_int({"best": "-5"}, "best")
    Traceback (most recent call last):
    kg.importers.base.RowError: best -5 is negative
    """
    value = row.get(column, "").strip()
    if value.isdigit() and value.isascii():  # the usual case, without the pattern
        return int(value)
    if not value:
        if required:
            raise RowError(f"{column} is empty")
        return None
    if not _WHOLE.fullmatch(value):
        raise RowError(f"{column} {value!r} is not a whole number")
    number = int(value.split(".")[0])
    if number < 0:
        raise RowError(f"{column} {number} is negative")
    return number


def parse_float(row: dict[str, str], column: str) -> float | None:
    value = row.get(column, "").strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise RowError(f"{column} {value!r} is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise RowError(f"{column} {value!r} is not a number")
    return number


_MONTH_NAME = re.compile(r"[0-9]{1,2} [A-Za-z]+ [0-9]{4}")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[ T][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?)?")


def parse_date(row: dict[str, str], column: str) -> dt.date:
    """``2022-09-14``, ``2022-09-14 00:00:00.000`` (UCDP) or ``14 September 2022`` (older ACLED);
    nothing else (no trailing text, no week dates, no digits of other scripts).

    >>> parse_date({"day": "2022-09-15garbage"}, "day")
    Traceback (most recent call last):
    kg.importers.base.RowError: day '2022-09-15garbage' is not a date
    """
    value = row.get(column, "").strip()
    if not value:
        raise RowError(f"{column} is empty")
    try:
        if _MONTH_NAME.fullmatch(value):
            return dt.datetime.strptime(value, "%d %B %Y").date()
        if _ISO_DAY.fullmatch(value):
            return dt.date.fromisoformat(value[:10])
    except ValueError:
        pass
    raise RowError(f"{column} {value!r} is not a date")


def check_coordinates(lat: float | None, lon: float | None) -> None:
    if (lat is None) != (lon is None):
        raise RowError("latitude and longitude must be given together")
    if lat is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise RowError(f"coordinates {lat}, {lon} are out of range")


class Writer:
    """Writes N-Triples lines to a file (or anything with ``write``), a row at a time,
    remembering the resources already described.

    A row's statements are held until :meth:`end_row`, which writes each once (a row can name
    the same actor on both sides) and counts them, and the instances per class, so the import
    knows its graph's size without reading it back; :meth:`drop_row` forgets a row that failed
    halfway, with the resources it had marked as described. Statements that more than one row
    may write must go through :meth:`once` (shared resources) for the counts to be exact.
    """

    def __init__(self, handle: IO[str]) -> None:
        self._write = handle.write
        self.written: set[str] = set()
        self.triples = 0
        self.classes: dict[str, int] = {}
        self._row: dict[tuple[str, str, str], None] = {}
        self._row_keys: list[str] = []

    def add(self, subject: str, predicate: str, obj: str) -> None:
        self._row[(subject, predicate, obj)] = None

    def once(self, key: str) -> bool:
        """True the first time a key is seen: describe a shared resource only once per import."""
        if key in self.written:
            return False
        self.written.add(key)
        self._row_keys.append(key)
        return True

    def end_row(self) -> None:
        """Write the row's statements, each once, and count them."""
        classes = self.classes
        for _, predicate, obj in self._row:
            if predicate == A:
                classes[obj] = classes.get(obj, 0) + 1
        self._write("".join(f"{s} {p} {o} .\n" for s, p, o in self._row))
        self.triples += len(self._row)
        self._row = {}
        self._row_keys = []

    def drop_row(self) -> None:
        """Forget the row's statements (it failed), and that it described anything."""
        self.written.difference_update(self._row_keys)
        self._row = {}
        self._row_keys = []


@dataclass
class Context:
    """What a mapper needs besides the row: the reconciler, the dataset's source IRI, the writer."""

    reconciler: Reconciler
    source: str
    writer: Writer


def locate(ctx: Context, event: str, lat: float | None, lon: float | None, precision: int | None,
           *, place_name: str = "", place_km: float = 0.0) -> None:
    """An imported event's location: ``geo:location`` a point, one node per coordinates and
    precision code, shared by every event reported there (datasets report many events at the
    same village or district centre); and the catalogue settlement within ``place_km`` of it
    (or of that name), if any, as the event's ``pskg:hasPlace``."""
    w = ctx.writer
    if lat is None:
        if precision is not None:
            w.add(event, P("hasLocationPrecision"), integer(precision))
        return
    point = I("point", f"{lat!r}_{lon!r}" + ("" if precision is None else f"_{precision}"))
    if w.once(point):
        w.add(point, A, POINT)
        w.add(point, LAT, decimal(lat))
        w.add(point, LONG, decimal(lon))
        if precision is not None:
            w.add(point, P("hasLocationPrecision"), integer(precision))
    w.add(event, LOCATION, point)
    place = ctx.reconciler.place(lat, lon, name=place_name, max_km=place_km)
    if place is not None:
        w.add(event, P("hasPlace"), f"<{place}>")


class Importer:
    """One dataset's CSV layout and its mapping to the ontology; subclasses fill these in."""

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    required: ClassVar[tuple[str, ...]] = ()
    licence: ClassVar[str | None] = None
    homepage: ClassVar[str] = ""
    #: the organisation that publishes the dataset (its reliability grade is curated in data/)
    publisher: ClassVar[str] = ""
    #: the columns that identify a row: a second row with the same values there is a repeat
    key: ClassVar[tuple[str, ...]] = ()

    def __init__(self, header: list[str]) -> None:
        self.header = header

    @classmethod
    def check_header(cls, path: Path, header: list[str]) -> None:
        missing = [c for c in cls.required if c not in header]
        if missing:
            raise KgError(f"{path}: not in the {cls.title} layout: missing column(s) {', '.join(missing)}")

    def version_of(self, path: Path, first_row: dict[str, str] | None) -> str:
        match = re.search(r"v(\d+)[_.](\d+)", path.name)
        return f"{match.group(1)}.{match.group(2)}" if match else ""

    def map_row(self, row: dict[str, str], ctx: Context) -> None:
        raise NotImplementedError


#: Key under which a row with the wrong number of fields carries its count.
FIELD_COUNT = "\0fields"
#: Key under which a row with bytes that are not UTF-8 carries the column that holds them.
NOT_UTF8 = "\0not-utf8"


def _record(header: list[str], values: list[str]) -> dict[str, str]:
    """A row's values by column, marked when it has the wrong number of fields or bytes that are not UTF-8."""
    record = dict(zip(header, values, strict=False))
    if len(values) != len(header):
        record[FIELD_COUNT] = str(len(values))
    bad = _undecodable(values)
    if bad is not None:
        record[NOT_UTF8] = header[bad] if bad < len(header) else f"field {bad + 1}"
    return record


def _undecodable(values: list[str]) -> int | None:
    """The index of the first value holding bytes that were not UTF-8 (lone surrogates), if any."""
    if "".join(values).isascii():  # most rows: one check in C
        return None
    for index, value in enumerate(values):
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return index
    return None


def read_header(path: Path) -> list[str]:
    """The header of a CSV file, or a one-line error."""
    header, rows = read_rows(path)
    for _ in rows:  # start the stream so that closing it closes the file
        break
    rows.close()
    return header


@dataclass
class Row:
    line: int
    values: dict[str, str]


def read_rows(path: Path, on_bytes: Callable[[int], None] | None = None) -> tuple[list[str], Iterator[Row]]:
    """The header and a lazy stream of rows with the line each starts on.

    A row with more or fewer fields than the header comes through with a ``None`` value
    under ``"\\0fields"`` giving the count, so the importer can report it.
    """
    try:
        raw = path.open("rb")
    except OSError as err:
        raise KgError(f"{path}: cannot read: {err.strerror}") from None
    # undecodable bytes come through as lone surrogates, so that the row holding them can be
    # named (and skipped) instead of the whole file failing
    stream = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="", errors="surrogateescape")
    csv.field_size_limit(sys.maxsize)  # GED's source_original and ACLED's notes can be long
    reader = csv.reader(stream)
    try:
        header = [h.strip() for h in next(reader)]
        if _undecodable(header) is not None:
            raise UnicodeDecodeError("utf-8", b"", 0, 1, "invalid byte in the header")
    except StopIteration:
        raw.close()
        raise KgError(f"{path}: the file is empty") from None
    except (UnicodeDecodeError, csv.Error) as err:
        raw.close()
        raise KgError(f"{path}: not a UTF-8 CSV file ({err})") from None

    def rows() -> Iterator[Row]:
        last = reader.line_num
        reported = 0
        try:
            while True:
                try:
                    values = next(reader)
                except StopIteration:
                    return
                except csv.Error as err:
                    raise KgError(f"{path}:{last + 1}: malformed CSV: {err}") from None
                start, last = last + 1, reader.line_num
                if on_bytes is not None:
                    position = raw.tell()
                    on_bytes(position - reported)
                    reported = position
                if not values or values == [""]:
                    continue
                yield Row(start, _record(header, values))
        finally:
            raw.close()

    return header, rows()
