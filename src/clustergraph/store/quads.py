"""Quad files: the build's assembled graph as sorted N-Quads, a quad file sorted on disk, and its triples in
the triple formats of the dumps, written by the engine.

Sorted lines make a file's bytes depend only on its data (the engine's memory store writes quads in the order
they were added), and a sorted file's triples come out grouped by subject, with duplicates adjacent.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from rdflib import Dataset

from clustergraph.errors import StoreError
from clustergraph.store.native import PREFIXED_FORMATS
from clustergraph.timing import timed

SORT_MEMORY = "25%"
"""How much of the machine's memory ``sort`` may use before it spills to temporary files beside the output."""


@timed("serialise N-Quads")
def to_nquads(dataset: Dataset) -> bytes:
    """Serialise every named graph as N-Quads with sorted lines: the same dataset gives the same bytes."""
    text = dataset.serialize(format="nquads")
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8")


@timed("sort N-Quads")
def sort_nquads(source: Path, target: Path) -> None:
    """Write ``source``'s lines to ``target`` sorted bytewise, each once, with GNU ``sort`` (bounded memory: it
    merges sorted runs from temporary files beside ``target``, so no line becomes a Python object).

    Raises
    ------
    StoreError
        If ``sort`` is missing or fails (a full disk).
    """
    command = ["sort", "--unique", f"--buffer-size={SORT_MEMORY}", f"--temporary-directory={target.parent}",
               f"--output={target}", str(source)]
    try:
        done = subprocess.run(command, env={**os.environ, "LC_ALL": "C"}, capture_output=True, check=False)
    except OSError as exc:
        raise StoreError(f"cannot run sort to order the quads: {exc}") from exc
    if done.returncode != 0:
        raise StoreError(f"sorting the quads failed: {done.stderr.decode(errors='replace').strip()}")


def write_triples(nquads: Path, out: IO[bytes], media_type: str, prefixes: dict[str, str]) -> None:
    """The distinct triples of a sorted N-Quads file (graph names dropped) written to ``out`` as ``media_type``
    (with ``prefixes`` where the format has them), streamed: one quad at a time passes through.

    Raises
    ------
    StoreError
        If ``media_type`` is not a triple format the engine writes, or the file does not parse.
    """
    rdf_format = ox.RdfFormat.from_media_type(media_type)
    if rdf_format is None or rdf_format.supports_datasets and rdf_format != ox.RdfFormat.JSON_LD:
        raise StoreError(f"{media_type} is not a triple format")
    used = prefixes if rdf_format in PREFIXED_FORMATS else None
    try:
        ox.serialize(_distinct_triples(nquads), out, rdf_format, prefixes=used)
    except SyntaxError as exc:
        raise StoreError(f"{nquads} does not parse: {exc}") from exc


def _distinct_triples(nquads: Path) -> Iterator[ox.Triple]:
    """The triples of a sorted N-Quads file; a triple held by several graphs (adjacent lines) comes once."""
    previous = None
    for quad in ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS):
        if quad.triple != previous:
            previous = quad.triple
            yield previous
