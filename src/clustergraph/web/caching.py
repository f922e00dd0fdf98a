"""Every GET answer carries an ETag tied to the data's version, and a conditional request gets 304.

Routes that can answer 304 before doing any work (the endpoint, the pages) set their own ETag; this pure
ASGI middleware covers the rest (editor page, service description, term lists), whose content is a function
of the request and the store version. It buffers only answers that lack an ETag, which are small.
"""

from __future__ import annotations

import hashlib
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clustergraph import __version__
from clustergraph.errors import StoreError
from clustergraph.store import store_version

CACHE_CONTROL = "public, max-age=60, must-revalidate"


class ETagMiddleware:
    """Add ``ETag`` and ``Cache-Control`` to successful GET answers that lack them; answer 304 on a match."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        request_headers = Headers(scope=scope)
        not_modified = False

        async def send_with_etag(message: Message) -> None:
            nonlocal not_modified
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if message["status"] != 200 or "etag" in headers:
                    await send(message)
                    return
                etag = self._etag(scope, request_headers)
                if etag is None:
                    await send(message)
                    return
                headers["ETag"] = etag
                if "cache-control" not in headers:
                    headers["Cache-Control"] = CACHE_CONTROL
                if etag in [tag.strip() for tag in request_headers.get("if-none-match", "").split(",")]:
                    not_modified = True
                    await send({"type": "http.response.start", "status": 304,
                                "headers": [(b"etag", etag.encode()),
                                            (b"cache-control", headers["Cache-Control"].encode())]})
                    return
                await send(message)
            elif message["type"] == "http.response.body" and not_modified:
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
            else:
                await send(message)

        await self.app(scope, receive, send_with_etag)

    @staticmethod
    def _etag(scope: Scope, headers: Headers) -> str | None:
        try:
            version = store_version(scope["app"].state.endpoint.settings.store_dir)
        except (StoreError, AttributeError):
            return None
        key = "|".join((__version__, version, scope["path"], scope.get("query_string", b"").decode("latin-1"),
                        headers.get("accept", "")))
        return '"' + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + '"'
