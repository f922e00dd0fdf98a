"""Step 6, dumps: the visible graphs as downloadable files, byte-for-byte reproducible.

Turtle, gzipped N-Triples, JSON-LD and N-Quads of the public and ontology graphs (never the personal-data
graph). Lines and triples are sorted and gzip carries no timestamp, so the same dataset gives the same bytes;
each dump is described by its size, SHA-256, media type and EU file-type code for the DCAT catalogue.
"""

from __future__ import annotations

import gzip
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from clustergraph.store import triples_as
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


def visible_quads(nquads: bytes, hidden_graphs: tuple[str, ...]) -> list[str]:
    """The N-Quads lines of every graph but the hidden ones, sorted."""
    hidden = tuple(f"<{graph}> ." for graph in hidden_graphs)
    return sorted(line for line in nquads.decode("utf-8").splitlines() if line and not line.endswith(hidden))


@timed("write dumps")
def write_dumps(nquads: bytes, hidden_graphs: tuple[str, ...], directory: Path) -> list[Dump]:
    """Write every dump format into ``directory`` (replacing what is there) and describe each file."""
    directory.mkdir(parents=True, exist_ok=True)
    lines = visible_quads(nquads, hidden_graphs)
    quads_text = ("\n".join(lines) + "\n").encode("utf-8")
    prefixes = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    written = triples_as(quads_text, ("text/turtle", "application/n-triples", "application/ld+json"), prefixes)
    contents = {
        "RDF_TURTLE": written["text/turtle"],
        "RDF_N_TRIPLES": _gzip(written["application/n-triples"]),
        "JSON_LD": written["application/ld+json"],
        "RDF_N_QUADS": quads_text,
    }
    dumps = []
    for fmt in FORMATS:
        data = contents[fmt.file_type]
        path = directory / fmt.file_name
        path.write_bytes(data)
        dumps.append(Dump(fmt, path, len(data), hashlib.sha256(data).hexdigest()))
    return dumps


def describe_dumps(directory: Path) -> list[Dump]:
    """The dumps a build left in ``directory``, measured from the files themselves."""
    found = []
    for fmt in FORMATS:
        path = directory / fmt.file_name
        if path.exists():
            data = path.read_bytes()
            found.append(Dump(fmt, path, len(data), hashlib.sha256(data).hexdigest()))
    return found


def _gzip(data: bytes) -> bytes:
    """Gzip with no file name and a zero timestamp, so equal input gives equal bytes."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, filename="") as handle:
        handle.write(data)
    return buffer.getvalue()
