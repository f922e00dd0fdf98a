"""``/country/<code>`` and ``/region/<NUTS code>``: the organisations and practices the graph places there.

Countries and NUTS regions are EU authority IRIs, not ours, so they are not dereferenced at their own address;
these pages show what this graph says about them (HTML, or the RDF of those statements by negotiation).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from clustergraph.errors import NotFound
from clustergraph.web.deps import Endpoint, EndpointDep
from clustergraph.web.entities import PREFIXES
from clustergraph.web.representation import (choose, construct, html_response, not_modified, not_modified_response,
                                             page_headers, rdf_response)
from clustergraph.web.shown import show, value
from clustergraph.web.templates import render
from clustergraph.web.urls import RDF_SUFFIXES, Urls

router = APIRouter()
# How each kind of place is reached: from organisations, and from practices.
WHERE = {"country": ("?x cg:country <{iri}>", "?p cg:country <{iri}>"),
         "region": ("?x cg:region ?r . ?r skos:broader* <{iri}>", "?p dct:spatial ?r . ?r skos:broader* <{iri}>")}


@router.api_route("/country/{code}", methods=["GET", "HEAD"])
async def country(code: str, request: Request, endpoint: EndpointDep) -> Response:
    """A country: the organisations and practices the graph places there."""
    return await _place(request, endpoint, "country", code)


@router.api_route("/region/{code}", methods=["GET", "HEAD"])
async def region(code: str, request: Request, endpoint: EndpointDep) -> Response:
    """A NUTS region (and the regions inside it): the organisations and practices the graph places there."""
    return await _place(request, endpoint, "region", code)


async def _place(request: Request, endpoint: Endpoint, kind: str, code: str) -> Response:
    suffix = next((s for s in RDF_SUFFIXES if code.endswith(s)), "")
    code = code[: len(code) - len(suffix)]
    iri = Urls.country_iri(code) if kind == "country" else Urls.region_iri(code)
    if iri is None:
        raise NotFound(f"'{code}' is not a {kind} code")
    media_type = choose(request, RDF_SUFFIXES.get(suffix))
    headers = page_headers(request, endpoint, media_type)
    if not_modified(request, headers):
        return not_modified_response(headers)
    organisations, practices = (where.format(iri=iri) for where in WHERE[kind])
    if media_type != "text/html":
        graph = await run_in_threadpool(construct, endpoint, PREFIXES + f"""CONSTRUCT {{ <{iri}> ?pp ?po .
            ?x cg:country ?c . ?x cg:region ?xr . ?p dct:spatial ?pr . ?p cg:country ?pc }} WHERE {{
            {{ <{iri}> ?pp ?po }} UNION {{ {organisations} OPTIONAL {{ ?x cg:country ?c }} OPTIONAL {{ ?x cg:region ?xr }} }}
            UNION {{ {practices} OPTIONAL {{ ?p dct:spatial ?pr }} OPTIONAL {{ ?p cg:country ?pc }} }} }}""")
        if not len(graph):
            raise NotFound(f"nothing is known about <{iri}>")
        return rdf_response(graph, media_type, headers)
    context = await run_in_threadpool(place_context, endpoint, iri, organisations, practices)
    path = f"/{kind}/{code}"
    return html_response(render("place.html", kind=kind, iri=iri, alternates={
        media: f"{path}{s}" for s, media in RDF_SUFFIXES.items()}, **context), headers)


def place_context(endpoint: Endpoint, iri: str, organisations: str, practices: str) -> dict[str, Any]:
    """The place's name and the organisations and practices there, by name; 404 when the graph has none."""
    urls = Urls(endpoint.settings.base_iri)
    labels = endpoint.select(PREFIXES + f"""SELECT ?label WHERE {{ <{iri}> skos:prefLabel ?label }}
        ORDER BY DESC(LANGMATCHES(LANG(?label), "en"))""")
    listing = PREFIXES + f"""SELECT DISTINCT ?x ?label WHERE {{ {organisations} .
        ?x rdfs:label ?label }}"""
    orgs = endpoint.select(listing)
    found = endpoint.select(PREFIXES + f"""SELECT DISTINCT ?p ?label WHERE {{
        {{ {practices} }} UNION {{ ?p cg:owner ?x . {organisations} }}
        ?p a cg:GoodPractice ; dct:title ?label }}""")
    if not labels and not orgs and not found:
        raise NotFound(f"nothing is known about <{iri}>")
    return {
        "title": value(labels[0], "label") if labels else iri.rsplit("/", 1)[-1],
        "organisations": sorted((s for row in orgs if (s := show(urls, row, "x", "label"))), key=lambda s: s.text),
        "practices": sorted((s for row in found if (s := show(urls, row, "p", "label"))), key=lambda s: s.text),
        "query_link": Urls.editor(listing + " ORDER BY ?label"),
    }
