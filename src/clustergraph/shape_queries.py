"""Step 4a, validate: SHACL Core shapes compiled to SPARQL queries, each run once over the whole store.

pySHACL checks every focus node in Python (about 70 s for ten plain shapes at 1 M triples); the same
constraints as SPARQL over the loaded store take a fraction of that. This module turns the subset of SHACL
Core that the project's shapes use into such queries (per property shape: one for its counts, one for its
value constraints, one per class constraint, as an anti-join; per closed shape one), each returning the
violating focus nodes (and values, and which component), so that the report rows match pySHACL's: focus
node, result path, source shape and constraint component. A node shape that uses anything else is left out whole (``Compiled.fallback``) and
stays with pySHACL.

Handled: ``sh:targetClass`` (subclasses through the ontology's ``rdfs:subClassOf``), property shapes with a
predicate path and ``sh:minCount``, ``sh:maxCount``, ``sh:datatype`` (with lexical well-formedness for the XSD
types SPARQL can cast), ``sh:nodeKind``, ``sh:pattern`` (+ ``sh:flags``), ``sh:minLength``, ``sh:maxLength``,
``sh:languageIn``, ``sh:in``, ``sh:hasValue``, ``sh:class``, ``sh:or`` of ``sh:class`` shapes,
``sh:minInclusive`` / ``sh:maxInclusive`` / ``sh:minExclusive`` / ``sh:maxExclusive``, ``sh:qualifiedValueShape``
made of ``sh:in`` or ``sh:class`` with ``sh:qualifiedMinCount`` / ``sh:qualifiedMaxCount``, and ``sh:closed``
with ``sh:ignoredProperties`` on node shapes.

References
----------
.. [1] W3C, "Shapes Constraint Language (SHACL)", 2017, section 4, https://www.w3.org/TR/shacl/#core-components
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from clustergraph.vocab import SH

Select = Callable[[str], list[dict[str, str]]]

# Keys of a node or property shape that carry no constraint.
_DESCRIPTIVE = {RDF.type, RDFS.label, RDFS.comment, SH.name, SH.description, SH.order, SH.group}
_NODE_KEYS = _DESCRIPTIVE | {SH.targetClass, SH.property, SH.closed, SH.ignoredProperties}
_VALUE_KEYS = {SH.datatype, SH.nodeKind, SH.pattern, SH.flags, SH.minLength, SH.maxLength, SH.languageIn, SH["in"],
               SH["class"], SH["or"], SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive}
_PROPERTY_KEYS = _DESCRIPTIVE | _VALUE_KEYS | {SH.path, SH.minCount, SH.maxCount, SH.hasValue,
                                               SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount}
# XSD datatypes whose lexical form SPARQL can check by casting (a failed cast is an ill-formed literal).
_CASTABLE = {XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.boolean, XSD.dateTime, XSD.date}
_NODE_KINDS = {
    SH.IRI: "isIRI(?value)", SH.Literal: "isLiteral(?value)", SH.BlankNode: "isBlank(?value)",
    SH.BlankNodeOrIRI: "!isLiteral(?value)", SH.BlankNodeOrLiteral: "!isIRI(?value)",
    SH.IRIOrLiteral: "!isBlank(?value)",
}
_RANGES = {SH.minInclusive: (">=", SH.MinInclusiveConstraintComponent),
           SH.maxInclusive: ("<=", SH.MaxInclusiveConstraintComponent),
           SH.minExclusive: (">", SH.MinExclusiveConstraintComponent),
           SH.maxExclusive: ("<", SH.MaxExclusiveConstraintComponent)}


@dataclass(frozen=True)
class ShapeCheck:
    """Constraints of one shape as one SPARQL query: each row (``?focus``, maybe ``?value``, ``?path`` and
    ``?component``) is a violation.

    ``shape`` is the report's ``sh:sourceShape`` (the property shape, or the node shape for ``sh:closed``);
    ``path`` is the result path unless the query returns its own ``?path``; ``messages`` maps each constraint
    component the query checks to its message (a query checking several returns which one in ``?component``).
    """

    node_shape: Node
    shape: Node
    path: URIRef | None
    query: str
    messages: dict[URIRef, str]

    def component(self, found: dict[str, str]) -> URIRef:
        """The constraint component a result row violates."""
        return URIRef(found["component"]) if "component" in found else next(iter(self.messages))


@dataclass(frozen=True)
class Compiled:
    """The checks of every compiled node shape, and the shapes left to pySHACL.

    ``fallback_graph`` is the shapes graph without the compiled shapes' targets: what pySHACL still checks.
    """

    checks: tuple[ShapeCheck, ...]
    compiled: tuple[Node, ...]
    fallback: tuple[Node, ...]
    fallback_graph: Graph = field(default_factory=Graph)


class NotCompilable(Exception):
    """A shape uses a feature this compiler does not translate (internal: the shape goes to pySHACL)."""


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def node_shapes(shapes: Graph) -> list[Node]:
    """Every shape with a target, in a stable order (shapes without one are only reached through others)."""
    return sorted({shape for target in _TARGETS for shape in shapes.subjects(target, None)}, key=str)


def subclasses(ontology: Graph, cls: Node) -> list[Node]:
    """``cls`` and every class below it by ``rdfs:subClassOf`` (transitively), sorted.

    >>> from rdflib import Namespace
    >>> ex = Namespace("http://example.org/")
    >>> g = Graph()
    >>> _ = g.add((ex.B, RDFS.subClassOf, ex.A)).add((ex.C, RDFS.subClassOf, ex.B))
    >>> [str(c).rsplit("/", 1)[1] for c in subclasses(g, ex.A)]
    ['A', 'B', 'C']
    """
    return sorted({c for c in ontology.transitive_subjects(RDFS.subClassOf, cls) if c is not None}, key=str)


def compile_shapes(shapes: Graph, ontology: Graph) -> Compiled:
    """Compile every node shape it can; the others stay for pySHACL (see :class:`Compiled`)."""
    checks: list[ShapeCheck] = []
    compiled: list[Node] = []
    fallback: list[Node] = []
    for shape in node_shapes(shapes):
        try:
            checks += _node_shape_checks(shapes, ontology, shape)
            compiled.append(shape)
        except NotCompilable:
            fallback.append(shape)
    rest = Graph()  # every shape stays (a fallback shape may refer to any), but only the fallback ones keep targets
    for triple in shapes:
        if not (triple[0] in compiled and triple[1] in _TARGETS):
            rest.add(triple)
    return Compiled(tuple(checks), tuple(compiled), tuple(fallback), rest)


def _node_shape_checks(shapes: Graph, ontology: Graph, shape: Node) -> list[ShapeCheck]:
    keys = _keys_of(shapes, shape)
    if keys - _NODE_KEYS or not isinstance(shape, URIRef) or (shape, RDF.type, RDFS.Class) in shapes:
        raise NotCompilable(shape)
    classes = sorted({c for target in shapes.objects(shape, SH.targetClass) for c in subclasses(ontology, target)},
                     key=str)
    if not classes:
        raise NotCompilable(shape)
    focus = (f"SELECT ?focus WHERE {{ ?focus a {classes[0].n3()} }}" if len(classes) == 1 else
             f"SELECT DISTINCT ?focus WHERE {{ ?focus a ?type . VALUES ?type {{ {_terms(classes)} }} }}")
    checks: list[ShapeCheck] = []
    paths: list[URIRef] = []
    for prop in sorted(shapes.objects(shape, SH.property), key=str):
        path = shapes.value(prop, SH.path)
        if not isinstance(path, URIRef):
            raise NotCompilable(prop)
        paths.append(path)
        checks += _property_checks(shapes, ontology, shape, prop, path, focus)
    if shapes.value(shape, SH.closed) == Literal(True):
        ignored = _list(shapes, shapes.value(shape, SH.ignoredProperties))
        allowed = sorted(set(paths) | set(ignored), key=str)
        query = (f"SELECT DISTINCT ?focus ?path ?value WHERE {{ {{ {focus} }} ?focus ?path ?value . "
                 f"FILTER(?path NOT IN ({', '.join(term.n3() for term in allowed)})) }}")
        checks.append(ShapeCheck(shape, shape, None, query,
                                 {SH.ClosedConstraintComponent: "the closed shape does not allow this property"}))
    return checks


def _property_checks(shapes: Graph, ontology: Graph, node_shape: Node, prop: Node, path: URIRef,
                     focus: str) -> list[ShapeCheck]:
    keys = _keys_of(shapes, prop)
    if keys - _PROPERTY_KEYS:
        raise NotCompilable(prop)
    values = f"{{ {focus} }} ?focus {path.n3()} ?value ."
    checks: list[ShapeCheck] = []

    def add(query: str, messages: dict[URIRef, str]) -> None:
        checks.append(ShapeCheck(node_shape, prop, path, query, messages))

    lowest, highest = shapes.value(prop, SH.minCount), shapes.value(prop, SH.maxCount)
    if lowest is not None or highest is not None:  # both counts in one grouping
        few = f"COUNT(DISTINCT ?value) < {_number(lowest)}" if lowest is not None else "false"
        many = f"COUNT(DISTINCT ?value) > {_number(highest)}" if highest is not None else "false"
        add(f"SELECT ?focus (IF({few}, {SH.MinCountConstraintComponent.n3()}, {SH.MaxCountConstraintComponent.n3()}) "
            f"AS ?component) WHERE {{ {{ {focus} }} OPTIONAL {{ ?focus {path.n3()} ?value }} }} "
            f"GROUP BY ?focus HAVING ({few} || {many})",
            {SH.MinCountConstraintComponent: f"fewer than {lowest} values",
             SH.MaxCountConstraintComponent: f"more than {highest} values"})
    if (required := shapes.value(prop, SH.hasValue)) is not None:
        add(f"{focus[:-1]} FILTER NOT EXISTS {{ ?focus {path.n3()} {required.n3()} }} }}",
            {SH.HasValueConstraintComponent: f"the value {required.n3()} is missing"})
    for key, component, message in ((SH.qualifiedMinCount, SH.QualifiedMinCountConstraintComponent, "fewer"),
                                    (SH.qualifiedMaxCount, SH.QualifiedMaxCountConstraintComponent, "more")):
        if (limit := shapes.value(prop, key)) is not None:
            conforms = _value_shape_test(shapes, ontology, shapes.value(prop, SH.qualifiedValueShape))
            test = "<" if key == SH.qualifiedMinCount else ">"
            query = (f"SELECT ?focus WHERE {{ {{ {focus} }} OPTIONAL {{ ?focus {path.n3()} ?value "
                     f"FILTER({conforms}) }} }} GROUP BY ?focus HAVING (COUNT(DISTINCT ?value) {test} {_number(limit)})")
            add(query, {component: f"{message} than {_number(limit)} values conform to the qualified value shape"})
    tests = list(_value_tests(shapes, ontology, prop))
    if tests:  # every value constraint in one pass over the values, one row per (value, component) violated
        violated = " || ".join(f"(sameTerm(?component, {component.n3()}) && ({test}))" for component, test, _ in tests)
        add(f"SELECT DISTINCT ?focus ?value ?component WHERE {{ {values} "
            f"VALUES ?component {{ {_terms(component for component, _, _ in tests)} }} FILTER({violated}) }}",
            {component: message for component, _, message in tests})
    for component, classes, message in _class_tests(shapes, ontology, prop):
        # an anti-join (MINUS) of the values against the instances, evaluated once, not an EXISTS per value
        add(f"SELECT DISTINCT ?focus ?value WHERE {{ {values} "
            f"MINUS {{ ?value a ?class . VALUES ?class {{ {_terms(classes)} }} }} }}", {component: message})
    return checks


def _value_tests(shapes: Graph, ontology: Graph, prop: Node) -> Iterable[tuple[URIRef, str, str]]:
    """(component, SPARQL expression true when ``?value`` violates it, message) for each value constraint."""
    if (datatype := shapes.value(prop, SH.datatype)) is not None:
        well_formed = ""
        if datatype in _CASTABLE:  # a failed cast is an error, which COALESCE turns into false
            well_formed = f" && COALESCE({datatype.n3()}(STR(?value)) = {datatype.n3()}(STR(?value)), false)"
        yield (SH.DatatypeConstraintComponent,
               f"!(isLiteral(?value) && DATATYPE(?value) = {datatype.n3()}{well_formed})",
               f"the value is not a literal of datatype {datatype.n3()}")
    if (kind := shapes.value(prop, SH.nodeKind)) is not None:
        if not isinstance(kind, URIRef) or kind not in _NODE_KINDS:
            raise NotCompilable(prop)
        yield SH.NodeKindConstraintComponent, f"!({_NODE_KINDS[kind]})", f"the value is not of node kind {kind.n3()}"
    if (pattern := shapes.value(prop, SH.pattern)) is not None:
        flags = shapes.value(prop, SH.flags)
        regex = f"REGEX(STR(?value), {Literal(str(pattern)).n3()}{f', {Literal(str(flags)).n3()}' if flags else ''})"
        yield (SH.PatternConstraintComponent, f"isBlank(?value) || !{regex}",
               f"the value does not match the pattern {pattern}")
    for key, component, test in ((SH.minLength, SH.MinLengthConstraintComponent, "<"),
                                 (SH.maxLength, SH.MaxLengthConstraintComponent, ">")):
        if (length := shapes.value(prop, key)) is not None:
            yield (component, f"isBlank(?value) || STRLEN(STR(?value)) {test} {_number(length)}",
                   f"the value's length is {'under' if test == '<' else 'over'} {_number(length)}")
    if (languages := shapes.value(prop, SH.languageIn)) is not None:
        ranges = " || ".join(f"LANGMATCHES(LANG(?value), {Literal(str(tag)).n3()})"
                             for tag in _list(shapes, languages))
        yield (SH.LanguageInConstraintComponent, f"!(isLiteral(?value) && ({ranges or 'false'}))",
               "the value's language is not allowed")
    if (members := shapes.value(prop, SH["in"])) is not None:
        yield SH.InConstraintComponent, f"!({_in_test(_list(shapes, members))})", "the value is not in the list"
    for key, (operator, component) in _RANGES.items():
        if (bound := shapes.value(prop, key)) is not None:
            yield component, f"!COALESCE(?value {operator} {bound.n3()}, false)", f"the value is not {operator} {bound}"


def _class_tests(shapes: Graph, ontology: Graph, prop: Node) -> Iterable[tuple[URIRef, list[Node], str]]:
    """(component, classes a value must be an instance of, message) for ``sh:class`` and ``sh:or`` of classes."""
    if (cls := shapes.value(prop, SH["class"])) is not None:
        yield SH.ClassConstraintComponent, subclasses(ontology, cls), f"the value is not an instance of {cls.n3()}"
    if (options := shapes.value(prop, SH["or"])) is not None:
        classes = [c for member in _list(shapes, options) for c in _only_class(shapes, ontology, member)]
        yield SH.OrConstraintComponent, classes, "the value conforms to none of the shapes"


def _value_shape_test(shapes: Graph, ontology: Graph, shape: Node | None) -> str:
    """A SPARQL expression true when ``?value`` conforms to a qualified value shape of ``sh:in`` or ``sh:class``."""
    if shape is None:
        raise NotCompilable(shape)
    keys = _keys_of(shapes, shape) - _DESCRIPTIVE
    if keys == {SH["in"]}:
        return _in_test(_list(shapes, shapes.value(shape, SH["in"])))
    if keys == {SH["class"]}:
        return _class_test(_only_class(shapes, ontology, shape))
    raise NotCompilable(shape)


def _only_class(shapes: Graph, ontology: Graph, shape: Node) -> list[Node]:
    """The classes (with subclasses) of a shape that says nothing but ``sh:class``."""
    if _keys_of(shapes, shape) - _DESCRIPTIVE != {SH["class"]}:
        raise NotCompilable(shape)
    return [c for cls in shapes.objects(shape, SH["class"]) for c in subclasses(ontology, cls)]


def _keys_of(shapes: Graph, node: Node) -> set[Node]:
    return {key for key in shapes.predicates(node, None) if key is not None}


def _number(value: Node) -> int:
    """An integer-valued shape parameter (``sh:minCount 1``)."""
    return int(str(value))


def _class_test(classes: list[Node]) -> str:
    return f"EXISTS {{ ?value a ?class . VALUES ?class {{ {_terms(classes)} }} }}"


def _in_test(members: list[Node]) -> str:
    """Term equality (``sameTerm``), as SHACL's ``sh:in`` asks, not SPARQL's value equality."""
    return " || ".join(f"sameTerm(?value, {member.n3()})" for member in members) or "false"


def _list(shapes: Graph, head: Node | None) -> list[Node]:
    if head is None:
        raise NotCompilable(head)
    return list(Collection(shapes, head)) if isinstance(head, (BNode, URIRef)) else []


def _terms(terms: Iterable[Node]) -> str:
    return " ".join(term.n3() for term in terms)
