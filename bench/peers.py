"""The servers the benchmark measures, each started on 127.0.0.1 with the same data and stopped afterwards.

- ClusterGraph: ``clustergraph serve`` on the benchmark's own built store (cold: result cache off; warm: on).
- rdflib-endpoint 0.6 (PyPI), loading the same N-Quads into an rdflib Dataset with a union default graph.
- Virtuoso Open Source 7.2 (Debian's ``virtuoso-opensource``), a fresh database in a temporary directory,
  bulk-loaded with ``ld_dir`` / ``rdf_loader_run``; its default graph is the union of all graphs too.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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
    env = {"CLUSTERGRAPH_PROJECT_DIR": str(project), "CLUSTERGRAPH_RESULT_CACHE_ENTRIES": str(cache_entries),
           "CLUSTERGRAPH_QUERY_WORKERS": str(workers), "CLUSTERGRAPH_MAX_RESULT_ROWS": "100000",
           "CLUSTERGRAPH_MAX_QUEUED_PER_CLIENT": "64"}  # bench/run.py's clients all come from 127.0.0.1
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


VIRTUOSO_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed = ., {data}
NumberOfBuffers = 170000
MaxDirtyBuffers = 130000
ThreadsPerQuery = 2
MaxClientConnections = 40
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
ServerThreads = 40
MaxClientConnections = 40
MaxKeepAlives = 40
[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
DefaultQuery = ASK {{}}
"""


@contextmanager
def virtuoso(dump: Path, work: Path) -> Iterator[str]:
    """A private Virtuoso on loopback ports, loaded with ``dump`` (N-Quads)."""
    binary = shutil.which("virtuoso-t")
    isql = shutil.which("isql-vt")
    if binary is None or isql is None:
        raise RuntimeError("Virtuoso is not installed; bench/run.sh installs Debian's virtuoso-opensource")
    database = Path(tempfile.mkdtemp(prefix="virtuoso-", dir=work))  # fresh for every graph loaded
    data = database / "data"
    data.mkdir()
    shutil.copyfile(dump, data / "dataset.nq")
    sql_port, http_port = free_port(), free_port()
    ini = database / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=database, sql_port=sql_port, http_port=http_port, data=data),
                   encoding="utf-8")
    url = f"http://127.0.0.1:{http_port}/sparql"
    with running([binary, "-f", "-c", str(ini)], url, cwd=database, log=database / "stdout.log"):
        load = (f"ld_dir('{data}', 'dataset.nq', 'https://w3id.org/clustergraph/graph/public');\n"
                "rdf_loader_run();\ncheckpoint;\n")
        subprocess.run([isql, f"127.0.0.1:{sql_port}", "dba", "dba"], input=load.encode(), check=True,
                       capture_output=True, timeout=600)
        yield url
