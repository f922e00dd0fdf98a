"""SPARQL Update without touching what readers read: each update makes a new generation and publishes it.

Query workers open stores read-only, and RocksDB leaves a read-only handle beside a writer undefined (reads
failed with "Corruption: IO error ... .sst"). So an update copies the live stores into a staged generation,
applies itself there, derives the derived facts, the dumps and the collaboration table again, and is published
with the same rename as a build; the build lock orders it with builds and other updates.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from clustergraph.build import PARSE_REPORT_FILE, UNSORTED_FILE, add_derived_facts, write_collaborations, write_dataset
from clustergraph.generations import (PERSONAL_STORE, STORE, build_lock, current_generation,
                                      publish_generation, start_generation)
from clustergraph.settings import Settings
from clustergraph.store import StagedStore, backend_for

logger = logging.getLogger(__name__)


def update_graph(settings: Settings, sparql: str, base_iri: str | None = None) -> Path:
    """Apply a SPARQL Update to every store of the live generation and publish the result.

    Returns the new generation's directory.

    Raises
    ------
    QueryError
        If the update does not parse; nothing is published.
    StoreError
        If no build exists or the stores cannot be copied.
    """
    build_dir = settings.path(settings.build_dir)
    with build_lock(build_dir, wait=True):
        current = current_generation(build_dir)
        staged = start_generation(build_dir)
        try:
            public, personal = backend_for(settings, personal=False), backend_for(settings, personal=True)
            for backend in (public, personal):
                backend.update(current, staged, sparql, base_iri)
            for name in (STORE, PERSONAL_STORE):
                if (staged / name).exists():
                    _rederive(settings, staged / name)
            _write_files(staged)
            if (current / PARSE_REPORT_FILE).exists():
                shutil.copyfile(current / PARSE_REPORT_FILE, staged / PARSE_REPORT_FILE)
        except BaseException:
            shutil.rmtree(staged, ignore_errors=True)
            raise
        generation = publish_generation(build_dir, staged)
    logger.info("update published as generation %s", generation.name)
    return generation


def _rederive(settings: Settings, store_dir: Path) -> None:
    """Derive the updated store's facts again: an update may change what they follow from."""
    staged = StagedStore.open(store_dir)
    try:
        add_derived_facts(settings, staged)
    finally:
        staged.close()


def _write_files(generation: Path) -> None:
    """Write the N-Quads file, the dumps and the collaboration table of ``generation`` from its updated public
    store."""
    staged = StagedStore.open(generation / STORE)
    try:
        staged.write_quads(generation / UNSORTED_FILE)
        write_collaborations(staged, generation)
    finally:
        staged.close()
    write_dataset(generation)
    (generation / UNSORTED_FILE).unlink()
