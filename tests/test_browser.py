"""The query editor in headless Chromium (Debian's ``chromium``, installed by the ``chromium`` fixture if missing).

A real server runs on 127.0.0.1 (a browser needs a socket); Chromium loads the editor with a query in the link,
YASGUI runs it against the endpoint, and the rendered DOM must show the result rows.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from urllib.parse import quote

import pytest
import uvicorn

from clustergraph.settings import Settings
from clustergraph.web.app import create_app

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium: found on the PATH, or installed with apt-get (as on the project's machines)."""
    found = shutil.which("chromium")
    if found is None and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=900, check=False)
        installed = subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], env=env, capture_output=True,
                                   text=True, timeout=1800, check=False)
        found = shutil.which("chromium")
        if found is None:
            pytest.fail(f"could not install Debian's chromium: {installed.stderr[-2000:]}")
    if found is None:
        pytest.fail("Debian's chromium is needed for the browser tests: apt-get install chromium")
    return found


@pytest.fixture(scope="module")
def server(served: Settings) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(served), host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    for _ in range(200):  # bounded wait for the socket, at most 10 s
        if instance.started:
            break
        time.sleep(0.05)
    assert instance.started, "the server did not start"
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=10)


def _dom(chromium: str, url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    profile = tmp_path_factory.mktemp("chromium-profile")
    result = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=15000",
                             "--dump-dom", url], capture_output=True, text=True, timeout=90)
    return result.stdout


def test_editor_runs_a_linked_query_and_shows_rows(server: str, chromium: str,
                                                   tmp_path_factory: pytest.TempPathFactory) -> None:
    query = ("PREFIX cg: <https://w3id.org/clustergraph/ontology#>\n"
             "SELECT ?sid WHERE { ?p a cg:GoodPractice ; cg:sectionId ?sid } ORDER BY ?sid LIMIT 3")
    dom = _dom(chromium, f"{server}/?query={quote(query)}", tmp_path_factory)
    assert "yasgui" in dom and "cg-picker" in dom
    assert "3 results" in dom, dom[-2000:]
    for sid in ("3.1.1", "3.1.10", "3.1.11"):
        assert sid in dom


def test_editor_offers_the_query_catalogue(server: str, chromium: str,
                                           tmp_path_factory: pytest.TempPathFactory) -> None:
    dom = _dom(chromium, f"{server}/", tmp_path_factory)
    assert "Practices per country" in dom and "Practice overview" in dom


def test_map_view_draws_countries_from_shipped_boundaries(server: str, chromium: str,
                                                          tmp_path_factory: pytest.TempPathFactory) -> None:
    query = ("PREFIX cg: <https://w3id.org/clustergraph/ontology#>\n"
             "SELECT ?country (COUNT(?p) AS ?n) WHERE { ?p a cg:GoodPractice ; cg:country ?country } GROUP BY ?country")
    dom = _dom(chromium, f"{server}/?query={quote(query)}&view=Map", tmp_path_factory)
    assert "cg-map" in dom and "<path" in dom
    assert "Romania: 9" in dom and "Italy: 9" in dom


def test_graph_view_draws_a_construct_result(server: str, chromium: str,
                                             tmp_path_factory: pytest.TempPathFactory) -> None:
    query = ("PREFIX cg: <https://w3id.org/clustergraph/ontology#>\n"
             "CONSTRUCT { ?a cg:collaboratesWith ?b } WHERE { ?a cg:collaboratesWith ?b }")
    dom = _dom(chromium, f"{server}/?query={quote(query)}&view=Graph", tmp_path_factory)
    assert "cg-graph" in dom and "<canvas" in dom
    assert " nodes, " in dom and " edges" in dom
