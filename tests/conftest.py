"""Session fixtures layered along the data flow: settings -> guidebook -> curation -> dataset -> store."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from clustergraph.build import BuildResult, build, hidden_graphs, make_dataset
from clustergraph.curation import Curation, load_curation
from clustergraph.records import Guidebook, parse_guidebook
from clustergraph.settings import Settings
from clustergraph.source import read_source
from clustergraph.store import GraphStore, memory_store
from clustergraph.web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
# What a build reads: copying these makes an independent project whose build cannot touch the checkout's.
PROJECT_INPUTS = ("data/source", "data/curation", "data/catalogue.yaml", "ontology", "shapes", "queries")


def copy_inputs(target: Path) -> Path:
    """Copy the project's build inputs into ``target``."""
    for name in PROJECT_INPUTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target / name)
    return target


@pytest.fixture(scope="session")
def copy_project() -> Callable[[Path], Path]:
    """The function that copies the build inputs into a directory (for module-scoped projects)."""
    return copy_inputs


@pytest.fixture()
def project_copy(tmp_path: Path) -> Settings:
    """Settings for a fresh copy of the project in a temporary directory."""
    return Settings(project_dir=copy_inputs(tmp_path))
SHARED = ROOT.parent / "shared"
# Copies of the project (tmp_path) have no ../shared beside them: point them at the checkout's reference data.
os.environ.setdefault("CLUSTERGRAPH_EU_VOCABULARIES_DIR", str(SHARED / "reference" / "eu-vocabularies"))
os.environ.setdefault("CLUSTERGRAPH_NUTS_FILE", str(SHARED / "reference" / "nuts" / "nuts2021.csv"))


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


@pytest.fixture(scope="session")
def served(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A built copy of the project served with a short time limit and a small row cap."""
    target = copy_inputs(tmp_path_factory.mktemp("served"))
    local = Settings(project_dir=target, query_timeout=2.0, query_workers=2, max_result_rows=50)
    build(local)
    return local


@pytest.fixture(scope="session")
def client(served: Settings) -> Iterator[TestClient]:
    """The app in process, with real worker processes behind it."""
    with TestClient(create_app(served)) as test_client:
        yield test_client
