"""The pipeline: source -> records -> curation -> RDF -> validate -> store, one function per step.

Nothing under ``data/build/`` changes until every step has passed: the dataset is written to a temporary
file, validated, then moved into place, and the store is swapped in last.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from clustergraph.authority import load_authority_tables, table_problems
from clustergraph.curation import Curation, load_curation
from clustergraph.dumps import write_dumps
from clustergraph.errors import CurationError, SourceError, ValidationFailed
from clustergraph.evidence import check_evidence
from clustergraph.identity import Iris
from clustergraph.rdf import BuiltDataset, load_ontology, to_dataset
from clustergraph.records import Guidebook, parse_guidebook
from clustergraph.settings import Settings
from clustergraph.source import SourceMeta, read_source, read_source_meta
from clustergraph.store import load_store, to_nquads
from clustergraph.validate import Report, flatten, load_shapes, validate_graph

logger = logging.getLogger(__name__)

DATASET_FILE = "dataset.nq"
DUMPS_DIR = "dumps"
PARSE_REPORT_FILE = "parse-report.txt"


@dataclass(frozen=True)
class BuildResult:
    """What a build produced, for the summary line and the tests."""

    guidebook: Guidebook
    curation: Curation
    built: BuiltDataset
    nquads: bytes
    report: Report

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
    conforms: bool
    seconds: float
    store: Path


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
    return () if settings.include_personal_data else (str(Iris(settings.base_iri).graph("personal")),)


def make_dataset(settings: Settings) -> BuildResult:
    """Run every step up to validation, in memory; nothing is written."""
    guidebook, curation, meta = read_inputs(settings)
    tables = load_authority_tables(settings)
    if problems := table_problems(curation, guidebook, tables):
        raise CurationError(problems)
    ontology = load_ontology(settings.path(settings.ontology_dir))
    built = to_dataset(guidebook, curation, meta, Iris(settings.base_iri), ontology, tables)
    logger.info("%d practices, %d organisations -> %d triples", len(guidebook.practices),
                len(curation.organisations), len(built.dataset))
    report = validate_graph(flatten(built.dataset), load_shapes(settings.path(settings.shapes_dir)), ontology)
    return BuildResult(guidebook, curation, built, to_nquads(built.dataset), report)


def build(settings: Settings) -> tuple[BuildResult, BuildSummary]:
    """Build, validate and store the graph; the previous build stays in place if any step fails.

    Raises
    ------
    ValidationFailed
        If the graph violates the shapes (the report says where).
    """
    started = time.perf_counter()
    result = make_dataset(settings)
    if not result.report.conforms:
        raise ValidationFailed(result.report.text)
    build_dir = settings.path(settings.build_dir)
    build_dir.mkdir(parents=True, exist_ok=True)
    _write_atomically(build_dir / PARSE_REPORT_FILE,
                      "\n".join(str(issue) for issue in result.guidebook.issues).encode("utf-8") + b"\n")
    dataset_file = build_dir / DATASET_FILE
    staged = build_dir / (DATASET_FILE + ".staged")
    staged.write_bytes(result.nquads)
    store_dir = load_store(staged, settings.store_dir)
    os.replace(staged, dataset_file)
    _replace_directory(build_dir / DUMPS_DIR,
                       lambda target: write_dumps(result.nquads, hidden_graphs(settings), target))
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
        conforms=result.report.conforms,
        seconds=time.perf_counter() - started,
        store=store_dir,
    )
    return result, summary


def _replace_directory(directory: Path, fill: Callable[[Path], object]) -> None:
    """Fill a fresh sibling directory, then swap it in for ``directory``."""
    staged = directory.with_name(directory.name + ".staged")
    shutil.rmtree(staged, ignore_errors=True)
    fill(staged)
    retired = directory.with_name(directory.name + ".old")
    shutil.rmtree(retired, ignore_errors=True)
    if directory.exists():
        os.replace(directory, retired)
    os.replace(staged, directory)
    shutil.rmtree(retired, ignore_errors=True)


def _write_atomically(path: Path, content: bytes) -> None:
    staged = path.with_name(path.name + ".staged")
    staged.write_bytes(content)
    os.replace(staged, path)
