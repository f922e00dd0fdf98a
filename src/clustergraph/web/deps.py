"""What a route needs, as named types: the running endpoint (settings, query workers, result cache)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool

from clustergraph.query_runner import QueryAnswer, QueryJob, ResultCache, WorkerPool
from clustergraph.settings import Settings
from clustergraph.store import StoreWriter, store_version


@dataclass
class Endpoint:
    """The state one server holds: its settings, its query workers and its result cache."""

    settings: Settings
    pool: WorkerPool
    cache: ResultCache
    writer: StoreWriter | None = None

    def build_id(self) -> str:
        """The build the store link points at now; responses and cache entries are tied to it.

        Raises
        ------
        StoreError
            If no build has produced a store yet.
        """
        return store_version(self.settings.store_dir)

    def public_url(self, request: Request) -> str:
        """The server's public address without a trailing slash: the configured one, else the one reached."""
        return (self.settings.public_url or str(request.base_url)).rstrip("/")

    def answer(self, job: QueryJob) -> QueryAnswer:
        """Answer a job from the cache, or from a worker and remember it; blocking (not on the event loop)."""
        build_id = self.build_id()
        answer = self.cache.get(build_id, job)
        if answer is None:
            answer = self.pool.run(job)
            self.cache.put(build_id, job, answer)
        return answer

    async def run(self, job: QueryJob) -> QueryAnswer:
        """``answer`` off the event loop."""
        return await run_in_threadpool(self.answer, job)

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
        rows = await run_in_threadpool(self.select_values, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g")
        return [row["g"] for row in rows]


def get_endpoint(request: Request) -> Endpoint:
    """The endpoint the app's lifespan opened."""
    endpoint: Endpoint = request.app.state.endpoint
    return endpoint


EndpointDep = Annotated[Endpoint, Depends(get_endpoint)]
