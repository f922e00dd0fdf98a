"""The query editor in headless Chromium (Debian's ``chromium``, installed by the ``chromium`` fixture if missing).

A real server runs on 127.0.0.1 (a browser needs a socket); Chromium loads the editor with a query in the link,
YASGUI runs it against the endpoint, and the rendered DOM must show the result rows.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

ROOT_QUERIES = Path(__file__).resolve().parent.parent / "queries"
COSME_PAIRS = (ROOT_QUERIES / "collaborations-with-countries.rq").read_text(encoding="utf-8")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


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


def test_graph_view_draws_a_catalogue_network_query_once_per_pair(server: str, chromium: str,
                                                                  tmp_path_factory: pytest.TempPathFactory) -> None:
    dom = _dom(chromium, f"{server}/?query={quote(COSME_PAIRS)}&view=Graph", tmp_path_factory)
    assert "cg-graph" in dom and "<canvas" in dom
    assert "11 nodes, 34 edges" in dom  # the COSME network: one undirected edge per pair


def test_graph_view_draws_a_symmetric_relation_without_doubling(server: str, chromium: str,
                                                                tmp_path_factory: pytest.TempPathFactory) -> None:
    where = ("WHERE { ?a <https://w3id.org/clustergraph/ontology#collaboratesWith> ?b ; "
             "<https://w3id.org/clustergraph/ontology#country> "
             "<http://publications.europa.eu/resource/authority/country/BEL> }")
    rows = httpx.post(f"{server}/sparql", data={"query": f"SELECT ?a ?b {where}"},
                      headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
    pairs = {frozenset((row["a"]["value"], row["b"]["value"])) for row in rows}
    nodes = set().union(*pairs)
    construct = f"CONSTRUCT {{ ?a <https://w3id.org/clustergraph/ontology#collaboratesWith> ?b }} {where}"
    dom = _dom(chromium, f"{server}/?query={quote(construct)}&view=Graph", tmp_path_factory)
    assert f"{len(nodes)} nodes, {len(pairs)} edges" in dom  # each pair once, though the graph states it both ways
