"""The shapes compiled to SPARQL report what pySHACL reports: the same (focus, path, shape, component) rows."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from clustergraph.settings import Settings
from clustergraph.shape_queries import compile_shapes
from clustergraph.validate import CONSTRAINTS, Report, graph_select, validate_store
from clustergraph.vocab import SH
from pyshacl import validate

Key = tuple[str, str | None, object, object]


def shacl_keys(data: Graph, shapes: Graph, ontology: Graph) -> set[Key]:
    """pySHACL's results on ``data`` as (focus, path, source shape, component)."""
    _, report, _ = validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True)
    return _keys(report)


def store_keys(data: Graph, shapes: Graph, ontology: Graph) -> set[Key]:
    """The store engine's shape results on ``data`` (the whole-graph constraints left out)."""
    report: Report = validate_store(graph_select(data), shapes, ontology)
    return {key for key in _keys(report.graph) if key[3] != SH.SPARQLConstraintComponent}


def _keys(report: Graph) -> set[Key]:
    keys = set()
    for result in report.objects(None, SH.result):  # not the nested results under sh:detail
        path = report.value(result, SH.resultPath)
        keys.add((str(report.value(result, SH.focusNode)), None if path is None else str(path),
                  report.value(result, SH.sourceShape), report.value(result, SH.sourceConstraintComponent)))
    return keys




def test_every_project_shape_compiles(shapes: Graph, ontology: Graph) -> None:
    compiled = compile_shapes(shapes, ontology)
    assert not compiled.fallback
    assert len(compiled.compiled) == len(set(shapes.subjects(SH.targetClass, None)))


def test_the_docs_say_which_engine_checks_which_shape(settings: Settings, shapes: Graph, ontology: Graph) -> None:
    compiled = compile_shapes(shapes, ontology)
    table = dict(re.findall(r"^\| `cgsh:(\w+)` \| ([^|]+?) \|$", settings.path(Path("docs/validation.md")).read_text(),
                            re.MULTILINE))
    engines = {str(shape).split("#")[1]: "SPARQL over the store" for shape in compiled.compiled}
    engines |= {str(shape).split("#")[1]: "pySHACL" for shape in compiled.fallback}
    engines |= {name: "whole-graph constraint, SPARQL over the store" for name in CONSTRAINTS}
    assert table == engines


def test_the_built_graph_conforms_on_both_engines(shapes_data: Graph, shapes: Graph, ontology: Graph) -> None:
    assert shacl_keys(shapes_data, shapes, ontology) == store_keys(shapes_data, shapes, ontology) == set()


@pytest.mark.parametrize("seed", [7, 11])
def test_mutated_copies_give_the_same_rows(shapes_data: Graph, shapes: Graph, ontology: Graph, seed: int) -> None:
    """Delete, retype, duplicate and extend 300 random triples of the built graph; both engines agree."""
    rnd = random.Random(seed)
    graph = Graph()
    for triple in shapes_data:
        graph.add(triple)
    for subject, predicate, value in rnd.sample(sorted(shapes_data), 300):
        kind = rnd.randrange(6)
        if kind != 3 and kind != 4:
            graph.remove((subject, predicate, value))
        replacement = {1: Literal("x"), 2: URIRef("http://example.org/nothing"),
                       4: Literal("dup", lang="fr"), 5: Literal("12", datatype=XSD.integer)}.get(kind)
        if replacement is not None:
            graph.add((subject, predicate, replacement))
        if kind == 3:
            graph.add((subject, URIRef("http://example.org/colour"), Literal("red")))
    expected = shacl_keys(graph, shapes, ontology)
    assert len(expected) > 100
    assert len({key[3] for key in expected}) >= 8
    assert store_keys(graph, shapes, ontology) == expected


PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
ex:Sub rdfs:subClassOf ex:Thing . ex:Part rdfs:subClassOf ex:Whole .
"""
# (component, constraint(s) of ex:p's property shape, data with a conforming ex:good and a violating ex:bad)
COMPONENTS = [
    ("MinCount", "sh:minCount 2", "ex:good ex:p 1, 2 . ex:bad ex:p 1 ."),
    ("MaxCount", "sh:maxCount 1", "ex:good ex:p 1 . ex:bad ex:p 1, 2 ."),
    ("Datatype", "sh:datatype xsd:integer", 'ex:good ex:p 1 . ex:bad ex:p "1" .'),
    ("Datatype", "sh:datatype xsd:integer", 'ex:good ex:p "07"^^xsd:integer . ex:bad ex:p "seven"^^xsd:integer .'),
    ("Datatype", "sh:datatype rdf:langString", 'ex:good ex:p "a"@en . ex:bad ex:p "a" .'),
    ("NodeKind", "sh:nodeKind sh:IRI", 'ex:good ex:p ex:x . ex:bad ex:p "x" .'),
    ("NodeKind", "sh:nodeKind sh:Literal", 'ex:good ex:p "x" . ex:bad ex:p ex:x .'),
    ("Pattern", 'sh:pattern "^a[0-9]+$"', 'ex:good ex:p "a12" . ex:bad ex:p "b12" .'),
    ("Pattern", 'sh:pattern "^A" ; sh:flags "i"', 'ex:good ex:p "abc" . ex:bad ex:p "bac" .'),
    ("MinLength", "sh:minLength 3", 'ex:good ex:p "abc" . ex:bad ex:p "ab" .'),
    ("MaxLength", "sh:maxLength 2", 'ex:good ex:p "ab" . ex:bad ex:p "abc" .'),
    ("LanguageIn", 'sh:languageIn ( "en" )', 'ex:good ex:p "a"@en-GB . ex:bad ex:p "a"@fr .'),
    ("In", 'sh:in ( "a" ex:b 1 )', 'ex:good ex:p "a", ex:b, 1 . ex:bad ex:p 1.0 .'),
    ("HasValue", "sh:hasValue ex:v", "ex:good ex:p ex:v, ex:w . ex:bad ex:p ex:w ."),
    ("Class", "sh:class ex:Whole", "ex:good ex:p ex:x . ex:x a ex:Part . ex:bad ex:p ex:y . ex:y a ex:Other ."),
    ("Or", "sh:or ( [ sh:class ex:A ] [ sh:class ex:Whole ] )",
     "ex:good ex:p ex:x . ex:x a ex:Part . ex:bad ex:p ex:y . ex:y a ex:Other ."),
    ("MinInclusive", "sh:minInclusive 1", 'ex:good ex:p 1 . ex:bad ex:p 0, "text" .'),
    ("MaxExclusive", "sh:maxExclusive 1", "ex:good ex:p 0 . ex:bad ex:p 1 ."),
    ("QualifiedMinCount", "sh:qualifiedMinCount 1 ; sh:qualifiedValueShape [ sh:in ( ex:A ) ]",
     "ex:good ex:p ex:A . ex:bad ex:p ex:B ."),
    ("QualifiedMaxCount", "sh:qualifiedMaxCount 1 ; sh:qualifiedValueShape [ sh:class ex:Whole ]",
     "ex:good ex:p ex:x . ex:x a ex:Part . ex:bad ex:p ex:x, ex:y . ex:y a ex:Whole ."),
]


@pytest.mark.parametrize(("component", "constraint", "triples"), COMPONENTS)
def test_each_component_on_a_hand_made_graph(component: str, constraint: str, triples: str) -> None:
    shapes = Graph().parse(data=PREFIXES + f"ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; "
                           f"sh:property [ sh:path ex:p ; {constraint} ] .", format="turtle")
    data = Graph().parse(data=PREFIXES + "ex:good a ex:Thing . ex:bad a ex:Sub . " + triples, format="turtle")
    assert not compile_shapes(shapes, shapes).fallback
    expected = shacl_keys(data, shapes, shapes)
    assert {(key[0], key[3]) for key in expected} == {("http://example.org/bad",
                                                        SH[f"{component}ConstraintComponent"])}
    assert store_keys(data, shapes, shapes) == expected


def test_a_closed_shape_on_a_hand_made_graph() -> None:
    shapes = Graph().parse(data=PREFIXES + "ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:closed true ; "
                           "sh:ignoredProperties ( rdf:type ) ; sh:property [ sh:path ex:p ] .", format="turtle")
    data = Graph().parse(data=PREFIXES + "ex:good a ex:Thing ; ex:p 1 . ex:bad a ex:Sub ; ex:p 1 ; ex:q 2, 3 .",
                         format="turtle")
    expected = shacl_keys(data, shapes, shapes)
    assert expected == {("http://example.org/bad", "http://example.org/q", URIRef("http://example.org/S"),
                         SH.ClosedConstraintComponent)}
    assert store_keys(data, shapes, shapes) == expected


def test_a_shape_the_compiler_does_not_handle_goes_to_pyshacl_through_the_store() -> None:
    """``sh:node`` is not compiled: pySHACL checks that shape over the focus nodes' triples read from the store."""
    shapes = Graph().parse(data=PREFIXES + """
        ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property [ sh:path ex:p ; sh:node ex:Named ] .
        ex:Named a sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .
        ex:T a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .""",
                           format="turtle")
    data = Graph().parse(data=PREFIXES + """ex:good a ex:Thing ; ex:p ex:x . ex:x ex:name "x" .
        ex:bad a ex:Sub ; ex:p "lit"@en, 2 . ex:none a ex:Thing .""", format="turtle")
    compiled = compile_shapes(shapes, shapes)
    assert compiled.fallback == (URIRef("http://example.org/S"),)
    assert compiled.compiled == (URIRef("http://example.org/T"),)
    expected = shacl_keys(data, shapes, shapes)
    assert {(key[0], key[3]) for key in expected} == {
        ("http://example.org/bad", SH.NodeConstraintComponent), ("http://example.org/none", SH.MinCountConstraintComponent)}
    assert store_keys(data, shapes, shapes) == expected
