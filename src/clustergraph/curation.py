"""Step 2b, curation: load the hand-curated registers and practice statements from ``data/curation/``.

The loader checks the files' own consistency (schema, unique ids, unique names, references between them);
``evidence.py`` checks them against the source text. Every problem is collected and raised together as one
:class:`CurationError`, so a curator sees the whole list at once.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from clustergraph.errors import CurationError
from clustergraph.timing import timed
from clustergraph.yaml_loader import load_yaml

ORGANISATION_TYPES = ("cluster-organisation", "meta-cluster", "company", "research", "public-authority",
                      "agency-or-network", "other")
# What a practice's owner (printed under "Name of the cluster/association") may be: a cluster, a meta-cluster,
# or a cluster agency or association; never a company, a ministry or a university.
OWNER_TYPES = ("cluster-organisation", "meta-cluster", "agency-or-network")
PROGRAMME_KINDS = ("programme", "instrument", "network")
SCOPES = ("eu", "national", "regional", "international")
PROJECT_KINDS = ("project", "alliance", "network", "initiative", "hub", "platform", "event")
ROLES = ("coordinator", "lead-partner", "partner", "member", "founding-member", "stakeholder", "beneficiary",
         "funder", "host", "operator", "participant", "client")
# What a relation may link, subject -> object: "organisation", "project" or either ("entity").
RELATIONS = {
    "member-of": ("organisation", "organisation"),
    "part-of": ("entity", "entity"),
    "founded": ("organisation", "entity"),
    "spin-off-of": ("organisation", "organisation"),
}
NOTE_KINDS = ("duplicated-text", "name-variant", "typo")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SECTION_ID = re.compile(r"^3\.\d+\.\d+$")
COUNTRY_CODE = re.compile(r"^[A-Z]{2,3}$")  # ISO 3166-1 alpha-2, or a code of the EU country table (XKX)


@dataclass(frozen=True)
class Evidence:
    """A verbatim quote and the practice whose text holds it."""

    practice: str
    quote: str


@dataclass(frozen=True)
class Organisation:
    """One real organisation, however the guidebook prints it."""

    id: str
    name: str
    aliases: tuple[str, ...]
    type: str
    country: str | None
    region: str | None
    evidence: tuple[Evidence, ...]
    where: str = field(default="", compare=False)  # file:line [id] of the defining entry


@dataclass(frozen=True)
class Programme:
    """A funding programme, instrument or network of the register."""

    id: str
    name: str
    label: str | None
    aliases: tuple[str, ...]
    kind: str
    scope: str
    parent: str | None
    country: str | None
    eu_programme: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    where: str = field(default="", compare=False)


@dataclass(frozen=True)
class Project:
    """A named project, alliance, initiative, hub, platform or event."""

    id: str
    name: str
    aliases: tuple[str, ...]
    kind: str
    evidence: tuple[Evidence, ...]
    where: str = field(default="", compare=False)


Entity = Organisation | Programme | Project  # what a register holds: named, aliased, quoted


@dataclass(frozen=True)
class Participation:
    """An organisation taking part in a project or programme (``target``) or in the practice (None)."""

    practice: str
    organisation: str
    target: str | None
    role: str
    quote: str
    where: str = field(default="", compare=False)  # file:line of the entry
    chain: tuple[str, ...] = ()  # further quotes that, with ``quote``, name both ends (a recorded chain)


@dataclass(frozen=True)
class Funding:
    """A programme funding a project (``target``) or the practice itself (None)."""

    practice: str
    target: str | None
    programme: str
    quote: str
    where: str = field(default="", compare=False)  # file:line of the entry
    chain: tuple[str, ...] = ()  # further quotes that, with ``quote``, name both ends (a recorded chain)


@dataclass(frozen=True)
class Affiliation:
    """A project that belongs to a programme or instrument (a named EDIH is one of the EDIHs) where the text does
    not say that the programme pays for it."""

    practice: str
    project: str
    programme: str
    quote: str
    where: str = field(default="", compare=False)  # file:line of the entry
    chain: tuple[str, ...] = ()  # further quotes that, with ``quote``, name both ends (a recorded chain)


@dataclass(frozen=True)
class Mention:
    """A programme a practice names without it funding anything there, or (``project`` set, ``programme``
    empty) a project the practice names without saying who takes part in it or who pays."""

    practice: str
    programme: str
    quote: str
    note: str | None
    where: str = field(default="", compare=False)
    project: str | None = None


@dataclass(frozen=True)
class Relation:
    """A link the text states between two entities: ``subject`` is a member of, part of, founder of, or spin-off
    of ``object`` (organisations and projects; a part-of links two of the same kind)."""

    practice: str
    subject: str
    relation: str
    object: str
    quote: str
    where: str = field(default="", compare=False)  # file:line of the entry
    chain: tuple[str, ...] = ()  # further quotes that, with ``quote``, name both ends (a recorded chain)


@dataclass(frozen=True)
class Placement:
    """A practice placed in a NUTS region."""

    practice: str
    nuts: str
    quote: str
    where: str = field(default="", compare=False)  # file:line of the entry


@dataclass(frozen=True)
class EcosystemChoice:
    """A curated ecosystem for a practice whose printed ecosystem is empty."""

    practice: str
    ecosystem: str
    quote: str
    where: str = field(default="", compare=False)  # file:line of the entry


@dataclass(frozen=True)
class SourceNote:
    """A defect of the source text itself (a body printed twice, a name printed two ways, a typo), recorded
    so that readers of the graph see it and statements resting on it can be judged.

    ``repeats`` names the practice whose text this one prints again (``duplicated-text``); the quote then
    occurs in both."""

    practice: str
    kind: str
    note: str
    quote: str
    repeats: str | None
    where: str = field(default="", compare=False)


@dataclass(frozen=True)
class Region:
    """A NUTS 2021 region as Eurostat names it."""

    code: str
    name: str
    parent: str | None

    @property
    def level(self) -> int:
        """NUTS level: the code's length minus the two letters of the country."""
        return len(self.code) - 2


@dataclass(frozen=True)
class PracticeCuration:
    """Everything curated about one practice."""

    practice: str
    ecosystem: EcosystemChoice | None
    placements: tuple[Placement, ...]
    participations: tuple[Participation, ...]
    fundings: tuple[Funding, ...]
    mentions: tuple[Mention, ...]
    relations: tuple[Relation, ...] = ()
    affiliations: tuple[Affiliation, ...] = ()
    source_notes: tuple[SourceNote, ...] = ()


@dataclass(frozen=True)
class Curation:
    """All curation data, consistent within itself."""

    organisations: dict[str, Organisation]
    programmes: dict[str, Programme]
    projects: dict[str, Project]
    practices: dict[str, PracticeCuration]
    regions: dict[str, Region]

    def names(self) -> dict[str, str]:
        """Normalised name or alias -> entity id, over all three registers (made once per curation: read only)."""
        return self._name_table

    @cached_property
    def _name_table(self) -> dict[str, str]:
        table: dict[str, str] = {}
        entities: list[Entity] = [*self.organisations.values(), *self.programmes.values(), *self.projects.values()]
        for entity in entities:
            for name in (entity.name, *entity.aliases):
                table[normalise_name(name)] = entity.id
        return table

    def kind_of(self, entity_id: str) -> str | None:
        """``organisation``, ``programme`` or ``project``: the register holding ``entity_id``, or None."""
        for kind, register in (("organisation", self.organisations), ("programme", self.programmes),
                               ("project", self.projects)):
            if entity_id in register:
                return kind
        return None

    def resolve_organisation(self, printed: str) -> Organisation | None:
        """The organisation printed as ``printed`` (name or alias, case and spacing ignored), or None."""
        entity_id = self.names().get(normalise_name(printed))
        return self.organisations.get(entity_id) if entity_id else None


def normalise_name(name: str) -> str:
    """Compare names ignoring case and runs of whitespace.

    >>> normalise_name("  Imago-Mol   CLUSTER ")
    'imago-mol cluster'
    """
    return " ".join(name.split()).casefold()


class _Problems(list[str]):
    """A list of problem messages with a helper to prefix where they come from."""

    def at(self, where: str, message: str) -> None:
        self.append(f"{where}: {message}")


@timed("load curation")
def load_curation(directory: Path) -> Curation:
    """Load and cross-check every curation file under ``directory``.

    Raises
    ------
    CurationError
        Listing every malformed file, unknown key or value, duplicate id or name, and dangling reference.
    """
    problems = _Problems()
    if not directory.is_dir():
        raise CurationError([f"{directory}: curation directory not found"])
    regions = _load_regions(directory / "regions.yaml", problems)
    organisations = _load_register(directory / "organisations", _organisation, problems)
    programmes = _load_register(directory / "programmes", _programme, problems)
    projects = _load_register(directory / "projects", _project, problems)
    practices: dict[str, PracticeCuration] = {}
    if not (directory / "practices").is_dir():
        problems.at("practices", "folder not found")
    for path in sorted((directory / "practices").glob("*.yaml")):
        name = f"practices/{path.name}"
        doc = _read_yaml(path, name, problems)
        if doc is None:
            continue
        curated = _practice(doc, name, problems)
        if curated and curated.practice in practices:
            problems.at(name, f"practice {curated.practice} is curated twice")
        elif curated:
            if path.stem != curated.practice:
                problems.at(name, f"file name does not match 'practice: {curated.practice}'")
            practices[curated.practice] = curated
    curation = Curation(organisations, programmes, projects, practices, regions)
    _check_references(curation, problems)
    if problems:
        raise CurationError(list(problems))
    return curation


class _Located(dict[Any, Any]):
    """A YAML mapping that remembers the line it starts on, so a problem can name it."""

    line = 0


_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built with it


class _LineLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """PyYAML's safe loader whose mappings are :class:`_Located` and refuse a key given twice."""


def _construct_located(loader: _LineLoader, node: yaml.MappingNode) -> _Located:
    loader.flatten_mapping(node)
    mapping = _Located()
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in mapping
        except TypeError as exc:
            raise yaml.constructor.ConstructorError(None, None, f"unhashable key ({exc})",
                                                    key_node.start_mark) from exc
        if duplicate:
            raise yaml.constructor.ConstructorError(None, None, f"key '{key}' is given twice",
                                                    key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
    mapping.line = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_located)


def _line_of(item: Any) -> int:
    """The line a mapping starts on (0 when unknown)."""
    return item.line if isinstance(item, _Located) else 0


def _read_yaml(path: Path, name: str, problems: _Problems) -> Any:
    """The document in ``path``, or None (with a problem naming ``name``) when it is unreadable or empty."""
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506 (a safe loader)
    except (OSError, UnicodeDecodeError) as exc:
        problems.at(name, f"cannot read: {exc}")
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        problems.at(name + where, f"not valid YAML: {getattr(exc, 'problem', None) or exc}")
        return None
    except RecursionError:
        problems.at(name, "not valid YAML: nested too deeply")
        return None
    if doc is None:
        problems.at(name, "the file is empty")
    return doc


def _load_regions(path: Path, problems: _Problems) -> dict[str, Region]:
    if not path.exists():
        problems.at(path.name, "missing: run 'clustergraph curation regions'")
        return {}
    doc = _read_yaml(path, path.name, problems)
    if doc is None:
        return {}
    if not isinstance(doc, list):
        problems.at(path.name, "expected a list of regions")
        return {}
    regions: dict[str, Region] = {}
    for item in doc:
        entry = _Entry(item, f"{path.name}:{_line_of(item)}", problems)
        code = entry.text("code")
        if code and code in regions:
            entry.fail(f"region {code} is listed twice")
        elif code:
            regions[code] = Region(code, entry.text("name") or "", entry.optional("parent"))
        entry.finish()
    return regions


def _load_register(folder: Path, build: Any, problems: _Problems) -> dict[str, Any]:
    """Load one register folder, merging *extend* entries (id, aliases, evidence) into their definition."""
    definitions: dict[str, Any] = {}
    extensions: list[tuple[str, dict[str, Any]]] = []
    if not folder.is_dir():
        problems.at(folder.name, "register folder not found")
    for path in sorted(folder.glob("*.yaml")):
        name = f"{folder.name}/{path.name}"
        doc = _read_yaml(path, name, problems)
        if doc is None:
            continue
        if not isinstance(doc, list):
            problems.at(name, "expected a list of entries")
            continue
        for item in doc:
            where = f"{name}:{_line_of(item)} [{item.get('id', '?') if isinstance(item, dict) else '?'}]"
            if isinstance(item, dict) and "name" not in item and "id" in item:
                extensions.append((where, item))
                continue
            entity = build(_Entry(item, where, problems))
            if entity is None:
                continue
            if entity.id in definitions:
                problems.at(where, f"id '{entity.id}' is defined twice (first at {definitions[entity.id].where})")
                continue
            definitions[entity.id] = replace(entity, where=where)
    for where, item in extensions:
        entry = _Entry(item, where, problems)
        entity_id = entry.slug("id")
        aliases = entry.strings("aliases")
        evidence = entry.evidence()
        entry.finish()
        base = definitions.get(entity_id or "")
        if base is None:
            problems.at(where, f"extends unknown id '{entity_id}'")
            continue
        definitions[base.id] = replace(base, aliases=tuple(dict.fromkeys(base.aliases + aliases)),
                                       evidence=base.evidence + evidence)
    return definitions


def _organisation(entry: _Entry) -> Organisation | None:
    organisation = Organisation(
        id=entry.slug("id") or "",
        name=entry.text("name") or "",
        aliases=entry.strings("aliases"),
        type=entry.choice("type", ORGANISATION_TYPES) or "",
        country=entry.country("country"),
        region=entry.optional("region"),
        evidence=entry.evidence(),
    )
    return organisation if entry.finish() else None


def _programme(entry: _Entry) -> Programme | None:
    programme = Programme(
        id=entry.slug("id") or "",
        name=entry.text("name") or "",
        label=entry.optional("label"),
        aliases=entry.strings("aliases"),
        kind=entry.choice("kind", PROGRAMME_KINDS) or "",
        scope=entry.choice("scope", SCOPES) or "",
        parent=entry.optional("parent"),
        country=entry.country("country"),
        eu_programme=entry.strings("eu_programme"),
        evidence=entry.evidence(),
    )
    return programme if entry.finish() else None


def _project(entry: _Entry) -> Project | None:
    project = Project(
        id=entry.slug("id") or "",
        name=entry.text("name") or "",
        aliases=entry.strings("aliases"),
        kind=entry.choice("kind", PROJECT_KINDS) or "",
        evidence=entry.evidence(),
    )
    return project if entry.finish() else None


def _practice(doc: Any, where: str, problems: _Problems) -> PracticeCuration | None:
    entry = _Entry(doc, where, problems)
    sid = entry.text("practice")
    if sid is not None and not SECTION_ID.match(sid):
        entry.fail(f"'practice: {sid}' is not a section id like 3.2.4")
    sid = sid or ""
    ecosystem = None
    if (item := entry.optional_mapping("ecosystem")) is not None:
        sub = entry.child(item, "ecosystem")
        ecosystem = EcosystemChoice(sid, sub.slug("concept") or "", sub.text("quote") or "", where=sub.where)
    placements = tuple(Placement(sid, sub.text("nuts") or "", sub.text("quote") or "", where=sub.where)
                       for sub in entry.entries("regions"))
    participations = tuple(
        Participation(sid, sub.slug("organisation") or "", sub.optional_slug("in"),
                      sub.choice("role", ROLES) or "", sub.text("quote") or "", where=sub.where,
                      chain=sub.strings("chain"))
        for sub in entry.entries("participations"))
    fundings = tuple(Funding(sid, sub.optional_slug("in"), sub.slug("programme") or "", sub.text("quote") or "",
                             where=sub.where, chain=sub.strings("chain"))
                     for sub in entry.entries("funding"))
    mentions = tuple(_mention(sid, sub) for sub in entry.entries("mentions"))
    relations = tuple(Relation(sid, sub.slug("subject") or "", sub.choice("relation", tuple(RELATIONS)) or "",
                               sub.slug("object") or "", sub.text("quote") or "", where=sub.where,
                               chain=sub.strings("chain"))
                      for sub in entry.entries("relations"))
    affiliations = tuple(Affiliation(sid, sub.slug("project") or "", sub.slug("programme") or "",
                                     sub.text("quote") or "", where=sub.where, chain=sub.strings("chain"))
                         for sub in entry.entries("under"))
    notes = tuple(SourceNote(sid, sub.choice("kind", NOTE_KINDS) or "", sub.text("note") or "",
                             sub.text("quote") or "", _section_id(sub, "repeats"), where=sub.where)
                  for sub in entry.entries("source_notes"))
    if not entry.finish():
        return None
    return PracticeCuration(sid, ecosystem, placements, participations, fundings, mentions, relations,
                            affiliations, notes)


def _mention(sid: str, entry: _Entry) -> Mention:
    """A mention names a programme or a project, not both."""
    if (entry.item.get("project") is None) == (entry.item.get("programme") is None):
        entry.fail("a mention names either a 'programme' or a 'project'")
    project = entry.optional_slug("project")
    programme = entry.optional_slug("programme") or ""
    return Mention(sid, programme, entry.text("quote") or "", entry.optional("note"), where=entry.where,
                   project=project)


def _section_id(entry: _Entry, key: str) -> str | None:
    """An optional section id (``3.3.1``); YAML would read an unquoted ``3.10`` as a number, so say so."""
    value = entry.optional(key)
    if value is not None and not SECTION_ID.match(value):
        entry.fail(f"'{key}: {value}' is not a section id like 3.2.4 (quote it)")
    return value


def _check_references(curation: Curation, problems: _Problems) -> None:
    """Ids unique across registers, names unique, every reference resolves."""
    registers: dict[str, Mapping[str, Entity]] = {
        "organisation": curation.organisations, "programme": curation.programmes, "project": curation.projects}
    owners: dict[str, Entity] = {}
    for kind, register in registers.items():
        for entity_id, entity in register.items():
            if entity_id in owners:
                problems.at(entity.where or entity_id, f"id '{entity_id}' is also used at {owners[entity_id].where}")
            owners.setdefault(entity_id, entity)
    seen: dict[str, Entity] = {}
    for register in registers.values():
        for entity in register.values():
            for name in dict.fromkeys(normalise_name(n) for n in (entity.name, *entity.aliases)):
                other = seen.setdefault(name, entity)
                if other.id != entity.id:
                    problems.at(entity.where or entity.id,
                                f"name or alias '{name}' is also used by '{other.id}' ({other.where})")
    for organisation in curation.organisations.values():
        if organisation.region and organisation.region not in curation.regions:
            problems.at(organisation.where, f"region {organisation.region} is not in regions.yaml")
    for programme in curation.programmes.values():
        if programme.parent and programme.parent not in curation.programmes:
            problems.at(programme.where, f"parent '{programme.parent}' is not a programme")
        if programme.scope in ("national", "regional") and not programme.evidence:
            problems.at(programme.where, "a national or regional programme needs evidence")
    targets = {**curation.projects, **curation.programmes}
    for practice in curation.practices.values():
        for placement in practice.placements:
            if placement.nuts not in curation.regions:
                problems.at(placement.where, f"region {placement.nuts} is not in regions.yaml")
        for participation in practice.participations:
            if participation.organisation not in curation.organisations:
                problems.at(participation.where, f"unknown organisation '{participation.organisation}'")
            if participation.target and participation.target not in targets:
                problems.at(participation.where,
                            f"participation in unknown project or programme '{participation.target}'")
        for funding in practice.fundings:
            if funding.programme not in curation.programmes:
                problems.at(funding.where, f"funding by unknown programme '{funding.programme}'")
            if funding.target and funding.target not in curation.projects:
                problems.at(funding.where, f"funding of unknown project '{funding.target}'")
        for mention in practice.mentions:
            if mention.programme and mention.programme not in curation.programmes:
                problems.at(mention.where, f"mention of unknown programme '{mention.programme}'")
            if mention.project and mention.project not in curation.projects:
                problems.at(mention.where, f"mention of unknown project '{mention.project}'")
        for relation in practice.relations:
            problems.extend(f"{relation.where}: {problem}" for problem in _relation_problems(relation, curation))
        for affiliation in practice.affiliations:
            if affiliation.project not in curation.projects:
                problems.at(affiliation.where, f"'under' names unknown project '{affiliation.project}'")
            if affiliation.programme not in curation.programmes:
                problems.at(affiliation.where, f"'under' names unknown programme '{affiliation.programme}'")
        for note in practice.source_notes:
            if note.kind == "duplicated-text" and note.repeats is None:
                problems.at(note.where, "a 'duplicated-text' note names the practice it 'repeats'")
            if note.repeats == practice.practice:
                problems.at(note.where, "a practice cannot repeat itself")
            elif note.repeats and note.repeats not in curation.practices:
                problems.at(note.where, f"repeats practice {note.repeats}, which has no curation file")
        if any(note.repeats for note in practice.source_notes) and (
                practice.participations or practice.fundings or practice.relations or practice.affiliations
                or practice.placements):
            problems.at(f"practices/{practice.practice}.yaml",
                        "the text repeats another practice's: its statements are curated there, so this file "
                        "holds only source notes and the mentions that cover its programme names")


def _relation_problems(relation: Relation, curation: Curation) -> list[str]:
    """What is wrong with the two ends of a relation: unknown ids, or kinds the relation cannot link."""
    def kind(entity_id: str) -> str | None:
        found = curation.kind_of(entity_id)
        return found if found in ("organisation", "project") else None

    subject_kind, object_kind = kind(relation.subject), kind(relation.object)
    allowed = RELATIONS.get(relation.relation)
    if subject_kind is None or object_kind is None or allowed is None:
        unknown = [i for i, k in ((relation.subject, subject_kind), (relation.object, object_kind)) if k is None]
        return [f"relation with unknown organisation or project '{i}'" for i in unknown]
    problems = []
    for end, found, wanted in (("subject", subject_kind, allowed[0]), ("object", object_kind, allowed[1])):
        if wanted != "entity" and found != wanted:
            problems.append(f"'{relation.relation}' needs an {wanted} as {end}, not the {found} '{getattr(relation, end)}'")
    if relation.relation == "part-of" and subject_kind != object_kind:
        problems.append(f"'part-of' links two organisations or two projects, not '{relation.subject}' and "
                        f"'{relation.object}'")
    if relation.subject == relation.object:
        problems.append(f"'{relation.subject}' is related to itself")
    return problems


class _Entry:
    """Typed access to one YAML mapping that records every problem and every unknown key."""

    def __init__(self, item: Any, where: str, problems: _Problems) -> None:
        self.where = where
        self.problems = problems
        self.ok = isinstance(item, dict)
        self.item: dict[str, Any] = item if isinstance(item, dict) else {}
        self.used: set[str] = set()
        self.children: list[_Entry] = []
        if not self.ok:
            problems.at(where, f"expected a mapping, got {type(item).__name__}")

    def _get(self, key: str) -> Any:
        self.used.add(key)
        return self.item.get(key)

    def fail(self, message: str) -> None:
        """Record a problem of this entry."""
        self.ok = False
        self.problems.at(self.where, message)

    def child(self, item: Any, key: str) -> _Entry:
        """A sub-entry (one mapping under ``key``), finished together with this one."""
        sub = _Entry(item, f"{self.where.split(' ')[0].split(':')[0]}:{_line_of(item) or '?'} {key}",
                     self.problems)
        self.children.append(sub)
        return sub

    def text(self, key: str) -> str | None:
        value = self._get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            self.fail(f"'{key}' is required")
            return None
        if not isinstance(value, str):
            self.fail(f"'{key}' must be text, not {type(value).__name__} ({value!r}; quote it if it is text)")
            return None
        return value

    def optional(self, key: str) -> str | None:
        value = self._get(key)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            self.fail(f"'{key}' must be text, not {type(value).__name__} ({value!r}; quote it if it is text)")
            return None
        return value

    def slug(self, key: str) -> str | None:
        value = self.text(key)
        if value is not None and not SLUG.match(value):
            self.fail(f"'{key}: {value}' is not a lower-case slug")
        return value

    def optional_slug(self, key: str) -> str | None:
        return self.slug(key) if self.item.get(key) is not None else self.optional(key)

    def choice(self, key: str, allowed: tuple[str, ...]) -> str | None:
        value = self.text(key)
        if value is not None and value not in allowed:
            self.fail(f"'{key}: {value}' is not one of {', '.join(allowed)}")
        return value

    def country(self, key: str) -> str | None:
        value = self.optional(key)
        if value is not None and not COUNTRY_CODE.match(value):
            self.fail(f"'{key}: {value}' is neither an ISO 3166-1 alpha-2 code nor an EU country table code")
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        value = self._get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(f"'{key}' must be a list of non-empty strings (quote numbers)")
            return ()
        return tuple(value)

    def entries(self, key: str) -> list[_Entry]:
        value = self._get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(f"'{key}' must be a list")
            return []
        file = self.where.split(" ")[0].split(":")[0]
        subs = [_Entry(item, f"{file}:{_line_of(item) or '?'} {key}[{i}]", self.problems)
                for i, item in enumerate(value)]
        self.children.extend(subs)
        return subs

    def optional_mapping(self, key: str) -> Any:
        return self._get(key)

    def evidence(self) -> tuple[Evidence, ...]:
        found = []
        for sub in self.entries("evidence"):
            practice, quote = sub.text("practice"), sub.text("quote")
            if practice and quote:
                found.append(Evidence(practice, quote))
        return tuple(found)

    def finish(self) -> bool:
        """Report unknown keys; True when this entry and its sub-entries had no problem."""
        for key in sorted(str(key) for key in set(self.item) - self.used):
            self.fail(f"unknown key '{key}'")
        return all([child.finish() for child in self.children]) and self.ok


def used_region_codes(directory: Path) -> set[str]:
    """Every NUTS code a curation file names (``region:`` of organisations, ``nuts:`` of placements)."""
    codes: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            codes.update(str(node[key]) for key in ("region", "nuts") if node.get(key))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in sorted(directory.glob("*/*.yaml")):
        walk(load_yaml(path.read_text(encoding="utf-8")))
    return codes


def write_regions(directory: Path, nuts_csv: Path) -> list[str]:
    """Write ``regions.yaml`` for every NUTS code the curation uses, with Eurostat's names from ``nuts_csv``.

    Returns the codes that are not in the NUTS table (and so were not written).
    """
    with nuts_csv.open(encoding="utf-8") as handle:
        table = {row["code"]: row for row in csv.DictReader(handle)}
    used = sorted(used_region_codes(directory))
    entries = [{"code": code, "name": table[code]["name_latn"], "parent": table[code]["parent"] or None}
               for code in used if code in table]
    header = ("# NUTS 2021 regions the curation uses, with Eurostat's Latin-script names.\n"
              "# Written by `clustergraph curation regions`; the tests check it against the NUTS table.\n")
    body = yaml.safe_dump(entries, allow_unicode=True, sort_keys=False)
    (directory / "regions.yaml").write_text(header + body, encoding="utf-8")
    return [code for code in used if code not in table]
