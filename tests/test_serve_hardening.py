"""`kg serve` under the ways clients break things: foreign Host headers, malformed framing,
silent connections, slow queries beside fast ones, and a store changed under it."""

from __future__ import annotations

import socket
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from kg.build import build
from kg.cli import main
from kg.server.http import close_server, make_server

FIXTURES = Path(__file__).parent / "fixtures"
COUNT_IMPORTS = ("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?g a <http://www.w3.org/ns/prov#Entity> } "
                 "FILTER(STRSTARTS(STR(?g), 'https://w3id.org/pskg/graph/import/')) }")
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture
def served(scratch_project):
    build(scratch_project)
    server = make_server(scratch_project.store_dir, scratch_project.queries_dir, port=0, timeout=4.0, workers=2,
                         max_workers=8, socket_timeout=1.0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield scratch_project, server.server_address[1]
    server.shutdown()
    close_server(server)


def _raw(port: int, request: bytes, wait: float = 10.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as client:
        client.sendall(request)
        chunks = []
        while True:
            try:
                chunk = client.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def _count(port: int) -> bytes:
    path = "/sparql?" + urllib.parse.urlencode({"query": COUNT_IMPORTS})
    return _raw(port, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/csv\r\nConnection: close\r\n\r\n"
                .encode())


def test_a_foreign_host_header_gets_421(served):
    _, port = served
    answer = _raw(port, b"GET /sparql HTTP/1.1\r\nHost: attacker.example:8000\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.0 421"), answer[:200]
    answer = _raw(port, f"GET /sparql HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n".encode())
    assert answer.startswith(b"HTTP/1.0 200"), answer[:200]
    answer = _raw(port, b"GET /sparql HTTP/1.0\r\n\r\n")  # no Host header at all (HTTP/1.0 tools)
    assert answer.startswith(b"HTTP/1.0 200"), answer[:200]


@pytest.mark.parametrize(("header", "status"), [("Content-Length: abc", b"400"), ("Content-Length: -1", b"400"),
                                                ("Transfer-Encoding: chunked", b"411")])
def test_malformed_framing_gets_a_well_formed_answer(served, header, status):
    _, port = served
    answer = _raw(port, f"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n{header}\r\n"
                        "Content-Type: application/sparql-query\r\n\r\nASK {}".encode())
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 " + status), answer[:300]
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
    assert len(body) == length and body.endswith(b"\n")


def test_a_silent_connection_is_closed_and_does_not_block_others(served):
    _, port = served
    threads = threading.active_count()
    silent = [socket.create_connection(("127.0.0.1", port)) for _ in range(200)]
    try:
        assert _count(port).startswith(b"HTTP/1.0 200")  # others are answered meanwhile
        assert threading.active_count() - threads < 10  # silent connections hold no thread
        for client in silent:
            client.settimeout(5)
            assert client.recv(1) == b""  # the server hung up on it (socket timeout 1 s)
    finally:
        for client in silent:
            client.close()


def test_fast_queries_are_answered_while_slow_ones_hold_workers(served):
    _, port = served
    slow_path = "/sparql?" + urllib.parse.urlencode({"query": RUNAWAY})
    finished: list[tuple[str, float, bytes]] = []

    def slow() -> None:
        answer = _raw(port, f"GET {slow_path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode(), 30)
        finished.append(("slow" if b"time limit" in answer else "shed", time.monotonic(), answer[:12]))

    def fast() -> None:
        answer = _count(port)
        finished.append(("fast", time.monotonic(), answer[:12]))

    with ThreadPoolExecutor(12) as pool:
        for _ in range(3):
            pool.submit(slow)
        time.sleep(0.5)  # the slow ones hold both ready workers and one more
        for _ in range(8):
            pool.submit(fast)
    fast_done = [t for kind, t, answer in finished if kind == "fast" and answer == b"HTTP/1.0 200"]
    slow_done = [t for kind, t, answer in finished if kind == "slow" and answer == b"HTTP/1.0 503"]
    shed = [t for kind, t, answer in finished if kind == "shed" and answer == b"HTTP/1.0 503"]
    # two run to the time limit (one long query per ready worker); the third is stopped at once
    assert len(fast_done) == 8 and len(slow_done) == 2 and len(shed) == 1, finished
    assert max(fast_done) < min(slow_done)  # no fast query waited for a slow one to be stopped


def test_the_server_sees_a_new_import_without_a_restart(served, runner):
    project, port = served
    assert _count(port).endswith(b"\r\n0\r\n")
    result = runner.invoke(main, ["--root", str(project.root), "import", "ucdp-ged",
                                  str(FIXTURES / "ged_sample.csv")])
    assert result.exit_code == 0, result.output
    answers = {_count(port).rsplit(b"\r\n", 2)[-2] for _ in range(10)}
    assert answers == {b"1"}  # every worker, from its next query on: never two snapshots


def test_a_query_past_the_memory_limit_is_stopped_and_the_pool_goes_on(project):
    from kg.server.executor import QueryExecutor

    hungry = ("SELECT ?x (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . "
              "BIND(CONCAT(STR(?a), STR(?b), STR(?c), STR(?d), STR(?e), STR(?f)) AS ?x) } GROUP BY ?x")
    pool = QueryExecutor(project.store_dir, workers=1, timeout=120, memory_mib=600)
    try:
        answer = pool.run(hungry, "text/csv")
        assert answer.status == 503 and b"memory limit of 600 MiB" in answer.body, answer
        assert pool.run("ASK {}", "text/csv").body.strip() == b"true"
    finally:
        pool.close()


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGINT"])
def test_kg_serve_answers_head_and_stops_cleanly(project, sig):
    import signal
    import subprocess
    import sys

    from tests.servers import free_port

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "kg", "--root", str(project.root), "--store-dir",
                               str(project.store_dir), "serve", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = _raw(port, b"HEAD /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, server.communicate()
                time.sleep(0.2)
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.0 200") and body == b"", answer
        server.send_signal(getattr(signal, sig))
        out, err = server.communicate(timeout=30)
    finally:
        server.kill()
    assert server.returncode == 0 and "Traceback" not in err and err.rstrip().endswith("Stopped."), err


def test_a_fault_while_answering_is_one_line_and_a_vanished_client_is_none(capsys):
    from kg.server.connections import ReactorServer

    for error in (RuntimeError("template broke"), BrokenPipeError(32, "Broken pipe")):
        try:
            raise error
        except Exception:  # noqa: BLE001 - handle_error reads the exception being handled
            ReactorServer.handle_error(None, None, ("127.0.0.1", 5))
    assert capsys.readouterr().err == "kg serve: error answering 127.0.0.1: RuntimeError: template broke\n"


def test_a_query_found_long_before_is_long_from_its_start(project):
    """A repeated runaway (a client retrying, a flood of one query) does not take LONG_AFTER of
    processor time at full priority each time: with the long slot taken it is refused at once,
    however its comments and spacing differ."""
    from kg.server.executor import QueryExecutor

    pool = QueryExecutor(project.store_dir, workers=1, max_workers=4, timeout=3.0, max_long=1)
    try:
        first = ThreadPoolExecutor(1).submit(pool.run, RUNAWAY, "text/csv")
        time.sleep(1.0)  # the first has used LONG_AFTER of processor time by now: it is long
        again = pool.run("# the same, spelled otherwise\n" + RUNAWAY.replace(" . ", " .\n  "), "text/csv")
        assert again.status == 503 and b"took long before" in again.body, again
        assert first.result().status == 503 and b"time limit" in first.result().body
        # the slot is free again: the repetition runs, in the idle class from its start, to the limit
        rerun = pool.run(RUNAWAY, "text/csv")
        assert rerun.status == 503 and b"time limit" in rerun.body, rerun
        assert pool.run("ASK {}", "text/csv").body.strip() == b"true"  # other queries are not affected
    finally:
        pool.close()
