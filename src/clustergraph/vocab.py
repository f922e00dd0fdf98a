"""Every namespace and term IRI ClusterGraph uses, named once; ``CG`` is closed so a typo is an error."""

from __future__ import annotations

from typing import TypeVar

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD, DefinedNamespace

ONTOLOGY_IRI = "https://w3id.org/clustergraph/ontology"
ECOSYSTEM_SCHEME = URIRef("https://w3id.org/clustergraph/ecosystem")

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SH = Namespace("http://www.w3.org/ns/shacl#")
EU_COUNTRY = Namespace("http://publications.europa.eu/resource/authority/country/")
EU_COUNTRY_SCHEME = URIRef("http://publications.europa.eu/resource/authority/country")
EU_PROGRAMME = Namespace("http://publications.europa.eu/resource/authority/eu-programme/")
EU_PROGRAMME_SCHEME = URIRef("http://publications.europa.eu/resource/authority/eu-programme")
NUTS = Namespace("http://data.europa.eu/nuts/code/")
NUTS_SCHEME = URIRef("http://data.europa.eu/nuts/scheme/2021")
NUTS_LEVEL = URIRef("http://data.europa.eu/nuts/level")
CGSH = Namespace("https://w3id.org/clustergraph/shapes#")  # the shapes and the whole-graph constraints


class CG(DefinedNamespace):
    """The ClusterGraph ontology (``ontology/clustergraph.ttl`` documents every term)."""

    _NS = Namespace(ONTOLOGY_IRI + "#")
    _fail = True

    # classes
    SourceDocument: URIRef
    GoodPractice: URIRef
    ClusterRole: URIRef
    IndustrialEcosystem: URIRef
    ClusterOrganisation: URIRef
    MetaCluster: URIRef
    Company: URIRef
    ResearchOrganisation: URIRef
    PublicAuthority: URIRef
    AgencyOrNetwork: URIRef
    OtherOrganisation: URIRef
    Programme: URIRef
    Project: URIRef
    CuratedStatement: URIRef
    Participation: URIRef
    Funding: URIRef
    ProgrammeMention: URIRef
    Placement: URIRef
    Relation: URIRef
    ProgrammeAffiliation: URIRef
    SourceNote: URIRef
    Collaboration: URIRef
    # practice properties
    sectionId: URIRef
    clusterRole: URIRef
    owner: URIRef
    printedClusterName: URIRef
    printedCountry: URIRef
    printedEcosystem: URIRef
    country: URIRef
    ecosystem: URIRef
    challenges: URIRef
    stakeholders: URIRef
    actions: URIRef
    results: URIRef
    moreInformation: URIRef
    firstLine: URIRef
    lastLine: URIRef
    contact: URIRef
    # organisations, programmes, projects
    region: URIRef
    programmeKind: URIRef
    scope: URIRef
    projectKind: URIRef
    parentProgramme: URIRef
    fundedBy: URIRef
    underProgramme: URIRef
    mentions: URIRef
    hasParticipant: URIRef
    # curated statements
    quote: URIRef
    chainQuote: URIRef
    evidenceFrom: URIRef
    participant: URIRef
    participatesIn: URIRef
    role: URIRef
    funds: URIRef
    affiliated: URIRef
    programme: URIRef
    note: URIRef
    sourceNote: URIRef
    noteKind: URIRef
    repeats: URIRef
    placed: URIRef
    place: URIRef
    relationSubject: URIRef
    relationKind: URIRef
    relationObject: URIRef
    founded: URIRef
    spinOffOf: URIRef
    # collaborations
    collaborator: URIRef
    via: URIRef
    viaProgramme: URIRef
    collaboratesWith: URIRef
    # derived at build time (ontology/rules/*.rq, graph/derived)
    withinProgramme: URIRef
    crossBorder: URIRef
    collaborationCount: URIRef
    partnerCount: URIRef
    foreignPartnerCount: URIRef


PREFIXES: dict[str, Namespace | type[DefinedNamespace]] = {
    "cg": CG._NS,
    "dcat": DCAT,
    "dct": DCTERMS,
    "foaf": FOAF,
    "org": ORG,
    "owl": OWL,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "skos": SKOS,
    "vcard": VCARD,
    "void": VOID,
    "xsd": XSD,
    "sh": SH,
    "country": EU_COUNTRY,
    "euprog": EU_PROGRAMME,
    "nuts": NUTS,
}


GraphT = TypeVar("GraphT", bound=Graph)


def bind_prefixes(graph: GraphT) -> GraphT:
    """Bind the project's prefix table on ``graph`` (so every serialisation uses the same prefixes)."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    return graph
