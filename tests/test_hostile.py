"""Hostile requests against the running endpoint (real worker processes): each gets its status, none kills
the server, and nothing leaks. Every case reproduces an attack that once worked (issue #9)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from clustergraph.settings import Settings
from clustergraph.web.app import create_app

PERSONAL = "https://w3id.org/clustergraph/graph/personal"


def _service_cases(url: str) -> dict[str, str]:
    return {
        "plain": f"SELECT * WHERE {{ SERVICE <{url}> {{ ?x ?y ?z }} }}",
        "pn-local-escape-hash": f"PREFIX ex: <http://e/> SELECT * WHERE {{ VALUES ?v {{ ex:a\\# }}\n"
                                f"SERVICE <{url}> {{ ?x ?y ?z }} }}",
        "pn-local-escape-quote": f"PREFIX ex: <http://e/> SELECT * WHERE {{ VALUES ?v {{ ex:a\\' }}\n"
                                 f"SERVICE <{url}> {{ ?x ?y ?z }} }}",
        "codepoint-escape": f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?x ?y ?z }} }}",
        "glued-after-keyword": f"SELECT * WHERE {{ ?s ?p trueSERVICE <{url}> {{ ?x ?y ?z }} }}",
        "glued-prefixed-name": f"PREFIX ex: <{url}> SELECT * WHERE {{ SERVICEex:a{{ ?x ?y ?z }} }}",
        "glued-silent": f"SELECT * WHERE {{ SERVICESILENT<{url}>{{ ?x ?y ?z }} }}",
        "lower-case": f"select * where {{ service silent <{url}> {{ ?x ?y ?z }} }}",
        "after-long-string": f"SELECT * WHERE {{ BIND('''a\\''' AS ?v) SERVICE <{url}> {{ ?x ?y ?z }} }}",
        "in-subquery": f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{url}> {{ ?x ?y ?z }} }} }} }}",
        "in-ask": f"ASK {{ SERVICE <{url}> {{ ?x ?y ?z }} }}",
        "in-construct": f"CONSTRUCT {{ ?x ?y ?z }} WHERE {{ SERVICE <{url}> {{ ?x ?y ?z }} }}",
    }


@pytest.mark.parametrize("name", list(_service_cases("u")))
def test_service_is_refused_however_it_is_spelt(client: TestClient, listener: tuple[int, list[bytes]],
                                                name: str) -> None:
    port, hits = listener
    before = len(hits)
    response = client.get("/sparql", params={"query": _service_cases(f"http://127.0.0.1:{port}/x")[name]})
    assert response.status_code == 400, response.text
    assert "SERVICE" in response.text
    assert len(hits) == before


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { ?s ?p 'SERVICE <http://127.0.0.1:1/>' } LIMIT 1",
    "SELECT * WHERE { ?s ?p ?o } LIMIT 1 # SERVICE <http://127.0.0.1:1/> { }",
    "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o } LIMIT 1",
    "SELECT ?service WHERE { ?service ?p ?o } LIMIT 1",
    "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#> SELECT * WHERE { ?s a sd:Service } LIMIT 1",
])
def test_service_as_text_is_no_keyword(client: TestClient, query: str) -> None:
    assert client.get("/sparql", params={"query": query}).status_code == 200


@pytest.mark.parametrize("query, status", [
    ("SELECT * WHERE " + "{" * 3000 + "?s ?p ?o" + "}" * 3000, 400),
    ("ASK { FILTER(" + "!" * 20000 + "true) }", 400),
    ("ASK { FILTER(" + "(" * 3000 + "true" + ")" * 3000 + ") }", 400),
    ("ASK { FILTER(" + "- " * 5000 + "1) }", 400),
    ("SELECT * WHERE { ?s ?p ?o } # " + "x" * 70_000, 413),
    ("SELECT * WHERE { ?s ?p ?o \u0000 }", 400),
    ("SELECT * WHERE { ?s ?p ?o", 400),
    ("", 400),
])
def test_malformed_and_oversized_requests(client: TestClient, query: str, status: int) -> None:
    response = client.post("/sparql", content=query.encode("utf-8"),
                           headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == status, response.text[:200]
    assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200


@pytest.mark.parametrize("params", [
    {"query": "ASK {}", "default-graph-uri": "x"},
    {"query": "ASK {}", "named-graph-uri": "relative/graph"},
    {"query": "ASK {}", "default-graph-uri": "http://a b/"},
    {"query": "ASK {}", "default-graph-uri": "<http://x/>"},
])
def test_graph_parameters_must_be_absolute_iris(client: TestClient, params: dict[str, str]) -> None:
    response = client.get("/sparql", params=params)
    assert response.status_code == 400 and "absolute IRI" in response.text


def test_a_flood_of_bad_iris_kills_no_worker(client: TestClient) -> None:
    pids = {worker.process.pid for worker in client.app.state.endpoint.pool._idle}  # type: ignore[attr-defined]
    for _ in range(30):
        assert client.get("/sparql", params={"query": "ASK {}", "default-graph-uri": "x"}).status_code == 400
        assert client.get("/sparql", params={"query": "BASE <x:> ASK { ?s ?p ?o }",
                                             "named-graph-uri": "y"}).status_code == 400
    assert {worker.process.pid for worker in client.app.state.endpoint.pool._idle} == pids  # type: ignore[attr-defined]


@pytest.mark.parametrize("query", [
    f"SELECT * FROM <{PERSONAL}> WHERE {{ ?s ?p ?o }}",
    f"BASE <https://w3id.org/clustergraph/graph/> SELECT * FROM <personal> WHERE {{ ?s ?p ?o }}",
    f"SELECT * FROM NAMED <{PERSONAL}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "SELECT * WHERE { GRAPH ?g { ?s <http://www.w3.org/2006/vcard/ns#hasEmail> ?o } }",
    "SELECT * WHERE { ?s <http://www.w3.org/2006/vcard/ns#hasEmail> ?o }",
])
def test_no_query_reaches_personal_data(client: TestClient, query: str) -> None:
    response = client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert "mailto:" not in response.text and "@" not in response.text.replace("@en", "")
    graph_param = client.get("/sparql", params={"query": "SELECT * { ?s ?p ?o }", "default-graph-uri": PERSONAL},
                             headers={"Accept": "text/csv"})
    assert graph_param.status_code == 200 and len(graph_param.text.strip().splitlines()) == 1


def test_nested_subqueries_within_the_limit_run(client: TestClient) -> None:
    query = "SELECT * WHERE { ?s a ?t }"
    for _ in range(10):
        query = "SELECT * WHERE { { " + query + " } } "
    response = client.get("/sparql", params={"query": query + " LIMIT 1"})
    assert response.status_code == 200


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { ?a (!<x:n>)* ?b . ?c (!<x:n>)* ?d }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
])
def test_runaway_queries_are_stopped_and_the_server_keeps_answering(client: TestClient, query: str) -> None:
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 503 and "Retry-After" in response.headers
    assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200


@pytest.fixture(scope="module")
def tight(served: Settings) -> Iterator[TestClient]:
    """The same build served with a small memory limit, a small response byte cap and a longer time limit."""
    settings = served.model_copy(update={"query_memory_mb": 400, "max_response_bytes": 20_000,
                                         "max_result_rows": 100_000, "query_timeout": 60.0,
                                         "result_cache_bytes": 4_000})
    with TestClient(create_app(settings)) as client:
        yield client


def test_a_memory_hungry_query_is_stopped_with_503(tight: TestClient) -> None:
    response = tight.get("/sparql", params={"query": "SELECT * { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"})
    assert response.status_code == 503 and "MiB" in response.text
    assert tight.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200


def test_answers_are_capped_in_bytes(tight: TestClient) -> None:
    response = tight.get("/sparql", params={"query": "SELECT * { ?s ?p ?o }"}, headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert "bytes" in response.headers["X-Result-Truncated"]
    assert 0 < len(response.content) <= 20_000 * 1.1
    graph = tight.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                      headers={"Accept": "application/n-triples"})
    assert "bytes" in graph.headers["X-Result-Truncated"] and len(graph.content) <= 20_000 * 1.1


def test_the_result_cache_is_bounded_in_bytes(tight: TestClient) -> None:
    cache = tight.app.state.endpoint.cache  # type: ignore[attr-defined]
    for limit in range(1, 40):
        tight.get("/sparql", params={"query": f"SELECT * {{ ?s ?p ?o }} LIMIT {limit}"})
    assert 0 < cache.bytes <= 4_000


def test_updates_are_refused_without_the_operator(client: TestClient) -> None:
    response = client.post("/sparql", content=b"LOAD <http://127.0.0.1:1/x>",
                           headers={"Content-Type": "application/sparql-update"})
    assert response.status_code == 403
