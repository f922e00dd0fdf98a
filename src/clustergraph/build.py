"""The pipeline: source -> records -> curation -> RDF -> validate -> store, one function per step.

Nothing a server answers from changes until every step has passed: the graph's public quads go into a staged
in-memory store and the derivation rules add their facts there; validation then reads it (``validate_store``)
while the new generation's files (sorted N-Quads, dumps) and store are written from it, and only a conforming
graph goes live: a remote store switches its graphs, or one rename publishes the generation (see
``generations``). Past the
assembly of the guidebook's own triples the graph is held by the engine, never as Python objects, so a graph
made elsewhere (``external``) is published the same way at any size.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, cast

from rdflib import Graph

from clustergraph.authority import load_authority_tables, table_problems
from clustergraph.curation import Curation, load_curation
from clustergraph.derivation import derive, load_rules
from clustergraph.dumps import write_dumps
from clustergraph.errors import CurationError, SourceError, StoreError, ValidationFailed
from clustergraph.evidence import check_evidence
from clustergraph.identity import Iris
from clustergraph.network.extract import collaboration_table
from clustergraph.network.table import write_table
from clustergraph.parse_report import parse_report_lines
from clustergraph.rdf import BuiltDataset, load_ontology, to_dataset
from clustergraph.records import Guidebook, parse_guidebook
from clustergraph.settings import Settings
from clustergraph.source import SourceMeta, read_source, read_source_meta
from clustergraph.generations import DUMPS, STORE, build_lock, publish_generation, start_generation
from clustergraph.shape_queries import Select
from clustergraph.store import (Backend, Feed, QuadFile, Quads, StagedStore, backend_for, mentions, sort_nquads,
                                to_nquads)
from clustergraph.timing import timed
from clustergraph.validate import Report, load_shapes, validate_store

logger = logging.getLogger(__name__)

DATASET_FILE = "dataset.nq"
PARSE_REPORT_FILE = "parse-report.txt"
UNSORTED_FILE = "unsorted.nq"
DERIVED_FILE = "derived.nt"
EVERYTHING_FILE = "everything.nq"


@dataclass(frozen=True)
class Assembled:
    """The guidebook's graph as the pipeline assembles it, before derivation and validation."""

    guidebook: Guidebook
    curation: Curation
    built: BuiltDataset
    nquads: bytes
    tables_checked: bool = True


@dataclass(frozen=True)
class BuildResult:
    """The assembled graph with its derived facts (``nquads`` holds every graph, sorted) and the validation
    report: what a build publishes, made in memory for the tests and ``curation check``."""

    guidebook: Guidebook
    curation: Curation
    built: BuiltDataset
    nquads: bytes
    report: Report
    tables_checked: bool = True


@dataclass(frozen=True)
class BuildSummary:
    """The counts ``clustergraph build`` prints."""

    practices: int
    organisations: int
    programmes: int
    projects: int
    participations: int
    collaborations: int
    triples: int
    parse_issues: int
    source_notes: int
    conforms: bool
    seconds: float
    store: Path
    tables_checked: bool = True


def read_inputs(settings: Settings) -> tuple[Guidebook, Curation, SourceMeta]:
    """Parse the source and load the curation, and check the one against the other.

    Raises
    ------
    SourceError
        If the text is unreadable or its digest differs from the source note.
    CurationError
        If the curation is malformed or contradicts the text.
    """
    source_path = settings.path(settings.source_file)
    source = read_source(source_path)
    meta = read_source_meta(source_path.with_name("source.yaml"))
    if meta.sha256 != source.sha256:
        raise SourceError(f"sha256 {source.sha256} differs from the source note's {meta.sha256}", source_path)
    guidebook = parse_guidebook(source)
    curation = load_curation(settings.path(settings.curation_dir))
    problems = check_evidence(curation, guidebook)
    if problems:
        raise CurationError(problems)
    return guidebook, curation, meta


def hidden_graphs(settings: Settings) -> tuple[str, ...]:
    """The named graphs queries must not see: personal data, unless the operator turned it on."""
    return () if settings.include_personal_data else (personal_graph(settings),)


Check = Callable[[Select], Report]


def store_check(settings: Settings, check_tables: bool = True, ontology: Graph | None = None) -> Check:
    """Validation of a loaded store against ``shapes/`` (see ``validate_store``), as a function of its select."""
    shapes = load_shapes(settings.path(settings.shapes_dir))
    ontology = ontology if ontology is not None else load_ontology(settings.path(settings.ontology_dir))
    return lambda select: validate_store(select, shapes, ontology, check_tables)


def assemble(settings: Settings) -> Assembled:
    """Source -> records -> curation -> RDF: the guidebook's graph (personal data in its own graph), unchecked.

    Raises
    ------
    SourceError, CurationError
        As ``read_inputs``, or when the curation names codes the authority tables do not have.
    """
    guidebook, curation, meta = read_inputs(settings)
    tables = load_authority_tables(settings, curation)
    if tables.checked and (problems := table_problems(curation, guidebook, tables)):
        raise CurationError(problems)
    ontology = load_ontology(settings.path(settings.ontology_dir))
    built = to_dataset(guidebook, curation, meta, Iris(settings.base_iri), ontology, tables)
    logger.info("%d practices, %d organisations -> %d triples", len(guidebook.practices),
                len(curation.organisations), len(built.dataset))
    return Assembled(guidebook, curation, built, to_nquads(built.dataset), tables.checked)


def make_dataset(settings: Settings) -> BuildResult:
    """Every step up to validation, in memory (a staged store with no directory); nothing is written.

    The derived facts are added to ``built.dataset`` too, so pySHACL over it sees what the store holds.
    """
    assembled = assemble(settings)
    staged = stage(settings, assembled.nquads)
    try:
        report = store_check(settings, assembled.tables_checked)(staged.view().select_values)
        public = staged.quads()
    finally:
        staged.close()
    derived = f"<{Iris(settings.base_iri).graph('derived')}> .".encode("utf-8")
    assembled.built.dataset.parse(data=b"\n".join(line for line in public.splitlines() if line.endswith(derived)),
                                  format="nquads")
    nquads = b"".join(line + b"\n" for line in sorted(set(assembled.nquads.splitlines()) | set(public.splitlines())))
    return BuildResult(assembled.guidebook, assembled.curation, assembled.built, nquads, report,
                       assembled.tables_checked)


@timed("stage (load and derive)")
def stage(settings: Settings, quads: Quads) -> StagedStore:
    """A new staged store of ``quads`` without the personal-data graph, with the facts the derivation rules
    add (in ``graph/derived``): what a build validates, dumps and publishes.

    Raises
    ------
    StoreError
        If the quads do not load.
    QueryError
        If a derivation rule is not a CONSTRUCT.
    """
    staged = StagedStore.create()
    try:
        load_public(settings, staged, quads)
        add_derived_facts(settings, staged)
    except BaseException:
        staged.close()
        raise
    return staged


@timed("stage (load)")
def load_public(settings: Settings, staged: StagedStore, quads: Quads) -> bool:
    """Load ``quads`` into ``staged`` but the personal-data graph; return whether they held that graph or a
    derived one (which ``add_derived_facts`` makes again).

    Raises
    ------
    StoreError
        If the quads do not load.
    """
    staged.load(quads)
    held = any(staged.has_graph(graph) for graph in (personal_graph(settings), derived_graph(settings)))
    staged.drop_graph(personal_graph(settings))
    return held


def add_derived_facts(settings: Settings, staged: StagedStore) -> None:
    """(Re)make the derived graph of ``staged`` from the rules beside the ontology.

    Raises
    ------
    QueryError
        If a derivation rule is not a CONSTRUCT.
    """
    staged.drop_graph(derived_graph(settings))
    derive(staged, load_rules(settings.path(settings.ontology_dir)), derived_graph(settings))


def derived_graph(settings: Settings) -> str:
    """The named graph of the facts the derivation rules add."""
    return str(Iris(settings.base_iri).graph("derived"))


def personal_graph(settings: Settings) -> str:
    """The named graph of contact persons and e-mails: kept out of the public store and every dump."""
    return str(Iris(settings.base_iri).graph("personal"))


class Published(NamedTuple):
    """A published generation, the report of the check its staged store passed (None when unchecked), and
    how many triples its public store holds."""

    generation: Path
    report: Report | None
    triples: int


def publish_dataset(settings: Settings, quads: Quads, parse_report: str = "", wait: bool = False,
                    check: Check | None = None) -> Published:
    """Stage ``quads`` (N-Quads bytes or file), derive, check, and publish them as a new generation.

    The staged store is in memory (see ``stage_beside_load`` for what runs beside it). Only a conforming graph
    goes live: a failing check removes the staged generation and discards what was loaded, and a remote store
    switches its graphs as the last step.

    Raises
    ------
    BuildRunning
        If another build or update is running and ``wait`` is false.
    StoreError
        If the quads do not load or a store cannot take them; the previous generation stays live.
    ValidationFailed
        If ``check`` finds violations; the previous generation stays live.
    """
    build_dir = settings.path(settings.build_dir)
    backend = backend_for(settings, personal=False)
    with build_lock(build_dir, wait):
        generation = start_generation(build_dir)
        staged = StagedStore.create()
        try:
            (generation / PARSE_REPORT_FILE).write_text(parse_report, encoding="utf-8")
            report = stage_beside_load(settings, quads, staged, backend, generation, check)
            triples = len(staged)
            if report is not None and not report.conforms:
                raise ValidationFailed(report.text)
            if settings.include_personal_data:
                _load_personal(settings, quads, generation)
            backend.go_live(generation)
        except (SyntaxError, ValueError, OSError) as exc:
            _abandon(backend, generation)
            raise StoreError(f"writing the new generation failed; the previous one stays live: {exc}") from exc
        except BaseException:
            _abandon(backend, generation)
            raise
        finally:
            staged.close()
        return Published(publish_generation(build_dir, generation), report, triples)


def stage_beside_load(settings: Settings, quads: Quads, staged: StagedStore, backend: Backend, generation: Path,
                      check: Check | None) -> Report | None:
    """Fill ``staged`` with ``quads`` and their derived facts, and check it, while ``backend`` loads the same
    quads into ``generation``'s store and the generation's files are written; return the check's report.

    A two-core machine has work for both cores from the start: a file of quads that names neither the
    personal-data graph nor a derived one is what the store will hold but the derived facts, so the backend
    starts loading it while the engine parses it into ``staged``, and takes the derived graph once made (other
    quads go to the backend once ``staged`` has written them). After the derivation ``staged`` writes its quads,
    which are sorted on disk into ``dataset.nq`` (also the N-Quads dump), from which a child process writes the
    other dumps, and its collaboration table, while ``check`` validates ``staged``.
    """
    public_file = isinstance(quads, Path) and not mentions(quads, (personal_graph(settings), derived_graph(settings)))
    unsorted = generation / UNSORTED_FILE
    with ThreadPoolExecutor(max_workers=3) as side:
        feed = Feed()
        loaded = side.submit(backend.load, feed, generation)
        try:
            if public_file:
                feed.add(QuadFile(cast(Path, quads)))
            if load_public(settings, staged, quads) and public_file:  # the graphs were named in escaped form
                feed, loaded, public_file = _reload(backend, generation, side, feed, loaded)
            add_derived_facts(settings, staged)
            if public_file:
                feed.add(staged.write_graph(derived_graph(settings), generation / DERIVED_FILE))
            staged.write_quads(unsorted)  # before the check: the engine writes three times faster alone
            if not public_file:
                feed.add(QuadFile(unsorted))
            feed.end(staged)
            beside = [side.submit(write_dataset, generation), loaded]
            if backend.local_generation(generation.name) is not None:  # a remote store's networks read the store
                beside.append(side.submit(write_collaborations, staged, generation))
            report = check(staged.view().select_values) if check else None
            for work in beside:
                work.result()
        finally:
            feed.end(None)  # a stopped build ends the loading too (no change once the feed is complete)
    unsorted.unlink()
    (generation / DERIVED_FILE).unlink(missing_ok=True)
    return report


def _reload(backend: Backend, generation: Path, side: ThreadPoolExecutor, feed: Feed,
            loaded: Future[None]) -> tuple[Feed, Future[None], bool]:
    """Stop a load begun from a file that turned out to hold more than the public graphs, discard it, and begin
    another that waits for the staged store's own file."""
    feed.end(None)
    try:
        loaded.result()
    except StoreError:
        pass  # the stop it was told of
    backend.discard(generation)
    fresh = Feed()
    return fresh, side.submit(backend.load, fresh, generation), False


def write_dataset(generation: Path) -> None:
    """Sort the quads a staged store wrote to ``generation``'s ``unsorted.nq`` into its ``dataset.nq`` (the file
    whose bytes depend only on the data, also the N-Quads dump) and write its dumps from it; the caller removes
    ``unsorted.nq`` once nothing else reads it."""
    dataset = generation / DATASET_FILE
    sort_nquads(generation / UNSORTED_FILE, dataset)
    _write_dumps_apart(dataset, generation / DUMPS)


@timed("write the collaboration table")
def write_collaborations(staged: StagedStore, generation: Path) -> None:
    """Write the collaboration table of ``staged`` into ``generation`` (see ``network/table``): read in memory
    while the build runs, it spares every network read of the published store the engine's slowest query."""
    write_table(collaboration_table(staged.view().select_values), generation)


@timed("write dumps")
def _write_dumps_apart(dataset: Path, directory: Path) -> None:
    """``write_dumps`` in a child process: its parse loop holds the GIL almost throughout, and the build's
    validation and store load run beside it in this one. The child ends after its one task: a pool's worker
    otherwise waits for the next one, and outlived a killed build that way."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                             max_tasks_per_child=1) as child:
        child.submit(write_dumps, dataset, directory).result()


def _abandon(backend: Backend, generation: Path) -> None:
    """Discard what was loaded for a generation that will not be published, and remove its directory; a store
    that cannot be reached now keeps its staging graphs until the next build drops them, and the error that
    stopped this build is the one reported."""
    try:
        backend.discard(generation)
    except StoreError as exc:
        logger.warning("could not discard what was loaded for %s (the next build drops it): %s", generation.name,
                       exc)
    finally:
        shutil.rmtree(generation, ignore_errors=True)


def _load_personal(settings: Settings, quads: Quads, generation: Path) -> None:
    """The personal store of ``generation``: ``quads`` with the derived facts of its ``dataset.nq``."""
    everything = generation / EVERYTHING_FILE
    personal = StagedStore.create()
    try:
        personal.load(quads)
        personal.load(generation / DATASET_FILE)
        personal.write_quads(everything)
        feed = Feed()
        feed.add(QuadFile(everything))
        feed.end(personal)
        backend_for(settings, personal=True).load(feed, generation)
    finally:
        personal.close()
        everything.unlink(missing_ok=True)


def build(settings: Settings, wait: bool = False) -> BuildSummary:
    """Build, validate and publish a new generation; the previous one keeps answering if any step fails.

    Raises
    ------
    ValidationFailed
        If the graph violates the shapes (the report says where).
    BuildRunning
        If another build or update is running and ``wait`` is false.
    StoreError
        If the remote store (``settings.store``) cannot take the new graphs; its previous graphs stay live.
    """
    started = time.perf_counter()
    assembled = assemble(settings)
    parse_report = "\n".join(parse_report_lines(assembled.guidebook, assembled.curation)) + "\n"
    generation, report, triples = publish_dataset(settings, assembled.nquads, parse_report, wait,
                                                  store_check(settings, assembled.tables_checked))
    assert report is not None
    curation = assembled.curation
    return BuildSummary(
        practices=len(assembled.guidebook.practices),
        organisations=len(curation.organisations),
        programmes=len(curation.programmes),
        projects=len(curation.projects),
        participations=sum(len(p.participations) for p in curation.practices.values()),
        collaborations=len(assembled.built.collaborations),
        triples=triples,
        parse_issues=len(assembled.guidebook.issues),
        source_notes=sum(len(practice.source_notes) for practice in curation.practices.values()),
        conforms=report.conforms,
        seconds=time.perf_counter() - started,
        store=generation / STORE,
        tables_checked=assembled.tables_checked,
    )
