"""Quads as files: the build's sorted N-Quads, and the triple formats of the dumps, written by the engine."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Dataset

from clustergraph.errors import StoreError
from clustergraph.store.native import PREFIXED_FORMATS
from clustergraph.timing import timed


@timed("serialise N-Quads")
def to_nquads(dataset: Dataset) -> bytes:
    """Serialise every named graph as N-Quads with sorted lines: the same dataset gives the same bytes."""
    text = dataset.serialize(format="nquads")
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8")


def triples_as(nquads: bytes, media_types: tuple[str, ...], prefixes: dict[str, str]) -> dict[str, bytes]:
    """The distinct triples of ``nquads`` (graph names dropped), sorted, in each RDF media type (with
    ``prefixes`` where the format has them).

    >>> triples_as(b'<http://e.org/s> <http://e.org/p> "o" <http://e.org/g> .\\n', ("application/n-triples",), {})
    {'application/n-triples': b'<http://e.org/s> <http://e.org/p> "o" .\\n'}

    Raises
    ------
    StoreError
        If the quads do not parse or a media type is not an RDF format the engine writes.
    """
    try:
        quads = ox.parse(input=nquads, format=ox.RdfFormat.N_QUADS)
        triples = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in quads}, key=str)
    except SyntaxError as exc:
        raise StoreError(f"the quads do not parse: {exc}") from exc
    written = {}
    for media_type in media_types:
        rdf_format = ox.RdfFormat.from_media_type(media_type)
        if rdf_format is None:
            raise StoreError(f"{media_type} is not an RDF format")
        used = prefixes if rdf_format in PREFIXED_FORMATS else None
        written[media_type] = ox.serialize(triples, format=rdf_format, prefixes=used) or b""
    return written
