"""The server as deployed (``clustergraph serve``: uvicorn, real query workers, a loopback port of its own):
schemathesis over every route of the OpenAPI schema with never a 5xx, long URLs, and static files and cached
answers served while every worker is busy."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings as hypothesis_settings

from clustergraph.settings import Settings

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(served: Settings) -> Iterator[str]:
    """``clustergraph serve`` on the built copy of the project."""
    port = _free_port()
    env = {**os.environ, "CLUSTERGRAPH_PROJECT_DIR": str(served.project_dir), "CLUSTERGRAPH_QUERY_TIMEOUT": "5"}
    process = subprocess.Popen([sys.executable, "-m", "clustergraph", "serve", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/openapi.json", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def api_schema(server: str) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(server + "/openapi.json")


def test_no_route_answers_5xx(api_schema: schemathesis.BaseSchema) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 5
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(max_examples=30, derandomize=True, deadline=None, database=None,
                             suppress_health_check=list(HealthCheck))
        def no_server_error(case: schemathesis.Case) -> None:
            response = case.call()
            assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code}"

        no_server_error()


def test_long_urls_get_414_and_the_server_stays_up(server: str) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 1 #" + "x" * 300_000
    with socket.create_connection(("127.0.0.1", int(server.rsplit(":", 1)[1]))) as connection:
        connection.sendall(f"GET /sparql?query={quote(query)} HTTP/1.1\r\n"
                           "Host: x\r\nConnection: close\r\n\r\n".encode())
        status_line = connection.makefile("rb").readline()
    assert b" 414 " in status_line
    assert httpx.get(server + "/sparql", params={"query": "ASK {}"}).status_code == 200


def test_static_files_and_cached_answers_do_not_wait_behind_queries(server: str) -> None:
    cached = {"query": "SELECT * { ?s a ?t } LIMIT 3"}
    assert httpx.get(server + "/sparql", params=cached).status_code == 200
    finished: dict[str, tuple[float, int]] = {}

    def slow(index: int) -> None:
        query = f"SELECT (COUNT(*) AS ?n) {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i FILTER(?i != {index}) }}"
        response = httpx.get(server + "/sparql", params={"query": query}, timeout=60)
        finished[f"slow{index}"] = (time.monotonic(), response.status_code)

    threads = [threading.Thread(target=slow, args=(index,)) for index in range(12)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    static = httpx.get(server + "/static/site.css", timeout=60)
    finished["static"] = (time.monotonic(), static.status_code)
    answer = httpx.get(server + "/sparql", params=cached, timeout=60)
    finished["cached"] = (time.monotonic(), answer.status_code)
    for thread in threads:
        thread.join(timeout=120)
    statuses = {status for name, (_, status) in finished.items() if name.startswith("slow")}
    assert statuses <= {429, 503} and 503 in statuses
    first_stopped = min(at for name, (at, status) in finished.items() if name.startswith("slow") and status == 503)
    assert finished["static"][1] == 200 and finished["static"][0] < first_stopped
    assert finished["cached"][1] == 200 and finished["cached"][0] < first_stopped
