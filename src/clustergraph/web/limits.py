"""Request-line bounds: a URL longer than a query may be gets 414 from the application, not a parser error.

``clustergraph serve`` runs uvicorn's h11 parser with room for request lines up to ``H11_MAX_LINE`` bytes, so
such a request reaches this middleware, which answers 414 with a message that says to POST the query. (A
request line beyond ``H11_MAX_LINE`` is refused by the HTTP parser itself, with 400.)
"""

from __future__ import annotations

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

H11_MAX_LINE = 16 * 1024 * 1024


class UrlLimit:
    """Answer 414 to requests whose path and query string together exceed ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            length = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
            if length > self.max_bytes:
                response = PlainTextResponse(
                    f"414 URI Too Long: the URL is {length} bytes; this server accepts {self.max_bytes}. "
                    "Send long queries by POST (application/sparql-query or a form body).\n", status_code=414,
                    headers={"Cache-Control": "no-store"})
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
