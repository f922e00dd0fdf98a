"""The staged store: the Oxigraph store a build fills, derives into, checks and dumps before anything is published.

A build's quads go once into one in-memory store: the derivation rules add their facts to it, validation reads
it through a view, and the engine writes it out as an N-Quads file (which ``quads`` sorts, and the dumps and
the served store are made from). Nothing here holds the graph as Python objects, so memory is the engine's
whatever the graph's size. An update opens its staged on-disk copy of the live store the same way.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from clustergraph.errors import QueryError, StoreError
from clustergraph.store.embedded import OxigraphStore, QuadFile
from clustergraph.timing import timed

Quads = bytes | Path
"""N-Quads to load: the bytes themselves, or the file holding them."""


class StagedStore:
    """A writable store for one build: load, add derived facts, read through a view, write dumps, close.

    >>> staged = StagedStore.create()
    >>> staged.load(b'<http://e.org/a> <http://e.org/p> <http://e.org/b> <http://e.org/g> .\\n')
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     staged.construct_to("CONSTRUCT { ?o <http://e.org/q> ?s } WHERE { ?s <http://e.org/p> ?o }",
    ...                         Path(tmp, "d.nt"))
    ...     staged.load(Path(tmp, "d.nt"), to_graph="http://e.org/d")
    >>> sorted(staged.quads().decode().splitlines())  # doctest: +NORMALIZE_WHITESPACE
    ['<http://e.org/a> <http://e.org/p> <http://e.org/b> <http://e.org/g> .',
     '<http://e.org/b> <http://e.org/q> <http://e.org/a> <http://e.org/d> .']
    """

    def __init__(self, store: ox.Store, path: Path | None) -> None:
        self._store = store
        self.path = path

    @classmethod
    def create(cls) -> StagedStore:
        """A new empty store in memory (the engine's memory store: derivation and validation run about ten
        times faster there than over an on-disk store, and it holds about 0.6 GB per million quads)."""
        return cls(ox.Store(), None)

    @classmethod
    def open(cls, path: Path) -> StagedStore:
        """The store in the directory ``path`` (a staged copy no reader has open), for writing.

        Raises
        ------
        StoreError
            If it cannot be opened.
        """
        try:
            return cls(ox.Store(str(path)), path)
        except OSError as exc:
            raise StoreError(f"cannot open the store at {path}: {exc}") from exc

    def load(self, quads: Quads, to_graph: str | None = None) -> None:
        """Bulk-load N-Quads (or, with ``to_graph``, N-Triples into that graph), streamed from a file.

        Raises
        ------
        StoreError
            If they do not parse or cannot be written.
        """
        rdf_format = ox.RdfFormat.N_QUADS if to_graph is None else ox.RdfFormat.N_TRIPLES
        graph = ox.NamedNode(to_graph) if to_graph is not None else None
        try:
            if isinstance(quads, Path):
                self._store.bulk_load(path=str(quads), format=rdf_format, to_graph=graph)
            else:
                self._store.bulk_load(input=quads, format=rdf_format, to_graph=graph)
        except (OSError, SyntaxError, ValueError) as exc:
            where = f" from {quads}" if isinstance(quads, Path) else ""
            raise StoreError(f"the quads{where} do not load: {exc}") from exc

    def drop_graph(self, graph: str) -> None:
        """Remove the named graph ``graph`` and its quads (a graph that is not there is no error)."""
        node = ox.NamedNode(graph)
        if node in self._store.named_graphs():
            self._store.remove_graph(node)

    def construct_to(self, construct: str, out: Path) -> None:
        """Write a CONSTRUCT's triples (over the union of the graphs) to the N-Triples file ``out``, engine to
        file (several may run at once: the engine evaluates without holding the GIL).

        Raises
        ------
        QueryError
            If ``construct`` does not parse or is not a CONSTRUCT.
        """
        try:
            result = self._store.query(construct, use_default_graph_as_union=True)
        except (SyntaxError, ValueError) as exc:
            raise QueryError(str(exc)) from exc
        if not isinstance(result, ox.QueryTriples):
            raise QueryError("not a CONSTRUCT")
        result.serialize(str(out), ox.RdfFormat.N_TRIPLES)

    def __len__(self) -> int:
        """How many quads the store holds (what a count query over every graph says, read without one)."""
        return len(self._store)

    def has_graph(self, graph: str) -> bool:
        """Whether the named graph ``graph`` holds any quad."""
        return ox.NamedNode(graph) in self._store.named_graphs()

    def write_graph(self, graph: str, out: Path) -> QuadFile:
        """The triples of the named graph ``graph`` as N-Triples, written to ``out`` by the engine."""
        self._store.dump(str(out), ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
        return QuadFile(out, graph)

    def view(self, hidden_graphs: tuple[str, ...] = ()) -> OxigraphStore:
        """A read view of the store as queries see it (the union of its graphs but ``hidden_graphs``)."""
        return OxigraphStore.over(self._store, hidden_graphs)

    def quads(self) -> bytes:
        """Every quad as N-Quads (for graphs small enough to hold)."""
        return self._store.dump(format=ox.RdfFormat.N_QUADS) or b""

    @timed("write quads")
    def write_quads(self, out: Path) -> None:
        """Every quad as N-Quads, written to ``out`` by the engine (in the order the store holds them)."""
        self._store.dump(str(out), ox.RdfFormat.N_QUADS)

    def graph_triples(self, graph: str) -> bytes:
        """The triples of the named graph ``graph`` as N-Triples, written by the engine."""
        return self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph)) or b""

    def close(self) -> None:
        """Flush an on-disk store and let the engine release the store; its views must not be used after."""
        if self.path is not None:
            self._store.flush()
        del self._store


class Feed:
    """The N-Quads files a new store is loaded from, handed to the loading thread as a build writes them, and
    the staged store that holds the same quads once the last file has come: a backend loads from whichever
    suits it, and an embedded store starts loading while the build is still deriving and validating.
    """

    def __init__(self) -> None:
        self._files: queue.Queue[QuadFile | None] = queue.Queue()
        self._staged: StagedStore | None = None
        self._ended = threading.Event()

    def add(self, file: QuadFile) -> None:
        """Hand over one more file (the files together hold the store's quads)."""
        self._files.put(file)

    def end(self, staged: StagedStore | None) -> None:
        """No more files: ``staged`` holds what they hold together (None: the build stopped and the loading must
        end without a store); a second call changes nothing."""
        if not self._ended.is_set():
            self._staged = staged
            self._ended.set()
            self._files.put(None)

    def files(self) -> Iterator[QuadFile]:
        """The files as they come, until the end.

        Raises
        ------
        StoreError
            If the build stopped before the files were complete.
        """
        while (file := self._files.get()) is not None:
            yield file
        self.staged()

    def staged(self) -> StagedStore:
        """The staged store, once the files are complete.

        Raises
        ------
        StoreError
            If the build stopped before the files were complete.
        """
        self._ended.wait()
        if self._staged is None:
            raise StoreError("the build stopped before the new store's quads were complete")
        return self._staged
