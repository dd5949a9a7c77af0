"""The scale suite: the project's store, raw pyoxigraph and plain rdflib side by side.

    python bench/scale.py                                  # 10,000, 100,000 and 700,000 events
    python bench/scale.py --sizes 10000 --engines kg,pyoxigraph,rdflib --repeat 3

For each size, a seeded generator writes GED- and ACLED-shaped CSV files (half the events
each). The project's store gets them the way a user does (`kg import ucdp-ged`, then
`kg import acled`, into the store beside the curated data); its whole content is then
written out as N-Quads, which raw pyoxigraph (on disk, and in memory) and plain rdflib (an
in-memory `Graph`) load. Each engine runs in its own process (peak memory is that
process's ru_maxrss) and times the fixed query suite in bench/scale_queries/ (the median
of --repeat runs). For the project's store it also times, in fresh processes, `kg query`
of a competency question (cold start), `kg stats`, `kg search` and `kg view` of about
2,000 nodes. Prints one Markdown table per size.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES = sorted((Path(__file__).parent / "scale_queries").glob("[0-9]-*.rq"))
sys.path.insert(0, str(ROOT))

from imports import CONFLICTS  # noqa: E402 - bench/ is this script's folder

GED_SIDES = CONFLICTS[:4]  # the catalogue's conflicts, as in bench/imports.py
ACLED_ACTORS = ["Military Forces of Kyrgyzstan (2021-)", "Military Forces of Tajikistan (1994-)",
                "Military Forces of Russia (2000-)", "Military Forces of Ukraine (2019-)",
                "Police Forces of Kazakhstan (2019-)", "Protesters (Kazakhstan)", "Civilians (Ukraine)",
                "Unidentified Armed Group (Ukraine)"]


def write_ged(path: Path, events: int, rng: random.Random) -> None:
    from kg.importers.ucdp import GED_COLUMNS

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(GED_COLUMNS)
        for i in range(events):
            cid, name, sa, sa_id, gwa, sb, sb_id, gwb, lat, lon = GED_SIDES[i % len(GED_SIDES)]
            # as in GED, events are reported at a limited set of places (villages, district
            # centres), each with its own coordinates: 500 places per conflict
            place = rng.randrange(500)
            spot = random.Random(f"{cid}-{place}")
            year, month, day = rng.randrange(1994, 2023), rng.randrange(1, 13), rng.randrange(1, 29)
            best = rng.choice((0, 0, 1, 1, 2, 3, 5, 8, 13, 21))
            exact = rng.random() < 0.7  # most GED events have low == best == high
            row = dict.fromkeys(GED_COLUMNS, "")
            row.update(
                id=str(1_000_000 + i), relid=f"SYN-{i}", year=str(year), active_year="1", code_status="Clear",
                type_of_violence=str(rng.choice((1, 1, 1, 2, 3))), conflict_dset_id=cid, conflict_new_id=cid,
                conflict_name=name, dyad_dset_id=str(int(cid) + 50000), dyad_new_id=str(int(cid) + 50000),
                dyad_name=f"{sa} - {sb}", side_a_dset_id=sa_id, side_a_new_id=sa_id, side_a=sa,
                side_b_dset_id=sb_id, side_b_new_id=sb_id, side_b=sb, number_of_sources="1",
                source_article=f"Synthetic wire {i}", where_prec=str(spot.randrange(1, 7)),
                where_description=f"Synthetic place {place}",
                latitude=f"{lat + spot.uniform(-1, 1):.4f}", longitude=f"{lon + spot.uniform(-1, 1):.4f}",
                country="Synthetic", event_clarity="1", date_prec=str(rng.choice((1, 1, 1, 2, 3, 4, 5))),
                date_start=f"{year}-{month:02d}-{day:02d}", date_end=f"{year}-{month:02d}-{day:02d}",
                deaths_a=str(best // 2 if rng.random() < 0.5 else 0),
                deaths_b=str(best // 3 if rng.random() < 0.5 else 0),
                deaths_civilians=str(best // 4 if rng.random() < 0.2 else 0), deaths_unknown="0", best=str(best),
                high=str(best if exact else best + rng.randrange(1, 5)), low=str(best), gwnoa=gwa, gwnob=gwb,
            )
            writer.writerow([row[c] for c in GED_COLUMNS])


def write_acled(path: Path, events: int, rng: random.Random) -> None:
    columns = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
               "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
               "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
               "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities",
               "tags", "timestamp"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for i in range(events):
            a, b = rng.sample(ACLED_ACTORS, 2)
            town = rng.randrange(300)  # ACLED, too, reports many events at each location
            spot = random.Random(f"acled-{town}")
            year, month, day = rng.randrange(2018, 2024), rng.randrange(1, 13), rng.randrange(1, 29)
            writer.writerow([
                f"SYN{i}", f"{year}-{month:02d}-{day:02d}", str(year), str(rng.choice((1, 1, 2, 3))),
                "Political violence", rng.choice(("Battles", "Explosions/Remote violence", "Violence against civilians",
                                                 "Protests")), "Synthetic", a, "", "1", b, "", "2", "12", "",
                "417", "Central Asia", "Synthetic", "Synthetic region", "", "", f"Synthetic town {town}",
                f"{42 + spot.uniform(-2, 2):.4f}", f"{72 + spot.uniform(-2, 2):.4f}", str(spot.randrange(1, 4)),
                "Synthetic source", "National", f"Synthetic note {i}.", str(rng.choice((0, 0, 0, 1, 2, 5))), "",
                "1700000000",
            ])


def kg_command(env: dict[str, str], *args: str) -> tuple[float, float, str]:
    """Run one `kg` command in a fresh process: its wall time, its own peak memory (MiB) and
    what it printed."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen([sys.executable, "-c", "from kg.cli import main; main()", *args], env=env,
                                   stdout=out, stderr=err)
        _pid, status, usage = os.wait4(process.pid, 0)  # this child's rusage, not the largest child's so far
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        if status != 0:
            raise SystemExit(f"kg {' '.join(args)} failed: {err.read().decode()[-500:]}")
        printed = out.read().decode()
    return seconds, usage.ru_maxrss / 1024, printed


def import_stages(printed: str) -> dict[str, float]:
    """The stages `kg import` names on its line "Time spent: mapping rows while chunks load
    20.5 s; ...; compacting the store 9.1 s"."""
    found = re.search(r"^Time spent: (.*)$", printed, re.MULTILINE)
    parts = (re.fullmatch(r"(.+) ([0-9.]+) s", part) for part in (found.group(1).split("; ") if found else []))
    return {part[1]: float(part[2]) for part in parts if part}


def median_cold(env: dict[str, str], args: list[str], repeat: int) -> float:
    return statistics.median(kg_command(env, *args)[0] for _ in range(repeat))


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# --- one engine, in its own process --------------------------------------------------------------

def time_queries(run, repeat: int) -> dict[str, float]:
    out = {}
    for path in QUERIES:
        text = path.read_text(encoding="utf-8")
        times = []
        # at least `repeat` runs, and more of a quick query (up to 1 s or 25 runs) so that its
        # median is not one disk read's luck
        while len(times) < repeat or (sum(times) < 1.0 and len(times) < 25):
            started = time.perf_counter()
            run(text)
            times.append(time.perf_counter() - started)
        out[path.stem] = statistics.median(times)
    return out


def engine_main(args: argparse.Namespace) -> None:
    data = Path(args.data)
    figures: dict[str, object] = {}
    if args.engine == "kg":
        from kg.storage import open_current

        store = open_current(data / "project" / ".kg")
        figures["queries"] = time_queries(lambda q: list(store.query(q)), args.repeat)
    elif args.engine.startswith("pyoxigraph"):
        import pyoxigraph as ox

        if args.engine == "pyoxigraph-memory":
            store = ox.Store()
        else:
            shutil.rmtree(data / "raw-store", ignore_errors=True)
            store = ox.Store(str(data / "raw-store"))
        started = time.perf_counter()
        store.bulk_load(path=str(data / "all.nq"), format=ox.RdfFormat.N_QUADS)
        figures["load_seconds"] = time.perf_counter() - started
        loaded(figures)
        figures["queries"] = time_queries(lambda q: list(store.query(q, use_default_graph_as_union=True)),
                                          args.repeat)
        if args.engine == "pyoxigraph":
            store.flush()
            figures["disk_bytes"] = folder_bytes(data / "raw-store")
    else:
        import rdflib

        graph = rdflib.Graph()
        started = time.perf_counter()
        graph.parse(str(data / "all.nt"), format="nt")
        figures["load_seconds"] = time.perf_counter() - started
        loaded(figures)
        figures["queries"] = time_queries(lambda q: list(graph.query(q)), args.repeat)
    loaded(figures)


def loaded(figures: dict) -> None:
    """Print the figures so far (the last line printed is the engine's result): if the
    process dies later, its load figures survive."""
    figures["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures), flush=True)


def run_engine(engine: str, data: Path, repeat: int) -> dict:
    """One engine's figures; a process that fails (say, killed when memory runs out) gives a
    row that says so, with its load time and peak memory if it got past loading, and the
    suite goes on."""
    process = subprocess.Popen([sys.executable, __file__, "engine", "--engine", engine, "--data", str(data),
                                "--repeat", str(repeat)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stdout, stderr = process.communicate()
    lines = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    figures = lines[-1] if lines else {}
    if process.returncode != 0:
        figures["failed"] = (f"killed by signal {-process.returncode}" if process.returncode < 0 else
                             f"exit {process.returncode}: {(stderr.strip().splitlines() or [''])[-1]}")
    return figures


# --- one size -------------------------------------------------------------------------------------

def run_size(events: int, engines: list[str], repeat: int, seed: int, workdir: Path) -> str:
    rng = random.Random(seed)
    data = workdir / f"size-{events}"
    project = data / "project"
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / folder, project / folder)
    ged, acled = data / "GEDEvent_synthetic.csv", data / "acled_synthetic.csv"
    write_ged(ged, events - events // 2, rng)
    write_acled(acled, events // 2, rng)
    env = {**os.environ, "KG_ROOT": str(project), "KG_HOME": str(project / ".kg")}
    kg_command(env, "build")
    ged_seconds, ged_peak, ged_said = kg_command(env, "import", "ucdp-ged", str(ged))
    acled_seconds, acled_peak, acled_said = kg_command(env, "import", "acled", str(acled))
    import_seconds, import_peak = ged_seconds + acled_seconds, max(ged_peak, acled_peak)

    import pyoxigraph as ox

    from kg.importers import import_graphs
    from kg.storage import open_current

    with open_current(project / ".kg") as store:
        triples = len(store)
        per_event = {}
        for dataset, rows_in in (("ucdp-ged", events - events // 2), ("acled", events // 2)):
            graph = import_graphs(store, dataset)[0]
            with (data / f"{dataset}.nt").open("wb") as handle:
                ox.serialize((q.triple for q in store.quads(graph)), handle, format=ox.RdfFormat.N_TRIPLES)
            per_event[dataset] = sum(1 for _ in store.quads(graph)) / rows_in
        with (data / "all.nq").open("wb") as handle:
            ox.serialize(store.quads(), handle, format=ox.RdfFormat.N_QUADS)
        if "rdflib" in engines:
            with (data / "all.nt").open("wb") as handle:
                ox.serialize((q.triple for q in store.quads()), handle, format=ox.RdfFormat.N_TRIPLES)
    rows = {"kg": {"load_seconds": import_seconds, "peak_import_mib": import_peak,
                   "disk_bytes": folder_bytes(project / ".kg")}}
    rows["kg"].update(run_engine("kg", data, repeat))
    for engine in engines:
        if engine != "kg":
            rows[engine] = run_engine(engine, data, repeat)
    view_query = Path(__file__).parent / "scale_queries" / "view-2000-nodes.rq"
    raw_ged, raw_compaction = raw_bulk_load(data / "ucdp-ged.nt", data / "raw-ged-store")
    ged_events = events - events // 2
    comparison = [
        ("statements per GED event (the import's graph over its rows)", f"{per_event['ucdp-ged']:.1f}", "<= 20"),
        ("statements per ACLED event", f"{per_event['acled']:.1f}", "<= 15"),
        (f"`kg import ucdp-ged` of {ged_events:,} events, the whole process", f"{ged_seconds:.2f} s", ""),
        ("raw pyoxigraph `bulk_load` of the same statements into a fresh on-disk store, its whole process",
         f"{raw_ged:.2f} s", ""),
        ("kg import / raw bulk load", f"{ged_seconds / raw_ged:.2f}x", "<= 1.25x"),
        ("raw pyoxigraph's bulk load, then compacting its store as `kg import` does before publishing",
         f"{raw_ged + raw_compaction:.2f} s ({raw_compaction:.2f} s compacting)", ""),
        ("kg import / raw bulk load and compaction", f"{ged_seconds / (raw_ged + raw_compaction):.2f}x", ""),
        ("GED events per second", f"{ged_events / ged_seconds:,.0f}", ">= 5,000"),
    ]
    extra = {}
    for command, rows_in, seconds, said in (("ucdp-ged", events - events // 2, ged_seconds, ged_said),
                                            ("acled", events // 2, acled_seconds, acled_said)):
        extra[f"`kg import {command}` of {rows_in:,} events (the whole process)"] = seconds
        # each import's own stages (keys unique to the import, or the second would overwrite the first)
        extra.update({f"`kg import {command}`: {stage}": took for stage, took in import_stages(said).items()})
    extra |= {
        "cold `kg query conflict-parties`": median_cold(env, ["query", "conflict-parties"], repeat),
        "cold `kg stats`": median_cold(env, ["stats"], repeat),
        "cold `kg search Kyrgyzstan`": median_cold(env, ["search", "Kyrgyzstan"], repeat),
        "cold `kg view` of a 2,000-node query": median_cold(env, ["view", "--query", str(view_query), "--output",
                                                                  str(data / "view.html")], 1),
    }
    lines = ["| the import beside raw pyoxigraph (same run) | value | target |", "|---|---|---|"]
    lines += [f"| {name} | {value} | {target} |" for name, value, target in comparison]
    return table(events, triples, rows, extra, engines) + "\n" + "\n".join(lines) + "\n"


def raw_bulk_load(path: Path, location: Path) -> tuple[float, float]:
    """Seconds for a fresh process to bulk-load an N-Triples file into a new on-disk store
    (interpreter start included, as it is in `kg import`'s time), and then seconds to compact
    that store (`optimize`), which `kg import` does before it publishes a store."""
    code = ("import sys, time, pyoxigraph as ox\n"
            "store = ox.Store(sys.argv[1])\n"
            "store.bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode('urn:x-bench:g'))\n"
            "store.flush()\n"
            "started = time.perf_counter()\n"
            "store.optimize()\n"
            "print(time.perf_counter() - started)\n")
    shutil.rmtree(location, ignore_errors=True)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, str(location), str(path)], check=True, capture_output=True,
                          text=True)
    seconds = time.perf_counter() - started
    shutil.rmtree(location, ignore_errors=True)
    compaction = float(done.stdout.strip())
    return seconds - compaction, compaction


def table(events: int, triples: int, rows: dict, extra: dict, engines: list[str]) -> str:
    names = {"kg": "kg (default store, disk)", "pyoxigraph": "raw pyoxigraph (disk)",
             "pyoxigraph-memory": "raw pyoxigraph (memory)", "rdflib": "rdflib Graph (memory)"}
    order = ["kg"] + [e for e in engines if e != "kg"]
    ratios = "pyoxigraph" in order  # kg against raw pyoxigraph in the same mode (disk)
    header = [names[e] for e in order] + (["kg / raw pyoxigraph (disk), time"] if ratios else [])
    lines = [f"### {events:,} events, {triples:,} triples", "", "| measure | " + " | ".join(header) + " |",
             "|---|" + "---|" * (len(order) + ratios)]

    def line(measure: str, cells: list[str], ratio: str = "") -> None:
        lines.append(f"| {measure} | " + " | ".join(cells) + (f" | {ratio}" if ratios else "") + " |")

    def ratio(kg: float | None, raw: float | None) -> str:
        return f"{kg / raw:.2f}x" if kg and raw else ""

    seconds = {e: rows[e].get("load_seconds") for e in order}
    line("load, triples per second", [f"{triples / seconds[e]:,.0f}/s ({seconds[e]:.1f} s)" if seconds[e] else
                                      f"failed: {rows[e].get('failed', '')}" for e in order],
         ratio(seconds["kg"], seconds.get("pyoxigraph")))
    line("peak memory", [f"{rows[e].get('peak_import_mib', rows[e].get('peak_mib', 0)):,.0f} MiB" for e in order])
    line("on disk", [f"{rows[e]['disk_bytes'] / 1e6:,.0f} MB" if rows[e].get("disk_bytes") else "-" for e in order])
    for query in (q.stem for q in QUERIES):
        times = {e: rows[e].get("queries", {}).get(query) for e in order}
        line(f"`{query}`", [f"{times[e]:.3f} s" if times[e] is not None else "-" for e in order],
             ratio(times["kg"], times.get("pyoxigraph")))
    for e in order:
        if rows[e].get("failed") and rows[e].get("load_seconds"):
            lines.append(f"\n{names[e]}: {rows[e]['failed']} after loading (peak so far shown).")
    lines.append("")
    lines.append("| the project's commands on this store (fresh processes) | seconds |")
    lines.append("|---|---|")
    lines.extend(f"| {name} | {seconds:.2f} |" for name, seconds in extra.items())
    lines.append(f"| peak memory of the kg store answering the suite | {rows['kg'].get('peak_mib', 0):,.0f} MiB |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run")
    run.add_argument("--sizes", default="10000,100000,700000")
    run.add_argument("--engines", default="kg,pyoxigraph,pyoxigraph-memory,rdflib")
    run.add_argument("--rdflib-max-events", type=int, default=0,
                     help="Skip rdflib above this many events (0: never). It holds every triple as Python "
                          "objects: about 1.3 KB each, 20 GiB at 700,000 events.")
    run.add_argument("--repeat", type=int, default=3)
    run.add_argument("--seed", type=int, default=7)
    run.add_argument("--keep", type=Path, help="Keep the generated data and stores in this folder.")
    engine = sub.add_parser("engine")
    engine.add_argument("--engine", required=True)
    engine.add_argument("--data", required=True)
    engine.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(sys.argv[1:] if len(sys.argv) > 1 else ["run"])
    if args.command == "engine":
        engine_main(args)
        return
    if args.command is None:
        args = parser.parse_args(["run"])
    engines = args.engines.split(",")
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="kg-scale-"))
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            chosen = [e for e in engines if e != "rdflib" or not args.rdflib_max_events
                      or size <= args.rdflib_max_events]
            print(run_size(size, chosen, args.repeat, args.seed, workdir), flush=True)
            if args.keep is None:
                shutil.rmtree(workdir / f"size-{size}", ignore_errors=True)
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
