"""Step 6, serve (remote store): run the endpoint's queries against a remote store from the server process, with
the worker pool's guard, caps, time limit and per-client bound.

Query workers have no network (``isolation.cut_network``), so a remote store cannot be reached from them; and
they are not needed: the engine that could crash or pin a core is the remote one, bounded by its own limits.
Jobs run on threads of the server (the guard, Virtuoso's dialect undone and the answer written by the engine's
serialisers are CPU work that should not sit on the event loop), at most ``concurrency`` at a time; a client
with ``max_queued_per_client`` jobs waiting or running gets ``ServerBusy``, and a job past ``timeout`` seconds
gets ``QueryTimeout`` (the HTTP exchange itself ends at the store's own timeout). ``RemotePool`` has the
``run`` / ``close`` of ``WorkerPool``, so the web code picks one of the two once and never asks again.
"""

from __future__ import annotations

import asyncio
from collections import Counter

from clustergraph.query_runner import Limits, QueryJob, QueryTimeout, ServerBusy, execute
from clustergraph.store import Answer, GraphStore


class RemotePool:
    """Answers jobs on ``store`` (a remote one) from this process, within the same bounds as ``WorkerPool``."""

    def __init__(self, store: GraphStore, limits: Limits, concurrency: int, timeout: float,
                 max_queued_per_client: int) -> None:
        self._store = store
        self._limits = limits
        self._slots = asyncio.Semaphore(concurrency)
        self._timeout = timeout
        self._max_queued = max_queued_per_client
        self._queued: Counter[str] = Counter()

    async def run(self, job: QueryJob, client: str = "local", version: str | None = None) -> Answer:
        """Guard, run and serialise ``job``; ``version`` is accepted for ``WorkerPool``'s signature (a remote
        store answers from its live graphs, whose build id the endpoint has read for this request).

        Raises
        ------
        ServerBusy
            If ``client`` already has as many jobs waiting or running as one client may.
        QueryTimeout
            If the job waited and ran longer than the time limit.
        """
        if self._queued[client] >= self._max_queued:
            raise ServerBusy(f"{self._queued[client]} queries of this client are waiting or running; "
                             "retry when one has finished")
        self._queued[client] += 1
        try:
            async with asyncio.timeout(self._timeout):
                async with self._slots:
                    return await asyncio.to_thread(execute, self._store, job, self._limits)
        except TimeoutError as exc:
            raise QueryTimeout(f"the query took longer than {self._timeout:g} s") from exc
        finally:
            self._queued[client] -= 1
            if not self._queued[client]:
                del self._queued[client]

    def close(self) -> None:
        """Nothing to stop: the store's connections close with it."""
