"""Every GET answer carries an ETag for its representation, and a conditional request gets 304.

One scheme for every route: the ETag hashes the code version, the data's generation, the path, the query
string and the media type of the answer, so two pages, two formats of one page, or one page before and after
a rebuild never share one. Routes that can answer 304 before doing any work (the endpoint, the pages) call
``representation_etag`` and ``if_none_match`` themselves; this pure ASGI middleware covers the rest.
"""

from __future__ import annotations

import hashlib
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clustergraph import __version__
from clustergraph.errors import StoreError

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
                if if_none_match(request_headers.get("if-none-match"), etag):
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
            version = scope["app"].state.endpoint.build_id()
        except (StoreError, AttributeError):
            return None
        return representation_etag(version, scope["path"], scope.get("query_string", b"").decode("latin-1"),
                                   headers.get("accept", ""))


def representation_etag(version: str, path: str, query: str, media_type: str) -> str:
    """The strong ETag of one representation: code version, data generation, path, query and media type.

    >>> representation_etag("g1", "/a", "", "text/html") != representation_etag("g1", "/b", "", "text/html")
    True
    """
    key = "|".join((__version__, version, path, query, media_type))
    return '"' + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + '"'


def if_none_match(header: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header matches ``etag`` (RFC 9110: weak comparison, ``*`` matches any).

    >>> if_none_match('W/"x", "y"', '"x"'), if_none_match("*", '"z"'), if_none_match(None, '"x"')
    (True, True, False)
    """
    if not header:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return "*" in tags or etag.removeprefix("W/") in tags
