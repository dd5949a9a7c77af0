"""The benchmark suites run (a small size, in CI too); their figures are never asserted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_scale_suite_runs_end_to_end_at_a_small_size():
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "scale.py"), "run", "--sizes", "300", "--repeat", "1"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    table = done.stdout
    assert table.startswith("### 300 events, ")
    for row in ("| load, triples per second |", "| `1-fatalities-per-conflict` |", "| `6-describe-event` |",
                "| cold `kg stats` |", "| cold `kg view` of a 2,000-node query |",
                "| `kg import ucdp-ged`: compacting the store |", "| `kg import acled`: mapping rows while chunks load |",
                "| kg import / raw bulk load |", "| kg import / raw bulk load and compaction |"):
        assert row in table, table
    assert "rdflib Graph (memory)" in table and "raw pyoxigraph (disk)" in table


def test_loading_suite_runs_each_way_at_a_small_size():
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "loading.py"), "--events", "300"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ") and " s |" in line]
    assert [row.split(" | ")[0] for row in rows] == [
        "| one `bulk_load` of the whole file", "| files of 100,000, one after another (`kg import`)",
        "| files of 100,000, two at a time", "| files of 1,000,000, one after another"], done.stdout
    assert done.stdout.startswith("#### 300 GED events, "), done.stdout


def test_scale_suite_records_an_engine_that_fails_and_goes_on(tmp_path):
    # no all.nt in the folder: rdflib's process fails before loading; the row says so
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import scale
    finally:
        sys.path.remove(str(ROOT / "bench"))
    figures = scale.run_engine("rdflib", tmp_path, 1)
    assert figures["failed"].startswith("exit 1: FileNotFoundError"), figures
    assert "load_seconds" not in figures
    rows = {"kg": {"load_seconds": 2.0, "peak_import_mib": 100, "peak_mib": 50, "queries": {}}, "rdflib": figures}
    table = scale.table(10, 1000, rows, {}, ["kg", "rdflib"])
    assert "| load, triples per second | 500/s (2.0 s) | failed: exit 1: FileNotFoundError" in table, table
