"""One analysis of the collaboration network: extract, measure, annotate, summarise; what the CLI and the web use.

The summary (``about``) is plain JSON: the filters as resolved, whole-network figures, the communities, the
top brokers and the per-programme figures. It travels as the ``graph`` object of the node-link JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from clustergraph.errors import QueryError
from clustergraph.network.exports import export_files
from clustergraph.network.extract import (Filters, Graph, Network, Select, build_network, cluster_programme_graph,
                                          country_graph, organisation_project_graph)
from clustergraph.network.metrics import Measures, annotate, measure

TOP = 10
PROJECTIONS: dict[str, Callable[[Network], Graph]] = {
    "organisation-project": organisation_project_graph,
    "cluster-programme": cluster_programme_graph,
    "country": country_graph,
}
GRAPHS = ("collaboration", *PROJECTIONS)
"""What an export can hold: the collaboration graph (with its metrics), or one of its projections."""
RANKINGS = (("degree", "partners", True), ("weighted_degree", "weighted degree", True),
            ("betweenness", "betweenness", True), ("pagerank", "PageRank", True),
            ("effective_size", "effective size", True), ("constraint", "constraint (low = broker)", False))


@dataclass
class Analysis:
    """The network, its measures, the graph annotated with them, and the summary."""

    network: Network
    measures: Measures
    graph: Graph
    about: dict[str, Any]

    def files(self, fmt: str, stem: str, colour_by: str = "community", graph: str = "collaboration") -> dict[str, bytes]:
        """The export files of one format (see ``exports.export_files``) for the collaboration graph or one of
        ``PROJECTIONS`` (the bipartite organisation-project and cluster-programme graphs, the country graph).

        Raises
        ------
        QueryError
            If ``graph`` or ``fmt`` is unknown.
        """
        if graph == "collaboration":
            chosen, about = self.graph, self.about
        elif graph in PROJECTIONS:
            chosen = PROJECTIONS[graph](self.network)
            about = {"title": f"{self.about['title']} — {graph} graph", "graph": graph,
                     "filters": self.about["filters"], "nodes": chosen.number_of_nodes(),
                     "edges": chosen.number_of_edges()}
        else:
            raise QueryError(f"unknown graph '{graph}'; known: {', '.join(GRAPHS)}")
        return export_files(chosen, fmt, stem, about, lambda g, a: _draw_png(g, a, colour_by))


def analyse(select: Select, filters: Filters, table: list[str] | None = None) -> Analysis:
    """Extract the network ``filters`` select (from ``table`` when given, see ``build_network``) and measure it.

    Raises
    ------
    UnknownFilter
        If a filter names nothing in the graph.
    """
    network = build_network(select, filters, table)
    measures = measure(network)
    graph = annotate(network, measures)
    return Analysis(network, measures, graph, summarise(network, measures, graph))


def brokers(graph: Graph, top: int = TOP) -> list[str]:
    """The organisations that bridge most: highest betweenness, then lowest constraint, then name."""
    ranked = sorted(graph.nodes, key=lambda n: (-graph.nodes[n]["betweenness"], graph.nodes[n]["constraint"],
                                                graph.nodes[n]["label"]))
    return [node for node in ranked if graph.degree(node) > 1][:top]


def summarise(network: Network, measures: Measures, graph: Graph) -> dict[str, Any]:
    """The whole-network figures as JSON-able data."""
    scope = network.scope
    title = ", ".join(f"{key}: {value}" for key, value in scope.names.items()) or "all collaborations"
    return {
        "title": "Collaboration network — " + title + (" (clusters only)" if scope.clusters_only else ""),
        "filters": {key: value for key, value in asdict(scope).items() if key != "names"},
        "filter_labels": dict(scope.names),
        "nodes": graph.number_of_nodes(), "edges": graph.number_of_edges(),
        "density": round(measures.density, 6),
        "components": len(measures.components),
        "largest_component": len(measures.components[0]) if measures.components else 0,
        "cross_border_share": None if measures.cross_border_share is None else round(measures.cross_border_share, 6),
        "betweenness": measures.betweenness_method,
        "communities": [{"index": index, "size": len(members),
                         "countries": sorted({graph.nodes[m]["country"] for m in members if graph.nodes[m]["country"]}),
                         "members": sorted((graph.nodes[m]["label"] for m in members), key=str.casefold)}
                        for index, members in enumerate(measures.communities)],
        "community_stability": round(measures.stability, 6),
        "brokers": brokers(graph),
        "programmes": [asdict(figures) | {"density": round(figures.density, 6)} for figures in measures.programmes],
    }


def metrics_text(analysis: Analysis, top: int = TOP) -> str:
    """The ``--metrics`` report: whole-network figures, the top nodes by each centrality, the communities and
    the programmes, as aligned plain text."""
    about, graph = analysis.about, analysis.graph
    share = about["cross_border_share"]
    lines = [about["title"],
             f"{about['nodes']} organisations, {about['edges']} collaborating pairs, density {about['density']:.4f}, "
             f"{about['components']} component{'' if about['components'] == 1 else 's'} "
             f"(largest {about['largest_component']}), cross-border share "
             + ("n/a" if share is None else f"{share:.1%}"),
             f"betweenness: {about['betweenness']}; Louvain communities: {len(about['communities'])} "
             f"(stability, mean ARI over 10 seeds: {about['community_stability']:.3f})", ""]
    for key, heading, descending in RANKINGS:
        ranked = sorted(graph.nodes, key=lambda n: ((-1 if descending else 1) * graph.nodes[n][key],
                                                    graph.nodes[n]["label"]))[:top]
        lines.append(f"top {len(ranked)} by {heading}")
        lines.extend(f"  {_number(graph.nodes[n][key]):>10}  {graph.nodes[n]['label']} "
                     f"({graph.nodes[n]['country'] or '-'})" for n in ranked)
        lines.append("")
    lines.append("communities (largest first)")
    lines.extend(f"  {c['index'] + 1:>3}  {c['size']:>3} members  {', '.join(c['countries']) or '-'}: "
                 f"{', '.join(c['members'][:8])}{' …' if c['size'] > 8 else ''}" for c in about["communities"])
    lines.extend(["", "programmes (with their sub-programmes): organisations, clusters, countries, pairs, density"])
    lines.extend(f"  {p['organisations']:>4} {p['clusters']:>4} {p['countries']:>4} {p['collaborations']:>5} "
                 f"{p['density']:>7.3f}  {p['programme']}" for p in about["programmes"])
    return "\n".join(lines)


def _number(value: float) -> str:
    """Integers as integers, other numbers with four decimals.

    >>> _number(3), _number(3.0), _number(0.46666)
    ('3', '3', '0.4667')
    """
    return str(int(value)) if float(value).is_integer() else f"{value:.4f}"


def _draw_png(graph: Graph, about: dict[str, Any], colour_by: str) -> bytes:
    """``picture.draw_png``, imported when a PNG is asked for: matplotlib takes about 0.6 s to import, which every
    command line run (a build too) would otherwise pay."""
    from clustergraph.network.picture import draw_png

    return draw_png(graph, about, colour_by)
