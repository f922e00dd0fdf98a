"""``/catalog`` (the DCAT-AP catalogue, by content negotiation or suffix) and ``/dumps/<file>`` (the dumps)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, Response

from clustergraph.dumps import FORMATS
from clustergraph.errors import NotFound
from clustergraph.publish import catalogue_graph, dumps_dir
from clustergraph.web.conneg import content_type, negotiate
from clustergraph.web.deps import EndpointDep
from clustergraph.web.errors import ProtocolError
from clustergraph.web.templates import render

router = APIRouter()
CATALOGUE_TYPES = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/ld+json": "json-ld"}
SUFFIXES = {".ttl": "text/turtle", ".rdf": "application/rdf+xml", ".jsonld": "application/ld+json"}


@router.api_route("/catalog", methods=["GET", "HEAD"])
@router.api_route("/catalog{suffix}", methods=["GET", "HEAD"], include_in_schema=False)
async def catalog(request: Request, endpoint: EndpointDep, suffix: str = "") -> Response:
    """The DCAT-AP 3 catalogue as Turtle, RDF/XML or JSON-LD; a page showing its Turtle for browsers."""
    if suffix and suffix not in SUFFIXES:
        raise NotFound(f"no catalogue format {suffix}; use {', '.join(SUFFIXES)}")
    offered = (*CATALOGUE_TYPES, "text/html")
    media_type = SUFFIXES.get(suffix) or negotiate(request.headers.get("accept"), offered)
    if media_type is None:
        raise ProtocolError(f"the catalogue is available as {', '.join(offered)}", 406)
    graph = await run_in_threadpool(catalogue_graph, endpoint.settings, endpoint.select_values,
                                    endpoint.public_url(request))
    if media_type == "text/html":
        page = render("catalog.html", title="Data catalogue", turtle=graph.serialize(format="turtle"),
                      alternates={media: f"/catalog{s}" for s, media in SUFFIXES.items()})
        return Response(page, media_type=content_type("text/html"), headers={"Vary": "Accept"})
    body = graph.serialize(format=CATALOGUE_TYPES[media_type], encoding="utf-8")
    return Response(body, media_type=content_type(media_type), headers={"Vary": "Accept"})


@router.api_route("/dumps/{name}", methods=["GET", "HEAD"])
async def dump(name: str, endpoint: EndpointDep) -> FileResponse:
    """One dump file, as the catalogue lists it."""
    fmt = next((f for f in FORMATS if f.file_name == name), None)
    path = dumps_dir(endpoint.settings) / name
    if fmt is None or not path.exists():
        raise NotFound(f"no dump named {name}")
    media_type = "application/gzip" if fmt.gzipped else content_type(fmt.media_type)
    return FileResponse(path, media_type=media_type, filename=name,
                        headers={"Cache-Control": "public, max-age=60, must-revalidate"})
