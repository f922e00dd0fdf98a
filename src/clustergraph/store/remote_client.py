"""Step 5, store (remote): the HTTP exchanges with a remote SPARQL 1.1 store — Query, Update and the Graph Store
Protocol — with authentication and a timeout on every call, each answer checked (``remote_answers``).

The URL a user gives is the store's query endpoint; for Virtuoso (``.../sparql``) the authenticated update
endpoint (``/sparql-auth``) and Graph Store endpoint (``/sparql-graph-crud-auth``) are derived from it, and
settings can name others. Credentials come from ``CLUSTERGRAPH_STORE_USER`` / ``CLUSTERGRAPH_STORE_PASSWORD``
(settings), never from the command line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import httpx

from clustergraph.errors import SettingError, StoreError
from clustergraph.store.remote_answers import check_answer

SPARQL_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
VIRTUOSO_QUERY_PATH = "/sparql"
VIRTUOSO_UPDATE_PATH = "/sparql-auth"
VIRTUOSO_GRAPH_STORE_PATH = "/sparql-graph-crud-auth"


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


@dataclass
class RemoteClient:
    """One remote store's endpoints, reached with one connection pool (thread-safe) and one timeout.

    Parameters
    ----------
    endpoints
        Query, update and Graph Store endpoints.
    credentials
        For updates and the Graph Store Protocol; None: read only.
    timeout
        Seconds any one HTTP exchange may take (connect, send, wait, read).
    transport
        httpx's transport (None: the network).
    """

    endpoints: Endpoints
    credentials: Credentials | None = None
    timeout: float = 60.0
    transport: httpx.BaseTransport | None = None
    client: httpx.Client = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.client = httpx.Client(timeout=httpx.Timeout(self.timeout), transport=self.transport)

    def close(self) -> None:
        self.client.close()

    def query(self, text: str, accept: str, default_graphs: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None, base_iri: str | None = None,
              max_rows: int | None = None) -> bytes:
        """The body of the answer to ``text`` over the given dataset (None: the query's own FROM / FROM NAMED,
        or the store's default), checked: a refused, failed, stopped or cut answer raises.

        ``max_rows`` is the number of rows the caller keeps (see ``remote_answers.check_answer``).
        """
        form = {"query": f"BASE <{base_iri}>\n{text}" if base_iri else text,
                "default-graph-uri": list(default_graphs or ()), "named-graph-uri": list(named_graphs or ())}
        response = self._exchange("POST", self.endpoints.query, None, data=form, headers={"Accept": accept})
        check_answer(response.status_code, response.headers, response.content, max_rows)
        return response.content

    def update(self, sparql: str) -> None:
        """Run a SPARQL Update (authenticated)."""
        self._write("POST", self.endpoints.update, data={"update": sparql})

    def put_graph(self, graph: str, ntriples: bytes) -> None:
        """Replace ``graph`` with the given N-Triples (Graph Store Protocol PUT, authenticated)."""
        self._write("PUT", self.endpoints.graph_store, params={"graph": graph}, content=ntriples,
                    headers={"Content-Type": N_TRIPLES})

    def drop_graphs(self, graphs: Sequence[str]) -> None:
        """Remove graphs (missing ones are no error)."""
        if graphs:
            self.update(" ;\n".join(f"DROP SILENT GRAPH <{graph}>" for graph in graphs))

    def _write(self, method: str, url: str, **kwargs: object) -> None:
        if self.credentials is None:
            raise SettingError("store_user / store_password: writing to a remote store needs credentials "
                               "(CLUSTERGRAPH_STORE_USER, CLUSTERGRAPH_STORE_PASSWORD)")
        response = self._exchange(method, url, self.credentials.auth(), **kwargs)
        check_answer(response.status_code, response.headers, response.content)

    def _exchange(self, method: str, url: str, auth: httpx.Auth | None, **kwargs: object) -> httpx.Response:
        try:
            return self.client.request(method, url, auth=auth, **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            raise StoreError(f"the store at {url} did not answer: {exc}") from exc
