"""Step 4, validate: the shapes as SPARQL over the loaded store, pySHACL for what does not compile, and the
whole-graph constraints; both engines give the same report rows.

A build validates the store it is about to publish, through a ``select(sparql) -> rows`` callable (the store's
``select_values``), so no rdflib copy of a large graph is needed: each compiled constraint is one query over
the whole store (``shape_queries``). Shapes the compiler does not handle stay with pySHACL, run over the
given rdflib graph or, when there is none, over the focus nodes' triples read from the store.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pyshacl import validate
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from clustergraph.errors import NotFound, ValidationFailed
from clustergraph.shape_queries import Compiled, Select, ShapeCheck, compile_shapes, subclasses
from clustergraph.store import memory_store
from clustergraph.timing import timed
from clustergraph.vocab import CGSH, EU_COUNTRY_SCHEME, EU_PROGRAMME_SCHEME, NUTS_SCHEME, PREFIXES

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Report:
    """The outcome of one validation: whether it conforms, the report graph and its readable text."""

    conforms: bool
    graph: Graph
    text: str

    @property
    def violations(self) -> int:
        """Number of validation results in the report."""
        return len(set(self.graph.subjects(predicate=SH.resultSeverity)))


def load_shapes(shapes_dir: Path) -> Graph:
    """All ``shapes/*.ttl`` files as one shapes graph."""
    graph = Graph()
    for path in sorted(shapes_dir.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


DCAT_AP_FILES = ("shapes.ttl", "range.ttl", "shapes_recommended.ttl", "mdr-vocabularies.shape.ttl",
                 "deprecateduris.ttl")


def load_dcat_ap_shapes(shapes_dir: Path) -> Graph:
    """The official SEMIC DCAT-AP 3.0.1 shapes (the ITB validator's full set) from ``shapes_dir``.

    Raises
    ------
    NotFound
        If the directory does not hold them.
    """
    graph = Graph()
    for name in DCAT_AP_FILES:
        path = shapes_dir / "html-shacl" / name
        if not path.exists():
            raise NotFound(f"DCAT-AP shapes not found: {path} (set CLUSTERGRAPH_DCAT_AP_SHAPES_DIR to the folder "
                           "of the SEMIC DCAT-AP 3.0.1 release)")
        graph.parse(path, format="turtle")
    return graph


def validate_catalogue(catalogue: Graph, shapes_dir: Path) -> Report:
    """Validate a DCAT-AP catalogue against the SEMIC shapes; warnings (recommendations) do not fail it."""
    conforms, report_graph, report_text = validate(
        catalogue, shacl_graph=load_dcat_ap_shapes(shapes_dir), inference="none", allow_warnings=True)
    return Report(bool(conforms), report_graph, str(report_text))


def flatten(dataset: Dataset) -> Graph:
    """The union of every named graph, which is what the shapes describe."""
    union = Graph()
    for quad in dataset.quads():
        union.add(quad[:3])
    return union


@timed("validate (SHACL)")
def validate_graph(data: Graph, shapes: Graph, ontology: Graph, raise_on_failure: bool = False,
                   check_tables: bool = True) -> Report:
    """Validate ``data`` with pySHACL against every shape, then run the whole-graph :data:`CONSTRAINTS` once.

    This is the reference engine :func:`validate_store` is compared with; a build uses that one. The ontology
    is passed as background so class targets reach subclasses (``cg:Participation`` is a
    ``cg:CuratedStatement``); inference stays off because the shapes need none and it costs 10x.
    ``check_tables`` false (a build without the reference data) leaves out the authority-table memberships.

    Raises
    ------
    ValidationFailed
        Only when ``raise_on_failure`` is set and the graph does not conform.
    """
    conforms, report_graph, report_text = validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True, allow_warnings=False)
    rows = [row.result() for row in constraint_rows(graph_select(data))
            if check_tables or row.constraint not in TABLE_CONSTRAINTS]
    return _finish(bool(conforms), report_graph, str(report_text), rows, raise_on_failure)


@timed("validate (SPARQL over the store)")
def validate_store(select: Select, shapes: Graph, ontology: Graph, check_tables: bool = True,
                   data: Graph | None = None, raise_on_failure: bool = False) -> Report:
    """Validate the graph behind ``select``: compiled shapes and whole-graph constraints as SPARQL, the rest
    with pySHACL.

    Each compiled constraint is one query over the whole store (not one per focus node); its rows become
    ``sh:ValidationResult`` nodes with the focus node, result path, source shape and constraint component
    pySHACL would give. Shapes the compiler leaves out are validated by pySHACL over ``data`` when given,
    else over the triples of their focus nodes and the types of those triples' objects, read through
    ``select``. One INFO line says which engine checked how many shapes.

    Raises
    ------
    ValidationFailed
        Only when ``raise_on_failure`` is set and the graph does not conform.
    """
    compiled = compile_shapes(shapes, ontology)
    logger.info("validate: %d shapes as SPARQL over the store (%d queries), %d with pySHACL%s",
                len(compiled.compiled), len(compiled.checks), len(compiled.fallback),
                f" ({', '.join(str(s) for s in compiled.fallback)})" if compiled.fallback else "")
    rows = shape_rows(select, compiled)
    rows += [row.result() for row in constraint_rows(select)
             if check_tables or row.constraint not in TABLE_CONSTRAINTS]
    if not compiled.fallback:
        text = f"Validation Report\nConforms: {not rows}\nResults ({len(rows)}):"
        return _finish(True, empty_report(), text, rows, raise_on_failure)
    graph = data if data is not None else focus_graph(select, compiled, ontology)
    conforms, report_graph, report_text = validate(
        graph, shacl_graph=compiled.fallback_graph, ont_graph=ontology, inference="none", advanced=True,
        allow_warnings=False)
    return _finish(bool(conforms), report_graph, str(report_text), rows, raise_on_failure)


def graph_select(data: Graph) -> Select:
    """The ``select`` of an in-memory Oxigraph store holding ``data`` (for graphs built in memory)."""
    return memory_store(data.serialize(format="nt", encoding="utf-8"), ()).select_values


@dataclass(frozen=True)
class ResultRow:
    """One validation result: focus node, result path, source shape, constraint component and message."""

    focus: str
    path: str | None
    shape: Node
    component: URIRef
    message: str

    def key(self) -> tuple[str, str | None, Node, URIRef]:
        """What both engines must agree on: (focus, path, source shape, component)."""
        return self.focus, self.path, self.shape, self.component

    def __str__(self) -> str:
        where = f" ({self.path})" if self.path else ""
        return f"{self.component.split('#')[-1]} of {self.shape} on {self.focus}{where}: {self.message}"


def shape_rows(select: Select, compiled: Compiled, workers: int = 2) -> list[ResultRow]:
    """Run every compiled check, ``workers`` at a time (the engine evaluates without holding the GIL); one row per
    violation."""

    def run(check: ShapeCheck) -> list[ResultRow]:
        rows = []
        for found in select(check.query):
            component = check.component(found)
            message = check.messages[component]
            rows.append(ResultRow(found["focus"], found.get("path") or (str(check.path) if check.path else None),
                                  check.shape, component, f"{message}: {found['value']}" if "value" in found else message))
        return rows

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return [row for rows in pool.map(run, compiled.checks) for row in rows]


def focus_graph(select: Select, compiled: Compiled, ontology: Graph) -> Graph:
    """The triples of the fallback shapes' focus nodes and of the nodes they point at, read from the store.

    Two hops reach what the shapes of this project look at (a value's type, a value's own properties for
    ``sh:node``); a shape that looks further needs the rdflib graph passed to :func:`validate_store`.
    """
    classes = {cls for shape in compiled.fallback for target in compiled.fallback_graph.objects(shape, SH.targetClass)
               for cls in subclasses(ontology, target)}
    graph = Graph()
    if not classes:
        return graph
    query = f"""SELECT DISTINCT ?s ?p ?o ?blank ?kind ?datatype ?lang WHERE {{
        ?focus a ?type . VALUES ?type {{ {' '.join(c.n3() for c in sorted(classes, key=str))} }}
        {{ BIND(?focus AS ?s) }} UNION {{ ?focus ?link ?s FILTER(!isLiteral(?s)) }}
        ?s ?p ?o .
        BIND(isBlank(?s) AS ?blank) BIND(IF(isIRI(?o), "iri", IF(isBlank(?o), "blank", "literal")) AS ?kind)
        BIND(DATATYPE(?o) AS ?datatype) BIND(LANG(?o) AS ?lang) }}"""
    for found in select(query):
        subject = BNode(found["s"]) if found["blank"] == "true" else URIRef(found["s"])
        graph.add((subject, URIRef(found["p"]), _term(found)))
    return graph


def _term(found: dict[str, str]) -> Node:
    """The object of a :func:`focus_graph` row as an rdflib term."""
    kind, value = found["kind"], found["o"]
    if kind == "iri":
        return URIRef(value)
    if kind == "blank":
        return BNode(value)
    if found.get("lang"):
        return Literal(value, lang=found["lang"])
    return Literal(value, datatype=URIRef(found.get("datatype") or XSD.string))


def empty_report() -> Graph:
    """A conforming SHACL report graph with no results, for results to be added to."""
    report = Graph()
    summary = BNode()
    report.add((summary, RDF.type, SH.ValidationReport))
    report.add((summary, SH.conforms, Literal(True)))
    return report


def _finish(conforms: bool, report_graph: Graph, text: str, rows: list[ResultRow], raise_on_failure: bool) -> Report:
    rows = sorted(set(rows), key=lambda row: (str(row.shape), str(row.component), row.focus, row.path or "",
                                             row.message))
    for row in rows:
        _add_result(report_graph, row)
    report = Report(conforms and not rows, report_graph, text + "".join(f"\n{row}" for row in rows))
    if raise_on_failure and not report.conforms:
        raise ValidationFailed(report.text)
    return report


@dataclass(frozen=True)
class ConstraintRow:
    """One violation of a whole-graph constraint: the constraint, focus node, path and message."""

    constraint: str
    focus: str
    path: str | None
    message: str

    def __str__(self) -> str:
        return f"Constraint {self.constraint} on {self.focus}{f' ({self.path})' if self.path else ''}: {self.message}"

    def result(self) -> ResultRow:
        """The row as a report result whose source shape names the constraint."""
        return ResultRow(self.focus, self.path, CGSH[self.constraint], SH.SPARQLConstraintComponent, self.message)


_SHORTCUTS = f"""
    VALUES (?class ?from ?to ?shortcut) {{
        (cg:Participation cg:participatesIn cg:participant cg:hasParticipant)
        (cg:Funding cg:funds cg:programme cg:fundedBy)
        (cg:ProgrammeAffiliation cg:affiliated cg:programme cg:underProgramme)
        (cg:ProgrammeMention cg:evidenceFrom cg:programme cg:mentions)
        (cg:Placement cg:placed cg:place dct:spatial)
        (cg:Collaboration cg:collaborator cg:collaborator cg:collaboratesWith)
    }}"""
_RELATIONS = """
    VALUES (?kind ?shortcut) { ("member-of" org:memberOf) ("founded" cg:founded) ("spin-off-of" cg:spinOffOf)
                              ("part-of" org:subOrganizationOf) ("part-of" dct:isPartOf) }"""

# Each derived predicate restated from its sources (counts through the cg:collaboratesWith shortcut, not as the
# rule counts them): a derived triple the sources do not give, or a missing or wrong one, is a row.
_DERIVED = """SELECT DISTINCT ?focus ?path ?value WHERE { {
      ?focus cg:withinProgramme ?value . BIND(cg:withinProgramme AS ?path)
      FILTER NOT EXISTS { ?focus cg:viaProgramme/cg:parentProgramme* ?value }
    } UNION {
      ?focus a cg:Collaboration ; cg:viaProgramme/cg:parentProgramme* ?value . BIND(cg:withinProgramme AS ?path)
      FILTER NOT EXISTS { ?focus cg:withinProgramme ?value }
    } UNION {
      ?focus a cg:Collaboration ; cg:collaborator ?a, ?b . FILTER(STR(?a) < STR(?b))
      OPTIONAL { ?a cg:country ?countryA } OPTIONAL { ?b cg:country ?countryB }
      OPTIONAL { ?focus cg:crossBorder ?value }
      BIND(cg:crossBorder AS ?path)
      FILTER(COALESCE(?value != (?countryA != ?countryB), BOUND(?value) != (BOUND(?countryA) && BOUND(?countryB))))
    } UNION {
      { SELECT ?focus (COUNT(?link) AS ?expected) WHERE { ?link a cg:Collaboration ; cg:collaborator ?focus }
        GROUP BY ?focus }
      BIND(cg:collaborationCount AS ?path)
      OPTIONAL { ?focus cg:collaborationCount ?value }
      FILTER(COALESCE(?value != ?expected, true))
    } UNION {
      { SELECT ?focus (COUNT(DISTINCT ?partner) AS ?partners) (COUNT(DISTINCT ?abroad) AS ?foreign) WHERE {
          ?focus cg:collaboratesWith ?partner . FILTER(?partner != ?focus)
          OPTIONAL { ?focus cg:country ?home } OPTIONAL { ?partner cg:country ?away }
          BIND(IF(?home != ?away, ?partner, ?unbound) AS ?abroad) }
        GROUP BY ?focus }
      VALUES ?path { cg:partnerCount cg:foreignPartnerCount }
      OPTIONAL { ?focus ?path ?value }
      FILTER(COALESCE(?value != IF(?path = cg:partnerCount, ?partners, ?foreign), true))
    } UNION {
      VALUES ?path { cg:collaborationCount cg:partnerCount cg:foreignPartnerCount }
      ?focus ?path ?value . FILTER NOT EXISTS { ?link cg:collaborator ?focus }
    } }"""

TABLE_CONSTRAINTS = ("CountryInAuthorityTable", "NutsInAuthorityTable", "EuProgrammeInAuthorityTable")
# name -> (message, SELECT ?focus ?path ?value): each row is one violation.
CONSTRAINTS: dict[str, tuple[str, str]] = {
    "CountryInAuthorityTable": (
        "the country is not in the EU country authority table",
        f"""SELECT DISTINCT ?focus ?path ?value WHERE {{ ?focus ?path ?value . VALUES ?path {{ cg:country }}
            FILTER NOT EXISTS {{ ?value skos:inScheme <{EU_COUNTRY_SCHEME}> }} }}"""),
    "NutsInAuthorityTable": (
        "the region is not a NUTS 2021 code",
        f"""SELECT DISTINCT ?focus ?path ?value WHERE {{ ?focus ?path ?value .
            VALUES ?path {{ cg:region dct:spatial cg:place }}
            FILTER NOT EXISTS {{ ?value skos:inScheme <{NUTS_SCHEME}> }} }}"""),
    "EuProgrammeInAuthorityTable": (
        "the programme code is not in the EU eu-programme authority table",
        f"""SELECT DISTINCT ?focus ?path ?value WHERE {{ ?focus a cg:Programme ; ?path ?value .
            VALUES ?path {{ skos:exactMatch skos:closeMatch }}
            FILTER NOT EXISTS {{ ?value skos:inScheme <{EU_PROGRAMME_SCHEME}> }} }}"""),
    "RegionInCountry": (
        "the NUTS region lies outside the organisation's country",
        """SELECT DISTINCT ?focus ?path ?value WHERE { ?focus cg:country ?country ; cg:region ?value .
            BIND(cg:region AS ?path)
            ?country skos:notation ?iso . FILTER(DATATYPE(?iso) = xsd:token)
            ?value skos:notation ?code .
            BIND(SUBSTR(?code, 1, 2) AS ?nuts)
            FILTER(COALESCE(IF(?nuts = "EL", "GR", IF(?nuts = "UK", "GB", ?nuts)), "") != STR(?iso)) }"""),
    "ProjectIsLinked": (
        "the project is linked to no participation, funding, affiliation, relation or mention",
        """SELECT ?focus ?path ?value WHERE { ?focus a cg:Project .
            FILTER NOT EXISTS { ?statement cg:participatesIn|cg:funds|cg:affiliated|cg:relationSubject
                                           |cg:relationObject ?focus }
            FILTER NOT EXISTS { ?practice cg:mentions ?focus } }"""),
    "ShortcutHasStatement": (
        "the shortcut triple has no statement node that says it",
        f"""SELECT DISTINCT ?focus ?path ?value WHERE {{ {_SHORTCUTS}
            ?focus ?shortcut ?value . BIND(?shortcut AS ?path)
            FILTER(?shortcut != cg:collaboratesWith || ?focus != ?value)
            MINUS {{ {_SHORTCUTS} ?statement a ?class ; ?from ?focus ; ?to ?value }}
            MINUS {{ ?statement rdf:subject ?focus ; rdf:predicate ?shortcut ; rdf:object ?value }}
            MINUS {{ ?statement a cg:Relation ; cg:relationSubject ?focus ; cg:relationObject ?value }} }}"""),
    "StatementHasShortcut": (
        "the statement node has no shortcut triple beside it",
        f"""SELECT DISTINCT ?focus ?path ?value WHERE {{
            {{ {_SHORTCUTS} ?focus a ?class ; ?from ?subject ; ?to ?value . BIND(?shortcut AS ?path)
               FILTER(?class != cg:Collaboration || ?subject != ?value)
               MINUS {{ {_SHORTCUTS} ?subject ?shortcut ?value }} }}
            UNION
            {{ ?focus rdf:subject ?subject ; rdf:predicate ?path ; rdf:object ?value
               FILTER NOT EXISTS {{ ?subject ?path ?value }} }}
            UNION
            {{ ?focus a cg:Relation ; cg:relationSubject ?subject ; cg:relationKind ?kind ; cg:relationObject ?value .
               BIND(cg:relationKind AS ?path)
               FILTER NOT EXISTS {{ {_RELATIONS} ?subject ?shortcut ?value }} }} }}"""),
    "RelationShortcutHasStatement": (
        "the relation shortcut has no cg:Relation statement of its kind",
        f"""SELECT DISTINCT ?focus ?path ?value WHERE {{ {_RELATIONS}
            ?focus ?shortcut ?value . BIND(?shortcut AS ?path)
            FILTER NOT EXISTS {{ ?statement a cg:Relation ; cg:relationSubject ?focus ; cg:relationKind ?kind ;
                                            cg:relationObject ?value }} }}"""),    "DerivedAgreesWithSources": (
        "the derived fact (ontology/rules/) disagrees with the triples it follows from",
        _DERIVED),
}


def constraint_rows(select: Select, workers: int = 2) -> list[ConstraintRow]:
    """Run every whole-graph constraint once through ``select``, ``workers`` at a time; one row per violation,
    sorted."""
    prefixes = "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in PREFIXES.items())

    def run(name: str) -> list[ConstraintRow]:
        message, query = CONSTRAINTS[name]
        return [ConstraintRow(name, found["focus"], found.get("path"),
                              f"{message}: {value}" if (value := found.get("value")) else message)
                for found in select(prefixes + query)]

    with ThreadPoolExecutor(max_workers=workers) as pool:
        rows = {row for found in pool.map(run, CONSTRAINTS) for row in found}
    return sorted(rows, key=lambda row: (row.constraint, row.focus, row.path or "", row.message))


def _add_result(report: Graph, row: ResultRow) -> None:
    result = BNode()
    report.add((result, RDF.type, SH.ValidationResult))
    report.add((result, SH.resultSeverity, SH.Violation))
    report.add((result, SH.focusNode, URIRef(row.focus)))
    if row.path:
        report.add((result, SH.resultPath, URIRef(row.path)))
    report.add((result, SH.sourceShape, row.shape))
    report.add((result, SH.sourceConstraintComponent, row.component))
    report.add((result, SH.resultMessage, Literal(row.message)))
    for summary in report.subjects(RDF.type, SH.ValidationReport):
        report.set((summary, SH.conforms, Literal(False)))
        report.add((summary, SH.result, result))
