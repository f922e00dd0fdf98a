"""Answers serialised by the engine itself (pyoxigraph's writers), within a row cap and a byte cap.

A SELECT is written first as SPARQL TSV into a writer that counts lines chunk by chunk (TSV escapes line
breaks inside terms, so one line is one row) and stops the engine once the row cap is passed or the TSV reaches
a few times the byte cap; the TSV, cut at a line, is parsed back and written in the requested format, all in
Rust: no Python object per row. A graph result is written as N-Triples and counted and cut the same way; the
other formats are written by the engine from an in-memory store of the kept lines, with the project's prefixes
(no Python object per triple either). When the written answer is over the byte cap, the most rows that fit are
found by bisection over prefixes of the same result (a rare path: the default cap is 32 MiB).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import IO, cast

import pyoxigraph as ox

from clustergraph.errors import QueryError
from clustergraph.store.model import Answer, Caps
from clustergraph.vocab import PREFIXES

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
SERIALIZATION_PREFIXES = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
PREFIXED_FORMATS = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML)
LINE_FORMATS = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)
TSV = ox.QueryResultsFormat.TSV
# TSV is kept up to this many times the byte cap: CSV, which drops datatypes, languages and angle brackets, can
# be several times smaller than TSV, and the exact cut is made in the requested format.
TSV_ALLOWANCE = 4


class _Enough(Exception):
    """Raised inside the engine's writer to stop it: the caps are reached."""


class _LineCounter:
    """A binary writer that keeps what it is given up to ``max_lines`` lines and ``max_bytes`` bytes.

    The engine hands it chunks of about 8 KiB; it counts line breaks per chunk (in C), and only the chunk
    that passes the line bound is walked to find where the bound falls.
    """

    def __init__(self, max_lines: int | None, max_bytes: int | None) -> None:
        self.max_lines = max_lines
        self.max_bytes = max_bytes
        self.chunks: list[bytes] = []
        self.lines = 0
        self.size = 0
        self.cut_by = ""

    def write(self, chunk: bytes) -> int:
        if self.cut_by:  # the engine's buffer offers its last chunk again when it is dropped after an error
            raise _Enough()
        lines = chunk.count(b"\n")
        if self.max_lines is not None and self.lines + lines > self.max_lines:
            end = -1
            for _ in range(self.max_lines - self.lines):
                end = chunk.index(b"\n", end + 1)
            self._keep(chunk[:end + 1], self.max_lines - self.lines)
            self.cut_by = "rows"
            raise _Enough()
        self._keep(chunk, lines)
        if self.max_bytes is not None and self.size > self.max_bytes and self.lines:  # keep the header whole
            self.cut_by = "bytes"
            raise _Enough()
        return len(chunk)

    def _keep(self, chunk: bytes, lines: int) -> None:
        self.chunks.append(chunk)
        self.lines += lines
        self.size += len(chunk)

    def flush(self) -> None:
        """Nothing to flush: the chunks are kept in memory."""

    def text(self) -> bytes:
        """What was kept, cut after its last complete line."""
        data = b"".join(self.chunks)
        return data[:data.rfind(b"\n") + 1]


def serialise(result: QueryResult, media_type: str, caps: Caps) -> Answer:
    """Write ``result`` as ``media_type`` within ``caps``.

    Raises
    ------
    QueryError
        If the result's kind cannot be written in ``media_type``.

    Examples
    --------
    >>> store = ox.Store()
    >>> for i in range(3):
    ...     store.add(ox.Quad(ox.NamedNode(f"http://e.org/{i}"), ox.NamedNode("http://e.org/p"), ox.Literal("v")))
    >>> answer = serialise(store.query("SELECT ?s { ?s ?p ?o } ORDER BY ?s"), "text/csv", Caps(max_rows=2))
    >>> answer.body, answer.rows, answer.cut_by
    (b's\\r\\nhttp://e.org/0\\r\\nhttp://e.org/1\\r\\n', 2, 'rows')
    """
    if isinstance(result, ox.QueryBoolean):
        results_format = ox.QueryResultsFormat.from_media_type(media_type)
        if results_format is None:
            raise QueryError(f"an ASK result cannot be written as {media_type}")
        return Answer(result.serialize(format=results_format) or b"", media_type, 1)
    if isinstance(result, ox.QuerySolutions):
        return _solutions(result, media_type, caps)
    return _triples(result, media_type, caps)


def _solutions(result: ox.QuerySolutions, media_type: str, caps: Caps) -> Answer:
    results_format = ox.QueryResultsFormat.from_media_type(media_type)
    if results_format is None:
        raise QueryError(f"SELECT results cannot be written as {media_type}")
    tsv, rows, cut_by = _lines(partial(result.serialize, format=TSV), 1, caps, TSV_ALLOWANCE)

    def write(count: int) -> bytes:
        kept = tsv if count == rows else tsv[:_line_end(tsv, count + 1)]
        if results_format == TSV:  # already the engine's own bytes
            return kept
        return ox.parse_query_results(kept, format=TSV).serialize(format=results_format) or b""

    return _within_bytes(write, rows, media_type, caps.max_bytes, cut_by)


def _triples(result: ox.QueryTriples, media_type: str, caps: Caps) -> Answer:
    rdf_format = ox.RdfFormat.from_media_type(media_type)
    if rdf_format is None:
        raise QueryError(f"graph results cannot be written as {media_type}")
    # Every graph answer is first written by the engine as N-Triples, one triple per line, counted and cut like
    # TSV with no object per triple; a format with structure (Turtle, RDF/XML, JSON-LD, TriG) is then written by
    # the engine from an in-memory store of the kept lines, with the project's prefixes where the format has them.
    lines_format = rdf_format if rdf_format in LINE_FORMATS else ox.RdfFormat.N_TRIPLES
    text, rows, cut_by = _lines(partial(result.serialize, format=lines_format), 0, caps, 1)
    if rdf_format in LINE_FORMATS:
        return _within_bytes(lambda count: text[:_line_end(text, count)] if count else b"", rows, media_type,
                             caps.max_bytes, cut_by)
    prefixes = SERIALIZATION_PREFIXES if rdf_format in PREFIXED_FORMATS else None

    def write(count: int) -> bytes:
        graph = ox.Store()
        graph.bulk_load(input=text[:_line_end(text, count)] if count else b"", format=ox.RdfFormat.N_TRIPLES)
        if rdf_format.supports_datasets:
            return graph.dump(format=rdf_format, prefixes=prefixes) or b""
        return graph.dump(format=rdf_format, prefixes=prefixes, from_graph=ox.DefaultGraph()) or b""

    return _within_bytes(write, rows, media_type, caps.max_bytes, cut_by)


def _lines(serialise_into: Callable[[IO[bytes]], object], header: int, caps: Caps,
           allowance: int) -> tuple[bytes, int, str]:
    """What the engine writes in a line-per-row format, cut after the row cap or ``allowance`` times the byte
    cap: the text (whole lines), its rows (lines after ``header``) and what cut it."""
    counter = _LineCounter(None if caps.max_rows is None else caps.max_rows + header,
                           None if caps.max_bytes is None else caps.max_bytes * allowance)
    try:
        serialise_into(cast(IO[bytes], counter))  # the engine calls only write and flush
    except _Enough:
        pass
    text = counter.text()
    return text, max(text.count(b"\n") - header, 0), counter.cut_by


def _within_bytes(write: Callable[[int], bytes], rows: int, media_type: str, max_bytes: int | None,
                  cut_by: str) -> Answer:
    """The answer of all ``rows``, or of the most leading rows whose body fits in ``max_bytes``."""
    body = write(rows)
    if max_bytes is None or len(body) <= max_bytes:
        return Answer(body, media_type, rows, cut_by)
    fits, too_many = 0, rows
    while too_many - fits > 1:
        middle = (fits + too_many) // 2
        if len(write(middle)) <= max_bytes:
            fits = middle
        else:
            too_many = middle
    return Answer(write(fits), media_type, fits, "bytes")


def _line_end(data: bytes, lines: int) -> int:
    """The offset just after the ``lines``-th line break of ``data`` (found by bisection over counts in C).

    >>> _line_end(b"a\\nb\\nc\\n", 2)
    4
    """
    low, high = 0, len(data)
    while low < high:
        middle = (low + high) // 2
        if data.count(b"\n", 0, middle + 1) >= lines:
            high = middle
        else:
            low = middle + 1
    return low + 1
