"""Run SPARQL queries in worker processes that can be killed: the time limit and crash containment.

pyoxigraph has no query timeout or cancellation, and a pathological query can pin a core for ever or crash
the process. So every query runs in a pool of worker processes, each with the store open read-only; a query
over its time limit costs its worker (killed and replaced), never the server. Results are capped: a SELECT or
CONSTRUCT with more rows than the cap is cut there and reported as truncated, never silently.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import threading
from collections import OrderedDict
from dataclasses import dataclass
from itertools import islice
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from clustergraph.errors import ClusterGraphError, QueryError, StoreError
from clustergraph.solutions import write_solutions
from clustergraph.store import GraphStore, open_store, store_version
from clustergraph.vocab import PREFIXES

logger = logging.getLogger(__name__)

SOLUTION_FORMATS = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
SERIALIZATION_PREFIXES = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
PREFIXED_FORMATS = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML)


class QueryTimeout(ClusterGraphError):
    """The query ran past the endpoint's time limit and was stopped."""


class EngineCrashed(ClusterGraphError):
    """The query engine's process died while running the query."""


@dataclass(frozen=True)
class QueryJob:
    """One query to run: text, result media type, protocol dataset, and the row cap."""

    text: str
    media_type: str
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    max_rows: int = 10_000
    base_iri: str | None = None


@dataclass(frozen=True)
class QueryAnswer:
    """A serialised result: its bytes, its row (or triple) count, and whether the cap cut it."""

    body: bytes
    rows: int
    truncated: bool


def execute(store: GraphStore, job: QueryJob) -> QueryAnswer:
    """Run ``job`` on ``store`` in this process and serialise the result.

    Raises
    ------
    QueryError
        If the query does not parse, or its result kind cannot be written in ``job.media_type``.
    """
    default = [ox.NamedNode(g) for g in job.default_graphs] if job.default_graphs is not None else None
    named = [ox.NamedNode(g) for g in job.named_graphs] if job.named_graphs is not None else None
    result = store.query(job.text, default, named, job.base_iri)
    if isinstance(result, ox.QueryBoolean):
        results_format = ox.QueryResultsFormat.from_media_type(job.media_type)
        if results_format is None:
            raise QueryError(f"an ASK result cannot be written as {job.media_type}")
        return QueryAnswer(result.serialize(format=results_format) or b"", 1, False)
    if isinstance(result, ox.QuerySolutions):
        fmt = SOLUTION_FORMATS.get(job.media_type)
        if fmt is None:
            raise QueryError(f"SELECT results cannot be written as {job.media_type}")
        variables = [variable.value for variable in result.variables]
        rows = [[solution[name] for name in variables] for solution in islice(result, job.max_rows + 1)]
        truncated = len(rows) > job.max_rows
        rows = rows[: job.max_rows]
        return QueryAnswer(write_solutions(variables, rows, fmt), len(rows), truncated)
    rdf_format = ox.RdfFormat.from_media_type(job.media_type)
    if rdf_format is None:
        raise QueryError(f"graph results cannot be written as {job.media_type}")
    triples = list(islice(result, job.max_rows + 1))
    truncated = len(triples) > job.max_rows
    triples = triples[: job.max_rows]
    if rdf_format in PREFIXED_FORMATS:
        body = ox.serialize(triples, format=rdf_format, prefixes=SERIALIZATION_PREFIXES)
    else:
        body = ox.serialize(triples, format=rdf_format)
    return QueryAnswer(body or b"", len(triples), truncated)


def _worker_main(connection: Connection, store_link: str, hidden_graphs: tuple[str, ...]) -> None:
    """A worker's loop: open the store (again after each rebuild), run jobs, send answers or errors."""
    opened: tuple[str, GraphStore] | None = None
    while True:
        try:
            job = connection.recv()
        except EOFError:
            return
        try:
            version = store_version(Path(store_link))
            if opened is None or opened[0] != version:
                opened = (version, open_store(Path(store_link), hidden_graphs))
            connection.send(("ok", execute(opened[1], job)))
        except QueryError as exc:
            connection.send(("query-error", str(exc)))
        except (StoreError, OSError) as exc:
            connection.send(("store-error", str(exc)))


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, context: Any, store_link: Path, hidden_graphs: tuple[str, ...]) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, str(store_link), hidden_graphs),
                                       daemon=True)
        self.process.start()
        child.close()

    def stop(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.connection.close()


class WorkerPool:
    """A fixed number of query workers; ``run`` blocks until a worker is free and its query is done.

    Thread-safe: the web layer calls ``run`` from its thread pool, so the event loop never waits on a query.
    """

    def __init__(self, store_link: Path, hidden_graphs: tuple[str, ...], size: int, timeout: float) -> None:
        self._context = multiprocessing.get_context("spawn")
        self._store_link = store_link
        self._hidden = hidden_graphs
        self.timeout = timeout
        self._idle: queue.Queue[_Worker] = queue.Queue()
        for _ in range(size):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        return _Worker(self._context, self._store_link, self._hidden)

    def run(self, job: QueryJob) -> QueryAnswer:
        """Run one job on the next free worker.

        Raises
        ------
        QueryTimeout
            If it ran past the time limit (its worker is replaced).
        EngineCrashed
            If the worker died on it (it is replaced).
        QueryError, StoreError
            As the worker reported them.
        """
        worker = self._idle.get()
        replacement = None
        try:
            worker.connection.send(job)
            if not worker.connection.poll(self.timeout):
                replacement = worker
                raise QueryTimeout(f"the query ran longer than {self.timeout:g} s and was stopped; "
                                   "narrow it with LIMIT or more specific patterns")
            kind, payload = worker.connection.recv()
        except (EOFError, OSError, BrokenPipeError) as exc:
            replacement = worker
            raise EngineCrashed("the query engine stopped while running this query") from exc
        finally:
            if replacement is not None:
                replacement.stop()
                worker = self._spawn()
            self._idle.put(worker)
        if kind == "ok":
            return payload  # type: ignore[no-any-return]
        if kind == "query-error":
            raise QueryError(payload)
        raise StoreError(payload)

    def close(self) -> None:
        """Stop every worker."""
        while True:
            try:
                self._idle.get_nowait().stop()
            except queue.Empty:
                return


class ResultCache:
    """A bounded LRU of answers; keys include the build id, so a rebuild makes old entries unreachable."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[tuple[str, QueryJob], QueryAnswer] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, build_id: str, job: QueryJob) -> QueryAnswer | None:
        with self._lock:
            answer = self._entries.get((build_id, job))
            if answer is not None:
                self._entries.move_to_end((build_id, job))
            return answer

    def put(self, build_id: str, job: QueryJob, answer: QueryAnswer) -> None:
        if self.capacity <= 0:
            return
        with self._lock:
            self._entries[(build_id, job)] = answer
            self._entries.move_to_end((build_id, job))
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
