"""The import pipeline: check the file and its header, map the rows (skipping and reporting
malformed ones, or failing with --strict), load them, describe the graph, replace older imports.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from kg.errors import KgError
from kg.importers.base import FIELD_COUNT, NOT_UTF8, Context, Importer, RowError, Writer, read_header, read_rows, slug
from kg.importers.graphs import checksum, drop_incomplete, drop_others, graph_for, refresh_description
from kg.importers.loading import CHUNK_TRIPLES, Chunks, Loader
from kg.importers.provenance import provenance
from kg.namespaces import INSTANCE
from kg.reconcile import Reconciler
from kg.store import OxigraphStore

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
    outside: list[str] = field(default_factory=list)  # conflicts a scope decision keeps out of the catalogue
    replaced: list[str] = field(default_factory=list)
    unchanged: bool = False
    relinked: bool = False  # imported before, mapped again because a --links file was given
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)  # seconds spent in each stage, in order

    def record(self) -> dict:
        """What the store's manifest keeps of this import, so that `kg repair` can do it again."""
        return {"dataset": self.dataset, "graph": self.graph, "file": str(self.path.resolve()),
                "checksum": self.checksum}


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
    from kg.importers import IMPORTERS

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
            report.replaced = drop_others(store, dataset, keep=graph)
            refresh_description(store)
        return report

    header = read_header(path)
    importer = IMPORTERS[dataset](header)
    importer.check_header(path, header)
    reconciler = Reconciler.from_store(store, links, resolve)
    work_dir.mkdir(parents=True, exist_ok=True)
    source = f"<{INSTANCE}source/{dataset}-{slug(path.stem)}-{digest[:12]}>"
    # with --strict nothing may reach the store before every row has been read; otherwise
    # chunks load while the next ones are mapped
    loader = Loader(store, graph, overlap=not strict)
    chunks = Chunks(work_dir / f".import-{os.getpid()}", CHUNK_TRIPLES, loader.submit)
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
        # the writer counted the statements and instances as it wrote them: no second pass
        size, classes = writer.triples, dict(writer.classes)
        description = provenance(importer, report, source, started, classes, size)
        store.load(description)
        report.triples_in_graph = size + len(description)
    except BaseException:
        chunks.discard()
        loader.abandon()
        store.clear_graph(graph)
        raise
    if replace:
        report.replaced = drop_others(store, dataset, keep=graph)
    refresh_description(store)
    # the chunks were bulk-loaded one by one: compacting the files once makes later queries
    # take up to a third of the time (bench/README.md: 3.9 against 12.4 s for a group-by at 2.2 M triples)
    with stage("compacting the store"):
        store.optimize()
    report.unmatched = reconciler.report()
    report.unmatched_count = len(reconciler.unmatched)
    report.unmatched_all = reconciler.unmatched.most_common()
    report.outside = reconciler.report_outside()
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
                ctx.writer.end_row()
            except RowError as err:
                ctx.writer.drop_row()
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
    digest = hash(tuple(row.values.items()))  # a file's rows share its header's column order
    if key not in seen:
        seen[key] = (row.line, digest)
        return False
    line, earlier = seen[key]
    if earlier == digest:
        return True
    named = ", ".join(f"{c} {v}" for c, v in zip(importer.key, key, strict=True))
    raise RowError(f"{named} is on line {line} already, with other values")


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
