"""The pipeline end to end: validation, determinism, personal data, and the atomic store swap."""

from __future__ import annotations

from pathlib import Path

import pytest

from clustergraph.build import BuildResult, build, make_dataset, hidden_graphs
from clustergraph.errors import CurationError
from clustergraph.identity import Iris
from clustergraph.settings import Settings
from clustergraph.store import GraphStore, open_store


def test_built_graph_conforms_to_the_shapes(build_result: BuildResult) -> None:
    assert build_result.report.conforms, build_result.report.text


def test_same_input_gives_byte_identical_nquads(settings: Settings, build_result: BuildResult) -> None:
    assert make_dataset(settings).nquads == build_result.nquads


def test_base_iri_is_configurable(settings: Settings) -> None:
    other = make_dataset(settings.model_copy(update={"base_iri": "https://example.org/cg/"}))
    assert b"<https://example.org/cg/practice/3.2.4>" in other.nquads
    assert b"<https://w3id.org/clustergraph/practice/" not in other.nquads


def test_every_practice_points_to_source_and_section(store: GraphStore) -> None:
    rows = store.select("""
        PREFIX cg: <https://w3id.org/clustergraph/ontology#>
        PREFIX dct: <http://purl.org/dc/terms/>
        SELECT ?p WHERE { ?p a cg:GoodPractice ; dct:source ?s ; cg:sectionId ?id . ?s a cg:SourceDocument }""")
    assert len(rows) == 57


def test_personal_data_is_in_its_own_graph_and_hidden(settings: Settings, build_result: BuildResult,
                                                     store: GraphStore) -> None:
    personal = str(Iris(settings.base_iri).graph("personal"))
    lines = build_result.nquads.decode("utf-8").splitlines()
    emails = [line for line in lines if "mailto:" in line]
    assert emails and all(line.rstrip(" .").endswith(f"<{personal}>") for line in emails)
    assert not store.ask("ASK { ?s <http://www.w3.org/2006/vcard/ns#hasEmail> ?e }")
    assert not store.ask("ASK { GRAPH ?g { ?s <http://www.w3.org/2006/vcard/ns#fn> ?n } }")


def test_failed_build_leaves_the_previous_store_in_place(project_copy: Settings) -> None:
    local = project_copy
    first = build(local)
    before = open_store(local.store_dir, hidden_graphs(local))
    triples = before.count()
    del before
    broken = local.path(local.curation_dir) / "organisations" / "broken.yaml"
    broken.write_text("- id: Not A Slug\n  name: x\n  type: spaceship\n", encoding="utf-8")
    with pytest.raises(CurationError) as caught:
        build(local)
    assert "not a lower-case slug" in str(caught.value) and "spaceship" in str(caught.value)
    assert local.store_dir.resolve() == first.store
    assert open_store(local.store_dir, hidden_graphs(local)).count() == triples
    broken.unlink()
    second = build(local)
    assert second.store != first.store and first.store.exists()  # kept: a worker may still read it
    third = build(local)
    assert not first.store.parent.exists() and second.store.exists() and third.store.exists()
