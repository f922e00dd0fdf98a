"""Network metrics: centralities, brokerage, cores, components and communities, deterministic for a given graph.

Every random choice has a fixed seed, so the same graph gives the same numbers on every run and machine.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from math import comb

import networkx as nx

from clustergraph.network.extract import Graph, Network

SEED = 42
EXACT_BETWEENNESS_MAX_NODES = 2000
"""Up to this many nodes betweenness is exact; beyond, it is estimated from ``BETWEENNESS_PIVOTS`` sources."""
BETWEENNESS_PIVOTS = 200
STABILITY_SEEDS = tuple(range(10))

NodeMetric = Callable[[Graph], dict[str, float]]


def betweenness_method(graph: Graph) -> str:
    """How betweenness is computed for ``graph``: exactly, or sampled with a stated ``k`` and seed.

    >>> betweenness_method(nx.path_graph(3))
    'exact'
    """
    if graph.number_of_nodes() <= EXACT_BETWEENNESS_MAX_NODES:
        return "exact"
    return f"sampled, k={BETWEENNESS_PIVOTS} pivots, seed={SEED}"


def betweenness(graph: Graph) -> dict[str, float]:
    """Normalised betweenness (hops, not weights): the share of shortest paths between others through a node.

    References
    ----------
    .. [1] Brandes, U. (2001). A faster algorithm for betweenness centrality. J. Math. Sociol. 25(2).

    >>> betweenness(nx.path_graph(["a", "b", "c"]))["b"]
    1.0
    """
    sample = None if graph.number_of_nodes() <= EXACT_BETWEENNESS_MAX_NODES else BETWEENNESS_PIVOTS
    return dict(nx.betweenness_centrality(graph, k=sample, seed=SEED, normalized=True))


def pagerank(graph: Graph) -> dict[str, float]:
    """Weighted PageRank (damping 0.85): a node is central when central nodes work with it often.

    >>> round(pagerank(nx.path_graph(["a", "b", "c"]))["b"], 3)
    0.486
    """
    return dict(nx.pagerank(graph, weight="weight")) if graph.number_of_nodes() else {}


def constraint(graph: Graph) -> dict[str, float]:
    """Burt's constraint (weighted): low when a node's partners are not partners of each other (a broker).

    References
    ----------
    .. [1] Burt, R. S. (2004). Structural holes and good ideas. Am. J. Sociol. 110(2), 349-399.
    """
    return {node: float(value) for node, value in nx.constraint(graph, weight="weight").items()}


def effective_size(graph: Graph) -> dict[str, float]:
    """Burt's effective size (weighted): the number of partners minus their redundancy with each other.

    >>> effective_size(nx.star_graph(3))[0]
    3.0
    """
    return {node: float(value) for node, value in nx.effective_size(graph, weight="weight").items()}


NODE_METRICS: dict[str, NodeMetric] = {
    "degree": lambda graph: {node: int(value) for node, value in graph.degree()},
    "weighted_degree": lambda graph: {node: float(value) for node, value in graph.degree(weight="weight")},
    "betweenness": betweenness,
    "pagerank": pagerank,
    "core": lambda graph: {node: int(value) for node, value in nx.core_number(graph).items()},
    "constraint": constraint,
    "effective_size": effective_size,
}
"""Each node metric by the attribute name it gets; ``measure`` runs them all, the benchmark times each."""


def louvain(graph: Graph, seed: int = SEED) -> list[list[str]]:
    """Louvain communities (weighted, resolution 1) for one seed, largest first, each sorted.

    References
    ----------
    .. [1] Blondel, V. D. et al. (2008). Fast unfolding of communities in large networks. J. Stat. Mech. P10008.

    >>> louvain(nx.union(nx.complete_graph(["a", "b", "c"]), nx.complete_graph(["x", "y"])))
    [['a', 'b', 'c'], ['x', 'y']]
    """
    found = nx.community.louvain_communities(graph, weight="weight", seed=seed)
    return sorted((sorted(community) for community in found), key=lambda c: (-len(c), c[0]))


def membership(communities: Sequence[Sequence[str]]) -> dict[str, int]:
    """Node -> index of its community."""
    return {node: index for index, community in enumerate(communities) for node in community}


def adjusted_rand_index(first: Sequence[int], second: Sequence[int]) -> float:
    """Hubert and Arabie's adjusted Rand index of two labellings of the same items: 1 for the same partition,
    about 0 for chance agreement.

    References
    ----------
    .. [1] Hubert, L. and Arabie, P. (1985). Comparing partitions. J. Classif. 2, 193-218.

    >>> adjusted_rand_index([0, 0, 1, 1], [5, 5, 3, 3])
    1.0
    >>> round(adjusted_rand_index([0, 0, 1, 1], [0, 1, 0, 1]), 6)
    -0.5
    """
    pairs = sum(comb(n, 2) for n in Counter(zip(first, second, strict=True)).values())
    rows = sum(comb(n, 2) for n in Counter(first).values())
    columns = sum(comb(n, 2) for n in Counter(second).values())
    total = comb(len(first), 2)
    expected = rows * columns / total if total else 0.0
    maximum = (rows + columns) / 2
    if maximum == expected:
        return 1.0
    return (pairs - expected) / (maximum - expected)


def community_stability(graph: Graph, seeds: Sequence[int] = STABILITY_SEEDS) -> float:
    """Mean adjusted Rand index between the Louvain partitions of every pair of ``seeds``: 1 when the
    communities do not depend on the seed.

    >>> community_stability(nx.union(nx.complete_graph(3), nx.complete_graph([5, 6, 7])))
    1.0
    """
    nodes = sorted(graph.nodes)
    partitions = [membership(louvain(graph, seed)) for seed in seeds]
    labellings = [[partition[node] for node in nodes] for partition in partitions]
    scores = [adjusted_rand_index(labellings[i], labellings[j])
              for i in range(len(labellings)) for j in range(i + 1, len(labellings))]
    return sum(scores) / len(scores) if scores else 1.0


@dataclass(frozen=True)
class ProgrammeFigures:
    """One programme (with its sub-programmes and instruments) in the current network."""

    programme: str
    organisations: int
    clusters: int
    countries: int
    collaborations: int
    density: float


@dataclass(frozen=True)
class Measures:
    """Every figure of one network: node metrics by name, communities, and whole-network figures."""

    nodes: dict[str, dict[str, float]]
    communities: list[list[str]]
    stability: float
    components: list[list[str]]
    cross_border_share: float | None
    density: float
    betweenness_method: str
    programmes: list[ProgrammeFigures]


def cross_border_share(graph: Graph) -> float | None:
    """The share of edges joining organisations of two countries, among edges whose both countries are known."""
    known = [data["cross_border"] for a, b, data in graph.edges(data=True)
             if graph.nodes[a]["country"] and graph.nodes[b]["country"]]
    return sum(known) / len(known) if known else None


def programme_figures(network: Network) -> list[ProgrammeFigures]:
    """For each programme an edge goes via (counting sub-programmes under their parents): organisations and
    clusters connected, countries reached, collaborations (edges) and the density of its subgraph."""
    graph = network.graph
    by_label = {label: iri for iri, label in network.labels.items() if network.kinds.get(iri) == "programme"}
    edges: dict[str, set[tuple[str, str]]] = {}
    for a, b, data in graph.edges(data=True):
        for label in data["programmes"]:
            for programme in network.lineage(by_label.get(label, label)):
                edges.setdefault(network.labels.get(programme, programme), set()).add((a, b))
    figures = []
    for label, chosen in edges.items():
        sub = graph.edge_subgraph(chosen)
        figures.append(ProgrammeFigures(
            label, sub.number_of_nodes(), sum(1 for _, d in sub.nodes(data=True) if d["cluster"]),
            len({d["country"] for _, d in sub.nodes(data=True) if d["country"]}), len(chosen), nx.density(sub)))
    return sorted(figures, key=lambda f: (-f.collaborations, f.programme))


def measure(network: Network) -> Measures:
    """Every metric of the network's collaboration graph."""
    graph = network.graph
    if graph.number_of_nodes() == 0:  # filters that select nothing: an empty network has no figures to compute
        return Measures({}, [], 1.0, [], None, 0.0, betweenness_method(graph), [])
    nodes: dict[str, dict[str, float]] = {node: {} for node in sorted(graph.nodes)}
    for name, metric in NODE_METRICS.items():
        for node, value in metric(graph).items():
            nodes[node][name] = value
    communities = louvain(graph)
    components = sorted((sorted(c) for c in nx.connected_components(graph)), key=lambda c: (-len(c), c[0]))
    for index, community in enumerate(communities):
        for node in community:
            nodes[node]["community"] = index
    for index, component in enumerate(components):
        for node in component:
            nodes[node]["component"] = index
    return Measures(nodes, communities, community_stability(graph), components, cross_border_share(graph),
                    nx.density(graph), betweenness_method(graph), programme_figures(network))


def annotate(network: Network, measures: Measures) -> Graph:
    """A copy of the collaboration graph with every node metric as a node attribute (rounded to 6 places, so
    exports are stable text)."""
    graph = network.graph.copy()
    for node, values in measures.nodes.items():
        for name, value in values.items():
            graph.nodes[node][name] = round(value, 6) if isinstance(value, float) else value
    return graph
