"""The fair queue both query pools share (``fair_queue``), on its own: which waiting request a free runner takes,
the per-client bound, a caller that leaves, and waiting against the time limit. Runners here are the test's own:
a started ticket runs until the test finishes it, so every step is decided by the queue, never by timing."""

from __future__ import annotations

import asyncio

import pytest

from clustergraph.fair_queue import FairQueue, QueryTimeout, ServerBusy, Ticket
from clustergraph.store import Answer


class Runners:
    """Started tickets, in the order the queue started them; ``finish`` frees one runner."""

    def __init__(self) -> None:
        self.started: list[Ticket[str]] = []
        self.queue: FairQueue[str] | None = None

    def start(self, ticket: Ticket[str], remaining: float) -> None:
        self.started.append(ticket)

    def labels(self) -> list[str]:
        return [ticket.work for ticket in self.started]

    def finish(self, label: str) -> None:
        assert self.queue is not None
        ticket = next(ticket for ticket in self.started if ticket.work == label)
        self.queue.finished(ticket, Answer(label.encode(), "text/plain", 1))


def _queue(runners: int, per_client: int = 8, timeout: float = 600.0) -> tuple[FairQueue[str], Runners]:
    started = Runners()
    queue: FairQueue[str] = FairQueue(runners, per_client, timeout, started.start)
    started.queue = queue
    return queue, started


async def _settle() -> None:
    """Let every task run up to its next wait (the queue decides synchronously in between)."""
    for _ in range(3):
        await asyncio.sleep(0)


def test_a_client_holding_a_runner_waits_behind_one_holding_none() -> None:
    async def scenario() -> list[str]:
        queue, runners = _queue(3)  # a client's share: 2 of 3
        tasks = [asyncio.create_task(queue.run(client, label))
                 for client, label in (("a", "a1"), ("c", "c1"), ("c", "c2"))]
        await _settle()
        assert runners.labels() == ["a1", "c1", "c2"] and queue.running("c") == 2
        tasks.append(asyncio.create_task(queue.run("a", "a2")))  # waits longer than b1 ...
        await _settle()
        tasks.append(asyncio.create_task(queue.run("b", "b1")))
        await _settle()
        runners.finish("c1")  # ... but a holds a runner and b holds none
        await _settle()
        assert runners.labels() == ["a1", "c1", "c2", "b1"]
        for label in ("c2", "a1", "b1", "a2"):
            runners.finish(label)
            await _settle()
        return [(await task).body.decode() for task in tasks]

    assert asyncio.run(scenario()) == ["a1", "c1", "c2", "a2", "b1"]


def test_no_client_holds_every_runner() -> None:
    async def scenario() -> list[str]:
        queue, runners = _queue(2)
        greedy = [asyncio.create_task(queue.run("greedy", f"g{i}")) for i in range(3)]
        await _settle()
        assert runners.labels() == ["g0"]  # the second runner stays free for somebody else
        polite = asyncio.create_task(queue.run("polite", "p"))
        await _settle()
        assert runners.labels() == ["g0", "p"]
        for label in ("g0", "p", "g1", "g2"):
            runners.finish(label)
            await _settle()
        await asyncio.gather(*greedy, polite)
        return runners.labels()

    assert asyncio.run(scenario()) == ["g0", "p", "g1", "g2"]


def test_a_client_past_its_bound_is_refused_and_a_caller_that_leaves_never_starts() -> None:
    async def scenario() -> list[str]:
        queue, runners = _queue(1, per_client=2)
        first = asyncio.create_task(queue.run("a", "a1"))
        second = asyncio.create_task(queue.run("a", "a2"))
        await _settle()
        with pytest.raises(ServerBusy, match="at most 2 per client"):
            await queue.run("a", "a3")
        second.cancel()  # the caller of a2 went away while it waited
        await _settle()
        runners.finish("a1")
        await first
        later = asyncio.create_task(queue.run("a", "a4"))  # the bound counts what waits or runs now
        await _settle()
        runners.finish("a4")
        await later
        assert second.cancelled()
        return runners.labels()

    assert asyncio.run(scenario()) == ["a1", "a4"]


def test_a_request_that_waited_past_the_time_limit_fails_unstarted() -> None:
    async def scenario() -> BaseException | Answer:
        queue, runners = _queue(1, timeout=0.0)  # every wait is already too long when a runner frees
        outcome = await asyncio.gather(queue.run("a", "a1"), return_exceptions=True)
        assert runners.labels() == []
        return outcome[0]

    outcome = asyncio.run(scenario())
    assert isinstance(outcome, QueryTimeout) and "waited" in str(outcome)
