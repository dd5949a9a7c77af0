"""Build the embedded store from ontology/ and data/, and reopen it while those files are unchanged.

The store is rebuilt only when the content hash of the source files changes. A build parses
every file first, then writes a new generation of the store and publishes it only when it is
complete (:mod:`kg.storage`), so a failed build leaves the previous store as it was, and
readers go on reading the previous one until they open the store again. :func:`edit` is the
same for any other change (an import).
"""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg import storage
from kg.dataset import VOID_GRAPH, describe
from kg.errors import KgError
from kg.namespaces import CURATED_GRAPH, IMPORT_GRAPH_PREFIX, ONTOLOGY_GRAPH
from kg.project import Project
from kg.store import OxigraphStore
from kg.vocab import PSKG


@dataclass
class BuildReport:
    """What a build did: the fingerprint, files read and triples per named graph."""

    fingerprint: str
    files: list[str]
    graphs: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    rebuilt: bool = True

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())


def source_files(project: Project) -> dict[str, list[Path]]:
    """The Turtle files of each graph the build writes."""
    return {ONTOLOGY_GRAPH: project.ontology_files(), CURATED_GRAPH: project.data_files()}


def fingerprint(project: Project) -> str:
    """SHA-256 over the relative paths and contents of every source file."""
    digest = hashlib.sha256()
    for files in source_files(project).values():
        for path in files:
            digest.update(project.relative(path).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def parse_turtle(path: Path, graph: str, *, shown_as: str | None = None) -> list[ox.Quad]:
    """Parse one Turtle file into quads of ``graph``; a syntax error names file, line and column."""
    name = shown_as or str(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise KgError(f"{name}: cannot read: {err.strerror}") from None
    try:
        triples = ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri())
        graph_node = ox.NamedNode(graph)
        return [ox.Quad(t.subject, t.predicate, t.object, graph_node) for t in triples]
    except SyntaxError as err:
        line, column = err.lineno or "?", err.offset or "?"
        message = str(err.msg if hasattr(err, "msg") else err).split("\n")[0]
        raise KgError(f"{name}:{line}:{column}: malformed Turtle: {message}") from None


def read_sources(project: Project) -> dict[str, list[ox.Quad]]:
    """Parse every source file; raise before anything is written if one is malformed."""
    graphs: dict[str, list[ox.Quad]] = {}
    for graph, files in source_files(project).items():
        if not files:
            folder = project.data_dir if graph == CURATED_GRAPH else project.ontology_dir
            raise KgError(f"{project.relative(folder)}/: no .ttl files")
        quads: list[ox.Quad] = []
        for path in files:
            quads.extend(parse_turtle(path, graph, shown_as=project.relative(path)))
        graphs[graph] = quads
    return graphs


def read_manifest(project: Project) -> dict | None:
    return storage.read_manifest(project.store_dir)


def _current_report(manifest: dict | None, project: Project, fingerprint_now: str) -> BuildReport | None:
    if manifest is None or manifest.get("fingerprint") != fingerprint_now:
        return None
    path = project.store_dir / storage.generation_of(manifest)
    if not path.is_dir():
        return None
    return BuildReport(fingerprint=fingerprint_now, files=manifest["files"], graphs=manifest["graphs"],
                       rebuilt=False)


def is_current(project: Project) -> bool:
    """True when the store exists and was built from the files as they are now."""
    return _current_report(read_manifest(project), project, fingerprint(project)) is not None


def build(project: Project, *, force: bool = False, on_rebuild: Callable[[], None] | None = None,
          on_wait: Callable[[str], None] | None = None) -> BuildReport:
    """(Re)build the store if the sources changed (or ``force``); return what it holds.

    ``on_rebuild`` is called once, before parsing, when a rebuild is actually needed;
    ``on_wait`` with a message if another writer holds the store (see :mod:`kg.storage`).
    """
    started = time.perf_counter()
    current_fingerprint = fingerprint(project)
    report = None if force else _current_report(read_manifest(project), project, current_fingerprint)
    if report is None:
        if on_rebuild is not None:
            on_rebuild()
        sources = read_sources(project)  # raises on malformed input, before any write
        with storage.writer_lock(project.store_dir, on_wait=on_wait):
            manifest = read_manifest(project)  # another writer may have built it in the meantime
            report = None if force else _current_report(manifest, project, current_fingerprint)
            if report is None:
                report = write_generation(project, sources, manifest, current_fingerprint)
            storage.remove_unused(project.store_dir)
    report.seconds = time.perf_counter() - started
    return report


def write_generation(project: Project, sources: dict[str, list[ox.Quad]], manifest: dict | None,
                     current_fingerprint: str) -> BuildReport:
    """Write a new generation from the sources and the complete imports of the current one
    (``manifest``'s, if any); publish it.

    The imports are carried over by starting from a backup of the current generation (hard
    links) and replacing everything else in it, so a rebuild costs what the curated data
    costs, not what the imports weigh.
    """
    fresh = storage.new_generation(project.store_dir)
    live = project.store_dir / storage.generation_of(manifest) if manifest else None
    live = live if live is not None and live.is_dir() else None
    try:
        if live is not None:
            storage.check(live, manifest)
            with OxigraphStore(live, read_only=True) as old:
                old.backup(fresh)
        with OxigraphStore(fresh) as store:
            carried = _keep_complete_imports(store)
            for quads in sources.values():
                store.load(quads)
            store.load(describe(store))
            known = (manifest or {}).get("graphs", {})
            graphs = {g: known[g] if g in carried and g in known else sum(1 for _ in store.quads(g))
                      for g in store.graphs()}
        files = [project.relative(p) for files in source_files(project).values() for p in files]
        report = BuildReport(fingerprint=current_fingerprint, files=files, graphs=graphs)
        imports = [i for i in (manifest or {}).get("imports", []) if i.get("graph") in carried]
        storage.publish(project.store_dir, _manifest(fresh, report, imports))
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    return report


def _keep_complete_imports(store: OxigraphStore) -> set[str]:
    """Drop every graph but the complete imports (a rebuild replaces curated data only, and the
    remains of an interrupted import of an older store); return the imports kept."""
    complete = {q.graph_name.value for q in store.quads_for_pattern(
        None, ox.NamedNode(PSKG.isComplete), None, None) if isinstance(q.graph_name, ox.NamedNode)}
    kept = set()
    for graph in store.graphs():
        if graph.startswith(IMPORT_GRAPH_PREFIX) and graph in complete:
            kept.add(graph)
        else:
            store.clear_graph(graph)
    return kept


def _manifest(generation: Path, report: BuildReport, imports: list[dict]) -> dict:
    return {
        "store": generation.name,
        "fingerprint": report.fingerprint,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "files": report.files,
        "graphs": dict(sorted(report.graphs.items())),
        "imports": imports,
        "files_state": storage.file_states(generation),
    }


def open_store(project: Project, *, on_rebuild: Callable[[], None] | None = None,
               on_wait: Callable[[str], None] | None = None,
               on_stale: Callable[[str], None] | None = None) -> OxigraphStore:
    """Open the embedded store to read, building it first if it is missing or out of date.

    What it opens is the generation published when it was opened: writes published later
    (:func:`edit`, another build) are not seen until it is opened again. If the sources
    cannot be built (a malformed file) and a store was built before, that store is opened and
    ``on_stale`` is told why; without ``on_stale``, or without an earlier store, the error is raised.
    """
    try:
        build(project, on_rebuild=on_rebuild, on_wait=on_wait)  # hashes the sources once; early when current
    except storage.DamagedStore:
        raise
    except KgError as err:
        if on_stale is None or storage.current_path(project.store_dir) is None:
            raise
        on_stale(str(err))
    store = storage.open_current(project.store_dir)
    if store is None:
        raise KgError(f"{project.store_dir}: no store has been built here")
    return store


@dataclass
class Edit:
    """A write in progress (see :func:`edit`): the new generation, open for writing, and what
    the manifest will record when it is published."""

    store: OxigraphStore
    work_dir: Path
    graphs: dict[str, int]
    imports: list[dict]
    changed: bool = False

    def record(self, added: dict[str, int], removed: list[str], imported: dict | None = None) -> None:
        """Graphs added (with their sizes) and removed, and the import that added them."""
        for graph in removed:
            self.graphs.pop(graph, None)
        self.imports = [i for i in self.imports if i.get("graph") not in removed]
        self.graphs.update(added)
        if imported is not None:
            self.imports.append(imported)
        self.changed = self.changed or bool(added or removed)


@contextmanager
def edit(project: Project, *, on_rebuild: Callable[[], None] | None = None,
         on_wait: Callable[[str], None] | None = None) -> Iterator[Edit]:
    """Change the store as one unit: under the writer lock, a new generation is made from the
    current one, changed in the block and published when the block ends (if it recorded a
    change); if the block fails (or the process dies), nothing is published and readers never
    see the change.
    """
    build(project, on_rebuild=on_rebuild, on_wait=on_wait)
    with storage.writer_lock(project.store_dir, on_wait=on_wait):
        pin = storage.pin_current(project.store_dir)  # checks the current generation for damage
        if pin is None:
            raise KgError(f"{project.store_dir}: no store has been built here")
        manifest = pin.manifest
        fresh = storage.new_generation(project.store_dir)
        try:
            with OxigraphStore(pin.path, read_only=True) as current:
                current.backup(fresh)
        finally:
            pin.release()
        store = OxigraphStore(fresh)
        change = Edit(store, project.store_dir, dict(manifest["graphs"]), list(manifest.get("imports", [])))
        try:
            yield change
            if change.changed:
                # an import rewrites the dataset's description too: count it as it is now
                change.graphs[VOID_GRAPH] = sum(1 for _ in store.quads(VOID_GRAPH))
                store.close()
                report = BuildReport(fingerprint=manifest["fingerprint"], files=manifest["files"],
                                     graphs=change.graphs)
                storage.publish(project.store_dir, _manifest(fresh, report, change.imports))
        finally:
            store.close()
            if not change.changed or (read_manifest(project) or {}).get("store") != fresh.name:
                shutil.rmtree(fresh, ignore_errors=True)
            storage.remove_unused(project.store_dir)
