"""The store's own result types: what crosses the store interface instead of any engine's objects.

Terms mirror SPARQL 1.1 Query Results JSON (``type``, ``value``, ``datatype``, ``xml:lang``), so an embedded
engine and a remote SPARQL endpoint produce the same values; answers are serialised bytes with what cut them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

TermKind = Literal["uri", "bnode", "literal", "triple"]


@dataclass(frozen=True)
class Term:
    """One RDF term of a solution, as SPARQL JSON results describe it.

    ``value`` is the IRI, the blank node label, the literal's lexical form, or (for an RDF 1.2 triple term)
    its N-Triples form; ``datatype`` is None for plain and language-tagged literals.

    >>> Term("literal", "3", datatype="http://www.w3.org/2001/XMLSchema#integer").value
    '3'
    """

    kind: TermKind
    value: str
    datatype: str | None = None
    language: str | None = None


Row = dict[str, Term]
"""One solution: variable name (without ``?``) to term; unbound variables are absent."""


@dataclass(frozen=True)
class Solutions:
    """The rows of a SELECT with its variables in the query's order (some may never be bound).

    >>> rows = Solutions(("s",), (Row(s=Term("uri", "http://e.org/a")),))
    >>> [row["s"].value for row in rows], len(rows)
    (['http://e.org/a'], 1)
    """

    variables: tuple[str, ...]
    rows: tuple[Row, ...]

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def values(self) -> list[dict[str, str]]:
        """The rows as {variable: lexical value}, unbound variables left out."""
        return [{name: term.value for name, term in row.items()} for row in self.rows]


@dataclass(frozen=True)
class Query:
    """A query and its dataset: the protocol's ``default-graph-uri`` / ``named-graph-uri`` (None: not given),
    whether the query names its own dataset (FROM / FROM NAMED), the base IRI for relative IRIs, and its form
    (SELECT, ASK, CONSTRUCT or DESCRIBE).

    ``names_dataset`` and ``form`` are what the guard (``sparql_guard.inspect_request``) read, so no backend reads
    the text again: an embedded engine learns the form from its own parse, a remote store must know it to ask for
    solutions or triples, and refuses a query whose form is not given (None).
    """

    text: str
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    base_iri: str | None = None
    names_dataset: bool = False
    form: str | None = None


@dataclass(frozen=True)
class Caps:
    """What one answer may hold: rows (or triples) and bytes of the body; None is no bound."""

    max_rows: int | None = None
    max_bytes: int | None = None


NO_CAPS = Caps()


@dataclass(frozen=True)
class Answer:
    """A serialised result: its bytes, their media type, the row (or triple) count, and what cut it
    (``"rows"``, ``"bytes"``, or ``""`` when nothing did)."""

    body: bytes
    media_type: str
    rows: int
    cut_by: str = ""

    @property
    def truncated(self) -> bool:
        return bool(self.cut_by)
