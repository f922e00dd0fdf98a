"""bench/generate.py: a seeded synthetic graph that conforms, and planted faults that the validator reports exactly."""

from __future__ import annotations

import importlib.util
import io
import sys
from pathlib import Path
from types import ModuleType

import pytest
from rdflib import Graph
from typer.testing import CliRunner

from clustergraph.cli import app
from clustergraph.build import stage
from clustergraph.generations import current_generation
from clustergraph.settings import Settings, get_settings
from clustergraph.store import memory_store, open_store
from clustergraph.validate import validate_store
from clustergraph.vocab import SH

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate", ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate"] = module
    spec.loader.exec_module(module)
    return module


def generated(generator: ModuleType, settings: Settings, triples: int, violations: int = 0,
              seed: int = 42) -> tuple[bytes, dict[str, int]]:
    out = io.StringIO()
    planted = generator.generate(settings, triples, out, seed, violations)
    return out.getvalue().encode("utf-8"), planted


def test_a_generated_graph_conforms_and_has_the_size_asked(generator: ModuleType, settings: Settings,
                                                          shapes: Graph, ontology: Graph) -> None:
    nquads, planted = generated(generator, settings, 20_000)
    assert not planted
    assert 20_000 <= memory_store(nquads, ()).count() < 22_000
    store = stage(settings, nquads).view()  # as ``build --from`` publishes it
    report = validate_store(store.select_values, shapes, ontology)
    assert report.conforms, report.text
    countries = store.select_values(
        "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?o a <http://www.w3.org/ns/org#Organization> ; "
        "<https://w3id.org/clustergraph/ontology#country> ?c }")
    assert int(countries[0]["n"]) >= 10
    degrees = [int(row["n"]) for row in store.select_values(
        "SELECT ?o (COUNT(?p) AS ?n) WHERE { ?p <https://w3id.org/clustergraph/ontology#participant> ?o } "
        "GROUP BY ?o ORDER BY DESC(?n)")]
    assert degrees[0] >= 10 * sorted(degrees)[len(degrees) // 2]  # a hub has ten times the median's projects


def test_the_same_seed_gives_the_same_bytes(generator: ModuleType, settings: Settings) -> None:
    assert generated(generator, settings, 5_000)[0] == generated(generator, settings, 5_000)[0]
    assert generated(generator, settings, 5_000)[0] != generated(generator, settings, 5_000, seed=1)[0]


@pytest.mark.parametrize("violations", [1, 11, 25])
def test_planted_faults_give_exactly_one_result_each(generator: ModuleType, settings: Settings, shapes: Graph,
                                                      ontology: Graph, violations: int) -> None:
    nquads, planted = generated(generator, settings, 10_000, violations)
    assert sum(planted.values()) == violations
    assert len(planted) == min(violations, len(generator.PLANTS))
    report = validate_store(stage(settings, nquads).view().select_values, shapes, ontology)
    assert report.violations == violations, report.text
    kinds = {(report.graph.value(result, SH.sourceShape), report.graph.value(result, SH.sourceConstraintComponent))
             for result in report.graph.objects(None, SH.result)}
    assert len(kinds) == min(violations, len(generator.PLANTS))


def test_build_from_publishes_a_generated_file_and_refuses_a_faulty_one(generator: ModuleType, project_copy: Settings,
                                                                         tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLUSTERGRAPH_PROJECT_DIR", str(project_copy.project_dir))
    get_settings.cache_clear()
    good, bad = tmp_path / "good.nq", tmp_path / "bad.nq"
    good.write_bytes(generated(generator, project_copy, 10_000)[0])
    bad.write_bytes(generated(generator, project_copy, 10_000, violations=3)[0])
    runner = CliRunner()
    published = runner.invoke(app, ["build", "--from", str(good)])
    assert published.exit_code == 0, published.output
    generation = current_generation(project_copy.path(project_copy.build_dir))
    refused = runner.invoke(app, ["build", "--from", str(bad)])
    assert refused.exit_code == 1 and "MinCountConstraintComponent" in refused.output
    broken = tmp_path / "broken.nq"
    broken.write_text("<http://x/s> <http://x/p> not-a-term .\n", encoding="utf-8")
    assert runner.invoke(app, ["build", "--from", str(broken)]).exit_code == 1
    assert runner.invoke(app, ["build", "--from", str(tmp_path / "missing.nq")]).exit_code == 2
    assert current_generation(project_copy.path(project_copy.build_dir)) == generation  # the good one still answers
    assert open_store(generation / "store", ()).count() >= 10_000
    get_settings.cache_clear()
