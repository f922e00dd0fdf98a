"""The single table from error class to HTTP status, and how an error is rendered."""

from __future__ import annotations

from http import HTTPStatus

from fastapi import Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from clustergraph.errors import ClusterGraphError, CurationError, NotFound, QueryError, StoreError
from clustergraph.fair_queue import QueryTimeout, ServerBusy
from clustergraph.practice_index import SearchError
from clustergraph.query_runner import EngineCrashed, QueryTooLarge
from clustergraph.web.conneg import negotiate
from clustergraph.web.templates import render


class ProtocolError(ClusterGraphError):
    """A request the SPARQL protocol itself rules out (406, 415, 403, 400), with its status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


STATUS: tuple[tuple[type[ClusterGraphError], int], ...] = (
    (QueryTimeout, 503),
    (QueryTooLarge, 503),
    (ServerBusy, 429),
    (EngineCrashed, 500),
    (NotFound, 404),
    (QueryError, 400),
    (SearchError, 400),
    (StoreError, 503),
    (CurationError, 500),
    (ClusterGraphError, 500),
)


def status_of(error: ClusterGraphError) -> int:
    """The HTTP status for an error: its own when it carries one, else the first class that matches."""
    own = getattr(error, "status", None)
    if isinstance(own, int):
        return own
    return next(status for cls, status in STATUS if isinstance(error, cls))


async def handle_error(request: Request, error: Exception) -> Response:
    """Answer with the status and a message a person or a SPARQL client can show: a page in the site's layout
    when the client asks for HTML first (a browser), plain text otherwise."""
    assert isinstance(error, ClusterGraphError)
    status = status_of(error)
    headers = {"Cache-Control": "no-store"}
    if status in (429, 503):
        headers["Retry-After"] = "5"
    if negotiate(request.headers.get("accept"), ("text/plain", "text/html")) == "text/html" and \
            not request.url.path.startswith("/sparql"):
        page = render("error.html", title=f"{status} {_reason(status)}", status=status, reason=_reason(status),
                      message=str(error), alternates={})
        return HTMLResponse(page, status_code=status, headers=headers)
    return PlainTextResponse(f"{status} {_reason(status)}: {error}\n", status_code=status, headers=headers)


def _reason(status: int) -> str:
    return HTTPStatus(status).phrase

