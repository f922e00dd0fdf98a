"""One resource, several representations: choosing HTML or an RDF format, the page ETag, and RDF serialisation.

Shared by every page router (entities, places, the practice index, VoID, the ontology) so they negotiate and
answer conditional requests the same way.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from rdflib import Graph

from clustergraph.query_runner import QueryJob
from clustergraph.vocab import bind_prefixes
from clustergraph.web.caching import CACHE_CONTROL, if_none_match, representation_etag
from clustergraph.web.conneg import content_type, negotiate
from clustergraph.web.deps import Endpoint
from clustergraph.web.errors import ProtocolError

PAGE_TYPES = ("text/turtle", "text/html", "application/ld+json", "application/n-triples")
RDFLIB_FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt"}


def page_headers(request: Request, endpoint: Endpoint, media_type: str) -> dict[str, str]:
    """ETag (code, build, path, query and media type: one representation), Vary and Cache-Control of a page."""
    etag = representation_etag(endpoint.build_id(), request.url.path, request.url.query, media_type)
    return {"ETag": etag, "Vary": "Accept", "Cache-Control": CACHE_CONTROL}


def not_modified(request: Request, headers: dict[str, str]) -> bool:
    """Whether the request's ``If-None-Match`` matches the ETag in ``headers``."""
    return if_none_match(request.headers.get("if-none-match"), headers["ETag"])


def choose(request: Request, suffix_type: str | None, offered: tuple[str, ...] = PAGE_TYPES) -> str:
    """The representation to send: the one a suffix names, else the client's preference; 406 when none fits."""
    if suffix_type:
        return suffix_type
    chosen = negotiate(request.headers.get("accept"), offered)
    if chosen is None:
        raise ProtocolError(f"this resource is available as {', '.join(offered)}", 406)
    return chosen


def serialise(graph: Graph, media_type: str) -> bytes:
    """``graph`` in one of the RDF page formats, with the project's prefixes."""
    return bind_prefixes(graph).serialize(format=RDFLIB_FORMATS[media_type], encoding="utf-8")


def construct(endpoint: Endpoint, query: str) -> Graph:
    """The graph a CONSTRUCT query answers, blocking (call in a worker thread)."""
    answer = endpoint.answer(QueryJob(query, "application/n-triples", max_rows=100_000))
    return Graph().parse(data=answer.body.decode("utf-8"), format="nt")


def rdf_response(graph: Graph, media_type: str, headers: dict[str, str]) -> Response:
    """An RDF representation of ``graph``."""
    return Response(serialise(graph, media_type), media_type=content_type(media_type), headers=headers)


def html_response(body: str, headers: dict[str, str]) -> Response:
    """An HTML page."""
    return Response(body, media_type=content_type("text/html"), headers=headers)


def not_modified_response(headers: dict[str, str]) -> Response:
    """304 with the page's headers."""
    return Response(status_code=304, headers=headers)
