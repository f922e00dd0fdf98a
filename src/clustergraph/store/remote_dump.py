"""Step 5, store (remote): read a remote store's live graphs back whole, in pages no store limit can cut, as N-Quads.

Virtuoso answers at most ``ResultSetMaxRows`` rows of any one result and drops the rest; checked on 7.2.5 here,
its Graph Store Protocol GET and a CONSTRUCT of a graph are cut at that limit too, silently (no header says so),
and ORDER BY with an OFFSET past ``MaxSortedTopRows`` (10 000) is refused (SR353). So each graph is read as
SELECT pages of ``DUMP_PAGE_ROWS`` rows by LIMIT / OFFSET without ORDER BY: a page the store cuts (its
``X-SPARQL-MaxRows`` header, ``ResultCut``) is read again at half the size. An unordered page sequence is not
promised to be stable, so the triples are kept as a set and must number what the graph's COUNT says; a short or
duplicated read is an error, never a short dump.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pyoxigraph as ox

from clustergraph.errors import ResultCut, StoreError
from clustergraph.identity import Iris
from clustergraph.store.model import Term
from clustergraph.store.remote_answers import read_select
from clustergraph.store.remote_client import SPARQL_JSON, RemoteClient
from clustergraph.store.remote_publish import graph_size, read_build_id

DUMP_PAGE_ROWS = 10_000  # Virtuoso's default ResultSetMaxRows; a store with a lower one halves it as it must

Triple = tuple[Term, Term, Term]


def pages(client: RemoteClient, graph: str, page_rows: int = DUMP_PAGE_ROWS) -> Iterator[list[Triple]]:
    """The triples of ``graph``, page by page, each page a result under the store's row limit.

    Raises
    ------
    ResultCut
        If the store cuts even a page of one row.
    """
    offset = 0
    while True:
        query = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} LIMIT {page_rows} OFFSET {offset}"
        try:
            rows = read_select(client.query(query, SPARQL_JSON, max_rows=page_rows)).rows
        except ResultCut:
            if page_rows == 1:
                raise
            page_rows //= 2
            continue
        yield [(row["s"], row["p"], row["o"]) for row in rows]
        if len(rows) < page_rows:
            return
        offset += len(rows)


def read_graph(client: RemoteClient, graph: str, page_rows: int = DUMP_PAGE_ROWS) -> set[Triple]:
    """Every triple of ``graph``, read in pages and checked against its count.

    Raises
    ------
    StoreError
        If the pages do not hold as many distinct triples as the graph does (pages shifted or cut).
    """
    expected = graph_size(client, graph)
    triples: set[Triple] = set()
    for page in pages(client, graph, page_rows):
        triples.update(page)
    if len(triples) != expected:
        raise StoreError(f"read {len(triples)} distinct triples of the {expected} in {graph} (the store's pages "
                         "shifted while they were read); nothing was dumped")
    return triples


def dump_graphs(client: RemoteClient, iris: Iris, graphs: Sequence[str]) -> bytes:
    """Every quad of ``graphs`` as sorted N-Quads lines, all of one build.

    Raises
    ------
    StoreError
        If a graph cannot be read whole, or a build switched the live graphs while they were read.
    """
    before = read_build_id(client, iris)
    quads = [ox.Quad(_node(s.kind, s.value), ox.NamedNode(p.value), _object(o), ox.NamedNode(graph))
             for graph in graphs for s, p, o in read_graph(client, graph)]
    if read_build_id(client, iris) != before:
        raise StoreError("a build switched the store's graphs while they were read; dump again")
    return b"".join(sorted((ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"").splitlines(keepends=True)))


def _node(kind: str, value: str) -> ox.NamedNode | ox.BlankNode:
    return ox.BlankNode(value) if kind == "bnode" else ox.NamedNode(value)


def _object(term: Term) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if term.kind != "literal":
        return _node(term.kind, term.value)
    if term.language:
        return ox.Literal(term.value, language=term.language)
    return ox.Literal(term.value, datatype=ox.NamedNode(term.datatype) if term.datatype else None)
