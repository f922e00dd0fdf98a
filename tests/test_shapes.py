"""Every property shape fires on a graph broken for it, and the built graph breaks none of them."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, XSD

from clustergraph.build import BuildResult
from clustergraph.rdf import load_ontology
from clustergraph.settings import Settings
from clustergraph.validate import flatten, load_shapes, validate_graph

BAD = Literal("not-a-valid-value", datatype=XSD.boolean)


def _property_shapes(shapes: Graph) -> list[tuple[URIRef, URIRef, BNode]]:
    found = []
    for node_shape in sorted(shapes.subjects(RDF.type, SH.NodeShape)):
        target = shapes.value(node_shape, SH.targetClass)
        for prop in shapes.objects(node_shape, SH.property):
            found.append((node_shape, target, prop))
    return found


@pytest.fixture(scope="module")
def shapes(settings: Settings) -> Graph:
    return load_shapes(settings.path(settings.shapes_dir))


@pytest.fixture(scope="module")
def ontology(settings: Settings) -> Graph:
    return load_ontology(settings.path(settings.ontology_dir))


@pytest.fixture(scope="module")
def data(build_result: BuildResult) -> Graph:
    """The built graph plus ``tests/data/statements.ttl``, a sample of every curated statement kind."""
    graph = flatten(build_result.built.dataset)
    graph.parse(Path(__file__).parent / "data" / "statements.ttl", format="turtle")
    return graph


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
