"""``/.well-known/void``: the VoID description of the dataset, computed from what the endpoint serves."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from clustergraph.dumps import describe_dumps
from clustergraph.errors import NotFound
from clustergraph.identity import Iris
from clustergraph.publish import dumps_dir
from clustergraph.void import gather_statistics, void_description
from clustergraph.web.deps import EndpointDep
from clustergraph.web.representation import (choose, html_response, not_modified, not_modified_response,
                                             page_headers, rdf_response, serialise)
from clustergraph.web.templates import render
from clustergraph.web.urls import RDF_SUFFIXES

router = APIRouter()
ALTERNATES = {media: f"/.well-known/void{suffix}" for suffix, media in RDF_SUFFIXES.items()}


@router.api_route("/.well-known/void", methods=["GET", "HEAD"])
@router.api_route("/.well-known/void{suffix}", methods=["GET", "HEAD"], include_in_schema=False)
async def void(request: Request, endpoint: EndpointDep, suffix: str = "") -> Response:
    """The VoID description: HTML for browsers, Turtle / JSON-LD / N-Triples by content negotiation or suffix."""
    if suffix and suffix not in RDF_SUFFIXES:
        raise NotFound(f"no VoID format {suffix}; use {', '.join(RDF_SUFFIXES)}")
    media_type = choose(request, RDF_SUFFIXES.get(suffix))
    headers = page_headers(request, endpoint, media_type)
    if not_modified(request, headers):
        return not_modified_response(headers)
    statistics = await run_in_threadpool(gather_statistics, endpoint.select_values)
    root = endpoint.public_url(request)
    dumps = tuple(f"{root}/dumps/{dump.format.file_name}" for dump in describe_dumps(dumps_dir(endpoint.settings)))
    graph = void_description(statistics, Iris(endpoint.settings.base_iri).dataset(), endpoint.settings.base_iri,
                             root + "/sparql", dumps)
    if media_type != "text/html":
        return rdf_response(graph, media_type, headers)
    body = render("void.html", title="VoID", statistics=statistics,
                  turtle=serialise(graph, "text/turtle").decode("utf-8"), alternates=ALTERNATES)
    return html_response(body, headers)
