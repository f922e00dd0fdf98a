"""Session fixtures layered along the data flow: settings -> guidebook -> curation -> dataset -> store."""

from __future__ import annotations

from pathlib import Path

import pytest

from clustergraph.build import BuildResult, make_dataset, hidden_graphs
from clustergraph.curation import Curation, load_curation
from clustergraph.records import Guidebook, parse_guidebook
from clustergraph.settings import Settings
from clustergraph.source import read_source
from clustergraph.store import GraphStore, memory_store

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Settings for the checkout, independent of the caller's environment and working directory."""
    return Settings(project_dir=ROOT)


@pytest.fixture(scope="session")
def guidebook(settings: Settings) -> Guidebook:
    return parse_guidebook(read_source(settings.path(settings.source_file)))


@pytest.fixture(scope="session")
def curation(settings: Settings) -> Curation:
    return load_curation(settings.path(settings.curation_dir))


@pytest.fixture(scope="session")
def build_result(settings: Settings) -> BuildResult:
    """The whole pipeline up to validation, in memory (nothing written)."""
    return make_dataset(settings)


@pytest.fixture(scope="session")
def store(settings: Settings, build_result: BuildResult) -> GraphStore:
    """An in-memory Oxigraph store of the built dataset, showing what the public may see."""
    return memory_store(build_result.nquads, hidden_graphs(settings))


@pytest.fixture(scope="session")
def shared() -> Path:
    """The reference data beside the checkout (``../shared``)."""
    if not SHARED.is_dir():
        pytest.fail(f"reference data not found at {SHARED}")
    return SHARED
