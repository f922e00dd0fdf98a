"""Generate a synthetic, domain-shaped ClusterGraph dataset of a chosen size, streamed as N-Quads.

The graph has the shapes' every class in the proportions of the built dataset, grown to about ``--triples``
triples (10 thousand to 10 million): good practices of cluster organisations, the projects they tell of, the
organisations taking part (clusters, companies, universities, agencies, ...) and the EU programmes funding
those projects, with every curated statement node beside its shortcut triple, and the collaborations the
build would derive (two organisations in one project). Participants are drawn by preferential attachment,
so a few hub clusters take part in many projects and most organisations in one (a skewed degree
distribution), and a project draws its partners from several countries, so collaborations cross borders.

Codes are real: countries, NUTS 2021 regions (inside their organisation's country) and eu-programme codes are
read through the project's authority tables (``CLUSTERGRAPH_EU_VOCABULARIES_DIR``, ``CLUSTERGRAPH_NUTS_FILE``),
or their stand-ins made from the curation when the reference data is absent. The ontology graph is the
project's ``ontology/`` plus the concepts used, as a build writes it. Nothing is held in memory but the
organisation pool: lines are written as they are made, and the same ``--seed`` gives the same bytes.

``--violations N`` plants N faults, one validation result each, spread over the kinds of :data:`PLANTS` (minimum
and maximum counts, pattern, datatype, list membership, class, closed shapes and the whole-graph constraints).
Run ``python bench/generate.py --triples 1000000 --out graph.nq``, then ``clustergraph build --from graph.nq``.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from rdflib import Graph
from rdflib.namespace import RDF, SKOS

from clustergraph.authority import AuthorityTables, alpha2, load_authority_tables, nuts_country
from clustergraph.curation import load_curation
from clustergraph.identity import Iris, country_iri, eu_programme_iri, nuts_iri
from clustergraph.rdf import load_ontology
from clustergraph.settings import Settings
from clustergraph.vocab import CG, ECOSYSTEM_SCHEME, EU_COUNTRY_SCHEME, EU_PROGRAMME_SCHEME, NUTS_LEVEL, NUTS_SCHEME

ROOT = Path(__file__).resolve().parent.parent
DCT = "http://purl.org/dc/terms/"
ORG = "http://www.w3.org/ns/org#"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
XSD_TOKEN = "http://www.w3.org/2001/XMLSchema#token"
LANG_STRING_EN = "@en"

# Where organisations are, weighted roughly like the guidebook's (alpha-3 codes of the EU country table).
COUNTRY_WEIGHTS = {"ITA": 9, "ESP": 7, "FRA": 7, "DEU": 6, "AUT": 4, "ROU": 4, "POL": 4, "BEL": 3, "NLD": 3,
                   "GRC": 3, "PRT": 3, "CZE": 2, "SWE": 2, "DNK": 2, "FIN": 2, "HUN": 2, "BGR": 2, "SVN": 1,
                   "HRV": 1, "SVK": 1, "IRL": 1, "LTU": 1, "LVA": 1, "EST": 1}
# EU programmes funding projects (eu-programme codes; the ones the table lists are used), with weights.
PROGRAMME_WEIGHTS = {"HORIZONEU": 6, "H2020": 5, "COSME": 3, "SINGLEMKT": 3, "DIGITALEU": 2, "ERDF_2021": 4,
                     "ERDF": 3, "TERRCOOP": 3, "ERASMUS_PLUS": 2, "LIFE_2021": 1, "ESF_PLUS": 1}
# Organisation kinds (classes of the ontology) with weights; clusters are the hubs.
KINDS = {"ClusterOrganisation": 5, "Company": 8, "ResearchOrganisation": 4, "PublicAuthority": 2,
         "AgencyOrNetwork": 2, "MetaCluster": 1, "OtherOrganisation": 1}
OWNER_KINDS = ("ClusterOrganisation", "MetaCluster", "AgencyOrNetwork")  # the owner shape's classes
ROLES = ("coordinator", "partner", "partner", "partner", "member", "beneficiary", "stakeholder")
PROJECT_KINDS = ("project", "project", "project", "alliance", "network", "initiative", "hub", "platform")


def iri(value: str) -> str:
    return f"<{value}>"


def text(value: str, suffix: str = "") -> str:
    """An N-Quads literal of ``value`` (backslash and quote escaped) with a language tag or datatype suffix."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"' + suffix


def integer(value: int) -> str:
    return f'"{value}"^^<{XSD_INTEGER}>'


@dataclass
class Writer:
    """Writes quads of one graph at a time and counts them."""

    out: TextIO
    graph: str
    count: int = 0

    def __call__(self, subject: str, predicate: str, obj: str) -> None:
        self.out.write(f"{subject} {predicate} {obj} {self.graph} .\n")
        self.count += 1


@dataclass
class Organisation:
    node: str
    kind: str
    country: str


@dataclass
class World:
    """What the generator has made so far that later parts refer to."""

    iris: Iris
    tables: AuthorityTables
    rnd: random.Random
    write: Writer
    countries: list[str]
    country_weights: list[int]
    regions: dict[str, list[str]]
    programmes: list[tuple[str, str]]  # (programme node, eu code)
    programme_weights: list[int]
    ecosystems: list[str]
    source: str
    roles: list[str]
    organisations: list[Organisation] = field(default_factory=list)
    attachment: list[int] = field(default_factory=list)  # organisation indexes, once per participation
    pairs: set[tuple[int, int]] = field(default_factory=set)
    used_countries: set[str] = field(default_factory=set)
    used_regions: set[str] = field(default_factory=set)
    practices: int = 0


def cg(term: str) -> str:
    return iri(str(CG[term]))


def new_organisation(world: World, kind: str | None = None) -> int:
    """Make an organisation (its triples written now) and return its index in the pool."""
    rnd, write = world.rnd, world.write
    index = len(world.organisations)
    kind = kind or rnd.choices(list(KINDS), weights=list(KINDS.values()))[0]
    country = rnd.choices(world.countries, weights=world.country_weights)[0]
    slug = f"org-{index}"
    node = iri(str(world.iris.organisation(slug)))
    name = text(f"{kind.replace('Organisation', '')} {index} of {world.tables.countries[country]}")
    write(node, iri(str(RDF.type)), iri(ORG + "Organization"))
    write(node, iri(str(RDF.type)), cg(kind))
    write(node, iri(str(SKOS.prefLabel)), name)
    write(node, RDFS_LABEL, name)
    write(node, iri(DCT + "identifier"), text(slug))
    write(node, cg("country"), iri(str(country_iri(country))))
    world.used_countries.add(country)
    if world.regions.get(country) and rnd.random() < 0.8:
        region = rnd.choice(world.regions[country])
        write(node, cg("region"), iri(str(nuts_iri(region))))
        world.used_regions.add(region)
    world.organisations.append(Organisation(node, kind, country))
    return index


def participants(world: World, size: int) -> list[int]:
    """``size`` distinct organisations: an existing one by preferential attachment (3 in 5), else a new one."""
    chosen: list[int] = []
    for _ in range(size * 4):
        if len(chosen) == size:
            break
        if world.attachment and world.rnd.random() < 0.6:
            pick = world.rnd.choice(world.attachment)
        else:
            pick = new_organisation(world)
        if pick not in chosen:
            chosen.append(pick)
    return chosen


def statement(world: World, kind: str, sid: str, practice: str, *parts: str) -> str:
    node = iri(str(world.iris.statement(kind, sid, *parts)))
    world.write(node, cg("evidenceFrom"), practice)
    world.write(node, cg("quote"), text(f"quote {kind} {' '.join(p.rsplit('/', 1)[-1] for p in parts)}"))
    return node


def mention(world: World, key: str, practice_node: str, project_node: str) -> None:
    """A practice mentions a project: the statement node and its shortcut."""
    node = statement(world, "mention", key, practice_node, project_node)
    world.write(node, iri(str(RDF.type)), cg("CuratedStatement"))
    world.write(node, iri(str(RDF.subject)), practice_node)
    world.write(node, iri(str(RDF.predicate)), cg("mentions"))
    world.write(node, iri(str(RDF.object)), project_node)
    world.write(practice_node, cg("mentions"), project_node)


def participation(world: World, key: str, practice_node: str, participant: str, project_node: str,
                  role: str) -> None:
    """An organisation takes part in a project: the statement node and its shortcut."""
    node = statement(world, "participation", key, practice_node, participant, project_node)
    world.write(node, iri(str(RDF.type)), cg("Participation"))
    world.write(node, cg("participant"), participant)
    world.write(node, cg("participatesIn"), project_node)
    world.write(node, cg("role"), text(role))
    world.write(project_node, cg("hasParticipant"), participant)


def funding(world: World, key: str, practice_node: str, project_node: str, programme: str) -> str:
    """A programme funds a project: the statement node (returned) and its shortcut."""
    node = statement(world, "funding", key, practice_node, project_node, programme)
    world.write(node, iri(str(RDF.type)), cg("Funding"))
    world.write(node, cg("funds"), project_node)
    world.write(node, cg("programme"), programme)
    world.write(project_node, cg("fundedBy"), programme)
    return node


def practice(world: World, number: int) -> None:
    """One good practice with its owner, placement, projects, participations, fundings and collaborations."""
    rnd, write = world.rnd, world.write
    sid = f"3.{number % 5 + 1}.{number % 40 + 1}"
    key = f"{sid}-g{number}"
    node = iri(str(world.iris.practice(key)))
    owner = participants(world, 1)[0] if world.organisations and rnd.random() < 0.5 else -1
    if owner < 0 or world.organisations[owner].kind not in OWNER_KINDS:
        owner = new_organisation(world, "ClusterOrganisation")
    home = world.organisations[owner]
    write(node, iri(str(RDF.type)), cg("GoodPractice"))
    write(node, iri(DCT + "title"), text(f"Synthetic practice {number}", LANG_STRING_EN))
    write(node, RDFS_LABEL, text(f"{sid} Synthetic practice {number}", LANG_STRING_EN))
    write(node, cg("sectionId"), text(sid))
    write(node, cg("clusterRole"), world.roles[number % 5])
    write(node, cg("owner"), home.node)
    write(node, cg("printedClusterName"), text(f"Cluster {owner}"))
    write(node, cg("printedCountry"), text(world.tables.countries[home.country]))
    ecosystem = rnd.choice(world.ecosystems)
    write(node, cg("printedEcosystem"), text(ecosystem.rsplit("/", 1)[1].rstrip(">")))
    write(node, cg("country"), iri(str(country_iri(home.country))))
    write(node, cg("ecosystem"), ecosystem)
    for field_name in ("challenges", "actions", "results"):
        write(node, cg(field_name), text(f"Synthetic {field_name} of practice {number}.", LANG_STRING_EN))
    write(node, iri(DCT + "source"), world.source)
    write(node, cg("firstLine"), integer(number * 60 + 1))
    write(node, cg("lastLine"), integer(number * 60 + 59))
    if world.regions.get(home.country):
        region = rnd.choice(world.regions[home.country])
        world.used_regions.add(region)
        placement = statement(world, "placement", key, node, region)
        write(placement, iri(str(RDF.type)), cg("Placement"))
        write(placement, cg("placed"), node)
        write(placement, cg("place"), iri(str(nuts_iri(region))))
        write(node, iri(DCT + "spatial"), iri(str(nuts_iri(region))))
    for project_number in range(rnd.choice((1, 2, 2, 3, 3, 4))):
        project(world, key, node, owner, f"{number}-{project_number}")


def project(world: World, key: str, practice_node: str, owner: int, number: str) -> None:
    """A project told of in a practice: funded by a programme, with partners from several countries."""
    rnd, write = world.rnd, world.write
    node = iri(str(world.iris.project(f"p-{number}")))
    programme, _ = rnd.choices(world.programmes, weights=world.programme_weights)[0]
    write(node, iri(str(RDF.type)), cg("Project"))
    write(node, iri(str(SKOS.prefLabel)), text(f"Project {number}"))
    write(node, RDFS_LABEL, text(f"Project {number}"))
    write(node, cg("projectKind"), text(rnd.choice(PROJECT_KINDS)))
    if rnd.random() < 0.8:
        funding(world, key, practice_node, node, programme)
    else:
        affiliation = statement(world, "affiliation", key, practice_node, node, programme)
        write(affiliation, iri(str(RDF.type)), cg("ProgrammeAffiliation"))
        write(affiliation, cg("affiliated"), node)
        write(affiliation, cg("programme"), programme)
        write(node, cg("underProgramme"), programme)
    mention(world, key, practice_node, node)
    size = min(12, 2 + int(rnd.paretovariate(1.6)))
    members = [owner] + [m for m in participants(world, size) if m != owner]
    for position, member in enumerate(members):
        participation(world, key, practice_node, world.organisations[member].node, node,
                      "coordinator" if position == 0 else rnd.choice(ROLES[1:]))
        world.attachment.append(member)
    for i, a in enumerate(members):
        for b in members[i + 1:]:
            collaboration(world, key, practice_node, node, programme, min(a, b), max(a, b))


def collaboration(world: World, key: str, practice_node: str, via: str, programme: str, a: int, b: int) -> None:
    write = world.write
    first, second = world.organisations[a], world.organisations[b]
    slug_a, slug_b = first.node.rsplit("/", 1)[1][:-1], second.node.rsplit("/", 1)[1][:-1]
    node = iri(str(world.iris.collaboration(slug_a, slug_b, via.rsplit("/", 1)[1][:-1])))
    write(node, iri(str(RDF.type)), cg("Collaboration"))
    write(node, cg("collaborator"), first.node)
    write(node, cg("collaborator"), second.node)
    write(node, cg("via"), via)
    write(node, cg("viaProgramme"), programme)
    write(node, cg("evidenceFrom"), practice_node)
    if (a, b) not in world.pairs:
        world.pairs.add((a, b))
        write(first.node, cg("collaboratesWith"), second.node)
        write(second.node, cg("collaboratesWith"), first.node)


# --- planted faults: each adds what gives exactly one validation result --------------------------------------
def _plant_min_count(world: World, n: int) -> None:  # an organisation without its dct:identifier
    node = iri(str(world.iris.organisation(f"planted-{n}")))
    world.write(node, iri(str(RDF.type)), iri(ORG + "Organization"))
    world.write(node, iri(str(RDF.type)), cg("Company"))
    world.write(node, iri(str(SKOS.prefLabel)), text(f"Planted {n}"))
    world.write(node, RDFS_LABEL, text(f"Planted {n}"))


def _plant_pattern(world: World, n: int) -> None:  # an organisation whose identifier is not a slug
    _plant_min_count(world, n)
    world.write(iri(str(world.iris.organisation(f"planted-{n}"))), iri(DCT + "identifier"), text(f"Planted {n}"))


def _plant_max_count(world: World, n: int) -> None:  # an organisation with two labels
    _plant_pattern_free(world, n)
    world.write(iri(str(world.iris.organisation(f"planted-{n}"))), RDFS_LABEL, text(f"Another label {n}"))


def _plant_pattern_free(world: World, n: int) -> None:
    _plant_min_count(world, n)
    world.write(iri(str(world.iris.organisation(f"planted-{n}"))), iri(DCT + "identifier"), text(f"planted-{n}"))


def _planted_project(world: World, n: int, kind: str, label: str) -> str:
    """A project linked by a mention of the first practice, with the given kind and label."""
    node = iri(str(world.iris.project(f"planted-{n}")))
    practice_node = iri(str(world.iris.practice("3.1.1-g0")))
    world.write(node, iri(str(RDF.type)), cg("Project"))
    world.write(node, iri(str(SKOS.prefLabel)), label)
    world.write(node, cg("projectKind"), text(kind))
    mention(world, f"planted-{n}", practice_node, node)
    return node


def _plant_datatype(world: World, n: int) -> None:  # a project label with a language tag
    _planted_project(world, n, "project", text(f"Planted {n}", LANG_STRING_EN))


def _plant_in(world: World, n: int) -> None:  # a project of a kind the list does not have
    _planted_project(world, n, "spaceship", text(f"Planted {n}"))


def _plant_class(world: World, n: int) -> None:  # a participant that is a project, not an organisation
    node = _planted_project(world, n, "project", text(f"Planted {n}"))
    other = iri(str(world.iris.project("p-0-0")))
    practice_node = iri(str(world.iris.practice("3.1.1-g0")))
    participation(world, f"planted-{n}", practice_node, node, other, "partner")


def _plant_closed(world: World, n: int) -> None:  # a funding statement with a property its shape does not allow
    node = _planted_project(world, n, "project", text(f"Planted {n}"))
    programme = world.programmes[0][0]
    practice_node = iri(str(world.iris.practice("3.1.1-g0")))
    world.write(funding(world, f"planted-{n}", practice_node, node, programme), cg("note"), text("not allowed here"))


def _plant_unlinked_project(world: World, n: int) -> None:  # ProjectIsLinked
    node = iri(str(world.iris.project(f"planted-{n}")))
    world.write(node, iri(str(RDF.type)), cg("Project"))
    world.write(node, iri(str(SKOS.prefLabel)), text(f"Planted {n}"))
    world.write(node, cg("projectKind"), text("project"))


def _plant_unknown_country(world: World, n: int) -> None:  # CountryInAuthorityTable: XXX is in no table
    _plant_pattern_free(world, n)
    world.write(iri(str(world.iris.organisation(f"planted-{n}"))), cg("country"), iri(str(country_iri("XXX"))))


def _plant_region_elsewhere(world: World, n: int) -> None:  # RegionInCountry: a region outside the country
    _plant_pattern_free(world, n)
    node = iri(str(world.iris.organisation(f"planted-{n}")))
    home, abroad = world.countries[0], next(c for c in world.countries[1:] if world.regions.get(c))
    region = world.regions[abroad][0]
    world.used_countries.add(home)
    world.used_regions.add(region)
    world.write(node, cg("country"), iri(str(country_iri(home))))
    world.write(node, cg("region"), iri(str(nuts_iri(region))))


def _plant_shortcut(world: World, n: int) -> None:  # ShortcutHasStatement: a mention no statement says
    other = n % (world.practices - 1) + 1  # a project of another practice than the first
    world.write(iri(str(world.iris.practice("3.1.1-g0"))), cg("mentions"), iri(str(world.iris.project(f"p-{other}-0"))))


PLANTS: dict[str, Callable[[World, int], None]] = {
    "MinCount": _plant_min_count, "Pattern": _plant_pattern, "MaxCount": _plant_max_count,
    "Datatype": _plant_datatype, "In": _plant_in, "Class": _plant_class, "Closed": _plant_closed,
    "ProjectIsLinked": _plant_unlinked_project, "CountryInAuthorityTable": _plant_unknown_country,
    "RegionInCountry": _plant_region_elsewhere, "ShortcutHasStatement": _plant_shortcut,
}


# --- fixed parts ----------------------------------------------------------------------------------------------
def write_fixed(world: World, sha256: str) -> None:
    """The source document, the cluster roles and the programmes."""
    write, iris = world.write, world.iris
    write(world.source, iri(str(RDF.type)), cg("SourceDocument"))
    write(world.source, iri(DCT + "title"), text("Synthetic guidebook", LANG_STRING_EN))
    write(world.source, iri(DCT + "publisher"), text("ClusterGraph scale generator"))
    write(world.source, iri(DCT + "identifier"), text(f"sha256:{sha256}"))
    scheme = iri(str(iris.role_scheme()))
    write(scheme, iri(str(RDF.type)), iri(str(SKOS.ConceptScheme)))
    for index, role in enumerate(world.roles, start=1):
        write(role, iri(str(RDF.type)), cg("ClusterRole"))
        write(role, cg("sectionId"), text(f"3.{index}"))
        write(role, iri(str(SKOS.prefLabel)), text(f"Cluster role {index}", LANG_STRING_EN))
        write(role, iri(str(SKOS.inScheme)), scheme)
    programme_scheme = iri(str(iris.programme_scheme()))
    for node, code in world.programmes:
        write(node, iri(str(RDF.type)), cg("Programme"))
        write(node, iri(str(SKOS.prefLabel)), text(world.tables.programmes[code]))
        write(node, RDFS_LABEL, text(world.tables.programmes[code]))
        write(node, cg("programmeKind"), text("programme"))
        write(node, cg("scope"), text("eu"))
        write(node, iri(str(SKOS.inScheme)), programme_scheme)
        write(node, iri(str(SKOS.exactMatch)), iri(str(eu_programme_iri(code))))


def write_vocabulary(world: World, ontology: Graph) -> None:
    """The ontology graph: ``ontology/`` and the labels of the country, NUTS and eu-programme concepts used."""
    write = world.write
    for line in sorted(ontology.serialize(format="nt").splitlines()):
        if line.strip():
            world.write.out.write(f"{line[:-1].rstrip()} {world.write.graph} .\n")
            world.write.count += 1
    tables = world.tables
    for code in sorted(world.used_countries & set(tables.countries)):
        node = concept(world, iri(str(country_iri(code))), EU_COUNTRY_SCHEME, code,
                       text(tables.countries[code], LANG_STRING_EN))
        if (iso := alpha2(code)) is not None:
            write(node, iri(str(SKOS.notation)), text(iso, f"^^<{XSD_TOKEN}>"))
    for code in sorted(world.used_regions):
        node = concept(world, iri(str(nuts_iri(code))), NUTS_SCHEME, code, text(tables.nuts[code].name))
        write(node, iri(str(NUTS_LEVEL)), text(str(len(code) - 2)))
    for _, code in world.programmes:
        concept(world, iri(str(eu_programme_iri(code))), EU_PROGRAMME_SCHEME, code,
                text(tables.programmes[code], LANG_STRING_EN))


def concept(world: World, node: str, scheme: str, notation: str, label: str) -> str:
    """A concept of an authority table, as the build labels the ones it uses."""
    world.write(node, iri(str(RDF.type)), iri(str(SKOS.Concept)))
    world.write(node, iri(str(SKOS.inScheme)), iri(str(scheme)))
    world.write(node, iri(str(SKOS.prefLabel)), label)
    world.write(node, iri(str(SKOS.notation)), text(notation))
    return node


def generate(settings: Settings, triples: int, out: TextIO, seed: int = 42, violations: int = 0) -> dict[str, int]:
    """Write about ``triples`` triples of a valid synthetic graph (plus ``violations`` planted faults) to ``out``.

    Returns how many of each fault kind were planted (each gives one validation result).
    """
    tables = load_authority_tables(settings, load_curation(settings.path(settings.curation_dir)))
    ontology = load_ontology(settings.path(settings.ontology_dir))
    iris = Iris(settings.base_iri)
    countries = [c for c in COUNTRY_WEIGHTS if c in tables.countries]
    regions: dict[str, list[str]] = {}
    for code, region in sorted(tables.nuts.items()):
        if len(code) == 4 and not code.endswith("Z"):  # NUTS 2, without the "extra-regio" codes
            regions.setdefault(region.country, []).append(code)
    by_country = {c: regions.get(nuts_country(c) or "", []) for c in countries}
    programmes = [(iri(str(iris.programme(code.lower().replace("_", "-")))), code)
                  for code in PROGRAMME_WEIGHTS if code in tables.programmes]
    world = World(
        iris=iris, tables=tables, rnd=random.Random(seed), write=Writer(out, iri(str(iris.graph("public")))),
        countries=countries, country_weights=[COUNTRY_WEIGHTS[c] for c in countries], regions=by_country,
        programmes=programmes, programme_weights=[PROGRAMME_WEIGHTS[code] for _, code in programmes],
        ecosystems=sorted(iri(str(s)) for s in ontology.subjects(SKOS.inScheme, ECOSYSTEM_SCHEME)),
        source=iri(str(iris.source(hashlib.sha256(f"synthetic-{seed}".encode()).hexdigest()))),
        roles=[iri(str(iris.cluster_role(f"3.{i}"))) for i in range(1, 6)])
    write_fixed(world, hashlib.sha256(f"synthetic-{seed}".encode()).hexdigest())
    number = 0
    while world.write.count + len(ontology) < triples or number < 2:
        practice(world, number)
        number += 1
    world.practices = number
    planted: dict[str, int] = {}
    kinds = list(PLANTS)
    for n in range(violations):
        kind = kinds[n % len(kinds)]
        PLANTS[kind](world, n)
        planted[kind] = planted.get(kind, 0) + 1
    world.write = Writer(out, iri(str(iris.graph("ontology"))), world.write.count)
    write_vocabulary(world, ontology)
    return planted


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=100_000, help="about how many triples (default 100000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--violations", type=int, default=0, help="plant this many faults (one result each)")
    parser.add_argument("--out", type=Path, help="N-Quads file to write (default: standard output)")
    args = parser.parse_args(argv)
    if not 1_000 <= args.triples <= 20_000_000:
        parser.error("--triples must be between 1000 and 20000000")
    settings = Settings(project_dir=ROOT)
    with (args.out.open("w", encoding="utf-8") if args.out else sys.stdout) as out:
        planted = generate(settings, args.triples, out, args.seed, args.violations)
    print(f"planted: {planted}" if planted else "no faults planted", file=sys.stderr)


if __name__ == "__main__":
    main()
