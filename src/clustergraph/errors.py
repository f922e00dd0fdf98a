"""The one error hierarchy of ClusterGraph; HTTP status codes are mapped elsewhere (``web/errors.py``)."""

from __future__ import annotations

from pathlib import Path


class ClusterGraphError(Exception):
    """Root of every error ClusterGraph raises on purpose."""


class SourceError(ClusterGraphError):
    """The guidebook text cannot be read or has no recognisable structure."""

    def __init__(self, message: str, path: Path | None = None, line: int | None = None) -> None:
        where = f"{path}:{line}: " if path and line else f"{path}: " if path else ""
        super().__init__(f"{where}{message}")
        self.path = path
        self.line = line


class CurationError(ClusterGraphError):
    """A curation file is malformed or contradicts the source text or another curation file."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("curation data has problems:\n  - " + "\n  - ".join(problems))
        self.problems = problems


class MappingError(ClusterGraphError):
    """A record cannot be turned into RDF (an unknown country, ecosystem or identifier)."""


class ValidationFailed(ClusterGraphError):
    """SHACL validation found violations; ``report`` holds the readable result."""

    def __init__(self, report_text: str) -> None:
        super().__init__("SHACL validation failed:\n" + report_text)
        self.report_text = report_text


class StoreError(ClusterGraphError):
    """The Oxigraph store is missing, unreadable or could not be written."""


class QueryError(ClusterGraphError):
    """A SPARQL query is malformed or names an unknown catalogue entry."""


class SettingError(ClusterGraphError):
    """A setting is missing or points somewhere unusable for what was asked (the message names the setting)."""


class NotFound(ClusterGraphError):
    """A named thing (query, IRI, file) does not exist."""


class UnknownFilter(QueryError):
    """A network filter names a programme, country, ecosystem or practice the graph does not hold."""


class StoreLimitReached(StoreError):
    """A remote store stopped at one of its own limits; its answer would have been short, so there is none."""


class ResultCut(StoreLimitReached):
    """A remote store cut a result at its row limit (Virtuoso's ``ResultSetMaxRows``)."""


class CostRefused(StoreLimitReached):
    """A remote store refused a query its optimiser estimated too costly, or stopped one at its time limit."""
