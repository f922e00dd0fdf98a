"""The pipeline: source -> records -> curation -> RDF -> validate -> store, one function per step.

Nothing a server answers from changes until every step has passed: the graph is validated over an in-memory
store (``validate_store``), written as a new generation (store, dumps, parse report), and only then does one
rename publish it (see ``generations``).
"""

from __future__ import annotations

import dataclasses
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from rdflib import Graph

from clustergraph.authority import load_authority_tables, table_problems
from clustergraph.curation import Curation, load_curation
from clustergraph.derivation import derive, load_rules, merge_nquads
from clustergraph.dumps import write_dumps
from clustergraph.errors import CurationError, SourceError, StoreError, ValidationFailed
from clustergraph.evidence import check_evidence
from clustergraph.identity import Iris
from clustergraph.parse_report import parse_report_lines
from clustergraph.rdf import BuiltDataset, load_ontology, to_dataset
from clustergraph.records import Guidebook, parse_guidebook
from clustergraph.settings import Settings
from clustergraph.source import SourceMeta, read_source, read_source_meta
from clustergraph.generations import DUMPS, STORE, build_lock, publish_generation, start_generation
from clustergraph.shape_queries import Select
from clustergraph.store import backend_for, memory_store, to_nquads
from clustergraph.validate import Report, load_shapes, validate_store

logger = logging.getLogger(__name__)

DATASET_FILE = "dataset.nq"
PARSE_REPORT_FILE = "parse-report.txt"


@dataclass(frozen=True)
class BuildResult:
    """What a build produced, for the summary line and the tests."""

    guidebook: Guidebook
    curation: Curation
    built: BuiltDataset
    nquads: bytes
    report: Report
    tables_checked: bool = True

    @property
    def triples(self) -> int:
        return len(self.built.dataset)


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


def make_dataset(settings: Settings, validated: bool = True) -> BuildResult:
    """Run every step up to validation (over an in-memory store, when ``validated``); nothing is written."""
    guidebook, curation, meta = read_inputs(settings)
    tables = load_authority_tables(settings, curation)
    if tables.checked and (problems := table_problems(curation, guidebook, tables)):
        raise CurationError(problems)
    ontology = load_ontology(settings.path(settings.ontology_dir))
    built = to_dataset(guidebook, curation, meta, Iris(settings.base_iri), ontology, tables)
    logger.info("%d practices, %d organisations -> %d triples", len(guidebook.practices),
                len(curation.organisations), len(built.dataset))
    nquads = with_derived_facts(built, settings)
    if not validated:  # the caller validates later (a build: before loading); no shapes read here
        return BuildResult(guidebook, curation, built, nquads, Report(True, Graph(), "not validated"), tables.checked)
    report = store_check(settings, tables.checked, ontology)(memory_store(nquads, ()).select_values)
    return BuildResult(guidebook, curation, built, nquads, report, tables.checked)


def with_derived_facts(built: BuiltDataset, settings: Settings) -> bytes:
    """Run the derivation rules over a store of the assembled graph; add their graph to ``built``.

    Returns the N-Quads of everything, the derived graph included (the public graphs only feed the rules).
    """
    nquads = to_nquads(built.dataset)
    derived = derived_facts(settings, nquads)
    built.dataset.parse(data=derived, format="nquads")
    return merge_nquads(nquads, derived)


def derived_facts(settings: Settings, nquads: bytes) -> bytes:
    """The derivation rules' output over ``nquads`` (personal data hidden from them), as N-Quads of the derived
    graph: a build's and a published file's graphs get the same derived facts."""
    return derive(memory_store(nquads, hidden_graphs(settings)), load_rules(settings.path(settings.ontology_dir)),
                  str(Iris(settings.base_iri).graph("derived")))


def personal_graph(settings: Settings) -> str:
    """The named graph of contact persons and e-mails: kept out of the public store and every dump."""
    return str(Iris(settings.base_iri).graph("personal"))


def public_nquads(nquads: bytes, settings: Settings) -> bytes:
    """The N-Quads lines of every graph but the personal-data graph (sorted input stays sorted)."""
    personal = f"<{personal_graph(settings)}> .".encode("utf-8")
    return b"".join(line + b"\n" for line in nquads.splitlines() if line and not line.endswith(personal))


def write_derived(generation: Path, public: bytes) -> None:
    """The files a generation derives from its public quads: ``dataset.nq`` and the dumps."""
    (generation / DATASET_FILE).write_bytes(public)
    write_dumps(public, (), generation / DUMPS)


class Published(NamedTuple):
    """A published generation and the report of the check its staged store passed (None when unchecked)."""

    generation: Path
    report: Report | None


def publish_dataset(settings: Settings, nquads: bytes, parse_report: str = "", wait: bool = False,
                    check: Check | None = None) -> Published:
    """Write ``nquads`` as a new generation (public store, personal store when asked, dumps) and publish it.

    With ``check``, the public quads are validated through the ``select`` of an in-memory store before any
    store is loaded: a graph that does not conform never reaches the embedded store nor a remote one (whose
    loading switches graphs as its last step), and the staged generation is removed.

    Raises
    ------
    BuildRunning
        If another build or update is running and ``wait`` is false.
    StoreError
        If the store cannot be loaded; the previous generation stays live.
    ValidationFailed
        If ``check`` finds violations; the previous generation stays live.
    """
    build_dir = settings.path(settings.build_dir)
    with build_lock(build_dir, wait):
        staged = start_generation(build_dir)
        try:
            (staged / PARSE_REPORT_FILE).write_text(parse_report, encoding="utf-8")
            public = public_nquads(nquads, settings)
            report = check(memory_store(public, ()).select_values) if check else None
            if report is not None and not report.conforms:
                raise ValidationFailed(report.text)
            write_derived(staged, public)
            backend_for(settings, personal=False).load(staged / DATASET_FILE, staged)
            if settings.include_personal_data:
                everything = staged / "everything.nq"
                everything.write_bytes(nquads)
                backend_for(settings, personal=True).load(everything, staged)
                everything.unlink()
        except (SyntaxError, ValueError, OSError) as exc:
            shutil.rmtree(staged, ignore_errors=True)
            raise StoreError(f"writing the new generation failed; the previous one stays live: {exc}") from exc
        except BaseException:
            shutil.rmtree(staged, ignore_errors=True)
            raise
        return Published(publish_generation(build_dir, staged), report)


def build(settings: Settings, wait: bool = False) -> tuple[BuildResult, BuildSummary]:
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
    unchecked = make_dataset(settings, validated=False)
    parse_report = "\n".join(parse_report_lines(unchecked.guidebook, unchecked.curation)) + "\n"
    generation, report = publish_dataset(settings, unchecked.nquads, parse_report, wait,
                                         store_check(settings, unchecked.tables_checked))
    assert report is not None
    result = dataclasses.replace(unchecked, report=report)
    curation = result.curation
    summary = BuildSummary(
        practices=len(result.guidebook.practices),
        organisations=len(curation.organisations),
        programmes=len(curation.programmes),
        projects=len(curation.projects),
        participations=sum(len(p.participations) for p in curation.practices.values()),
        collaborations=len(result.built.collaborations),
        triples=result.triples,
        parse_issues=len(result.guidebook.issues),
        source_notes=sum(len(practice.source_notes) for practice in curation.practices.values()),
        conforms=result.report.conforms,
        seconds=time.perf_counter() - started,
        store=generation / STORE,
        tables_checked=result.tables_checked,
    )
    return result, summary
