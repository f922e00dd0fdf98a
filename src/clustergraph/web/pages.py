"""Dereferenceable IRIs: HTML for people, Turtle / JSON-LD / N-Triples by content negotiation, 404 if unknown.

Every IRI under the base answers at its own path; ``.ttl``, ``.jsonld`` and ``.nt`` suffixes name one format
explicitly. A practice's page also shows its narrative and every curated statement with its quote. The VoID
description and the ontology's documentation live here too.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from clustergraph.dumps import describe_dumps
from clustergraph.errors import NotFound
from clustergraph.identity import Iris
from clustergraph.publish import dumps_dir
from clustergraph.query_runner import QueryJob
from clustergraph.vocab import CG, ONTOLOGY_IRI, bind_prefixes
from clustergraph.void import gather_statistics, void_description
from clustergraph.web.caching import CACHE_CONTROL, if_none_match, representation_etag
from clustergraph.web.conneg import content_type, negotiate
from clustergraph.web.deps import Endpoint, EndpointDep
from clustergraph.web.errors import ProtocolError
from clustergraph.web.html import narrative, page, term
from clustergraph.web.urls import RDF_SUFFIXES, Urls

router = APIRouter()
PAGE_TYPES = ("text/turtle", "text/html", "application/ld+json", "application/n-triples")
RDFLIB_FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt"}
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>|<http://www.w3.org/2004/02/skos/core#prefLabel>"
SECTIONS = (("challenges", "Challenges"), ("stakeholders", "Stakeholders"), ("actions", "Actions"),
            ("results", "Results and benefits"))


def _headers(request: Request, endpoint: Endpoint, media_type: str) -> dict[str, str]:
    etag = representation_etag(endpoint.build_id(), request.url.path, request.url.query, media_type)
    return {"ETag": etag, "Vary": "Accept", "Cache-Control": CACHE_CONTROL}


def _not_modified(request: Request, headers: dict[str, str]) -> bool:
    return if_none_match(request.headers.get("if-none-match"), headers["ETag"])


def _choose(request: Request, suffix_type: str | None) -> str:
    if suffix_type:
        return suffix_type
    chosen = negotiate(request.headers.get("accept"), PAGE_TYPES)
    if chosen is None:
        raise ProtocolError(f"this resource is available as {', '.join(PAGE_TYPES)}", 406)
    return chosen


def _serialise(graph: Graph, media_type: str) -> bytes:
    return bind_prefixes(graph).serialize(format=RDFLIB_FORMATS[media_type], encoding="utf-8")


@router.get("/.well-known/void")
async def void(request: Request, endpoint: EndpointDep) -> Response:
    """The VoID description of the dataset, computed from what the endpoint serves."""
    media_type = _choose(request, None)
    headers = _headers(request, endpoint, media_type)
    if _not_modified(request, headers):
        return Response(status_code=304, headers=headers)
    statistics = await run_in_threadpool(gather_statistics, endpoint.select_values)
    urls = Urls(endpoint.settings.base_iri)
    root = endpoint.public_url(request)
    sparql = root + "/sparql"
    dumps = tuple(f"{root}/dumps/{dump.format.file_name}" for dump in describe_dumps(dumps_dir(endpoint.settings)))
    graph = void_description(statistics, Iris(endpoint.settings.base_iri).dataset(), endpoint.settings.base_iri,
                             sparql, dumps)
    if media_type == "text/html":
        body = (f"<h1>VoID description</h1><p>{statistics.triples} triples, {statistics.entities} entities, "
                f"{len(statistics.classes)} classes, {len(statistics.properties)} properties.</p>"
                f"<pre>{escape(_serialise(graph, 'text/turtle').decode('utf-8'))}</pre>")
        return Response(page("VoID", body), media_type=content_type("text/html"), headers=headers)
    return Response(_serialise(graph, media_type), media_type=content_type(media_type), headers=headers)


@router.get("/ontology")
@router.get("/ontology.ttl", include_in_schema=False)
async def ontology(request: Request, endpoint: EndpointDep) -> Response:
    """The ontology: HTML documentation for browsers, its Turtle (or JSON-LD, N-Triples) for machines."""
    media_type = _choose(request, "text/turtle" if request.url.path.endswith(".ttl") else None)
    headers = _headers(request, endpoint, media_type)
    if _not_modified(request, headers):
        return Response(status_code=304, headers=headers)
    graph = await run_in_threadpool(_construct, endpoint, f"""
        CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{ONTOLOGY_IRI}")) }}""")
    if not len(graph):
        raise NotFound("the ontology is not in the store")
    if media_type == "text/html":
        return Response(_ontology_html(graph), media_type=content_type("text/html"), headers=headers)
    return Response(_serialise(graph, media_type), media_type=content_type(media_type), headers=headers)


@router.get("/{path:path}")
async def resource(path: str, request: Request, endpoint: EndpointDep) -> Response:
    """Any IRI under the base: its description, or 404 when the graph says nothing about it."""
    suffix = next((s for s in RDF_SUFFIXES if path.endswith(s)), None)
    if suffix:
        path = path[: -len(suffix)]
    media_type = _choose(request, RDF_SUFFIXES[suffix] if suffix else None)
    urls = Urls(endpoint.settings.base_iri)
    iri = urls.iri_for(path)
    if iri is None:
        raise NotFound(f"/{path} is not the path of an IRI")
    headers = _headers(request, endpoint, media_type)
    if _not_modified(request, headers):
        return Response(status_code=304, headers=headers)
    if media_type != "text/html":
        graph = await run_in_threadpool(_construct, endpoint, f"""
            CONSTRUCT {{ <{iri}> ?p ?o . ?s ?q <{iri}> }}
            WHERE {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?q <{iri}> }} }}""")
        if not len(graph):
            raise NotFound(f"nothing is known about <{iri}>")
        return Response(_serialise(graph, media_type), media_type=content_type(media_type), headers=headers)
    body = await run_in_threadpool(_resource_html, endpoint, urls, iri, path)
    return Response(body, media_type=content_type("text/html"), headers=headers)


def _construct(endpoint: Endpoint, query: str) -> Graph:
    answer = endpoint.answer(QueryJob(query, "application/n-triples", max_rows=100_000))
    return Graph().parse(data=answer.body.decode("utf-8"), format="nt")


def _resource_html(endpoint: Endpoint, urls: Urls, iri: str, path: str) -> str:
    outgoing = endpoint.select(f"""
        SELECT ?p (SAMPLE(?pl) AS ?plabel) ?o (SAMPLE(?ol) AS ?olabel) WHERE {{
          <{iri}> ?p ?o OPTIONAL {{ ?p {LABEL} ?pl }} OPTIONAL {{ ?o {LABEL} ?ol }} }}
        GROUP BY ?p ?o ORDER BY ?p ?o""")
    incoming = endpoint.select(f"""
        SELECT ?s (SAMPLE(?sl) AS ?slabel) ?p (SAMPLE(?pl) AS ?plabel) WHERE {{
          ?s ?p <{iri}> OPTIONAL {{ ?s {LABEL} ?sl }} OPTIONAL {{ ?p {LABEL} ?pl }} }}
        GROUP BY ?s ?p ORDER BY ?p ?s LIMIT 500""")
    if not outgoing and not incoming:
        raise NotFound(f"nothing is known about <{iri}>")
    label = next((row["o"]["value"] for row in outgoing
                  if row["p"]["value"].endswith(("#label", "#prefLabel"))), path)
    types = [row for row in outgoing if row["p"]["value"].endswith("#type")]
    parts = [f"<h1>{escape(label)}</h1><p class='iri'>{escape(iri)}</p>",
             "<p>" + ", ".join(term(urls, r["o"]["value"], "uri", r.get("olabel", {}).get("value"))
                               for r in types) + "</p>",
             "<p class='formats'>" + "".join(f"<a href='/{escape(path)}{suffix}'>{suffix[1:]}</a>"
                                              for suffix in RDF_SUFFIXES) + "</p>"]
    if any(r["o"]["value"] == str(CG.GoodPractice) for r in types):
        parts.append(_practice_html(endpoint, urls, iri, outgoing))
    rows = "".join(
        f"<tr><td>{term(urls, r['p']['value'], 'uri', r.get('plabel', {}).get('value'))}</td>"
        f"<td>{term(urls, r['o']['value'], r['o']['type'], r.get('olabel', {}).get('value'), r['o'].get('datatype'), r['o'].get('xml:lang'))}</td></tr>"
        for r in outgoing)
    parts.append(f"<h2>Properties</h2><table><tr><th>property</th><th>value</th></tr>{rows}</table>")
    if incoming:
        rows = "".join(
            f"<tr><td>{term(urls, r['s']['value'], r['s']['type'], r.get('slabel', {}).get('value'))}</td>"
            f"<td>{term(urls, r['p']['value'], 'uri', r.get('plabel', {}).get('value'))}</td></tr>"
            for r in incoming)
        parts.append(f"<h2>Incoming links</h2><table><tr><th>from</th><th>property</th></tr>{rows}</table>")
    alternates = {media: f"/{path}{suffix}" for suffix, media in RDF_SUFFIXES.items()}
    return page(label, "".join(parts), alternates)


def _practice_html(endpoint: Endpoint, urls: Urls, iri: str, outgoing: list[dict[str, dict[str, str]]]) -> str:
    """The narrative sections and every curated statement of a practice, each with its quote."""
    values = {row["p"]["value"]: row for row in outgoing}
    parts = []
    owner = values.get(str(CG.owner))
    if owner:
        parts.append(f"<p><strong>Presented by</strong> "
                     f"{term(urls, owner['o']['value'], 'uri', owner.get('olabel', {}).get('value'))}</p>")
    for name, heading in SECTIONS:
        row = values.get(str(CG[name]))
        if row:
            parts.append(f"<h2>{heading}</h2><div class='narrative'>{narrative(row['o']['value'])}</div>")
    statements = endpoint.select(f"""
        PREFIX cg: <{CG._NS}>
        SELECT ?kind ?who (SAMPLE(?wl) AS ?wholabel) ?role ?what (SAMPLE(?tl) AS ?whatlabel) ?quote WHERE {{
          ?st cg:evidenceFrom <{iri}> ; a ?kind ; cg:quote ?quote .
          FILTER(?kind IN (cg:Participation, cg:Funding, cg:ProgrammeAffiliation, cg:ProgrammeMention, cg:Placement,
                           cg:Relation))
          OPTIONAL {{ ?st cg:participant|cg:programme|cg:place|cg:relationSubject ?who
                      OPTIONAL {{ ?who {LABEL} ?wl }} }}
          OPTIONAL {{ ?st cg:role|cg:relationKind ?role }}
          OPTIONAL {{ ?st cg:participatesIn|cg:funds|cg:affiliated|cg:relationObject ?what
                      OPTIONAL {{ ?what {LABEL} ?tl }} }}
        }} GROUP BY ?kind ?who ?role ?what ?quote ORDER BY ?kind ?wholabel""")
    if statements:
        rows = "".join(
            f"<tr><td>{escape(s['kind']['value'].rsplit('#', 1)[-1])}</td>"
            f"<td>{term(urls, s['who']['value'], 'uri', s.get('wholabel', {}).get('value')) if 'who' in s else ''}</td>"
            f"<td>{escape(s.get('role', {}).get('value', ''))}</td>"
            f"<td>{term(urls, s['what']['value'], 'uri', s.get('whatlabel', {}).get('value')) if 'what' in s else ''}</td>"
            f"<td><blockquote>{escape(s['quote']['value'])}</blockquote></td></tr>"
            for s in statements)
        parts.append("<h2>Partners, programmes and places, with their evidence</h2><table><tr><th>statement</th>"
                     f"<th>who / which</th><th>role / relation</th><th>in / of</th><th>quote</th></tr>{rows}</table>")
    return "".join(parts)


def _ontology_html(graph: Graph) -> str:
    """Documentation generated from the ontology's own labels and comments."""

    def section(kind: URIRef, heading: str) -> str:
        items = []
        for subject in sorted(graph.subjects(RDF.type, kind), key=str):
            if not str(subject).startswith(ONTOLOGY_IRI + "#"):
                continue
            name = str(subject).split("#", 1)[1]
            facts = [(label, graph.value(subject, prop)) for label, prop in (
                ("subclass of", RDFS.subClassOf), ("subproperty of", RDFS.subPropertyOf),
                ("domain", RDFS.domain), ("range", RDFS.range))]
            details = "".join(f"<br><span class='muted'>{label}</span> <code>{escape(graph.qname(str(value)))}</code>"
                              for label, value in facts if value is not None)
            items.append(f"<tr id='{escape(name)}'><td><code>cg:{escape(name)}</code><br>"
                         f"{escape(str(graph.value(subject, RDFS.label) or ''))}</td>"
                         f"<td>{escape(str(graph.value(subject, RDFS.comment) or ''))}{details}</td></tr>")
        return f"<h2>{heading}</h2><table>{''.join(items)}</table>"

    bind_prefixes(graph)
    ontology = URIRef(ONTOLOGY_IRI)
    intro = escape(str(graph.value(ontology, RDFS.comment) or ""))
    body = (f"<h1>ClusterGraph ontology</h1><p class='iri'>{ONTOLOGY_IRI}</p><p class='section'>{intro}</p>"
            f"<p class='formats'><a href='/ontology.ttl'>Turtle</a></p>"
            + section(OWL.Class, "Classes") + section(OWL.ObjectProperty, "Object properties")
            + section(OWL.DatatypeProperty, "Datatype properties"))
    return page("Ontology", body, {"text/turtle": "/ontology.ttl"})
