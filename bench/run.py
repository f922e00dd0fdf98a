"""Benchmark: the query catalogue in process and over HTTP, against rdflib-endpoint and Virtuoso.

Prints figures; asserts nothing. Run ``bash bench/run.sh`` (it installs the peers), or this file directly
when they are installed. Every server runs on 127.0.0.1 and every loop is bounded by a request count.

Each configuration runs until its request count or its time budget (``--seconds``, also the longest a request
may take) is spent; for each it reports throughput (answered requests/s), p50 and p99 latency (ms) at 1, 8 and
32 concurrent clients, the requests that failed or timed out, and the ratio of ClusterGraph's single-client HTTP
latency to in-process pyoxigraph.
The graph is the built dataset replicated under distinct IRIs until it holds about ``--quads`` quads (a
comparable synthetic graph: the same shape and the same queries, more of everything).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from peers import clustergraph, rdflib_endpoint, virtuoso  # noqa: E402

from clustergraph.build import DATASET_FILE, build, hidden_graphs, publish_dataset  # noqa: E402
from clustergraph.generations import current_generation  # noqa: E402
from clustergraph.query_library import load_queries  # noqa: E402
from clustergraph.query_runner import QueryJob, execute  # noqa: E402
from clustergraph.settings import Settings  # noqa: E402
from clustergraph.store import open_store  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
JSON = "application/sparql-results+json"
BASE = "https://w3id.org/clustergraph/"


@dataclass(frozen=True)
class Figures:
    """One configuration's answered requests (with their latencies) and its failed ones (errors, time-outs)."""

    label: str
    clients: int
    requests: int
    seconds: float
    latencies: list[float]
    failures: int = 0

    def row(self) -> str:
        if not self.latencies:
            return f"{self.label:<34} {self.clients:>3}  {'-':>9}  {'-':>8}  {'-':>8}  {self.failures:>6}"
        p50 = statistics.median(self.latencies) * 1000
        p99 = sorted(self.latencies)[max(0, math.ceil(len(self.latencies) * 0.99) - 1)] * 1000  # nearest rank
        return (f"{self.label:<34} {self.clients:>3}  {self.requests / self.seconds:>9.1f}  {p50:>8.2f}  "
                f"{p99:>8.2f}  {self.failures:>6}")


def synthetic_dump(nquads: Path, target: int, out: Path, hidden: tuple[str, ...]) -> tuple[int, int]:
    """The visible graphs of ``nquads`` replicated under distinct instance IRIs up to about ``target`` quads.

    Returns the number of copies and of quads written.
    """
    instance = re.compile(re.escape(BASE) + r"(?!ontology|ecosystem/|graph/)")
    lines = [line for line in nquads.read_text(encoding="utf-8").splitlines()
             if line and not any(f"<{graph}>" in line for graph in hidden)]
    scale = max(1, round(target / len(lines)))
    written = 0
    with out.open("w", encoding="utf-8") as handle:
        for copy in range(scale):
            for line in lines:  # copy 0 keeps the original IRIs, so the catalogue's named examples still match
                handle.write((instance.sub(f"{BASE}r{copy}/", line) if copy else line) + "\n")
                written += 1
    return scale, written


def in_process(project: Settings, queries: list[str], rounds: int) -> Figures:
    store = open_store(project.store_dir, hidden_graphs(project))
    latencies = []
    started = time.perf_counter()
    for _ in range(rounds):
        for query in queries:
            begin = time.perf_counter()
            execute(store, QueryJob(query, JSON, max_rows=100_000))
            latencies.append(time.perf_counter() - begin)
    return Figures("in process (pyoxigraph)", 1, len(latencies), time.perf_counter() - started, latencies)


async def _client(url: str, queries: list[str], rounds: int, latencies: list[float], failures: list[str],
                  deadline: float, timeout: float) -> None:
    """One client: ``rounds`` passes over the catalogue, stopping early at ``deadline`` (monotonic clock).

    A request that fails or runs past ``timeout`` is counted in ``failures``, not in the latencies.
    """
    async with httpx.AsyncClient(timeout=timeout) as client:
        for _ in range(rounds):
            for query in queries:
                if time.monotonic() > deadline:
                    return
                begin = time.perf_counter()
                try:
                    response = await client.post(url, data={"query": query}, headers={"Accept": JSON})
                    response.raise_for_status()
                except httpx.HTTPError as error:
                    failures.append(type(error).__name__)
                    continue
                latencies.append(time.perf_counter() - begin)


def over_http(label: str, url: str, queries: list[str], clients: int, requests_per_client: int,
              seconds: float) -> Figures:
    """Run ``clients`` concurrent clients for at most ``requests_per_client`` requests or ``seconds`` each."""
    rounds = max(1, requests_per_client // len(queries))
    latencies: list[float] = []
    failures: list[str] = []
    started = time.perf_counter()
    deadline = time.monotonic() + seconds

    async def main() -> None:
        await asyncio.gather(*(_client(url, queries, rounds, latencies, failures, deadline, seconds)
                               for _ in range(clients)))

    asyncio.run(main())
    return Figures(label, clients, len(latencies), time.perf_counter() - started, latencies, len(failures))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quads", type=int, default=100_000, help="size of the synthetic graph (default ~100k)")
    parser.add_argument("--requests", type=int, default=110, help="requests per client per configuration")
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--seconds", type=float, default=30, help="time budget per configuration (default 30)")
    parser.add_argument("--peers", default="rdflib,virtuoso", help="comma list: rdflib, virtuoso, or none")
    args = parser.parse_args()
    client_counts = [int(c) for c in args.clients.split(",")]
    work = Path(tempfile.mkdtemp(prefix="clustergraph-bench-"))
    try:
        project = Settings(project_dir=work)
        for name in ("data/source", "data/curation", "ontology", "shapes", "queries"):
            shutil.copytree(ROOT / name, work / name)
        shutil.copyfile(ROOT / "data" / "catalogue.yaml", work / "data" / "catalogue.yaml")
        build(project)
        dump = work / "bench.nq"
        scale, triples = synthetic_dump(current_generation(project.path(project.build_dir)) / DATASET_FILE,
                                        args.quads, dump, hidden_graphs(project))
        publish_dataset(project, dump.read_bytes())
        catalogue = load_queries(ROOT / "queries")
        queries = [query.text for query in catalogue.values()]
        print(f"graph: {triples} quads ({scale} copies); catalogue: {len(queries)} queries; "
              f"machine: 2 cores shared by servers and load generator")
        print(f"{'configuration':<34} {'cli':>3}  {'req/s':>9}  {'p50 ms':>8}  {'p99 ms':>8}  {'failed':>6}")
        local = in_process(project, queries, max(1, args.requests // len(queries)))
        print(local.row())
        results: dict[str, Figures] = {}
        for label, cache in (("ClusterGraph HTTP, cold", 0), ("ClusterGraph HTTP, cache warm", 4096)):
            with clustergraph(work, cache, workers=2) as url:
                if cache:
                    over_http("warm-up", url, queries, 1, len(queries), args.seconds)
                for clients in client_counts:
                    figures = over_http(label, url, queries, clients, args.requests, args.seconds)
                    results[f"{label}/{clients}"] = figures
                    print(figures.row())
        peers = [p for p in args.peers.split(",") if p and p != "none"]
        if "rdflib" in peers:
            with rdflib_endpoint(dump) as url:
                for clients in client_counts:
                    figures = over_http("rdflib-endpoint 0.6", url, queries, clients, args.requests, args.seconds)
                    results[f"rdflib/{clients}"] = figures
                    print(figures.row())
        if "virtuoso" in peers:
            with virtuoso(dump, work) as url:
                for clients in client_counts:
                    figures = over_http("Virtuoso 7.2", url, queries, clients, args.requests, args.seconds)
                    results[f"virtuoso/{clients}"] = figures
                    print(figures.row())
        cold = results.get("ClusterGraph HTTP, cold/1")
        if cold and cold.latencies:
            ratio = statistics.mean(cold.latencies) / statistics.mean(local.latencies)
            print(f"HTTP (cold, 1 client) / in-process mean latency: {ratio:.2f} x")
        for clients in client_counts:
            warm, peer = results.get(f"ClusterGraph HTTP, cache warm/{clients}"), results.get(f"virtuoso/{clients}")
            if warm and peer and peer.requests:
                print(f"{clients:>2} clients: ClusterGraph warm / Virtuoso throughput: "
                      f"{(warm.requests / warm.seconds) / (peer.requests / peer.seconds):.2f} x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
