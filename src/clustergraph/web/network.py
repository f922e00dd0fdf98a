"""The network for analysts: ``/api/network`` (JSON, GEXF, GraphML, CSV, VOSviewer, PNG) and the ``/network`` page.

Both read the collaboration network through the endpoint's workers (``Endpoint.select_values``), so they see
what the SPARQL endpoint serves, and the collaborations from the table the build of that data wrote beside an
embedded store (``network/table``), which holds the same. Analyses are kept per build and filters in a small
cache: the page asks for the JSON and then the downloads of the same view. ETag and Cache-Control come from the
ETag middleware. The page reads its filters with the API's resolution (``resolve_filters``), so a link shows in
the form the view the API answers for it.
"""

from __future__ import annotations

import io
import json
import re
import threading
import zipfile
from collections import OrderedDict
from dataclasses import asdict

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from clustergraph.errors import UnknownFilter
from clustergraph.network.analysis import GRAPHS, Analysis, analyse
from clustergraph.network.exports import FORMATS, node_link
from clustergraph.network.extract import Filters, Option, filter_options, resolve_filters
from clustergraph.network.table import read_table
from clustergraph.web.conneg import content_type
from clustergraph.web.deps import Endpoint, EndpointDep
from clustergraph.web.errors import ProtocolError, status_of
from clustergraph.web.templates import render
from clustergraph.web.urls import Urls

router = APIRouter()
MEDIA_TYPES = {"json": "application/json", "gexf": "application/gexf+xml", "graphml": "application/graphml+xml",
               "png": "image/png", "csv": "application/zip", "vosviewer": "application/zip"}
TYPES = ("all", "clusters")
FILTERS = ("programme", "country", "ecosystem", "practice")
COLOURS = ("community", "country")
CACHE_ENTRIES = 32
_cache: OrderedDict[tuple[str, str, Filters], Analysis] = OrderedDict()
_cache_lock = threading.Lock()


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ProtocolError(f"{name} must be one of {', '.join(allowed)}, not '{value}'", 400)
    return value


def _filters(programme: str | None, country: str | None, ecosystem: str | None, practice: str | None,
             kind: str) -> Filters:
    """The view a request asks for, as typed (an empty value is no filter); the page and the API read it alike.

    >>> _filters("COSME", "", None, None, "clusters")
    Filters(programme='COSME', country=None, ecosystem=None, practice=None, clusters_only=True)
    """
    return Filters(programme or None, country or None, ecosystem or None, practice or None,
                   clusters_only=_choice("type", kind, TYPES) == "clusters")


def _chosen(endpoint: Endpoint, filters: Filters, options: dict[str, list[Option]]) -> dict[str, str]:
    """The option each filter's select shows: the one whose IRI the typed value resolves to, by the resolution
    ``/api/network`` uses (ids, labels and codes alike); blocking.

    A value that resolves to something the form does not offer (a country without collaborations) gets an
    option of its own, so the select never shows "all" for a filter that is in force.

    Raises
    ------
    UnknownFilter
        If a value names nothing in the graph, or more than one thing.
    """
    scope = resolve_filters(endpoint.select_values, filters)
    chosen = {}
    for name in FILTERS:
        iri = getattr(scope, name)
        if iri is None:
            continue
        option = next((option for option in options[name] if option.iri == iri), None)
        if option is None:
            option = Option(getattr(filters, name), scope.names.get(name, iri), iri=iri)
            options[name].insert(0, option)
        chosen[name] = option.value
    return chosen


def _analysis(endpoint: Endpoint, filters: Filters) -> Analysis:
    """The analysis of one view, from the cache when this build has already answered it; blocking."""
    build_id = endpoint.build_id()
    key = (str(endpoint.settings.store_dir), build_id, filters)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    analysis = analyse(endpoint.select_values, filters, read_table(endpoint.backend.local_generation(build_id)))
    with _cache_lock:
        _cache[key] = analysis
        while len(_cache) > CACHE_ENTRIES:
            _cache.popitem(last=False)
    return analysis


def _stem(filters: Filters) -> str:
    """A file name for the view: ``network`` plus the filter values, safe for any file system.

    >>> _stem(Filters(programme="COSME", clusters_only=True))
    'network-cosme-clusters'
    """
    parts = [filters.programme, filters.country, filters.ecosystem, filters.practice,
             "clusters" if filters.clusters_only else None]
    return "-".join(["network", *(re.sub(r"[^a-z0-9.]+", "-", p.lower()).strip("-") for p in parts if p)])


def _body(endpoint: Endpoint, filters: Filters, fmt: str, colour: str, graph: str) -> bytes:
    """The answer's bytes: JSON with each node's local page; a ZIP where a format has two files."""
    analysis = _analysis(endpoint, filters)
    if fmt == "json" and graph == "collaboration":
        urls = Urls(endpoint.settings.base_iri)
        data = node_link(analysis.graph, analysis.about)
        for node in data["nodes"]:
            node["page"] = urls.link_for(node["id"])
        return json.dumps(data, ensure_ascii=False).encode("utf-8")
    files = analysis.files(fmt, _stem(filters), colour, graph)
    if len(files) == 1:
        return next(iter(files.values()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), content)
    return buffer.getvalue()


@router.get("/api/network")
async def api_network(endpoint: EndpointDep, programme: str | None = None, country: str | None = None,
                      ecosystem: str | None = None, practice: str | None = None,
                      kind: str = Query("all", alias="type"), fmt: str = Query("json", alias="format"),
                      colour: str = "community", graph: str = "collaboration") -> Response:
    """The collaboration network of the chosen view in one format (node-link JSON by default), or one of its
    projections (``graph``: organisation-project, cluster-programme, country)."""
    fmt = _choice("format", fmt, FORMATS)
    filters = _filters(programme, country, ecosystem, practice, kind)
    body = await run_in_threadpool(_body, endpoint, filters, fmt, _choice("colour", colour, COLOURS),
                                   _choice("graph", graph, GRAPHS))
    headers = {}
    if fmt != "json" or graph != "collaboration":
        extension = {"csv": "zip", "vosviewer": "zip"}.get(fmt, fmt)
        headers["Content-Disposition"] = f'attachment; filename="{_stem(filters)}.{extension}"'
    return Response(body, media_type=content_type(MEDIA_TYPES[fmt]), headers=headers)


@router.get("/network", response_class=HTMLResponse)
async def network_page(request: Request, endpoint: EndpointDep) -> HTMLResponse:
    """The network page: filters, the drawing, a node's panel, the top brokers and the downloads.

    Each select shows the choice the query string names, however it was typed; a value the API would refuse gets
    the API's status and message on the page, with the form to choose again (the script then draws nothing until
    a filter changes, rather than the whole network).
    """
    params = request.query_params
    options = await run_in_threadpool(filter_options, endpoint.select_values)
    chosen: dict[str, str] = {}
    error, status, headers = "", 200, {}
    try:
        filters = _filters(params.get("programme"), params.get("country"), params.get("ecosystem"),
                           params.get("practice"), params.get("type", "all"))
        chosen = await run_in_threadpool(_chosen, endpoint, filters, options)
    except (UnknownFilter, ProtocolError) as refused:
        error, status, headers = str(refused), status_of(refused), {"Cache-Control": "no-store"}
    html = render("network.html", title="Collaboration network", alternates={"application/json": "/api/network"},
                  options={kind: [asdict(option) for option in values] for kind, values in options.items()},
                  chosen=chosen, error=error, clusters_only=params.get("type") == "clusters")
    return HTMLResponse(html, status_code=status, headers=headers)
