"""The store interface every backend implements: a read view that answers queries, and a backend that
keeps the data's build identifier, opens read views, and loads and updates staged stores.

Nothing outside ``clustergraph.store`` sees an engine's objects: results are ``model`` types or bytes.
A backend is a small picklable value (paths, or a URL and settings), so query workers can open it again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

from clustergraph.store.model import NO_CAPS, Answer, Caps, Query, Solutions
from clustergraph.store.staging import Feed


@runtime_checkable
class GraphStore(Protocol):
    """A read-only view of one build of the data; the default graph is the union of the visible graphs."""

    def answer(self, query: Query, media_type: str, caps: Caps = NO_CAPS) -> Answer:
        """Run ``query`` and serialise its result as ``media_type`` within ``caps``.

        Raises
        ------
        QueryError
            If the query does not parse, names a relative graph IRI, or its result kind has no such format.
        """
        ...

    def select(self, text: str) -> Solutions:
        """A SELECT's variables and rows.

        Raises
        ------
        QueryError
            If the query does not parse or is not a SELECT.
        """
        ...

    def select_values(self, text: str) -> list[dict[str, str]]:
        """A SELECT's rows as {variable: lexical value} (unbound variables left out)."""
        ...

    def ask(self, text: str) -> bool:
        """An ASK's answer.

        Raises
        ------
        QueryError
            If the query does not parse or is not an ASK.
        """
        ...

    def count(self) -> int:
        """Number of triples in the visible graphs."""
        ...


class Backend(Protocol):
    """Where the data lives: its live build identifier, read views of it, and staged stores for builds.

    A *generation* is the directory a build or update writes (``generations``); its name is the build id.
    An embedded backend keeps its store inside it; a remote one keys its graph set by that name.
    """

    def build_id(self) -> str:
        """The identifier of the live build (ETags and result caches are tied to it); cheap, read it once
        per request.

        Raises
        ------
        StoreError
            If no build has been published yet.
        """
        ...

    def open(self, build_id: str | None = None) -> GraphStore:
        """A read view of the build ``build_id`` (default: the live one).

        Raises
        ------
        StoreError
            If there is no such build or it cannot be opened.
        """
        ...

    def local_generation(self, build_id: str) -> Path | None:
        """The generation directory of build ``build_id`` when the files in it describe exactly what the store
        holds for that build (an embedded store's generation never changes once published), else ``None``."""
        ...

    def load(self, feed: Feed, generation: Path) -> None:
        """Load the quads of ``feed`` into a new store for the staged ``generation``, from its files as they
        come or from its staged store once complete; nothing becomes live (``go_live`` does that), so a build
        loads while it derives and validates.

        Raises
        ------
        StoreError
            If loading fails; nothing of the new store is left.
        """
        ...

    def go_live(self, generation: Path) -> None:
        """Make what ``load`` loaded for ``generation`` the live data: a remote store switches its graphs in one
        update; an embedded store has nothing to do (publishing the generation's directory is the switch).

        Raises
        ------
        StoreError
            If the store cannot switch; the previous data stays live.
        """
        ...

    def discard(self, generation: Path) -> None:
        """Remove what ``load`` loaded for a ``generation`` that will not be published (its directory is removed
        by the build; a remote store drops the staging graphs)."""
        ...

    def update(self, source: Path, target: Path, sparql: str, base_iri: str | None = None) -> None:
        """Copy ``source`` generation's store into the staged ``target`` and apply a SPARQL Update there;
        readers of ``source`` are not disturbed.

        Raises
        ------
        QueryError
            If the update does not parse.
        StoreError
            If the copy cannot be made.
        """
        ...
