"""Every property shape fires on a graph broken for it, and the built graph breaks none of them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, SKOS, XSD

from clustergraph.build import BuildResult
from clustergraph.validate import CONSTRAINTS, TABLE_CONSTRAINTS, constraint_rows, graph_select, validate_graph
from reference_data import missing_reference

BAD = Literal("not-a-valid-value", datatype=XSD.boolean)


def _property_shapes(shapes: Graph) -> list[tuple[URIRef, URIRef, BNode]]:
    found = []
    for node_shape in sorted(shapes.subjects(RDF.type, SH.NodeShape)):
        target = shapes.value(node_shape, SH.targetClass)
        for prop in shapes.objects(node_shape, SH.property):
            found.append((node_shape, target, prop))
    return found


@pytest.fixture(scope="module")
def data(shapes_data: Graph) -> Graph:
    return shapes_data


def _neighbourhood(data: Graph, ontology: Graph, focus: URIRef) -> Graph:
    """The focus node's triples plus the types of what it points at: enough for its own shape."""
    sub = Graph()
    for triple in data.triples((focus, None, None)):
        sub.add(triple)
        for type_triple in data.triples((triple[2], RDF.type, None)):
            sub.add(type_triple)
    for triple in ontology:
        sub.add(triple)
    return sub


def _fired(report: Graph, prop: BNode, focus: URIRef) -> bool:
    return any((result, SH.focusNode, focus) in report
               for result in report.subjects(SH.sourceShape, prop))


def test_shapes_cover_every_class_of_the_ontology(shapes: Graph, ontology: Graph) -> None:
    from clustergraph.vocab import CG

    targeted = set(shapes.objects(None, SH.targetClass))
    abstract = {CG.ClusterOrganisation, CG.MetaCluster, CG.Company, CG.ResearchOrganisation,
                CG.PublicAuthority, CG.AgencyOrNetwork, CG.OtherOrganisation}  # checked by OrganisationShape
    for cls in ontology.subjects(RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")):
        assert cls in targeted or cls in abstract, f"no shape targets {cls}"


def test_every_property_shape_fires_on_a_broken_graph(shapes: Graph, ontology: Graph, data: Graph) -> None:
    checked = 0
    for node_shape, target, prop in _property_shapes(shapes):
        focus = next((s for s in sorted(data.subjects(RDF.type, target)) if isinstance(s, URIRef)), None)
        assert focus is not None, f"{node_shape}: no {target} in the built graph to break"
        path = shapes.value(prop, SH.path)
        graph = _neighbourhood(data, ontology, focus)
        before = validate_graph(graph, shapes, ontology)
        assert not _fired(before.graph, prop, focus), f"{node_shape} {path} fires on the built graph"
        qualified = shapes.value(prop, SH.qualifiedValueShape)
        if qualified is not None:
            allowed = set(Collection(shapes, shapes.value(qualified, SH["in"])))
            for value in list(graph.objects(focus, path)):
                if value in allowed:
                    graph.remove((focus, path, value))
        elif int(shapes.value(prop, SH.minCount) or 0) >= 1:
            graph.remove((focus, path, None))
        else:
            graph.add((focus, path, BAD))
        after = validate_graph(graph, shapes, ontology)
        assert _fired(after.graph, prop, focus), f"{node_shape} {path} did not fire"
        checked += 1
    assert checked >= 60


ORG = "https://w3id.org/clustergraph/organisation/"
PRACTICE = "https://w3id.org/clustergraph/practice/"
CG_NS = "https://w3id.org/clustergraph/ontology#"


def _setting(focus: str, predicate: URIRef, value: str, replace: bool = True) -> Callable[[Graph], URIRef]:
    """A planter that sets (or adds) one triple on ``focus`` and returns the focus."""
    def plant(graph: Graph) -> URIRef:
        triple = (URIRef(focus), predicate, URIRef(value))
        graph.set(triple) if replace else graph.add(triple)
        return URIRef(focus)
    return plant


GREEN_TECH_VALLEY = ORG + "green-tech-valley"  # an Austrian cluster
COSME = "https://w3id.org/clustergraph/programme/cosme"


def _plant_missing_shortcut(graph: Graph) -> URIRef:
    statement = next(graph.subjects(RDF.type, URIRef(CG_NS + "Funding")))
    target = graph.value(statement, URIRef(CG_NS + "funds"))
    graph.remove((target, URIRef(CG_NS + "fundedBy"), graph.value(statement, URIRef(CG_NS + "programme"))))
    return statement  # type: ignore[return-value]


def _plant_wrong_closure(graph: Graph) -> URIRef:
    within = URIRef(CG_NS + "withinProgramme")
    link = next(link for link in sorted(graph.subjects(RDF.type, URIRef(CG_NS + "Collaboration")))
                if (link, within, URIRef(COSME)) not in graph)
    graph.add((link, within, URIRef(COSME)))
    return link  # type: ignore[return-value]


PLANTED = [
    ("CountryInAuthorityTable", _setting(GREEN_TECH_VALLEY, URIRef(CG_NS + "country"),
                                         "http://publications.europa.eu/resource/authority/country/XXX")),
    ("NutsInAuthorityTable", _setting(GREEN_TECH_VALLEY, URIRef(CG_NS + "region"),
                                      "http://data.europa.eu/nuts/code/FRZ9")),
    ("EuProgrammeInAuthorityTable", _setting(COSME, SKOS.closeMatch,
                                             "http://publications.europa.eu/resource/authority/eu-programme/NOPE",
                                             replace=False)),
    ("RegionInCountry", _setting(GREEN_TECH_VALLEY, URIRef(CG_NS + "region"), "http://data.europa.eu/nuts/code/ITH3")),
    ("ProjectIsLinked", _setting("https://w3id.org/clustergraph/project/nobody-knows", RDF.type, CG_NS + "Project")),
    ("ShortcutHasStatement", _setting(PRACTICE + "3.1.1", URIRef(CG_NS + "mentions"), COSME, replace=False)),
    ("StatementHasShortcut", _plant_missing_shortcut),
    ("RelationShortcutHasStatement", _setting(GREEN_TECH_VALLEY, URIRef("http://www.w3.org/ns/org#memberOf"),
                                              ORG + "vegepolys-valley", replace=False)),
    ("DerivedAgreesWithSources", _plant_wrong_closure),
]


@pytest.mark.parametrize(("constraint", "plant"), PLANTED)
def test_every_whole_graph_constraint_refuses_its_planted_fault(data: Graph, constraint: str,
                                                                plant: Callable[[Graph], URIRef],
                                                                build_result: BuildResult) -> None:
    if constraint in TABLE_CONSTRAINTS and not build_result.tables_checked:
        pytest.skip(missing_reference("eu-vocabularies and nuts tables"))
    assert not [row for row in constraint_rows(graph_select(data)) if row.constraint == constraint]
    graph = Graph()
    for triple in data:
        graph.add(triple)
    focus = plant(graph)
    rows = [row for row in constraint_rows(graph_select(graph)) if row.constraint == constraint]
    assert str(focus) in {row.focus for row in rows}, rows


def test_every_constraint_has_a_planted_fault() -> None:
    assert {name for name, _ in PLANTED} == set(CONSTRAINTS)


def test_a_ministry_cannot_own_a_practice(shapes: Graph, ontology: Graph, data: Graph) -> None:
    focus = URIRef(PRACTICE + "3.1.1")
    graph = _neighbourhood(data, ontology, focus)
    ministry = URIRef(ORG + "a-ministry")
    graph.set((focus, URIRef(CG_NS + "owner"), ministry))
    graph.add((ministry, RDF.type, URIRef(CG_NS + "PublicAuthority")))
    report = validate_graph(graph, shapes, ontology)
    assert any((result, SH.resultPath, URIRef(CG_NS + "owner")) in report.graph
               for result in report.graph.subjects(SH.focusNode, focus))


def test_closed_shapes_refuse_an_unknown_property(shapes: Graph, ontology: Graph, data: Graph) -> None:
    closed = [shape for shape in shapes.subjects(SH.closed, Literal(True))]
    assert len(closed) >= 7
    for shape in closed:
        target = shapes.value(shape, SH.targetClass)
        focus = next(s for s in sorted(data.subjects(RDF.type, target)) if isinstance(s, URIRef))
        graph = _neighbourhood(data, ontology, focus)
        assert validate_graph(graph, shapes, ontology).graph.value(None, SH.sourceConstraintComponent,
                                                                   None) != SH.ClosedConstraintComponent
        graph.add((focus, URIRef(CG_NS + "colour"), Literal("red")))
        report = validate_graph(graph, shapes, ontology).graph
        assert any((result, SH.sourceConstraintComponent, SH.ClosedConstraintComponent) in report
                   for result in report.subjects(SH.focusNode, focus)), shape
