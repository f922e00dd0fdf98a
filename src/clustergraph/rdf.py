"""Step 3c, RDF: records and curation -> one rdflib Dataset with a public, a personal and an ontology graph.

Every practice points to the source document and its section id; every curated statement is a node that
carries its quote and the practice it comes from, beside a shortcut triple for simple queries. Nothing here
uses blank nodes, so the same input gives the same triples and, sorted, the same N-Quads bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV, RDF, RDFS, SKOS, XSD

from clustergraph.authority import AuthorityTables, alpha2, alpha3
from clustergraph.curation import Curation, PracticeCuration
from clustergraph.errors import MappingError
from clustergraph.identity import Iris, country_iri, eu_programme_iri, nuts_iri
from clustergraph.links import Collaboration, derive_collaborations
from clustergraph.records import Guidebook, Practice
from clustergraph.source import SourceMeta
from clustergraph.timing import timed
from clustergraph.vocab import (CG, ECOSYSTEM_SCHEME, EU_COUNTRY_SCHEME, EU_PROGRAMME_SCHEME, NUTS_LEVEL, NUTS_SCHEME,
                                VCARD,
                                bind_prefixes)

ORGANISATION_CLASSES = {
    "cluster-organisation": CG.ClusterOrganisation,
    "meta-cluster": CG.MetaCluster,
    "company": CG.Company,
    "research": CG.ResearchOrganisation,
    "public-authority": CG.PublicAuthority,
    "agency-or-network": CG.AgencyOrNetwork,
    "other": CG.OtherOrganisation,
}
SECTION_PROPERTIES = {"challenges": CG.challenges, "stakeholders": CG.stakeholders, "actions": CG.actions,
                      "results": CG.results}
EN = "en"


@dataclass(frozen=True)
class BuiltDataset:
    """The dataset and the counts the build summary reports."""

    dataset: Dataset
    owners: dict[str, str]
    collaborations: list[Collaboration]


def load_ontology(ontology_dir: Path) -> Graph:
    """The ontology and the ecosystem scheme, parsed from ``ontology/*.ttl``."""
    graph = Graph()
    for path in sorted(ontology_dir.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


class EcosystemIndex:
    """Map a printed ecosystem value onto the scheme, by the labels the scheme itself carries."""

    def __init__(self, ontology: Graph) -> None:
        self.by_label: dict[str, URIRef] = {}
        for concept in ontology.subjects(SKOS.inScheme, ECOSYSTEM_SCHEME):
            for prop in (SKOS.prefLabel, SKOS.hiddenLabel, SKOS.notation):
                for label in ontology.objects(concept, prop):
                    self.by_label[self._key(str(label))] = URIRef(str(concept))

    @staticmethod
    def _key(text: str) -> str:
        return re.sub(r"\s*[-–/]\s*", "-", " ".join(text.split())).casefold().replace("&", "and")

    def concept(self, slug: str) -> URIRef | None:
        """The concept with this notation (as the curation names it), or None."""
        return self.by_label.get(self._key(slug))

    def resolve(self, printed: str) -> list[URIRef]:
        """Concepts for a printed value: the whole value, else each part of 'A - B' when every part is known.

        Returns an empty list when the value is empty or unknown.
        """
        whole = self.by_label.get(self._key(printed)) if printed.strip() else None
        if whole is not None:
            return [whole]
        parts = [p for p in re.split(r"\s+[-–/]\s+|,\s*", printed) if p.strip()]
        found = [self.by_label.get(self._key(p)) for p in parts]
        return [c for c in found if c is not None] if parts and all(found) else []


@timed("assemble RDF")
def to_dataset(guidebook: Guidebook, curation: Curation, meta: SourceMeta, iris: Iris,
               ontology: Graph, tables: AuthorityTables) -> BuiltDataset:
    """Build the three named graphs.

    The ontology graph also labels the EU country, eu-programme and NUTS concepts the graph uses, from their
    authority ``tables``; a code the tables do not list gets no such facts, which the shapes refuse.

    Raises
    ------
    MappingError
        When a practice's owner, country or ecosystem cannot be mapped (the curation checks report these
        first, so this only fires on inconsistent input passed in directly).
    """
    dataset = bind_prefixes(Dataset())
    public = bind_prefixes(dataset.graph(iris.graph("public")))
    personal = bind_prefixes(dataset.graph(iris.graph("personal")))
    vocabulary = bind_prefixes(dataset.graph(iris.graph("ontology")))
    for triple in ontology:
        vocabulary.add(triple)
    ecosystems = EcosystemIndex(ontology)
    source = iris.source(meta.sha256)
    _add_source(public, source, meta)
    _add_roles(public, guidebook, iris, source)
    owners: dict[str, str] = {}
    countries: set[str] = set()
    for practice in guidebook.practices:
        owner = curation.resolve_organisation(practice.cluster_name)
        if owner is None:
            raise MappingError(f"{practice.section_id}: no organisation is printed as '{practice.cluster_name}'")
        owners[practice.section_id] = owner.id
        countries |= _add_practice(public, practice, iris, source, owner.id, ecosystems,
                                   curation.practices.get(practice.section_id))
        _add_contacts(personal, practice, iris)
    countries |= _add_organisations(public, curation, iris)
    _add_programmes(public, vocabulary, curation, iris, tables)
    _add_projects(public, curation, iris)
    for curated in curation.practices.values():
        _add_statements(public, curated, curation, iris)
        _add_relations(public, curated, curation, iris)
        _add_source_notes(public, curated, iris)
    collaborations = derive_collaborations(curation, owners)
    _add_collaborations(public, collaborations, curation, iris)
    _add_vocabulary_facts(vocabulary, curation, countries, tables)
    return BuiltDataset(dataset, owners, collaborations)


def _add_source(graph: Graph, source: URIRef, meta: SourceMeta) -> None:
    graph.add((source, RDF.type, CG.SourceDocument))
    graph.add((source, DCTERMS.title, Literal(meta.title, lang=EN)))
    graph.add((source, DCTERMS.publisher, Literal(meta.publisher)))
    graph.add((source, DCTERMS.identifier, Literal(f"sha256:{meta.sha256}")))
    graph.add((source, DCTERMS.language, URIRef("http://publications.europa.eu/resource/authority/language/ENG")))
    if meta.url:
        graph.add((source, FOAF.page, URIRef(meta.url)))


def _add_roles(graph: Graph, guidebook: Guidebook, iris: Iris, source: URIRef) -> None:
    scheme = iris.role_scheme()
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    graph.add((scheme, SKOS.prefLabel, Literal("Cluster roles", lang=EN)))
    graph.add((scheme, RDFS.label, Literal("Cluster roles", lang=EN)))
    for chapter in guidebook.chapters:
        role = iris.cluster_role(chapter.section_id)
        graph.add((role, RDF.type, CG.ClusterRole))
        graph.add((role, RDF.type, SKOS.Concept))
        graph.add((role, SKOS.inScheme, scheme))
        graph.add((role, SKOS.topConceptOf, scheme))
        graph.add((role, CG.sectionId, Literal(chapter.section_id)))
        graph.add((role, SKOS.prefLabel, Literal(chapter.heading, lang=EN)))
        graph.add((role, RDFS.label, Literal(chapter.heading, lang=EN)))
        if chapter.intro:
            graph.add((role, SKOS.definition, Literal(chapter.intro, lang=EN)))
        graph.add((role, DCTERMS.source, source))
        graph.add((role, CG.firstLine, Literal(chapter.first_line)))
        graph.add((role, CG.lastLine, Literal(chapter.last_line)))


def _add_practice(graph: Graph, practice: Practice, iris: Iris, source: URIRef, owner: str,
                  ecosystems: EcosystemIndex, curated: PracticeCuration | None) -> set[str]:
    """Add one practice; returns the alpha-2 country codes it uses."""
    node = iris.practice(practice.section_id)
    sid = practice.section_id
    graph.add((node, RDF.type, CG.GoodPractice))
    graph.add((node, DCTERMS.title, Literal(practice.title, lang=EN)))
    graph.add((node, RDFS.label, Literal(f"{sid} {practice.title}", lang=EN)))
    graph.add((node, CG.sectionId, Literal(sid)))
    graph.add((node, CG.clusterRole, iris.cluster_role(practice.chapter_id)))
    graph.add((node, CG.owner, iris.organisation(owner)))
    graph.add((node, CG.printedClusterName, Literal(practice.cluster_name)))
    graph.add((node, CG.printedCountry, Literal(practice.country_printed)))
    graph.add((node, CG.printedEcosystem, Literal(practice.ecosystem_printed)))
    graph.add((node, DCTERMS.source, source))
    graph.add((node, CG.firstLine, Literal(practice.first_line)))
    graph.add((node, CG.lastLine, Literal(practice.last_line)))
    if practice.country_code is None:
        raise MappingError(f"{sid}: unknown country '{practice.country_printed}'")
    graph.add((node, CG.country, _country(practice.country_code)))
    concepts = ecosystems.resolve(practice.ecosystem_printed)
    if not concepts and curated and curated.ecosystem:
        concept = ecosystems.concept(curated.ecosystem.ecosystem)
        if concept is None:
            raise MappingError(f"{sid}: curated ecosystem '{curated.ecosystem.ecosystem}' is not in the scheme")
        concepts = [concept]
        statement = iris.statement("statement", sid, "ecosystem", curated.ecosystem.ecosystem)
        graph.add((statement, RDF.type, CG.CuratedStatement))
        graph.add((statement, RDF.subject, node))
        graph.add((statement, RDF.predicate, CG.ecosystem))
        graph.add((statement, RDF.object, concept))
        _add_evidence(graph, statement, curated.ecosystem.quote, node)
    if not concepts:
        raise MappingError(f"{sid}: ecosystem '{practice.ecosystem_printed}' maps onto no concept")
    for concept in concepts:
        graph.add((node, CG.ecosystem, concept))
    for name, text in practice.sections:
        graph.add((node, SECTION_PROPERTIES[name], Literal(text, lang=EN)))
    if practice.more_information:
        graph.add((node, CG.moreInformation, Literal("\n".join(practice.more_information), lang=EN)))
    for url in practice.websites:
        graph.add((node, FOAF.page, URIRef(url)))
    return {_code(practice.country_code)}


def _add_contacts(graph: Graph, practice: Practice, iris: Iris) -> None:
    """Contact persons and e-mails: personal data, so they go to the personal graph only."""
    if not practice.persons and not practice.emails:
        return
    group = iris.contact(practice.section_id, 0)
    graph.add((iris.practice(practice.section_id), CG.contact, group))
    graph.add((group, RDF.type, VCARD.Group))
    graph.add((group, VCARD.fn, Literal(f"Contact for good practice {practice.section_id}")))
    for email in practice.emails:
        graph.add((group, VCARD.hasEmail, URIRef(f"mailto:{email}")))
    for index, person in enumerate(practice.persons, 1):
        member = iris.contact(practice.section_id, index)
        graph.add((group, VCARD.hasMember, member))
        graph.add((member, RDF.type, VCARD.Individual))
        graph.add((member, VCARD.fn, Literal(person)))


def _add_organisations(graph: Graph, curation: Curation, iris: Iris) -> set[str]:
    countries = set()
    for organisation in curation.organisations.values():
        node = iris.organisation(organisation.id)
        graph.add((node, RDF.type, ORGANISATION_CLASSES[organisation.type]))
        graph.add((node, RDF.type, ORG.Organization))
        _add_names(graph, node, organisation.name, organisation.aliases)
        graph.add((node, DCTERMS.identifier, Literal(organisation.id)))
        if organisation.country:
            graph.add((node, CG.country, _country(organisation.country)))
            countries.add(_code(organisation.country))
        if organisation.region:
            graph.add((node, CG.region, nuts_iri(organisation.region)))
        for practice in sorted({item.practice for item in organisation.evidence}):
            graph.add((node, PROV.wasDerivedFrom, iris.practice(practice)))
    return countries


def _add_names(graph: Graph, node: URIRef, name: str, aliases: Iterable[str]) -> None:
    graph.add((node, SKOS.prefLabel, Literal(name)))
    graph.add((node, RDFS.label, Literal(name)))
    for alias in dict.fromkeys(aliases):
        if alias != name:
            graph.add((node, SKOS.altLabel, Literal(alias)))


def _add_programmes(graph: Graph, vocabulary: Graph, curation: Curation, iris: Iris,
                    tables: AuthorityTables) -> None:
    scheme = iris.programme_scheme()
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    graph.add((scheme, SKOS.prefLabel, Literal("Programmes, instruments and networks", lang=EN)))
    graph.add((scheme, RDFS.label, Literal("Programmes, instruments and networks", lang=EN)))
    for programme in curation.programmes.values():
        node = iris.programme(programme.id)
        graph.add((node, RDF.type, CG.Programme))
        graph.add((node, RDF.type, SKOS.Concept))
        graph.add((node, SKOS.inScheme, scheme))
        _add_names(graph, node, programme.name, programme.aliases)
        if programme.label:
            graph.add((node, SKOS.definition, Literal(programme.label, lang=EN)))
        graph.add((node, CG.programmeKind, Literal(programme.kind)))
        graph.add((node, CG.scope, Literal(programme.scope)))
        if programme.parent:
            graph.add((node, CG.parentProgramme, iris.programme(programme.parent)))
        if programme.country:
            graph.add((node, CG.country, _country(programme.country)))
        match = SKOS.exactMatch if len(programme.eu_programme) == 1 else SKOS.closeMatch
        for code in programme.eu_programme:
            graph.add((node, match, eu_programme_iri(code)))
            if code in tables.programmes:
                vocabulary.add((eu_programme_iri(code), RDF.type, SKOS.Concept))
                vocabulary.add((eu_programme_iri(code), SKOS.inScheme, EU_PROGRAMME_SCHEME))
                vocabulary.add((eu_programme_iri(code), SKOS.notation, Literal(code)))
                vocabulary.add((eu_programme_iri(code), SKOS.prefLabel, Literal(tables.programmes[code], lang=EN)))
        for practice in sorted({item.practice for item in programme.evidence}):
            graph.add((node, PROV.wasDerivedFrom, iris.practice(practice)))


def _add_projects(graph: Graph, curation: Curation, iris: Iris) -> None:
    for project in curation.projects.values():
        node = iris.project(project.id)
        graph.add((node, RDF.type, CG.Project))
        _add_names(graph, node, project.name, project.aliases)
        graph.add((node, CG.projectKind, Literal(project.kind)))
        for practice in sorted({item.practice for item in project.evidence}):
            graph.add((node, PROV.wasDerivedFrom, iris.practice(practice)))


def _target(target: str | None, sid: str, curation: Curation, iris: Iris) -> URIRef:
    if target is None:
        return iris.practice(sid)
    return iris.programme(target) if target in curation.programmes else iris.project(target)


def _add_evidence(graph: Graph, statement: URIRef, quote: str, practice: URIRef, chain: tuple[str, ...] = ()) -> None:
    """The quote that proves a statement, any further quotes of its recorded chain, and the practice holding them."""
    graph.add((statement, CG.quote, Literal(" ".join(quote.split()))))
    for link in chain:
        graph.add((statement, CG.chainQuote, Literal(" ".join(link.split()))))
    graph.add((statement, CG.evidenceFrom, practice))


def _add_statements(graph: Graph, curated: PracticeCuration, curation: Curation, iris: Iris) -> None:
    sid = curated.practice
    practice = iris.practice(sid)
    for placement in curated.placements:
        node = iris.statement("placement", sid, placement.nuts)
        graph.add((node, RDF.type, CG.Placement))
        graph.add((node, CG.placed, practice))
        graph.add((node, CG.place, nuts_iri(placement.nuts)))
        graph.add((practice, DCTERMS.spatial, nuts_iri(placement.nuts)))
        _add_evidence(graph, node, placement.quote, practice)
    for participation in curated.participations:
        target = _target(participation.target, sid, curation, iris)
        node = iris.statement("participation", sid, participation.organisation, participation.target,
                              participation.role)
        organisation = iris.organisation(participation.organisation)
        graph.add((node, RDF.type, CG.Participation))
        graph.add((node, CG.participant, organisation))
        graph.add((node, CG.participatesIn, target))
        graph.add((node, CG.role, Literal(participation.role)))
        graph.add((target, CG.hasParticipant, organisation))
        _add_evidence(graph, node, participation.quote, practice, participation.chain)
    # A funding and an affiliation ('under') are the same link with other terms: the text says the programme
    # pays, or only that the project belongs to it.
    programme_links = [("funding", CG.Funding, CG.funds, CG.fundedBy, f.target, f.programme, f.quote, f.chain)
                       for f in curated.fundings]
    programme_links += [("affiliation", CG.ProgrammeAffiliation, CG.affiliated, CG.underProgramme, a.project,
                         a.programme, a.quote, a.chain) for a in curated.affiliations]
    for kind, statement_class, link, shortcut, target_id, programme_id, quote, chain in programme_links:
        target, programme = _target(target_id, sid, curation, iris), iris.programme(programme_id)
        node = iris.statement(kind, sid, target_id, programme_id)
        graph.add((node, RDF.type, statement_class))
        graph.add((node, link, target))
        graph.add((node, CG.programme, programme))
        graph.add((target, shortcut, programme))
        _add_evidence(graph, node, quote, practice, chain)
    for mention in curated.mentions:
        if mention.project:
            _add_project_mention(graph, sid, mention.project, mention.quote, iris)
            continue
        node = iris.statement("mention", sid, mention.programme)
        graph.add((node, RDF.type, CG.ProgrammeMention))
        graph.add((node, CG.programme, iris.programme(mention.programme)))
        graph.add((practice, CG.mentions, iris.programme(mention.programme)))
        if mention.note:
            graph.add((node, CG.note, Literal(mention.note)))
        _add_evidence(graph, node, mention.quote, practice)


def _add_source_notes(graph: Graph, curated: PracticeCuration, iris: Iris) -> None:
    """Defects of the printed text, on the practice, each with its quote."""
    practice = iris.practice(curated.practice)
    for note in curated.source_notes:
        node = iris.statement("source-note", curated.practice, note.kind, note.quote)
        graph.add((node, RDF.type, CG.SourceNote))
        graph.add((practice, CG.sourceNote, node))
        graph.add((node, CG.noteKind, Literal(note.kind)))
        graph.add((node, CG.note, Literal(note.note)))
        if note.repeats:
            graph.add((node, CG.repeats, iris.practice(note.repeats)))
        _add_evidence(graph, node, note.quote, practice)


def _add_project_mention(graph: Graph, sid: str, project_id: str, quote: str, iris: Iris) -> None:
    """A project the practice only names: the shortcut beside a statement node that reifies it."""
    practice, project = iris.practice(sid), iris.project(project_id)
    node = iris.statement("mention", sid, "project", project_id)
    graph.add((node, RDF.type, CG.CuratedStatement))
    graph.add((node, RDF.subject, practice))
    graph.add((node, RDF.predicate, CG.mentions))
    graph.add((node, RDF.object, project))
    graph.add((practice, CG.mentions, project))
    _add_evidence(graph, node, quote, practice)


def _add_relations(graph: Graph, curated: PracticeCuration, curation: Curation, iris: Iris) -> None:
    """Relations between entities: a statement node with the quote, and the W3C ORG / DCTERMS shortcut."""
    practice = iris.practice(curated.practice)

    def entity(entity_id: str) -> URIRef:
        return (iris.organisation(entity_id) if curation.kind_of(entity_id) == "organisation"
                else iris.project(entity_id))

    for relation in curated.relations:
        subject, target = entity(relation.subject), entity(relation.object)
        node = iris.statement("relation", curated.practice, relation.subject, relation.relation, relation.object)
        graph.add((node, RDF.type, CG.Relation))
        graph.add((node, CG.relationSubject, subject))
        graph.add((node, CG.relationKind, Literal(relation.relation)))
        graph.add((node, CG.relationObject, target))
        _add_evidence(graph, node, relation.quote, practice, relation.chain)
        shortcut = {"member-of": ORG.memberOf, "founded": CG.founded, "spin-off-of": CG.spinOffOf,
                    "part-of": (ORG.subOrganizationOf if curation.kind_of(relation.subject) == "organisation"
                                else DCTERMS.isPartOf)}[relation.relation]
        graph.add((subject, shortcut, target))


def _add_collaborations(graph: Graph, collaborations: list[Collaboration], curation: Curation,
                        iris: Iris) -> None:
    for link in collaborations:
        node = iris.collaboration(link.a, link.b, link.via)
        a, b = iris.organisation(link.a), iris.organisation(link.b)
        via = (iris.practice(link.via) if link.via_kind == "practice"
               else _target(link.via, "", curation, iris))
        graph.add((node, RDF.type, CG.Collaboration))
        graph.add((node, CG.collaborator, a))
        graph.add((node, CG.collaborator, b))
        graph.add((node, CG.via, via))
        for programme in link.programmes:
            graph.add((node, CG.viaProgramme, iris.programme(programme)))
        for practice in link.practices:
            graph.add((node, CG.evidenceFrom, iris.practice(practice)))
        graph.add((a, CG.collaboratesWith, b))
        graph.add((b, CG.collaboratesWith, a))


def _code(code: str) -> str:
    """The EU country table code for a curated or printed country code.

    Raises
    ------
    MappingError
        If ``code`` is a two-letter code ISO 3166-1 does not know.
    """
    found = alpha3(code)
    if found is None:
        raise MappingError(f"'{code}' is not an ISO 3166-1 alpha-2 code")
    return found


def _country(code: str) -> URIRef:
    return country_iri(_code(code))


def _add_vocabulary_facts(vocabulary: Graph, curation: Curation, countries: set[str],
                          tables: AuthorityTables) -> None:
    """Label the EU country and NUTS concepts the graph points at, with their tables' names; a code its table
    does not list gets nothing, so the shapes can tell it is not a member."""
    for code in sorted(countries & set(tables.countries)):
        node = country_iri(code)
        vocabulary.add((node, RDF.type, SKOS.Concept))
        vocabulary.add((node, SKOS.inScheme, EU_COUNTRY_SCHEME))
        vocabulary.add((node, SKOS.prefLabel, Literal(tables.countries[code], lang=EN)))
        vocabulary.add((node, SKOS.notation, Literal(code)))
        iso = alpha2(code)
        if iso:
            vocabulary.add((node, SKOS.notation, Literal(iso, datatype=XSD.token)))
    for region in curation.regions.values():
        if region.code not in tables.nuts:
            continue
        node = nuts_iri(region.code)
        vocabulary.add((node, RDF.type, SKOS.Concept))
        vocabulary.add((node, SKOS.inScheme, NUTS_SCHEME))
        vocabulary.add((node, SKOS.prefLabel, Literal(region.name)))
        vocabulary.add((node, SKOS.notation, Literal(region.code)))
        vocabulary.add((node, NUTS_LEVEL, Literal(region.level)))
        if region.parent:
            vocabulary.add((node, SKOS.broader, nuts_iri(region.parent)))
