"""Load under attack: 8 and 32 clients loop over the query catalogue for a fixed time while one client sends
queries that never finish; prints throughput, p50 and p99 of the catalogue clients and what the slow client got.

Prints figures; asserts nothing. Every request goes to a ``clustergraph serve`` on 127.0.0.1 (result cache off,
so every answer is evaluated); each client is a distinct address through ``X-Forwarded-For`` (addresses from
the documentation range 192.0.2.0/24, never contacted: uvicorn trusts the header from 127.0.0.1 only), so the
per-client share applies as it would to separate users. Usage: ``python bench/load.py [--seconds 60]``.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from peers import clustergraph  # noqa: E402

from clustergraph.build import build  # noqa: E402
from clustergraph.query_library import load_queries  # noqa: E402
from clustergraph.settings import Settings  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SLOW = "SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i FILTER(?i != {}) }}"


async def catalogue_client(url: str, address: str, queries: list[str], until: float, latencies: list[float],
                           statuses: Counter[int]) -> None:
    async with httpx.AsyncClient(timeout=60, headers={"X-Forwarded-For": address}) as client:
        index = 0
        while time.monotonic() < until:
            started = time.monotonic()
            response = await client.get(url, params={"query": queries[index % len(queries)]})
            statuses[response.status_code] += 1
            if response.status_code == 200:
                latencies.append(time.monotonic() - started)
            index += 1


async def slow_client(url: str, until: float, statuses: Counter[int]) -> None:
    async with httpx.AsyncClient(timeout=60, headers={"X-Forwarded-For": "192.0.2.250"}) as client:
        sent = 0
        while time.monotonic() < until:
            batch = [client.get(url, params={"query": SLOW.format(sent + i)}) for i in range(4)]
            for response in await asyncio.gather(*batch, return_exceptions=True):
                statuses[response.status_code if isinstance(response, httpx.Response) else 0] += 1
            sent += 4


def run(url: str, queries: list[str], clients: int, seconds: float) -> str:
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    slow_statuses: Counter[int] = Counter()
    until = time.monotonic() + seconds

    async def main() -> None:
        await asyncio.gather(slow_client(url, until, slow_statuses),
                             *(catalogue_client(url, f"192.0.2.{i + 1}", queries, until, latencies, statuses)
                               for i in range(clients)))

    started = time.monotonic()
    asyncio.run(main())
    elapsed = time.monotonic() - started
    errors = sum(count for status, count in statuses.items() if status != 200)
    p50 = statistics.median(latencies) * 1000 if latencies else float("nan")
    p99 = sorted(latencies)[max(0, math.ceil(len(latencies) * 0.99) - 1)] * 1000 if latencies else float("nan")
    slow = ", ".join(f"{status}: {count}" for status, count in sorted(slow_statuses.items()))
    failed = ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()) if status != 200)
    return (f"{clients:>3} clients + 1 slow  {len(latencies) / elapsed:>8.1f}  {p50:>8.1f}  {p99:>8.1f}  "
            f"{errors:>6}{f' ({failed})' if failed else ''}   slow client got {slow}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", default="8,32")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="clustergraph-load-"))
    try:
        for name in ("data/source", "data/curation", "ontology", "shapes", "queries"):
            shutil.copytree(ROOT / name, work / name)
        shutil.copyfile(ROOT / "data" / "catalogue.yaml", work / "data" / "catalogue.yaml")
        build(Settings(project_dir=work))
        queries = [query.text for query in load_queries(ROOT / "queries").values()]
        print(f"catalogue: {len(queries)} queries, result cache off, query time limit 10 s, 2 workers; "
              f"{args.seconds:.0f} s per row; machine: 2 cores shared by server and load generator")
        print(f"{'configuration':<24} {'req/s':>8}  {'p50 ms':>8}  {'p99 ms':>8}  {'errors':>6}")
        with clustergraph(work, cache_entries=0, workers=2) as url:
            for clients in (int(c) for c in args.clients.split(",")):
                print(run(url, queries, clients, args.seconds), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
