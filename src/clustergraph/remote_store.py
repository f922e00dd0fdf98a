"""Step 5, store (remote): a SPARQL 1.1 store over HTTP — Query, Update and the Graph Store Protocol, with
authentication and a timeout on every call — answering in the project's own types (``remote_results``).

The URL a user gives is the store's query endpoint; for Virtuoso (``.../sparql``) the authenticated update
endpoint (``/sparql-auth``) and Graph Store endpoint (``/sparql-graph-crud-auth``) are derived from it, and
settings can name others. Credentials come from ``CLUSTERGRAPH_STORE_USER`` / ``CLUSTERGRAPH_STORE_PASSWORD``
(settings), never from the command line. Every query names its dataset explicitly (``default-graph-uri`` and
``named-graph-uri``: the visible graphs), so graphs a store holds beside ours — Virtuoso's own system graphs, a
build's staging graphs, the build record — are outside it, as hidden graphs are in the embedded store.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import httpx

from clustergraph.errors import SettingError, StoreError
from clustergraph.identity import Iris
from clustergraph.remote_results import Row, check_answer, read_ask, read_select
from clustergraph.settings import Settings

logger = logging.getLogger(__name__)

SPARQL_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
VIRTUOSO_QUERY_PATH = "/sparql"
VIRTUOSO_UPDATE_PATH = "/sparql-auth"
VIRTUOSO_GRAPH_STORE_PATH = "/sparql-graph-crud-auth"
REMOTE_GRAPH_NAMES = ("public", "ontology")


@dataclass(frozen=True)
class Endpoints:
    """Where a remote store answers queries, takes updates and takes whole graphs."""

    query: str
    update: str
    graph_store: str

    @classmethod
    def derive(cls, query: str, update: str | None = None, graph_store: str | None = None) -> Endpoints:
        """The three endpoints from the query endpoint, Virtuoso's paths filling in the ones not given.

        >>> Endpoints.derive("http://127.0.0.1:8890/sparql").graph_store
        'http://127.0.0.1:8890/sparql-graph-crud-auth'

        Raises
        ------
        SettingError
            If the URL is not http(s), or is not Virtuoso's ``/sparql`` and an endpoint is missing.
        """
        parts = urlsplit(query)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise SettingError(f"store: {query!r} is not an http(s) URL of a SPARQL query endpoint")
        if update and graph_store:
            return cls(query, update, graph_store)
        if parts.path.rstrip("/") != VIRTUOSO_QUERY_PATH:
            raise SettingError(f"store: cannot derive the update and Graph Store endpoints of {query} (only "
                               "Virtuoso's .../sparql is known): set store_update_url and store_graph_store_url")
        base = parts._replace(query="", fragment="")

        def at(path: str) -> str:
            return urlunsplit(base._replace(path=path))

        return cls(query, update or at(VIRTUOSO_UPDATE_PATH), graph_store or at(VIRTUOSO_GRAPH_STORE_PATH))


@dataclass(frozen=True)
class Credentials:
    """Who may write: digest (Virtuoso's ``-auth`` endpoints) or basic authentication."""

    user: str
    password: str
    scheme: str = "digest"

    def auth(self) -> httpx.Auth:
        if self.scheme == "basic":
            return httpx.BasicAuth(self.user, self.password)
        return httpx.DigestAuth(self.user, self.password)


@dataclass(frozen=True)
class QueryRequest:
    """One SPARQL Protocol query request: its form fields (the dataset among them) and ``Accept``."""

    fields: list[tuple[str, str]]
    accept: str

    @classmethod
    def of(cls, sparql: str, accept: str, default_graphs: Sequence[str] | None, named_graphs: Sequence[str] | None,
           base_iri: str | None = None) -> QueryRequest:
        """The request for ``sparql`` over the given dataset (None: the query's own FROM / FROM NAMED)."""
        fields = [("query", sparql)]
        fields += [("default-graph-uri", graph) for graph in default_graphs or ()]
        fields += [("named-graph-uri", graph) for graph in named_graphs or ()]
        if base_iri:
            fields.insert(0, ("query", f"BASE <{base_iri}>\n" + fields.pop(0)[1]))
        return cls(fields, accept)


@dataclass
class RemoteStore:
    """A remote SPARQL 1.1 store, read through its visible graphs and written with credentials.

    Parameters
    ----------
    endpoints
        Query, update and Graph Store endpoints.
    visible_graphs
        The graphs a query sees (their union is the default graph); everything else the store holds is hidden.
    credentials
        For updates and the Graph Store Protocol; None: read only.
    timeout
        Seconds any one HTTP exchange may take (connect, send, wait, read).
    """

    endpoints: Endpoints
    visible_graphs: tuple[str, ...]
    credentials: Credentials | None = None
    timeout: float = 30.0
    transport: httpx.BaseTransport | None = None
    client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.client = httpx.Client(timeout=httpx.Timeout(self.timeout), transport=self.transport)

    def close(self) -> None:
        self.client.close()

    def dataset(self, default_graphs: Sequence[str] | None = None,
                named_graphs: Sequence[str] | None = None) -> tuple[list[str], list[str]]:
        """The protocol dataset of a query: the given graphs that are visible, or all visible ones."""
        visible = set(self.visible_graphs)
        default = [g for g in default_graphs if g in visible] if default_graphs is not None else list(visible)
        named = [g for g in named_graphs if g in visible] if named_graphs is not None else list(visible)
        return sorted(default), sorted(named)

    def post_query(self, request: QueryRequest, max_rows: int | None = None) -> httpx.Response:
        """Send a query request and check the answer (see ``remote_results.check_answer``)."""
        try:
            response = self.client.post(self.endpoints.query, data=_form(request.fields),
                                        headers={"Accept": request.accept})
        except httpx.HTTPError as exc:
            raise StoreError(f"the store at {self.endpoints.query} did not answer: {exc}") from exc
        check_answer(response.status_code, response.headers, response.content, max_rows)
        return response

    def select(self, sparql: str, *, whole_store: bool = False) -> tuple[list[str], list[Row]]:
        """A SELECT's variables and rows (normalised SPARQL JSON terms) over the visible graphs.

        ``whole_store`` runs it over everything the store holds (for the build's bookkeeping, never the public).
        """
        default, named = (None, None) if whole_store else self.dataset()
        return read_select(self.post_query(QueryRequest.of(sparql, SPARQL_JSON, default, named)).content)

    def select_values(self, sparql: str) -> list[dict[str, str]]:
        """A SELECT's rows as {variable: lexical value} (unbound variables left out)."""
        return [{name: term["value"] for name, term in row.items()} for row in self.select(sparql)[1]]

    def ask(self, sparql: str) -> bool:
        """An ASK's answer over the visible graphs."""
        default, named = self.dataset()
        return read_ask(self.post_query(QueryRequest.of(sparql, SPARQL_JSON, default, named)).content)

    def triple_count(self, graph: str | None = None) -> int:
        """Triples in one graph (visible or not), or in all visible graphs."""
        pattern = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "GRAPH ?g { ?s ?p ?o }"
        _, rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}", whole_store=graph is not None)
        return int(rows[0]["n"]["value"])

    def __len__(self) -> int:
        """Number of triples in the visible graphs."""
        return self.triple_count()

    def _write_auth(self) -> httpx.Auth:
        if self.credentials is None:
            raise SettingError("store_user / store_password: writing to a remote store needs credentials "
                               "(CLUSTERGRAPH_STORE_USER, CLUSTERGRAPH_STORE_PASSWORD)")
        return self.credentials.auth()

    def _send(self, method: str, url: str, **kwargs: object) -> httpx.Response:
        try:
            response = self.client.request(method, url, auth=self._write_auth(), **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            raise StoreError(f"the store at {url} did not answer: {exc}") from exc
        check_answer(response.status_code, response.headers, response.content)
        return response

    def update(self, sparql: str) -> None:
        """Run a SPARQL Update (authenticated)."""
        self._send("POST", self.endpoints.update, data={"update": sparql})

    def put_graph(self, graph: str, ntriples: bytes) -> None:
        """Replace ``graph`` with the given N-Triples (Graph Store Protocol PUT, authenticated)."""
        self._send("PUT", self.endpoints.graph_store, params={"graph": graph}, content=ntriples,
                   headers={"Content-Type": N_TRIPLES})

    def drop_graphs(self, graphs: Sequence[str]) -> None:
        """Remove graphs (missing ones are no error)."""
        if graphs:
            self.update(" ;\n".join(f"DROP SILENT GRAPH <{graph}>" for graph in graphs))


def _form(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    form: dict[str, list[str]] = {}
    for name, value in fields:
        form.setdefault(name, []).append(value)
    return form


def remote_graphs(settings: Settings) -> dict[str, str]:
    """The graphs a remote store holds for us (IRI -> name): public and ontology. The personal-data graph never
    goes to a remote store, whose own endpoint anyone who reaches it may query."""
    iris = Iris(settings.base_iri)
    return {str(iris.graph(name)): name for name in REMOTE_GRAPH_NAMES}


def open_remote(settings: Settings) -> RemoteStore:
    """The remote store ``settings.store`` names, with the credentials of the settings (if any).

    Raises
    ------
    SettingError
        If no store is set, its endpoints cannot be derived, or personal data is asked for.
    """
    if not settings.store:
        raise SettingError("store: no remote store is set (--store URL or CLUSTERGRAPH_STORE)")
    if settings.include_personal_data:
        raise SettingError("include_personal_data: contact persons are never loaded into a remote store")
    endpoints = Endpoints.derive(settings.store, settings.store_update_url, settings.store_graph_store_url)
    credentials = (Credentials(settings.store_user, settings.store_password.get_secret_value(), settings.store_auth)
                   if settings.store_user and settings.store_password else None)
    return RemoteStore(endpoints, tuple(sorted(remote_graphs(settings))), credentials, settings.store_timeout)
