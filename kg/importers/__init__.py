"""Import other conflict datasets (UCDP GED, UCDP/PRIO ACD, ACLED) into named graphs.

:func:`import_file` streams a CSV file row by row, maps each row to N-Triples in a temporary
file beside the store (reporting malformed rows by line and skipping them, or, with
``strict``, failing before the store is touched), then bulk-loads that file into the
import's own named graph, ``graph/import/DATASET/FILE-CHECKSUM``, described with its
provenance. Every IRI comes from the dataset's own ids, so importing the same file again
changes nothing; ``replace`` swaps a new file in for all earlier imports of the dataset.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pyoxigraph as ox

from kg.dataset import VOID_GRAPH, describe
from kg.errors import KgError
from kg.importers.acled import Acled
from kg.importers.base import FIELD_COUNT, NOT_UTF8, Context, Importer, RowError, Writer, read_header, read_rows, slug
from kg.importers.ucdp import UcdpAcd, UcdpGed
from kg.namespaces import IMPORT_GRAPH_PREFIX, INSTANCE, PREFIXES
from kg.query import internal_query, select_rows
from kg.reconcile import Reconciler
from kg.store import OxigraphStore
from kg.vocab import PSKG

#: The importers by the name ``kg import NAME FILE`` takes.
IMPORTERS: dict[str, type[Importer]] = {cls.name: cls for cls in (UcdpGed, UcdpAcd, Acled)}

XSD = PREFIXES["xsd"]
VOID = "http://rdfs.org/ns/void#"
MAX_REPORTED_ERRORS = 20


@dataclass
class ImportReport:
    """What an import did: its graph, the rows read, imported and skipped, and what found no match."""

    dataset: str
    graph: str
    path: Path
    checksum: str
    version: str = ""
    rows_read: int = 0
    rows_imported: int = 0
    rows_skipped: int = 0
    rows_repeated: int = 0  # rows identical to an earlier row of the same key, imported once
    triples: int = 0
    triples_in_graph: int = 0
    errors: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    unmatched_count: int = 0
    unmatched_all: list[tuple[tuple[str, str], int]] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: bool = False
    relinked: bool = False  # imported before, mapped again because a --links file was given
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)  # seconds spent in each stage, in order

    def record(self) -> dict:
        """What the store's manifest keeps of this import, so that `kg repair` can do it again."""
        return {"dataset": self.dataset, "graph": self.graph, "file": str(self.path.resolve()),
                "checksum": self.checksum}


def checksum(path: Path) -> str:
    """sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as err:
        raise KgError(f"{path}: cannot read: {err.strerror}") from None
    return digest.hexdigest()


def graph_for(dataset: str, path: Path, digest: str) -> str:
    """The named graph of one imported file: dataset, file name and the start of its checksum."""
    return f"{IMPORT_GRAPH_PREFIX}{dataset}/{slug(path.stem)}-{digest[:12]}"


def import_graphs(store: OxigraphStore, dataset: str | None = None) -> list[str]:
    prefix = IMPORT_GRAPH_PREFIX + (f"{dataset}/" if dataset else "")
    return [g for g in store.graphs() if g.startswith(prefix)]


def _is_complete(store: OxigraphStore, graph: str) -> bool:
    node = ox.NamedNode(graph)
    return any(True for _ in store.quads_for_pattern(node, ox.NamedNode(PSKG.isComplete), None, node))


def drop_incomplete(store: OxigraphStore) -> list[str]:
    """Remove what an interrupted import left: import graphs without their completion mark."""
    dropped = [g for g in import_graphs(store) if not _is_complete(store, g)]
    for graph in dropped:
        store.clear_graph(graph)
    return dropped


def import_file(
    store: OxigraphStore,
    dataset: str,
    path: Path,
    *,
    work_dir: Path,
    strict: bool = False,
    replace: bool = False,
    links: Path | None = None,
    resolve: Callable[[str], str] | None = None,
    progress: bool = False,
    on_skip: Callable[[int, str], None] | None = None,
) -> ImportReport:
    """Import one file into the store (opened for writing); see the module's docstring.

    ``on_skip(line, reason)`` hears of every malformed row skipped (the report keeps the first
    MAX_REPORTED_ERRORS of them).
    """
    started = dt.datetime.now(dt.UTC)
    if dataset not in IMPORTERS:
        raise KgError(f"unknown dataset {dataset!r} (use {', '.join(IMPORTERS)})")
    if not path.is_file():
        raise KgError(f"{path}: no such file")
    digest = checksum(path)
    graph = graph_for(dataset, path, digest)
    report = ImportReport(dataset=dataset, graph=graph, path=path, checksum=f"sha256:{digest}")
    drop_incomplete(store)
    already = graph in store.graphs()
    if already and links is not None:
        # the same file with hand-made matches: map it again (its graph's name stays the same)
        store.clear_graph(graph)
        report.relinked = True
    elif already:
        report.unchanged = True
        if replace:
            report.replaced = _drop_others(store, dataset, keep=graph)
            _refresh_description(store)
        return report

    header = read_header(path)
    importer = IMPORTERS[dataset](header)
    importer.check_header(path, header)
    reconciler = Reconciler.from_store(store, links, resolve)
    work_dir.mkdir(parents=True, exist_ok=True)
    source = f"<{INSTANCE}source/{dataset}-{slug(path.stem)}-{digest[:12]}>"
    # with --strict nothing may reach the store before every row has been read; otherwise
    # chunks load while the next ones are mapped
    loader = _Loader(store, graph, overlap=not strict)
    chunks = _Chunks(work_dir / f".import-{os.getpid()}", CHUNK_TRIPLES, loader.submit)
    stage = partial(_timed, report.stages)
    try:
        writer = Writer(chunks)
        with stage("mapping rows while chunks load" if loader.overlap else "mapping rows"):
            _map_rows(importer, path, header, Context(reconciler=reconciler, source=source, writer=writer),
                      report, strict=strict, progress=progress,
                      on_skip=on_skip)
            chunks.close()
        report.triples = writer.triples
        if report.rows_read == 0:
            raise KgError(f"{path}: no rows after the header; nothing was imported")
        if report.rows_imported == 0:
            raise KgError(f"{path}: no row could be imported ({report.rows_skipped} malformed)")
        with stage("loading the last chunk" if loader.overlap else "loading"):
            loader.finish()
        with stage("counting the graph"):
            size, classes = _sizes(store, graph)
            provenance = _provenance(importer, report, source, started, classes, size)
            store.load(provenance)
        report.triples_in_graph = size + len(provenance)
    except BaseException:
        chunks.discard()
        loader.abandon()
        store.clear_graph(graph)
        raise
    if replace:
        report.replaced = _drop_others(store, dataset, keep=graph)
    _refresh_description(store)
    # the chunks were bulk-loaded one by one: compacting the files once makes later queries
    # take up to a third of the time (bench/README.md: 3.9 against 12.4 s for a group-by at 2.2 M triples)
    with stage("compacting the store"):
        store.optimize()
    report.unmatched = reconciler.report()
    report.unmatched_count = len(reconciler.unmatched)
    report.unmatched_all = reconciler.unmatched.most_common()
    report.seconds = (dt.datetime.now(dt.UTC) - started).total_seconds()
    return report


@contextmanager
def _timed(stages: dict[str, float], name: str):
    """Add the block's wall time to ``stages[name]``."""
    started = time.perf_counter()
    try:
        yield
    finally:
        stages[name] = stages.get(name, 0.0) + time.perf_counter() - started


CHUNK_TRIPLES = 400_000  # bounds the bulk loader's memory; about 50 MB of N-Triples a chunk


def _map_rows(importer: Importer, path: Path, header: list[str], ctx: Context, report: ImportReport, *,
              strict: bool, progress: bool, on_skip: Callable[[int, str], None] | None = None) -> None:
    """Map every row, counting what was read, imported and skipped (with its line)."""
    seen: dict[tuple[str, ...], tuple[int, int]] = {}  # a row's key: its line and a hash of its values
    with _progress(path, progress) as advance:
        for row in read_rows(path, on_bytes=advance)[1]:
            report.rows_read += 1
            if report.rows_read == 1:
                report.version = importer.version_of(path, row.values)
            try:
                if FIELD_COUNT in row.values:
                    raise RowError(f"{row.values[FIELD_COUNT]} fields, the header has {len(header)}")
                if NOT_UTF8 in row.values:
                    raise RowError(f"column {row.values[NOT_UTF8]} holds bytes that are not UTF-8")
                if _repeats(importer, row, seen):
                    report.rows_repeated += 1
                    continue
                importer.map_row(row.values, ctx)
            except RowError as err:
                report.rows_skipped += 1
                message = f"{path}:{row.line}: {err}"
                if strict:
                    raise KgError(f"{message} (--strict: nothing was imported)") from None
                if len(report.errors) < MAX_REPORTED_ERRORS:
                    report.errors.append(message)
                if on_skip is not None:
                    on_skip(row.line, str(err))
                continue
            report.rows_imported += 1


def _repeats(importer: Importer, row, seen: dict[tuple[str, ...], tuple[int, int]]) -> bool:
    """Whether the row repeats an earlier row of the same key (True: skip it); a repeat with
    other values is an error naming both lines, rather than two values merged into one claim."""
    if not importer.key:
        return False
    key = tuple(row.values.get(column, "").strip() for column in importer.key)
    digest = hash(tuple(sorted(row.values.items())))
    if key not in seen:
        seen[key] = (row.line, digest)
        return False
    line, earlier = seen[key]
    if earlier == digest:
        return True
    named = ", ".join(f"{c} {v}" for c, v in zip(importer.key, key, strict=True))
    raise RowError(f"{named} is on line {line} already, with other values")


class _Chunks:
    """Scratch N-Triples files of at most ``size`` lines; each full one goes to ``on_full``."""

    def __init__(self, stem: Path, size: int, on_full: Callable[[Path], None]) -> None:
        self.stem, self.size, self.on_full = stem, size, on_full
        self.number, self.lines, self.handle, self.path = 0, 0, None, None

    def write(self, line: str) -> None:
        if self.handle is None:
            self.number += 1
            self.path = self.stem.with_name(f"{self.stem.name}-{self.number}.nt")
            self.handle = self.path.open("w", encoding="utf-8")
        self.handle.write(line)
        self.lines += 1
        if self.lines >= self.size:
            self._hand_over()

    def _hand_over(self) -> None:
        self.handle.close()
        self.handle, self.lines = None, 0
        self.on_full(self.path)

    def close(self) -> None:
        if self.handle is not None:
            self._hand_over()

    def discard(self) -> None:
        """Drop the chunk being written (after a failure): it is not loaded."""
        if self.handle is not None:
            self.handle.close()
            self.path.unlink(missing_ok=True)
            self.handle = None


class _Loader:
    """Bulk-loads scratch files into the import's graph, in a thread while mapping goes on
    (``overlap``), or all at the end; deletes each file once loaded."""

    def __init__(self, store: OxigraphStore, graph: str, *, overlap: bool) -> None:
        import queue
        import threading

        self.store, self.graph, self.overlap = store, graph, overlap
        self.pending: list[Path] = []
        self.error: BaseException | None = None
        if overlap:
            self.queue: queue.Queue[Path | None] = queue.Queue(maxsize=1)
            self.thread = threading.Thread(target=self._run, name="kg-import-loader", daemon=True)
            self.thread.start()

    def _load(self, path: Path) -> None:
        try:
            # lenient: the IRIs were built here from checked ids and slugs, the literals escaped
            # by pyoxigraph; skipping their re-validation saves a fifth of the load time
            self.store.bulk_load(path, self.graph, lenient=True)
        finally:
            path.unlink(missing_ok=True)

    def _run(self) -> None:
        while (path := self.queue.get()) is not None:
            if self.error is None:
                try:
                    self._load(path)
                except BaseException as err:  # handed to the main thread by finish()
                    self.error = err
            else:
                path.unlink(missing_ok=True)

    def submit(self, path: Path) -> None:
        if self.error is not None:
            raise self.error
        if self.overlap:
            self.queue.put(path)
        else:
            self.pending.append(path)

    def finish(self) -> None:
        if self.overlap:
            self.queue.put(None)
            self.thread.join()
            if self.error is not None:
                raise self.error
        else:
            while self.pending:
                self._load(self.pending.pop(0))

    def abandon(self) -> None:
        if self.overlap and self.thread.is_alive():
            self.error = self.error or KgError("import abandoned")
            self.queue.put(None)
            self.thread.join()
        for path in self.pending:
            path.unlink(missing_ok=True)
        self.pending.clear()


def _progress(path: Path, enabled: bool):
    """A progress bar over the file's bytes on a terminal; nothing in a pipe."""
    if not enabled or not sys.stderr.isatty():
        return nullcontext(None)
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    class _Bar:
        def __enter__(self):
            self.progress = Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                                     TimeRemainingColumn(), transient=True)
            self.progress.__enter__()
            task = self.progress.add_task(f"importing {path.name}", total=path.stat().st_size)
            return lambda n: self.progress.advance(task, n)

        def __exit__(self, *exc):
            return self.progress.__exit__(*exc)

    return _Bar()


def _drop_others(store: OxigraphStore, dataset: str, *, keep: str) -> list[str]:
    dropped = [g for g in import_graphs(store, dataset) if g != keep]
    for graph in dropped:
        store.clear_graph(graph)
    return dropped


def list_imports(store: OxigraphStore) -> list[dict[str, str]]:
    """The complete imports in the store: graph, file, time of import, rows imported, statements."""
    return [{name: term.value for name, term in row.items()}
            for row in select_rows(store, internal_query("imports_list"))]


def remove_imports(store: OxigraphStore, refs: list[str]) -> list[str]:
    """Drop import graphs, named by IRI or by what follows ``graph/import/`` (``ucdp-ged/ged-...``);
    return the graphs dropped. An unknown name is an error, before anything is dropped."""
    known = import_graphs(store)
    chosen = []
    for ref in refs:
        graph = ref if ref.startswith(IMPORT_GRAPH_PREFIX) else IMPORT_GRAPH_PREFIX + ref.strip("/")
        if graph not in known:
            raise KgError(f"{ref}: not an import of this store (see `kg imports`)")
        chosen.append(graph)
    for graph in chosen:
        store.clear_graph(graph)
    _refresh_description(store)
    return chosen


def _refresh_description(store: OxigraphStore) -> None:
    store.clear_graph(VOID_GRAPH)
    store.load(describe(store))


def _sizes(store: OxigraphStore, graph: str) -> tuple[int, dict[str, int]]:
    """The statements of a freshly loaded import graph, and its instances per class, as the
    store holds them (the same statement written twice counts once)."""
    size, classes = 0, {}
    for row in select_rows(store, internal_query("import_sizes"), {"graph": ox.NamedNode(graph)}):
        if "class" in row:
            classes[f"<{row['class'].value}>"] = int(row["n"].value)
        else:
            size = int(row["n"].value)
    return size, classes


def _provenance(importer: Importer, report: ImportReport, source: str, started: dt.datetime,
                classes: dict[str, int], size: int) -> list[ox.Quad]:
    """The import graph described in itself: dataset, version, licence, file, checksum, time,
    counts, and one VoID class partition per class it holds (so counting needs no scan)."""
    graph = ox.NamedNode(report.graph)
    src = ox.NamedNode(source[1:-1])
    dct, prov, rdf = PREFIXES["dct"], PREFIXES["prov"], PREFIXES["rdf"]

    def n(value: str) -> ox.NamedNode:
        return ox.NamedNode(value)

    def integer(value: int) -> ox.Literal:
        return ox.Literal(str(value), datatype=n(XSD + "integer"))

    title = f"{importer.title}" + (f" version {report.version}" if report.version else "")
    triples = [
        (src, n(rdf + "type"), n(PSKG.Dataset)),
        (src, n(dct + "title"), ox.Literal(title, language="en")),
        (src, n(PSKG.hasUrl), ox.Literal(importer.homepage, datatype=n(XSD + "anyURI"))),
        (graph, n(rdf + "type"), n(prov + "Entity")),
        (graph, n(dct + "title"), ox.Literal(f"Import of {report.path.name} ({title})", language="en")),
        (graph, n(prov + "wasDerivedFrom"), src),
        (graph, n(dct + "source"), ox.Literal(report.path.name)),
        (graph, n(PSKG.hasChecksum), ox.Literal(report.checksum)),
        (graph, n(prov + "generatedAtTime"),
         ox.Literal(started.replace(microsecond=0).isoformat().replace("+00:00", "Z"), datatype=n(XSD + "dateTime"))),
        (graph, n(PSKG.rowsRead), integer(report.rows_read)),
        (graph, n(PSKG.rowsImported), integer(report.rows_imported)),
        (graph, n(PSKG.rowsSkipped), integer(report.rows_skipped)),
        (graph, n(PSKG.isComplete), ox.Literal("true", datatype=n(XSD + "boolean"))),
    ]
    if importer.publisher:
        triples.append((src, n(PSKG.hasPublisher), n(importer.publisher[1:-1])))
        triples.append((src, n(PSKG.hasSourceKind), n(PREFIXES["sourcekind"] + "research-dataset")))
    if importer.licence:
        triples.append((src, n(dct + "license"), n(importer.licence)))
        triples.append((graph, n(dct + "license"), n(importer.licence)))
    if report.version:
        triples.append((src, n(PREFIXES["dcat"] + "version"), ox.Literal(report.version)))
    for cls, count in sorted(classes.items()):
        part = n(f"{report.graph}#class-{cls[1:-1].rsplit('#', 1)[-1]}")
        triples += [(graph, n(VOID + "classPartition"), part), (part, n(VOID + "class"), n(cls[1:-1])),
                    (part, n(VOID + "entities"), integer(count))]
    # the graph's size: what was loaded, this description, and this statement itself
    triples.append((graph, n(VOID + "triples"), integer(size + len(triples) + 1)))
    return [ox.Quad(s, p, o, graph) for s, p, o in triples]
