"""The store folder under concurrent writers, crashes and damage (kg.storage): one writer at
a time, nothing half-written ever visible, nothing left behind, damage reported in one line."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kg import storage
from kg.build import build, open_store
from kg.errors import KgError
from kg.namespaces import IMPORT_GRAPH_PREFIX

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"


def _kg(project, *args: str, **popen) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kg", "--root", str(project.root), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def _imports(project) -> list[str]:
    with open_store(project) as store:
        return [g for g in store.graphs() if g.startswith(IMPORT_GRAPH_PREFIX)]


def _synthetic_ged(path: Path, events: int) -> Path:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import scale
    finally:
        sys.path.remove(str(ROOT / "bench"))
    scale.write_ged(path, events, random.Random(7))
    return path


def _leftovers(project) -> list[str]:
    current = storage.generation_of(storage.read_manifest(project.store_dir))
    expected = {storage.MANIFEST, storage.LOCK, current, current + storage.PIN_SUFFIX}
    return sorted(set(os.listdir(project.store_dir)) - expected)


def test_an_import_waits_for_the_writer_before_it_and_is_kept(scratch_project):
    build(scratch_project)
    with storage.writer_lock(scratch_project.store_dir):
        importing = _kg(scratch_project, "import", "ucdp-ged", str(FIXTURES / "ged_sample.csv"))
        time.sleep(3)
        assert importing.poll() is None, importing.communicate()  # still waiting for the lock
    out, err = importing.communicate(timeout=120)
    assert importing.returncode == 0, err
    assert "Waiting for pid" in err and "Imported" in out
    assert len(_imports(scratch_project)) == 1


def test_an_import_concurrent_with_builds_is_never_lost(scratch_project):
    build(scratch_project)
    ged = _synthetic_ged(scratch_project.root / "ged.csv", 3000)
    builds = [_kg(scratch_project, "build", "--force")]
    importing = _kg(scratch_project, "import", "ucdp-ged", str(ged))
    builds += [_kg(scratch_project, "build", "--force") for _ in range(2)]
    for process in [*builds, importing]:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    graphs = _imports(scratch_project)
    assert len(graphs) == 1
    assert graphs[0] in storage.read_manifest(scratch_project.store_dir)["graphs"]
    assert _leftovers(scratch_project) == []


def test_kill_9_during_an_import_leaves_nothing_visible_and_nothing_behind(scratch_project):
    build(scratch_project)
    before = storage.read_manifest(scratch_project.store_dir)["store"]
    ged = _synthetic_ged(scratch_project.root / "ged.csv", 40_000)
    importing = _kg(scratch_project, "import", "ucdp-ged", str(ged))
    deadline = time.monotonic() + 60
    while not any(n.startswith(".import-") for n in os.listdir(scratch_project.store_dir)):
        assert time.monotonic() < deadline and importing.poll() is None, importing.communicate()
        time.sleep(0.05)
    time.sleep(1.0)  # chunks are loading into the new generation
    importing.send_signal(signal.SIGKILL)
    importing.wait()
    assert storage.read_manifest(scratch_project.store_dir)["store"] == before
    assert _imports(scratch_project) == []  # readers see the store as it was
    assert _leftovers(scratch_project) == []  # and the next command removed the remains


def test_readers_never_fail_while_builds_replace_the_store(scratch_project):
    build(scratch_project)
    errors, reads, done = [], [0], threading.Event()

    def read() -> None:
        while not done.is_set():
            try:
                with open_store(scratch_project) as store:
                    assert len(store.graphs()) >= 3
                reads[0] += 1
            except Exception as err:  # noqa: BLE001 - every failure is the finding
                errors.append(repr(err))

    readers = [threading.Thread(target=read) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        for _ in range(4):
            builder = _kg(scratch_project, "build", "--force")
            assert builder.wait(timeout=120) == 0
    finally:
        done.set()
        for reader in readers:
            reader.join()
    assert errors == [] and reads[0] > 10


def _damage(project, how: str) -> Path:
    manifest = storage.read_manifest(project.store_dir)
    folder = project.store_dir / manifest["store"]
    table = max(folder.glob("*.sst"), key=lambda p: p.stat().st_size)
    if how == "overwrite":
        with table.open("r+b") as handle:
            handle.seek(table.stat().st_size // 2)
            handle.write(b"\xff" * 32)
    else:
        os.truncate(table, table.stat().st_size // 2)
    return table


@pytest.mark.parametrize("how", ["overwrite", "truncate"])
def test_a_damaged_table_file_gives_one_line_and_repair_restores(scratch_project, how):
    build(scratch_project)
    imported = _kg(scratch_project, "import", "ucdp-ged", str(FIXTURES / "ged_sample.csv"))
    assert imported.wait(timeout=120) == 0
    graphs = _imports(scratch_project)
    table = _damage(scratch_project, how)
    querying = _kg(scratch_project, "query", "casualty-claims")
    out, err = querying.communicate(timeout=60)
    assert querying.returncode == 1 and out == ""
    assert err.count("\n") == 1 and str(table) in err and "kg repair" in err, err
    with pytest.raises(KgError, match="damaged"):
        open_store(scratch_project)
    repairing = _kg(scratch_project, "repair")
    out, err = repairing.communicate(timeout=300)
    assert repairing.returncode == 0, err
    assert "re-imported" in out and _imports(scratch_project) == graphs
    assert _kg(scratch_project, "query", "casualty-claims").wait(timeout=60) == 0


def test_a_store_from_before_generations_is_still_read(scratch_project):
    build(scratch_project)
    manifest = storage.read_manifest(scratch_project.store_dir)
    (scratch_project.store_dir / manifest.pop("store")).rename(scratch_project.store_dir / storage.LEGACY)
    del manifest["files_state"]
    storage.publish(scratch_project.store_dir, manifest)
    with open_store(scratch_project) as store:
        assert len(store.graphs()) >= 3


def test_build_after_an_import_reports_what_stats_count(scratch_project, runner):
    from kg.cli import main

    build(scratch_project)
    imported = runner.invoke(main, ["--root", str(scratch_project.root), "import", "ucdp-ged",
                                    str(FIXTURES / "ged_sample.csv")])
    assert imported.exit_code == 0, imported.output
    built = runner.invoke(main, ["--root", str(scratch_project.root), "build"])
    reported = int(built.output.split("Store up to date: ")[1].split()[0])
    with open_store(scratch_project) as store:
        assert reported == sum(1 for _ in store.quads())


def test_a_read_only_store_folder_answers_reads_and_refuses_writes_in_one_line(scratch_project, read_only, runner):
    from kg.cli import main

    def fill(folder: Path) -> None:
        build(scratch_project.__class__.at(scratch_project.root, folder))

    folder = read_only(scratch_project.root / "ro-store", fill)
    base = ["--root", str(scratch_project.root), "--store-dir", str(folder)]
    read = runner.invoke(main, [*base, "query", "casualty-claims", "--format", "csv"])
    assert read.exit_code == 0 and "24,people killed,Kyrgyzstan" in read.output, read.output
    for args in (["build", "--force"], ["import", "ucdp-ged", str(FIXTURES / "ged_sample.csv")]):
        result = runner.invoke(main, [*base, *args])
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert f"{folder}: cannot write the store there" in result.output, result.output
