"""Quad files: the build's assembled graph as sorted N-Quads, a quad file sorted on disk, and its triples in
the triple formats of the dumps, written by the engine.

Sorted lines make a file's bytes depend only on its data (the engine's memory store writes quads in the order
they were added), and a sorted file's triples come out grouped by subject, with duplicates adjacent.
"""

from __future__ import annotations

import mmap
import os
import queue
import subprocess
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from rdflib import Dataset

from clustergraph.errors import StoreError
from clustergraph.store.native import PREFIXED_FORMATS
from clustergraph.timing import timed

SORT_MEMORY = "1G"
"""How much memory ``sort`` may use before it spills sorted runs to temporary files beside the output: the staged
store is still in memory while the quads are sorted (validation reads it meanwhile), and merging a few runs of
a 10 M-triple file costs little."""


@timed("serialise N-Quads")
def to_nquads(dataset: Dataset) -> bytes:
    """Serialise every named graph as N-Quads with sorted lines: the same dataset gives the same bytes."""
    text = dataset.serialize(format="nquads")
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8")


def mentions(path: Path, iris: tuple[str, ...]) -> bool:
    """Whether the file holds any of ``iris`` written plainly as ``<iri>``: a look at the bytes, not a parse, so an
    IRI written with escapes is not seen (a caller that acts on a no must check the parsed quads too)."""
    if path.stat().st_size == 0:
        return False
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return any(data.find(f"<{iri}>".encode("utf-8")) != -1 for iri in iris)


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


TripleOutput = tuple[IO[bytes], str]
"""Where one serialisation of a file's triples goes, and its media type."""

BATCH = 10_000
"""Triples handed to the writers at a time: large enough that passing them costs little, small enough that the
writers' queues hold a bounded slice of the graph whatever its size."""


def write_triples(nquads: Path, outputs: Sequence[TripleOutput], prefixes: dict[str, str]) -> None:
    """The distinct triples of a sorted N-Quads file (graph names dropped) written to each of ``outputs`` as its
    media type (with ``prefixes`` where the format has them), from one parse, streamed.

    The file is parsed once and its triples go, a batch at a time, to one writer thread per output (each an
    engine serialiser), so a few batches are held at a time whatever the graph's size; parsing a quad costs more
    than serialising it, so one parse for all the formats is most of what three would have cost.

    Raises
    ------
    StoreError
        If a media type is not a triple format the engine writes, the file does not parse, or an output cannot
        be written.
    """
    formats = [_triple_format(media_type) for _, media_type in outputs]
    channels = [_Channel() for _ in outputs]
    writers = [threading.Thread(target=channel.serialise, args=(out, rdf_format, prefixes), daemon=True)
               for channel, (out, _), rdf_format in zip(channels, outputs, formats)]
    for writer in writers:
        writer.start()
    try:
        batch: list[ox.Triple] = []
        for triple in _distinct_triples(nquads):
            batch.append(triple)
            if len(batch) == BATCH:
                for channel in channels:
                    channel.put(batch)
                batch = []
        for channel in channels:
            channel.put(batch)
    except SyntaxError as exc:
        raise StoreError(f"{nquads} does not parse: {exc}") from exc
    finally:
        for channel in channels:
            channel.put(None)
        for writer in writers:
            writer.join()
    if failed := [channel.failure for channel in channels if channel.failure is not None]:
        raise StoreError(f"writing the triples of {nquads} failed: {failed[0]}") from failed[0]


def _triple_format(media_type: str) -> ox.RdfFormat:
    """The engine's format for ``media_type``, which must be a format of triples (JSON-LD counts: a graph).

    Raises
    ------
    StoreError
        If it is not.
    """
    rdf_format = ox.RdfFormat.from_media_type(media_type)
    if rdf_format is None or rdf_format.supports_datasets and rdf_format != ox.RdfFormat.JSON_LD:
        raise StoreError(f"{media_type} is not a triple format")
    return rdf_format


class _Channel:
    """The batches one writer thread serialises, in order, ending with None; a writer that failed keeps taking
    (and dropping) batches, so the parse feeding it never waits on a full queue."""

    def __init__(self) -> None:
        self._queue: queue.Queue[list[ox.Triple] | None] = queue.Queue(maxsize=4)
        self._ended = False
        self.failure: BaseException | None = None

    def put(self, batch: list[ox.Triple] | None) -> None:
        self._queue.put(batch)

    def serialise(self, out: IO[bytes], rdf_format: ox.RdfFormat, prefixes: dict[str, str]) -> None:
        try:
            ox.serialize(self._triples(), out, rdf_format,
                         prefixes=prefixes if rdf_format in PREFIXED_FORMATS else None)
        except BaseException as exc:  # reported by write_triples once the parse has ended
            self.failure = exc
        while not self._ended:
            self._ended = self._queue.get() is None

    def _triples(self) -> Iterator[ox.Triple]:
        while (batch := self._queue.get()) is not None:
            yield from batch
        self._ended = True


def _distinct_triples(nquads: Path) -> Iterator[ox.Triple]:
    """The triples of a sorted N-Quads file; a triple held by several graphs (adjacent lines) comes once. The file
    is one the engine wrote from a checked store, so its IRIs are not checked again (a tenth of the parse)."""
    previous = None
    for quad in ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS, lenient=True):
        if quad.triple != previous:
            previous = quad.triple
            yield previous
