"""Step 6, dumps: the visible graphs as downloadable files, byte-for-byte reproducible.

Turtle, gzipped N-Triples, JSON-LD and N-Quads of the public graphs (never the personal-data graph). All come
from the build's sorted N-Quads file, the triple formats from one streamed parse of it, and gzip carries no
timestamp, so the same dataset gives the same bytes at any size; each dump is described by its size, SHA-256
(kept beside the dumps in ``SHA256SUMS``), media type and EU file-type code for the DCAT catalogue.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
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


CHECKSUMS_FILE = "SHA256SUMS"
"""The digests of a directory's dumps, written with them (``sha256sum`` reads it with ``-c``), so describing the
dumps for a catalogue reads a few lines instead of every dump file."""

GZIP_LEVEL = 1
"""zlib's fastest: at a million triples it packs the N-Triples dump (213 MB) in 0.45 s into 8.6 MB, where level 6
takes 1.5 s for 6.5 MB and level 9 about 4 s; the build's last step waits for it."""


@timed("write dumps")
def write_dumps(nquads: Path, directory: Path) -> list[Dump]:
    """Write every dump format of a sorted N-Quads file of the public graphs into ``directory`` and describe
    each file. The N-Quads dump is that file (a second link to it); the triple formats are written from one
    parse of it, each file hashed as it is written, and the digests kept in ``SHA256SUMS``."""
    directory.mkdir(parents=True, exist_ok=True)
    prefixes = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    digests: dict[str, str] = {}
    with ExitStack() as files, ThreadPoolExecutor(max_workers=1) as hasher:
        outputs: list[tuple[IO[bytes], str]] = []
        hashing: list[tuple[DumpFormat, _Hashing]] = []
        for fmt in FORMATS:
            path = directory / fmt.file_name
            path.unlink(missing_ok=True)
            if fmt.file_type == "RDF_N_QUADS":
                os.link(nquads, path)
                linked = hasher.submit(_file_digest, path)
                continue
            raw = _Hashing(files.enter_context(open(path, "wb")))
            hashing.append((fmt, raw))
            out = cast(IO[bytes], raw)
            if fmt.gzipped:
                out = cast(IO[bytes], files.enter_context(
                    gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="", compresslevel=GZIP_LEVEL)))
            outputs.append((out, fmt.media_type))
        write_triples(nquads, outputs, prefixes)
    for fmt, raw in hashing:
        digests[fmt.file_name] = raw.digest.hexdigest()
    digests[next(f.file_name for f in FORMATS if f.file_type == "RDF_N_QUADS")] = linked.result()
    (directory / CHECKSUMS_FILE).write_text("".join(f"{digest}  {name}\n" for name, digest in sorted(digests.items())),
                                          encoding="utf-8")
    return describe_dumps(directory)


def describe_dumps(directory: Path) -> list[Dump]:
    """The dumps a build left in ``directory``: sizes from the files, digests from ``SHA256SUMS`` (computed from
    the files for a directory written before it was kept)."""
    checksums = directory / CHECKSUMS_FILE
    lines = checksums.read_text(encoding="utf-8").splitlines() if checksums.exists() else []
    known = {name: digest for digest, name in (line.split("  ", 1) for line in lines)}
    found = []
    for fmt in FORMATS:
        path = directory / fmt.file_name
        if path.exists():
            found.append(Dump(fmt, path, path.stat().st_size, known.get(fmt.file_name) or _file_digest(path)))
    return found


def _file_digest(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


class _Hashing(io.RawIOBase):
    """A binary file that hashes what is written to it on its way to ``out``."""

    def __init__(self, out: IO[bytes]) -> None:
        super().__init__()
        self._out = out
        self.digest = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.digest.update(data)
        return self._out.write(data)
