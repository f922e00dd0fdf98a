"""The query editor in headless Chromium (Debian's ``chromium``, installed by the test set-up in .ci/run).

A real server runs on 127.0.0.1 (a browser needs a socket); Chromium loads the editor with a query in the link,
YASGUI runs it against the endpoint, and the rendered DOM must show the result rows.
"""

from __future__ import annotations

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


def _dom(url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)")
    profile = tmp_path_factory.mktemp("chromium-profile")
    result = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=15000",
                             "--dump-dom", url], capture_output=True, text=True, timeout=90)
    return result.stdout


def test_editor_runs_a_linked_query_and_shows_rows(server: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    query = ("PREFIX cg: <https://w3id.org/clustergraph/ontology#>\n"
             "SELECT ?sid WHERE { ?p a cg:GoodPractice ; cg:sectionId ?sid } ORDER BY ?sid LIMIT 3")
    dom = _dom(f"{server}/?query={quote(query)}", tmp_path_factory)
    assert "yasgui" in dom and "cg-picker" in dom
    assert "3 results" in dom, dom[-2000:]
    for sid in ("3.1.1", "3.1.10", "3.1.11"):
        assert sid in dom


def test_editor_offers_the_query_catalogue(server: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    dom = _dom(f"{server}/", tmp_path_factory)
    assert "Practices per country" in dom and "Practice overview" in dom


def test_map_view_draws_countries_from_shipped_boundaries(server: str,
                                                          tmp_path_factory: pytest.TempPathFactory) -> None:
    query = ("PREFIX cg: <https://w3id.org/clustergraph/ontology#>\n"
             "SELECT ?country (COUNT(?p) AS ?n) WHERE { ?p a cg:GoodPractice ; cg:country ?country } GROUP BY ?country")
    dom = _dom(f"{server}/?query={quote(query)}&view=Map", tmp_path_factory)
    assert "cg-map" in dom and "<path" in dom
    assert "Romania: 9" in dom and "Italy: 9" in dom


def test_graph_view_draws_a_construct_result(server: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    query = ("PREFIX cg: <https://w3id.org/clustergraph/ontology#>\n"
             "CONSTRUCT { ?a cg:collaboratesWith ?b } WHERE { ?a cg:collaboratesWith ?b }")
    dom = _dom(f"{server}/?query={quote(query)}&view=Graph", tmp_path_factory)
    assert "cg-graph" in dom and "<canvas" in dom
    assert " nodes, " in dom and " edges" in dom
