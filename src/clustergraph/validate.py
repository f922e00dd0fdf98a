"""Step 4, validate: pySHACL over ``shapes/`` with the ontology as background, no inference."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyshacl import validate
from rdflib import Dataset, Graph
from rdflib.namespace import SH

from clustergraph.errors import NotFound, ValidationFailed
from clustergraph.timing import timed


@dataclass(frozen=True)
class Report:
    """The outcome of one validation: whether it conforms, the report graph and its readable text."""

    conforms: bool
    graph: Graph
    text: str

    @property
    def violations(self) -> int:
        """Number of validation results in the report."""
        return len(set(self.graph.subjects(predicate=SH.resultSeverity)))


def load_shapes(shapes_dir: Path) -> Graph:
    """All ``shapes/*.ttl`` files as one shapes graph."""
    graph = Graph()
    for path in sorted(shapes_dir.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


DCAT_AP_FILES = ("shapes.ttl", "range.ttl", "shapes_recommended.ttl", "mdr-vocabularies.shape.ttl",
                 "deprecateduris.ttl")


def load_dcat_ap_shapes(shapes_dir: Path) -> Graph:
    """The official SEMIC DCAT-AP 3.0.1 shapes (the ITB validator's full set) from ``shapes_dir``.

    Raises
    ------
    NotFound
        If the directory does not hold them.
    """
    graph = Graph()
    for name in DCAT_AP_FILES:
        path = shapes_dir / "html-shacl" / name
        if not path.exists():
            raise NotFound(f"DCAT-AP shapes not found: {path}")
        graph.parse(path, format="turtle")
    return graph


def validate_catalogue(catalogue: Graph, shapes_dir: Path) -> Report:
    """Validate a DCAT-AP catalogue against the SEMIC shapes; warnings (recommendations) do not fail it."""
    conforms, report_graph, report_text = validate(
        catalogue, shacl_graph=load_dcat_ap_shapes(shapes_dir), inference="none", allow_warnings=True)
    return Report(bool(conforms), report_graph, str(report_text))


def flatten(dataset: Dataset) -> Graph:
    """The union of every named graph, which is what the shapes describe."""
    union = Graph()
    for quad in dataset.quads():
        union.add(quad[:3])
    return union


@timed("validate (SHACL)")
def validate_graph(data: Graph, shapes: Graph, ontology: Graph, raise_on_failure: bool = False) -> Report:
    """Validate ``data`` against ``shapes``.

    The ontology is passed as background so class targets reach subclasses (``cg:Participation`` is a
    ``cg:CuratedStatement``); inference stays off because the shapes need none and it costs 10x.

    Raises
    ------
    ValidationFailed
        Only when ``raise_on_failure`` is set and the graph does not conform.
    """
    conforms, report_graph, report_text = validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True, allow_warnings=False)
    report = Report(bool(conforms), report_graph, str(report_text))
    if raise_on_failure and not report.conforms:
        raise ValidationFailed(report.text)
    return report
