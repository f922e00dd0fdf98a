"""The command line as a user runs it: build, query in each format, and clear errors for bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clustergraph.cli import app
from clustergraph.settings import Settings, get_settings


@pytest.fixture(scope="module")
def project(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("project")
    for folder in ("data/source", "data/curation", "ontology", "shapes", "queries"):
        shutil.copytree(settings.path(Path(folder)), target / folder)
    return target


@pytest.fixture()
def run(project: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CLUSTERGRAPH_PROJECT_DIR", str(project))
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, list(args))
    get_settings.cache_clear()


def test_build_then_query_in_every_format(run, project: Path) -> None:  # type: ignore[no-untyped-def]
    built = run("build")
    assert built.exit_code == 0, built.output
    assert "57 practices" in built.output and "SHACL: conforms" in built.output
    table = run("query", "practices-per-cluster-role")
    assert table.exit_code == 0 and "(5 rows)" in table.output
    csv_out = run("query", "practices-per-country", "--format", "csv")
    assert csv_out.output.splitlines()[0] == "country,countryName,practices"
    as_json = json.loads(run("query", "practices-per-country", "--format", "json").output)
    assert len(as_json["results"]["bindings"]) == 14
    custom = project / "ask.rq"
    custom.write_text("# title: any\nASK { ?s ?p ?o }\n", encoding="utf-8")
    assert run("query", str(custom)).output.strip() == "true"


def test_bad_queries_fail_with_the_reason(run, project: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("build").exit_code == 0
    unknown = run("query", "no-such-query")
    assert unknown.exit_code == 2 and "no query named 'no-such-query'" in unknown.output
    broken = project / "broken.rq"
    broken.write_text("# title: broken\nSELECT ?x WHERE { ?x ?y }\n", encoding="utf-8")
    malformed = run("query", str(broken))
    assert malformed.exit_code == 2 and "error:" in malformed.output


def test_parse_reports_what_it_could_not_place(run) -> None:  # type: ignore[no-untyped-def]
    result = run("parse")
    assert result.exit_code == 0
    assert "57 practices in 5 chapters" in result.output and "StartUP HUB" in result.output
