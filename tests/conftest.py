"""Session fixtures layered along the data flow: settings -> guidebook -> curation -> dataset -> store."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from rdflib import Graph

from clustergraph.build import BuildResult, build, hidden_graphs, make_dataset
from clustergraph.curation import Curation, load_curation
from clustergraph.records import Guidebook, parse_guidebook
from clustergraph.settings import Settings
from clustergraph.source import read_source
from clustergraph.rdf import load_ontology
from clustergraph.store import GraphStore, memory_store
from clustergraph.validate import flatten, load_shapes
from clustergraph.web.app import create_app
from reference_data import missing_reference, reference_dir

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
# Copies of the project (tmp_path) have no ../shared beside them: point them at the checkout's reference data.
os.environ.setdefault("CLUSTERGRAPH_EU_VOCABULARIES_DIR", str(reference_dir() / "eu-vocabularies"))
os.environ.setdefault("CLUSTERGRAPH_NUTS_FILE", str(reference_dir() / "nuts" / "nuts2021.csv"))


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
def shapes(settings: Settings) -> Graph:
    """The project's shapes graph."""
    return load_shapes(settings.path(settings.shapes_dir))


@pytest.fixture(scope="session")
def ontology(settings: Settings) -> Graph:
    """The ontology and the ecosystem scheme."""
    return load_ontology(settings.path(settings.ontology_dir))


@pytest.fixture(scope="session")
def shapes_data(build_result: BuildResult) -> Graph:
    """The built graph plus ``tests/data/statements.ttl``, a sample of every curated statement kind (read-only:
    copy it before changing it)."""
    graph = flatten(build_result.built.dataset)
    graph.parse(Path(__file__).parent / "data" / "statements.ttl", format="turtle")
    return graph


@pytest.fixture(scope="session")
def store(settings: Settings, build_result: BuildResult) -> GraphStore:
    """An in-memory Oxigraph store of the built dataset, showing what the public may see."""
    return memory_store(build_result.nquads, hidden_graphs(settings))


@pytest.fixture(scope="session")
def reference() -> Path:
    """The reference data (W3C manifests, SEMIC shapes, EU vocabularies, NUTS), or a skip naming the setting."""
    if not reference_dir().is_dir():
        pytest.skip(missing_reference("the folder"))
    return reference_dir()


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


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium: found on the PATH, or installed with apt-get (as on the project's machines)."""
    found = shutil.which("chromium")
    if found is None and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=900, check=False)
        installed = subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], env=env, capture_output=True,
                                   text=True, timeout=1800, check=False)
        found = shutil.which("chromium")
        if found is None:
            pytest.fail(f"could not install Debian's chromium: {installed.stderr[-2000:]}")
    if found is None:
        pytest.fail("Debian's chromium is needed for the browser tests: apt-get install chromium")
    return found


@pytest.fixture(scope="session")
def server(served: Settings) -> Iterator[str]:
    """The served project behind a real socket on 127.0.0.1 (browsers need one)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(served), host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    for _ in range(200):  # bounded wait for the socket, at most 10 s
        if instance.started:
            break
        time.sleep(0.05)
    assert instance.started, "the server did not start"
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A loopback listener that records the start of every connection made to it: a SERVICE target whose
    silence proves that no request left."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    server.settimeout(0.1)
    hits: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except (TimeoutError, OSError):
                continue
            hits.append(connection.recv(64))
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], hits
    stop.set()
    thread.join(timeout=2)
    server.close()
