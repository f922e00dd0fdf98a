"""Collaborations derived from participations: who is linked, via what, told where."""

from __future__ import annotations

from clustergraph.build import BuildResult
from clustergraph.curation import Affiliation, Curation, Funding, Participation, PracticeCuration
from clustergraph.links import derive_collaborations


def _practice(sid: str, participations: list[tuple[str, str | None]],
              fundings: tuple[Funding, ...] = ()) -> PracticeCuration:
    return PracticeCuration(sid, None, (), tuple(Participation(sid, org, target, "partner", "q")
                                                 for org, target in participations), fundings, ())


def _curation(*practices: PracticeCuration) -> Curation:
    return Curation(organisations={}, programmes={"cosme": None, "horizon-europe": None},  # type: ignore[dict-item]
                    projects={"suave": None},  # type: ignore[dict-item]
                    practices={p.practice: p for p in practices}, regions={})


def test_a_project_pools_its_participants_over_every_practice_that_names_it() -> None:
    links = derive_collaborations(_curation(
        _practice("3.2.4", [("vegepolys", "suave")], (Funding("3.2.4", "suave", "cosme", "q"),)),
        _practice("3.5.5", [("femac", "suave"), ("unimos", "suave")]),
    ), owners={})
    assert {(link.a, link.b) for link in links} == {("femac", "unimos"), ("femac", "vegepolys"),
                                                   ("unimos", "vegepolys")}
    assert all(link.via == "suave" and link.programmes == ("cosme",) for link in links)
    assert all(link.practices == ("3.2.4", "3.5.5") for link in links)


def test_a_programme_links_only_participants_of_the_same_practice() -> None:
    links = derive_collaborations(_curation(
        _practice("3.1.1", [("a", "horizon-europe"), ("b", "horizon-europe")]),
        _practice("3.1.2", [("c", "horizon-europe")]),
    ), owners={})
    assert [(link.a, link.b, link.via, link.programmes, link.practices) for link in links] == [
        ("a", "b", "horizon-europe", ("horizon-europe",), ("3.1.1",))]


def test_the_owner_joins_the_partners_of_its_own_practice() -> None:
    links = derive_collaborations(_curation(_practice("3.1.1", [("partner", None)])), owners={"3.1.1": "owner"})
    assert [(link.a, link.b, link.via_kind) for link in links] == [("owner", "partner", "practice")]


def test_funders_and_clients_are_not_collaborators() -> None:
    practice = PracticeCuration("3.2.10", None, (), (
        Participation("3.2.10", "hotel-a", None, "client", "q"),
        Participation("3.2.10", "hotel-b", None, "client", "q"),
        Participation("3.2.10", "ministry", None, "funder", "q"),
        Participation("3.2.10", "partner", None, "partner", "q")), (), ())
    links = derive_collaborations(_curation(practice), owners={"3.2.10": "owner"})
    assert [(link.a, link.b) for link in links] == [("owner", "partner")]


def test_a_project_under_a_programme_links_via_that_programme() -> None:
    practice = PracticeCuration("3.2.1", None, (), (Participation("3.2.1", "cluster", "suave", "coordinator", "q"),
                                                    Participation("3.2.1", "university", "suave", "partner", "q")),
                                (), (), (), (Affiliation("3.2.1", "suave", "horizon-europe", "q"),))
    links = derive_collaborations(_curation(practice), owners={})
    assert [(link.a, link.b, link.programmes) for link in links] == [("cluster", "university", ("horizon-europe",))]


def test_a_body_printed_twice_does_not_count_its_pairs_twice(curation: Curation) -> None:
    from dataclasses import replace

    owners = {"3.3.1": "green-tech-valley", "3.3.3": "green-tech-valley"}
    original, repeated = curation.practices["3.3.1"], curation.practices["3.3.3"]
    once = derive_collaborations(replace(curation, practices={"3.3.1": original}), owners)
    # even if 3.3.3 carried 3.3.1's statements again, the duplicated-text note keeps them out of the count
    twice = replace(repeated, participations=tuple(replace(p, practice="3.3.3") for p in original.participations))
    both = derive_collaborations(replace(curation, practices={"3.3.1": original, "3.3.3": twice}), owners)
    assert both == once and once
    assert all(link.practices == ("3.3.1",) for link in once)


def test_the_built_graph_counts_no_collaboration_from_the_duplicated_text(build_result: BuildResult) -> None:
    assert all("3.3.3" not in link.practices for link in build_result.built.collaborations)
