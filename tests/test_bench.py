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
                "| cold `kg stats` |", "| cold `kg view` of a 2,000-node query |"):
        assert row in table, table
    assert "rdflib Graph (memory)" in table and "raw pyoxigraph (disk)" in table
