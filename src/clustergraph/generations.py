"""Build generations on disk: every build (and every update) writes one directory, then one rename publishes it.

A generation holds everything a server answers from: the public store, the optional personal-data store,
the dumps and the parse report. ``data/build/current`` is a symlink to the live generation, replaced by one
atomic rename, so store, dumps and the figures computed from them switch together or not at all. A build
works in ``generations/<id>.partial`` under an exclusive lock; the next build removes the leftovers of a
killed one. The previous generation is kept, because a query worker may still be reading it.

Layout::

    data/build/.lock                  held by the one build or update running
    data/build/current -> generations/<id>
    data/build/generations/<id>/store            public and ontology graphs (what queries see)
    data/build/generations/<id>/personal-store   the same plus contacts, only when built with them
    data/build/generations/<id>/dumps/           the downloadable files
    data/build/generations/<id>/build-id         the build identifier (<id>), written when it is published
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from clustergraph.errors import StoreError

logger = logging.getLogger(__name__)

CURRENT = "current"
GENERATIONS = "generations"
LOCK = ".lock"
PARTIAL = ".partial"
STORE = "store"
PERSONAL_STORE = "personal-store"
DUMPS = "dumps"
BUILD_ID = "build-id"


class BuildRunning(StoreError):
    """Another build or update holds the build directory's lock."""


@contextmanager
def build_lock(build_dir: Path, wait: bool = False) -> Iterator[None]:
    """Hold the build directory's exclusive lock; the kernel releases it when the process dies.

    Raises
    ------
    BuildRunning
        If another process holds it and ``wait`` is false.
    """
    build_dir.mkdir(parents=True, exist_ok=True)
    with open(build_dir / LOCK, "a+", encoding="ascii") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError as exc:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise BuildRunning(f"a build or update is already running ({holder}); wait for it, "
                               f"or run again with --wait") from exc
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()


def start_generation(build_dir: Path) -> Path:
    """A fresh, empty ``generations/<id>.partial`` directory; leftovers of killed builds are removed first.

    Call it with the build lock held.
    """
    generations = build_dir / GENERATIONS
    generations.mkdir(parents=True, exist_ok=True)
    for leftover in generations.glob("*" + PARTIAL):
        logger.info("removing %s, left by a build that did not finish", leftover.name)
        shutil.rmtree(leftover, ignore_errors=True)
    staged = generations / f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{time.time_ns() % 10**9:09d}{PARTIAL}"
    staged.mkdir()
    return staged


def publish_generation(build_dir: Path, staged: Path) -> Path:
    """Make a staged generation the live one with one rename of the ``current`` link; prune older ones.

    Returns the published generation's directory.
    """
    final = staged.with_name(staged.name.removesuffix(PARTIAL))
    (staged / BUILD_ID).write_text(final.name, encoding="ascii")
    os.replace(staged, final)
    link = build_dir / CURRENT
    if link.exists() and not link.is_symlink():
        raise StoreError(f"{link} exists and is not a symlink; move it away first")
    temporary = link.with_name(CURRENT + ".new")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(final.relative_to(build_dir))
    os.replace(temporary, link)
    _prune(build_dir / GENERATIONS, keep=(final.name,))
    return final


def _prune(generations: Path, keep: tuple[str, ...]) -> None:
    """Remove every finished generation but the ones kept and the newest older one (readers may hold it)."""
    finished = sorted((g for g in generations.iterdir() if g.is_dir() and not g.name.endswith(PARTIAL)
                       and g.name not in keep), key=lambda g: g.name)
    for old in finished[:-1]:
        shutil.rmtree(old, ignore_errors=True)


def current_generation(build_dir: Path) -> Path:
    """The live generation's directory, resolved once (so one request reads one generation).

    Raises
    ------
    StoreError
        If no build has published one yet.
    """
    link = build_dir / CURRENT
    if not link.exists():
        raise StoreError(f"no build in {build_dir}: run 'clustergraph build' first")
    return Path(os.path.realpath(link))


def current_build_id(build_dir: Path) -> str:
    """The identifier of the live build: the ``build-id`` file stored with its data (one small read).

    A generation published before build ids were written is named by its directory.

    Raises
    ------
    StoreError
        If no build has published one yet.
    """
    link = build_dir / CURRENT
    try:
        return (link / BUILD_ID).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return current_generation(build_dir).name
