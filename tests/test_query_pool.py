"""The query pool under contention: a fair share per client, waiting counts against the time limit, a client
that leaves stops its query, and no client holds more than its share of the queue."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from clustergraph.fair_queue import QueryTimeout, ServerBusy
from clustergraph.query_runner import Limits, QueryJob, ResultCache, WorkerConfig, WorkerPool
from clustergraph.settings import Settings
from clustergraph.store import Answer, backend_for

JSON = "application/sparql-results+json"
MEDIUM = ("SELECT (COUNT(*) AS ?n) WHERE {{ ?a <http://www.w3.org/2000/01/rdf-schema#label> ?l . ?b a ?u "
          "FILTER(?u != <urn:x:{}>) }}")
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i FILTER(?i != <urn:x:{}>) }}"
FAST = "ASK {{ ?s ?p ?o FILTER(?o != <urn:x:{}>) }}"

pytestmark = pytest.mark.slow


@pytest.fixture()
def pool_factory(served: Settings) -> Iterator[type[WorkerPool]]:
    pools: list[WorkerPool] = []

    def make(size: int, timeout: float, per_client: int = 16) -> WorkerPool:
        pool = WorkerPool(WorkerConfig(backend_for(served), Limits()), size, timeout, 2**31, per_client)
        pools.append(pool)
        return pool

    yield make  # type: ignore[misc]
    for pool in pools:
        pool.close()


async def _run(pool: WorkerPool, client: str, text: str, done: list[str], label: str) -> None:
    try:
        await pool.run(QueryJob(text, JSON), client)
        done.append(label)
    except QueryTimeout:
        done.append(label + ":timeout")


def test_one_client_cannot_starve_another(pool_factory) -> None:  # type: ignore[no-untyped-def]
    pool = pool_factory(2, 60.0)
    done: list[str] = []

    async def scenario() -> None:
        greedy = [asyncio.create_task(_run(pool, "greedy", MEDIUM.format(i), done, f"greedy{i}")) for i in range(8)]
        await asyncio.sleep(0.05)
        polite = asyncio.create_task(_run(pool, "polite", FAST.format(0), done, "polite"))
        await asyncio.gather(*greedy, polite)

    asyncio.run(scenario())
    assert len(done) == 9 and not any(label.endswith("timeout") for label in done)
    assert done.index("polite") <= 3, done  # first-come would put it last, behind all eight


def test_waiting_counts_against_the_time_limit(pool_factory) -> None:  # type: ignore[no-untyped-def]
    pool = pool_factory(1, 1.0)

    async def scenario() -> BaseException | Answer:
        blocker = asyncio.create_task(pool.run(QueryJob(ENDLESS.format(1), JSON), "a"))
        await asyncio.sleep(0.05)
        waiting = await asyncio.gather(pool.run(QueryJob(FAST.format(1), JSON), "b"), return_exceptions=True)
        await asyncio.gather(blocker, return_exceptions=True)
        return waiting[0]

    outcome = asyncio.run(scenario())
    assert isinstance(outcome, QueryTimeout) and "waited" in str(outcome)


def test_a_client_that_goes_away_stops_its_query(pool_factory) -> None:  # type: ignore[no-untyped-def]
    pool = pool_factory(1, 60.0)
    before = {worker.process.pid for worker in pool._idle}

    async def scenario() -> bool:
        running = asyncio.create_task(pool.run(QueryJob(ENDLESS.format(2), JSON), "a"))
        await asyncio.sleep(0.5)
        running.cancel()
        answer = await pool.run(QueryJob(FAST.format(2), JSON), "b")  # would wait 60 s behind a live query
        return b"true" in answer.body

    assert asyncio.run(scenario())
    after = {worker.process.pid for worker in pool._idle}
    assert after.isdisjoint(before)  # the worker that ran the abandoned query was stopped and replaced


def test_a_client_gets_only_its_share_of_the_queue(pool_factory) -> None:  # type: ignore[no-untyped-def]
    pool = pool_factory(1, 2.0, per_client=2)

    async def scenario() -> list[BaseException | Answer]:
        jobs = [pool.run(QueryJob(ENDLESS.format(i), JSON), "greedy") for i in range(3)]
        return await asyncio.gather(*jobs, return_exceptions=True)

    outcomes = asyncio.run(scenario())
    assert sum(isinstance(outcome, ServerBusy) for outcome in outcomes) == 1


def test_the_cache_keeps_within_its_byte_bound() -> None:
    cache = ResultCache(capacity=100, max_bytes=1000)
    for i in range(50):
        cache.put("v1", QueryJob(f"ASK {{ }} # {i}", JSON), Answer(b"x" * 100, JSON, 1))
    assert cache.bytes <= 1000
    cache.put("v1", QueryJob("big", JSON), Answer(b"x" * 600, JSON, 1))  # over a quarter of the bound: not kept
    assert cache.get("v1", QueryJob("big", JSON)) is None
    assert cache.get("v1", QueryJob("ASK { } # 49", JSON)) is not None
