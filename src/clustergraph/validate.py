"""Step 4, validate: pySHACL over ``shapes/`` with the ontology as background, no inference."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyshacl import validate
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from clustergraph.errors import NotFound, ValidationFailed
from clustergraph.store import memory_store
from clustergraph.timing import timed
from clustergraph.vocab import CGSH, EU_COUNTRY_SCHEME, EU_PROGRAMME_SCHEME, NUTS_SCHEME, PREFIXES


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
    """Validate ``data`` against ``shapes``, then run the whole-graph :data:`CONSTRAINTS` once over it.

    The ontology is passed as background so class targets reach subclasses (``cg:Participation`` is a
    ``cg:CuratedStatement``); inference stays off because the shapes need none and it costs 10x. The
    whole-graph checks (membership of authority tables, shortcuts against their statements) are SPARQL run
    once over an Oxigraph store of ``data``, not once per focus node as ``sh:sparql`` in pySHACL would be;
    their rows join the report as ``sh:ValidationResult`` nodes whose ``sh:sourceShape`` names the check.

    ``check_tables`` false (a build without the reference data) leaves out the authority-table memberships.

    Raises
    ------
    ValidationFailed
        Only when ``raise_on_failure`` is set and the graph does not conform.
    """
    conforms, report_graph, report_text = validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True, allow_warnings=False)
    rows = [row for row in constraint_rows(data) if check_tables or row.constraint not in TABLE_CONSTRAINTS]
    for row in rows:
        _add_result(report_graph, row)
    text = str(report_text) + "".join(f"\n{row}" for row in rows)
    report = Report(bool(conforms) and not rows, report_graph, text)
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
      OPTIONAL { ?a cg:country ?countryA . ?b cg:country ?countryB }
      OPTIONAL { ?focus cg:crossBorder ?value }
      BIND(cg:crossBorder AS ?path)
      FILTER(COALESCE(?value != (?countryA != ?countryB), BOUND(?value) != BOUND(?countryA)))
    } UNION {
      { SELECT ?focus (COUNT(?link) AS ?expected) WHERE { ?link a cg:Collaboration ; cg:collaborator ?focus }
        GROUP BY ?focus }
      BIND(cg:collaborationCount AS ?path)
      OPTIONAL { ?focus cg:collaborationCount ?value }
      FILTER(COALESCE(?value != ?expected, true))
    } UNION {
      { SELECT ?focus (COUNT(DISTINCT ?partner) AS ?partners) (COUNT(DISTINCT ?abroad) AS ?foreign) WHERE {
          ?focus cg:collaboratesWith ?partner . FILTER(?partner != ?focus)
          OPTIONAL { ?focus cg:country ?home . ?partner cg:country ?away . FILTER(?home != ?away)
                     BIND(?partner AS ?abroad) } }
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
            FILTER NOT EXISTS {{ ?statement a ?class ; ?from ?focus ; ?to ?value }}
            FILTER NOT EXISTS {{ ?statement rdf:subject ?focus ; rdf:predicate ?shortcut ; rdf:object ?value }}
            FILTER NOT EXISTS {{ ?statement a cg:Relation ; cg:relationSubject ?focus ; cg:relationObject ?value }}
            FILTER(?shortcut != cg:collaboratesWith || ?focus != ?value) }}"""),
    "StatementHasShortcut": (
        "the statement node has no shortcut triple beside it",
        f"""SELECT DISTINCT ?focus ?path ?value WHERE {{
            {{ {_SHORTCUTS} ?focus a ?class ; ?from ?subject ; ?to ?value . BIND(?shortcut AS ?path)
               FILTER(?class != cg:Collaboration || ?subject != ?value)
               FILTER NOT EXISTS {{ ?subject ?shortcut ?value }} }}
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


def constraint_rows(data: Graph) -> list[ConstraintRow]:
    """Run every whole-graph constraint once over ``data``; one row per violation, sorted."""
    store = memory_store(data.serialize(format="nt", encoding="utf-8"), ())
    prefixes = "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in PREFIXES.items())
    rows = []
    for name, (message, query) in CONSTRAINTS.items():
        for found in store.select_values(prefixes + query):
            value = found.get("value")
            rows.append(ConstraintRow(name, found["focus"], found.get("path"),
                                      f"{message}: {value}" if value else message))
    return sorted(set(rows), key=lambda row: (row.constraint, row.focus, row.path or "", row.message))


def _add_result(report: Graph, row: ConstraintRow) -> None:
    result = BNode()
    report.add((result, RDF.type, SH.ValidationResult))
    report.add((result, SH.resultSeverity, SH.Violation))
    report.add((result, SH.focusNode, URIRef(row.focus)))
    if row.path:
        report.add((result, SH.resultPath, URIRef(row.path)))
    report.add((result, SH.sourceShape, CGSH[row.constraint]))
    report.add((result, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent))
    report.add((result, SH.resultMessage, Literal(row.message)))
    for summary in report.subjects(RDF.type, SH.ValidationReport):
        report.set((summary, SH.conforms, Literal(False)))
        report.add((summary, SH.result, result))
