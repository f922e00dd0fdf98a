"""The fair queue in front of a fixed number of query runners, one implementation for both stores: the embedded
store's worker processes (``query_runner.WorkerPool``) and the remote store's threads (``remote_runner.RemotePool``).

Waiting requests are asyncio futures, not threads, in a queue per client. When a runner is free, the next request
comes from the client that holds the fewest runners now; among those, from the one whose runner time used lately,
less the time its oldest request has waited, is least (fair by time, not by turns: a client sending ten-second
queries does not get the same share as one sending ten-millisecond ones; waiting earns credit, so nobody starves);
among equals, from the one whose turn it is. No client holds every runner at once (one is always left for everybody
else), a client with ``max_queued_per_client`` requests waiting or running is refused, and waiting counts against
the time limit. The queue only orders the work: a pool says how to start a request on a free runner and reports
when the runner is free again.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from clustergraph.errors import ClusterGraphError
from clustergraph.store import Answer

USAGE_HALF_LIFE = 30.0

Work = TypeVar("Work")


class QueryTimeout(ClusterGraphError):
    """The query ran (or waited) past the endpoint's time limit and was stopped."""


class ServerBusy(ClusterGraphError):
    """The caller already has as many queries waiting or running as one client may."""


@dataclass(eq=False)
class Ticket(Generic[Work]):
    """One request for ``client``: its ``work`` (what the pool runs), its answer to come, when it joined and when
    it started; ``cancelled`` is set when its caller went away (threads watching a running request read it)."""

    work: Work
    client: str
    answer: asyncio.Future[Answer]
    enqueued: float
    started: float = 0.0
    cancelled: threading.Event = field(default_factory=threading.Event)


Start = Callable[[Ticket[Work], float], None]
"""How a pool starts a ticket on a free runner, given the seconds left of its time limit; it calls
``FairQueue.finished`` once that runner is free again."""


class FairQueue(Generic[Work]):
    """Requests waiting for ``runners`` runners, handed out fairly between clients; used on the event loop only.

    Parameters
    ----------
    runners
        How many requests may run at once.
    max_queued_per_client
        How many requests one client may have waiting or running.
    timeout
        Seconds a request may wait and run in all.
    start
        Starts a ticket on a free runner (see ``Start``).
    """

    def __init__(self, runners: int, max_queued_per_client: int, timeout: float, start: Start[Work]) -> None:
        self.timeout = timeout
        self.max_queued_per_client = max_queued_per_client
        self._free = runners
        self._share = max(1, runners - 1)  # one runner is always left for everybody else
        self._start = start
        self._queues: OrderedDict[str, deque[Ticket[Work]]] = OrderedDict()
        self._active: Counter[str] = Counter()
        self._running: Counter[str] = Counter()
        self._used: dict[str, tuple[float, float]] = {}
        self.closed = False

    def running(self, client: str) -> int:
        """How many runners ``client`` holds now."""
        return self._running[client]

    async def run(self, client: str, work: Work) -> Answer:
        """Queue ``work`` for ``client`` and wait for its answer; cancelling the wait marks the ticket cancelled
        (a waiting one never starts; a running one is the pool's to stop).

        Raises
        ------
        ServerBusy
            If the client already has ``max_queued_per_client`` requests waiting or running.
        QueryTimeout
            If it waited past the time limit (the pool raises it for one that ran past it).
        """
        if self._active[client] >= self.max_queued_per_client:
            raise ServerBusy(f"you have {self._active[client]} queries waiting or running; this endpoint takes "
                             f"at most {self.max_queued_per_client} per client at a time")
        ticket = Ticket(work, client, asyncio.get_running_loop().create_future(), time.monotonic())
        self._active[client] += 1
        self._queues.setdefault(client, deque()).append(ticket)
        try:
            self._dispatch()
            return await asyncio.shield(ticket.answer)
        except asyncio.CancelledError:
            ticket.cancelled.set()
            raise
        finally:
            self._active[client] -= 1
            if not self._active[client]:
                del self._active[client]
            queue = self._queues.get(client)
            if queue is not None and ticket in queue:
                queue.remove(ticket)
            if queue is not None and not queue:
                del self._queues[client]

    def finished(self, ticket: Ticket[Work], outcome: Answer | BaseException) -> None:
        """The runner of ``ticket`` is free again: count its time against its client, settle its answer (unless
        the caller went away or was already told), and hand out the next requests."""
        now = time.monotonic()
        self._used[ticket.client] = (self._usage(ticket.client, now) + now - ticket.started, now)
        self._running[ticket.client] -= 1
        self._free += 1
        if ticket.cancelled.is_set():
            ticket.answer.cancel()
        elif not ticket.answer.done():
            if isinstance(outcome, BaseException):
                ticket.answer.set_exception(outcome)
            else:
                ticket.answer.set_result(outcome)
        self._dispatch()

    def _usage(self, client: str, now: float) -> float:
        """Runner seconds ``client`` used lately: each second counts half after ``USAGE_HALF_LIFE`` seconds."""
        used, since = self._used.get(client, (0.0, now))
        return used * math.pow(0.5, (now - since) / USAGE_HALF_LIFE)

    def _next(self) -> Ticket[Work] | None:
        """The oldest waiting ticket of the fairest client below its share (see the module), marked running."""
        now = time.monotonic()
        candidates = []
        for order, (client, queue) in enumerate(self._queues.items()):
            while queue and queue[0].cancelled.is_set():
                queue.popleft()
            if queue and self._running[client] < self._share:
                fairness = self._usage(client, now) - (now - queue[0].enqueued)
                candidates.append((self._running[client], fairness, order, client))
        if not candidates:
            return None
        client = min(candidates)[3]
        self._queues.move_to_end(client)
        self._running[client] += 1
        ticket = self._queues[client].popleft()
        ticket.started = now
        return ticket

    def _dispatch(self) -> None:
        """Start the next tickets on the free runners; one whose wait used up the time limit fails unstarted."""
        while self._free and not self.closed:
            ticket = self._next()
            if ticket is None:
                return
            remaining = self.timeout - (ticket.started - ticket.enqueued)
            if remaining <= 0:
                self._running[ticket.client] -= 1
                ticket.answer.set_exception(QueryTimeout(
                    f"the query waited {self.timeout:g} s for a free worker; the server is busy, try again"))
                continue
            self._free -= 1
            self._start(ticket, remaining)
