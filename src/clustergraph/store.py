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
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset

from clustergraph.errors import QueryError, StoreError

logger = logging.getLogger(__name__)

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


def to_nquads(dataset: Dataset) -> bytes:
    """Serialise every named graph as N-Quads with sorted lines: the same dataset gives the same bytes."""
    text = dataset.serialize(format="nquads")
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8")


def load_store(nquads: Path, store_link: Path) -> Path:
    """Bulk-load ``nquads`` into a fresh store directory and atomically point ``store_link`` at it.

    Returns the new store directory. Older store directories are removed once the link has moved.

    Raises
    ------
    StoreError
        If loading fails; the link and the store it points to are then untouched.
    """
    stores = store_link.parent / "stores"
    stores.mkdir(parents=True, exist_ok=True)
    fresh = stores / f"store-{time.time_ns()}"
    try:
        store = ox.Store(str(fresh))
        store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
        store.optimize()
        store.flush()
        del store
    except (OSError, SyntaxError, ValueError) as exc:
        shutil.rmtree(fresh, ignore_errors=True)
        raise StoreError(f"loading {nquads} into a new store failed: {exc}") from exc
    if store_link.exists() and not store_link.is_symlink():
        raise StoreError(f"{store_link} exists and is not a symlink; move it away first")
    temporary_link = store_link.with_name(store_link.name + ".new")
    temporary_link.unlink(missing_ok=True)
    temporary_link.symlink_to(fresh.relative_to(store_link.parent))
    os.replace(temporary_link, store_link)
    for old in stores.iterdir():
        if old == fresh or old.name == fresh.name + ".generation":
            continue
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)
    return fresh


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

    @classmethod
    def over(cls, store: ox.Store, hidden_graphs: tuple[str, ...]) -> GraphStore:
        """A view of ``store`` without ``hidden_graphs`` (the store's graphs are read once, here)."""
        hidden = {ox.NamedNode(iri) for iri in hidden_graphs}
        graphs = sorted((g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g not in hidden),
                        key=lambda g: g.value)
        return cls(store, tuple(graphs))

    def query(self, sparql: str, default_graphs: list[ox.NamedNode] | None = None,
              named_graphs: list[ox.NamedNode] | None = None, base_iri: str | None = None) -> QueryResult:
        """Run a SPARQL query over the visible graphs (their union is the default graph).

        ``default_graphs`` and ``named_graphs`` (the protocol's ``default-graph-uri`` and
        ``named-graph-uri``) narrow the dataset further; a graph outside the visible ones is empty.
        ``base_iri`` resolves relative IRIs (the protocol's: the endpoint's URL).

        Raises
        ------
        QueryError
            If the query does not parse (the message is the parser's).
        """
        visible = set(self.visible_graphs)
        default: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = (
            [g for g in default_graphs if g in visible] if default_graphs is not None
            else [ox.DefaultGraph(), *self.visible_graphs])
        named: list[ox.NamedNode | ox.BlankNode] = (
            [g for g in named_graphs if g in visible] if named_graphs is not None else list(self.visible_graphs))
        try:
            return self.store.query(sparql, base_iri=base_iri, default_graph=default, named_graphs=named)
        except SyntaxError as exc:
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
    except OSError as exc:
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


def store_version(store_link: Path) -> str:
    """The version of the data behind the link: the build's store directory plus its update generation.

    Responses, cache entries and worker handles are tied to it, so a rebuild or an update retires them.

    Raises
    ------
    StoreError
        If no build has produced a store yet.
    """
    if not store_link.exists():
        raise StoreError(f"no store at {store_link}: run 'clustergraph build' first")
    target = Path(os.path.realpath(store_link))
    marker = target.with_name(target.name + ".generation")
    generation = marker.read_text(encoding="ascii").strip() if marker.exists() else "0"
    return f"{target.name}.{generation}"


class StoreWriter:
    """The one writable handle on the live store, used only when the operator has turned updates on.

    Query workers keep their read-only handles; after each update the generation marker moves on, and
    each worker reopens its handle (a read-only open sees everything flushed before it).
    """

    def __init__(self, store_link: Path) -> None:
        self.store_link = store_link
        self._opened: tuple[Path, ox.Store] | None = None

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        """Apply a SPARQL Update and publish it to the readers.

        Raises
        ------
        QueryError
            If the update does not parse.
        StoreError
            If the store cannot be opened for writing.
        """
        target = Path(os.path.realpath(self.store_link))
        if self._opened is None or self._opened[0] != target:
            try:
                self._opened = (target, ox.Store(str(target)))
            except OSError as exc:
                raise StoreError(f"cannot open the store for writing: {exc}") from exc
        store = self._opened[1]
        try:
            store.update(sparql, base_iri=base_iri)
        except SyntaxError as exc:
            raise QueryError(str(exc)) from exc
        store.flush()
        marker = target.with_name(target.name + ".generation")
        generation = int(marker.read_text(encoding="ascii")) + 1 if marker.exists() else 1
        staged = marker.with_name(marker.name + ".staged")
        staged.write_text(str(generation), encoding="ascii")
        os.replace(staged, marker)
