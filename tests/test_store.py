"""The store interface: one package owns the engine, only the project's types cross it, answers are written by
the engine within the row and byte caps, and the build id is stored with the data and read once per request."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from clustergraph.generations import BUILD_ID, current_generation
from clustergraph.settings import Settings
from clustergraph.store import (Answer, Backend, Caps, GraphStore, Query, Solutions, Term, backend_for,
                                memory_store)

ROOT = Path(__file__).resolve().parent.parent
# The guard's property test drives the bare engine on purpose: it proves that pyoxigraph itself would follow
# SERVICE to a loopback listener, so the guard's refusals are tested against real calls.
ENGINE_USERS_OUTSIDE = {"tests/test_guard_properties.py"}
SOLUTION_TYPES = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                  "text/tab-separated-values")
GRAPH_TYPES = ("text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json",
               "application/n-quads", "application/trig")
XSD = "http://www.w3.org/2001/XMLSchema#"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
             for alias in node.names}
    return found | {node.module.split(".")[0] for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom) and node.module}


def test_only_the_store_package_imports_the_engine() -> None:
    users = {str(path.relative_to(ROOT)) for folder in ("src", "tests", "bench") for path in (ROOT / folder).rglob("*.py")
             if ".venv" not in path.parts and "pyoxigraph" in _imports(path)}
    inside = {user for user in users if user.startswith("src/clustergraph/store/")}
    assert inside, "the store package should be the engine's user"
    assert users - inside == ENGINE_USERS_OUTSIDE


def _engine_objects(value: object) -> list[str]:
    """Every value inside ``value`` (containers and dataclasses followed) that comes from pyoxigraph."""
    if type(value).__module__.startswith("pyoxigraph"):
        return [repr(value)]
    if isinstance(value, dict):
        return [found for key, item in value.items() for found in _engine_objects(key) + _engine_objects(item)]
    if isinstance(value, list | tuple | set | frozenset):
        return [found for item in value for found in _engine_objects(item)]
    if hasattr(value, "__dataclass_fields__"):
        return [found for name in value.__dataclass_fields__ for found in _engine_objects(getattr(value, name))]
    return []


def test_only_the_projects_types_cross_the_interface(store: GraphStore) -> None:
    assert isinstance(store, GraphStore)
    query = "SELECT ?s ?l WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?l } LIMIT 5"
    results: list[object] = [store.select(query), store.select_values(query), store.ask("ASK { ?s ?p ?o }"),
                             store.count(), store.answer(Query(query), "application/sparql-results+json")]
    assert all(not _engine_objects(result) for result in results)
    assert isinstance(results[0], Solutions) and isinstance(results[4], Answer)


def test_terms_say_what_sparql_json_says() -> None:
    view = memory_store(
        b'<http://e.org/s> <http://e.org/p> "x"@en .\n'
        b'<http://e.org/s> <http://e.org/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
        b'<http://e.org/s> <http://e.org/p> "plain" .\n'
        b'<http://e.org/s> <http://e.org/p> _:b1 .\n')
    solutions = view.select("SELECT ?o ?unbound WHERE { ?s ?p ?o } ORDER BY STR(?o)")
    assert solutions.variables == ("o", "unbound")
    terms = {row["o"] for row in solutions}
    assert {term for term in terms if term.kind != "bnode"} == {
        Term("literal", "x", language="en"), Term("literal", "1", datatype=XSD + "integer"), Term("literal", "plain")}
    assert [term.kind for term in terms if term.kind == "bnode"] == ["bnode"]  # the loader relabels blank nodes
    assert all("unbound" not in row for row in solutions)


def test_values_read_from_the_engines_tsv_are_the_terms_lexical_values() -> None:
    view = memory_store(
        b'<http://e.org/s> <http://e.org/p> "x \\"quoted\\"\\ttab\\nline \\\\ back"@en-GB .\n'
        b'<http://e.org/s> <http://e.org/p> "-7"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
        b'<http://e.org/s> <http://e.org/p> "007"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
        b'<http://e.org/s> <http://e.org/p> "2.50"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n'
        b'<http://e.org/s> <http://e.org/p> "1.5E3"^^<http://www.w3.org/2001/XMLSchema#double> .\n'
        b'<http://e.org/s> <http://e.org/p> "true"^^<http://www.w3.org/2001/XMLSchema#boolean> .\n'
        b'<http://e.org/s> <http://e.org/p> "2024-01-31"^^<http://www.w3.org/2001/XMLSchema#date> .\n'
        b'<http://e.org/s> <http://e.org/p> "" .\n'
        b'<http://e.org/s> <http://e.org/p> "caf\xc3\xa9 <tag> @en ^^x"^^<http://e.org/type> .\n'
        b'<http://e.org/s> <http://e.org/p> <http://e.org/o?q=1#f> .\n'
        b'<http://e.org/s> <http://e.org/p> _:b1 .\n')
    for query in ("SELECT ?s ?o ?unbound WHERE { ?s ?p ?o } ORDER BY STR(?o)",
                  "SELECT ?o (GROUP_CONCAT(STR(?o); separator='\\t') AS ?all) WHERE { ?s ?p ?o } GROUP BY ?o",
                  "SELECT ?nothing WHERE { ?s ?p ?o }", "SELECT * WHERE { }", "SELECT ?s WHERE { ?s ?p 'absent' }"):
        assert view.select_values(query) == view.select(query).values(), query
    assert {'x "quoted"\ttab\nline \\ back', "", "caf\u00e9 <tag> @en ^^x", "http://e.org/o?q=1#f"} <= {
        row["o"] for row in view.select_values("SELECT ?o WHERE { ?s ?p ?o }")}


@pytest.fixture(scope="module")
def numbered() -> GraphStore:
    """2 000 subjects whose literals hold the characters formats escape: line breaks, tabs, quotes, commas."""
    lines = [f'<http://e.org/s{i:05d}> <http://e.org/p> "row {i}\\nline\\ttab \\"quoted\\", comma"@en .\n'
             for i in range(2000)]
    return memory_store("".join(lines).encode("utf-8"))


ORDERED = "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s"
TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


@pytest.mark.parametrize("media_type", SOLUTION_TYPES)
def test_an_uncut_answer_is_the_engines_own_serialisation(numbered: GraphStore, media_type: str) -> None:
    whole = numbered.answer(Query(ORDERED), media_type)
    capped = numbered.answer(Query(ORDERED), media_type, Caps(max_rows=2000, max_bytes=10**9))
    assert whole == capped == Answer(whole.body, media_type, 2000, "")
    assert whole.body.count(b"row 1999") == 1


@pytest.mark.parametrize("media_type", SOLUTION_TYPES)
@pytest.mark.parametrize("cap", [1, 7, 999, 1999])
def test_the_row_cap_keeps_the_first_rows_and_says_so(numbered: GraphStore, media_type: str, cap: int) -> None:
    cut = numbered.answer(Query(ORDERED), media_type, Caps(max_rows=cap))
    exact = numbered.answer(Query(ORDERED + f" LIMIT {cap}"), media_type)
    assert cut == Answer(exact.body, media_type, cap, "rows")


@pytest.mark.parametrize("media_type", SOLUTION_TYPES + GRAPH_TYPES)
def test_the_byte_cap_keeps_the_most_rows_that_fit(numbered: GraphStore, media_type: str) -> None:
    text = TRIPLES if media_type in GRAPH_TYPES else ORDERED
    whole = numbered.answer(Query(text), media_type)
    limit = len(whole.body) // 3
    cut = numbered.answer(Query(text), media_type, Caps(max_rows=5000, max_bytes=limit))
    assert cut.cut_by == "bytes" and 0 < cut.rows < 2000 and len(cut.body) <= limit
    one_more = numbered.answer(Query(text), media_type, Caps(max_rows=cut.rows + 1))
    assert len(one_more.body) > limit


@pytest.mark.parametrize("media_type", GRAPH_TYPES)
def test_graph_answers_are_capped_in_triples(numbered: GraphStore, media_type: str) -> None:
    assert numbered.answer(Query(TRIPLES), media_type, Caps(max_rows=2000)).cut_by == ""
    cut = numbered.answer(Query(TRIPLES), media_type, Caps(max_rows=10))
    assert (cut.rows, cut.cut_by) == (10, "rows")


def test_ask_and_empty_results_are_written_whole(numbered: GraphStore) -> None:
    assert numbered.answer(Query("ASK { ?s ?p ?o }"), "text/csv", Caps(max_rows=1)).body == b"true"
    empty = numbered.answer(Query("SELECT ?x WHERE { FILTER(false) }"), "application/sparql-results+json",
                            Caps(max_rows=0))
    assert (empty.body, empty.rows, empty.cut_by) == (b'{"head":{"vars":["x"]},"results":{"bindings":[]}}', 0, "")


def test_the_build_id_is_stored_with_the_data_and_opens_that_build(served: Settings) -> None:
    backend: Backend = backend_for(served)
    generation = current_generation(served.path(served.build_dir))
    assert (generation / BUILD_ID).read_text(encoding="ascii") == generation.name == backend.build_id()
    assert backend.open(backend.build_id()).count() == backend.open().count() > 0


class CountingBackend:
    """The server's backend, counting how often the build id is read."""

    def __init__(self, inner: Backend) -> None:
        self.inner = inner
        self.reads = 0

    def build_id(self) -> str:
        self.reads += 1
        return self.inner.build_id()


@pytest.mark.parametrize("path", ["/sparql?query=SELECT%20*%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20LIMIT%203",
                                  "/practice/3.2.4", "/practices?q=hydrogen"])
def test_the_build_id_is_read_once_per_request(client: TestClient, path: str) -> None:
    endpoint = client.app.state.endpoint  # type: ignore[attr-defined]
    live, counting = endpoint.backend, CountingBackend(endpoint.backend)
    endpoint.backend = counting
    try:
        response = client.get(path)
    finally:
        endpoint.backend = live
    assert response.status_code == 200 and counting.reads == 1


def test_a_byte_cap_below_the_header_still_answers_with_the_variables(numbered: GraphStore) -> None:
    cut = numbered.answer(Query(ORDERED), "text/csv", Caps(max_bytes=1))
    assert (cut.body, cut.rows, cut.cut_by) == (b"s,o\r\n", 0, "bytes")


@pytest.mark.parametrize("media_type", GRAPH_TYPES)
def test_a_capped_graph_is_the_first_triples_as_the_engine_writes_them(numbered: GraphStore, media_type: str) -> None:
    ordered = TRIPLES + " ORDER BY ?s"
    cut = numbered.answer(Query(ordered), media_type, Caps(max_rows=10))
    assert cut == Answer(numbered.answer(Query(ordered + " LIMIT 10"), media_type).body, media_type, 10, "rows")
