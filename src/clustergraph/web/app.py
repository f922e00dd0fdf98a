"""``create_app(settings)``: the FastAPI application; the lifespan starts and stops the query workers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from clustergraph import __version__
from clustergraph.build import hidden_graphs
from clustergraph.errors import ClusterGraphError
from clustergraph.query_runner import ResultCache, WorkerPool
from clustergraph.settings import Settings
from clustergraph.store import StoreWriter
from clustergraph.web import editor, network, pages, publish, sparql
from clustergraph.web.caching import ETagMiddleware
from clustergraph.web.deps import Endpoint
from clustergraph.web.errors import handle_error


STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings) -> FastAPI:
    """The application for one settings object (tests build their own)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = WorkerPool(settings.store_dir, hidden_graphs(settings), settings.query_workers,
                          settings.query_timeout)
        writer = StoreWriter(settings.store_dir) if settings.update_token else None
        app.state.endpoint = Endpoint(settings, pool, ResultCache(settings.result_cache_entries), writer)
        try:
            yield
        finally:
            pool.close()

    app = FastAPI(title="ClusterGraph", version=__version__, lifespan=lifespan,
                  description="SPARQL endpoint over the ClusterGraph knowledge graph of European clusters.")
    app.add_middleware(ETagMiddleware)
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"],
                       allow_headers=["*"], expose_headers=["ETag", "X-Result-Truncated"])
    app.add_exception_handler(ClusterGraphError, handle_error)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(sparql.router)
    app.include_router(editor.router)
    app.include_router(publish.router)
    app.include_router(network.router)
    app.include_router(pages.router)  # last: its catch-all path serves every IRI under the base
    return app
