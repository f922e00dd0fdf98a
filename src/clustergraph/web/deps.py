"""What a route needs, as named types: the running endpoint (settings, store backend, query workers, result
cache), and the data version read once per request."""

from __future__ import annotations

import asyncio
import json
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from clustergraph.query_runner import QueryJob, ResultCache, WorkerPool
from clustergraph.remote_runner import RemotePool
from clustergraph.settings import Settings
from clustergraph.store import Answer, Backend

_request_version: ContextVar[dict[str, str] | None] = ContextVar("request_version", default=None)


class OneVersionPerRequest:
    """Give each request a place to keep the build id once read, so its ETag, cache key and query all name
    the same build and the backend is asked once (pure ASGI: routes and worker threads share the context)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = _request_version.set({})
        try:
            await self.app(scope, receive, send)
        finally:
            _request_version.reset(token)


@dataclass
class Endpoint:
    """The state one server holds: its settings, its store's backend, its query workers, its result cache
    and its event loop."""

    settings: Settings
    backend: Backend
    pool: WorkerPool | RemotePool
    cache: ResultCache
    loop: asyncio.AbstractEventLoop

    def build_id(self) -> str:
        """The live build's id, read once per request; responses and cache entries are tied to it.

        Raises
        ------
        StoreError
            If no build has produced a store yet.
        """
        memo = _request_version.get()
        if memo is None:
            return self.backend.build_id()
        if "id" not in memo:
            memo["id"] = self.backend.build_id()
        return memo["id"]

    def public_url(self, request: Request) -> str:
        """The server's public address without a trailing slash: the configured one, else the one reached."""
        return (self.settings.public_url or str(request.base_url)).rstrip("/")

    async def run(self, job: QueryJob, client: str = "local", version: str | None = None) -> Answer:
        """Answer a job from the cache, or from a worker (in ``client``'s queue) and remember it."""
        version = version or self.build_id()
        answer = self.cache.get(version, job)
        if answer is None:
            answer = await self.pool.run(job, client, version)
            self.cache.put(version, job, answer)
        return answer

    def answer(self, job: QueryJob) -> Answer:
        """``run`` for code on a worker thread (not the event loop): blocks until the answer is there."""
        version = self.build_id()  # here: the request's context is this thread's, not the loop's
        return asyncio.run_coroutine_threadsafe(self.run(job, "pages", version), self.loop).result()

    def select(self, query: str) -> list[dict[str, dict[str, str]]]:
        """A SELECT's rows as SPARQL JSON bindings, blocking (call from a worker thread, not the event loop)."""
        answer = self.answer(QueryJob(query, "application/sparql-results+json", max_rows=1_000_000))
        bindings: list[dict[str, dict[str, str]]] = json.loads(answer.body)["results"]["bindings"]
        return bindings

    def select_values(self, query: str) -> list[dict[str, str]]:
        """A SELECT's rows as {variable: lexical value}, blocking."""
        return [{name: term["value"] for name, term in row.items()} for row in self.select(query)]

    async def named_graphs(self) -> list[str]:
        """The named graphs queries can see, as the store holds them now."""
        answer = await self.run(QueryJob("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g",
                                         "application/sparql-results+json"))
        return [row["g"]["value"] for row in json.loads(answer.body)["results"]["bindings"]]


def get_endpoint(request: Request) -> Endpoint:
    """The endpoint the app's lifespan opened."""
    endpoint: Endpoint = request.app.state.endpoint
    return endpoint


EndpointDep = Annotated[Endpoint, Depends(get_endpoint)]
