"""Step 6, serve (remote store): run the endpoint's queries against a remote store from the server process, with
the worker pool's guard, caps, time limit and fair queue.

Query workers have no network (``isolation.cut_network``), so a remote store cannot be reached from them; and
they are not needed: the engine that could crash or pin a core is the remote one, bounded by its own limits.
Jobs run on threads of the server (the guard, Virtuoso's dialect undone and the answer written by the engine's
serialisers are CPU work that should not sit on the event loop), at most ``concurrency`` at a time, handed out by
the same fair queue as the embedded store's workers (``fair_queue``: fair between clients, ``ServerBusy`` past
``max_queued_per_client``). A job past ``timeout`` seconds gets ``QueryTimeout``; a thread cannot be stopped, so
its exchange keeps its runner until the store answers or the store's own timeout ends it, and the store never
has more than ``concurrency`` of our queries at once. ``RemotePool`` has the ``run`` / ``close`` of
``WorkerPool``, so the web code picks one of the two once and never asks again.
"""

from __future__ import annotations

import asyncio
from functools import partial

from clustergraph.errors import StoreError
from clustergraph.fair_queue import FairQueue, QueryTimeout, Ticket
from clustergraph.query_runner import Limits, QueryJob, execute
from clustergraph.store import Answer, GraphStore


class RemotePool:
    """Answers jobs on ``store`` (a remote one) from this process, within the same bounds as ``WorkerPool``."""

    def __init__(self, store: GraphStore, limits: Limits, concurrency: int, timeout: float,
                 max_queued_per_client: int) -> None:
        self._store = store
        self._limits = limits
        self._timeout = timeout
        self._queue: FairQueue[QueryJob] = FairQueue(concurrency, max_queued_per_client, timeout, self._start)

    async def run(self, job: QueryJob, client: str = "local", version: str | None = None) -> Answer:
        """Guard, run and serialise ``job``; ``version`` is accepted for ``WorkerPool``'s signature (a remote
        store answers from its live graphs, whose build id the endpoint has read for this request).

        Raises
        ------
        ServerBusy
            If ``client`` already has as many jobs waiting or running as one client may.
        QueryTimeout
            If the job waited and ran longer than the time limit.
        QueryError, StoreError
            As the guard or the store raised them.
        """
        return await self._queue.run(client, job)

    def _start(self, ticket: Ticket[QueryJob], remaining: float) -> None:
        """Run ``ticket``'s job on a thread; past ``remaining`` seconds its caller is told, and the queue hears
        when the thread is done."""
        loop = asyncio.get_running_loop()
        running = loop.create_task(asyncio.to_thread(execute, self._store, ticket.work, self._limits))
        late = loop.call_later(remaining, self._too_late, ticket)
        running.add_done_callback(partial(self._finished, ticket=ticket, late=late))

    def _too_late(self, ticket: Ticket[QueryJob]) -> None:
        if not ticket.answer.done():
            ticket.answer.set_exception(QueryTimeout(f"the query took longer than {self._timeout:g} s"))

    def _finished(self, running: asyncio.Task[Answer], *, ticket: Ticket[QueryJob], late: asyncio.TimerHandle) -> None:
        late.cancel()
        outcome: Answer | BaseException = (StoreError("the query was stopped: the server is closing")
                                           if running.cancelled() else running.exception() or running.result())
        self._queue.finished(ticket, outcome)

    def close(self) -> None:
        """Hand out no more jobs (running exchanges end with the store's timeout; its connections close with it)."""
        self._queue.closed = True
