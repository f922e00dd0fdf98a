"""Step 5, store: the only pyoxigraph user: write N-Quads, bulk-load an on-disk store, swap it in, query it.

A build loads a *new* store directory and then repoints the ``store`` symlink at it with one atomic rename,
so a reader sees either the previous store or the new one, never half of one, and a failed build leaves
the previous store in place. Queries see only the graphs the public may see: the personal-data graph is
in the store but outside every query's dataset unless the operator turns it on.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset

from clustergraph.errors import QueryError, StoreError
from clustergraph.timing import timed

logger = logging.getLogger(__name__)

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


@timed("serialise N-Quads")
def to_nquads(dataset: Dataset) -> bytes:
    """Serialise every named graph as N-Quads with sorted lines: the same dataset gives the same bytes."""
    text = dataset.serialize(format="nquads")
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8")


@timed("load store")
def load_store(nquads: Path, target: Path) -> None:
    """Bulk-load ``nquads`` into a new store directory ``target`` (inside a staged generation).

    Raises
    ------
    StoreError
        If loading fails; ``target`` is then removed.
    """
    try:
        store = ox.Store(str(target))
        store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
        store.optimize()
        store.flush()
        del store
    except (OSError, SyntaxError, ValueError) as exc:
        shutil.rmtree(target, ignore_errors=True)
        raise StoreError(f"loading {nquads} into a new store failed: {exc}") from exc


def dump_nquads(store_dir: Path) -> bytes:
    """Every quad of a closed on-disk store as N-Quads (for dumps made after an update)."""
    store = ox.Store.read_only(str(store_dir))
    return store.dump(format=ox.RdfFormat.N_QUADS) or b""


@dataclass(frozen=True)
class GraphStore:
    """A read view of the store: every named graph but the hidden ones; their union (with the store's own
    default graph, which the build leaves empty) is the default graph of a query.

    >>> store = ox.Store()
    >>> s, p = ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p")
    >>> store.add(ox.Quad(s, p, ox.Literal("open"), ox.NamedNode("http://example.org/public")))
    >>> store.add(ox.Quad(s, p, ox.Literal("secret"), ox.NamedNode("http://example.org/personal")))
    >>> view = GraphStore.over(store, ("http://example.org/personal",))
    >>> bool(view.query("ASK { ?s ?p 'open' }")), bool(view.query("ASK { ?s ?p 'secret' }"))
    (True, False)
    """

    store: ox.Store
    visible_graphs: tuple[ox.NamedNode, ...]
    hidden: bool = False

    @classmethod
    def over(cls, store: ox.Store, hidden_graphs: tuple[str, ...]) -> GraphStore:
        """A view of ``store`` without ``hidden_graphs`` (the store's graphs are read once, here)."""
        hidden = {ox.NamedNode(iri) for iri in hidden_graphs}
        graphs = sorted((g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g not in hidden),
                        key=lambda g: g.value)
        hidden_present = any(g in hidden for g in store.named_graphs())
        return cls(store, tuple(graphs), hidden_present)

    def query(self, sparql: str, default_graphs: list[ox.NamedNode] | None = None,
              named_graphs: list[ox.NamedNode] | None = None, base_iri: str | None = None,
              names_dataset: bool = False) -> QueryResult:
        """Run a SPARQL query over the visible graphs (their union is the default graph).

        ``default_graphs`` and ``named_graphs`` (the protocol's ``default-graph-uri`` and
        ``named-graph-uri``) narrow the dataset further; a graph outside the visible ones is empty. When the
        query names its own dataset (``names_dataset``: FROM / FROM NAMED), the engine reads it from the query
        itself, which is only allowed on a store that holds nothing hidden. ``base_iri`` resolves relative
        IRIs (the protocol's: the endpoint's URL).

        Raises
        ------
        QueryError
            If the query does not parse (the message is the parser's) or names a relative graph IRI.
        """
        visible = set(self.visible_graphs)
        try:
            if default_graphs is None and named_graphs is None and names_dataset and not self.hidden:
                return self.store.query(sparql, base_iri=base_iri)
            if default_graphs is None and named_graphs is None and not self.hidden:
                return self.store.query(sparql, base_iri=base_iri, use_default_graph_as_union=True)
            default: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = (
                [g for g in default_graphs if g in visible] if default_graphs is not None
                else [ox.DefaultGraph(), *self.visible_graphs])
            named: list[ox.NamedNode | ox.BlankNode] = (
                [g for g in named_graphs if g in visible] if named_graphs is not None
                else list(self.visible_graphs))
            return self.store.query(sparql, base_iri=base_iri, default_graph=default, named_graphs=named)
        except (SyntaxError, ValueError) as exc:
            raise QueryError(str(exc)) from exc

    def select_values(self, sparql: str) -> list[dict[str, str]]:
        """A SELECT's rows as {variable: lexical value} (unbound variables left out)."""
        result = self.query(sparql)
        assert isinstance(result, ox.QuerySolutions)
        names = [variable.value for variable in result.variables]
        return [{name: solution[name].value for name in names if solution[name] is not None}
                for solution in result]

    def __len__(self) -> int:
        """Number of triples in the visible graphs."""
        result = self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert isinstance(result, ox.QuerySolutions)
        return int(next(iter(result))["n"].value)


def open_store(store_link: Path, hidden_graphs: tuple[str, ...]) -> GraphStore:
    """Open the built store read-only.

    Raises
    ------
    StoreError
        If no build has produced a store yet.
    """
    if not store_link.exists():
        raise StoreError(f"no store at {store_link}: run 'clustergraph build' first")
    try:
        store = ox.Store.read_only(str(store_link.resolve()))
    except (OSError, RuntimeError) as exc:  # RocksDB reports a damaged store as RuntimeError("Corruption: ...")
        raise StoreError(f"cannot open the store at {store_link}: {exc}") from exc
    return GraphStore.over(store, hidden_graphs)


def memory_store(nquads: bytes, hidden_graphs: tuple[str, ...]) -> GraphStore:
    """An in-memory store of the given N-Quads (tests and one-off queries)."""
    store = ox.Store()
    store.bulk_load(input=nquads, format=ox.RdfFormat.N_QUADS)
    return GraphStore.over(store, hidden_graphs)


def serialize_result(result: QueryResult, fmt: str) -> bytes:
    """Serialise a result: ``csv``, ``tsv``, ``json`` or ``xml`` for SELECT/ASK, an RDF format for graphs."""
    if isinstance(result, ox.QueryTriples):
        rdf_format = {"json": ox.RdfFormat.JSON_LD, "ttl": ox.RdfFormat.TURTLE,
                      "nt": ox.RdfFormat.N_TRIPLES}.get(fmt, ox.RdfFormat.TURTLE)
        return result.serialize(format=rdf_format) or b""
    results_format = {"csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
                      "json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML}.get(fmt)
    if results_format is None:
        raise QueryError(f"unknown result format '{fmt}'")
    return result.serialize(format=results_format) or b""


def store_version(store_dir: Path) -> str:
    """The version of the data a store path leads to: the name of the generation it lies in.

    Responses, cache entries and worker handles are tied to it, so a rebuild or an update retires them.

    Raises
    ------
    StoreError
        If no build has produced a store yet.
    """
    if not store_dir.exists():
        raise StoreError(f"no store at {store_dir}: run 'clustergraph build' first")
    return Path(os.path.realpath(store_dir)).parent.name


def apply_update(source: Path, target: Path, sparql: str, base_iri: str | None = None) -> None:
    """Copy the closed store ``source`` into the new directory ``target`` and apply a SPARQL Update there.

    Readers keep reading ``source``: no handle ever writes a directory another process has open.

    Raises
    ------
    QueryError
        If the update does not parse.
    StoreError
        If the copy cannot be made.
    """
    try:
        ox.Store.read_only(str(source)).backup(str(target))
        store = ox.Store(str(target))
    except OSError as exc:
        raise StoreError(f"cannot copy the store for an update: {exc}") from exc
    try:
        store.update(sparql, base_iri=base_iri)
    except (SyntaxError, ValueError) as exc:
        raise QueryError(str(exc)) from exc
    store.flush()
