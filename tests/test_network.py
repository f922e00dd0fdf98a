"""The collaboration network on the real graph: extraction, filters, metrics, exports, the CLI and /api/network."""

from __future__ import annotations

import csv
import gc
import io
import json
from contextvars import ContextVar
from pathlib import Path

import networkx as nx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from clustergraph.cli import app
from clustergraph.errors import UnknownFilter
from clustergraph.network.analysis import Analysis, analyse, metrics_text
from clustergraph.network.exports import FORMATS, flat_graph, to_gexf, to_graphml
from clustergraph.network.extract import (Filters, build_network, cluster_programme_graph, country_graph,
                                          organisation_project_graph)
from clustergraph.network.metrics import (BETWEENNESS_PIVOTS, EXACT_BETWEENNESS_MAX_NODES, adjusted_rand_index,
                                          betweenness, betweenness_method, measure)
from clustergraph.settings import Settings, get_settings
from clustergraph.store import GraphStore


def _by_label(graph: nx.Graph) -> dict[str, str]:
    return {data["label"]: node for node, data in graph.nodes(data=True)}


@pytest.fixture(scope="module")
def cosme(store: GraphStore) -> Analysis:
    return analyse(store.select_values, Filters(programme="COSME"))


@pytest.fixture(scope="module")
def everything(store: GraphStore) -> Analysis:
    return analyse(store.select_values, Filters())


def test_medic_nest_cosme_partners_form_one_connected_group(cosme: Analysis) -> None:
    graph = cosme.graph
    names = _by_label(graph)
    medic_nest = {"Imago-Mol Cluster", "MEDVIA", "Hellenic BioCluster", "Cluster SIVI"}
    assert medic_nest <= set(names)
    assert nx.is_connected(graph)  # Clusters4Health (COSME) joins the MEDIC NEST partners through Imago-Mol
    assert graph.edges[names["Imago-Mol Cluster"], names["MEDVIA"]]["projects"] == ["MEDIC NEST COSME"]
    # The partnership's programme is an instrument under COSME: the parent filter includes it.
    assert "European Cluster Excellence Partnership" in graph.edges[names["Imago-Mol Cluster"],
                                                                    names["MEDVIA"]]["programmes"]
    assert all(data["cluster"] for _, data in graph.nodes(data=True))
    assert cosme.about["brokers"][0] == names["Imago-Mol Cluster"]


def test_suave_links_vegepolys_valley_to_four_clusters_in_four_countries(store: GraphStore) -> None:
    graph = build_network(store.select_values, Filters(programme="Euroclusters")).graph
    names = _by_label(graph)
    suave = [n for n in graph[names["VEGEPOLYS VALLEY"]] if "SUAVE" in graph.edges[names["VEGEPOLYS VALLEY"], n]["via"]]
    assert sorted(graph.nodes[n]["label"] for n in suave) == ["Agrifood Lithuania", "FEMAC", "INNOSKART", "UNIMOS"]
    assert {graph.nodes[n]["country"] for n in suave} == {"LT", "ES", "HU", "PL"}
    assert all(graph.nodes[n]["cluster"] for n in suave)
    assert all(graph.edges[names["VEGEPOLYS VALLEY"], n]["cross_border"] for n in suave)


def test_programme_filter_removes_other_programmes_edges(store: GraphStore, everything: Analysis) -> None:
    full = everything.network.graph
    cosme = build_network(store.select_values, Filters(programme="cosme")).graph  # by id, any case
    cosme_family = {"COSME", "European Cluster Excellence Partnership", "ESCP-4i", "ESCP-4s", "ESCP-4x",
                    "ClusterXchange"}
    assert cosme.number_of_edges() < full.number_of_edges()
    for _, _, data in cosme.edges(data=True):
        assert data["programmes"] and set(data["programmes"]) <= cosme_family
    # An edge whose only programme is another one is gone.
    names = _by_label(full)
    assert "SUAVE" in full.edges[names["VEGEPOLYS VALLEY"], names["FEMAC"]]["via"]
    assert not cosme.has_edge(names["VEGEPOLYS VALLEY"], names["FEMAC"])


def test_other_filters_narrow_the_graph(store: GraphStore, everything: Analysis) -> None:
    select = store.select_values
    romania = build_network(select, Filters(country="RO")).graph
    assert all("RO" in (romania.nodes[a]["country"], romania.nodes[b]["country"]) for a, b in romania.edges)
    assert any(romania.nodes[n]["country"] not in ("RO", "") for n in romania)  # foreign partners stay
    clusters = build_network(select, Filters(clusters_only=True)).graph
    assert all(data["cluster"] for _, data in clusters.nodes(data=True)) and clusters.number_of_edges() > 0
    practice = build_network(select, Filters(practice="3.1.15")).graph
    assert all(data["practices"] == ["3.1.15"] for _, _, data in practice.edges(data=True))
    health = build_network(select, Filters(ecosystem="Health")).graph
    assert 0 < health.number_of_nodes() < everything.graph.number_of_nodes()
    assert build_network(select, Filters(country="Romania")).graph.number_of_edges() == romania.number_of_edges()


def test_filters_that_select_nothing_give_an_empty_network(store: GraphStore, tmp_path: Path) -> None:
    empty = analyse(store.select_values, Filters(ecosystem="retail", clusters_only=True))
    assert empty.graph.number_of_nodes() == 0 and empty.about["edges"] == 0 and empty.about["brokers"] == []
    assert "0 organisations" in metrics_text(empty)
    files = {name: data for fmt in FORMATS for name, data in empty.files(fmt, "empty").items()}
    assert files["empty.png"].startswith(b"\x89PNG") and files["empty-network.txt"] == b""
    assert json.loads(files["empty.json"])["nodes"] == [] and files["empty-edges.csv"].startswith(b"Source,")
    assert nx.read_gexf(io.BytesIO(files["empty.gexf"])).number_of_nodes() == 0


@pytest.mark.parametrize("filters", [Filters(programme="no such programme"), Filters(country="XX"),
                                     Filters(ecosystem="Underwater basket weaving"), Filters(practice="9.9.9")])
def test_unknown_filter_values_are_refused(store: GraphStore, filters: Filters) -> None:
    with pytest.raises(UnknownFilter, match="known: "):
        build_network(store.select_values, filters)


def test_the_reads_see_the_callers_context_and_the_collector_is_left_as_found(store: GraphStore) -> None:
    build = ContextVar[str]("build")
    build.set("b1")  # the web layer keeps the request's build id in a context variable
    seen: list[str | None] = []

    def select(query: str) -> list[dict[str, str]]:
        seen.append(build.get(None))
        return store.select_values(query)

    build_network(select, Filters(programme="COSME"))
    assert len(seen) >= 4 and set(seen) == {"b1"}  # the lookup and the three reads that run side by side
    assert gc.isenabled()
    gc.disable()
    try:
        build_network(store.select_values, Filters())
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_node_and_edge_attributes(everything: Analysis) -> None:
    graph = everything.graph
    node = graph.nodes[_by_label(graph)["VEGEPOLYS VALLEY"]]
    assert node["iri"] == "https://w3id.org/clustergraph/organisation/vegepolys-valley"
    assert (node["type"], node["cluster"], node["country"], node["country_name"]) == (
        "cluster organisation", True, "FR", "France")
    assert node["practices"] >= 2
    for _, _, data in graph.edges(data=True):
        assert data["weight"] == len(data["via"]) >= 1
    assert 0 < everything.about["cross_border_share"] < 1


def test_metrics_are_deterministic(store: GraphStore, everything: Analysis) -> None:
    again = measure(build_network(store.select_values, Filters()))
    assert again == everything.measures
    assert everything.measures.betweenness_method == "exact"
    assert 0 <= everything.measures.stability <= 1
    assert sum(len(c) for c in everything.measures.communities) == everything.graph.number_of_nodes()


def test_betweenness_is_sampled_with_a_stated_k_and_seed_beyond_the_threshold() -> None:
    large = nx.relabel_nodes(nx.random_regular_graph(3, EXACT_BETWEENNESS_MAX_NODES + 100, seed=1), str)
    assert betweenness_method(large) == f"sampled, k={BETWEENNESS_PIVOTS} pivots, seed=42"
    assert betweenness(large) == betweenness(large)
    small = nx.relabel_nodes(nx.random_regular_graph(3, 50, seed=1), str)
    assert betweenness_method(small) == "exact"
    assert betweenness(small) == pytest.approx(nx.betweenness_centrality(small))


def test_adjusted_rand_index_is_symmetric_and_chance_corrected() -> None:
    a, b = [0, 0, 0, 1, 1, 2], [1, 1, 0, 0, 2, 2]
    assert adjusted_rand_index(a, b) == pytest.approx(adjusted_rand_index(b, a))
    assert adjusted_rand_index(a, a) == 1.0 and adjusted_rand_index(a, b) < 0.5


def test_per_programme_figures(cosme: Analysis) -> None:
    figures = {p["programme"]: p for p in cosme.about["programmes"]}
    assert figures["COSME"]["organisations"] == cosme.graph.number_of_nodes()
    assert figures["COSME"]["countries"] == len({d["country"] for _, d in cosme.graph.nodes(data=True) if d["country"]})
    assert figures["European Cluster Excellence Partnership"]["clusters"] == 4  # the MEDIC NEST partners


def test_metrics_text_lists_brokers_and_communities(cosme: Analysis) -> None:
    text = metrics_text(cosme)
    assert "top 10 by betweenness\n      0.4667  Imago-Mol Cluster (RO)" in text
    assert "communities (largest first)" in text and "COSME" in text


def _same(read: nx.Graph, expected: nx.Graph) -> None:
    assert dict(read.nodes(data=True)) == dict(expected.nodes(data=True))
    edges = {frozenset((a, b)): data for a, b, data in read.edges(data=True)}
    assert edges == {frozenset((a, b)): data for a, b, data in expected.edges(data=True)}


def test_gexf_and_graphml_round_trip(everything: Analysis) -> None:
    expected = flat_graph(everything.graph)
    _same(nx.read_gexf(io.BytesIO(to_gexf(everything.graph))), expected)
    _same(nx.read_graphml(io.BytesIO(to_graphml(everything.graph))), expected)
    names = _by_label(everything.graph)
    suave = nx.read_graphml(io.BytesIO(to_graphml(everything.graph))).edges[names["VEGEPOLYS VALLEY"], names["FEMAC"]]
    assert suave["practices"] == "3.2.4 | 3.5.5"  # a list, joined by the documented separator


def test_gephi_csv_and_vosviewer_files(cosme: Analysis) -> None:
    files = cosme.files("csv", "cosme")
    nodes = list(csv.DictReader(io.StringIO(files["cosme-nodes.csv"].decode())))
    edges = list(csv.DictReader(io.StringIO(files["cosme-edges.csv"].decode())))
    assert list(nodes[0])[:2] == ["Id", "Label"] and list(edges[0])[:4] == ["Source", "Target", "Type", "Weight"]
    assert {row["Id"] for row in nodes} >= {e["Source"] for e in edges} | {e["Target"] for e in edges}
    assert len(edges) == cosme.graph.number_of_edges() and {e["Type"] for e in edges} == {"Undirected"}
    vos = cosme.files("vosviewer", "cosme")
    header, *rows = vos["cosme-map.txt"].decode().splitlines()
    assert header.split("\t")[:3] == ["id", "label", "cluster"] and len(rows) == cosme.graph.number_of_nodes()
    assert len(vos["cosme-network.txt"].decode().splitlines()) == cosme.graph.number_of_edges()


def test_json_is_node_link_with_iris_and_names(cosme: Analysis) -> None:
    data = json.loads(cosme.files("json", "cosme")["cosme.json"])
    assert {"nodes", "links", "graph"} <= set(data)
    node = next(n for n in data["nodes"] if n["label"] == "MEDVIA")
    assert node["id"].startswith("https://w3id.org/clustergraph/organisation/") and node["country"] == "BE"
    assert isinstance(data["links"][0]["programmes"], list)
    assert data["graph"]["filter_labels"] == {"programme": "COSME"}


def test_png_is_a_picture(cosme: Analysis, tmp_path: Path) -> None:
    png = cosme.files("png", "cosme")["cosme.png"]
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 20_000
    (tmp_path / "cosme.png").write_bytes(png)


def test_projections(everything: Analysis) -> None:
    network = everything.network
    projects = organisation_project_graph(network)
    assert nx.is_bipartite(projects)
    names = {d["label"]: n for n, d in projects.nodes(data=True)}
    assert projects.has_edge(names["VEGEPOLYS VALLEY"], names["SUAVE"])
    programmes = cluster_programme_graph(network)
    names = {d["label"]: n for n, d in programmes.nodes(data=True)}
    assert programmes.has_edge(names["VEGEPOLYS VALLEY"], names["Euroclusters"])
    assert all(programmes.nodes[n]["kind"] in ("cluster", "programme") for n in programmes)
    countries = country_graph(network)
    assert countries.has_edge("FR", "LT") and countries.edges["BE", "RO"]["weight"] >= 1


@pytest.fixture()
def run(served: Settings, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CLUSTERGRAPH_PROJECT_DIR", str(served.project_dir))
    get_settings.cache_clear()
    yield lambda *args: CliRunner().invoke(app, list(args))
    get_settings.cache_clear()


def test_cli_writes_every_format(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for fmt in ("gexf", "graphml", "png", "json"):
        result = run("network", "--programme", "COSME", "--format", fmt, "--out", str(tmp_path / f"cosme.{fmt}"))
        assert result.exit_code == 0, result.output
        assert (tmp_path / f"cosme.{fmt}").stat().st_size > 0
    assert run("network", "--format", "csv", "--out", str(tmp_path / "all")).exit_code == 0
    assert (tmp_path / "all-nodes.csv").exists() and (tmp_path / "all-edges.csv").exists()
    assert run("network", "--format", "vosviewer", "--out", str(tmp_path / "all.txt")).exit_code == 0
    assert (tmp_path / "all-map.txt").exists() and (tmp_path / "all-network.txt").exists()
    assert run("network", "--graph", "cluster-programme", "--format", "graphml", "--out",
               str(tmp_path / "bipartite.graphml")).exit_code == 0
    bipartite = nx.read_graphml(tmp_path / "bipartite.graphml")
    assert nx.is_bipartite(bipartite) and {d["kind"] for _, d in bipartite.nodes(data=True)} == {"cluster", "programme"}
    metrics = run("network", "--programme", "Euroclusters", "--type", "clusters", "--metrics")
    assert metrics.exit_code == 0 and "VEGEPOLYS VALLEY" in metrics.output and "communities" in metrics.output


def test_cli_refuses_bad_filters_with_exit_2(run) -> None:  # type: ignore[no-untyped-def]
    unknown = run("network", "--programme", "Nonexistent", "--metrics")
    assert unknown.exit_code == 2 and "no programme 'Nonexistent'" in unknown.output
    assert run("network", "--country", "Atlantis", "--metrics").exit_code == 2
    assert run("network", "--format", "gexf").exit_code == 2  # a file format needs --out
    assert run("network", "--format", "docx", "--out", "x").exit_code == 2
    assert run("network", "--graph", "people", "--metrics").exit_code == 2


def test_api_network_answers_json_with_an_etag(client: TestClient) -> None:
    response = client.get("/api/network", params={"programme": "COSME"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    assert response.headers["etag"] and "max-age" in response.headers["cache-control"]
    data = response.json()
    medvia = next(node for node in data["nodes"] if node["label"] == "MEDVIA")
    assert medvia["page"] == "/organisation/medvia" and medvia["country"] == "BE"
    assert data["graph"]["nodes"] == len(data["nodes"]) == 11
    again = client.get("/api/network", params={"programme": "COSME"},
                       headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    everything = client.get("/api/network").json()
    assert len(everything["links"]) > len(data["links"])


@pytest.mark.parametrize(("fmt", "media_type", "magic"), [
    ("gexf", "application/gexf+xml", b"<?xml"), ("graphml", "application/graphml+xml", b"<?xml"),
    ("png", "image/png", b"\x89PNG"), ("csv", "application/zip", b"PK"), ("vosviewer", "application/zip", b"PK")])
def test_api_network_downloads(client: TestClient, fmt: str, media_type: str, magic: bytes) -> None:
    response = client.get("/api/network", params={"programme": "Euroclusters", "type": "clusters", "format": fmt})
    assert response.status_code == 200 and response.headers["content-type"].startswith(media_type)
    assert response.content.startswith(magic)
    assert "network-euroclusters-clusters" in response.headers["content-disposition"]


@pytest.mark.parametrize("params", [{"programme": "Atlantis"}, {"country": "ZZ"}, {"ecosystem": "nothing"},
                                    {"practice": "0.0"}, {"format": "docx"}, {"type": "companies"},
                                    {"colour": "plaid"}, {"graph": "people"}])
def test_api_network_refuses_bad_parameters_with_400(client: TestClient, params: dict[str, str]) -> None:
    response = client.get("/api/network", params=params)
    assert response.status_code == 400, response.text
    assert next(iter(params.values())) in response.text


def test_network_page_offers_the_filters(client: TestClient) -> None:
    response = client.get("/network", params={"programme": "cosme"})
    assert response.status_code == 200 and response.headers["etag"]
    html = response.text
    assert '<option value="cosme" selected>COSME</option>' in html
    assert "\u2003ESCP-4i" in html  # an instrument is listed under its programme
    assert '<option value="RO">Romania</option>' in html and "Agri-food" in html
    assert "/static/vendor/cytoscape-fcose.js" in html and "/static/network.js" in html


def test_api_network_exports_the_country_graph(client: TestClient) -> None:
    response = client.get("/api/network", params={"graph": "country", "format": "gexf"})
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    countries = nx.read_gexf(io.BytesIO(response.content))
    assert countries.has_edge("BE", "RO") and countries.nodes["RO"]["label"] == "Romania"
