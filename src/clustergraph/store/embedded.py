"""The embedded backend: an on-disk Oxigraph (pyoxigraph) store per generation, read through a view that
hides graphs the public may not see and answers with the store's own types.

A build bulk-loads a *new* store inside a staged generation and one rename publishes it (``generations``),
so a reader sees either the previous store or the new one, never half of one, and a failed build leaves the
previous store in place. The public store holds no personal data; an in-memory store of everything (tests,
validation) hides the graphs it is told to.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import pyoxigraph as ox

from clustergraph.errors import QueryError, StoreError
from clustergraph.generations import CURRENT, GENERATIONS, current_build_id
from clustergraph.store.model import NO_CAPS, Answer, Caps, Query, Row, Solutions, Term
from clustergraph.store.native import QueryResult, serialise
from clustergraph.store.values import solution_values
from clustergraph.timing import timed

if TYPE_CHECKING:  # staging builds on this module's views
    from clustergraph.store.staging import Feed

logger = logging.getLogger(__name__)

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@dataclass(frozen=True)
class OxigraphStore:
    """A read view of a pyoxigraph store: every named graph but the hidden ones; their union (with the
    store's own default graph, which the build leaves empty) is the default graph of a query.

    >>> view = memory_store(b'<http://e.org/s> <http://e.org/p> "open" <http://e.org/public> .\\n'
    ...                     b'<http://e.org/s> <http://e.org/p> "secret" <http://e.org/personal> .\\n',
    ...                     ("http://e.org/personal",))
    >>> view.ask("ASK { ?s ?p 'open' }"), view.ask("ASK { ?s ?p 'secret' }"), view.count()
    (True, False, 1)
    """

    store: ox.Store
    visible_graphs: tuple[ox.NamedNode, ...]
    hidden: bool = False

    @classmethod
    def over(cls, store: ox.Store, hidden_graphs: tuple[str, ...]) -> OxigraphStore:
        """A view of ``store`` without ``hidden_graphs`` (the store's graphs are read once, here)."""
        hidden = {ox.NamedNode(iri) for iri in hidden_graphs}
        graphs = sorted((g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g not in hidden),
                        key=lambda g: g.value)
        hidden_present = any(g in hidden for g in store.named_graphs())
        return cls(store, tuple(graphs), hidden_present)

    def _run(self, query: Query) -> QueryResult:
        """Evaluate ``query`` over the visible graphs (their union is the default graph).

        The protocol's graphs narrow the dataset further; a graph outside the visible ones is empty. When the
        query names its own dataset (FROM / FROM NAMED), the engine reads it from the query itself, which is
        only allowed on a store that holds nothing hidden.
        """
        visible = set(self.visible_graphs)
        try:
            if query.default_graphs is None and query.named_graphs is None and not self.hidden:
                if query.names_dataset:
                    return self.store.query(query.text, base_iri=query.base_iri)
                return self.store.query(query.text, base_iri=query.base_iri, use_default_graph_as_union=True)
            default: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = (
                [g for g in map(ox.NamedNode, query.default_graphs) if g in visible]
                if query.default_graphs is not None else [ox.DefaultGraph(), *self.visible_graphs])
            named: list[ox.NamedNode | ox.BlankNode] = (
                [g for g in map(ox.NamedNode, query.named_graphs) if g in visible]
                if query.named_graphs is not None else list(self.visible_graphs))
            return self.store.query(query.text, base_iri=query.base_iri, default_graph=default,
                                    named_graphs=named)
        except (SyntaxError, ValueError) as exc:
            raise QueryError(str(exc)) from exc

    def answer(self, query: Query, media_type: str, caps: Caps = NO_CAPS) -> Answer:
        """Run ``query`` and let the engine serialise it as ``media_type`` within ``caps``."""
        return serialise(self._run(query), media_type, caps)

    def _solutions(self, text: str) -> ox.QuerySolutions:
        result = self._run(Query(text))
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("this query is not a SELECT")
        return result

    def select(self, text: str) -> Solutions:
        """A SELECT's variables and rows as the store's own terms."""
        result = self._solutions(text)
        names = tuple(variable.value for variable in result.variables)
        rows = tuple(Row((name, _term(term)) for name in names if (term := solution[name]) is not None)
                     for solution in result)
        return Solutions(names, rows)

    def select_values(self, text: str) -> list[dict[str, str]]:
        """A SELECT's rows as {variable: lexical value} (unbound variables left out), read from the engine's TSV."""
        return solution_values(self._solutions(text))

    def ask(self, text: str) -> bool:
        """An ASK's answer."""
        result = self._run(Query(text))
        if not isinstance(result, ox.QueryBoolean):
            raise QueryError("this query is not an ASK")
        return bool(result)

    def count(self) -> int:
        """Number of triples in the visible graphs."""
        return int(self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows[0]["n"].value)


def _term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Term:
    if isinstance(term, ox.NamedNode):
        return Term("uri", term.value)
    if isinstance(term, ox.BlankNode):
        return Term("bnode", term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Term("literal", term.value, language=term.language)
        datatype = term.datatype.value
        return Term("literal", term.value, datatype=None if datatype == XSD_STRING else datatype)
    return Term("triple", str(term))


def open_store(store_dir: Path, hidden_graphs: tuple[str, ...] = ()) -> OxigraphStore:
    """Open a closed on-disk store read-only.

    Raises
    ------
    StoreError
        If there is no store there, or it cannot be opened.
    """
    if not store_dir.exists():
        raise StoreError(f"no store at {store_dir}: run 'clustergraph build' first")
    try:
        store = ox.Store.read_only(str(store_dir.resolve()))
    except (OSError, RuntimeError) as exc:  # RocksDB reports a damaged store as RuntimeError("Corruption: ...")
        raise StoreError(f"cannot open the store at {store_dir}: {exc}") from exc
    return OxigraphStore.over(store, hidden_graphs)


def memory_store(nquads: bytes, hidden_graphs: tuple[str, ...] = ()) -> OxigraphStore:
    """An in-memory store of the given N-Quads (tests, validation and one-off queries)."""
    store = ox.Store()
    store.bulk_load(input=nquads, format=ox.RdfFormat.N_QUADS)
    return OxigraphStore.over(store, hidden_graphs)


class QuadFile(NamedTuple):
    """A file of quads: N-Quads, or (with ``graph``) N-Triples of that named graph."""

    path: Path
    graph: str | None = None


@timed("load store")
def load_store(files: Path | Iterable[QuadFile], target: Path, trusted: bool = False) -> None:
    """Bulk-load an N-Quads file, or ``files`` one after the other as they come, into a new store directory
    ``target``. ``trusted`` files were written by the engine, or are parsed strictly beside, so their IRIs are
    not checked again (parsing takes a tenth less).

    The store is not compacted afterwards (``optimize``): at a million triples compaction made the catalogue's
    two heaviest queries a fifth faster and the rest no faster that could be measured, but took a quarter of
    the whole build's time, on its critical path.

    Raises
    ------
    StoreError
        If loading fails; ``target`` is then removed.
    """
    store: ox.Store | None = None
    try:
        store = ox.Store(str(target))
        for path, graph in [QuadFile(files)] if isinstance(files, Path) else files:
            store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS if graph is None else ox.RdfFormat.N_TRIPLES,
                            to_graph=None if graph is None else ox.NamedNode(graph), lenient=trusted)
        store.flush()
    except (OSError, SyntaxError, ValueError, StoreError) as exc:
        store = None  # the engine's lock on the directory goes with the last reference, before the directory
        shutil.rmtree(target, ignore_errors=True)
        raise StoreError(f"loading a new store at {target} failed: {exc}") from exc
    finally:
        del store


@dataclass(frozen=True)
class EmbeddedBackend:
    """The stores named ``name`` (``store`` or ``personal-store``) inside the generations of ``build_dir``.

    The build id is the ``build-id`` file a generation is published with; the store of a build is found by
    it, so a worker opens exactly the build a request was tagged with.
    """

    build_dir: Path
    name: str

    def build_id(self) -> str:
        """The live build's identifier (one small file read)."""
        return current_build_id(self.build_dir)

    def open(self, build_id: str | None = None) -> OxigraphStore:
        """The live store (or the store of ``build_id``), read-only."""
        where = self.build_dir / (CURRENT if build_id is None else f"{GENERATIONS}/{build_id}") / self.name
        return open_store(where)

    def local_generation(self, build_id: str) -> Path | None:
        """The generation the build ``build_id`` was published as (its store lives inside it)."""
        return self.build_dir / GENERATIONS / build_id

    def load(self, feed: Feed, generation: Path) -> None:
        """Bulk-load the feed's files into ``generation``'s new store as they come. Parsing a file runs without
        the GIL, while copying the staged store engine to engine, though it parses nothing, takes the GIL for
        every batch and so slows the validation running beside it about threefold."""
        load_store(feed.files(), generation / self.name, trusted=True)

    def go_live(self, generation: Path) -> None:
        """Nothing: the generation's store is live once the generation is published."""

    def discard(self, generation: Path) -> None:
        """Remove the generation's new store (the rest of the directory is the build's)."""
        shutil.rmtree(generation / self.name, ignore_errors=True)

    def update(self, source: Path, target: Path, sparql: str, base_iri: str | None = None) -> None:
        """Back up ``source``'s store into ``target`` and apply the update there (no handle ever writes a
        directory another process has open); a generation without this store is skipped."""
        if not (source / self.name).exists():
            return
        try:
            ox.Store.read_only(str(source / self.name)).backup(str(target / self.name))
            store = ox.Store(str(target / self.name))
        except OSError as exc:
            raise StoreError(f"cannot copy the store for an update: {exc}") from exc
        try:
            store.update(sparql, base_iri=base_iri)
        except (SyntaxError, ValueError) as exc:
            raise QueryError(str(exc)) from exc
        store.flush()
