"""Builds as generations: one lock, killed builds leave the previous graph answering, leftovers are cleaned,
and no build setting puts contacts in the public store or the dumps."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from clustergraph.build import build, publish_dataset
from clustergraph.errors import StoreError
from clustergraph.generations import CURRENT, GENERATIONS, PARTIAL, BuildRunning, build_lock, current_generation
from clustergraph.settings import Settings
from clustergraph.store import open_store
from clustergraph.web.app import create_app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, copy_project: Callable[[Path], Path]) -> Settings:
    """A built copy of the project whose builds these tests may interrupt."""
    settings = Settings(project_dir=copy_project(tmp_path_factory.mktemp("generations")))
    build(settings)
    return settings


def _live(settings: Settings) -> tuple[str, int]:
    generation = current_generation(settings.path(settings.build_dir))
    return generation.name, open_store(generation / "store").count()


def _cli(settings: Settings, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "CLUSTERGRAPH_PROJECT_DIR": str(settings.project_dir)}
    return subprocess.Popen([sys.executable, "-m", "clustergraph", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_a_second_build_is_refused_while_one_runs(project: Settings) -> None:
    with build_lock(project.path(project.build_dir)):
        with pytest.raises(BuildRunning, match="already running"):
            build(project)
        blocked = _cli(project, "build")
        _, err = blocked.communicate(timeout=120)
        assert blocked.returncode == 1 and "already running" in err


def test_two_builds_at_once_leave_one_complete_generation(project: Settings) -> None:
    first, second = _cli(project, "build"), _cli(project, "build")
    outcomes = [(first.wait(timeout=300), first.stderr.read()), (second.wait(timeout=300), second.stderr.read())]
    assert any(code == 0 for code, _ in outcomes)
    assert all(code == 0 or "already running" in err for code, err in outcomes), outcomes
    generation = current_generation(project.path(project.build_dir))
    lines = (generation / "dataset.nq").read_bytes().count(b"\n")
    assert open_store(generation / "store").count() == lines
    assert {path.name for path in (generation / "dumps").iterdir()} >= {"clustergraph.ttl", "clustergraph.nq"}


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` now (read from ``/proc``)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _running(pid: int) -> bool:
    """Whether ``pid`` is a process that has not ended (a zombie has)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


PHASES: dict[str, Callable[[Path], bool]] = {
    "assembling (nothing staged yet)": lambda build_dir: False,
    "staging the generation": lambda build_dir: any((build_dir / GENERATIONS).glob("*" + PARTIAL)),
    "writing the validated quads": lambda build_dir: any((build_dir / GENERATIONS).glob(f"*{PARTIAL}/unsorted.nq")),
    "writing the dumps": lambda build_dir: any((build_dir / GENERATIONS).glob(f"*{PARTIAL}/dumps/*")),
    "loading the store": lambda build_dir: any((build_dir / GENERATIONS).glob(f"*{PARTIAL}/store/CURRENT")),
}


@pytest.mark.parametrize("phase", list(PHASES))
def test_a_killed_build_leaves_the_previous_generation_answering(project: Settings, phase: str) -> None:
    build_dir = project.path(project.build_dir)
    before = _live(project)
    process = _cli(project, "build")
    reached = PHASES[phase]
    deadline = time.monotonic() + (1.0 if phase.startswith("assembling") else 120)
    while time.monotonic() < deadline and process.poll() is None and not reached(build_dir):
        time.sleep(0.005)
    if process.poll() is not None:
        pytest.skip(f"the build finished before the phase '{phase}' could be caught")
    children = _children(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert _live(project) == before
    deadline = time.monotonic() + 120  # a child ends once its one task is done (the dumps: well under a second)
    while time.monotonic() < deadline and any(_running(pid) for pid in children):
        time.sleep(0.05)
    assert not [pid for pid in children if _running(pid)], "a process the killed build started outlived it"
    rebuilt = _cli(project, "build")
    assert rebuilt.wait(timeout=300) == 0, rebuilt.stderr.read()
    assert not list((build_dir / GENERATIONS).glob("*" + PARTIAL))
    assert _live(project)[1] == before[1]


def test_a_load_that_fails_publishes_nothing(project: Settings) -> None:
    before = _live(project)
    with pytest.raises(StoreError):
        publish_dataset(project, b"<http://x/s> <http://x/p> broken-object .\n")
    assert _live(project) == before
    assert not list((project.path(project.build_dir) / GENERATIONS).glob("*" + PARTIAL))


def test_a_full_disk_leaves_the_previous_generation(project: Settings, tmp_path: Path) -> None:
    """The build directory on a 1 MiB tmpfs: the store cannot be written, the live generation stays."""
    small = tmp_path / "small"
    small.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(small)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        settings = project.model_copy(update={"build_dir": small})
        tiny = b"<http://x/s> <http://x/p> <http://x/o> .\n"
        publish_dataset(settings, tiny)
        before = _live(settings)
        big = b"".join(f"<http://x/s{i}> <http://x/p> \"{'v' * 200}\" .\n".encode() for i in range(20_000))
        with pytest.raises((StoreError, OSError)):
            publish_dataset(settings, big)
        assert _live(settings) == before
    finally:
        subprocess.run(["umount", str(small)], check=False)


def test_a_corrupt_live_store_gets_503_and_a_rebuild_recovers(project: Settings) -> None:
    generation = current_generation(project.path(project.build_dir))
    for table in (generation / "store").glob("*.sst"):
        table.write_bytes(b"not a table")
    with TestClient(create_app(project)) as client:
        broken = client.get("/sparql", params={"query": "SELECT * { ?s ?p ?o } LIMIT 1"})
        assert broken.status_code == 503, broken.text
        build(project)
        assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200


def test_contacts_stay_out_of_the_public_store_and_every_dump(project: Settings) -> None:
    personal = project.model_copy(update={"include_personal_data": True})
    build(personal)
    generation = current_generation(project.path(project.build_dir))
    for dump in (generation / "dumps").iterdir():
        assert b"mailto:" not in dump.read_bytes() and b"graph/personal" not in dump.read_bytes(), dump.name
    assert b"mailto:" not in (generation / "dataset.nq").read_bytes()
    email = "ASK { GRAPH ?g { ?s <http://www.w3.org/2006/vcard/ns#hasEmail> ?e } }"
    assert not open_store(generation / "store").ask(email)
    assert open_store(generation / "personal-store").ask(email)
    with TestClient(create_app(project)) as public:
        assert public.get("/sparql", params={"query": email}).json()["boolean"] is False
    with TestClient(create_app(personal)) as opted_in:
        assert opted_in.get("/sparql", params={"query": email}).json()["boolean"] is True
    assert (project.path(project.build_dir) / CURRENT).is_symlink()
