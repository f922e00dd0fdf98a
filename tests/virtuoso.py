"""A private Virtuoso for the tests, CI and the benchmark: install Debian's package, start a fresh database on
loopback ports with non-default passwords and deliberate limits, stop it.

The one place that knows how to run Virtuoso Open Source 7.2 (Debian's ``virtuoso-opensource``). ``.ci/run``
calls ``python tests/virtuoso.py install`` so the slow remote-store test runs in CI; ``bench/peers.py`` and
``tests/test_remote_store.py`` start servers with :func:`running_virtuoso`.

A start goes in two phases so that nothing is served with the default ``dba``/``dba`` account: the database is
first opened with its SQL port only (on 127.0.0.1), ``isql`` replaces the ``dba`` and ``dav`` passwords and
creates the update user; only then is the server restarted with its HTTP listener. The update user may use
``/sparql-auth`` (SPARQL Update, digest) and ``/sparql-graph-crud-auth`` (Graph Store Protocol, digest); the
anonymous ``/sparql`` stays read-only.

Usage::

    python tests/virtuoso.py install        # apt-get install virtuoso-opensource when virtuoso-t is missing
    python tests/virtuoso.py run            # start one, print its endpoints, stop it on Ctrl-C or SIGTERM
"""

from __future__ import annotations

import os
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

PACKAGE = "virtuoso-opensource"
DEBCONF_KEY = "virtuoso-opensource-7/dba-password"
VSP_ROOT = Path("/var/lib/virtuoso-opensource-7/vsp")
UPDATE_USER = "clustergraph"

INI = """[Database]
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
DirsAllowed = ., {dir}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty_buffers}
MaxQueryMem = {query_memory}
VectorSize = 1000
MaxVectorSize = 1000000
AdjustVectorSize = 0
AsyncQueueMaxThreads = 10
ThreadsPerQuery = 2
MaxClientConnections = 40
{http}[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryCostEstimationTime = {max_cost}
MaxQueryExecutionTime = {max_time}
DefaultQuery = ASK {{}}
"""
HTTP_SECTION = """[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {vsp}
ServerThreads = 40
MaxClientConnections = 40
MaxKeepAlives = 40
"""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def binaries() -> tuple[str, str] | None:
    """``virtuoso-t`` and ``isql-vt`` from the PATH, or None when Virtuoso is not installed."""
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    return (server, isql) if server and isql else None


def install() -> None:
    """Install Debian's ``virtuoso-opensource`` unless it is there, without a question on the terminal.

    The package's own database (which this module never uses) gets a random ``dba`` password through a
    debconf preseed, so the installer neither asks nor leaves ``dba``/``dba`` behind.
    """
    if binaries() is not None:
        return
    password = secrets.token_hex(16)
    preseed = "".join(f"virtuoso-opensource-7 {DEBCONF_KEY}{again} password {password}\n"
                      for again in ("", "-again"))
    subprocess.run(["debconf-set-selections"], input=preseed.encode(), check=True, timeout=60)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=True, timeout=900)
    subprocess.run(["apt-get", "install", "-y", "-qq", PACKAGE], env=env, check=True, timeout=1800,
                   stdout=subprocess.DEVNULL)
    if binaries() is None:
        raise RuntimeError(f"apt-get installed {PACKAGE} but virtuoso-t / isql-vt are not on the PATH")


@dataclass(frozen=True)
class ServerLimits:
    """The ``[SPARQL]`` limits, set deliberately (Virtuoso's defaults: 10 000 rows, no cost limit).

    The store backend must detect a result cut at ``max_rows`` and a query refused for its estimated cost,
    never pass on a short answer; tests shrink these to provoke both.
    """

    max_rows: int = 100_000
    max_cost_seconds: int = 400  # the optimiser's estimate of a query's time, above which it refuses to run it
    max_time_seconds: int = 60  # an "anytime" query past it returns partial results, flagged in its headers


@dataclass(frozen=True)
class ServerMemory:
    """The memory the server may take: its page buffers and query memory (``virtuoso.ini``), and a hard bound.

    The buffers are the figure Debian's packaged ``virtuoso.ini`` gives for 2 GB of free memory; ``MaxQueryMem``
    and the vector sizes are the values it sets (left
    out, ``MaxQueryMem`` falls to 800 bytes per buffer: 136 MB, read back with ``sys_stat('c_max_large_vec')``).
    None of them bounds the whole process: at 10 M triples a catalogue query took the server to 24 GB and the
    kernel killed it (issue 13; the client saw the connection closed). The address-space limit (``RLIMIT_AS``)
    is that bound: past it an allocation fails inside Virtuoso instead of the kernel killing whichever process is
    largest on a shared machine, someone else's build perhaps.
    """

    buffers: int = 170_000  # NumberOfBuffers: 8 KB pages, about 1.4 GB
    dirty_buffers: int = 130_000  # MaxDirtyBuffers, Debian's companion value
    query_memory: str = "2G"  # MaxQueryMem, Debian's value
    address_space_gb: int = 8  # RLIMIT_AS on virtuoso-t: buffers + query memory + thread stacks and arenas


@dataclass(frozen=True)
class Virtuoso:
    """A running private Virtuoso: where it listens and who may write to it."""

    directory: Path
    sql_port: int
    http_port: int
    dba_password: str
    user: str
    password: str

    @property
    def url(self) -> str:
        """The anonymous, read-only SPARQL query endpoint."""
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def update_url(self) -> str:
        """SPARQL Update with digest authentication."""
        return f"http://127.0.0.1:{self.http_port}/sparql-auth"

    @property
    def graph_store_url(self) -> str:
        """The Graph Store HTTP Protocol with digest authentication."""
        return f"http://127.0.0.1:{self.http_port}/sparql-graph-crud-auth"

    def isql(self, script: str, timeout: float = 600) -> str:
        """Run SQL statements as ``dba`` (over the loopback SQL port) and return isql's output.

        Raises
        ------
        RuntimeError
            If isql reports an error (it exits 0 on some of them, so its output is read too).
        """
        return run_isql(self.sql_port, self.dba_password, script, timeout)

    def bulk_load(self, nquads: Path, graph: str) -> None:
        """Load an N-Quads file with Virtuoso's bulk loader (quads keep their graph; ``graph`` is the fallback)."""
        copy = self.directory / "load" / nquads.name
        copy.parent.mkdir(exist_ok=True)
        shutil.copyfile(nquads, copy)
        self.isql(f"ld_dir('{copy.parent}', '{copy.name}', '{graph}');\nrdf_loader_run();\ncheckpoint;\n")


def run_isql(port: int, password: str, script: str, timeout: float = 600, user: str = "dba") -> str:
    """``isql-vt`` on ``127.0.0.1:port``; the password goes on its command line, which only this host sees."""
    found = binaries()
    if found is None:
        raise RuntimeError(f"Virtuoso is not installed: python {__file__} install")
    done = subprocess.run([found[1], f"127.0.0.1:{port}", user, password], input=script.encode(),
                          capture_output=True, timeout=timeout, check=False)
    output = (done.stdout + done.stderr).decode("utf-8", "replace")
    if done.returncode != 0 or "*** Error" in output:
        raise RuntimeError(f"isql failed ({done.returncode}): {output[-2000:]}")
    return output


def _write_ini(directory: Path, sql_port: int, http_port: int | None, limits: ServerLimits,
               memory: ServerMemory) -> Path:
    http = HTTP_SECTION.format(http_port=http_port, vsp=VSP_ROOT) if http_port else ""
    ini = directory / "virtuoso.ini"
    ini.write_text(INI.format(dir=directory, sql_port=sql_port, http=http, max_rows=limits.max_rows,
                              max_cost=limits.max_cost_seconds, max_time=limits.max_time_seconds,
                              buffers=memory.buffers, dirty_buffers=memory.dirty_buffers,
                              query_memory=memory.query_memory),
                   encoding="utf-8")
    return ini


def _wait(check: Callable[[], bool], process: subprocess.Popen[bytes], what: str, seconds: float = 120) -> None:
    """Call ``check`` (bounded: ``seconds``) until it returns True; fail if the server exits first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"virtuoso-t exited with {process.returncode} before {what}")
        if check():
            return
        time.sleep(0.25)
    raise RuntimeError(f"Virtuoso did not come up ({what}) within {seconds:.0f} s")


def _sql_answers(port: int, password: str) -> bool:
    try:
        run_isql(port, password, "select 1;\n", timeout=10)
    except (RuntimeError, subprocess.TimeoutExpired):
        return False
    return True


def _http_answers(url: str) -> bool:
    try:
        return httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()  # virtuoso-t checkpoints and exits on SIGTERM
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextmanager
def _server(ini: Path, log: Path, memory: ServerMemory) -> Iterator[subprocess.Popen[bytes]]:
    found = binaries()
    if found is None:
        raise RuntimeError(f"Virtuoso is not installed: python {__file__} install")
    with log.open("ab") as output:
        process = subprocess.Popen([found[0], "+foreground", "+configfile", str(ini)], cwd=ini.parent,
                                   stdout=output, stderr=subprocess.STDOUT)
        bound = memory.address_space_gb * 1024 ** 3  # set before the server has read its ini, let alone a query
        resource.prlimit(process.pid, resource.RLIMIT_AS, (bound, bound))
        try:
            yield process
        finally:
            _stop(process)


def _secure(dba_password: str, user: str, password: str) -> str:
    """The SQL that replaces the default passwords and creates the update user."""
    return (f"USER_SET_PASSWORD('dba', '{dba_password}');\n"  # a fresh database has no 'dav' user
            f"USER_CREATE('{user}', '{password}');\n"
            f"GRANT SPARQL_UPDATE TO \"{user}\";\n"
            f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET('{user}', 3);\n"  # read and write every graph
            "DB.DBA.RDF_DEFAULT_USER_PERMS_SET('nobody', 1);\n"  # the anonymous endpoint: read only
            "checkpoint;\n")


@contextmanager
def running_virtuoso(work: Path, user: str = UPDATE_USER, password: str | None = None,
                     limits: ServerLimits = ServerLimits(), keep: bool = False,
                     memory: ServerMemory = ServerMemory()) -> Iterator[Virtuoso]:
    """A fresh Virtuoso database in a new directory under ``work``, served on free loopback ports.

    Parameters
    ----------
    work
        The directory to create the database in (a new temporary directory inside it, removed at the end).
    user, password
        The account allowed to update; the password defaults to ``CLUSTERGRAPH_STORE_PASSWORD`` or a random
        one (never ``dba``'s, which is random and used only for ``isql``).
    limits
        The result-row cap and time limits written into ``virtuoso.ini``.
    memory
        Its buffers, query memory and address-space bound.
    keep
        Leave the directory (database, ``virtuoso.ini``, ``virtuoso.log``, ``server.log``) in place after the
        server stops, to read why it failed.
    """
    directory = Path(tempfile.mkdtemp(prefix="virtuoso-", dir=work))
    sql_port, http_port = free_port(), free_port()
    dba_password = secrets.token_hex(16)
    password = password or os.environ.get("CLUSTERGRAPH_STORE_PASSWORD") or secrets.token_hex(16)
    log = directory / "server.log"
    try:
        with _server(_write_ini(directory, sql_port, None, limits, memory), log,
                     memory) as process:  # phase 1: SQL port only
            _wait(lambda: _sql_answers(sql_port, "dba"), process, "its SQL port answered")
            run_isql(sql_port, "dba", _secure(dba_password, user, password))
        with _server(_write_ini(directory, sql_port, http_port, limits, memory), log,
                     memory) as process:  # phase 2: HTTP too
            server = Virtuoso(directory, sql_port, http_port, dba_password, user, password)
            _wait(lambda: _http_answers(server.url), process, f"{server.url} answered")
            yield server
    finally:
        if not keep:
            shutil.rmtree(directory, ignore_errors=True)


def main(argv: list[str]) -> int:
    """``install`` or ``run`` (see the module's docstring)."""
    if argv[1:] == ["install"]:
        install()
        return 0
    if argv[1:] == ["run"]:
        # Stop cleanly on Ctrl-C and on SIGTERM (a shell without job control starts background jobs with
        # SIGINT ignored): both unwind through running_virtuoso, which stops the server and removes its files.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        with running_virtuoso(Path(tempfile.gettempdir())) as server:
            sys.stdout.write(f"query {server.url}\nupdate {server.update_url}\ngraph store {server.graph_store_url}\n"
                             f"user {server.user} (password: CLUSTERGRAPH_STORE_PASSWORD or random)\n")
            sys.stdout.flush()
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                return 0
    sys.stderr.write(f"usage: python {argv[0]} install|run\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
