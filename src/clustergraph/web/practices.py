"""``/practices`` (the searchable, faceted practice index) and ``/api/practices`` (the same as JSON).

The index is built from the store once per build and kept until the store points at another build. Every
filter lives in the URL (``q``, and one parameter per facet, repeatable), so a view can be shared as a link.
"""

from __future__ import annotations

from collections.abc import Iterable
from threading import Lock
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response

from rdflib.namespace import DCTERMS

from clustergraph.practice_index import FACETS, Hit, PracticeIndex, SearchError, SearchResult, build_index
from clustergraph.vocab import CG
from clustergraph.web.deps import Endpoint, EndpointDep
from clustergraph.web.representation import html_response, not_modified, not_modified_response, page_headers
from clustergraph.web.templates import render
from clustergraph.web.urls import Urls

router = APIRouter()
PARAMETERS = ("q", *FACETS)
OVERVIEW = f"""PREFIX cg: <{CG._NS}>
PREFIX dct: <{DCTERMS}>
SELECT ?practice ?title ?owner WHERE {{ ?practice a cg:GoodPractice ; dct:title ?title ; cg:owner ?owner }}
ORDER BY ?practice"""
_indexes: dict[str, PracticeIndex] = {}
_lock = Lock()


def practice_index(endpoint: Endpoint) -> PracticeIndex:
    """The index of the build the store serves now (built on first use, blocking)."""
    build_id = endpoint.build_id()
    with _lock:
        if build_id not in _indexes:
            _indexes.clear()
            _indexes[build_id] = build_index(endpoint.select_values)
        return _indexes[build_id]


def read_parameters(request: Request) -> tuple[str, dict[str, list[str]]]:
    """The search text and the facet filters of a request.

    Raises
    ------
    SearchError
        For a parameter the index does not know or a repeated ``q``.
    """
    query = request.query_params.getlist("q")
    if len(query) > 1:
        raise SearchError("send at most one 'q' parameter")
    filters: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        if name not in PARAMETERS:
            raise SearchError(f"unknown parameter '{name}'; use {', '.join(PARAMETERS)}")
        if name != "q" and value:
            filters.setdefault(name, []).append(value)
    return (query[0].strip() if query else ""), filters


async def _search(request: Request, endpoint: Endpoint) -> SearchResult:
    query, filters = read_parameters(request)
    index = await run_in_threadpool(practice_index, endpoint)
    return index.search(query, filters)


@router.api_route("/practice", methods=["GET", "HEAD"], include_in_schema=False)
@router.api_route("/practice/", methods=["GET", "HEAD"], include_in_schema=False)
async def practice_root(request: Request) -> RedirectResponse:
    """The practices' common path leads to their index (permanently, keeping any filters)."""
    target = "/practices" + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(target, status_code=308)


@router.api_route("/practices", methods=["GET", "HEAD"])
async def practices(request: Request, endpoint: EndpointDep) -> Response:
    """The practice index for people: a search box, facets with counts and one card per practice."""
    headers = page_headers(request, endpoint, "text/html")
    if not_modified(request, headers):
        return not_modified_response(headers)
    result = await _search(request, endpoint)
    facets = [(name, FACETS[name], [(value, toggle_url(result, name, value.key)) for value in values])
              for name, values in result.facets.items() if values]
    urls = Urls(endpoint.settings.base_iri)
    cards = [card(hit, urls) for hit in result.hits]
    body = render("practices.html", title="Practices", result=result, facets=facets, cards=cards,
                  clear_url=toggle_url(result, None, None), alternates={"application/json": api_url(request)},
                  query_link=Urls.editor(OVERVIEW))
    return html_response(body, headers)


@router.api_route("/api/practices", methods=["GET", "HEAD"])
async def practices_api(request: Request, endpoint: EndpointDep) -> Response:
    """The practice index as JSON: ``hits`` best first and ``facets`` with their counts."""
    headers = page_headers(request, endpoint, "application/json")
    if not_modified(request, headers):
        return not_modified_response(headers)
    result = await _search(request, endpoint)
    urls = Urls(endpoint.settings.base_iri)
    return JSONResponse({
        "query": result.query,
        "filters": result.filters,
        "total": len(result.hits),
        "hits": [{"iri": hit.practice.iri, "page": urls.link_for(hit.practice.iri),
                  "sectionId": hit.practice.section_id, "title": hit.practice.title, "score": hit.score,
                  "owner": {"iri": hit.practice.owner, "label": hit.practice.owner_label},
                  "snippet": hit.snippet, "highlights": hit.marks, "titleHighlights": hit.title_marks,
                  "facets": {name: sorted(keys) for name, keys in hit.practice.facets.items()}}
                 for hit in result.hits],
        "facets": {name: [{"key": v.key, "label": v.label, "count": v.count, "selected": v.selected}
                          for v in values] for name, values in result.facets.items()},
    }, headers=headers)


def api_url(request: Request) -> str:
    """The JSON twin of an index page."""
    return "/api/practices" + (f"?{request.url.query}" if request.url.query else "")


def toggle_url(result: SearchResult, name: str | None, key: str | None) -> str:
    """The index URL with one facet value switched on or off (``name`` None: every filter cleared)."""
    pairs: list[tuple[str, str]] = [("q", result.query)] if result.query else []
    if name is None:
        return "/practices" + (f"?{urlencode(pairs)}" if pairs else "")
    for facet, keys in result.filters.items():
        pairs += [(facet, k) for k in keys if not (facet == name and k == key)]
    if key not in result.filters.get(name, ()):
        pairs.append((name, key or ""))
    return "/practices" + (f"?{urlencode(pairs)}" if pairs else "")


def card(hit: Hit, urls: Urls) -> dict[str, object]:
    """What a result card shows: the title and a snippet, each as (text, matched) pieces."""
    return {"hit": hit, "href": urls.link_for(hit.practice.iri), "owner_href": urls.link_for(hit.practice.owner),
            "title": pieces(hit.practice.title, hit.title_marks), "snippet": pieces(hit.snippet, hit.marks)}


def pieces(text: str, marks: Iterable[tuple[int, int]]) -> list[tuple[str, bool]]:
    """``text`` cut at the matched spans, so a template can wrap matches in ``<mark>`` with escaping intact.

    >>> pieces("green hydrogen valley", [(6, 14)])
    [('green ', False), ('hydrogen', True), (' valley', False)]
    """
    out: list[tuple[str, bool]] = []
    position = 0
    for start, end in sorted(marks):
        if start < position:
            continue
        if start > position:
            out.append((text[position:start], False))
        out.append((text[start:end], True))
        position = end
    if position < len(text):
        out.append((text[position:], False))
    return out
