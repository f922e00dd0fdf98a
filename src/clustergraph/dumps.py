"""Step 6, dumps: the visible graphs as downloadable files, byte-for-byte reproducible.

Turtle, gzipped N-Triples, JSON-LD and N-Quads of the public graphs (never the personal-data graph). All come
from the build's sorted N-Quads file, the triple formats streamed through the engine one quad at a time, and
gzip carries no timestamp, so the same dataset gives the same bytes at any size; each dump is described by its
size, SHA-256, media type and EU file-type code for the DCAT catalogue.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

from clustergraph.store import write_triples
from clustergraph.timing import timed
from clustergraph.vocab import PREFIXES


@dataclass(frozen=True)
class DumpFormat:
    """One dump format: file name, title, media type, EU file-type code, and whether it is gzipped."""

    file_name: str
    title: str
    media_type: str
    file_type: str
    gzipped: bool = False


FORMATS = (
    DumpFormat("clustergraph.ttl", "Turtle dump", "text/turtle", "RDF_TURTLE"),
    DumpFormat("clustergraph.nt.gz", "N-Triples dump (gzip)", "application/n-triples", "RDF_N_TRIPLES", True),
    DumpFormat("clustergraph.jsonld", "JSON-LD dump", "application/ld+json", "JSON_LD"),
    DumpFormat("clustergraph.nq", "N-Quads dump (with named graphs)", "application/n-quads", "RDF_N_QUADS"),
)



@dataclass(frozen=True)
class Dump:
    """A written dump: its format, where it is, and what a catalogue says of it."""

    format: DumpFormat
    path: Path
    byte_size: int
    sha256: str


@timed("write dumps")
def write_dumps(nquads: Path, directory: Path) -> list[Dump]:
    """Write every dump format of a sorted N-Quads file of the public graphs into ``directory`` and describe
    each file. The N-Quads dump is that file (a second link to it); the triple formats are streamed from it."""
    directory.mkdir(parents=True, exist_ok=True)
    prefixes = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    for fmt in FORMATS:
        path = directory / fmt.file_name
        path.unlink(missing_ok=True)
        if fmt.file_type == "RDF_N_QUADS":
            os.link(nquads, path)
            continue
        with open(path, "wb") as raw:
            if fmt.gzipped:
                with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as packed:
                    write_triples(nquads, cast(IO[bytes], packed), fmt.media_type, prefixes)
            else:
                write_triples(nquads, raw, fmt.media_type, prefixes)
    return describe_dumps(directory)


def describe_dumps(directory: Path) -> list[Dump]:
    """The dumps a build left in ``directory``, measured from the files themselves."""
    found = []
    for fmt in FORMATS:
        path = directory / fmt.file_name
        if path.exists():
            with open(path, "rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
            found.append(Dump(fmt, path, path.stat().st_size, digest))
    return found

