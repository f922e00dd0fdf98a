"""What a route needs, as named types: the running endpoint (settings, query workers, result cache)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from clustergraph.errors import StoreError
from clustergraph.query_runner import ResultCache, WorkerPool
from clustergraph.settings import Settings


@dataclass
class Endpoint:
    """The state one server holds: its settings, its query workers and its result cache."""

    settings: Settings
    pool: WorkerPool
    cache: ResultCache

    def build_id(self) -> str:
        """The build the store link points at now; responses and cache entries are tied to it.

        Raises
        ------
        StoreError
            If no build has produced a store yet.
        """
        link = self.settings.store_dir
        if not link.exists():
            raise StoreError(f"no store at {link}: run 'clustergraph build' first")
        return os.path.basename(os.path.realpath(link))


def get_endpoint(request: Request) -> Endpoint:
    """The endpoint the app's lifespan opened."""
    endpoint: Endpoint = request.app.state.endpoint
    return endpoint


EndpointDep = Annotated[Endpoint, Depends(get_endpoint)]
