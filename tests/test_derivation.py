"""Derivation rules: each gives what its definition says on a toy graph, and the build stores their output."""

from __future__ import annotations

import pytest

from clustergraph.build import BuildResult
from clustergraph.derivation import derive, load_rules
from clustergraph.errors import QueryError
from clustergraph.identity import Iris
from clustergraph.query_library import NamedQuery
from clustergraph.settings import Settings
from clustergraph.store import GraphStore, StagedStore

CG = "https://w3id.org/clustergraph/ontology#"
E = "http://example.org/"
G = "<http://example.org/g>"
DERIVED = "http://example.org/derived"

# Three organisations (two Italian, one French), one COSME instrument under COSME, and two collaborations:
# ita-a with fra via the instrument, ita-a with ita-b via no programme.
TOY = "\n".join(f"{s} {p} {o} {G} ." for s, p, o in [
    (f"<{E}instrument>", f"<{CG}parentProgramme>", f"<{E}cosme>"),
    (f"<{E}l1>", "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", f"<{CG}Collaboration>"),
    (f"<{E}l1>", f"<{CG}collaborator>", f"<{E}ita-a>"),
    (f"<{E}l1>", f"<{CG}collaborator>", f"<{E}fra>"),
    (f"<{E}l1>", f"<{CG}viaProgramme>", f"<{E}instrument>"),
    (f"<{E}l2>", "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", f"<{CG}Collaboration>"),
    (f"<{E}l2>", f"<{CG}collaborator>", f"<{E}ita-a>"),
    (f"<{E}l2>", f"<{CG}collaborator>", f"<{E}ita-b>"),
    (f"<{E}ita-a>", f"<{CG}country>", f"<{E}ITA>"),
    (f"<{E}ita-b>", f"<{CG}country>", f"<{E}ITA>"),
    (f"<{E}fra>", f"<{CG}country>", f"<{E}FRA>"),
]) + "\n"


@pytest.fixture(scope="module")
def derived(settings: Settings) -> set[tuple[str, str, str]]:
    """The toy graph's derived triples as (subject, predicate local name, object) without the example base."""
    staged = StagedStore.create()
    staged.load(TOY.encode())
    derive(staged, load_rules(settings.path(settings.ontology_dir)), DERIVED)
    found = set()
    for line in staged.quads().decode().splitlines():
        if not line.endswith(f" <{DERIVED}> ."):
            continue
        s, p, o = line.split(" ", 3)[:3]
        found.add((s.strip("<>").removeprefix(E), p.strip("<>").removeprefix(CG), o.strip("<>").removeprefix(E)))
    return found


def test_a_collaboration_lies_within_its_programme_and_every_one_above(derived: set[tuple[str, str, str]]) -> None:
    assert {t for t in derived if t[1] == "withinProgramme"} == {
        ("l1", "withinProgramme", "instrument"), ("l1", "withinProgramme", "cosme")}


def test_the_cross_border_flag_compares_the_two_countries(derived: set[tuple[str, str, str]]) -> None:
    flags = {(s, o.split("^^")[0]) for s, p, o in derived if p == "crossBorder"}
    assert flags == {("l1", '"true"'), ("l2", '"false"')}


def test_organisations_count_their_collaborations_partners_and_foreign_partners(
        derived: set[tuple[str, str, str]]) -> None:
    counts = {(s, p, o.split("^^")[0].strip('"')) for s, p, o in derived if p.endswith("Count")}
    assert ("ita-a", "collaborationCount", "2") in counts
    assert ("ita-a", "partnerCount", "2") in counts
    assert ("ita-a", "foreignPartnerCount", "1") in counts
    assert ("ita-b", "foreignPartnerCount", "0") in counts


def test_a_rule_that_is_not_a_construct_is_refused() -> None:
    rule = NamedQuery("ask", "Ask", "", "SELECT * WHERE { ?s ?p ?o }")
    with pytest.raises(QueryError, match="derivation rule ask"):
        staged = StagedStore.create()
        staged.load(TOY.encode())
        derive(staged, {"ask": rule}, DERIVED)


def test_the_build_stores_every_rule_s_output_in_the_derived_graph(store: GraphStore, settings: Settings,
                                                                  build_result: BuildResult) -> None:
    graph = Iris(settings.base_iri).graph("derived")
    for predicate in ("withinProgramme", "crossBorder", "collaborationCount", "partnerCount", "foreignPartnerCount"):
        assert store.ask(f"ASK {{ GRAPH <{graph}> {{ ?s <{CG}{predicate}> ?o }} }}"), predicate
    assert f"<{graph}> .".encode() in build_result.nquads
