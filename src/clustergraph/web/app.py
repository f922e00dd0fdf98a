"""``create_app(settings)``: the FastAPI application; the lifespan starts and stops the query workers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from clustergraph import __version__
from clustergraph.errors import ClusterGraphError
from clustergraph.query_runner import Limits, ResultCache, WorkerConfig, WorkerPool
from clustergraph.remote_runner import RemotePool
from clustergraph.settings import Settings
from clustergraph.store import backend_for
from clustergraph.web import assets, editor, entity_pages, network, ontology_page, places, practices, publish, sparql, void_page
from clustergraph.web.caching import ETagMiddleware
from clustergraph.web.deps import Endpoint, OneVersionPerRequest
from clustergraph.web.limits import UrlLimit
from clustergraph.web.errors import handle_error


STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings) -> FastAPI:
    """The application for one settings object (tests build their own)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        limits = Limits(settings.max_query_bytes, settings.max_query_depth, settings.max_response_bytes)
        backend = backend_for(settings)
        pool: WorkerPool | RemotePool
        if settings.store:  # the one place web/ tells the backends apart: remote queries run from this process
            pool = RemotePool(backend.open(), limits, settings.query_workers, settings.query_timeout,
                              settings.max_queued_per_client)
        else:
            pool = WorkerPool(WorkerConfig(backend, limits), settings.query_workers, settings.query_timeout,
                              settings.query_memory_mb * 2**20, settings.max_queued_per_client)
        cache = ResultCache(settings.result_cache_entries, settings.result_cache_bytes)
        app.state.endpoint = Endpoint(settings, backend, pool, cache, asyncio.get_running_loop())
        try:
            yield
        finally:
            pool.close()

    app = FastAPI(title="ClusterGraph", version=__version__, lifespan=lifespan,
                  description="SPARQL endpoint over the ClusterGraph knowledge graph of European clusters.")
    app.add_middleware(ETagMiddleware)
    app.add_middleware(OneVersionPerRequest)  # outside the ETags: they read the request's version too
    app.add_middleware(UrlLimit, max_bytes=settings.max_query_bytes * 3 + 8192)  # a percent-encoded query
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"],
                       allow_headers=["*"], expose_headers=["ETag", "X-Result-Truncated"])
    app.add_exception_handler(ClusterGraphError, handle_error)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(sparql.router)
    app.include_router(editor.router)
    app.include_router(publish.router)
    app.include_router(network.router)
    for pages in (assets, void_page, ontology_page, practices, places):
        app.include_router(pages.router)
    app.include_router(entity_pages.router)  # last: its catch-all path serves every IRI under the base
    return app
