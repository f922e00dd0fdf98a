"""Step 5, store (remote): publish a build on a remote store — load a new graph set beside the live one, check
it, then switch the live graphs to it in one update, so a failed or killed load leaves the previous graph
answering.

The live graphs keep their names (``graph/public``, ``graph/ontology``), so queries and their answers are the
same as on the embedded store. A build first PUTs each graph into a staging graph of its own
(``graph/staging/<build id>/<name>``, outside every query's dataset), checks that each holds the number of
triples sent, and only then runs ONE SPARQL Update operation that deletes the live graphs and the build record
and inserts the staged graphs under the live names with the new build record. Virtuoso runs one operation as
one transaction (measured here: of two operations in one request, the first stays when the second fails), so
readers see the old set or the new one. Staging graphs are dropped afterwards, and a build drops the staging
graphs a killed one left.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from rdflib.namespace import DCTERMS

from clustergraph.errors import StoreError
from clustergraph.identity import Iris
from clustergraph.store.model import Solutions
from clustergraph.store.remote_answers import read_select
from clustergraph.store.remote_client import SPARQL_JSON, RemoteClient

logger = logging.getLogger(__name__)


def whole_store_select(client: RemoteClient, text: str) -> Solutions:
    """A SELECT over everything the store holds (the build's bookkeeping; never for the public)."""
    return read_select(client.query(text, SPARQL_JSON))


def read_build_id(client: RemoteClient, iris: Iris) -> str | None:
    """The build the store's live graphs hold (None: nothing published yet)."""
    query = (f"SELECT ?id WHERE {{ GRAPH <{iris.build_record_graph()}> "
             f"{{ <{iris.dataset()}> <{DCTERMS.identifier}> ?id }} }}")
    rows = whole_store_select(client, query).rows
    return rows[0]["id"].value if rows else None


def graph_size(client: RemoteClient, graph: str) -> int:
    """Triples in one graph of the store."""
    rows = whole_store_select(client, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}").rows
    return int(rows[0]["n"].value)


def stage_remote(client: RemoteClient, iris: Iris, graph_triples: Callable[[str], bytes],
                 graph_names: dict[str, str], build_id: str) -> None:
    """Load each graph in ``graph_names`` (IRI -> short name), as N-Triples from ``graph_triples``, into its staging
    graph for ``build_id``, and check the store holds what was sent; nothing live changes.

    Raises
    ------
    StoreError
        If a graph cannot be loaded or the store holds another count than was sent; the staging graphs are then
        dropped.
    """
    _drop_leftovers(client, iris)
    staged = staging_graphs(iris, graph_names, build_id)
    try:
        for graph in graph_names:
            triples = graph_triples(graph)
            client.put_graph(staged[graph], triples)
            expected = triples.count(b"\n")
            if (found := graph_size(client, staged[graph])) != expected:
                raise StoreError(f"the store holds {found} triples of the {expected} sent for {graph}")
    except BaseException:
        client.drop_graphs(list(staged.values()))
        raise


def switch_remote(client: RemoteClient, iris: Iris, graph_names: dict[str, str], build_id: str) -> None:
    """Make the staging graphs of ``build_id`` live in one update (``switch_update``) and drop them.

    Raises
    ------
    StoreError
        If the update fails; the live graphs and the build record are then untouched.
    """
    staged = staging_graphs(iris, graph_names, build_id)
    try:
        client.update(switch_update(iris, staged, build_id))
    finally:
        client.drop_graphs(list(staged.values()))
    logger.info("published build %s on %s", build_id, client.endpoints.query)


def staging_graphs(iris: Iris, graph_names: dict[str, str], build_id: str) -> dict[str, str]:
    """The staging graph of each live graph (IRI -> short name) for ``build_id``."""
    return {graph: str(iris.staging_graph(build_id, name)) for graph, name in graph_names.items()}


def switch_update(iris: Iris, staged: dict[str, str], build_id: str) -> str:
    """ONE update operation: the live graphs and build record out, the staged graphs and new record in.

    The record is a constant of the template (Virtuoso 7.2 cannot insert from a VALUES-only group: SR002), so it
    is written once for every staged triple; a quad store keeps one.
    """
    record = str(iris.build_record_graph())
    live = " ".join(f"<{graph}>" for graph in [*staged, record])
    moves = " ".join(f"(<{stage}> <{graph}>)" for graph, stage in staged.items())
    identifier = build_id.replace("\\", "\\\\").replace('"', '\\"')
    return f"""DELETE {{ GRAPH ?old {{ ?s ?p ?o }} }}
INSERT {{ GRAPH ?live {{ ?s ?p ?o }} GRAPH <{record}> {{ <{iris.dataset()}> <{DCTERMS.identifier}> "{identifier}" }} }}
WHERE {{
  {{ VALUES ?old {{ {live} }} GRAPH ?old {{ ?s ?p ?o }} }}
  UNION {{ VALUES (?stage ?live) {{ {moves} }} GRAPH ?stage {{ ?s ?p ?o }} }}
}}"""


def _drop_leftovers(client: RemoteClient, iris: Iris) -> None:
    prefix = str(iris.staging_graph("", "")).rstrip("/") + "/"
    rows = whole_store_select(client, f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} '
                                      f'FILTER(STRSTARTS(STR(?g), "{prefix}")) }}').rows
    if leftovers := [row["g"].value for row in rows]:
        logger.info("dropping %d staging graphs a killed build left", len(leftovers))
        client.drop_graphs(leftovers)
