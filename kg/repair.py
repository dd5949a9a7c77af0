"""Repair a damaged store: rebuild it from ontology/ and data/, then import again each file
that the manifest records as imported, if it is still where it was and unchanged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kg import storage
from kg.build import BuildReport, edit, fingerprint, read_sources, write_generation
from kg.errors import KgError
from kg.project import Project


@dataclass
class RepairReport:
    built: BuildReport
    reimported: list[dict] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # why each recorded import could not be redone


def repair(project: Project, *, on_wait: Callable[[str], None] | None = None) -> RepairReport:
    """Rebuild without reading the current store, then redo the recorded imports."""
    from kg.entities import resolve
    from kg.importers import checksum, import_file

    recorded = (storage.read_manifest(project.store_dir) or {}).get("imports", [])
    sources = read_sources(project)
    with storage.writer_lock(project.store_dir, on_wait=on_wait):
        built = write_generation(project, sources, None, fingerprint(project))
        storage.remove_unused(project.store_dir)
    report = RepairReport(built)
    for entry in recorded:
        path = Path(entry["file"])
        if not path.is_file():
            report.missing.append(f"{path}: no longer there")
            continue
        if f"sha256:{checksum(path)}" != entry["checksum"]:
            report.missing.append(f"{path}: changed since it was imported (checksum)")
            continue
        with edit(project, on_wait=on_wait) as change:
            store = change.store
            try:
                imported = import_file(store, entry["dataset"], path, work_dir=change.work_dir,
                                       resolve=lambda ref, s=store: resolve(s, ref))
            except KgError as err:
                report.missing.append(str(err))
                continue
            change.record({imported.graph: imported.triples_in_graph}, [], imported.record())
        report.reimported.append(entry)
    return report
