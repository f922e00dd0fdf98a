"""The network as a PNG: the one matplotlib user (Agg backend, no display), laid out with a fixed seed.

Nodes are coloured by community (or country) with a legend, sized by betweenness, the most central ones are
labelled by name, and edge width grows with weight, so the picture reads without Gephi.
"""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402 (the backend must be chosen first)
import networkx as nx  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from clustergraph.network.extract import Graph  # noqa: E402
from clustergraph.network.metrics import SEED  # noqa: E402

LABELLED = 20
LEGEND_GROUPS = 12
PALETTE = [plt.get_cmap("tab20")(index) for index in range(20)]


def _groups(graph: Graph, colour_by: str) -> dict[str, str]:
    """Node -> the group it is coloured by (its country, or its community as "community N")."""
    if colour_by == "country":
        return {node: data.get("country_name") or "unknown" for node, data in graph.nodes(data=True)}
    return {node: f"community {int(data['community']) + 1}" if "community" in data else "all"
            for node, data in graph.nodes(data=True)}


def draw_png(graph: Graph, about: dict[str, Any], colour_by: str = "community") -> bytes:
    """Draw ``graph`` (annotated with metrics) as a PNG; ``about["title"]`` becomes the title.

    The largest ``LEGEND_GROUPS`` groups get their own colour and legend entry; the rest are grey ("other").
    """
    figure, axes = plt.subplots(figsize=(14, 10), dpi=110)
    try:
        axes.set_axis_off()
        axes.set_title(str(about.get("title", "Collaboration network")), fontsize=14)
        if graph.number_of_nodes() == 0:
            axes.text(0.5, 0.5, "no collaborations match these filters", ha="center", va="center")
        else:
            _draw(graph, axes, colour_by)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None})
        return buffer.getvalue()
    finally:
        plt.close(figure)


def packed_layout(graph: Graph) -> dict[Any, tuple[float, float]]:
    """Each connected component laid out on its own (spring, fixed seed) and the components packed in rows,
    largest first, each in a square whose side grows with the root of its size: no component is squashed
    into a dot by the others' repulsion.

    >>> sorted(packed_layout(nx.Graph([(1, 2), (3, 4)])))
    [1, 2, 3, 4]
    """
    components = sorted((sorted(c, key=str) for c in nx.connected_components(graph)), key=lambda c: (-len(c), str(c[0])))
    positions: dict[Any, tuple[float, float]] = {}
    row_width = 3.2 * max(len(components[0]), 1) ** 0.5 if components else 1.0
    x = y = row_height = 0.0
    for component in components:
        side = max(len(component), 1) ** 0.5
        if x > 0 and x + side > row_width:
            x, y, row_height = 0.0, y - row_height - 0.6, 0.0
        local = nx.spring_layout(graph.subgraph(component), seed=SEED, weight="weight", iterations=200,
                                 center=(0.0, 0.0), scale=1.0)
        for node, (px, py) in local.items():
            positions[node] = (x + side * (0.5 + 0.45 * float(px)), y - side * (0.5 - 0.45 * float(py)))
        x += side + 0.6
        row_height = max(row_height, side)
    return positions


def _draw(graph: Graph, axes: Any, colour_by: str) -> None:
    positions = packed_layout(graph)
    groups = _groups(graph, colour_by)
    ranked = [group for group, _ in sorted(Counter(groups.values()).items(), key=lambda item: (-item[1], item[0]))]
    other = (0.7, 0.7, 0.7, 1.0)
    named = [group for group in ranked if group != "unknown"][:LEGEND_GROUPS]
    colours = {group: PALETTE[index % len(PALETTE)] for index, group in enumerate(named)}
    if "unknown" in ranked:
        colours["unknown"] = (0.88, 0.88, 0.88, 1.0)
    nodes = list(graph.nodes)
    betweenness = {node: float(graph.nodes[node].get("betweenness", 0.0)) for node in nodes}
    top = max(betweenness.values()) or 1.0
    sizes = [70 + 500 * betweenness[node] / top for node in nodes]
    weights = [float(data.get("weight", 1)) for _, _, data in graph.edges(data=True)]
    nx.draw_networkx_edges(graph, positions, ax=axes, width=[0.4 + 0.8 * w for w in weights], alpha=0.35,
                           edge_color="#5a6b7b")
    nx.draw_networkx_nodes(graph, positions, ax=axes, nodelist=nodes, node_size=sizes, linewidths=0.5,
                           edgecolors="white", node_color=[colours.get(groups[node], other) for node in nodes])
    central = sorted(nodes, key=lambda node: (-betweenness[node], -graph.degree(node), node))[:LABELLED]
    for node in central:
        x, y = positions[node]
        axes.annotate(str(graph.nodes[node].get("label", node))[:40], (x, y), fontsize=8, ha="center",
                      va="bottom", xytext=(0, 6), textcoords="offset points",
                      bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75})
    handles = [Line2D([], [], marker="o", linestyle="", markersize=8, color=colour, label=group)
               for group, colour in colours.items()]
    if len(named) < len(ranked) - ("unknown" in ranked):
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=8, color=other, label="other"))
    axes.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False,
                title="country" if colour_by == "country" else "Louvain community")
    axes.text(0.0, -0.02, "node size: betweenness; edge width: shared projects, programmes and practices; "
              f"labels: the {min(LABELLED, len(nodes))} most central organisations",
              transform=axes.transAxes, fontsize=8, color="#444444")
