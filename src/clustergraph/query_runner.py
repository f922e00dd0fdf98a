"""Run SPARQL queries in worker processes: time, memory, size and network bounds, and a fair queue.

pyoxigraph has no query timeout or cancellation, follows SERVICE by itself, and a pathological query can pin a
core, eat memory or overflow the stack. So every query runs in a worker process that:

- has no network (``isolation.cut_network``), so no query can make the server fetch a URL;
- reads the request again with the guard, and evaluates it on a thread with a large stack;
- answers every engine error as a classified error, never by dying;
- is killed and replaced when its query runs past the time limit, uses more memory than allowed, or the
  client that asked went away.

Answers are capped in rows and in bytes; a cut answer says so. Waiting requests are asyncio futures, not
threads, in a queue per client. The next job comes from the client that used the least worker time lately (fair
by time, not by turns: a client sending ten-second queries does not get the same share as one sending
ten-millisecond ones), no client runs on every worker at once, and waiting counts against the time
limit.
"""

from __future__ import annotations

import asyncio
import logging
import math
import multiprocessing
import os
import threading
import time
from collections import Counter, OrderedDict, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from multiprocessing.connection import Connection
from typing import Any

from clustergraph.errors import ClusterGraphError, QueryError, StoreError
from clustergraph.isolation import cut_network
from clustergraph.sparql_guard import QueryRefused, inspect_request
from clustergraph.store import Answer, Backend, Caps, GraphStore, Query

logger = logging.getLogger(__name__)

# The engine parses and evaluates recursively; on this stack a 64 KiB request cannot overflow it.
ENGINE_STACK_BYTES = 512 * 1024 * 1024
MEMORY_POLL_SECONDS = 0.02
USAGE_HALF_LIFE = 30.0
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


class QueryTimeout(ClusterGraphError):
    """The query ran (or waited) past the endpoint's time limit and was stopped."""


class QueryTooLarge(ClusterGraphError):
    """The query used more memory than a worker may; it was stopped."""


class ServerBusy(ClusterGraphError):
    """The caller already has as many queries waiting as one client may."""


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
    query = Query(job.text, job.default_graphs, job.named_graphs, job.base_iri, inspected.names_dataset)
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


@dataclass
class _Pending:
    """A job for build ``version`` waiting in a client's queue, or running; ``cancelled`` is set when its caller
    went away."""

    job: QueryJob
    version: str
    client: str
    future: asyncio.Future[Answer]
    enqueued: float
    started: float = 0.0
    cancelled: threading.Event = field(default_factory=threading.Event)


class WorkerPool:
    """A fixed number of query workers behind a fair queue; ``run`` is a coroutine on the server's loop.

    Each worker has one thread that talks to it, so waiting requests hold no thread: static files, pages and
    cached answers are served while every worker is busy.
    """

    def __init__(self, config: WorkerConfig, size: int, timeout: float, memory_bytes: int,
                 max_queued_per_client: int = 8) -> None:
        self._context = multiprocessing.get_context("spawn")
        self._config = config
        self.timeout = timeout
        self.memory_bytes = memory_bytes
        self.max_queued_per_client = max_queued_per_client
        self._queues: OrderedDict[str, deque[_Pending]] = OrderedDict()
        self._active: dict[str, int] = {}
        self._running: Counter[str] = Counter()
        self._used: dict[str, tuple[float, float]] = {}
        # A client runs on at most all workers but one, so one is always left for everybody else.
        self._share = max(1, size - 1)
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
            If the client already has ``max_queued_per_client`` queries waiting or running.
        QueryTimeout
            If it waited and ran past the time limit (a running query's worker is replaced).
        QueryTooLarge
            If it used more memory than allowed (its worker is replaced).
        EngineCrashed
            If the worker died on it (it is replaced).
        QueryError, StoreError
            As the worker reported them.
        """
        if self._active.get(client, 0) >= self.max_queued_per_client:
            raise ServerBusy(f"you have {self._active[client]} queries waiting or running; this endpoint takes "
                             f"at most {self.max_queued_per_client} per client at a time")
        version = version or self._config.backend.build_id()
        pending = _Pending(job, version, client, asyncio.get_running_loop().create_future(), time.monotonic())
        self._active[client] = self._active.get(client, 0) + 1
        self._queues.setdefault(client, deque()).append(pending)
        try:
            self._dispatch()
            return await asyncio.shield(pending.future)
        except asyncio.CancelledError:
            pending.cancelled.set()
            raise
        finally:
            self._active[client] -= 1
            if not self._active[client]:
                del self._active[client]
            queue = self._queues.get(client)
            if queue is not None and pending in queue:
                queue.remove(pending)
            if queue is not None and not queue:
                del self._queues[client]

    def _usage(self, client: str, now: float) -> float:
        """Worker seconds ``client`` used lately: each second counts half after ``USAGE_HALF_LIFE`` seconds."""
        used, since = self._used.get(client, (0.0, now))
        return used * math.pow(0.5, (now - since) / USAGE_HALF_LIFE)

    def _next(self) -> _Pending | None:
        """The oldest waiting job of the client whose worker time used lately, less the time its oldest job has
        waited, is least, among those running fewer than their share of workers; among equals, the one whose
        turn it is (it then goes to the back of the line)."""
        now = time.monotonic()
        candidates = []
        for order, (client, queue) in enumerate(self._queues.items()):
            while queue and queue[0].cancelled.is_set():
                queue.popleft()
            if queue and self._running[client] < self._share:  # waiting earns credit: nobody starves
                candidates.append((self._usage(client, now) - (now - queue[0].enqueued), order, client))
        if not candidates:
            return None
        client = min(candidates)[2]
        self._queues.move_to_end(client)
        self._running[client] += 1
        return self._queues[client].popleft()

    def _dispatch(self) -> None:
        """Give idle workers the next jobs; a job whose wait used up the time limit fails without running."""
        loop = asyncio.get_running_loop()
        while self._idle and not self._closed:
            pending = self._next()
            if pending is None:
                return
            remaining = self.timeout - (time.monotonic() - pending.enqueued)
            if remaining <= 0:
                self._running[pending.client] -= 1
                pending.future.set_exception(QueryTimeout(
                    f"the query waited {self.timeout:g} s for a free worker; the server is busy, try again"))
                continue
            worker = self._idle.pop()
            pending.started = time.monotonic()
            done = loop.run_in_executor(self._executor, self._exchange, worker, pending, remaining)
            done.add_done_callback(partial(self._finished, pending=pending))

    def _finished(self, finished: asyncio.Future[tuple[_Worker, Any]], *, pending: _Pending) -> None:
        worker, outcome = finished.result()
        self._idle.append(worker)
        now = time.monotonic()
        self._used[pending.client] = (self._usage(pending.client, now) + now - pending.started, now)
        self._running[pending.client] -= 1
        if pending.cancelled.is_set():
            pending.future.cancel()
        elif isinstance(outcome, BaseException):
            pending.future.set_exception(outcome)
        else:
            pending.future.set_result(outcome)
        self._dispatch()

    def _exchange(self, worker: _Worker, pending: _Pending, remaining: float) -> tuple[_Worker, Any]:
        """Send one job and wait for it, watching time, memory and the caller; on a thread of its own."""
        try:
            worker.connection.send((pending.version, pending.job))
            deadline = time.monotonic() + remaining
            while not worker.connection.poll(MEMORY_POLL_SECONDS):
                if pending.cancelled.is_set():
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
        self._closed = True
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
