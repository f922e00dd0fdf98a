"""Dereferenceable IRIs: HTML for people, Turtle / JSON-LD / N-Triples by content negotiation, 404 if unknown.

Every IRI under the base answers at its own path; ``.ttl``, ``.jsonld`` and ``.nt`` suffixes name one format
explicitly. Practices, organisations, programmes and projects get a page that summarises them (see
``entities``); any other IRI a table of its statements. IRIs the store does not hold but the server publishes
(the dataset, the catalogue's publisher and service, the named graphs) are described from the DCAT-AP catalogue
or from the store's own graph list.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import ORG, RDF, RDFS, SKOS, VOID
from rdflib.term import Node

from clustergraph.errors import NotFound
from clustergraph.publish import catalogue_graph
from clustergraph.vocab import CG
from clustergraph.web import entities
from clustergraph.web.deps import Endpoint, EndpointDep
from clustergraph.web.description import SD
from clustergraph.web.representation import (choose, construct, html_response, not_modified, not_modified_response,
                                             page_headers, rdf_response)
from clustergraph.web.shown import Rows, show, value
from clustergraph.web.templates import render
from clustergraph.web.urls import RDF_SUFFIXES, Urls

router = APIRouter()
LABEL = f"<{RDFS.label}>|<{SKOS.prefLabel}>"
# The kinds with a summary page: (type IRI, template, context function, heading of the kind).
KINDS = ((str(CG.GoodPractice), "practice.html", entities.practice, "Good practice"),
         (str(ORG.Organization), "organisation.html", entities.organisation, "Organisation"),
         (str(CG.Programme), "programme.html", entities.programme, "Programme"),
         (str(CG.Project), "project.html", entities.project, "Project"))
# Statement nodes that point at an entity: summarised on its page, so left out of its "incoming links".
STATEMENT_TYPES = " ".join(f"<{CG[name]}>" for name in ("Collaboration", "Participation", "Funding", "Relation",
                                                       "ProgrammeAffiliation", "ProgrammeMention", "Placement"))


@router.api_route("/{path:path}", methods=["GET", "HEAD"])
async def resource(path: str, request: Request, endpoint: EndpointDep) -> Response:
    """Any IRI under the base: its description, or 404 when neither the graph nor the server knows it."""
    suffix = next((s for s in RDF_SUFFIXES if path.endswith(s)), None)
    if suffix:
        path = path[: -len(suffix)]
    media_type = choose(request, RDF_SUFFIXES[suffix] if suffix else None)
    urls = Urls(endpoint.settings.base_iri)
    iri = urls.iri_for(path)
    if iri is None:
        raise NotFound(f"/{path} is not the path of an IRI")
    headers = page_headers(request, endpoint, media_type)
    if not_modified(request, headers):
        return not_modified_response(headers)
    graph = await run_in_threadpool(construct, endpoint, f"""
        CONSTRUCT {{ <{iri}> ?p ?o . ?s ?q <{iri}> }} WHERE {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?q <{iri}> }} }}""")
    if not len(graph):
        graph = await run_in_threadpool(published_description, endpoint, endpoint.public_url(request), iri)
        if not len(graph):
            raise NotFound(f"nothing is known about <{iri}>")
        if media_type != "text/html":
            return rdf_response(graph, media_type, headers)
        return html_response(_graph_html(urls, iri, path, graph), headers)
    if media_type != "text/html":
        return rdf_response(graph, media_type, headers)
    body = await run_in_threadpool(resource_html, endpoint, urls, iri, path)
    return html_response(body, headers)


def published_description(endpoint: Endpoint, public_url: str, iri: str) -> Graph:
    """What the server publishes about an IRI the store does not hold: the catalogue's statements about it (and
    its fragments), or, for a named graph, its type and size."""
    found = Graph()
    catalogue = catalogue_graph(endpoint.settings, endpoint.select_values, public_url)
    for s, p, o in catalogue:
        if str(s) == iri or str(s).startswith(iri + "#"):
            found.add((s, p, o))
    rows = endpoint.select_values(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")
    triples = int(rows[0]["n"]) if rows else 0
    if triples:
        found.add((URIRef(iri), RDF.type, SD.NamedGraph))
        found.add((URIRef(iri), VOID.triples, Literal(triples)))
    return found


def resource_html(endpoint: Endpoint, urls: Urls, iri: str, path: str) -> str:
    """The page of an IRI the store describes: a summary for the main kinds, then all its statements."""
    outgoing = endpoint.select(f"""
        SELECT ?p (SAMPLE(?pl) AS ?plabel) ?o (SAMPLE(?ol) AS ?olabel) WHERE {{
          <{iri}> ?p ?o OPTIONAL {{ ?p {LABEL} ?pl }} OPTIONAL {{ ?o {LABEL} ?ol }} }}
        GROUP BY ?p ?o ORDER BY ?p ?o""")
    incoming = endpoint.select(f"""
        SELECT ?s (SAMPLE(?sl) AS ?slabel) ?p (SAMPLE(?pl) AS ?plabel) WHERE {{
          ?s ?p <{iri}> FILTER NOT EXISTS {{ ?s a ?statement VALUES ?statement {{ {STATEMENT_TYPES} }} }}
          OPTIONAL {{ ?s {LABEL} ?sl }} OPTIONAL {{ ?p {LABEL} ?pl }} }}
        GROUP BY ?s ?p ORDER BY ?p ?s LIMIT 500""")
    types = {value(row, "o") for row in outgoing if value(row, "p").endswith("#type")}
    kind = next((k for k in KINDS if k[0] in types), None)
    context: dict[str, Any] = kind[2](endpoint.select, urls, iri) if kind else {}
    return render(kind[1] if kind else "entity.html", **page_context(urls, iri, path, outgoing, incoming),
                  kind=kind[3] if kind else "", **context)


def page_context(urls: Urls, iri: str, path: str, outgoing: Rows, incoming: Rows) -> dict[str, Any]:
    """What every entity page shows: label, types, formats, the "query this" link and all statements."""
    label = next((value(row, "o") for row in outgoing
                  if value(row, "p").endswith(("#label", "#prefLabel", "/title", "/name"))), path)
    return {
        "title": label, "iri": iri,
        "types": [show(urls, row, "o", "olabel") for row in outgoing if value(row, "p").endswith("#type")],
        "alternates": {media: f"/{path}{suffix}" for suffix, media in RDF_SUFFIXES.items()},
        "query_link": Urls.editor(f"DESCRIBE <{iri}>"),
        "outgoing": [(show(urls, row, "p", "plabel"), show(urls, row, "o", "olabel")) for row in outgoing],
        "incoming": [(show(urls, row, "s", "slabel"), show(urls, row, "p", "plabel")) for row in incoming],
    }


def _graph_html(urls: Urls, iri: str, path: str, graph: Graph) -> str:
    """The page of an IRI described by a graph the server builds (the catalogue's or a named graph's)."""
    outgoing = [{"p": _binding(p), "o": _binding(o)} for p, o in sorted(graph.predicate_objects(URIRef(iri)))]
    context = page_context(urls, iri, path, outgoing, [])
    # The store does not hold the catalogue's resources, so only a named graph has a query that fits.
    named = (URIRef(iri), RDF.type, SD.NamedGraph) in graph
    context["query_link"] = (Urls.editor(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }} LIMIT 100")
                             if named else None)
    return render("entity.html", kind="", **context)


def _binding(term: Node) -> dict[str, str]:
    """An rdflib term as a SPARQL JSON binding."""
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, Literal):
        binding = {"type": "literal", "value": str(term)}
        if term.language:
            binding["xml:lang"] = term.language
        elif term.datatype:
            binding["datatype"] = str(term.datatype)
        return binding
    return {"type": "bnode", "value": str(term)}

