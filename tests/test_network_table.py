"""The collaboration table a build writes beside its store (``network/table``): a network read from it is the
network the store gives, filter for filter, on the guidebook's graph and on a generated one whose practices share
section ids; a build and an update write it from the graph they publish; the server and the CLI read it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from clustergraph.build import build, stage
from clustergraph.cli import app
from clustergraph.generations import current_generation
from clustergraph.network.extract import Filters, build_network, collaboration_table
from clustergraph.network.table import TABLE_FILE, read_table
from clustergraph.settings import Settings
from clustergraph.store import GraphStore, open_store
from clustergraph.updates import update_graph
from clustergraph.web.app import create_app
from test_generate import generated, generator  # noqa: F401 (a fixture)
from test_network_reference import FILTERS, canonical

CG = "https://w3id.org/clustergraph/ontology#"


@pytest.mark.parametrize("name", FILTERS)
def test_the_guidebook_network_from_the_table_is_the_stores(store: GraphStore, name: str) -> None:
    table = collaboration_table(store.select_values)
    from_store = canonical(build_network(store.select_values, FILTERS[name]), True)
    assert canonical(build_network(store.select_values, FILTERS[name], table), True) == from_store


@pytest.fixture(scope="module")
def generated_store(generator: ModuleType, settings: Settings) -> GraphStore:
    """A generated graph of 20 000 triples, staged with its derived facts as ``build --from`` publishes it."""
    nquads, _ = generated(generator, settings, 20_000)
    return stage(settings, nquads).view()


def _shared_section(store: GraphStore) -> tuple[str, str]:
    """A practice that collaborations are told in whose section id another practice also has, and its
    ecosystem: filtering by it must not keep the other practice's collaborations."""
    row = store.select_values(f"""SELECT ?p ?e WHERE {{ ?p a <{CG}GoodPractice> ; <{CG}sectionId> ?id ;
        <{CG}ecosystem> ?e . ?q a <{CG}GoodPractice> ; <{CG}sectionId> ?id FILTER(?p != ?q)
        FILTER EXISTS {{ ?link <{CG}evidenceFrom> ?p }} }} ORDER BY ?p ?e LIMIT 1""")[0]
    return row["p"], row["e"]


def test_a_generated_network_from_the_table_is_the_stores(generated_store: GraphStore) -> None:
    practice, ecosystem = _shared_section(generated_store)
    table = collaboration_table(generated_store.select_values)
    sizes = {}
    for filters in (Filters(), Filters(programme="COSME"), Filters(country="RO"), Filters(ecosystem="Health"),
                    Filters(clusters_only=True), Filters(programme="COSME", clusters_only=True),
                    Filters(practice=practice), Filters(practice=practice, ecosystem=ecosystem),
                    Filters(country="RO", ecosystem=ecosystem, clusters_only=True)):
        from_store = build_network(generated_store.select_values, filters)
        assert canonical(build_network(generated_store.select_values, filters, table), True) == \
            canonical(from_store, True), filters
        sizes[filters] = from_store.graph.number_of_edges()
    whole = sizes[Filters()]
    assert whole > 1000 and all(0 < size < whole for filters, size in sizes.items() if filters != Filters())


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, copy_project: Callable[[Path], Path]) -> Settings:
    """A built copy of the project whose generations these tests may change."""
    settings = Settings(project_dir=copy_project(tmp_path_factory.mktemp("table")))
    build(settings)
    return settings


def _generation(settings: Settings) -> Path:
    return current_generation(settings.path(settings.build_dir))


def test_a_build_writes_the_table_of_the_graph_it_publishes(built: Settings) -> None:
    generation = _generation(built)
    table = read_table(generation)
    assert table is not None and len(table) > 100
    assert table == collaboration_table(open_store(generation / "store").select_values)
    assert (generation / TABLE_FILE).read_bytes().endswith(b"\n")


def test_an_update_writes_the_table_of_the_updated_graph(built: Settings) -> None:
    before = read_table(_generation(built))
    assert before is not None
    organisation = before[0].split(" ")[0][1:]  # a collaborator of the first collaboration
    update_graph(built, f"DELETE WHERE {{ GRAPH ?g {{ ?s ?p <{organisation}> }} }}")
    generation = _generation(built)
    after = read_table(generation)
    assert after is not None and after != before
    assert after == collaboration_table(open_store(generation / "store").select_values)


COSME = "https://w3id.org/clustergraph/programme/cosme"


def _network_json(client: TestClient, programme: str) -> dict[str, Any]:
    """The COSME network as ``/api/network`` answers it; each call names COSME another way, so the server's
    cache of analyses (per build and filters as typed) cannot answer for the table read here."""
    response = client.get("/api/network", params={"programme": programme})
    assert response.status_code == 200, response.text
    return dict(json.loads(response.content))


def test_the_server_and_the_cli_read_the_builds_table(built: Settings) -> None:
    """A collaboration struck from the table is gone from what the server and the CLI answer (the table is read),
    and a generation without a table is answered from the store as before."""
    generation = _generation(built)
    table = generation / TABLE_FILE
    original = table.read_text(encoding="utf-8")
    with TestClient(create_app(built)) as client:
        whole = _network_json(client, "COSME")
    lines = original.splitlines()
    struck = next(line for line in lines if f" r{COSME}" in line)
    a, b = sorted(field[1:] for field in struck.split(" ") if field.startswith("o"))
    still = {frozenset(field[1:] for field in line.split(" ") if field.startswith("o")) for line in lines
             if line != struck and f" r{COSME}" in line}
    assert frozenset((a, b)) not in still, "pick a pair with one COSME collaboration"
    try:
        table.write_text("".join(line + "\n" for line in lines if line != struck), encoding="utf-8")
        with TestClient(create_app(built)) as client:
            fewer = _network_json(client, "cosme")
        result = CliRunner().invoke(app, ["network", "--programme", "COSME"],
                                    env={"CLUSTERGRAPH_PROJECT_DIR": str(built.project_dir)})
        assert result.exit_code == 0, result.output
        printed = json.loads(result.stdout)
        table.unlink()
        with TestClient(create_app(built)) as client:
            again = _network_json(client, COSME)
    finally:
        table.write_text(original, encoding="utf-8")

    def pairs(network: dict[str, Any]) -> set[frozenset[str]]:
        ids = {node["id"]: node.get("iri", node["id"]) for node in network["nodes"]}
        return {frozenset((ids[link["source"]], ids[link["target"]])) for link in network["links"]}

    assert pairs(whole) - pairs(fewer) == {frozenset((a, b))}
    assert pairs(printed) == pairs(fewer)
    assert pairs(again) == pairs(whole)
