"""The W3C SPARQL 1.1 Protocol and Service Description tests, read from the reference data and run against the server.

The runner executes every case of the manifests: the query cases and the bad-request cases must pass as
written; the update cases must get the refusal a read-only endpoint owes (403 for the update request, after
which the case's follow-up requests are moot).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

from clustergraph.settings import Settings
from clustergraph.build import publish_dataset
from reference_data import missing_reference, reference_dir
from clustergraph.web.app import create_app

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
TESTS = reference_dir() / "sparql-protocol-tests"
SOLUTION_TYPES = {"application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                  "text/tab-separated-values"}
GRAPH_TYPES = {"text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json",
               "application/n-quads", "application/trig"}


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: tuple[URIRef, ...]
    expected_format: str | None
    expected_boolean: bool | None

    @property
    def is_update(self) -> bool:
        content_type = self.headers.get("content-type", "")
        return content_type.startswith("application/sparql-update") or (
            content_type.startswith("application/x-www-form-urlencoded") and (self.body or b"").startswith(b"update="))


@dataclass(frozen=True)
class ProtocolCase:
    name: str
    title: str
    graphs: tuple[tuple[str, Path], ...]
    requests: tuple[HttpRequest, ...]


def _manifest_cases() -> list[ProtocolCase]:
    path = TESTS / "protocol" / "manifest.ttl"
    if not path.exists():
        return []
    graph = Graph().parse(path, format="turtle", publicID=path.as_uri())
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    cases = []
    for entry in Collection(graph, graph.value(manifest, MF.entries)):
        action = graph.value(entry, MF.action)
        requests = []
        for request in Collection(graph, graph.value(action, HT.requests)):
            headers = {}
            header_list = graph.value(request, HT.headers)
            if header_list is not None:
                for header in Collection(graph, header_list):
                    headers[str(graph.value(header, HT.fieldName)).lower()] = str(graph.value(header, HT.fieldValue))
            body_node = graph.value(request, HT.body)
            body = None
            if body_node is not None:
                encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
                body = str(graph.value(body_node, CNT.chars)).encode(encoding)
            response = graph.value(request, HT.resp)
            boolean = graph.value(response, MF.expectedBoolean)
            requests.append(HttpRequest(
                method=str(graph.value(request, HT.methodName)),
                path=str(graph.value(request, HT.absolutePath)),
                headers=headers,
                body=body,
                statuses=tuple(graph.objects(response, MF.expectedStatus)),
                expected_format=str(graph.value(response, MF.expectedFormat) or "") or None,
                expected_boolean=None if boolean is None else bool(boolean.toPython()),
            ))
        graphs = tuple((str(graph.value(data, RDFS.label)), Path(str(graph.value(data, UT.graph))[7:]))
                       for data in graph.objects(entry, UT.graphData))
        cases.append(ProtocolCase(str(entry).rsplit("#", 1)[1], str(graph.value(entry, MF.name)), graphs,
                                  tuple(requests)))
    return cases


CASES = _manifest_cases()


def _case_params(cases: list[ProtocolCase]) -> list[Any]:
    """One test per case; without the manifest one skipped test naming what is missing (an empty parameter list
    would skip with pytest's own "got empty parameter set")."""
    if cases:
        return [pytest.param(case, id=case.name) for case in cases]
    return [pytest.param(None, id="no-manifest", marks=pytest.mark.skip(
        reason=missing_reference("sparql-protocol-tests/protocol/manifest.ttl")))]


def _status_ok(status: int, expected: tuple[URIRef, ...]) -> bool:
    classes = {HTS.StatusCode2xx: range(200, 300), HTS.StatusCode3xx: range(300, 400),
               HTS.StatusCode4xx: range(400, 500), HTS.StatusCode5xx: range(500, 600)}
    return any(status in classes.get(code, ()) for code in expected)


TOKEN = "operator-secret"


def _protocol_server(tmp_path_factory: pytest.TempPathFactory, **settings: object) -> Iterator[TestClient]:
    """A server over the manifests' own data: data1-3.nt loaded as the named graphs the tests use."""
    if not CASES:
        pytest.skip(missing_reference("sparql-protocol-tests/protocol/manifest.ttl"))
    root = tmp_path_factory.mktemp("protocol")
    quads = []
    for label, path in sorted({g for case in CASES for g in case.graphs}):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                quads.append(line.rstrip().rstrip(".").rstrip() + f" <{label}> .")
    dump = root / "data.nq"
    dump.write_text("\n".join(quads) + "\n", encoding="utf-8")
    configured = Settings(project_dir=root, query_workers=1, query_timeout=10, **settings)
    publish_dataset(configured, dump.read_bytes())
    with TestClient(create_app(configured)) as client:
        yield client


@pytest.fixture(scope="module")
def protocol_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The read-only server, as deployed by default."""
    yield from _protocol_server(tmp_path_factory)


@pytest.fixture(scope="module")
def updatable_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A server whose operator turned updates on with a token."""
    yield from _protocol_server(tmp_path_factory, update_token=TOKEN)


def test_manifest_has_every_case() -> None:
    if not CASES:
        pytest.skip(missing_reference("sparql-protocol-tests/protocol/manifest.ttl"))
    assert len(CASES) == 34
    assert sum(1 for case in CASES if case.name.startswith("bad_")) == 14


@pytest.mark.parametrize("case", _case_params(CASES))
def test_protocol_case(protocol_client: TestClient, case: ProtocolCase) -> None:
    for request in case.requests:
        response = protocol_client.request(request.method, request.path, headers=request.headers,
                                           content=request.body)
        if request.is_update and not case.name.startswith("bad_"):
            assert response.status_code == 403, f"{case.title}: a read-only endpoint refuses updates"
            return
        assert _status_ok(response.status_code, request.statuses), (
            f"{case.title}: status {response.status_code} not in {request.statuses}: {response.text[:300]}")
        if request.expected_format is None or response.status_code >= 300:
            continue
        media_type = response.headers["content-type"].split(";")[0]
        if request.expected_format == "tabular":
            assert media_type in SOLUTION_TYPES
        elif request.expected_format == "RDF":
            assert media_type in GRAPH_TYPES
        elif request.expected_format == "boolean":
            assert media_type in ("application/sparql-results+json", "application/sparql-results+xml")
            if request.expected_boolean is not None:
                assert json.loads(response.text)["boolean"] is request.expected_boolean, case.title


UPDATE_CASES = [case for case in CASES if any(request.is_update for request in case.requests)]


@pytest.mark.parametrize("case", _case_params(UPDATE_CASES))
def test_update_case_with_updates_turned_on(updatable_client: TestClient, case: ProtocolCase) -> None:
    """With the operator's token every update case passes as the manifest writes it."""
    for request in case.requests:
        headers = {**request.headers, "authorization": f"Bearer {TOKEN}"} if request.is_update else request.headers
        response = updatable_client.request(request.method, request.path, headers=headers, content=request.body)
        assert _status_ok(response.status_code, request.statuses), (
            f"{case.title}: status {response.status_code}: {response.text[:300]}")
        if request.expected_boolean is not None and response.status_code < 300:
            assert json.loads(response.text)["boolean"] is request.expected_boolean, case.title


def test_updates_need_the_token(updatable_client: TestClient) -> None:
    body = "INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }"
    headers = {"content-type": "application/sparql-update"}
    assert updatable_client.post("/sparql", content=body, headers=headers).status_code == 401
    wrong = {**headers, "authorization": "Bearer guess"}
    assert updatable_client.post("/sparql", content=body, headers=wrong).status_code == 401
    right = {**headers, "authorization": f"Bearer {TOKEN}"}
    assert updatable_client.post("/sparql", content=body, headers=right).status_code == 204
    ask = updatable_client.get("/sparql", params={"query": "ASK { <http://example.org/s> ?p 1 }"})
    assert ask.json()["boolean"] is True  # the readers see the update at once


@pytest.fixture(scope="module")
def service_description(protocol_client: TestClient) -> Graph:
    response = protocol_client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    return Graph().parse(data=response.text, format="turtle")


def test_sd_manifest_is_read() -> None:
    if not (TESTS / "service-description" / "manifest.ttl").exists():
        pytest.skip(missing_reference("sparql-protocol-tests/service-description/manifest.ttl"))
    graph = Graph().parse(TESTS / "service-description" / "manifest.ttl", format="turtle")
    names = {str(graph.value(test, MF.name)) for test in graph.subjects(RDF.type, MF.ServiceDescriptionTest)}
    assert names == {"GET on endpoint returns RDF", "Service description contains a matching sd:endpoint triple",
                     "Service description conforms to schema"}


@pytest.mark.parametrize("accept", ["text/turtle", "application/rdf+xml", "application/ld+json", "*/*"])
def test_sd_get_on_endpoint_returns_rdf(protocol_client: TestClient, accept: str) -> None:
    response = protocol_client.get("/sparql", headers={"Accept": accept})
    fmt = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/ld+json": "json-ld"}[
        response.headers["content-type"].split(";")[0]]
    assert len(Graph().parse(data=response.text, format=fmt)) > 5


def test_sd_contains_a_matching_endpoint_triple(service_description: Graph) -> None:
    assert (None, SD.endpoint, URIRef("http://testserver/sparql")) in service_description


def test_sd_conforms_to_schema(service_description: Graph) -> None:
    service = service_description.value(predicate=RDF.type, object=SD.Service)
    assert service is not None
    assert service_description.value(service, SD.supportedLanguage) == SD.SPARQL11Query
    for result_format in service_description.objects(service, SD.resultFormat):
        assert isinstance(result_format, URIRef)
    dataset = service_description.value(service, SD.defaultDataset)
    assert (dataset, RDF.type, SD.Dataset) in service_description
    names = {str(service_description.value(named, SD.name))
             for named in service_description.objects(dataset, SD.namedGraph)}
    assert "http://kasei.us/2009/09/sparql/data/data1.rdf" in names


@pytest.mark.slow
def test_update_cases_pass_twenty_runs_in_a_row_under_load(updatable_client: TestClient) -> None:
    """Updates publish new generations while readers keep querying: no read fails, no update case fails."""
    if not UPDATE_CASES:
        pytest.skip(missing_reference("sparql-protocol-tests/protocol/manifest.ttl"))
    stop = threading.Event()
    read_statuses: list[int] = []

    def read() -> None:
        while not stop.is_set():
            response = updatable_client.get("/sparql", params={"query": "SELECT * { ?s ?p ?o } LIMIT 5"},
                                            headers={"Cache-Control": "no-cache"})
            read_statuses.append(response.status_code)

    readers = [threading.Thread(target=read) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        for _ in range(20):
            for case in UPDATE_CASES:
                test_update_case_with_updates_turned_on(updatable_client, case)
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=30)
    assert read_statuses and set(read_statuses) == {200}, sorted(set(read_statuses))


def test_load_is_refused_unless_the_operator_lists_the_source(updatable_client: TestClient) -> None:
    headers = {"content-type": "application/sparql-update", "authorization": f"Bearer {TOKEN}"}
    for update in ("LOAD <http://127.0.0.1:9/data.ttl>", "LOAD SILENT <file:///etc/passwd> INTO GRAPH <http://g/>",
                   "LOAD <http://127.0.0.1:9/x> ; INSERT DATA { <http://x/s> <http://x/p> 1 }"):
        response = updatable_client.post("/sparql", content=update, headers=headers)
        assert response.status_code == 403 and "CLUSTERGRAPH_LOAD_SOURCES" in response.text
