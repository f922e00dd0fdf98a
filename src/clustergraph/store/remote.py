"""Step 5, store (remote): the store interface on a remote SPARQL 1.1 store (Virtuoso first) — a read view of
its live graphs (``RemoteStore``) and the builds kept there (``RemoteBackend``).

Every query names its dataset explicitly (``default-graph-uri`` and ``named-graph-uri``: the visible graphs),
so graphs a store holds beside ours — Virtuoso's own system graphs, a build's staging graphs, the build record —
are outside it, as hidden graphs are in the embedded store. Answers come back in SPARQL JSON or N-Triples,
Virtuoso's dialect undone (``remote_answers``; a graph answer that reached the store's row limit, which Virtuoso
does not flag, is refused as cut), and are written in the requested format, within the caps, by
the same engine serialisers as the embedded store's (``native``): the bytes mean the same on both stores.
The personal-data graph never goes to a remote store, whose own endpoint anyone who reaches it may query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from clustergraph.errors import QueryError, ResultCut, SettingError, StoreError
from clustergraph.identity import PUBLIC_GRAPH_NAMES, Iris
from clustergraph.settings import Settings
from clustergraph.store.model import NO_CAPS, Answer, Caps, Query, Solutions
from clustergraph.store.native import serialise
from clustergraph.store.remote_answers import read_ask, read_select, to_standard
from clustergraph.store.remote_client import N_TRIPLES, SPARQL_JSON, Credentials, Endpoints, RemoteClient
from clustergraph.store.remote_dump import dump_graphs
from clustergraph.store.remote_publish import read_build_id, stage_remote, staging_graphs, switch_remote
from clustergraph.store.staging import Feed

GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")


def remote_graphs(settings: Settings) -> dict[str, str]:
    """The graphs a remote store holds for us (IRI -> name): every graph but the personal one."""
    iris = Iris(settings.base_iri)
    return {str(iris.graph(name)): name for name in PUBLIC_GRAPH_NAMES}


@dataclass
class RemoteStore:
    """A read view of a remote store's live graphs: ``visible_graphs`` and nothing else.

    ``empty_graph`` names a graph that never holds anything: the dataset of a request whose protocol graphs
    are all outside the visible ones (an empty list would mean "the whole store" to the remote endpoint).
    """

    client: RemoteClient
    visible_graphs: tuple[str, ...]
    empty_graph: str
    _uncut_up_to: int = field(default=0, init=False, repr=False)  # results this long are known to be whole
    _cut_from: int | None = field(default=None, init=False, repr=False)  # results this long are known to be cut

    def _dataset(self, query: Query) -> tuple[list[str] | None, list[str] | None]:
        if query.default_graphs is None and query.named_graphs is None and query.names_dataset:
            return None, None  # the query's FROM / FROM NAMED: nothing hidden is in a remote store
        visible = set(self.visible_graphs)

        def narrowed(given: tuple[str, ...] | None) -> list[str]:
            graphs = sorted(visible if given is None else visible.intersection(given))
            return graphs or [self.empty_graph]

        return narrowed(query.default_graphs), narrowed(query.named_graphs)

    def answer(self, query: Query, media_type: str, caps: Caps = NO_CAPS) -> Answer:
        """Run ``query`` on the store and write its answer as ``media_type`` within ``caps``.

        Raises
        ------
        QueryError
            If ``query.form`` (the form the guard read) is not given or is not a query's.
        """
        form = query.form
        if form not in (*GRAPH_FORMS, "SELECT", "ASK"):
            raise QueryError(f"a remote store answers SELECT, ASK, CONSTRUCT and DESCRIBE; this query's form is {form}"
                             if form else "a remote store needs the query's form as the guard read it")
        default, named = self._dataset(query)
        if form in GRAPH_FORMS:
            body = self.client.query(query.text, N_TRIPLES, default, named, query.base_iri, caps.max_rows)
            graph = ox.Store()  # the graph, in memory, so the engine writes it as it writes its own results
            try:
                graph.bulk_load(input=body, format=ox.RdfFormat.N_TRIPLES)
            except SyntaxError as exc:
                raise StoreError(f"the store's N-Triples do not parse: {exc}") from exc
            triples = sum(1 for line in body.splitlines() if line.strip())
            if (caps.max_rows is None or triples <= caps.max_rows) and self._cuts(triples):
                raise ResultCut(f"the store's answer of {triples} triples reached its row limit (Virtuoso's "
                                "ResultSetMaxRows, which cuts a graph silently): raise that limit or narrow the query")
            return serialise(graph.query("CONSTRUCT WHERE { ?s ?p ?o }"), media_type, caps)
        body = self.client.query(query.text, SPARQL_JSON, default, named, query.base_iri, caps.max_rows)
        result = ox.parse_query_results(to_standard(body, form == "ASK"), format=ox.QueryResultsFormat.JSON)
        return serialise(result, media_type, caps)

    def _cuts(self, rows: int) -> bool:
        """Whether the store cuts a result of ``rows`` rows, that is its row limit is ``rows`` or fewer.

        Virtuoso cuts a CONSTRUCT or DESCRIBE at its limit without saying so, but says so of a SELECT: so the
        limit is learnt from a SELECT of ``rows`` rows made of VALUES alone (no data read), and remembered.
        """
        if rows <= self._uncut_up_to:
            return False
        if self._cut_from is not None and rows >= self._cut_from:
            return True
        digits = " ".join(str(digit) for digit in range(10))
        generated = " ".join(f"VALUES ?d{power} {{ {digits} }}" for power in range(max(1, len(str(rows)))))
        try:
            self.client.query(f"SELECT * WHERE {{ {generated} }} LIMIT {rows}", SPARQL_JSON, [self.empty_graph],
                              [self.empty_graph], max_rows=rows)
        except ResultCut:
            self._cut_from = min(rows, self._cut_from or rows)
            return True
        self._uncut_up_to = rows
        return False

    def _json(self, text: str) -> bytes:
        default, named = self._dataset(Query(text))
        return self.client.query(text, SPARQL_JSON, default, named)

    def select(self, text: str) -> Solutions:
        """A SELECT's variables and rows as the store's own terms."""
        return read_select(self._json(text))

    def select_values(self, text: str) -> list[dict[str, str]]:
        """A SELECT's rows as {variable: lexical value} (unbound variables left out)."""
        return self.select(text).values()

    def ask(self, text: str) -> bool:
        """An ASK's answer."""
        return read_ask(self._json(text))

    def count(self) -> int:
        """Number of triples in the visible graphs."""
        return int(self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows[0]["n"].value)


@dataclass(frozen=True)
class RemoteBackend:
    """The builds kept in the remote store ``settings.store`` names (picklable: it holds only settings)."""

    settings: Settings

    def __post_init__(self) -> None:
        if self.settings.include_personal_data:
            raise SettingError("include_personal_data: contact persons are never loaded into a remote store")

    def _client(self) -> RemoteClient:
        settings = self.settings
        if not settings.store:
            raise SettingError("store: no remote store is set (--store URL or CLUSTERGRAPH_STORE)")
        endpoints = Endpoints.derive(settings.store, settings.store_update_url, settings.store_graph_store_url)
        password = settings.store_password.get_secret_value() if settings.store_password else None
        credentials = (Credentials(settings.store_user, password, settings.store_auth)
                       if settings.store_user and password else None)
        return RemoteClient(endpoints, credentials, settings.store_timeout)

    def build_id(self) -> str:
        """The build the store's live graphs hold (its build record).

        Raises
        ------
        StoreError
            If no build has been published there.
        """
        client = self._client()
        try:
            found = read_build_id(client, Iris(self.settings.base_iri))
        finally:
            client.close()
        if found is None:
            raise StoreError(f"no build in the store at {self.settings.store}: run 'clustergraph build --store' first")
        return found

    def read_back(self) -> bytes:
        """The live graphs as sorted N-Quads, read back from the store in pages (``remote_dump``).

        Raises
        ------
        StoreError
            If a graph cannot be read whole, or a build switched the live graphs while they were read.
        """
        client = self._client()
        try:
            return dump_graphs(client, Iris(self.settings.base_iri), sorted(remote_graphs(self.settings)))
        finally:
            client.close()

    def open(self, build_id: str | None = None) -> RemoteStore:
        """The live graphs (a remote store keeps one build: ``build_id`` is the one the caller read)."""
        iris = Iris(self.settings.base_iri)
        return RemoteStore(self._client(), tuple(sorted(remote_graphs(self.settings))),
                           str(iris.staging_graph("none", "empty")))

    def load(self, feed: Feed, generation: Path) -> None:
        """Load the public graphs of the feed's staged store once complete, each as the engine writes it, into
        staging graphs named for the build ``generation``."""
        staged = feed.staged()
        client = self._client()
        try:
            stage_remote(client, Iris(self.settings.base_iri), staged.graph_triples, remote_graphs(self.settings),
                         _build_id(generation))
        finally:
            client.close()

    def go_live(self, generation: Path) -> None:
        """Switch the live graphs to the staging graphs ``load`` filled for ``generation``."""
        client = self._client()
        try:
            switch_remote(client, Iris(self.settings.base_iri), remote_graphs(self.settings), _build_id(generation))
        finally:
            client.close()

    def local_generation(self, build_id: str) -> Path | None:
        """None: the store's graphs can change at its own update endpoint, beneath any file written here."""
        return None

    def discard(self, generation: Path) -> None:
        """Drop the staging graphs ``load`` filled for ``generation``."""
        client = self._client()
        try:
            iris = Iris(self.settings.base_iri)
            client.drop_graphs(list(staging_graphs(iris, remote_graphs(self.settings), _build_id(generation)).values()))
        finally:
            client.close()

    def update(self, source: Path, target: Path, sparql: str, base_iri: str | None = None) -> None:
        """Refused: a remote store takes its updates at its own authenticated endpoint, not through ours."""
        raise StoreError("updates through this endpoint are not supported on a remote store; send them to "
                         "the store's own update endpoint")



def _build_id(generation: Path) -> str:
    """The build id a staged generation directory will be published as."""
    return generation.name.removesuffix(".partial")
