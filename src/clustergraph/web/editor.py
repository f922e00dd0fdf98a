"""The home page: the YASGUI query editor on this endpoint, with the query catalogue and own autocompletion."""

from __future__ import annotations

import pycountry

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse

from clustergraph.query_library import load_queries
from clustergraph.vocab import PREFIXES
from clustergraph.web.deps import EndpointDep
from clustergraph.web.templates import render

router = APIRouter()
SCRIPTS = ("vendor/yasgui.min.js", "vendor/cytoscape.min.js", "vendor/layout-base.js", "vendor/cose-base.js",
           "vendor/cytoscape-fcose.js", "vendor/d3-array.min.js", "vendor/d3-geo.min.js",
           "vendor/topojson-client.min.js", "result-views.js", "editor.js")
COUNTRIES = """SELECT DISTINCT ?iri ?code WHERE { ?iri <http://www.w3.org/2004/02/skos/core#inScheme>
  <http://publications.europa.eu/resource/authority/country> ;
  <http://www.w3.org/2004/02/skos/core#notation> ?code FILTER(DATATYPE(?code) = <http://www.w3.org/2001/XMLSchema#token>) }"""
TERMS = {
    "classes": "SELECT DISTINCT ?iri WHERE { { ?s a ?iri } UNION { ?iri a <http://www.w3.org/2002/07/owl#Class> } "
               "FILTER(isIRI(?iri)) } ORDER BY ?iri",
    "properties": "SELECT DISTINCT ?iri WHERE { ?s ?iri ?o } ORDER BY ?iri",
    "entities": "SELECT DISTINCT ?iri WHERE { ?iri a ?type FILTER(isIRI(?iri) && ?type IN ("
                "<http://www.w3.org/ns/org#Organization>, <https://w3id.org/clustergraph/ontology#Programme>, "
                "<https://w3id.org/clustergraph/ontology#Project>, "
                "<https://w3id.org/clustergraph/ontology#GoodPractice>, "
                "<https://w3id.org/clustergraph/ontology#IndustrialEcosystem>)) } ORDER BY ?iri",
}

# One label per labelled IRI (terms, entities, countries, regions): completion by name, labelled table cells.
LABELS = ("SELECT ?iri (SAMPLE(?l) AS ?label) WHERE { ?iri <http://www.w3.org/2000/01/rdf-schema#label>|"
          "<http://www.w3.org/2004/02/skos/core#prefLabel> ?l "
          "FILTER(isIRI(?iri) && (LANG(?l) = \"\" || LANGMATCHES(LANG(?l), \"en\"))) } GROUP BY ?iri")


@router.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse)
async def home(request: Request, endpoint: EndpointDep) -> HTMLResponse:
    """The query editor, opened on the first catalogue query or on the ``query`` in the link."""
    settings = endpoint.settings
    catalogue = load_queries(settings.path(settings.queries_dir))
    config = {
        "endpoint": endpoint.public_url(request) + "/sparql",
        "termsUrl": "/editor/terms.json",
        "baseIri": settings.base_iri,
        "prefixes": {prefix: str(namespace) for prefix, namespace in PREFIXES.items()},
        "queries": [{"name": q.name, "title": q.title, "description": q.description, "text": q.text}
                    for q in catalogue.values()],
    }
    return HTMLResponse(render("editor.html", title="Query editor", config=config, scripts=SCRIPTS, alternates={}))


@router.api_route("/editor/terms.json", methods=["GET", "HEAD"])
async def terms(endpoint: EndpointDep) -> JSONResponse:
    """This graph's classes, properties and main entities with their labels (autocompletion), and its countries (the map)."""
    found: dict[str, object] = {}
    for key, query in TERMS.items():
        rows = await run_in_threadpool(endpoint.select_values, query)
        found[key] = [row["iri"] for row in rows]
    rows = await run_in_threadpool(endpoint.select_values, LABELS)
    found["labels"] = {row["iri"]: row["label"] for row in rows}
    rows = await run_in_threadpool(endpoint.select_values, COUNTRIES)
    found["countries"] = {row["iri"]: _country_codes(row["code"]) for row in rows}
    return JSONResponse(found, headers={"Cache-Control": "public, max-age=300"})


def _country_codes(alpha2: str) -> dict[str, str]:
    """ISO 3166-1 codes of a country: alpha-2 and the numeric code the world-atlas boundaries use."""
    country = pycountry.countries.get(alpha_2=alpha2)
    return {"alpha2": alpha2, "numeric": str(country.numeric) if country else ""}
