"""Property tests: the guard and the engine agree on SERVICE, and a worker cannot reach the network anyway.

The engine here is real pyoxigraph in this process (with network), pointed at a loopback listener that
counts requests: for every generated spelling, either the guard refuses it or the engine sends nothing.
"""

from __future__ import annotations

import random
import subprocess
import sys
import threading

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from clustergraph.sparql_guard import QueryRefused, inspect_request, tokenize


@pytest.fixture(scope="module")
def engine(listener: tuple[int, list[bytes]]) -> ox.Store:
    """A store where every prefix the generator puts before SERVICE matches, so the engine does reach it."""
    store = ox.Store()
    subject, predicate = ox.NamedNode("http://x/s"), ox.NamedNode("http://x/p")
    for value in (ox.Literal("o"), ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")),
                  ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
                  ox.Literal("x", language="en"), ox.NamedNode(f"http://127.0.0.1:{listener[0]}/o")):
        store.add(ox.Quad(subject, predicate, value))
    return store


def _escape(letter: str, how: int) -> str:
    return letter if how == 0 else f"\\u{ord(letter):04X}" if how == 1 else f"\\u{ord(letter):04x}"


GAPS = (" ", "\n", "\t", "", " # SERVICE is a comment\n", "\r\n")
BEFORE = ("", "VALUES ?v { ex:a\\# }\n", "VALUES ?v { ex:a\\' }\n", "VALUES ?v { ex:a\\\" }\n", "BIND('x' AS ?q) ",
          "BIND('\'\'it\'\'s\'\'\'' AS ?q) ", "BIND(\"a\\\"b\" AS ?q) ", "?s ?p true", "?s ?p ex:o.", "FILTER(1<2) ",
          "# comment { \n", "?s ?p 'x'@en.", "?s ?p 1.")


def spell_service(rng: random.Random, port: int) -> str:
    """A query that calls SERVICE on the listener, spelt in one of the ways the grammar allows or nearly so."""
    keyword = "".join(_escape(rng.choice((letter.upper(), letter.lower())), rng.choice((0,) * 8 + (1, 2)))
                      for letter in "service")
    target = rng.choice((f"<http://127.0.0.1:{port}/x>", "ex:x", f"<http://127.0.0.1:{port}\\u002Fx>"))
    silent = rng.choice(("", "SILENT", "silent"))
    return (f"PREFIX ex: <http://127.0.0.1:{port}/> SELECT * WHERE {{ {rng.choice(BEFORE)}{rng.choice(GAPS)}"
            f"{keyword}{rng.choice(GAPS)}{silent}{rng.choice(GAPS) if silent else ''}{target}{rng.choice(GAPS)}"
            "{ ?x ?y ?z } }")


def _engine_calls_service(engine: ox.Store, query: str, hits: list[bytes]) -> bool:
    before = len(hits)
    try:
        result = engine.query(query)
        if isinstance(result, ox.QuerySolutions):
            list(result)
    except (SyntaxError, OSError, RuntimeError, ValueError):
        pass
    for _ in range(20):  # the listener thread records a connection a moment after the engine made it
        if len(hits) > before:
            return True
        threading.Event().wait(0.01)
    return False


def test_the_generator_makes_real_attacks(engine: ox.Store, listener: tuple[int, list[bytes]]) -> None:
    port, hits = listener
    attacks = [f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/x> {{ ?x ?y ?z }} }}",
               f"PREFIX ex: <http://127.0.0.1:{port}/> SELECT * WHERE {{ VALUES ?v {{ ex:a\\# }}\n"
               f"SERVICE ex:x {{ ?x ?y ?z }} }}",
               f"SELECT * WHERE {{ ?s ?p trueSERVICE <http://127.0.0.1:{port}/x> {{ ?x ?y ?z }} }}"]
    assert all(_engine_calls_service(engine, attack, hits) for attack in attacks)


@settings(max_examples=300, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_guard_never_lets_a_service_call_through(engine: ox.Store, listener: tuple[int, list[bytes]],
                                                     data: st.DataObject) -> None:
    port, hits = listener
    query = spell_service(data.draw(st.randoms(use_true_random=False)), port)
    try:
        inspect_request(query, 65_536, 64)
    except QueryRefused:
        return
    assert not _engine_calls_service(engine, query, hits), query


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("{}()[]<>'\"#\\?$:._-!^|/*+ \nSERVICEabc0u")), max_size=80))
def test_the_reader_never_crashes(text: str) -> None:
    try:
        inspect_request(text, 65_536, 64)
        tokenize(text)
    except QueryRefused as refused:
        assert refused.status in (400, 413)


def test_a_worker_cannot_reach_the_network(listener: tuple[int, list[bytes]]) -> None:
    """Even a query that slipped past the guard cannot leave a worker: it has no network at all."""
    port, hits = listener
    before = len(hits)
    script = f"""
import pyoxigraph as ox
from clustergraph.isolation import cut_network
problem = cut_network()
if problem:
    print("not-isolated", problem)
else:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://x/s"), ox.NamedNode("http://x/p"), ox.Literal("o")))
    try:
        list(store.query("SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/x> {{ ?x ?y ?z }} }}"))
        print("reached")
    except OSError as error:
        print("unreachable", error)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    if result.stdout.startswith("not-isolated"):
        pytest.skip(f"this machine allows no network namespace: {result.stdout.strip()}")
    assert result.stdout.startswith("unreachable"), result.stdout + result.stderr
    assert len(hits) == before


def test_many_generated_spellings_are_real_service_calls(engine: ox.Store, listener: tuple[int, list[bytes]]) -> None:
    """The property above has teeth: run without the guard, a good share of the spellings do call out."""
    port, hits = listener
    spellings = {spell_service(random.Random(seed), port) for seed in range(60)}
    calls = sum(_engine_calls_service(engine, query, hits) for query in spellings)
    assert calls >= len(spellings) // 10, f"only {calls} of {len(spellings)} spellings reach the listener"
