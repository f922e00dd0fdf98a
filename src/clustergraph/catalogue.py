"""Step 7, catalogue: the DCAT-AP 3 description of the dataset, its dumps and its SPARQL endpoint.

The catalogue uses the EU Vocabularies authority tables for every controlled value (data themes, file types,
licence, access rights, frequency, language, countries) and states the few facts about those concepts that
the DCAT-AP shapes check (scheme, label, class), so that it validates offline against the SEMIC shapes. The
dataset node is the one VoID describes, with the same triple count and the same dumps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pycountry
import yaml
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, VOID, XSD

from clustergraph.dumps import Dump
from clustergraph.errors import SourceError
from clustergraph.vocab import bind_prefixes
from clustergraph.void import Select
from clustergraph.yaml_loader import load_yaml

AUTHORITY = "http://publications.europa.eu/resource/authority/"
IANA = "http://www.iana.org/assignments/media-types/"
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
# The SEMIC 3.0.1 vocabulary shapes want the algorithm under https://spdx.org/rdf/terms, typed with SPDX's class.
SHA256 = URIRef("https://spdx.org/rdf/terms#checksumAlgorithm_sha256")
DCAT_AP = Namespace("http://data.europa.eu/r5r/")
# English labels of the authority-table concepts the catalogue uses (EU Vocabularies).
CONCEPT_LABELS = {
    "data-theme": {"ECON": "Economy and finance", "TECH": "Science and technology", "REGI": "Regions and cities",
                   "EDUC": "Education, culture and sport", "GOVE": "Government and public sector"},
    "file-type": {"RDF_TURTLE": "RDF Turtle", "RDF_N_TRIPLES": "RDF N-Triples", "JSON_LD": "JSON-LD",
                  "RDF_N_QUADS": "RDF N-Quads", "SPARQLQ": "SPARQL query", "CSV": "CSV", "GZIP": "GZIP"},
    "licence": {"CC_BY_4_0": "Creative Commons Attribution 4.0 International", "CC0": "Creative Commons CC0 1.0"},
    "access-right": {"PUBLIC": "public", "RESTRICTED": "restricted", "NON_PUBLIC": "non-public"},
    "frequency": {"IRREG": "irregular", "ANNUAL": "annual", "AS_NEEDED": "as needed"},
    "language": {"ENG": "English"},
    "planned-availability": {"STABLE": "stable"},
}
CONCEPT_CLASSES = {"file-type": DCTERMS.MediaTypeOrExtent, "licence": DCTERMS.LicenseDocument,
                   "access-right": DCTERMS.RightsStatement, "frequency": DCTERMS.Frequency,
                   "language": DCTERMS.LinguisticSystem, "country": DCTERMS.Location}


@dataclass(frozen=True)
class CatalogueMeta:
    """What ``data/catalogue.yaml`` says: the publisher's own statements about the dataset."""

    title: str
    description: str
    catalogue_title: str
    catalogue_description: str
    publisher: str
    publisher_homepage: str
    contact_name: str
    contact_url: str
    keywords: tuple[str, ...]
    themes: tuple[str, ...]
    language: str
    licence: str
    rights: str
    access_rights: str
    frequency: str
    issued: date
    modified: date
    temporal_start: date
    temporal_end: date


def read_catalogue_meta(path: Path) -> CatalogueMeta:
    """Read ``catalogue.yaml``.

    Raises
    ------
    SourceError
        If the file is missing, malformed, or names a code the catalogue does not know.
    """
    try:
        doc = load_yaml(path.read_text(encoding="utf-8"))
        fields: dict[str, Any] = {
            key: doc[key] for key in ("title", "description", "catalogue_title", "catalogue_description",
                                      "publisher", "publisher_homepage", "contact_name", "contact_url",
                                      "language", "licence", "rights", "access_rights", "frequency")}
        fields.update({key: date.fromisoformat(str(doc[key]))
                       for key in ("issued", "modified", "temporal_start", "temporal_end")})
        meta = CatalogueMeta(**fields, keywords=tuple(doc["keywords"]), themes=tuple(doc["themes"]))
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise SourceError(f"the catalogue note is unreadable or incomplete: {exc!r}", path) from exc
    for table, codes in (("data-theme", meta.themes), ("language", (meta.language,)),
                         ("licence", (meta.licence,)), ("access-right", (meta.access_rights,)),
                         ("frequency", (meta.frequency,))):
        unknown = [code for code in codes if code not in CONCEPT_LABELS[table]]
        if unknown:
            raise SourceError(f"unknown {table} code(s): {', '.join(unknown)}", path)
    return meta


class _Concepts:
    """Adds authority-table concepts with the facts the DCAT-AP shapes check about them."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def __call__(self, table: str, code: str, label: str | None = None) -> URIRef:
        concept = URIRef(f"{AUTHORITY}{table}/{code}")
        scheme = URIRef(f"{AUTHORITY}{table}")
        self.graph.add((concept, RDF.type, SKOS.Concept))
        self.graph.add((concept, SKOS.inScheme, scheme))
        self.graph.add((concept, SKOS.prefLabel, Literal(label or CONCEPT_LABELS[table][code], lang="en")))
        if table in CONCEPT_CLASSES:
            self.graph.add((concept, RDF.type, CONCEPT_CLASSES[table]))
        self.graph.add((scheme, RDF.type, SKOS.ConceptScheme))
        self.graph.add((scheme, DCTERMS.title, Literal(table, lang="en")))
        return concept


COUNTRIES = """SELECT DISTINCT ?code WHERE {
  ?practice a <https://w3id.org/clustergraph/ontology#GoodPractice> ;
            <https://w3id.org/clustergraph/ontology#country> ?country .
  ?country <http://www.w3.org/2004/02/skos/core#notation> ?code
  FILTER(DATATYPE(?code) = <http://www.w3.org/2001/XMLSchema#token>) } ORDER BY ?code"""


def practice_countries(select: Select) -> list[str]:
    """ISO alpha-2 codes of the countries the practices sit in, through ``select`` (a SELECT runner)."""
    return [row["code"] for row in select(COUNTRIES)]


def build_catalogue(meta: CatalogueMeta, dumps: list[Dump], public_url: str, base_iri: str, triples: int,
                    countries: list[str]) -> Graph:
    """The DCAT-AP 3 catalogue.

    Parameters
    ----------
    public_url
        Where the server is reached: download and access URLs start here.
    triples
        The dataset's triple count, as VoID reports it.
    countries
        ISO 3166-1 alpha-2 codes of the countries the practices sit in (the dataset's spatial coverage).
    """
    graph = bind_prefixes(Graph())
    graph.bind("spdx", SPDX)
    graph.bind("adms", ADMS)
    concept = _Concepts(graph)
    root = public_url.rstrip("/")
    catalogue = URIRef(base_iri + "catalog")
    dataset = URIRef(base_iri + "dataset")
    service = URIRef(base_iri + "sparql-service")
    publisher = URIRef(base_iri + "publisher")
    licence = concept("licence", meta.licence)
    rights = BNode("rights")
    graph.add((rights, RDF.type, DCTERMS.RightsStatement))
    graph.add((rights, RDFS_LABEL, Literal(meta.rights, lang="en")))
    language = concept("language", meta.language)
    access = concept("access-right", meta.access_rights)
    _agent(graph, publisher, meta)

    graph.add((catalogue, RDF.type, DCAT.Catalog))
    graph.add((catalogue, DCTERMS.title, Literal(meta.catalogue_title, lang="en")))
    graph.add((catalogue, DCTERMS.description, Literal(meta.catalogue_description, lang="en")))
    graph.add((catalogue, DCTERMS.publisher, publisher))
    home = URIRef(root + "/")
    graph.add((home, RDF.type, FOAF.Document))
    graph.add((SHA256, RDF.type, SPDX.ChecksumAlgorithm))
    graph.add((catalogue, FOAF.homepage, home))
    graph.add((catalogue, DCTERMS.language, language))
    graph.add((catalogue, DCTERMS.license, licence))
    graph.add((catalogue, DCTERMS.issued, Literal(meta.issued, datatype=XSD.date)))
    graph.add((catalogue, DCTERMS.modified, Literal(meta.modified, datatype=XSD.date)))
    graph.add((catalogue, DCAT.themeTaxonomy, URIRef(AUTHORITY + "data-theme")))
    graph.add((catalogue, DCAT.dataset, dataset))
    graph.add((catalogue, DCAT.service, service))

    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.title, Literal(meta.title, lang="en")))
    graph.add((dataset, DCTERMS.description, Literal(meta.description, lang="en")))
    graph.add((dataset, DCTERMS.identifier, Literal(str(dataset))))
    graph.add((dataset, DCTERMS.publisher, publisher))
    graph.add((dataset, DCAT.contactPoint, _contact(graph, base_iri, meta)))
    for keyword in meta.keywords:
        graph.add((dataset, DCAT.keyword, Literal(keyword, lang="en")))
    for theme in meta.themes:
        graph.add((dataset, DCAT.theme, concept("data-theme", theme)))
    for alpha2 in sorted(countries):
        country = pycountry.countries.get(alpha_2=alpha2)
        if country is not None:
            graph.add((dataset, DCTERMS.spatial, concept("country", country.alpha_3, country.name)))
    period = URIRef(base_iri + "dataset#period")
    graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
    graph.add((period, DCAT.startDate, Literal(meta.temporal_start, datatype=XSD.date)))
    graph.add((period, DCAT.endDate, Literal(meta.temporal_end, datatype=XSD.date)))
    graph.add((dataset, DCTERMS.temporal, period))
    graph.add((dataset, DCTERMS.accessRights, access))
    graph.add((dataset, DCTERMS.accrualPeriodicity, concept("frequency", meta.frequency)))
    graph.add((dataset, DCTERMS.language, language))
    graph.add((dataset, DCTERMS.issued, Literal(meta.issued, datatype=XSD.date)))
    graph.add((dataset, DCTERMS.modified, Literal(meta.modified, datatype=XSD.date)))
    graph.add((dataset, DCAT.landingPage, home))
    graph.add((dataset, VOID.triples, Literal(triples, datatype=XSD.integer)))
    graph.add((dataset, VOID.sparqlEndpoint, URIRef(root + "/sparql")))

    for dump in dumps:
        distribution = URIRef(f"{base_iri}distribution/{dump.format.file_name}")
        download = URIRef(f"{root}/dumps/{dump.format.file_name}")
        graph.add((dataset, DCAT.distribution, distribution))
        graph.add((dataset, VOID.dataDump, download))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, DCTERMS.title, Literal(dump.format.title, lang="en")))
        graph.add((distribution, DCTERMS.description, Literal(
            f"{dump.format.title} of the public and ontology graphs (no personal data).", lang="en")))
        graph.add((distribution, DCAT.accessURL, download))
        graph.add((distribution, DCAT.downloadURL, download))
        graph.add((distribution, DCTERMS.format, concept("file-type", dump.format.file_type)))
        media_type = URIRef(IANA + dump.format.media_type)
        graph.add((media_type, RDF.type, DCTERMS.MediaType))
        graph.add((distribution, DCAT.mediaType, media_type))
        if dump.format.gzipped:
            gzip_type = URIRef(IANA + "application/gzip")
            graph.add((gzip_type, RDF.type, DCTERMS.MediaType))
            graph.add((distribution, DCAT.compressFormat, gzip_type))
        graph.add((distribution, DCAT.byteSize, Literal(dump.byte_size, datatype=XSD.nonNegativeInteger)))
        checksum = URIRef(f"{distribution}#checksum")
        graph.add((checksum, RDF.type, SPDX.Checksum))
        graph.add((checksum, SPDX.algorithm, SHA256))
        graph.add((checksum, SPDX.checksumValue, Literal(dump.sha256, datatype=XSD.hexBinary)))
        graph.add((distribution, SPDX.checksum, checksum))
        graph.add((distribution, DCTERMS.license, licence))
        graph.add((distribution, DCTERMS.rights, rights))
        graph.add((distribution, DCAT_AP.availability, concept("planned-availability", "STABLE")))
        graph.add((distribution, DCTERMS.issued, Literal(meta.issued, datatype=XSD.date)))
        graph.add((distribution, DCTERMS.modified, Literal(meta.modified, datatype=XSD.date)))

    graph.add((service, RDF.type, DCAT.DataService))
    graph.add((service, DCTERMS.title, Literal("ClusterGraph SPARQL endpoint", lang="en")))
    graph.add((service, DCTERMS.description, Literal(
        "Read-only SPARQL 1.1 endpoint over the dataset, with a query editor and dereferenceable IRIs.",
        lang="en")))
    graph.add((service, DCAT.endpointURL, URIRef(root + "/sparql")))
    graph.add((service, DCAT.endpointDescription, URIRef(root + "/sparql")))
    graph.add((service, DCAT.servesDataset, dataset))
    graph.add((service, DCTERMS.conformsTo, SPARQL_PROTOCOL))
    graph.add((SPARQL_PROTOCOL, RDF.type, DCTERMS.Standard))
    graph.add((service, DCTERMS.format, concept("file-type", "SPARQLQ")))
    graph.add((service, DCTERMS.license, licence))
    graph.add((service, DCTERMS.accessRights, access))
    graph.add((service, DCTERMS.publisher, publisher))
    graph.add((service, DCAT.contactPoint, _contact(graph, base_iri, meta)))
    for theme in meta.themes:
        graph.add((service, DCAT.theme, concept("data-theme", theme)))
    for keyword in ("SPARQL", *meta.keywords[:3]):
        graph.add((service, DCAT.keyword, Literal(keyword, lang="en")))
    return graph


RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")


def _agent(graph: Graph, publisher: URIRef, meta: CatalogueMeta) -> None:
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, RDF.type, FOAF.Organization))
    graph.add((publisher, FOAF.name, Literal(meta.publisher, lang="en")))
    graph.add((publisher, FOAF.homepage, URIRef(meta.publisher_homepage)))
    graph.add((URIRef(meta.publisher_homepage), RDF.type, FOAF.Document))


def _contact(graph: Graph, base_iri: str, meta: CatalogueMeta) -> URIRef:
    """The contact point: an organisation, never a private person."""
    contact = URIRef(base_iri + "contact-point")
    graph.add((contact, RDF.type, VCARD.Kind))
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, VCARD.fn, Literal(meta.contact_name)))
    graph.add((contact, VCARD.hasURL, URIRef(meta.contact_url)))
    return contact
