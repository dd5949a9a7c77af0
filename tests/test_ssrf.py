"""No query makes the server reach out (server-side request forgery): SERVICE is refused on
the query's tokens, and the query workers cannot open a socket at all. Every check counts
the connections a loopback listener receives."""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest

from kg.sparql_tokens import calls_service


class Listener:
    """A TCP listener on loopback that counts the connections it accepts."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            client.close()

    def settled(self) -> int:
        time.sleep(0.2)
        return self.connections


@pytest.fixture
def listener():
    opened = Listener()
    yield opened
    opened.socket.close()


def _attack(port: int) -> str:
    # an escaped local name: a text scan took the rest of the line for a comment
    return (f"PREFIX ex: <http://e/>\nSELECT * WHERE {{ ?s ex:a\\# ?o . "
            f"SERVICE <http://127.0.0.1:{port}/sparql> {{ ?a ?b ?c }} }}")


def _fetch(url: str, data: bytes | None = None, content_type: str | None = None) -> tuple[int, bytes]:
    headers = {"Content-Type": content_type} if content_type else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers), timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def test_the_reproduction_reaches_no_listener_through_any_route(endpoint, listener):
    attack = _attack(listener.port)
    encoded = urllib.parse.urlencode({"query": attack})
    answers = {
        "GET /sparql": _fetch(f"{endpoint}/sparql?{encoded}"),
        "POST /sparql form": _fetch(f"{endpoint}/sparql", encoded.encode(), "application/x-www-form-urlencoded"),
        "POST /sparql direct": _fetch(f"{endpoint}/sparql", attack.encode(), "application/sparql-query"),
        "GET /": _fetch(f"{endpoint}/?{encoded}"),
        "GET /view": _fetch(f"{endpoint}/view?{encoded}"),
    }
    assert {route: status for route, (status, _) in answers.items()} == dict.fromkeys(answers, 403)
    assert listener.settled() == 0


def test_a_variable_named_service_and_an_update_sent_as_a_query(endpoint):
    harmless = "SELECT ?service WHERE { ?service a <https://w3id.org/pskg/ontology#Conflict> } LIMIT 1"
    assert _fetch(f"{endpoint}/sparql?" + urllib.parse.urlencode({"query": harmless}))[0] == 200
    update = "PREFIX ex: <http://e/> INSERT DATA { ex:a ex:b ex:c }"
    status, body = _fetch(f"{endpoint}/sparql?" + urllib.parse.urlencode({"query": update}))
    assert status == 403 and b"read-only" in body


def _require_sandbox(reason: str | None) -> None:
    """The seccomp sandbox exists on Linux (x86-64, AArch64) only; CI runs there and must have it."""
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the query workers' network sandbox is missing in CI: {reason}")
        pytest.skip(reason)


def _sandboxed_service(port: int, connection) -> None:
    from kg.sandbox import forbid_network

    reason = forbid_network()
    try:
        list(ox.Store().query(f"SELECT * {{ SERVICE <http://127.0.0.1:{port}/> {{ ?a ?b ?c }} }}"))
        outcome = "answered"
    except OSError as err:
        outcome = type(err).__name__
    connection.send((reason, outcome))


def test_a_sandboxed_process_cannot_connect_even_when_the_query_gets_through(listener):
    context = mp.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_sandboxed_service, args=(listener.port, child))
    process.start()
    reason, outcome = parent.recv()
    process.join(timeout=10)
    _require_sandbox(reason)
    assert outcome == "PermissionError"
    assert listener.settled() == 0


def test_the_workers_refuse_a_service_call_the_token_check_missed(project, listener, monkeypatch):
    from kg.server import executor as executor_module

    monkeypatch.setattr(executor_module, "refusal", lambda query: None)  # as if the check had a hole
    pool = executor_module.QueryExecutor(project.store_dir, workers=1, timeout=10)
    try:
        _require_sandbox(pool.unsandboxed)
        answer = pool.run(f"SELECT * {{ SERVICE <http://127.0.0.1:{listener.port}/> {{ ?a ?b ?c }} }}",
                          "application/sparql-results+json")
    finally:
        pool.close()
    assert answer.status == 403, answer.body
    assert listener.settled() == 0


# --- the fuzzer: pyoxigraph, unsandboxed and in memory, is the oracle of what calls out -----

_FILLERS = [
    "?s ex:a\\# ?o .", "?s ex:a\\#b ?o .", "?s ex:\\~\\# ?o .", "?s ex:b%23 ?o .", "?s ex:a\\'\\( ?o .",
    "?s ?p \"x # \\\" SERVICE <http://127.0.0.1:1/>\" .", "?s ?p 'y # SERVICE' .",
    "?s ?p '''m\n# SERVICE\n''' .", "?s ?p \"\"\"q \" \"\" SERVICE\"\"\" .", "?s <http://e/a#SERVICE> ?o .",
    "?service ?p ?o .", "?s service:x ?o .", "?s ex:SERVICE ?o .", "# SERVICE <http://127.0.0.1:1/> {}\n",
    "FILTER(?o != \"#\")", "FILTER(1<2)", "?s ex:a.b ?o .", "?s ex:a\\.\\. ?o .",
]


def _fuzz_cases(port: int, count: int):
    chance = random.Random(20261203)
    for _ in range(count):
        # each filler optional, so that the SERVICE clause is evaluated whatever they match
        parts = [f"OPTIONAL {{ {filler} }}" for filler in chance.sample(_FILLERS, chance.randint(0, 4))]
        calls = chance.random() < 0.6
        if calls:
            keyword = chance.choice(["SERVICE", "service", "SeRvIcE"]) + chance.choice(["", " SILENT"])
            parts.insert(chance.randint(0, len(parts)),
                         f"{keyword}{chance.choice([' ', chr(10), chr(9)])}<http://127.0.0.1:{port}/q> {{ ?a ?b ?c }}")
        body = chance.choice([" ", "\n"]).join(parts)
        prologue = "PREFIX ex: <http://e/>\n" + ("PREFIX service: <http://s/>\n" if "service:" in body else "")
        yield calls, f"{prologue}SELECT * WHERE {{ {body} }}"


def test_fuzzed_queries_that_reach_out_are_all_refused(listener):
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.NamedNode("http://e/o")))
    reached, parsed = 0, 0
    for calls, query in _fuzz_cases(listener.port, 400):
        before = listener.connections
        try:
            result = store.query(query)
            parsed += 1
            list(result)
        except SyntaxError:
            pass
        except OSError:  # the listener hung up: the request was made
            pass
        time.sleep(0.005)
        if listener.connections > before:
            reached += 1
            assert calls_service(query), query
        if not calls:
            assert not calls_service(query), query
    assert reached > 150 and parsed > 380  # the oracle answered: the cases were real queries
