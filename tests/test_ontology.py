"""The ontology documents every term the code uses, and the ecosystem scheme maps every printed variant."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from clustergraph.rdf import EcosystemIndex, load_ontology
from clustergraph.settings import Settings
from clustergraph.vocab import CG, ECOSYSTEM_SCHEME

ECO = "https://w3id.org/clustergraph/ecosystem/"


@pytest.fixture(scope="module")
def ontology(settings: Settings) -> Graph:
    return load_ontology(settings.path(settings.ontology_dir))


def test_every_cg_term_is_declared_with_label_and_comment(ontology: Graph) -> None:
    for name in CG.__annotations__:
        term = CG[name]
        assert (term, RDF.type, None) in ontology, f"{name} is not declared"
        assert ontology.value(term, RDFS.label) is not None, f"{name} has no label"
        assert ontology.value(term, RDFS.comment) is not None, f"{name} has no comment"


def test_no_undeclared_term_in_the_ontology_file(ontology: Graph) -> None:
    declared = {s for s in ontology.subjects(RDF.type, None) if str(s).startswith(str(CG._NS))}
    assert declared == {CG[name] for name in CG.__annotations__}


def test_ecosystem_scheme_has_14_eu_ecosystems_plus_cross_sectoral(ontology: Graph) -> None:
    concepts = set(ontology.subjects(URIRef("http://www.w3.org/2004/02/skos/core#inScheme"), ECOSYSTEM_SCHEME))
    assert len(concepts) == 15
    assert (URIRef(str(CG._NS)[:-1]), RDF.type, OWL.Ontology) in ontology


@pytest.mark.parametrize(("printed", "expected"), [
    ("Energy-renewables", ["energy-renewables"]),
    ("Energy-Renewables", ["energy-renewables"]),
    ("Digital Ecosystem", ["digital"]),
    ("Agri-Food", ["agri-food"]),
    ("Proximity, Social Economy, and Civil Security", ["proximity-social-economy-civil-security"]),
    ("Digital - Cross-sectoral", ["digital", "cross-sectoral"]),
    ("cross-sectoral", ["cross-sectoral"]),
    ("Mobility-Transport-Automotive", ["mobility-transport-automotive"]),
    ("Aerospace and Defence", ["aerospace-defence"]),
    ("", []),
    ("Space mining", []),
])
def test_printed_ecosystems_map_onto_the_scheme(ontology: Graph, printed: str, expected: list[str]) -> None:
    assert EcosystemIndex(ontology).resolve(printed) == [URIRef(ECO + slug) for slug in expected]
