"""Run SPARQL queries in worker processes: time, memory, size and network bounds, and a fair queue.

pyoxigraph has no query timeout or cancellation, follows SERVICE by itself, and a pathological query can pin a
core, eat memory or overflow the stack. So every query runs in a worker process that:

- has no network (``isolation.cut_network``), so no query can make the server fetch a URL;
- reads the request again with the guard, and evaluates it on a thread with a large stack;
- answers every engine error as a classified error, never by dying;
- is killed and replaced when its query runs past the time limit, uses more memory than allowed, or the
  client that asked went away.

Answers are capped in rows and in bytes; a cut answer says so. Requests wait in the fair queue the remote
store's pool shares (``fair_queue``): fair between clients by the workers they hold and the worker time they used
lately, bounded per client, and waiting counts against the time limit.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from multiprocessing.connection import Connection
from typing import Any

from clustergraph.errors import ClusterGraphError, QueryError, StoreError
from clustergraph.fair_queue import FairQueue, QueryTimeout, Ticket
from clustergraph.isolation import cut_network
from clustergraph.sparql_guard import QueryRefused, inspect_request
from clustergraph.store import Answer, Backend, Caps, GraphStore, Query

logger = logging.getLogger(__name__)

# The engine parses and evaluates recursively; on this stack a 64 KiB request cannot overflow it.
ENGINE_STACK_BYTES = 512 * 1024 * 1024
MEMORY_POLL_SECONDS = 0.02
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


class QueryTooLarge(ClusterGraphError):
    """The query used more memory than a worker may; it was stopped."""


class EngineCrashed(ClusterGraphError):
    """The query engine's process died while running the query."""


@dataclass(frozen=True)
class Limits:
    """What any query may take: the guard's limits and the bytes of an answer (rows are each job's own)."""

    max_query_bytes: int = 65_536
    max_query_depth: int = 64
    max_bytes: int = 32 * 1024 * 1024


@dataclass(frozen=True)
class QueryJob:
    """One query to run: text, result media type, protocol dataset, the row cap and the base IRI."""

    text: str
    media_type: str
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    max_rows: int = 10_000
    base_iri: str | None = None


def execute(store: GraphStore, job: QueryJob, limits: Limits = Limits()) -> Answer:
    """Guard ``job``, then run and serialise it on ``store`` in this process, within the row and byte caps.

    Raises
    ------
    QueryError
        If the guard refuses it, it does not parse, or its result kind cannot be written in ``job.media_type``.
    """
    inspected = inspect_request(job.text, limits.max_query_bytes, limits.max_query_depth)
    query = Query(job.text, job.default_graphs, job.named_graphs, job.base_iri, inspected.names_dataset,
                  inspected.form)
    return store.answer(query, job.media_type, Caps(job.max_rows, limits.max_bytes))


@dataclass(frozen=True)
class WorkerConfig:
    """What a worker needs to know: the store's backend and the limits of every query.

    The store holds nothing a query may not see (contacts live in a store of their own, opened only on the
    operator's opt-in), so a worker hides no graph.
    """

    backend: Backend
    limits: Limits


def _worker_main(connection: Connection, config: WorkerConfig) -> None:
    """A worker: leave the network, report, then serve jobs on a thread with a large stack."""
    problem = cut_network()
    connection.send(("ready", problem))
    threading.stack_size(ENGINE_STACK_BYTES)
    serving = threading.Thread(target=_serve, args=(connection, config), name="engine")
    serving.start()
    serving.join()


def _serve(connection: Connection, config: WorkerConfig) -> None:
    """Run jobs until the pipe closes; each comes with the build it is for (read once, by the server), and
    the store of that build is opened whenever it is not the one open."""
    opened: tuple[str, GraphStore] | None = None
    while True:
        try:
            version, job = connection.recv()
        except EOFError:
            return
        try:
            if opened is None or opened[0] != version:
                opened = None
                opened = (version, config.backend.open(version))
            connection.send(("ok", execute(opened[1], job, config.limits)))
        except QueryError as exc:
            connection.send(("query-error", (str(exc), getattr(exc, "status", 400))))
        except MemoryError:
            connection.send(("memory", "the query needed more memory than a worker may use"))
        except (StoreError, OSError) as exc:
            connection.send(("store-error", str(exc)))
        except RuntimeError as exc:  # RocksDB's damaged-store errors; the engine's evaluation errors otherwise
            damaged = str(exc).startswith(("Corruption", "IO error"))
            connection.send(("store-error" if damaged else "engine-error", str(exc)))
        except Exception as exc:  # the worker's boundary: an engine failure is an answer, never a death
            connection.send(("engine-error", f"{type(exc).__name__}: {exc}"))


class _Worker:
    """One worker process and the server's end of its pipe."""

    def __init__(self, context: Any, config: WorkerConfig) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, config), daemon=True)
        self.process.start()
        child.close()
        kind, problem = self.connection.recv()
        self.isolation_problem: str | None = problem

    def resident_bytes(self) -> int:
        """The worker's resident memory, read from /proc (0 when it is gone)."""
        try:
            with open(f"/proc/{self.process.pid}/statm", encoding="ascii") as handle:
                return int(handle.read().split()[1]) * PAGE_BYTES
        except (OSError, IndexError, ValueError):
            return 0

    def stop(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.connection.close()


@dataclass(frozen=True)
class _Run:
    """A job for build ``version``, as a ticket of the fair queue carries it to a worker."""

    job: QueryJob
    version: str


class WorkerPool:
    """A fixed number of query workers behind a fair queue (``fair_queue``); ``run`` is a coroutine on the
    server's loop.

    Each worker has one thread that talks to it, so waiting requests hold no thread: static files, pages and
    cached answers are served while every worker is busy.
    """

    def __init__(self, config: WorkerConfig, size: int, timeout: float, memory_bytes: int,
                 max_queued_per_client: int = 8) -> None:
        self._context = multiprocessing.get_context("spawn")
        self._config = config
        self.timeout = timeout
        self.memory_bytes = memory_bytes
        self._queue: FairQueue[_Run] = FairQueue(size, max_queued_per_client, timeout, self._start)
        self._executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="query-worker")
        self._workers: set[_Worker] = set()
        self._closed = False
        self._idle: list[_Worker] = [self._spawn() for _ in range(size)]
        self.isolation_problem = next((w.isolation_problem for w in self._idle if w.isolation_problem), None)
        if self.isolation_problem:
            logger.warning("query workers keep network access: %s", self.isolation_problem)

    def _spawn(self) -> _Worker:
        worker = _Worker(self._context, self._config)
        self._workers.add(worker)
        return worker

    async def run(self, job: QueryJob, client: str = "local", version: str | None = None) -> Answer:
        """Queue ``job`` for ``client`` and wait for its answer; cancelling the wait stops the query.

        ``version`` is the build the job is for (the live one, read here, when not given).

        Raises
        ------
        ServerBusy
            If the client already has too many queries waiting or running.
        QueryTimeout
            If it waited and ran past the time limit (a running query's worker is replaced).
        QueryTooLarge
            If it used more memory than allowed (its worker is replaced).
        EngineCrashed
            If the worker died on it (it is replaced).
        QueryError, StoreError
            As the worker reported them.
        """
        return await self._queue.run(client, _Run(job, version or self._config.backend.build_id()))

    def _start(self, ticket: Ticket[_Run], remaining: float) -> None:
        """Hand ``ticket`` to an idle worker through its thread; the queue hears when the worker is free."""
        worker = self._idle.pop()
        done = asyncio.get_running_loop().run_in_executor(self._executor, self._exchange, worker, ticket, remaining)
        done.add_done_callback(partial(self._finished, ticket=ticket))

    def _finished(self, finished: asyncio.Future[tuple[_Worker, Any]], *, ticket: Ticket[_Run]) -> None:
        worker, outcome = finished.result()
        self._idle.append(worker)
        self._queue.finished(ticket, outcome)

    def _exchange(self, worker: _Worker, ticket: Ticket[_Run], remaining: float) -> tuple[_Worker, Any]:
        """Send one job and wait for it, watching time, memory and the caller; on a thread of its own."""
        try:
            worker.connection.send((ticket.work.version, ticket.work.job))
            deadline = time.monotonic() + remaining
            while not worker.connection.poll(MEMORY_POLL_SECONDS):
                if ticket.cancelled.is_set():
                    return self._replace(worker), QueryTimeout("the client went away; the query was stopped")
                if time.monotonic() > deadline:
                    return self._replace(worker), QueryTimeout(
                        f"the query ran longer than {self.timeout:g} s and was stopped; "
                        "narrow it with LIMIT or more specific patterns")
                if worker.resident_bytes() > self.memory_bytes:
                    return self._replace(worker), QueryTooLarge(
                        f"the query needed more than {self.memory_bytes // 2**20} MiB and was stopped; "
                        "narrow it with LIMIT or more specific patterns")
            kind, payload = worker.connection.recv()
        except (EOFError, OSError) as exc:
            crashed = EngineCrashed("the query engine stopped while running this query")
            crashed.__cause__ = exc
            return self._replace(worker), crashed
        return worker, _outcome(kind, payload)

    def _replace(self, worker: _Worker) -> _Worker:
        worker.stop()
        self._workers.discard(worker)
        return worker if self._closed else self._spawn()

    def close(self) -> None:
        """Stop every worker, the idle ones and those running a query."""
        self._closed = self._queue.closed = True
        for worker in list(self._workers):
            worker.stop()
        self._workers.clear()
        self._idle.clear()
        self._executor.shutdown(wait=False, cancel_futures=True)


def _outcome(kind: str, payload: Any) -> Answer | ClusterGraphError:
    """A worker's reply as the answer or the error it stands for."""
    if kind == "ok":
        answer: Answer = payload
        return answer
    if kind == "query-error":
        message, status = payload
        return QueryRefused(message, status)
    if kind == "memory":
        return QueryTooLarge(payload)
    if kind == "engine-error":
        return QueryError(f"the query engine could not evaluate this query: {payload}")
    return StoreError(payload)


class ResultCache:
    """A bounded LRU of answers, bounded in entries and in bytes; keys include the data version."""

    def __init__(self, capacity: int, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.capacity = capacity
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[str, QueryJob], Answer] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def bytes(self) -> int:
        """Bytes of the answers held."""
        return self._bytes

    def get(self, version: str, job: QueryJob) -> Answer | None:
        with self._lock:
            answer = self._entries.get((version, job))
            if answer is not None:
                self._entries.move_to_end((version, job))
            return answer

    def put(self, version: str, job: QueryJob, answer: Answer) -> None:
        """Keep an answer unless it alone is over a quarter of the byte bound; evict the oldest beyond."""
        if self.capacity <= 0 or len(answer.body) > self.max_bytes // 4:
            return
        with self._lock:
            previous = self._entries.pop((version, job), None)
            if previous is not None:
                self._bytes -= len(previous.body)
            self._entries[(version, job)] = answer
            self._bytes += len(answer.body)
            while len(self._entries) > self.capacity or self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted.body)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
