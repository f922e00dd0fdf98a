"""Every GET answer carries an ETag tied to the data's version, and a conditional request gets 304.

Routes that can answer 304 before doing any work (the endpoint, the pages) set their own ETag; this
middleware covers the rest (editor page, service description, term lists), whose content is a function of
the request and the store version.
"""

from __future__ import annotations

import hashlib

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response

from clustergraph import __version__
from clustergraph.errors import StoreError
from clustergraph.store import store_version


class ETagMiddleware(BaseHTTPMiddleware):
    """Add ``ETag`` and ``Cache-Control`` to successful GET answers that lack them; answer 304 on a match."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        if request.method not in ("GET", "HEAD") or response.status_code != 200 or "etag" in response.headers:
            return response
        try:
            version = store_version(request.app.state.endpoint.settings.store_dir)
        except StoreError:
            return response
        key = "|".join((__version__, version, str(request.url), request.headers.get("accept", "")))
        etag = '"' + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + '"'
        response.headers["ETag"] = etag
        response.headers.setdefault("Cache-Control", "public, max-age=60, must-revalidate")
        if etag in [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]:
            return Response(status_code=304, headers={"ETag": etag,
                                                      "Cache-Control": response.headers["Cache-Control"]})
        return response
