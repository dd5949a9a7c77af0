"""Run SPARQL queries in worker processes, so that a runaway query can be cut off.

pyoxigraph cannot cancel a query, and a thread cannot be stopped, so each query (and each
page that reads the store, :mod:`kg.server.pages`) runs in one of a pool of worker
processes. Each worker is cut off from the network before it reads anything
(:mod:`kg.sandbox`), limited in address space, and reads the store generation published
when its job starts (:class:`kg.storage.Follower`). A job past the time limit or the memory
limit has its worker killed and replaced, and the client gets a clear error; a result past
the row limit is refused rather than streamed without end. Results come back serialized in
the format the client asked for.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KgError, first_line
from kg.sandbox import forbid_network
from kg.sparql_tokens import LexError, calls_service, is_update, tokens
from kg.storage import Follower
from kg.store import OxigraphStore

#: SPARQL result formats by media type (SELECT and ASK), and RDF formats (CONSTRUCT, DESCRIBE).
RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "text/plain": ox.RdfFormat.N_TRIPLES,
}


@dataclass(frozen=True)
class Answer:
    """An HTTP answer: status, media type, body."""

    status: int
    media_type: str
    body: bytes

    @classmethod
    def error(cls, status: int, message: str) -> Answer:
        return cls(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"))


def negotiate(accept: str, offered: dict[str, object], default: str) -> str | None:
    """The offered media type the Accept header prefers (q-values honoured), or None.

    >>> negotiate("text/csv;q=0.5, application/sparql-results+json", RESULT_TYPES, "text/csv")
    'application/sparql-results+json'
    >>> negotiate("*/*", RESULT_TYPES, "text/csv")
    'text/csv'
    >>> negotiate("image/png", RESULT_TYPES, "text/csv") is None
    True
    """
    if not accept.strip():
        return default
    ranked = []
    for position, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media, quality = fields[0].lower(), 1.0
        for field in fields[1:]:
            if field.startswith("q="):
                try:
                    quality = float(field[2:])
                except ValueError:
                    quality = 0.0
        ranked.append((-quality, position, media))
    for negative_quality, _position, media in sorted(ranked):
        if negative_quality >= 0:
            continue
        if media in offered:
            return media
        if media in ("*/*", "application/*", "text/*"):
            return default if media == "*/*" or default.startswith(media[:-1]) else next(
                (m for m in offered if m.startswith(media[:-1])), None)
    return None


#: processor seconds after which a job counts as long (see QueryExecutor.call), and the niceness it then runs at
LONG_AFTER = 0.2
LONG_NICENESS = 19
#: how many jobs found long the pool remembers (by their text without comments and white space),
#: so that a repetition (a client retrying, a dashboard polling, a flood of one query) starts as a
#: long job instead of taking LONG_AFTER of processor time at full priority each time
KNOWN_LONG = 4096
#: seconds an extra worker (beyond --workers) may stay idle before it is stopped; starting one
#: costs a processor second, so under bursts of load the pool keeps what it grew to
IDLE_RETIRE = 60.0
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(pid: int) -> float:
    """Processor time a process has used (user and system), from /proc; wall time elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS
    except (OSError, IndexError, ValueError):
        return time.monotonic()

_NO_SERVICE = Answer.error(403, "SERVICE is refused here: this endpoint does not query other endpoints")


def refusal(query: str) -> Answer | None:
    """Why a query is refused before it runs (403): it calls SERVICE or it is an update.

    >>> refusal('PREFIX ex: <http://e/> SELECT * { ?s ex:a\\\\# ?o . SERVICE <http://127.0.0.1:9/> {} }').status
    403
    >>> refusal('SELECT ?service { ?service ?p "SERVICE" }') is None
    True
    """
    if calls_service(query):
        return _NO_SERVICE
    if is_update(query):
        return Answer.error(403, "this endpoint is read-only: SPARQL Update is refused")
    return None


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = term.datatype.value
    return out


def _solutions_json(variables: list[str], rows: list) -> bytes:
    bindings = [{v: _json_term(row[v]) for v in variables if row[v] is not None} for row in rows]
    return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                      ensure_ascii=False).encode("utf-8")


def with_charset(media: str) -> str:
    """A text media type with its charset (UTF-8); others as they are."""
    return media + "; charset=utf-8" if media.startswith("text/") else media


def _over_limit(row_limit: int, what: str) -> Answer:
    return Answer.error(413, f"the result has more than {row_limit} {what} (the row limit); "
                             "narrow the query or add LIMIT")


def execute(store: OxigraphStore, query: str, accept: str, row_limit: int) -> Answer:
    """Run one query on an open store and serialize its result as the client asked."""
    try:
        result = store.query(query)
    except PermissionError:
        return _NO_SERVICE
    except KgError as err:  # the store's own error: a syntax error in the query
        return Answer.error(400, f"SPARQL {first_line(err).removeprefix('SPARQL ')}")
    except OSError as err:
        return Answer.error(500, f"query failed: {first_line(err)}")
    try:
        return _serialize(result, accept, row_limit)
    except PermissionError:  # SERVICE runs as the results are read; the sandbox stopped it
        return _NO_SERVICE


def _serialize(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, accept: str, row_limit: int) -> Answer:
    if isinstance(result, ox.QueryTriples):
        media = negotiate(accept, GRAPH_TYPES, "text/turtle")
        if media is None:
            return Answer.error(406, f"cannot answer a graph query as {accept}; use one of {', '.join(GRAPH_TYPES)}")
        triples = list(islice(result, row_limit + 1))
        if len(triples) > row_limit:
            return _over_limit(row_limit, "triples")
        return Answer(200, with_charset(media), ox.serialize(triples, format=GRAPH_TYPES[media]))
    media = negotiate(accept, RESULT_TYPES, "application/sparql-results+json")
    if media is None:
        return Answer.error(406, f"cannot answer as {accept}; use one of {', '.join(RESULT_TYPES)}")
    if isinstance(result, ox.QueryBoolean):
        data = result.serialize(format=RESULT_TYPES[media])
        return Answer(200, media, data)
    variables = [v.value for v in result.variables]
    rows = list(islice(result, row_limit + 1))
    if len(rows) > row_limit:
        return _over_limit(row_limit, "rows")
    data = _solutions_json(variables, rows)
    if RESULT_TYPES[media] is not ox.QueryResultsFormat.JSON:
        data = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON).serialize(format=RESULT_TYPES[media])
    return Answer(200, with_charset(media), data)


def _query_job(store: OxigraphStore, row_limit: int, query: str, accept: str) -> Answer:
    return execute(store, query, accept, row_limit)


def _jobs() -> dict:
    """What a worker can be asked to do, by name: a client's query, or a page that reads the store."""
    from kg.server import pages

    return {"query": _query_job, "entity": pages.entity, "view": pages.view, "reconcile": pages.reconcile}


def _few_malloc_arenas() -> None:
    """Keep glibc to two malloc arenas in this process. RLIMIT_AS counts address space, and
    glibc reserves 64 MiB of it for each arena it makes (up to eight per core, one per busy
    thread): the store's threads could use up the limit without using the memory, and a
    worker would fail to start a thread ("Resource temporarily unavailable")."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-8, 2)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass  # not glibc: its allocator keeps its own accounts


def _worker(store_dir: str, row_limit: int, memory_mib: int, connection) -> None:
    # before anything else: no query this process runs may open a connection, nor take the machine
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which stops the workers
    connection.send(forbid_network())
    if memory_mib:
        import resource

        _few_malloc_arenas()
        resource.setrlimit(resource.RLIMIT_AS, (memory_mib << 20, memory_mib << 20))
    jobs = _jobs()
    follower = Follower(Path(store_dir))  # each job sees the generation published when it starts
    while True:
        try:
            job = connection.recv()
        except (EOFError, OSError):  # the server is gone
            job = None
        if job is None:
            follower.close()
            return
        name, args = job
        try:
            answer = jobs[name](follower.current(), row_limit, *args)
        except KgError as err:  # the store is damaged or gone: say so in one line
            answer = Answer.error(503, str(err))
        except MemoryError:
            answer = Answer.error(503, f"the query needed more than the memory limit ({memory_mib} MiB)")
        except Exception as err:  # noqa: BLE001 - the worker must answer whatever happens
            answer = Answer.error(500, f"query failed: {type(err).__name__}: {first_line(err)}")
        connection.send((answer.status, answer.media_type, answer.body))


class _Worker:
    def __init__(self, context, store_dir: str, row_limit: int, memory_mib: int) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(store_dir, row_limit, memory_mib, child), daemon=True)
        self.process.start()
        child.close()
        #: why this worker could not be cut off from the network (None: it is)
        self.unsandboxed = self.connection.recv()
        self.idle_since = time.monotonic()

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.connection.close()


def _context():
    """Worker processes forked from a fork server that has the package imported: a worker
    starts in about 40 ms instead of 170 ms (bench/README.md), which matters because every
    query stopped at a limit costs one; spawned where there is no fork server."""
    if "forkserver" not in mp.get_all_start_methods():
        return mp.get_context("spawn")
    context = mp.get_context("forkserver")
    context.set_forkserver_preload(["kg.server.executor", "kg.server.pages"])
    return context


class QueryExecutor:
    """A pool of worker processes answering queries and pages with a time limit and a row limit.

    ``workers`` processes are kept ready. When a job finds none idle, the pool grows, up to
    ``max_workers``, so that slow queries holding some workers do not make fast ones wait for
    them; a spare is started ahead of need whenever the last idle worker is taken. Extra
    workers stop after IDLE_RETIRE seconds without a job. Long jobs: see :meth:`call`.
    """

    def __init__(self, store_dir: Path, *, workers: int = 2, max_workers: int | None = None, timeout: float = 30.0,
                 row_limit: int = 100_000, memory_mib: int = 4096, max_long: int | None = None):
        self.store_dir, self.timeout, self.row_limit, self.memory_mib = str(store_dir), timeout, row_limit, memory_mib
        self.workers = max(1, workers)
        self.max_workers = max(self.workers, max_workers or max(16, 4 * self.workers))
        self.max_long = max(1, max_long or self.workers)
        self._long = 0
        self._known_long: OrderedDict[str, None] = OrderedDict()
        self._context = _context()
        self._idle = [self._spawn() for _ in range(self.workers)]
        self._total = len(self._idle)
        self._lock = threading.Condition()
        self._closed = False
        #: why the workers could not be cut off from the network, or None when they are
        self.unsandboxed = self._idle[0].unsandboxed

    def _spawn(self) -> _Worker:
        return _Worker(self._context, self.store_dir, self.row_limit, self.memory_mib)

    def _grow(self) -> None:
        """Start one more worker (outside the lock: it takes a fraction of a second)."""
        try:
            worker = self._spawn()
        except Exception:  # noqa: BLE001 - a failed start only means a smaller pool
            with self._lock:
                self._total -= 1
                self._lock.notify()
            return
        with self._lock:
            if self._closed:
                worker.stop()
                return
            self._idle.append(worker)
            self._lock.notify()

    def _take(self, deadline: float) -> _Worker | None:
        with self._lock:
            while not self._idle:
                if self._total < self.max_workers:
                    self._total += 1
                    threading.Thread(target=self._grow, daemon=True).start()
                left = deadline - time.monotonic()
                if left <= 0 or not self._lock.wait(timeout=left):
                    if not self._idle:
                        return None
            worker = self._idle.pop()
            if not self._idle and self._total < self.max_workers:
                self._total += 1  # a spare, ready before the next job needs it
                threading.Thread(target=self._grow, daemon=True).start()
            return worker

    def _give_back(self, worker: _Worker | None) -> None:
        """Return a worker to the idle list (the last used is taken first); stop the extra
        workers that have not been used for IDLE_RETIRE seconds, and a worker that died."""
        retired = []
        with self._lock:
            if worker is None or self._closed:
                self._total -= 1
                retired = [worker] if worker is not None else []
            else:
                worker.idle_since = time.monotonic()
                self._idle.append(worker)
            now = time.monotonic()
            while len(self._idle) > self.workers and now - self._idle[0].idle_since > IDLE_RETIRE:
                retired.append(self._idle.pop(0))
                self._total -= 1
            self._lock.notify()
        for old in retired:
            threading.Thread(target=self._retire, args=(old,), daemon=True).start()

    @staticmethod
    def _retire(worker: _Worker) -> None:
        try:
            worker.connection.send(None)
        except (OSError, BrokenPipeError):
            pass
        worker.stop()

    def run(self, query: str, accept: str) -> Answer:
        """Run a client's query (refused first if it calls SERVICE or is an update)."""
        refused = refusal(query)
        if refused is not None:
            return refused
        return self.call("query", query, accept)

    @staticmethod
    def _key(job: str, args: tuple) -> str:
        """What makes two jobs the same: a query's tokens (its comments and spacing aside) and
        the rest of the arguments."""
        if job == "query":
            try:
                text = " ".join(t.text for t in tokens(args[0]))
            except LexError:
                text = args[0]
            return "query\0" + text + "\0" + repr(args[1:])
        return job + "\0" + repr(args)

    def _remember(self, key: str, long: bool) -> None:
        with self._lock:
            if long:
                self._known_long[key] = None
                self._known_long.move_to_end(key)
                while len(self._known_long) > KNOWN_LONG:
                    self._known_long.popitem(last=False)
            else:
                self._known_long.pop(key, None)

    def call(self, job: str, *args) -> Answer:
        """Run one job in a worker under the time limit: 503 past it, and the worker is replaced.

        A job that has used ``LONG_AFTER`` seconds of processor time is a long one: its worker
        runs in the idle scheduling class from then on (so that short jobs beside it keep the
        processor) and is retired afterwards. At most ``max_long`` long jobs run at once; one more is stopped at
        once with 503, so that long queries cannot take every worker and starve short ones. A job
        that was long before (the same query text) is long from its start: it is refused at once
        when the long ones already run, and otherwise starts in the idle class.
        """
        started = time.monotonic()
        key = self._key(job, args)
        busy = Answer.error(503, f"{self.max_long} long queries are running already, and this one took long "
                                 "before; try again later, or narrow it")
        with self._lock:
            known_long = key in self._known_long
            if known_long and self._long >= self.max_long:
                return busy
        worker = self._take(started + self.timeout)
        if worker is None:
            return Answer.error(503, "every worker is busy; try again")
        long = False
        try:
            cpu_before = _cpu_seconds(worker.process.pid)
            if known_long:
                long = self._become_long(worker)
                if not long:  # the long ones filled up while this one waited for a worker
                    return busy
            worker.connection.send((job, args))
            if not long:
                long = self._watch(worker, key, started, cpu_before)
                if long is None:
                    worker.stop()
                    worker = None
                    return Answer.error(503, f"{self.max_long} long queries are running already; this one "
                                             f"was stopped after {LONG_AFTER:g} s of processor time; "
                                             "try again later, or narrow it")
            if worker.connection.poll(max(0.0, self.timeout - (time.monotonic() - started))):
                status, media, body = worker.connection.recv()
                if known_long and _cpu_seconds(worker.process.pid) - cpu_before < LONG_AFTER:
                    self._remember(key, False)  # short this time (the store changed): forget it
                return Answer(status, media, body)
            worker.stop()
            worker = None
            return Answer.error(503, f"the query ran past the time limit of {self.timeout:g} s and was stopped "
                                     f"(after {time.monotonic() - started:.1f} s); narrow it or add LIMIT")
        except (EOFError, OSError, BrokenPipeError):
            worker.stop()
            worker = None
            return Answer.error(503, "the query worker stopped (it may have passed the memory limit of "
                                     f"{self.memory_mib} MiB); it has been replaced")
        finally:
            if long:
                with self._lock:
                    self._long -= 1
                if worker is not None:  # its priority stays lowered: retire it
                    threading.Thread(target=self._retire, args=(worker,), daemon=True).start()
                    worker = None
            self._give_back(worker)

    def _watch(self, worker: _Worker, key: str, started: float, cpu_before: float) -> bool | None:
        """Wait for a job's answer until it turns long, by the processor time it took (under load
        short jobs wait long for a processor, so wall time would not tell): False when the answer
        is ready or the time is up, True when the job became long, None when it is long but
        max_long long jobs run already."""
        while not worker.connection.poll(min(0.1, max(0.0, self.timeout - (time.monotonic() - started)))):
            if time.monotonic() - started >= self.timeout:
                return False
            if _cpu_seconds(worker.process.pid) - cpu_before >= LONG_AFTER:
                self._remember(key, True)
                return True if self._become_long(worker) else None
        return False

    def _become_long(self, worker: _Worker) -> bool:
        with self._lock:
            if self._long >= self.max_long:
                return False
            self._long += 1
        try:  # Linux's idle class: it runs only when no other process wants the processor
            os.sched_setscheduler(worker.process.pid, os.SCHED_IDLE, os.sched_param(0))
        except (AttributeError, OSError):
            try:
                os.setpriority(os.PRIO_PROCESS, worker.process.pid, LONG_NICENESS)
            except (AttributeError, OSError):
                pass  # not on this system: the limit on long jobs still holds
        return True

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            self._retire(worker)
