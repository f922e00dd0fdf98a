"""What a route needs, as named types: the running endpoint (settings, query workers, result cache)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from clustergraph.query_runner import QueryAnswer, QueryJob, ResultCache, WorkerPool
from clustergraph.settings import Settings
from clustergraph.store import store_version


@dataclass
class Endpoint:
    """The state one server holds: its settings, its query workers, its result cache and its event loop."""

    settings: Settings
    pool: WorkerPool
    cache: ResultCache
    loop: asyncio.AbstractEventLoop

    def build_id(self) -> str:
        """The generation the live store belongs to; responses and cache entries are tied to it.

        Raises
        ------
        StoreError
            If no build has produced a store yet.
        """
        return store_version(self.settings.query_store_dir)

    def public_url(self, request: Request) -> str:
        """The server's public address without a trailing slash: the configured one, else the one reached."""
        return (self.settings.public_url or str(request.base_url)).rstrip("/")

    async def run(self, job: QueryJob, client: str = "local", version: str | None = None) -> QueryAnswer:
        """Answer a job from the cache, or from a worker (in ``client``'s queue) and remember it."""
        version = version or self.build_id()
        answer = self.cache.get(version, job)
        if answer is None:
            answer = await self.pool.run(job, client)
            self.cache.put(version, job, answer)
        return answer

    def answer(self, job: QueryJob) -> QueryAnswer:
        """``run`` for code on a worker thread (not the event loop): blocks until the answer is there."""
        return asyncio.run_coroutine_threadsafe(self.run(job, "pages"), self.loop).result()

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
