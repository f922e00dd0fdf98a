"""What ``clustergraph curation check`` reports: every problem a build would refuse, by file and entry.

The checks run in the build's order and stop at the first stage that finds problems, as the build does:
the curation files on their own, then against the text and the authority tables, then the graph they make
against the shapes and the whole-graph constraints, each violation traced back to the entry it comes from.
"""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from clustergraph.authority import load_authority_tables, table_problems
from clustergraph.build import make_dataset
from clustergraph.curation import Curation, Entity, load_curation
from clustergraph.errors import CurationError, MappingError
from clustergraph.evidence import check_evidence
from clustergraph.records import Guidebook, parse_guidebook
from clustergraph.settings import Settings
from clustergraph.source import read_source


def check_curation(settings: Settings) -> tuple[Guidebook, Curation | None, list[str]]:
    """The guidebook, the curation (None when it does not load) and every problem found.

    Raises
    ------
    SourceError
        If the guidebook text cannot be read.
    """
    guidebook = parse_guidebook(read_source(settings.path(settings.source_file)))
    try:
        curation = load_curation(settings.path(settings.curation_dir))
    except CurationError as error:
        return guidebook, None, error.problems
    problems = check_evidence(curation, guidebook)
    tables = load_authority_tables(settings, curation)
    if tables.checked:
        problems += table_problems(curation, guidebook, tables)
    if problems:
        return guidebook, curation, problems
    try:
        result = make_dataset(settings)
    except (CurationError, MappingError) as error:
        return guidebook, curation, getattr(error, "problems", [str(error)])
    return guidebook, curation, report_problems(result.report.graph, curation, settings.base_iri)


def report_problems(report: Graph, curation: Curation, base_iri: str) -> list[str]:
    """One line per validation result, starting with the curation file and entry its focus node comes from."""
    lines = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = str(report.value(result, SH.focusNode))
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        shape = report.value(result, SH.sourceShape)
        detail = f"{path} " if isinstance(path, URIRef) else ""
        lines.append(f"{locate(focus, curation, base_iri)}: {detail}{message or shape} ({focus})")
    return sorted(lines)


def locate(iri: str, curation: Curation, base_iri: str) -> str:
    """The curation file and entry an IRI of the graph comes from, as precisely as its IRI tells.

    >>> from clustergraph.curation import Curation
    >>> empty = Curation({}, {}, {}, {}, {})
    >>> locate("https://w3id.org/clustergraph/participation/3.3.3-0a1b2c3d4e", empty, "https://w3id.org/clustergraph/")
    'practices/3.3.3.yaml (a participation)'
    """
    if not iri.startswith(base_iri):
        return "the ontology or an authority table"
    kind, _, rest = iri[len(base_iri):].partition("/")
    registers: dict[str, Mapping[str, Entity]] = {"organisation": curation.organisations, "programme": curation.programmes,
                 "project": curation.projects}
    if kind in registers:
        entity = registers[kind].get(rest)
        return entity.where if entity is not None else f"{kind} '{rest}' (in no register)"
    if kind == "practice":
        return f"practices/{rest}.yaml (practice {rest})"
    if kind == "collaboration":
        return "a collaboration derived from the participations"
    return f"practices/{rest.rsplit('-', 1)[0]}.yaml (a {kind})"
