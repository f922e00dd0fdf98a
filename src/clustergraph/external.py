"""Step 5b, publish a graph made elsewhere: an N-Quads file through the build's validate-then-publish path.

A graph generated at scale (``bench/generate.py``) or converted from another source is never held in Python:
the file is bulk-loaded into the build's staged store, gets the derived facts a build adds (``derivation``), is
validated there (``validate_store``), dumped by the engine and published by the same rename as a build, so a
file that does not parse or does not conform leaves the previous generation answering.
"""

from __future__ import annotations

import logging
from pathlib import Path

from clustergraph.build import Published, publish_dataset, store_check
from clustergraph.errors import NotFound, StoreError
from clustergraph.settings import Settings

logger = logging.getLogger(__name__)


def publish_file(settings: Settings, nquads_file: Path, wait: bool = False) -> Published:
    """Derive, validate and publish the N-Quads in ``nquads_file`` as a new generation.

    The file must carry what a build would put beside the data: the ontology graph and the ``skos:inScheme``
    of every country, NUTS and eu-programme concept it uses (the whole-graph constraints look for them).

    Raises
    ------
    NotFound
        If there is no such file.
    StoreError
        If it is empty or not N-Quads; the previous generation stays live.
    ValidationFailed
        If it violates the shapes or the whole-graph constraints; the previous generation stays live.
    BuildRunning
        If another build or update is running and ``wait`` is false.
    """
    if not nquads_file.is_file():
        raise NotFound(f"no N-Quads file at {nquads_file}")
    if not _has_content(nquads_file):
        raise StoreError(f"{nquads_file} is empty; the previous generation stays live")
    logger.info("publishing %s (%d bytes)", nquads_file, nquads_file.stat().st_size)
    return publish_dataset(settings, nquads_file, f"published from {nquads_file.name}\n", wait, store_check(settings))


def _has_content(path: Path) -> bool:
    """Whether the file holds anything but white space (read in blocks, up to the first that does)."""
    with open(path, "rb") as handle:
        while block := handle.read(1 << 16):
            if block.strip():
                return True
    return False
