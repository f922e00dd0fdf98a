"""The command line as a user runs it: build, query in each format, and clear errors for bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clustergraph.cli import app
from clustergraph.settings import get_settings


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, copy_project: Callable[[Path], Path]) -> Path:
    return copy_project(tmp_path_factory.mktemp("project"))


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
    custom = project / "ask.sparql"  # a user's own file needs no catalogue header
    custom.write_text("ASK { ?s ?p ?o }\n", encoding="utf-8")
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


def test_export_csv_writes_the_analyst_tables(run, project: Path) -> None:  # type: ignore[no-untyped-def]
    import csv

    assert run("build").exit_code == 0
    result = run("export", "csv", "--out", str(project / "csv"))
    assert result.exit_code == 0, result.output
    with (project / "csv" / "practices.csv").open(encoding="utf-8") as handle:
        practices = list(csv.DictReader(handle))
    assert len(practices) == 57
    assert list(practices[0]) == ["id", "title", "cluster", "cluster_iri", "country", "ecosystem", "regions"]
    aktantis = next(row for row in practices if row["id"] == "3.2.13")
    assert set(aktantis["ecosystem"].split(" | ")) == {"Digital", "Cross-sectoral"}
    fvg = next(row for row in practices if row["id"] == "3.2.16")
    assert fvg["regions"] == "Friuli-Venezia Giulia" and fvg["ecosystem"] == "Agri-food"
    with (project / "csv" / "participations.csv").open(encoding="utf-8") as handle:
        participations = list(csv.DictReader(handle))
    legalnext = next(row for row in participations if row["organisation"] == "Legalnext")
    # the stakeholders of 3.2.16 take part in the practice itself (the practice is the trademark)
    assert (legalnext["project"], legalnext["practice"], legalnext["evidence"]) == ("", "3.2.16", "Legalnext (SDGs aspects)")
    cedeg = sorted(row["programme"] for row in participations if row["organisation"] == "CEDEG" and row["programme"])
    assert cedeg == ["ESCP-4i", "ESCP-4s", "ESCP-4x", "Euroclusters"]  # one row per participation
    with (project / "csv" / "fundings.csv").open(encoding="utf-8") as handle:
        fundings = list(csv.DictReader(handle))
    assert list(fundings[0]) == ["funder", "funder_iri", "programme", "target", "target_iri", "practice", "evidence"]
    bmftr = next(row for row in fundings if row["funder_iri"].endswith("/organisation/bmftr"))  # a ministry pays
    assert (bmftr["programme"], bmftr["practice"]) == ("Future Cluster Initiative", "3.1.5") and "BMFTR" in bmftr["evidence"]
    fesr = next(row for row in fundings if row["funder"] == "PR Veneto FESR 2021-2027")  # a programme pays
    assert fesr["target"] == "Innovation Lab" and fesr["programme"] == "European Regional Development Fund"
    with (project / "csv" / "collaborations.csv").open(encoding="utf-8") as handle:
        collaborations = list(csv.DictReader(handle))
    assert all(row["a_iri"] < row["b_iri"] for row in collaborations)
    assert {"glp", "legalnext"} <= {row["a_iri"].rsplit("/", 1)[1] for row in collaborations} | \
        {row["b_iri"].rsplit("/", 1)[1] for row in collaborations}
    with (project / "csv" / "organisations.csv").open(encoding="utf-8") as handle:
        organisations = {row["name"]: row for row in csv.DictReader(handle)}
    assert organisations["Green Energy Innovative Biomass Cluster"]["type"] == "cluster organisation"
    with (project / "csv" / "relations.csv").open(encoding="utf-8") as handle:
        relations = list(csv.DictReader(handle))
    assert list(relations[0]) == ["subject", "subject_iri", "relation", "object", "object_iri", "practice", "evidence"]
    assert {row["relation"] for row in relations} <= {"member-of", "part-of", "founded", "spin-off-of"}
    assert "Green Energy Cluster" in organisations["Green Energy Innovative Biomass Cluster"]["aliases"].split(" | ")


def test_curation_check_lists_problems_and_fails(run, project: Path) -> None:  # type: ignore[no-untyped-def]
    clean = run("curation", "check")
    assert clean.exit_code == 0 and "0 problems; 57 of 57 practices curated" in clean.output
    assert run("curation", "check", "9.9.9").exit_code == 2
    practice = project / "data" / "curation" / "practices" / "3.2.16.yaml"
    original = practice.read_text(encoding="utf-8")
    try:
        practice.write_text(original.replace("Legalnext (SDGs aspects)", "Legalnext (a quote nobody printed)"),
                            encoding="utf-8")
        broken = run("curation", "check", "3.2.16")
        assert broken.exit_code == 1
        assert "quote not found in 3.2.16: 'Legalnext (a quote nobody printed)'" in broken.output
        practice.write_text("practice: [3.2.16\n", encoding="utf-8")
        unreadable = run("curation", "check")
        assert unreadable.exit_code == 1 and "not valid YAML" in unreadable.output
    finally:
        practice.write_text(original, encoding="utf-8")


def test_parse_reports_the_source_notes(run, project: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("parse")
    assert result.exit_code == 0, result.output
    assert "3.3.3 (line 2441) source-note duplicated-text (repeats 3.3.1)" in result.output
    assert "source-note typo: The heading prints 'Techics'" in result.output
    # a build writes the same lines (all but the count) to the generation's parse-report.txt
    if not (project / "data" / "build" / "current" / "parse-report.txt").exists():
        assert run("build").exit_code == 0
    written = (project / "data" / "build" / "current" / "parse-report.txt").read_text(encoding="utf-8")
    assert written.splitlines() == result.output.splitlines()[1:]


def test_export_dcat_refuses_loopback_urls_unless_asked(run, project: Path,  # type: ignore[no-untyped-def]
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    if not (project / "data" / "build" / "store").exists():
        assert run("build").exit_code == 0
    refused = run("export", "dcat", "--out", str(project / "portal"))
    assert refused.exit_code == 2 and "CLUSTERGRAPH_PUBLIC_URL" in refused.output
    assert not (project / "portal" / "catalog.ttl").exists()
    local = run("export", "dcat", "--out", str(project / "portal"), "--allow-local-urls")
    assert local.exit_code == 0, local.output
    public = run("export", "dcat", "--out", str(project / "public"), "--public-url", "https://data.example.eu")
    assert public.exit_code == 0, public.output
    assert "https://data.example.eu/dumps/" in (project / "public" / "catalog.ttl").read_text(encoding="utf-8")
    monkeypatch.setenv("CLUSTERGRAPH_DCAT_AP_SHAPES_DIR", str(project / "no-such-shapes"))
    get_settings.cache_clear()
    missing = run("export", "dcat", "--out", str(project / "public"), "--public-url", "https://data.example.eu",
                  "--validate")
    assert missing.exit_code == 2 and "CLUSTERGRAPH_DCAT_AP_SHAPES_DIR" in missing.output
