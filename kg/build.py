"""Build the embedded store from ontology/ and data/, and reopen it while those files are unchanged.

The store is rebuilt only when the content hash of the source files changes. A build parses
every file first and writes a new store beside the old one; the old one is swapped out only
when the new one is complete, so a failed build leaves the previous store as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.dataset import describe
from kg.errors import KgError
from kg.namespaces import CURATED_GRAPH, IMPORT_GRAPH_PREFIX, ONTOLOGY, ONTOLOGY_GRAPH
from kg.project import Project
from kg.store import OxigraphStore

MANIFEST = "manifest.json"
STORE_DIRNAME = "store"


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
    try:
        return json.loads((project.store_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def is_current(project: Project) -> bool:
    """True when the store exists and was built from the files as they are now."""
    manifest = read_manifest(project)
    return (
        manifest is not None
        and (project.store_dir / STORE_DIRNAME).is_dir()
        and manifest.get("fingerprint") == fingerprint(project)
    )


def build(project: Project, *, force: bool = False, on_rebuild: Callable[[], None] | None = None) -> BuildReport:
    """(Re)build the store if the sources changed (or ``force``); return what it holds.

    ``on_rebuild`` is called once, before parsing, when a rebuild is actually needed.
    """
    started = time.perf_counter()
    current_fingerprint = fingerprint(project)
    manifest = read_manifest(project)
    live = project.store_dir / STORE_DIRNAME
    if not force and manifest and live.is_dir() and manifest.get("fingerprint") == current_fingerprint:
        return BuildReport(
            fingerprint=current_fingerprint, files=manifest["files"], graphs=manifest["graphs"],
            seconds=time.perf_counter() - started, rebuilt=False,
        )

    if on_rebuild is not None:
        on_rebuild()
    sources = read_sources(project)  # raises on malformed input, before any write
    project.store_dir.mkdir(parents=True, exist_ok=True)
    fresh = project.store_dir / f"{STORE_DIRNAME}.new-{os.getpid()}"
    shutil.rmtree(fresh, ignore_errors=True)
    try:
        with OxigraphStore(fresh) as store:
            for quads in sources.values():
                store.load(quads)
            if live.is_dir():
                _copy_imports(live, store)
            store.load(describe(store))
            graphs = {g: sum(1 for _ in store.quads(g)) for g in store.graphs()}
        _swap(live, fresh)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    files = [project.relative(p) for files in source_files(project).values() for p in files]
    report = BuildReport(fingerprint=current_fingerprint, files=files, graphs=graphs)
    report.seconds = time.perf_counter() - started
    _write_manifest(project, report)
    return report


def _copy_imports(live: Path, target: OxigraphStore) -> None:
    """Carry imported graphs over from the previous store: a rebuild replaces curated data only."""
    with OxigraphStore(live, read_only=True) as old:
        complete = {q.graph_name.value for q in old._store.quads_for_pattern(
            None, ox.NamedNode(ONTOLOGY + "isComplete"), None, None) if isinstance(q.graph_name, ox.NamedNode)}
        for graph in old.graphs():
            if graph.startswith(IMPORT_GRAPH_PREFIX) and graph in complete:
                target.load(old.quads(graph))


def _swap(live: Path, fresh: Path) -> None:
    retired = live.with_name(f"{STORE_DIRNAME}.old-{os.getpid()}")
    if live.is_dir():
        live.rename(retired)
    fresh.rename(live)
    shutil.rmtree(retired, ignore_errors=True)


def _write_manifest(project: Project, report: BuildReport) -> None:
    manifest = {
        "fingerprint": report.fingerprint,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "files": report.files,
        "graphs": report.graphs,
    }
    tmp = project.store_dir / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    tmp.replace(project.store_dir / MANIFEST)


def record_graphs(project: Project, added: dict[str, int], removed: list[str]) -> None:
    """Update the manifest's triple counts per graph after an import added or dropped graphs."""
    manifest = read_manifest(project)
    if manifest is None:
        return
    graphs = {g: n for g, n in manifest["graphs"].items() if g not in removed}
    graphs.update(added)
    _write_manifest(project, BuildReport(fingerprint=manifest["fingerprint"], files=manifest["files"],
                                         graphs=dict(sorted(graphs.items()))))


def open_store(
    project: Project, *, read_only: bool = True, on_rebuild: Callable[[], None] | None = None
) -> OxigraphStore:
    """Open the embedded store, building it first if it is missing or out of date."""
    build(project, on_rebuild=on_rebuild)  # hashes the sources once; returns early when current
    return OxigraphStore(project.store_dir / STORE_DIRNAME, read_only=read_only)
