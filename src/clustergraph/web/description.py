"""The SPARQL 1.1 Service Description returned by a plain GET of the endpoint (Turtle, JSON-LD or HTML)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from clustergraph.web.conneg import content_type, negotiate
from clustergraph.web.deps import Endpoint
from clustergraph.web.templates import render

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "RDF_XML", "JSON-LD", "N-Quads", "TriG")
DESCRIPTION_TYPES = ("text/turtle", "application/ld+json", "text/html", "application/n-triples",
                     "application/rdf+xml")


def endpoint_url(request: Request, endpoint: Endpoint) -> str:
    """The endpoint's public URL."""
    return endpoint.public_url(request) + "/sparql"


def describe_service(url: str, endpoint: Endpoint, named_graphs: list[str]) -> Graph:
    """The service description graph of this endpoint."""
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("formats", FORMATS)
    service = URIRef(url + "#service")
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, URIRef(url)))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, RDFS.label, Literal("ClusterGraph SPARQL endpoint (read-only)", lang="en")))
    graph.add((service, DCTERMS.description, Literal(
        f"Read-only SPARQL 1.1 endpoint over the ClusterGraph knowledge graph. Queries time out after "
        f"{endpoint.settings.query_timeout:g} s; results are capped at {endpoint.settings.max_result_rows} rows "
        "(signalled by the X-Result-Truncated header); SERVICE is not allowed.", lang="en")))
    for name in RESULT_FORMATS:
        graph.add((service, SD.resultFormat, FORMATS[name]))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    dataset = BNode("dataset")
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    default_graph = BNode("defaultGraph")
    graph.add((dataset, SD.defaultGraph, default_graph))
    graph.add((default_graph, RDF.type, SD.Graph))
    for iri in named_graphs:
        named = BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(iri)))
    return graph


async def service_description(request: Request, endpoint: Endpoint) -> Response:
    """Answer a plain GET of the endpoint in the format the client prefers (Turtle by default)."""
    url = endpoint_url(request, endpoint)
    graph = describe_service(url, endpoint, await endpoint.named_graphs())
    media_type = negotiate(request.headers.get("accept"), DESCRIPTION_TYPES) or "text/turtle"
    headers = {"Vary": "Accept", "Cache-Control": "public, max-age=300"}
    if media_type == "text/html":
        return Response(_html(url, graph), media_type=content_type("text/html"), headers=headers)
    rdf_format = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt",
                  "application/rdf+xml": "xml"}[media_type]
    return Response(graph.serialize(format=rdf_format), media_type=content_type(media_type), headers=headers)


def _html(url: str, graph: Graph) -> str:
    formats = [str(f).rsplit("/", 1)[1] for f in sorted(graph.objects(None, SD.resultFormat), key=str)]
    return render("service.html", title="SPARQL endpoint", url=url, formats=formats,
                  turtle=graph.serialize(format="turtle"), alternates={})
