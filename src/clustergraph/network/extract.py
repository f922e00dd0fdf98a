"""Network extraction: SPARQL rows about ``cg:Collaboration`` nodes -> the organisation collaboration graph.

Everything is read through a ``Select`` function (``GraphStore.select_values`` in process, ``Endpoint.select_values``
in the web layer), so the network is the graph the endpoint serves, never a second reading of the curation; the
collaborations themselves may come from the table the build wrote from that graph (``network/table``), filtered
here as the store's query filters them. Filters are resolved to IRIs by a lookup first; only resolved IRIs reach
the extraction query, so a filter value can never change the query's shape.
"""

from __future__ import annotations

import gc
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import copy_context
from dataclasses import dataclass, field
from functools import cache
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple, TypeAlias

import networkx as nx

from clustergraph.errors import UnknownFilter
from clustergraph.vocab import PREFIXES

Graph: TypeAlias = "nx.Graph[str]"
"""An undirected graph whose nodes are IRIs (or codes): what every function here builds and measures."""

Select = Callable[[str], list[dict[str, str]]]
"""A SELECT run on the store: rows as {variable: lexical value}, unbound variables left out."""

PREFIX_LINES = "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in PREFIXES.items())

LOOKUPS = {
    "programme": """SELECT ?iri ?name ?label WHERE { ?iri a cg:Programme ; skos:prefLabel ?label .
        { ?iri skos:prefLabel|skos:altLabel|skos:notation ?name }
        UNION { ?iri skos:exactMatch ?code BIND(STRAFTER(STR(?code), STR(euprog:)) AS ?name) } }""",
    # The countries organisations are in, then their names: few rows each (not one lookup per organisation).
    "country": """SELECT DISTINCT ?iri ?name ?label WHERE {
        { SELECT DISTINCT ?iri WHERE { { SELECT ?organisation WHERE { ?organisation a org:Organization } }
                                       { SELECT ?organisation ?iri WHERE { ?organisation cg:country ?iri } } } }
        { SELECT ?iri ?name ?label WHERE { { SELECT DISTINCT ?iri WHERE { ?anything cg:country ?iri } }
                                           ?iri skos:prefLabel ?label ; skos:prefLabel|skos:notation ?name } } }""",
    "ecosystem": """SELECT ?iri ?name ?label WHERE { ?iri a cg:IndustrialEcosystem ; skos:prefLabel ?label ;
        skos:prefLabel|skos:altLabel|skos:hiddenLabel|skos:notation ?name }""",
    "practice": "SELECT ?iri ?name WHERE { ?iri a cg:GoodPractice ; cg:sectionId ?name }",
}

# The extraction's cost on a disk store of a million triples is the terms it reads back: the engine looks up each
# IRI's text (a few microseconds), so every value crossing into Python costs, and joining many per-link results
# costs again. The collaborations are therefore read as one group per link over a UNION of single patterns (one
# pass over each pattern's index, no join between them), each value tagged by its role: ``o`` a collaborator,
# ``v`` what it is via, ``r`` a programme, ``p`` a practice's section id (a short literal the engine holds inline,
# so no lookup; the collaboration table names the practice itself). The links in scope (the type and each filter,
# read as keys only) are joined before any value is turned into text, so a filter makes the read smaller.
# Patterns joined with others are subqueries of their own: the embedded engine then joins whole index scans on
# their keys (a hash join) instead of looking one pattern up per row of another, except where the rows are few:
# the names of the countries and regions organisations are in are looked up per country or region, not read for
# every labelled thing and joined. IRIs and section ids hold no space, and the separator is spelled out
# (Virtuoso has no default).

ORGANISATIONS = """SELECT ?iri ?name ?type ?typeLabel ?country ?countryName ?region ?regionName ?practices WHERE {
  { SELECT ?iri WHERE { ?iri a org:Organization } }
  { SELECT ?iri ?name WHERE { ?iri skos:prefLabel ?name } }
  { SELECT ?iri ?type WHERE { ?iri a ?type } }
  { SELECT ?type ?typeLabel WHERE { ?type rdfs:label ?typeLabel FILTER(STRSTARTS(STR(?type), STR(cg:))) } }
  OPTIONAL { SELECT ?iri ?country ?countryName WHERE {
    { SELECT ?iri ?c WHERE { ?iri cg:country ?c } }
    { SELECT ?c ?country ?countryName WHERE { { SELECT DISTINCT ?c WHERE { ?o cg:country ?c } }
      ?c skos:prefLabel ?countryName ; skos:notation ?country FILTER(DATATYPE(?country) = xsd:token) } } } }
  OPTIONAL { SELECT ?iri ?region ?regionName WHERE {
    { SELECT ?iri ?r WHERE { ?iri cg:region ?r } }
    { SELECT ?r ?region ?regionName WHERE { { SELECT DISTINCT ?r WHERE { ?o cg:region ?r } }
      ?r skos:prefLabel ?regionName ; skos:notation ?region } } } }
  OPTIONAL { SELECT ?iri (COUNT(DISTINCT ?practice) AS ?practices) WHERE { ?iri prov:wasDerivedFrom ?practice }
             GROUP BY ?iri }
}"""

LABELS = """SELECT ?iri ?label ?kind ?parent WHERE {
  { ?iri a cg:Project ; skos:prefLabel ?label BIND("project" AS ?kind) }
  UNION { ?iri a cg:Programme ; skos:prefLabel ?label BIND("programme" AS ?kind)
          OPTIONAL { ?iri cg:parentProgramme ?parent } }
  UNION { ?iri a cg:GoodPractice ; rdfs:label ?label BIND("practice" AS ?kind) } }"""

COLLABORATIONS = """SELECT (GROUP_CONCAT(?field; separator=" ") AS ?fields) WHERE {{
  {{ SELECT ?link WHERE {{ ?link a cg:Collaboration }} }}
  {filters}
  {{ {{ ?link cg:collaborator ?value BIND("o" AS ?role) }}
    UNION {{ ?link cg:via ?value BIND("v" AS ?role) }}
    UNION {{ {programmes} BIND("r" AS ?role) }}
    UNION {{ {practices} BIND("p" AS ?role) }} }}
  BIND(CONCAT(?role, STR(?value)) AS ?field)
}} GROUP BY ?link"""

WITHIN = "SELECT ?iri WHERE {{ ?iri cg:parentProgramme* <{programme}> }}"
"""The programmes under a programme (and itself), read once when a filter is resolved; the collaboration query
names them. Walked as a subquery inside that query's UNION, the path gave no programmes on Virtuoso 7.2 (the
remote-store comparison caught it)."""

PRACTICES = """{{ SELECT ?link ?p WHERE {{ ?link cg:evidenceFrom ?p }} }}
    {{ SELECT ?p ?value WHERE {{ ?p cg:sectionId ?value {practices}}} }}"""

TOLD_IN = "{ SELECT ?link ?value WHERE { ?link cg:evidenceFrom ?value } }"
"""The practices of the collaboration table: by IRI, since generated graphs give many practices one section id."""

IN_COUNTRY = """{{ SELECT DISTINCT ?link WHERE {{
    {{ SELECT ?link ?o WHERE {{ ?link cg:collaborator ?o }} }}
    {{ SELECT ?o WHERE {{ ?o cg:country <{country}> }} }} }} }}"""

BETWEEN_CLUSTERS = """{ SELECT ?link WHERE {
    { SELECT ?link ?o WHERE { ?link cg:collaborator ?o } }
    { SELECT DISTINCT ?o WHERE { VALUES ?type { cg:ClusterOrganisation cg:MetaCluster } ?o a ?type } }
  } GROUP BY ?link HAVING(COUNT(?o) = 2) }"""


@dataclass(frozen=True)
class Filters:
    """What an analyst asks for: each value as typed (an id, a label, a code), ``None`` for no filter.

    ``programme`` keeps collaborations via that programme or any programme or instrument under it;
    ``country`` keeps collaborations with at least one organisation of that country (so its foreign partners
    stay visible); ``ecosystem`` and ``practice`` keep collaborations told in practices of that ecosystem or in
    that practice; ``clusters_only`` keeps collaborations between two cluster organisations (or meta-clusters).
    """

    programme: str | None = None
    country: str | None = None
    ecosystem: str | None = None
    practice: str | None = None
    clusters_only: bool = False


@dataclass(frozen=True)
class Scope:
    """Filters resolved to the IRIs the graph uses (``None`` where no filter was given)."""

    programme: str | None = None
    country: str | None = None
    ecosystem: str | None = None
    practice: str | None = None
    clusters_only: bool = False
    names: dict[str, str] = field(default_factory=dict)
    """The preferred name of each resolved filter, by filter (``{"country": "Romania"}``)."""
    programmes: tuple[str, ...] = ()
    """What the programme filter keeps: its programme and every programme or instrument under it, in IRI order."""


class CollaborationRow(NamedTuple):
    """One collaboration: two organisations, what they share, its programmes (IRIs) and practices (ids).

    A named tuple, not a dataclass: a million-triple graph has some seventy thousand of them, made in a loop.
    """

    a: str
    b: str
    via: str
    programmes: frozenset[str]
    practices: frozenset[str]


@dataclass
class Network:
    """The organisation collaboration graph and what it was read from.

    ``graph`` is undirected: nodes are organisation IRIs, an edge joins two organisations that share at least
    one project, programme or practice (within the filters). ``labels`` names every project, programme and
    practice IRI; ``parents`` maps a programme IRI to its parent programme's IRI.
    """

    graph: Graph
    scope: Scope
    collaborations: list[CollaborationRow] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    parents: dict[str, str] = field(default_factory=dict)

    def lineage(self, programme: str) -> list[str]:
        """A programme and every programme above it, nearest first."""
        chain = [programme]
        while chain[-1] in self.parents and self.parents[chain[-1]] not in chain:
            chain.append(self.parents[chain[-1]])
        return chain


def resolve_filters(select: Select, filters: Filters) -> Scope:
    """Each filter value as the IRI it names: matched against IRIs, ids (the IRI's last segment), labels and codes,
    ignoring case.

    Raises
    ------
    UnknownFilter
        If a value names nothing in the graph, or more than one thing.
    """
    resolved = {name: _resolve(select, name, value)
                for name, value in (("programme", filters.programme), ("country", filters.country),
                                    ("ecosystem", filters.ecosystem), ("practice", filters.practice)) if value}
    programmes: tuple[str, ...] = ()
    if "programme" in resolved:
        programme = resolved["programme"][0]
        programmes = tuple(sorted({programme} | {row["iri"] for row in select(PREFIX_LINES + WITHIN.format(
            programme=programme))}))
    return Scope(clusters_only=filters.clusters_only, names={name: shown for name, (_, shown) in resolved.items()},
                 programmes=programmes, **{name: iri for name, (iri, _) in resolved.items()})


def _resolve(select: Select, kind: str, value: str) -> tuple[str, str]:
    names: dict[str, set[str]] = defaultdict(set)
    shown: dict[str, str] = {}
    for row in select(PREFIX_LINES + LOOKUPS[kind]):
        shown[row["iri"]] = row.get("label", shown.get(row["iri"], row.get("name", "")))
        names[row["iri"]].update((row["iri"], row["iri"].rstrip("/").rsplit("/", 1)[-1], row.get("name", "")))
    wanted = value.strip().casefold()
    found = sorted(iri for iri, keys in names.items() if wanted in {key.casefold() for key in keys if key})
    if len(found) == 1:
        return found[0], shown[found[0]]
    if found:
        raise UnknownFilter(f"{kind} '{value}' is ambiguous: it names {', '.join(found)}")
    known = sorted({min(keys - {iri}, key=len) if kind == "country" else shown[iri]
                    for iri, keys in names.items()}, key=str.casefold)
    raise UnknownFilter(f"no {kind} '{value}' in the graph; known: {', '.join(known)}")


def collaboration_query(scope: Scope, practices_by_iri: bool = False) -> str:
    """The SELECT that reads the collaborations within ``scope`` (IRIs only ever come from ``resolve_filters``),
    each practice by its section id, or by its IRI with ``practices_by_iri`` (for the whole graph's table).

    >>> cosme = "https://w3id.org/clustergraph/programme/cosme"
    >>> f"VALUES ?value {{ <{cosme}> <{cosme}/ecce> }}" in collaboration_query(
    ...     Scope(programme=cosme, programmes=(cosme, f"{cosme}/ecce")))
    True
    """
    programmes = "?link cg:viaProgramme ?value"
    if scope.programme:
        programmes += f" VALUES ?value {{ {' '.join(f'<{iri}>' for iri in scope.programmes)} }}"
    practices = ""
    if scope.ecosystem:
        practices += f"; cg:ecosystem <{scope.ecosystem}> "
    if scope.practice:
        practices += f"FILTER(?p = <{scope.practice}>) "
    practices = PRACTICES.format(practices=practices)
    filters = []
    if scope.programme:
        filters.append(f"{{ SELECT DISTINCT ?link WHERE {{ {programmes} }} }}")
    if scope.ecosystem or scope.practice:
        filters.append(f"{{ SELECT DISTINCT ?link WHERE {{ {practices} }} }}")
    if scope.country:
        filters.append(IN_COUNTRY.format(country=scope.country))
    if scope.clusters_only:
        filters.append(BETWEEN_CLUSTERS)
    return PREFIX_LINES + COLLABORATIONS.format(programmes=programmes, practices=TOLD_IN if practices_by_iri
                                                else practices, filters="\n  ".join(filters))


SECTIONS = "SELECT ?iri ?name WHERE { ?iri cg:sectionId ?name }"
"""The section id of each practice (and chapter), which collaborations name practices by: a few thousand rows at a
million triples, against some hundred thousand practice values in the collaboration read."""

KEYS = {
    "ecosystem": "SELECT ?iri WHERE {{ ?iri cg:ecosystem <{iri}> }}",
    "country": "SELECT ?iri WHERE {{ ?iri cg:country <{iri}> }}",
    "clusters_only": "SELECT DISTINCT ?iri WHERE {{ VALUES ?type {{ cg:ClusterOrganisation cg:MetaCluster }} "
                     "?iri a ?type }}",
}
"""What a filter keeps, read as IRIs to apply to a collaboration table: the practices of an ecosystem, the
organisations of a country, the cluster organisations (and meta-clusters)."""


def collaboration_table(select: Select) -> list[str]:
    """Every collaboration of the graph as one line of tagged fields (``o`` collaborators, ``p`` practices, ``r``
    programmes, ``v`` what it is via), the fields and the lines in order: what ``build_network`` reads instead of
    the store when a build wrote it (``network/table``), filtered in Python as the store filters them."""
    return sorted(" ".join(sorted(row["fields"].split(" ")))
                  for row in select(collaboration_query(Scope(), practices_by_iri=True)))


def read_collaborations(select: Select, scope: Scope, table: list[str] | None = None) -> list[CollaborationRow]:
    """The collaborations within ``scope``, one per ``cg:Collaboration`` node and thing it is via, sorted: read
    from the store, or filtered from ``table`` (``collaboration_table``'s lines) when given.

    A collaboration has two collaborators (the shapes say so), read in either order and put in IRI order. One
    without a collaborator, a thing it is via or a practice in scope (or, under a programme filter, a programme
    in scope) is not in scope. Equal sets of programmes or practices are one object, so later steps that look
    them up compare them by identity first.
    """
    if table is None:
        return _rows((row["fields"].split(" ") for row in select(collaboration_query(scope))), None, scope)
    sections = {row["iri"]: row["name"] for row in select(PREFIX_LINES + SECTIONS)}
    return _rows(_within(table, _Keep.of(select, scope)), sections, scope)


@dataclass(frozen=True)
class _Keep:
    """What the filters of a scope keep, as sets of IRIs (``None``: that filter is not set)."""

    programmes: frozenset[str] | None = None
    practices: frozenset[str] | None = None
    members: frozenset[str] | None = None
    """Organisations of the country filter: a collaboration with one of them is in scope."""
    clusters: frozenset[str] | None = None
    """Cluster organisations and meta-clusters: under ``clusters_only`` both collaborators must be one."""

    @classmethod
    def of(cls, select: Select, scope: Scope) -> _Keep:
        """The sets ``scope`` names, each read from the store as one short list of IRIs."""
        def keys(kind: str, iri: str = "") -> frozenset[str]:
            return frozenset(row["iri"] for row in select(PREFIX_LINES + KEYS[kind].format(iri=iri)))

        practices = None
        if scope.ecosystem:
            practices = keys("ecosystem", scope.ecosystem)
        if scope.practice:
            practices = frozenset({scope.practice}) if practices is None else practices & {scope.practice}
        return cls(programmes=frozenset(scope.programmes) if scope.programme else None, practices=practices,
                   members=keys("country", scope.country) if scope.country else None,
                   clusters=keys("clusters_only") if scope.clusters_only else None)


def _within(table: list[str], keep: _Keep) -> Iterator[list[str]]:
    """The fields of each line of ``table`` the filters keep, programmes and practices narrowed to those in scope:
    what the store's collaboration query gives for the same scope."""
    unfiltered = keep == _Keep()
    for line in table:
        fields = line.split(" ")
        if unfiltered:
            yield fields
            continue
        collaborators = [field[1:] for field in fields if field[0] == "o"]
        if keep.members is not None and not any(iri in keep.members for iri in collaborators):
            continue
        if keep.clusters is not None and not all(iri in keep.clusters for iri in collaborators):
            continue
        yield [field for field in fields
               if not (field[0] == "p" and keep.practices is not None and field[1:] not in keep.practices
                       or field[0] == "r" and keep.programmes is not None and field[1:] not in keep.programmes)]


def _rows(tagged: Iterable[list[str]], sections: dict[str, str] | None, scope: Scope) -> list[CollaborationRow]:
    """Collaboration rows from each link's tagged fields (see ``collaboration_query``), sorted; ``sections`` names
    practices given by IRI by their section ids (a practice without one is no practice, as in the store's join)."""
    found: list[CollaborationRow] = []
    shared: dict[tuple[str, ...], tuple[frozenset[str], frozenset[str]]] = {}
    interned: dict[frozenset[str], frozenset[str]] = {}
    for fields in tagged:
        fields.sort()  # by role, o < p < r < v, and the collaborators in IRI order
        practices_from = bisect_left(fields, "p")
        programmes_from = bisect_left(fields, "r", practices_from)
        vias_from = bisect_left(fields, "v", programmes_from)
        if not (practices_from and practices_from < programmes_from and vias_from < len(fields)
                and (vias_from > programmes_from or not scope.programme)):
            continue
        a, b = (collaborator[1:] for collaborator in fields[:practices_from])
        key = tuple(fields[practices_from:vias_from])
        sets = shared.get(key)
        if sets is None:  # equal sets of programmes and practices are one object each
            programmes = frozenset(field[1:] for field in fields[programmes_from:vias_from])
            practices = frozenset(field[1:] for field in fields[practices_from:programmes_from])
            if sections is not None:
                practices = frozenset(sections[practice] for practice in practices if practice in sections)
            sets = shared[key] = (interned.setdefault(programmes, programmes),
                                  interned.setdefault(practices, practices))
        if sets[1]:  # told in something with a section id: a practice (or chapter)
            found.extend(CollaborationRow(a, b, via[1:], *sets) for via in fields[vias_from:])
    # One string per row sorts twice as fast as a tuple of three, in the same order: IRIs hold no space or control
    # character, so the space sorts a prefix before its extensions as the tuple would.
    found.sort(key=lambda row: f"{row.a} {row.b} {row.via}")
    return found


def build_network(select: Select, filters: Filters, table: list[str] | None = None) -> Network:
    """Resolve ``filters`` and read the collaboration graph they select, the collaborations filtered from
    ``table`` when given (``collaboration_table``'s lines for the graph ``select`` reads), else from the store.

    Edge attributes: ``weight`` (distinct projects, programmes or practices the two share), ``via``,
    ``programmes``, ``projects`` (labels) and ``practices`` (section ids) as sorted lists, and ``cross_border``
    (both countries known and different). Node attributes: ``label``, ``type``, ``cluster``, ``country`` (ISO
    alpha-2) and ``country_name``, ``region`` (NUTS code) and ``region_name``, ``practices`` (how many practices
    name it) and ``iri``. Only organisations with at least one collaboration in scope are nodes.

    Raises
    ------
    UnknownFilter
        If a filter names nothing in the graph.
    """
    scope = resolve_filters(select, filters)
    with _collector_paused(), ThreadPoolExecutor(max_workers=3) as pool:
        # The three reads are independent: the engine answers them side by side (it releases the GIL), each read
        # turned into Python in its own thread while the others are still in the engine, and a remote store gets
        # three requests at once. Each runs in a copy of this context (a request's build id).
        reading = pool.submit(copy_context().run, read_collaborations, select, scope, table)
        labelling = pool.submit(copy_context().run, _read_labels, select)
        describing = pool.submit(copy_context().run, _describe_organisations, select)
        rows = reading.result()
        network = Network(nx.Graph(), scope, rows, *labelling.result())
        _add_organisations(network.graph, describing.result(), {iri for row in rows for iri in row[:2]})
        _add_edges(network, rows)
    return network


def _read_labels(select: Select) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """The label and kind of every project, programme and practice, and each programme's parent."""
    labels: dict[str, str] = {}
    kinds: dict[str, str] = {}
    parents: dict[str, str] = {}
    for row in select(PREFIX_LINES + LABELS):
        labels[row["iri"]] = row["label"]
        kinds[row["iri"]] = row["kind"]
        if "parent" in row:
            parents[row["iri"]] = row["parent"]
    return labels, kinds, parents


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a network is built, and resume it if it was running.

    Every row, set and attribute dict made here stays alive to the end, so the full collections that their
    number sets off find nothing to free; at a million triples they took half of the Python time.
    """
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


def _describe_organisations(select: Select) -> dict[str, dict[str, object]]:
    """Every organisation's node attributes, read by the ``ORGANISATIONS`` query."""
    best: dict[str, tuple[tuple[bool, bool, str], dict[str, object]]] = {}
    for row in select(PREFIX_LINES + ORGANISATIONS):
        iri = row["iri"]
        cluster = row["type"].endswith(("#ClusterOrganisation", "#MetaCluster"))
        # An organisation typed twice keeps its most specific type: a meta-cluster over a cluster organisation.
        rank = (row["type"].endswith("#MetaCluster"), cluster, row["typeLabel"])
        if iri in best and best[iri][0] >= rank:
            continue
        best[iri] = rank, {"label": row["name"], "type": row["typeLabel"], "cluster": cluster,
                           "country": row.get("country", ""), "country_name": row.get("countryName", ""),
                           "region": row.get("region", ""), "region_name": row.get("regionName", ""),
                           "practices": int(row.get("practices", 0)), "iri": iri}
    return {iri: attributes for iri, (_, attributes) in best.items()}


def _add_organisations(graph: Graph, described: dict[str, dict[str, object]], members: set[str]) -> None:
    """The organisations in ``members`` as nodes, in IRI order, with their attributes from ``described``."""
    for iri in sorted(members):
        attributes = described.get(iri) or {"label": iri, "type": "", "cluster": False, "country": "",
                                            "country_name": "", "region": "", "region_name": "", "practices": 0,
                                            "iri": iri}
        graph.add_node(iri, **attributes)


def _add_edges(network: Network, rows: list[CollaborationRow]) -> None:
    """One edge per pair of organisations, from ``rows`` sorted by pair (as ``read_collaborations`` gives them).

    Most pairs share one collaboration, and few sets of programmes or practices recur across many of them: each
    set's sorted names are worked out once and copied per edge (an edge's lists are its own).
    """
    graph, labels, kinds = network.graph, network.labels, network.kinds
    countries: dict[str, str] = {node: data["country"] for node, data in graph.nodes(data=True)}

    @cache
    def programme_names(programmes: frozenset[str]) -> tuple[str, ...]:
        return tuple(sorted([labels.get(programme, programme) for programme in programmes]))

    @cache
    def in_reading_order(practices: frozenset[str]) -> tuple[str, ...]:
        return tuple(sorted(practices, key=_section_key))

    edges = []
    for (a, b), pair in groupby(rows, key=itemgetter(0, 1)):
        _, _, via, programmes, practices = next(pair)
        more = list(pair)
        if more:
            vias = {via, *(row.via for row in more)}
            programmes = programmes.union(*(row.programmes for row in more))
            practices = practices.union(*(row.practices for row in more))
            names = sorted([labels.get(v, v) for v in vias])
            projects = sorted([labels.get(v, v) for v in vias if kinds.get(v) == "project"])
        else:
            vias, names = {via}, [labels.get(via, via)]
            projects = names.copy() if kinds.get(via) == "project" else []
        home, away = countries[a], countries[b]
        edges.append((a, b, {"weight": len(vias), "via": names, "programmes": list(programme_names(programmes)),
                             "projects": projects, "practices": list(in_reading_order(practices)),
                             "cross_border": home != "" and away != "" and home != away}))
    graph.add_edges_from(edges)


def _section_key(section: str) -> tuple[int, ...]:
    """Section ids in reading order (3.1.2 before 3.1.10).

    >>> sorted(["3.1.10", "3.1.2"], key=_section_key)
    ['3.1.2', '3.1.10']
    """
    return tuple(int(part) for part in section.split(".") if part.isdigit())


def organisation_project_graph(network: Network) -> Graph:
    """The bipartite graph of organisations (``bipartite=0``) and the projects they share (``bipartite=1``).

    Weight: the number of practices telling that the organisation takes part in the project together with another.
    """
    graph: Graph = nx.Graph()
    for iri, data in network.graph.nodes(data=True):
        graph.add_node(iri, label=data["label"], kind="organisation", country=data["country"], bipartite=0)
    pairs: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in network.collaborations:
        if network.kinds.get(row.via) == "project":
            for organisation in (row.a, row.b):
                pairs[(organisation, row.via)] |= row.practices
    for (organisation, project), practices in sorted(pairs.items()):
        graph.add_node(project, label=network.labels.get(project, project), kind="project", country="",
                       bipartite=1)
        graph.add_edge(organisation, project, weight=len(practices))
    return graph


def cluster_programme_graph(network: Network) -> Graph:
    """The bipartite graph of cluster organisations (``bipartite=0``) and the programmes they collaborate via
    (``bipartite=1``); weight: the cluster's collaborations via that programme."""
    graph: Graph = nx.Graph()
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for row in network.collaborations:
        for organisation in (row.a, row.b):
            if network.graph.nodes[organisation]["cluster"]:
                for programme in row.programmes:
                    counts[(organisation, programme)] += 1
    for (cluster, programme), count in sorted(counts.items()):
        data = network.graph.nodes[cluster]
        graph.add_node(cluster, label=data["label"], kind="cluster", country=data["country"], bipartite=0)
        graph.add_node(programme, label=network.labels.get(programme, programme), kind="programme", country="",
                       bipartite=1)
        graph.add_edge(cluster, programme, weight=count)
    return graph


def country_graph(network: Network) -> Graph:
    """Countries (ISO alpha-2) joined by their cross-border collaborations; weight: the number of collaborations.

    A node's ``domestic`` counts the collaborations within that country.
    """
    graph: Graph = nx.Graph()
    for _, data in network.graph.nodes(data=True):
        if data["country"]:
            graph.add_node(data["country"], label=data["country_name"], domestic=0)
    for a, b, data in network.graph.edges(data=True):
        ca, cb = network.graph.nodes[a]["country"], network.graph.nodes[b]["country"]
        if not ca or not cb:
            continue
        if ca == cb:
            graph.nodes[ca]["domestic"] += data["weight"]
        elif graph.has_edge(ca, cb):
            graph.edges[ca, cb]["weight"] += data["weight"]
        else:
            graph.add_edge(ca, cb, weight=data["weight"])
    return graph


OPTIONS = {
    "programme": """SELECT DISTINCT ?iri ?label ?parent WHERE { ?iri a cg:Programme ; skos:prefLabel ?label .
        OPTIONAL { ?iri cg:parentProgramme ?parent } }""",
    # Countries of the organisations that collaborate, joined scan to scan and per organisation: read per link,
    # the same list took 13 s at a million triples, against 0.6 s so.
    "country": """SELECT ?iri ?label ?code WHERE {
        { SELECT DISTINCT ?iri WHERE {
            { SELECT DISTINCT ?o WHERE { { SELECT ?link WHERE { ?link a cg:Collaboration } }
                                         { SELECT ?link ?o WHERE { ?link cg:collaborator ?o } } } }
            { SELECT ?o ?iri WHERE { ?o cg:country ?iri } } } }
        ?iri skos:prefLabel ?label ; skos:notation ?code FILTER(DATATYPE(?code) = xsd:token) }""",
    "ecosystem": """SELECT DISTINCT ?iri ?label ?code WHERE { ?iri a cg:IndustrialEcosystem ; skos:prefLabel ?label ;
        skos:notation ?code }""",
    "practice": "SELECT ?iri ?label ?code WHERE { ?iri a cg:GoodPractice ; rdfs:label ?label ; cg:sectionId ?code }",
}


@dataclass(frozen=True)
class Option:
    """One choice of a filter: the value to send, its name, its depth under a parent (programmes) and the IRI it
    resolves to (so a form can show the choice a typed label or code names)."""

    value: str
    label: str
    depth: int = 0
    iri: str = ""


def filter_options(select: Select) -> dict[str, list[Option]]:
    """The values each filter accepts, for a form: programmes as a tree (parents before their children),
    countries that have collaborations and ecosystems by name, practices in reading order."""
    options: dict[str, list[Option]] = {}
    for kind in ("country", "ecosystem", "practice"):
        rows = {row["iri"]: row for row in select(PREFIX_LINES + OPTIONS[kind])}
        options[kind] = sorted((Option(row["code"], row["label"], iri=iri) for iri, row in rows.items()),
                               key=lambda option: option.label.casefold())
    options["practice"].sort(key=lambda option: _section_key(option.value))
    programmes = {row["iri"]: row for row in select(PREFIX_LINES + OPTIONS["programme"])}
    children: dict[str, list[str]] = defaultdict(list)
    for iri, row in programmes.items():
        children[row.get("parent", "") if row.get("parent", "") in programmes else ""].append(iri)
    tree: list[Option] = []

    def visit(parent: str, depth: int) -> None:
        for iri in sorted(children[parent], key=lambda i: programmes[i]["label"].casefold()):
            tree.append(Option(iri.rstrip("/").rsplit("/", 1)[-1], programmes[iri]["label"], depth, iri))
            visit(iri, depth + 1)

    visit("", 0)
    options["programme"] = tree
    return options
