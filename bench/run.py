"""Benchmark: the query catalogue cold, per query and under load, in process, over HTTP and on Virtuoso.

Prints figures; asserts nothing. Run ``bash bench/run.sh`` (it installs the peers), or this file directly
when they are installed. Every server runs on 127.0.0.1 and every loop is bounded by a request count.

For each graph size (``--quads``, a comma list) it reports, in one run:

- per query, cold: the median and the range (min-max) over ``--rounds`` rounds of ClusterGraph in process
  (pyoxigraph through the project's query runner), ClusterGraph over HTTP with the result cache off (one
  client), and Virtuoso over HTTP (one client), after one unmeasured pass for each; with the rows each gave,
  so that a short answer shows;
- the whole catalogue under load, cold: throughput (answered requests/s), p50 and p99 latency at each
  ``--clients`` count, and the requests that failed or ran past ``--seconds``, for ClusterGraph and Virtuoso,
  with the ratio of their throughputs;
- ClusterGraph with its result cache warm, labelled as what it is: cache hits, not query evaluation (no
  ratio to Virtuoso is drawn from it).

The graph is the built dataset replicated under distinct IRIs until it holds about ``--quads`` quads (a
comparable synthetic graph: the same shape and the same queries, more of everything).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
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
from clustergraph.store import GraphStore, open_store  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PLAIN_FORMS = ROOT / "tests" / "data" / "reference-queries"
ORIGINAL = "built.nq"  # the built graph's public quads, which every size replicates
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


@dataclass(frozen=True)
class QueryFigures:
    """One query's cold latencies (seconds) on one system, and the rows its first answer held."""

    latencies: list[float]
    rows: int

    def cell(self) -> str:
        ms = [t * 1000 for t in self.latencies]
        return f"{statistics.median(ms):>8.1f} {min(ms):>7.1f}-{max(ms):<8.1f}"


def per_query_in_process(store: GraphStore, queries: dict[str, str], rounds: int) -> dict[str, QueryFigures]:
    """Each query ``rounds`` times in this process, after one unmeasured pass over the catalogue."""
    rows = {name: execute(store, QueryJob(text, JSON, max_rows=100_000)).rows for name, text in queries.items()}
    latencies: dict[str, list[float]] = {name: [] for name in queries}
    for _ in range(rounds):
        for name, text in queries.items():
            begin = time.perf_counter()
            execute(store, QueryJob(text, JSON, max_rows=100_000))
            latencies[name].append(time.perf_counter() - begin)
    return {name: QueryFigures(latencies[name], rows[name]) for name in queries}


def per_query_over_http(url: str, queries: dict[str, str], rounds: int, timeout: float) -> dict[str, QueryFigures]:
    """Each query ``rounds`` times from one client, after one unmeasured pass; a failure counts as ``timeout``."""

    def ask(client: httpx.Client, text: str) -> tuple[float, int]:
        begin = time.perf_counter()
        try:
            response = client.post(url, data={"query": text}, headers={"Accept": JSON})
            response.raise_for_status()
        except httpx.HTTPError:
            return timeout, -1
        return time.perf_counter() - begin, len(response.json()["results"]["bindings"])

    with httpx.Client(timeout=timeout) as client:
        rows = {name: ask(client, text)[1] for name, text in queries.items()}
        latencies: dict[str, list[float]] = {name: [] for name in queries}
        for _ in range(rounds):
            for name, text in queries.items():
                latencies[name].append(ask(client, text)[0])
    return {name: QueryFigures(latencies[name], rows[name]) for name in queries}


async def _client(url: str, queries: list[str], rounds: int, latencies: list[float], failures: list[str],
                  deadline: float, timeout: float, number: int) -> None:
    """One client: ``rounds`` passes over the catalogue, stopping early at ``deadline`` (monotonic clock).

    A request that fails or runs past ``timeout`` is counted in ``failures``, not in the latencies. Each client
    names itself by ``X-Forwarded-For`` (a documentation address, RFC 5737), as clients behind a reverse proxy on
    the same machine are named: ClusterGraph shares its workers per client, and without it every client of the
    benchmark would be the one client 127.0.0.1, held to its share of one worker less than all. Virtuoso ignores it.
    """
    headers = {"X-Forwarded-For": f"198.51.100.{number % 250 + 1}"}
    async with httpx.AsyncClient(timeout=timeout, headers=headers) as client:
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
        await asyncio.gather(*(_client(url, queries, rounds, latencies, failures, deadline, seconds, number)
                               for number in range(clients)))

    asyncio.run(main())
    return Figures(label, clients, len(latencies), time.perf_counter() - started, latencies, len(failures))


def print_per_query(columns: dict[str, dict[str, QueryFigures]]) -> None:
    """One line per query: median and min-max (ms) and rows per system, and ClusterGraph HTTP / Virtuoso."""
    print("cold, per query: median and min-max ms over the rounds; rows answered")
    print(f"{'query':<34}" + "".join(f" {label:>25} rows" for label in columns) + "  HTTP/Virtuoso")
    names = next(iter(columns.values()))
    for name in names:
        line = f"{name:<34}" + "".join(f" {figures[name].cell()} {figures[name].rows:>4}"
                                        for figures in columns.values())
        http, peer = columns.get("ClusterGraph HTTP"), columns.get("Virtuoso 7.2")
        if http and peer:
            line += f"  {statistics.median(http[name].latencies) / statistics.median(peer[name].latencies):>6.2f} x"
        if len({figures[name].rows for figures in columns.values()}) > 1:
            line += "  rows differ"  # a ratio between different answers is no comparison: check the query
        print(line)
    totals = "  ".join(f"{label}: {sum(statistics.median(f.latencies) for f in figures.values()) * 1000:.0f} ms"
                       for label, figures in columns.items())
    print(f"sum of medians: {totals}")


def _load() -> str:
    """The machine's 1, 5 and 15 minute load averages: other users' work shows in every figure."""
    return " / ".join(f"{load:.1f}" for load in os.getloadavg())


def peer_forms(queries: dict[str, str], forms: str) -> dict[str, str]:
    """The texts Virtuoso runs: with ``forms`` "catalogue", the catalogue's own; with "plain", each query's plain
    form where the catalogue has one (``tests/data/reference-queries``: the same ordered rows, written without
    the subqueries and derived facts that serve pyoxigraph), so that no engine is measured only on forms shaped
    for the other."""
    if forms == "catalogue":
        return dict(queries)
    plain = load_queries(PLAIN_FORMS)
    return {name: plain[name].text if name in plain else text for name, text in queries.items()}


def bench_size(quads: int, project: Settings, work: Path, queries: dict[str, str], args: argparse.Namespace) -> None:
    """Every configuration on the built graph replicated to about ``quads`` quads."""
    dump = work / f"bench-{quads}.nq"
    scale, written = synthetic_dump(work / ORIGINAL, quads, dump, hidden_graphs(project))
    publish_dataset(project, dump.read_bytes())
    texts = list(queries.values())
    client_counts = [int(c) for c in args.clients.split(",")]
    peers = [p for p in args.peers.split(",") if p and p != "none"]
    print(f"\n== graph: {written} quads ({scale} copies); catalogue: {len(queries)} queries; rounds: {args.rounds}; "
          f"machine: {os.cpu_count()} cores shared by servers, load generator (and other users); "
          f"load average {_load()}")
    columns = {"in process": per_query_in_process(open_store(project.store_dir, hidden_graphs(project)),
                                                  queries, args.rounds)}
    load: list[Figures] = []
    with clustergraph(work, 0, workers=2) as url:
        columns["ClusterGraph HTTP"] = per_query_over_http(url, queries, args.rounds, args.seconds)
        load += [over_http("ClusterGraph HTTP, cold", url, texts, clients, args.requests, args.seconds)
                 for clients in client_counts]
    if "virtuoso" in peers:
        peer_queries = peer_forms(queries, args.virtuoso_forms)
        print(f"Virtuoso runs the {args.virtuoso_forms} forms "
              f"({sum(peer_queries[n] != queries[n] for n in queries)} of {len(queries)} differ from the catalogue's)")
        with virtuoso(dump, work) as url:
            columns["Virtuoso 7.2"] = per_query_over_http(url, peer_queries, args.rounds, args.seconds)
            load += [over_http("Virtuoso 7.2, cold", url, list(peer_queries.values()), clients, args.requests,
                               args.seconds) for clients in client_counts]
    if "rdflib" in peers:
        with rdflib_endpoint(dump) as url:
            load += [over_http("rdflib-endpoint 0.6, cold", url, texts, clients, args.requests, args.seconds)
                     for clients in client_counts]
    with clustergraph(work, 4096, workers=2) as url:
        over_http("warm-up", url, texts, 1, len(texts), args.seconds)
        load += [over_http("ClusterGraph HTTP, cache hits", url, texts, clients, args.requests, args.seconds)
                 for clients in client_counts]
    print_per_query(columns)
    print(f"\nthe catalogue under load ({args.requests} requests per client, {args.seconds:.0f} s budget); "
          f"load average now {_load()}")
    print(f"{'configuration':<34} {'cli':>3}  {'req/s':>9}  {'p50 ms':>8}  {'p99 ms':>8}  {'failed':>6}")
    for figures in load:
        print(figures.row())
    cold = {f.clients: f for f in load if f.label == "ClusterGraph HTTP, cold"}
    for peer in (f for f in load if f.label == "Virtuoso 7.2, cold" and f.requests):
        ours = cold[peer.clients]
        print(f"{peer.clients:>2} clients, cold: ClusterGraph / Virtuoso throughput "
              f"{(ours.requests / ours.seconds) / (peer.requests / peer.seconds):.2f} x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quads", default="100000,1000000",
                        help="comma list of graph sizes (default 100000,1000000)")
    parser.add_argument("--rounds", type=int, default=5, help="cold rounds per query and system (default 5)")
    parser.add_argument("--requests", type=int, default=110, help="requests per client per load configuration")
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--seconds", type=float, default=30, help="time budget per load configuration (default 30)")
    parser.add_argument("--peers", default="virtuoso", help="comma list: virtuoso, rdflib, or none")
    parser.add_argument("--virtuoso-forms", choices=("catalogue", "plain"), default="catalogue",
                        help="Virtuoso runs the catalogue's texts (default) or each query's plain form where one "
                             "exists (at ~100 k quads the plain forms were slower on Virtuoso: 4.1 s against 2.5 s)")
    parser.add_argument("--queries", type=Path, default=ROOT / "queries",
                        help="the catalogue directory to measure (default: the project's queries/)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="clustergraph-bench-"))
    try:
        project = Settings(project_dir=work)
        for name in ("data/source", "data/curation", "ontology", "shapes", "queries"):
            shutil.copytree(ROOT / name, work / name)
        shutil.copyfile(ROOT / "data" / "catalogue.yaml", work / "data" / "catalogue.yaml")
        build(project)
        shutil.copyfile(current_generation(project.path(project.build_dir)) / DATASET_FILE, work / ORIGINAL)
        queries = {name: query.text for name, query in load_queries(args.queries).items()}
        print(f"catalogue: {args.queries}")
        for quads in (int(q) for q in args.quads.split(",")):
            bench_size(quads, project, work, queries, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
