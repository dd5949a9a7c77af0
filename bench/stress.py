"""Attack and load mix on `kg serve` and the store folder; prints a markdown table.

    python bench/stress.py [--events 100000] [--clients 50] [--seconds 60] [--timeout 10]

Builds a project of its own in a temporary folder (the checkout's ontology/, data/ and
queries/) with a synthetic UCDP GED import of ``--events`` events (bench/scale.py's
generator; 100,000 events are about 2.7 M statements), starts `kg serve` on it as its own
process and runs, in order:

- the SSRF reproduction (an escaped local name before SERVICE) on /sparql, / and /view, and
  a fuzzer of 400 spellings, against a loopback listener that counts connections;
- malformed framing, a foreign Host header, an update sent as a query;
- the largest entity page (the imported dataset's organisation) under the time limit;
- 1,000 connections that send nothing, with a query beside them;
- ``--clients`` clients for ``--seconds``, one request in ten a runaway query, the rest the
  catalogue's queries and entity pages: latency of the fast ones;
- on the store: an import during builds, kill -9 during an import, reads during builds,
  an overwritten table file, and the server's answers after an import.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import os
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from scale import write_ged  # noqa: E402
from serve import free_port, wait_ready  # noqa: E402

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
COUNT_IMPORTS = ("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?g a <http://www.w3.org/ns/prov#Entity> } "
                 "FILTER(STRSTARTS(STR(?g), 'https://w3id.org/pskg/graph/import/')) }")
ROWS: list[tuple[str, str, str]] = []


def row(what: str, target: str, observed: str) -> None:
    ROWS.append((what, target, observed))
    print(f"| {what} | {target} | {observed} |", flush=True)


def kg(root: Path, *args: str, **popen) -> subprocess.Popen:
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **popen}
    return subprocess.Popen([sys.executable, "-m", "kg", "--root", str(root), *args], text=True, **streams)


def fetch(url: str, data: bytes | None = None, headers: dict | None = None, timeout: float = 120) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()
    except OSError as err:
        return 0, str(err).encode()


def raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        client.sendall(request)
        return client.recv(200)


def make_project(folder: Path, events: int) -> Path:
    for name in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / name, folder / name)
    ged = folder / "ged.csv"
    write_ged(ged, events, random.Random(20261203))
    started = time.perf_counter()
    importing = kg(folder, "import", "ucdp-ged", str(ged))
    out, err = importing.communicate()
    if importing.returncode:
        raise SystemExit(err)
    seconds = time.perf_counter() - started
    row("setup: `kg import` of the synthetic GED file", "", f"{events:,} events in {seconds:.0f} s")
    return ged


def attacks(base: str, port: int) -> None:
    from tests.test_ssrf import Listener, _attack, _fuzz_cases

    listener = Listener()
    attack = _attack(listener.port)
    encoded = urllib.parse.urlencode({"query": attack})
    statuses = [fetch(f"{base}/sparql?{encoded}")[0], fetch(f"{base}/?{encoded}")[0],
                fetch(f"{base}/view?{encoded}")[0]]
    time.sleep(0.3)
    row("SSRF reproduction on /sparql, /, /view", "403, no connection",
        f"{statuses}, {listener.connections} connections")
    refused = 0
    cases = list(_fuzz_cases(listener.port, 400))
    for _, query in cases:
        status, _ = fetch(f"{base}/sparql", urllib.parse.urlencode({"query": query}).encode(),
                          {"Content-Type": "application/x-www-form-urlencoded"})
        refused += status == 403
    time.sleep(0.3)
    row("fuzzer: 400 spellings of SERVICE, escapes, comments, strings", "no connection",
        f"{listener.connections} connections; {refused} refused of {sum(c for c, _ in cases)} that call out")
    framing = {}
    for name, header in (("-1", "Content-Length: -1"), ("abc", "Content-Length: abc"),
                         ("chunked", "Transfer-Encoding: chunked")):
        answer = raw(port, f"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n{header}\r\n\r\n".encode())
        framing[name] = answer[9:12].decode()
    row("malformed framing (Content-Length -1, abc; chunked)", "400, 400, 411", ", ".join(framing.values()))
    answer = raw(port, b"GET /sparql HTTP/1.1\r\nHost: rebind.example\r\nConnection: close\r\n\r\n")
    row("foreign Host header (DNS rebinding)", "421", answer[9:12].decode())
    status, _ = fetch(f"{base}/sparql?" + urllib.parse.urlencode({"query": "INSERT DATA { <a:a> <a:b> <a:c> }"}))
    row("update sent as query=", "403", str(status))


def entity_page(base: str, root: Path, timeout: float) -> None:
    started = time.perf_counter()
    status, body = fetch(f"{base}/id/org/ucdp", headers={"Accept": "text/html"})
    row("largest entity page (/id/org/ucdp, claimant of every imported claim)",
        f"answer or 503 within {timeout:g} s", f"{status} in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    showing = kg(root, "show", "org:ucdp")
    out, _ = showing.communicate()
    seconds = time.perf_counter() - started
    total = next((line.strip() for line in out.splitlines() if "claims in all" in line), "")
    row("`kg show org:ucdp` (the same card in the terminal)", "",
        f"exit {showing.returncode} in {seconds:.1f} s; {total}")


def held_connections(base: str, server: subprocess.Popen, count: int = 1000) -> None:
    held = []
    for _ in range(count):
        try:
            held.append(socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1])), timeout=5))
        except OSError:
            break
    threads = _threads(server.pid)
    started = time.perf_counter()
    status, _ = fetch(f"{base}/sparql?" + urllib.parse.urlencode({"query": COUNT_IMPORTS}),
                      headers={"Accept": "text/csv"})
    seconds = time.perf_counter() - started
    time.sleep(16)  # past the socket timeout
    closed = 0
    for client in held:
        client.settimeout(1)
        try:
            closed += client.recv(1) == b""
        except OSError:
            pass
        client.close()
    row(f"{len(held)} connections that send nothing", "bounded threads; others answered; all closed",
        f"server threads {threads}; a query beside them {status} in {seconds:.2f} s; "
        f"{closed} closed by the server after its 15 s socket timeout")


def _threads(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return -1


def fast_requests(base: str, root: Path) -> list[tuple[str, bytes | None]]:
    """The catalogue's queries and a few entity pages that answer in under 0.1 s alone: the
    "fast" requests of the load (the rest are named in the table, not sent)."""
    from kg.query import catalogue

    candidates = [(f"{base}/sparql", urllib.parse.urlencode({"query": q.text}).encode(), name)
                  for name, q in catalogue(root / "queries").items()]
    candidates += [(base + page, None, page) for page in
                   ("/id/person/sadyr-japarov", "/id/place/batken", "/id/person/emomali-rahmon")]
    fast, slow = [], []
    for url, data, name in candidates:
        started = time.perf_counter()
        fetch(url, data, {"Content-Type": "application/x-www-form-urlencoded"} if data else {})
        seconds = time.perf_counter() - started
        (fast if seconds < 0.1 else slow).append((url, data) if seconds < 0.1 else f"{name} {seconds:.2f} s")
    row("requests that answer in under 0.1 s alone", "", f"{len(fast)} of {len(candidates)}; left out: "
        + ", ".join(slow))
    return fast


def load(base: str, fast: list[tuple[str, bytes | None]], clients: int, seconds: float, share: float,
         vary: bool = False) -> None:
    """Clients that each send one request after another; ``share`` of them are the runaway query,
    the same text each time, or with ``vary`` a different text each time (so that the server
    cannot know it from before: an attacker's mix)."""
    deadline = time.monotonic() + seconds
    slow_data = urllib.parse.urlencode({"query": RUNAWAY}).encode()
    form = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"}

    def one_client(seed: int) -> list[tuple[str, float, int]]:
        rng, out = random.Random(seed), []
        while time.monotonic() < deadline:
            started = time.perf_counter()
            if rng.random() < share:
                data = slow_data if not vary else urllib.parse.urlencode(
                    {"query": RUNAWAY.replace("}", f"FILTER(?a != <urn:x:{rng.random()}>) }}")}).encode()
                kind, (status, _) = "slow", fetch(f"{base}/sparql", data, form)
            else:
                url, data = rng.choice(fast)
                kind, (status, _) = "fast", fetch(url, data, form if data else {"Accept": "text/html"})
            out.append((kind, time.perf_counter() - started, status))
        return out

    with cf.ThreadPoolExecutor(clients) as pool:
        results = [r for rs in pool.map(one_client, range(clients)) for r in rs]
    fast_times = sorted(t for kind, t, status in results if kind == "fast" and status == 200)
    fast_errors = sum(1 for kind, _, status in results if kind == "fast" and status != 200)
    slow = [status for kind, _, status in results if kind == "slow"]
    p50, p95 = statistics.median(fast_times), fast_times[int(len(fast_times) * 0.95)]
    errors = sorted({status for kind, _, status in results if kind == "fast" and status != 200})
    row(f"{clients} clients for {seconds:g} s, {share:.0%} runaway queries"
        + (", each spelled differently" if vary else ""), "fast ones p95 < 1 s",
        f"{len(fast_times)} fast answers: p50 {p50:.2f} s, p95 {p95:.2f} s, max {fast_times[-1]:.2f} s, "
        f"{fast_errors} errors {errors}; {len(slow)} runaway, {slow.count(503)} stopped with 503")


def store_mix(root: Path, events: int, base: str) -> None:
    from kg import storage

    store_dir = root / ".kg"
    small = root / "ged-small.csv"
    write_ged(small, 3000, random.Random(1))
    builds = [kg(root, "build", "--force")]
    importing = kg(root, "import", "ucdp-ged", str(small))
    builds += [kg(root, "build", "--force") for _ in range(2)]
    codes = [p.wait() for p in [*builds, importing]]
    graphs = [g for g in storage.read_manifest(store_dir)["graphs"] if "ged-small" in g]
    row("`kg import` during three `kg build --force`", "kept or refused, never lost",
        f"exit codes {codes}; the import's graph in the manifest: {len(graphs)}")
    status, body = fetch(f"{base}/sparql?" + urllib.parse.urlencode({"query": COUNT_IMPORTS}),
                         headers={"Accept": "text/csv"})
    answers = {fetch(f"{base}/sparql?" + urllib.parse.urlencode({"query": COUNT_IMPORTS}),
                     headers={"Accept": "text/csv"})[1].split()[-1] for _ in range(20)}
    row("the running server after that import, 20 queries", "the new import, one snapshot",
        f"import graphs answered: {sorted(a.decode() for a in answers)}")

    before = storage.read_manifest(store_dir)["store"]
    other = root / "ged-other.csv"
    write_ged(other, max(3000, events // 4), random.Random(2))
    importing = kg(root, "import", "ucdp-ged", str(other), "--replace")
    while not any(n.startswith(".import-") for n in os.listdir(store_dir)) and importing.poll() is None:
        time.sleep(0.05)
    time.sleep(2)
    killed_running = importing.poll() is None
    importing.send_signal(signal.SIGKILL)
    importing.wait()
    after = storage.read_manifest(store_dir)["store"]
    check = kg(root, "stats")
    check.communicate()
    current = storage.read_manifest(store_dir)["store"]
    left = [n for n in sorted(set(os.listdir(store_dir)) - {storage.MANIFEST, storage.LOCK, current})
            if not n.endswith(storage.PIN_SUFFIX) and not _pinned(store_dir / n)]  # the server's workers pin theirs
    row("kill -9 during `kg import --replace`", "nothing visible, nothing behind after the next command",
        f"killed while running: {killed_running}; published store {'unchanged' if after == before else 'CHANGED'}; "
        f"left after `kg stats`: {left or 'nothing'}")

    errors, reads, done = [], [0], threading.Event()

    def read() -> None:
        from kg.storage import open_current

        while not done.is_set():
            try:
                with open_current(store_dir) as store:
                    store.graphs()
                reads[0] += 1
            except Exception as err:  # noqa: BLE001
                errors.append(repr(err))

    readers = [threading.Thread(target=read) for _ in range(2)]
    for reader in readers:
        reader.start()
    for _ in range(3):
        kg(root, "build", "--force").wait()
    done.set()
    for reader in readers:
        reader.join()
    row("reads during three `kg build --force`", "no failure", f"{reads[0]} reads, {len(errors)} failures")

    manifest = storage.read_manifest(store_dir)
    table = max((store_dir / manifest["store"]).glob("*.sst"), key=lambda p: p.stat().st_size)
    with table.open("r+b") as handle:
        handle.seek(table.stat().st_size // 2)
        handle.write(b"\xff" * 32)
    started = time.perf_counter()
    querying = kg(root, "query", "casualty-claims")
    _, err = querying.communicate()
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    row("32 bytes overwritten in the largest table file, then `kg query`", "one line, no memory blow-up",
        f"exit {querying.returncode}, {err.count(chr(10))} line(s) in {time.perf_counter() - started:.1f} s, "
        f"largest child so far {peak} MiB: {err.strip()[:90]}...")
    started = time.perf_counter()
    repairing = kg(root, "repair")
    out, err = repairing.communicate()
    again = sum(1 for line in out.splitlines() if "re-imported" in line)
    row("`kg repair` after it", "rebuilt and re-imported", f"exit {repairing.returncode} in "
        f"{time.perf_counter() - started:.0f} s: {out.splitlines()[0]}; {again} file(s) re-imported")


def _pinned(path: Path) -> bool:
    import fcntl

    try:
        fd = os.open(f"{path}.pin", os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--timeout", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--workdir", type=Path, help="Keep the project here, and reuse it if it is there already.")
    parser.add_argument("--only", default="attacks,pages,connections,load,store",
                        help="Which parts to run, of attacks, pages, connections, load, store (comma-separated).")
    args = parser.parse_args()
    print("| what | target | observed |\n|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="kg-stress-") as tmp:
        root = args.workdir or Path(tmp)
        if not (root / ".kg" / "manifest.json").exists():
            root.mkdir(parents=True, exist_ok=True)
            make_project(root, args.events)
        port = free_port()
        server = kg(root, "serve", "--port", str(port), "--timeout", str(args.timeout), "--workers",
                    str(args.workers), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_ready(base + "/sparql", 120)
            parts = set(args.only.split(","))
            if "attacks" in parts:
                attacks(base, port)
            if "pages" in parts:
                entity_page(base, root, args.timeout)
            if "connections" in parts:
                held_connections(base, server)
            if "load" in parts:
                fast = fast_requests(base, root)
                load(base, fast, args.clients, args.seconds, 0.0)
                load(base, fast, args.clients, args.seconds, 0.1)
                load(base, fast, args.clients, args.seconds, 0.1, vary=True)
            if "store" in parts:
                store_mix(root, args.events, base)
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
