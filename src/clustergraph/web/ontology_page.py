"""``/ontology``: documentation generated from the ontology's own labels and comments, or its RDF."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from clustergraph.errors import NotFound
from clustergraph.vocab import ONTOLOGY_IRI, bind_prefixes
from clustergraph.web.deps import EndpointDep
from clustergraph.web.representation import (choose, construct, html_response, not_modified, not_modified_response,
                                             page_headers, rdf_response)
from clustergraph.web.templates import render
from clustergraph.web.urls import Urls

router = APIRouter()
KINDS = ((OWL.Class, "Classes"), (OWL.ObjectProperty, "Object properties"),
         (OWL.DatatypeProperty, "Datatype properties"))
FACTS = (("subclass of", RDFS.subClassOf), ("subproperty of", RDFS.subPropertyOf), ("domain", RDFS.domain),
         ("range", RDFS.range))


@dataclass(frozen=True)
class TermDoc:
    """What the documentation says about one class or property."""

    name: str
    label: str
    comment: str
    facts: tuple[tuple[str, str], ...]


@router.api_route("/ontology", methods=["GET", "HEAD"])
@router.api_route("/ontology.ttl", methods=["GET", "HEAD"], include_in_schema=False)
async def ontology(request: Request, endpoint: EndpointDep) -> Response:
    """The ontology: HTML documentation for browsers, its Turtle (or JSON-LD, N-Triples) for machines."""
    media_type = choose(request, "text/turtle" if request.url.path.endswith(".ttl") else None)
    headers = page_headers(request, endpoint, media_type)
    if not_modified(request, headers):
        return not_modified_response(headers)
    graph = await run_in_threadpool(construct, endpoint, f"""
        CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{ONTOLOGY_IRI}")) }}""")
    if not len(graph):
        raise NotFound("the ontology is not in the store")
    if media_type != "text/html":
        return rdf_response(graph, media_type, headers)
    return html_response(ontology_html(graph), headers)


def ontology_html(graph: Graph) -> str:
    """Documentation generated from the ontology's own labels and comments."""
    bind_prefixes(graph)
    sections = [(heading, document_terms(graph, kind)) for kind, heading in KINDS]
    intro = str(graph.value(URIRef(ONTOLOGY_IRI), RDFS.comment) or "")
    return render("ontology.html", title="Ontology", iri=ONTOLOGY_IRI, intro=intro, sections=sections,
                  alternates={"text/turtle": "/ontology.ttl"},
                  query_link=Urls.editor(f"DESCRIBE <{ONTOLOGY_IRI}>"))


def document_terms(graph: Graph, kind: URIRef) -> list[TermDoc]:
    """The ontology's own terms of one kind (class, object or datatype property), by name."""
    found = []
    for subject in sorted(graph.subjects(RDF.type, kind), key=str):
        if not str(subject).startswith(ONTOLOGY_IRI + "#"):
            continue
        facts = tuple((label, graph.qname(str(value))) for label, prop in FACTS
                      if (value := graph.value(subject, prop)) is not None)
        found.append(TermDoc(str(subject).split("#", 1)[1], str(graph.value(subject, RDFS.label) or ""),
                             str(graph.value(subject, RDFS.comment) or ""), facts))
    return found
