"""The servers the benchmark measures, each started on 127.0.0.1 with the same data and stopped afterwards.

- ClusterGraph: ``clustergraph serve`` on the benchmark's own built store (cold: result cache off; warm: on).
- rdflib-endpoint 0.6 (PyPI), loading the same N-Quads into an rdflib Dataset with a union default graph.
- Virtuoso Open Source 7.2 (Debian's ``virtuoso-opensource``), started by ``tests/virtuoso.py`` (a fresh
  database in a temporary directory), bulk-loaded with ``ld_dir`` / ``rdf_loader_run``; its default graph is the
  union of all graphs too.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from virtuoso import ServerLimits, ServerMemory, free_port, running_virtuoso  # noqa: E402  (the one place that knows how to run Virtuoso)


# Virtuoso's memory on the benchmark machine (23 GB, 2 cores, shared with other engineers' builds; ClusterGraph's
# own 10 M build peaks near 7 GB, but it has finished before Virtuoso starts): 1.4 GB of page buffers, 2 GB of query
# memory (Debian's values), and an 8 GB address-space bound that leaves the rest of the machine to the others
# whatever a query does. Without the bound one 10 M catalogue query took the server to 24 GB (issue 13); with
# these values the whole 10 M catalogue peaked at 1.8 GB resident, 3.6 GB of address space.
BENCH_MEMORY = ServerMemory(buffers=170_000, dirty_buffers=130_000, query_memory="2G", address_space_gb=8)


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 120) -> None:
    """Poll ``url`` (bounded: ``seconds``) until it answers; fail if the process dies first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} before answering {url}")
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")


@contextmanager
def running(command: list[str], url: str, env: dict[str, str] | None = None,
            cwd: Path | None = None, log: Path | None = None) -> Iterator[str]:
    output = log.open("wb") if log else subprocess.DEVNULL
    process = subprocess.Popen(command, env={**os.environ, **(env or {})}, cwd=cwd, stdout=output,
                               stderr=subprocess.STDOUT)
    try:
        wait_until_up(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        if log:
            output.close()  # type: ignore[union-attr]


@contextmanager
def clustergraph(project: Path, cache_entries: int, workers: int) -> Iterator[str]:
    port = free_port()
    # The same bounds as the Virtuoso it is compared with (tests/virtuoso.py's ServerLimits): 100 000 rows and
    # 60 s per query; ClusterGraph's own defaults (10 000 rows, 10 s) would count its stricter policy as failures.
    limits = ServerLimits()
    env = {"CLUSTERGRAPH_PROJECT_DIR": str(project), "CLUSTERGRAPH_RESULT_CACHE_ENTRIES": str(cache_entries),
           "CLUSTERGRAPH_QUERY_WORKERS": str(workers), "CLUSTERGRAPH_MAX_RESULT_ROWS": str(limits.max_rows),
           "CLUSTERGRAPH_QUERY_TIMEOUT": str(limits.max_time_seconds), "CLUSTERGRAPH_MAX_QUEUED_PER_CLIENT": "64"}
    command = [sys.executable, "-m", "clustergraph", "serve", "--port", str(port)]
    with running(command, f"http://127.0.0.1:{port}/sparql", env=env, log=project / "serve.log") as url:
        yield url


@contextmanager
def rdflib_endpoint(dump: Path) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "rdflib_endpoint", "serve", "--host", "127.0.0.1", "--port", str(port),
               str(dump)]
    with running(command, f"http://127.0.0.1:{port}/", log=dump.with_suffix(".rdflib.log")) as url:
        yield url


@contextmanager
def virtuoso(dump: Path, work: Path, keep: bool = False) -> Iterator[str]:
    """A private Virtuoso (``tests/virtuoso.py``: fresh database, loopback ports, non-default passwords) loaded
    with ``dump`` (N-Quads) by its bulk loader; ``keep`` leaves its database directory (and logs) in ``work``."""
    with running_virtuoso(work, keep=keep, memory=BENCH_MEMORY) as server:
        server.bulk_load(dump, "https://w3id.org/clustergraph/graph/public")
        yield server.url
