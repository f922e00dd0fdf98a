"""Step 5, store: the one interface to the triple store; nothing outside this package imports an engine.

``interface`` defines it (``GraphStore`` reads, ``Backend`` keeps builds), ``model`` holds the types that
cross it (``Term``, ``Row``, ``Solutions``, ``Query``, ``Caps``, ``Answer``); ``embedded`` implements it on
pyoxigraph, ``native`` writes answers with the engine's own serialisers, ``quads`` writes the build's N-Quads, ``staging`` is
the store a build fills, derives into, checks and dumps;
``remote`` implements it on a remote SPARQL 1.1 store (``remote_client`` talks HTTP, ``remote_answers`` undoes
Virtuoso's dialect, ``remote_publish`` switches a store to a new build, ``remote_dump`` reads its graphs back
in pages).
"""

from __future__ import annotations

from clustergraph.generations import PERSONAL_STORE, STORE
from clustergraph.settings import Settings
from clustergraph.store.embedded import EmbeddedBackend, OxigraphStore, QuadFile, load_store, memory_store, open_store
from clustergraph.store.interface import Backend, GraphStore
from clustergraph.store.model import NO_CAPS, Answer, Caps, Query, Row, Solutions, Term
from clustergraph.store.quads import mentions, sort_nquads, to_nquads, write_triples
from clustergraph.store.remote import RemoteBackend, RemoteStore
from clustergraph.store.staging import Feed, Quads, StagedStore

__all__ = ["NO_CAPS", "Answer", "Backend", "Caps", "EmbeddedBackend", "Feed", "GraphStore", "OxigraphStore",
           "QuadFile", "Query", "Quads", "RemoteBackend", "RemoteStore", "Row", "Solutions", "StagedStore", "Term",
           "backend_for", "load_store", "memory_store", "mentions", "open_store", "sort_nquads", "to_nquads",
           "write_triples"]


def backend_for(settings: Settings, personal: bool | None = None) -> Backend:
    """The backend of the store queries use: the public store, or (``personal``, by default when the
    operator opted in) the one that also holds contacts; with ``settings.store``, the remote store.

    Raises
    ------
    SettingError
        If a remote store is set together with ``include_personal_data``.
    """
    if settings.store:
        return RemoteBackend(settings)  # refuses include_personal_data: contacts never go to a remote store
    with_personal = settings.include_personal_data if personal is None else personal
    return EmbeddedBackend(settings.path(settings.build_dir), PERSONAL_STORE if with_personal else STORE)
