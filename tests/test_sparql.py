"""The SPARQL 1.1 Protocol endpoint, in process through Starlette's TestClient with real query workers."""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from clustergraph.settings import Settings

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/clustergraph/ontology#GoodPractice> }"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5"
# Four unconstrained patterns over a few thousand triples: far more work than any time limit allows.
EXPLOSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


@pytest.mark.parametrize(("accept", "expected"), [
    (None, "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/csv;q=0.4, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("text/html, */*;q=0.1", "application/sparql-results+json"),
])
def test_select_content_negotiation(client: TestClient, accept: str | None, expected: str) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", params={"query": COUNT}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == expected
    assert "57" in response.text


@pytest.mark.parametrize(("accept", "expected"), [
    (None, "text/turtle"),
    ("text/turtle", "text/turtle"),
    ("application/n-triples", "application/n-triples"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("application/ld+json", "application/ld+json"),
    ("application/n-quads", "application/n-quads"),
    ("application/trig", "application/trig"),
])
def test_construct_content_negotiation(client: TestClient, accept: str | None, expected: str) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.post("/sparql", data={"query": CONSTRUCT}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == expected


@pytest.mark.parametrize(("fmt", "expected"), [
    ("json", "application/sparql-results+json"), ("csv", "text/csv"), ("tsv", "text/tab-separated-values"),
    ("xml", "application/sparql-results+xml"), ("text/csv", "text/csv"),
])
def test_format_parameter_overrides_accept(client: TestClient, fmt: str, expected: str) -> None:
    response = client.get("/sparql", params={"query": COUNT, "format": fmt}, headers={"Accept": "text/html"})
    assert response.headers["content-type"].split(";")[0] == expected


def test_three_ways_to_send_a_query_agree(client: TestClient) -> None:
    by_get = client.get("/sparql", params={"query": COUNT}).json()
    by_form = client.post("/sparql", data={"query": COUNT}).json()
    by_body = client.post("/sparql", content=COUNT, headers={"Content-Type": "application/sparql-query"}).json()
    assert by_get == by_form == by_body
    assert by_get["results"]["bindings"][0]["n"]["value"] == "57"


@pytest.mark.parametrize(("method", "kwargs", "status", "message"), [
    ("get", {"params": {"query": "SELECT * {"}}, 400, "error at"),
    ("get", {"params": {"query": [COUNT, COUNT]}}, 400, "exactly one"),
    ("get", {"params": {"update": "CLEAR ALL"}}, 400, "cannot be sent by GET"),
    ("get", {"params": {"query": COUNT}, "headers": {"Accept": "image/png"}}, 406, "can be answered as"),
    ("get", {"params": {"query": COUNT, "format": "ttl"}}, 406, "not available"),
    ("post", {"content": COUNT, "headers": {"Content-Type": "text/plain"}}, 415, "not supported"),
    ("post", {"content": COUNT}, 400, "needs a Content-Type"),
    ("post", {"data": {"update": "CLEAR ALL"}}, 403, "read-only"),
    ("post", {"content": "CLEAR ALL", "headers": {"Content-Type": "application/sparql-update"}}, 403, "read-only"),
    ("post", {"data": {"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}}, 400, "not a query"),
    ("post", {"content": "format=json", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
     400, "no 'query'"),
    ("post", {"content": b"SELECT * { ?s ?p '\xff' }", "headers": {"Content-Type": "application/sparql-query"}},
     400, "not UTF-8"),
    ("get", {"params": {"query": "SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"}}, 400, "SERVICE"),
    ("get", {"params": {"query": "SELECT * " + "{" * 500 + "}" * 500}}, 400, "nests deeper"),
    ("post", {"data": {"query": "SELECT * {} #" + "x" * 200_000}}, 413, "at most"),
])
def test_bad_requests_get_the_right_status(client: TestClient, method: str, kwargs: dict, status: int,
                                           message: str) -> None:
    response = getattr(client, method)("/sparql", **kwargs)
    assert response.status_code == status, response.text
    assert message in response.text


def test_service_keyword_in_comments_strings_and_iris_is_fine(client: TestClient) -> None:
    query = "SELECT ?x WHERE { BIND('SERVICE <http://x/>' AS ?x) } # SERVICE <http://127.0.0.1/>"
    assert client.get("/sparql", params={"query": query}).status_code == 200


def test_personal_data_is_invisible_even_when_asked_for_by_name(client: TestClient, served: Settings) -> None:
    personal = "https://w3id.org/clustergraph/graph/personal"
    for query in (f"ASK {{ GRAPH <{personal}> {{ ?s ?p ?o }} }}",
                  f"ASK FROM <{personal}> {{ ?s <http://www.w3.org/2006/vcard/ns#fn> ?o }}",
                  "ASK { ?s <http://www.w3.org/2006/vcard/ns#hasEmail> ?o }"):
        assert client.get("/sparql", params={"query": query}).json()["boolean"] is False
    named = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }", "default-graph-uri": personal})
    assert named.json()["boolean"] is False


def test_protocol_dataset_parameters(client: TestClient) -> None:
    ontology = "https://w3id.org/clustergraph/graph/ontology"
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/clustergraph/ontology#GoodPractice> }"
    only_ontology = client.get("/sparql", params={"query": query, "default-graph-uri": ontology}).json()
    assert only_ontology["results"]["bindings"][0]["n"]["value"] == "0"


def test_result_cap_is_signalled(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }", "format": "json"})
    assert response.status_code == 200
    assert len(response.json()["results"]["bindings"]) == 50
    assert response.headers["X-Result-Truncated"].startswith("true")


def test_etag_and_conditional_requests(client: TestClient) -> None:
    first = client.get("/sparql", params={"query": COUNT})
    etag = first.headers["ETag"]
    assert "max-age" in first.headers["Cache-Control"]
    again = client.get("/sparql", params={"query": COUNT}, headers={"If-None-Match": etag})
    assert again.status_code == 304
    other = client.get("/sparql", params={"query": COUNT}, headers={"Accept": "text/csv"})
    assert other.headers["ETag"] != etag


def test_explosive_query_times_out_while_others_are_served(server: str) -> None:
    """Another client's query is answered while one client's explosive query runs, and the explosive one is
    stopped at the time limit. The two clients are told apart as behind a reverse proxy on loopback (uvicorn
    trusts ``X-Forwarded-For`` from 127.0.0.1 only), because one client may never hold every worker."""
    outcome: dict[str, object] = {}

    def explode() -> None:
        response = httpx.post(f"{server}/sparql", data={"query": EXPLOSIVE},
                              headers={"X-Forwarded-For": "192.0.2.1"}, timeout=60)
        outcome["status"], outcome["text"] = response.status_code, response.text

    worker = threading.Thread(target=explode)
    worker.start()
    time.sleep(0.3)
    # A query no other test sends, so the result cache cannot answer it.
    quick = httpx.get(f"{server}/sparql", params={"query": "ASK { ?s a ?type FILTER(isIRI(?type)) }"},
                      headers={"X-Forwarded-For": "192.0.2.2", "Accept": "application/sparql-results+json"},
                      timeout=60)
    quick_done = worker.is_alive()
    worker.join(timeout=30)
    assert quick.status_code == 200 and quick.json()["boolean"] is True
    assert quick_done, "the other client's query had to wait for the explosive one"
    assert outcome["status"] == 503 and "ran longer than 2 s" in str(outcome["text"])
    after = httpx.get(f"{server}/sparql", params={"query": COUNT + " "}, headers={"X-Forwarded-For": "192.0.2.1"},
                      timeout=60)
    assert after.status_code == 200  # the killed worker was replaced


def test_service_description(client: TestClient) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert "sd:endpoint <http://testserver/sparql>" in response.text
    as_json = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert any("http://www.w3.org/ns/sparql-service-description#Service" in str(node.get("@type"))
               for node in json.loads(as_json.text))
    html = client.get("/sparql", headers={"Accept": "text/html"})
    assert html.headers["content-type"].startswith("text/html") and "<h1>" in html.text


def test_cors_is_open_for_get_and_post(client: TestClient) -> None:
    response = client.options("/sparql", headers={"Origin": "https://yasgui.example",
                                                  "Access-Control-Request-Method": "POST"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
