"""Every catalogue query parses, is documented, runs on the built graph and gives the expected answer."""

from __future__ import annotations

import pytest

from clustergraph.network.extract import Filters, build_network
from clustergraph.query_library import load_queries
from clustergraph.settings import Settings
from clustergraph.sparql_guard import inspect_request
from clustergraph.store import GraphStore, Query


def _rows(store: GraphStore, settings: Settings, name: str) -> list[dict[str, str]]:
    query = load_queries(settings.path(settings.queries_dir))[name]
    result = store.select(query.text)
    return [{n: (row[n].value if n in row else "") for n in result.variables} for row in result]


def test_catalogue_is_documented(settings: Settings) -> None:
    catalogue = load_queries(settings.path(settings.queries_dir))
    assert len(catalogue) >= 10
    for query in catalogue.values():
        assert query.title and query.description, query.name


def test_practices_per_country(store: GraphStore, settings: Settings) -> None:
    rows = _rows(store, settings, "practices-per-country")
    counts = {r["countryName"]: int(r["practices"]) for r in rows}
    assert sum(counts.values()) == 57
    assert counts["Romania"] == 9 and counts["Italy"] == 9 and counts["Czechia"] == 7
    assert counts["France"] == 9 and counts["Ukraine"] == 1 and counts["Austria"] == 4


def test_practices_per_ecosystem(store: GraphStore, settings: Settings) -> None:
    counts = {r["label"]: int(r["practices"]) for r in _rows(store, settings, "practices-per-ecosystem")}
    assert counts["Cross-sectoral"] == 22  # 21 printed so, plus 'Digital - Cross-sectoral'
    assert counts["Health"] == 6 and counts["Textile"] == 4 and counts["Digital"] == 4


def test_practices_per_cluster_role(store: GraphStore, settings: Settings) -> None:
    rows = _rows(store, settings, "practices-per-cluster-role")
    assert [(r["section"], int(r["practices"])) for r in rows] == [
        ("3.1", 15), ("3.2", 16), ("3.3", 7), ("3.4", 2), ("3.5", 17)]


def test_clusters_with_several_practices(store: GraphStore, settings: Settings) -> None:
    rows = {r["name"]: r["sections"] for r in _rows(store, settings, "clusters-with-several-practices")}
    assert sorted(rows["VEGEPOLYS VALLEY"].split()) == ["3.2.4", "3.3.4", "3.5.5"]
    assert sorted(rows["Green Tech Valley"].split()) == ["3.3.1", "3.3.3", "3.5.2"]
    assert sorted(rows["Green Energy Innovative Biomass Cluster"].split()) == ["3.1.12", "3.1.6"]


def test_practices_of_cluster(store: GraphStore, settings: Settings) -> None:
    rows = _rows(store, settings, "practices-of-cluster")
    assert [r["sid"] for r in rows] == ["3.3.1", "3.3.3", "3.5.2"]


def test_clusters_per_country(store: GraphStore, settings: Settings) -> None:
    counts = {r["countryName"]: int(r["clusters"]) for r in _rows(store, settings, "clusters-per-country")}
    assert counts["Austria"] == 2  # Business Upper Austria and Green Tech Valley (three practices)
    assert counts["Romania"] == 7  # nine practices; Green Energy printed under two names is one body


def test_practice_overview(store: GraphStore, settings: Settings) -> None:
    rows = _rows(store, settings, "practice-overview")
    assert len(rows) == 57 and rows[0]["sid"] == "3.1.1" and rows[-1]["sid"] == "3.5.17"
    aktantis = next(r for r in rows if r["sid"] == "3.2.13")
    assert set(aktantis["ecosystems"].split(" | ")) == {"Digital", "Cross-sectoral"}


def test_ecosystems_per_country(store: GraphStore, settings: Settings) -> None:
    rows = _rows(store, settings, "ecosystems-per-country")
    austria = {r["ecosystem"]: int(r["practices"]) for r in rows if r["countryName"] == "Austria"}
    assert austria == {"Cross-sectoral": 2, "Energy - Renewables": 2}


def test_practices_without_section(store: GraphStore, settings: Settings) -> None:
    rows = _rows(store, settings, "practices-without-section")
    assert [(r["sid"], r["missing"]) for r in rows] == [("3.5.12", "stakeholders"), ("3.5.16", "actions")]


def test_practices_by_keyword(store: GraphStore, settings: Settings) -> None:
    sids = [r["sid"] for r in _rows(store, settings, "practices-by-keyword")]
    assert "3.1.5" in sids and "3.1.10" in sids


def test_practices_with_websites(store: GraphStore, settings: Settings) -> None:
    rows = _rows(store, settings, "practices-with-websites")
    assert ("3.3.6", "https://www.saxocell.de/") in {(r["sid"], r["page"]) for r in rows}
    assert not any("@" in r["page"] for r in rows)


def test_every_catalogue_query_runs(store: GraphStore, settings: Settings) -> None:
    for query in load_queries(settings.path(settings.queries_dir)).values():
        form = inspect_request(query.text, settings.max_query_bytes, settings.max_query_depth).form
        media_type = "text/turtle" if form in ("CONSTRUCT", "DESCRIBE") else "application/sparql-results+json"
        assert store.answer(Query(query.text), media_type).body, query.name


def _pairs(rows: list[dict[str, str]], programme: str) -> set[frozenset[str]]:
    return {frozenset((r["cluster"], r["partner"])) for r in rows if r["programme"] == programme}


def test_collaborations_via_programme(store: GraphStore, settings: Settings) -> None:
    rows = _rows(store, settings, "collaborations-via-programme")
    assert len(rows) == len({tuple(r.values()) for r in rows})
    suave = ["VEGEPOLYS VALLEY", "FEMAC", "INNOSKART", "UNIMOS", "Agrifood Lithuania"]  # 3.5.5, Euroclusters
    assert {frozenset((a, b)) for i, a in enumerate(suave) for b in suave[i + 1:]} <= _pairs(rows, "Euroclusters")
    medic_nest = ["Imago-Mol Cluster", "MEDVIA", "Hellenic BioCluster", "Cluster SIVI"]  # 3.1.15, COSME
    assert {frozenset((a, b)) for i, a in enumerate(medic_nest) for b in medic_nest[i + 1:]} <= _pairs(rows, "COSME")
    assert frozenset(("Transilvania IT Cluster", "Technical University of Cluj-Napoca")) in _pairs(
        rows, "European Digital Innovation Hubs")
    assert not _pairs(rows, "Horizon Europe")  # named only as calls members are helped to apply to
    suave_rows = [r for r in rows if r["via"] == "SUAVE"]
    assert {r["practice"] for r in suave_rows} == {"3.2.4", "3.5.5"}


def test_cross_border_programmes(store: GraphStore, settings: Settings) -> None:
    rows = {r["programme"]: r for r in _rows(store, settings, "cross-border-programmes")}
    assert {"COSME", "Euroclusters", "Interregional Innovation Investments"} <= set(rows)
    assert "BE-RO" in rows["COSME"]["countries"].split(" | ")  # MEDVIA and IMAGO-MOL, MEDIC NEST COSME
    assert "FR-HU" in rows["Euroclusters"]["countries"].split(" | ")
    assert all(int(r["crossBorderLinks"]) > 0 for r in rows.values())


def test_partners_of_cluster(store: GraphStore, settings: Settings) -> None:
    rows = _rows(store, settings, "partners-of-cluster")
    via = {(r["partner"], r["via"]): r["programmes"].split(" | ") for r in rows}
    assert "COSME" in via[("MEDVIA", "MEDIC NEST COSME")]
    assert via[("North East RDA", "InnoMedCatalyst")] == ["Interregional Innovation Investments"]
    assert ("Biocat", "Clusters4Health") in via
    assert not any(partner == "Imago-Mol Cluster" for partner, _ in via)


def test_projects_per_programme(store: GraphStore, settings: Settings) -> None:
    names = {r["programme"]: set(r["names"].split(" | ")) for r in _rows(store, settings, "projects-per-programme")}
    assert {"SUAVE", "RESIST", "RESIST II"} <= names["Euroclusters"]
    assert {"Clusters4Health", "MEDIC NEST COSME", "F2F Health Matters"} <= names["COSME"]
    assert {"DANTE", "European Digital Innovation Hub in Transilvania"} <= names["European Digital Innovation Hubs"]
    assert names["INNOSUP"] == {"SecurIT"} and names["Horizon 2020"] == {"RECIPROCITY"}


def test_collaborations_with_countries_match_the_network(store: GraphStore, settings: Settings) -> None:
    rows = _rows(store, settings, "collaborations-with-countries")
    pairs = {frozenset((r["source"], r["target"])) for r in rows}
    network = build_network(store.select_values, Filters(programme="COSME")).graph
    assert pairs == {frozenset(edge) for edge in network.edges}
    medvia = next(r for r in rows if "MEDVIA" in (r["sourceLabel"], r["targetLabel"]))
    assert {medvia["sourceGroup"], medvia["targetGroup"]} & {"Belgium"}
    assert "European Cluster Excellence Partnership" in medvia["programme"].split(" | ")


def test_regions_most_connected_rolls_nuts_3_up_to_nuts_2(store: GraphStore, settings: Settings) -> None:
    rows = {r["region"].rsplit("/", 1)[-1]: r for r in _rows(store, settings, "regions-most-connected")}
    assert all(len(code) == 4 for code in rows)
    veneto = rows["ITH3"]  # Padova and Venezia (NUTS 3) count under Veneto
    assert {"Padova", "Venezia"} <= set(veneto["places"].split(" | "))
    assert int(veneto["collaborations"]) >= int(rows["ITC1"]["collaborations"])
    assert int(rows["RO21"]["foreignPartners"]) > 0  # Imago-Mol's COSME partners abroad


def test_cross_border_pairs_per_programme(store: GraphStore, settings: Settings) -> None:
    rows = _rows(store, settings, "cross-border-pairs-per-programme")
    assert all(r["sourceGroup"] != r["targetGroup"] for r in rows)
    euroclusters = {frozenset((r["sourceLabel"], r["targetLabel"])) for r in rows if r["programme"] == "Euroclusters"}
    for partner in ("FEMAC", "INNOSKART", "UNIMOS", "Agrifood Lithuania"):
        assert frozenset(("VEGEPOLYS VALLEY", partner)) in euroclusters
    sme = {frozenset((r["sourceLabel"], r["targetLabel"])) for r in rows if r["programme"] == "Single Market Programme"}
    assert euroclusters <= sme  # an instrument's pairs count under its programme too


def test_organisations_bridging_programmes(store: GraphStore, settings: Settings) -> None:
    rows = _rows(store, settings, "organisations-bridging-programmes")
    assert rows and all(r["source"] != r["target"] for r in rows)
    bridges = {(r["via"], r["sourceLabel"], r["targetLabel"]) for r in rows}
    assert ("Biocat", "COSME", "Interregional Innovation Investments") in bridges
    assert not any({a, b} == {"COSME", "European Cluster Excellence Partnership"} for _, a, b in bridges)
