"""The SPARQL 1.1 Protocol at ``/sparql``: GET, POST form and POST sparql-query lead to one handler.

Read-only unless the operator sets an update token: then a POSTed update with ``Authorization: Bearer
<token>`` is applied, and every other update is refused (403 when updates are off, 401 without the token).
The dataset of a query is, in order of precedence, the protocol's
``default-graph-uri``/``named-graph-uri``, the query's own FROM/FROM NAMED, or the union of the visible
graphs; in every case only graphs the public may see take part.
"""

from __future__ import annotations

import asyncio
import hmac
import re
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from clustergraph.query_runner import QueryJob
from clustergraph.sparql_guard import QUERY_FORMS, apply_using, inspect_request
from clustergraph.updates import update_graph
from clustergraph.web.caching import CACHE_CONTROL, if_none_match, representation_etag
from clustergraph.web.conneg import GRAPH_TYPES, SOLUTION_TYPES, content_type, from_format_parameter, negotiate
from clustergraph.web.deps import EndpointDep
from clustergraph.web.description import endpoint_url, service_description
from clustergraph.web.errors import ProtocolError

router = APIRouter()
FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
UPDATE_REFUSED = "SPARQL Update is not enabled: this endpoint is read-only"
# An absolute IRI (RFC 3987): a scheme, then characters an IRI may hold; the engine refuses anything else.
ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\]*")
IRI_PARAMETERS = ("default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri")
T = TypeVar("T")


@dataclass(frozen=True)
class ProtocolRequest:
    """The protocol's parameters, however they arrived."""

    query: str | None
    update: str | None
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    using_graphs: tuple[str, ...]
    using_named_graphs: tuple[str, ...]
    format: str | None


def _single(values: dict[str, list[str]], name: str) -> str | None:
    found = values.get(name, [])
    if len(found) > 1:
        raise ProtocolError(f"the request carries {len(found)} '{name}' parameters; send exactly one", 400)
    return found[0] if found else None


def _from_params(values: dict[str, list[str]], query: str | None = None) -> ProtocolRequest:
    for name in IRI_PARAMETERS:
        for value in values.get(name, []):
            if not ABSOLUTE_IRI.fullmatch(value):
                raise ProtocolError(f"'{name}' must be an absolute IRI; got {value[:200]!r}", 400)
    return ProtocolRequest(
        query=query if query is not None else _single(values, "query"),
        update=_single(values, "update"),
        default_graphs=tuple(values.get("default-graph-uri", [])),
        named_graphs=tuple(values.get("named-graph-uri", [])),
        using_graphs=tuple(values.get("using-graph-uri", [])),
        using_named_graphs=tuple(values.get("using-named-graph-uri", [])),
        format=_single(values, "format"),
    )


def _decode(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(f"the {what} is not UTF-8 (byte {exc.start})", 400) from exc


def _charset(request: Request) -> str:
    """The charset parameter of the request's Content-Type, lower-cased ('' when absent)."""
    for parameter in request.headers.get("content-type", "").split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return ""


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ProtocolError(f"the request body is {declared} bytes; this endpoint accepts at most {limit}", 413)
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ProtocolError(f"the request body exceeds {limit} bytes", 413)
    return body


@router.get("/sparql")
@router.get("/sparql/", include_in_schema=False)
async def sparql_get(request: Request, endpoint: EndpointDep) -> Response:
    """Query by GET; with no query, the service description."""
    values = parse_qs(request.url.query, keep_blank_values=True)
    call = _from_params(values)
    if call.update is not None:
        raise ProtocolError("SPARQL Update cannot be sent by GET; use POST", 400)
    if call.query is None:
        return await service_description(request, endpoint)
    return await _answer(request, endpoint, call)


@router.post("/sparql")
@router.post("/sparql/", include_in_schema=False)
async def sparql_post(request: Request, endpoint: EndpointDep) -> Response:
    """Query by POST, URL-encoded form or ``application/sparql-query``; updates are refused."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    url_values = parse_qs(request.url.query, keep_blank_values=True)
    limit = endpoint.settings.max_query_bytes * 2
    if media_type in (FORM, SPARQL_QUERY, SPARQL_UPDATE) and _charset(request) not in ("", "utf-8", "utf8"):
        raise ProtocolError(f"charset {_charset(request)} is not supported; send UTF-8", 415)
    if media_type == FORM:
        body = _decode(await _read_body(request, limit), "form body")
        values = parse_qs(body, keep_blank_values=True)
        for name, found in url_values.items():
            values.setdefault(name, []).extend(found)
        call = _from_params(values)
    elif media_type == SPARQL_QUERY:
        if "query" in url_values:
            raise ProtocolError("a sparql-query body and a 'query' parameter: send one query", 400)
        call = _from_params(url_values, _decode(await _read_body(request, limit), "query"))
    elif media_type == SPARQL_UPDATE:
        if "update" in url_values:
            raise ProtocolError("a sparql-update body and an 'update' parameter: send one update", 400)
        call = _from_params(url_values)
        return await _apply_update(request, endpoint, call,
                                   _decode(await _read_body(request, limit), "update"))
    elif not media_type:
        raise ProtocolError(f"a POST needs a Content-Type: {FORM} or {SPARQL_QUERY}", 400)
    else:
        raise ProtocolError(f"Content-Type {media_type} is not supported; use {FORM} or {SPARQL_QUERY}", 415)
    if call.update is not None:
        if call.query is not None:
            raise ProtocolError("a request carries either a query or an update, not both", 400)
        return await _apply_update(request, endpoint, call, call.update)
    if call.query is None:
        raise ProtocolError("the request has no 'query' parameter", 400)
    return await _answer(request, endpoint, call)


async def _apply_update(request: Request, endpoint: EndpointDep, call: ProtocolRequest, update: str) -> Response:
    """Apply an update when the operator turned updates on and the caller shows the token."""
    settings = endpoint.settings
    token = settings.update_token
    if token is None:
        raise ProtocolError(UPDATE_REFUSED, 403)
    given = request.headers.get("authorization", "")
    if not hmac.compare_digest(given.encode("utf-8"), f"Bearer {token.get_secret_value()}".encode("utf-8")):
        raise ProtocolError("updates need 'Authorization: Bearer <token>' with the operator's token", 401)
    inspected = inspect_request(update, settings.max_query_bytes, settings.max_query_depth)
    if inspected.form in QUERY_FORMS:
        raise ProtocolError("this is a query, not an update; send it as 'query'", 400)
    for source in inspected.loads:
        if not any(source.startswith(f"<{allowed}") for allowed in settings.load_sources):
            raise ProtocolError(f"LOAD {source[:200]} is refused: this server fetches only from the sources the "
                                "operator lists in CLUSTERGRAPH_LOAD_SOURCES", 403)
    text = apply_using(update, call.using_graphs, call.using_named_graphs)
    await run_in_threadpool(update_graph, settings, text, endpoint_url(request, endpoint))
    endpoint.cache.clear()
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


async def _answer(request: Request, endpoint: EndpointDep, call: ProtocolRequest) -> Response:
    assert call.query is not None
    settings = endpoint.settings
    inspected = inspect_request(call.query, settings.max_query_bytes, settings.max_query_depth)
    if inspected.form == "UPDATE":
        raise ProtocolError("this is a SPARQL Update, not a query; " + UPDATE_REFUSED, 400)
    offered = GRAPH_TYPES if inspected.is_graph else SOLUTION_TYPES
    if call.format:
        media_type = from_format_parameter(call.format, offered)
        if media_type is None:
            raise ProtocolError(f"format '{call.format}' is not available for this query; "
                                f"choose one of {', '.join(offered)}", 406)
    else:
        media_type = negotiate(request.headers.get("accept"), offered)
        if media_type is None:
            raise ProtocolError(f"none of the accepted types is available; this query can be answered as "
                                f"{', '.join(offered)}", 406)
    if call.default_graphs or call.named_graphs:  # the protocol's dataset overrides the query's
        default, named = call.default_graphs, call.named_graphs
    else:
        default, named = None, None  # the query's own FROM, else the union of the graphs
    job = QueryJob(call.query, media_type, default, named, settings.max_result_rows,
                   endpoint_url(request, endpoint))
    build_id = endpoint.build_id()
    etag = representation_etag(build_id, request.url.path, repr(job), media_type)
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL, "Vary": "Accept"}
    if if_none_match(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    client = request.client.host if request.client else "unknown"
    try:
        answer = await _unless_gone(request, endpoint.run(job, client, build_id))
    except ClientGone:
        return Response(status_code=408, headers={"Cache-Control": "no-store"})  # nobody is left to read it
    if answer.cut_by == "rows":
        headers["X-Result-Truncated"] = f"true; the first {settings.max_result_rows} results are shown"
    elif answer.cut_by == "bytes":
        headers["X-Result-Truncated"] = (f"true; the first {answer.rows} results are shown, the most that fit "
                                         f"in {settings.max_response_bytes} bytes")
    return Response(answer.body, media_type=content_type(media_type), headers=headers)


class ClientGone(Exception):
    """The client closed the connection before its answer was ready."""


async def _unless_gone(request: Request, work: Awaitable[T]) -> T:
    """Await ``work`` while watching the connection; if the client goes away, cancel it (stopping the query).

    Raises
    ------
    ClientGone
        If the client disconnected first (nobody is left to answer).
    """
    task = asyncio.ensure_future(work)

    async def disconnected() -> None:
        while (await request.receive())["type"] != "http.disconnect":
            pass

    watcher = asyncio.ensure_future(disconnected())
    try:
        await asyncio.wait({task, watcher}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        watcher.cancel()
    if not task.done():
        task.cancel()
        raise ClientGone()
    return task.result()
