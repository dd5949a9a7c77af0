"""Load on `kg serve`: 50 concurrent clients sending the competency queries.

    python bench/serve.py [--clients 50] [--rounds 4] [--workers 2]

Starts `kg serve` as its own process on a free loopback port (the project's store, built
beforehand), then each client thread sends every query in queries/ (with its default
parameters) `--rounds` times, in its own shuffled order, asking for SPARQL JSON. Reports
requests, errors, throughput and p50/p95/max latency.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer within {seconds} s")


def client(endpoint: str, queries: list[str], rounds: int, seed: int) -> list[tuple[float, int]]:
    rng = random.Random(seed)
    results = []
    for _ in range(rounds):
        order = queries[:]
        rng.shuffle(order)
        for query in order:
            data = urllib.parse.urlencode({"query": query}).encode()
            request = urllib.request.Request(endpoint, data=data, headers={
                "Accept": "application/sparql-results+json", "Content-Type": "application/x-www-form-urlencoded"})
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    response.read()
                    status = response.status
            except urllib.error.HTTPError as err:
                status = err.code
            except OSError:
                status = 0
            results.append((time.perf_counter() - started, status))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    queries = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries").glob("*.rq"))]
    port = free_port()
    env = {**os.environ, "KG_ROOT": str(ROOT)}
    subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", "build"], env=env, check=True,
                   capture_output=True)
    server = subprocess.Popen([sys.executable, "-c", "from kg.cli import main; main()", "serve", "--port", str(port),
                               "--workers", str(args.workers)], env=env, stderr=subprocess.DEVNULL)
    try:
        endpoint = f"http://127.0.0.1:{port}/sparql"
        wait_ready(endpoint)
        started = time.perf_counter()
        with cf.ThreadPoolExecutor(max_workers=args.clients) as pool:
            futures = [pool.submit(client, endpoint, queries, args.rounds, seed) for seed in range(args.clients)]
            results = [r for f in futures for r in f.result()]
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=10)
    latencies = sorted(t for t, _ in results)
    errors = sum(1 for _, status in results if status != 200)
    q = statistics.quantiles(latencies, n=100)
    print(f"| {args.clients} clients x {len(queries)} queries x {args.rounds} rounds, {args.workers} workers | value |")
    print("|---|---|")
    print(f"| requests | {len(results):,} |")
    print(f"| errors (non-200) | {errors} |")
    print(f"| throughput | {len(results) / elapsed:,.0f} requests/s |")
    print(f"| latency p50 | {q[49] * 1000:.0f} ms |")
    print(f"| latency p95 | {q[94] * 1000:.0f} ms |")
    print(f"| latency max | {latencies[-1] * 1000:.0f} ms |")


if __name__ == "__main__":
    main()
