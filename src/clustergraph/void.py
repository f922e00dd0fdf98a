"""VoID: the dataset's statistics (triples, entities, classes, properties) and its linksets to EU vocabularies.

The statistics are SPARQL queries over what the endpoint shows, so the description always matches the
data a client can query; the same figures feed the DCAT catalogue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, VOID, XSD

from clustergraph.vocab import CG, EU_COUNTRY, EU_PROGRAMME, NUTS, bind_prefixes

# Rows of a SELECT as {variable: lexical value}; the caller decides how queries run (in process or by worker).
Select = Callable[[str], list[dict[str, str]]]

LINK_TARGETS = {
    "eu-country": ("EU country authority table", str(EU_COUNTRY)),
    "eu-programme": ("EU eu-programme authority table", str(EU_PROGRAMME)),
    "nuts": ("NUTS 2021 (Eurostat)", str(NUTS)),
}
TOTALS = """SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects)
WHERE { ?s ?p ?o }"""
ENTITIES = "SELECT (COUNT(DISTINCT ?s) AS ?entities) WHERE { ?s a ?type FILTER(isIRI(?s)) }"
CLASSES = "SELECT ?class (COUNT(DISTINCT ?s) AS ?entities) WHERE { ?s a ?class } GROUP BY ?class ORDER BY ?class"
PROPERTIES = "SELECT ?property (COUNT(*) AS ?triples) WHERE { ?s ?property ?o } GROUP BY ?property ORDER BY ?property"
LINKS = """SELECT ?property (COUNT(*) AS ?triples) WHERE {{ ?s ?property ?o
  FILTER(isIRI(?o) && STRSTARTS(STR(?o), "{namespace}") && !STRSTARTS(STR(?s), "{namespace}")) }}
GROUP BY ?property ORDER BY ?property"""


@dataclass(frozen=True)
class Statistics:
    """The counts VoID reports."""

    triples: int
    entities: int
    distinct_subjects: int
    distinct_objects: int
    classes: tuple[tuple[str, int], ...]
    properties: tuple[tuple[str, int], ...]
    links: tuple[tuple[str, str, int], ...]  # (target key, link predicate, triples)


def gather_statistics(select: Select) -> Statistics:
    """Run the statistics queries through ``select``."""
    totals = select(TOTALS)[0]
    links = tuple((key, row["property"], int(row["triples"]))
                  for key, (_, namespace) in LINK_TARGETS.items()
                  for row in select(LINKS.format(namespace=namespace)))
    return Statistics(
        triples=int(totals["triples"]),
        entities=int(select(ENTITIES)[0]["entities"]),
        distinct_subjects=int(totals["subjects"]),
        distinct_objects=int(totals["objects"]),
        classes=tuple((row["class"], int(row["entities"])) for row in select(CLASSES)),
        properties=tuple((row["property"], int(row["triples"])) for row in select(PROPERTIES)),
        links=links,
    )


def void_description(statistics: Statistics, dataset: URIRef, base_iri: str, sparql_endpoint: str,
                     dumps: tuple[str, ...] = ()) -> Graph:
    """The VoID description of the dataset: statistics, partitions, linksets, endpoint and dumps."""
    graph = bind_prefixes(Graph())
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, DCTERMS.title, Literal("ClusterGraph: European cluster good practices", lang="en")))
    graph.add((dataset, VOID.sparqlEndpoint, URIRef(sparql_endpoint)))
    graph.add((dataset, VOID.uriSpace, Literal(base_iri)))
    graph.add((dataset, VOID.feature, URIRef("http://www.w3.org/ns/formats/Turtle")))
    for dump in dumps:
        graph.add((dataset, VOID.dataDump, URIRef(dump)))
    for vocabulary in (str(CG._NS), "http://www.w3.org/ns/org#", "http://purl.org/dc/terms/",
                       "http://www.w3.org/2004/02/skos/core#", "http://www.w3.org/ns/prov#"):
        graph.add((dataset, VOID.vocabulary, URIRef(vocabulary)))
    counts = ((VOID.triples, statistics.triples), (VOID.entities, statistics.entities),
              (VOID.distinctSubjects, statistics.distinct_subjects),
              (VOID.distinctObjects, statistics.distinct_objects),
              (VOID.classes, len(statistics.classes)), (VOID.properties, len(statistics.properties)))
    for predicate, value in counts:
        graph.add((dataset, predicate, Literal(value, datatype=XSD.integer)))
    for index, (cls, entities) in enumerate(statistics.classes):
        partition = URIRef(f"{dataset}#class-{index}")
        graph.add((dataset, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], URIRef(cls)))
        graph.add((partition, VOID.entities, Literal(entities, datatype=XSD.integer)))
    for index, (prop, triples) in enumerate(statistics.properties):
        partition = URIRef(f"{dataset}#property-{index}")
        graph.add((dataset, VOID.propertyPartition, partition))
        graph.add((partition, VOID.property, URIRef(prop)))
        graph.add((partition, VOID.triples, Literal(triples, datatype=XSD.integer)))
    for key, prop, triples in statistics.links:
        title, namespace = LINK_TARGETS[key]
        target = URIRef(f"{dataset}#target-{key}")
        linkset = URIRef(f"{dataset}#linkset-{key}-{prop.rsplit('#', 1)[-1].rsplit('/', 1)[-1]}")
        graph.add((target, RDF.type, VOID.Dataset))
        graph.add((target, DCTERMS.title, Literal(title, lang="en")))
        graph.add((target, VOID.uriSpace, Literal(namespace)))
        graph.add((linkset, RDF.type, VOID.Linkset))
        graph.add((linkset, VOID.subjectsTarget, dataset))
        graph.add((linkset, VOID.objectsTarget, target))
        graph.add((linkset, VOID.linkPredicate, URIRef(prop)))
        graph.add((linkset, VOID.triples, Literal(triples, datatype=XSD.integer)))
        graph.add((dataset, VOID.subset, linkset))
    return graph
