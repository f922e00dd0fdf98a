"""Network exports: node-link JSON, GEXF and GraphML (Gephi, Cytoscape, yEd), Gephi's CSV pair, VOSviewer files.

GEXF and GraphML cannot hold lists, so list attributes (an edge's programmes, projects, practices) are written
as one string joined by ``SEPARATOR``, the same `` | `` the analyst tables use; ``flat_graph`` is exactly what
those files hold, and reading a file back with networkx gives that graph again.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import networkx as nx

from clustergraph.network.extract import Graph

from clustergraph.errors import QueryError

SEPARATOR = " | "
FORMATS = ("json", "gexf", "graphml", "csv", "vosviewer", "png")
NODE_COLUMNS = ("label", "type", "cluster", "country", "country_name", "region", "region_name", "practices",
                "degree", "weighted_degree", "betweenness", "pagerank", "core", "constraint", "effective_size",
                "community", "component")
EDGE_COLUMNS = ("programmes", "projects", "via", "practices", "cross_border")


def flat_value(value: Any) -> Any:
    """A value GEXF and GraphML can hold: lists joined by ``SEPARATOR``, ``None`` as the empty string.

    >>> flat_value(["COSME", "Euroclusters"]), flat_value(None), flat_value(3)
    ('COSME | Euroclusters', '', 3)
    """
    if isinstance(value, list | tuple | set | frozenset):
        return SEPARATOR.join(str(item) for item in value)
    return "" if value is None else value


def flat_graph(graph: Graph) -> Graph:
    """The graph with flat attribute values, float weights (as GEXF reads them back) and edge ids (as GEXF writes
    them)."""
    flat: Graph = nx.Graph()
    for node, data in graph.nodes(data=True):
        flat.add_node(node, **{key: flat_value(value) for key, value in data.items()})
    for index, (a, b, data) in enumerate(graph.edges(data=True)):
        values = {key: flat_value(value) for key, value in data.items()}
        values["weight"] = float(data.get("weight", 1))
        values["id"] = str(index)
        flat.add_edge(a, b, **values)
    return flat


def node_link(graph: Graph, about: dict[str, Any]) -> dict[str, Any]:
    """Node-link JSON (d3, networkx's ``node_link_graph``): ``nodes`` with ``id`` (the entity IRI) and ``label``
    (the name), ``links`` with ``source`` and ``target``; lists stay lists. ``about`` becomes ``graph``.

    >>> node_link(nx.Graph([("a", "b")]), {})["links"]
    [{'source': 'a', 'target': 'b'}]
    """
    return {"directed": False, "multigraph": False, "graph": about,
            "nodes": [{"id": node, **data} for node, data in graph.nodes(data=True)],
            "links": [{"source": a, "target": b, **data} for a, b, data in graph.edges(data=True)]}


def to_json(graph: Graph, about: dict[str, Any]) -> bytes:
    """The node-link JSON as UTF-8 bytes."""
    return json.dumps(node_link(graph, about), ensure_ascii=False, indent=1).encode("utf-8")


def to_gexf(graph: Graph) -> bytes:
    """GEXF 1.2 (Gephi's own format), every attribute included."""
    buffer = io.BytesIO()
    nx.write_gexf(flat_graph(graph), buffer)
    return buffer.getvalue()


def to_graphml(graph: Graph) -> bytes:
    """GraphML, every attribute included."""
    buffer = io.BytesIO()
    nx.write_graphml(flat_graph(graph), buffer)
    return buffer.getvalue()


def _table(header: list[str], rows: list[list[Any]], delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def to_gephi_csv(graph: Graph) -> tuple[bytes, bytes]:
    """Gephi's spreadsheet pair: nodes (``Id,Label,...``) and edges (``Source,Target,Type,Weight,...``).

    >>> nodes, edges = to_gephi_csv(nx.Graph([("a", "b", {"weight": 2})]))
    >>> edges.decode().splitlines()
    ['Source,Target,Type,Weight', 'a,b,Undirected,2']
    """
    node_columns = [c for c in NODE_COLUMNS if c != "label" and any(c in d for _, d in graph.nodes(data=True))]
    edge_columns = [c for c in EDGE_COLUMNS if any(c in d for _, _, d in graph.edges(data=True))]
    nodes = _table(["Id", "Label", *node_columns],
                   [[node, data.get("label", node), *(flat_value(data.get(c)) for c in node_columns)]
                    for node, data in graph.nodes(data=True)])
    edges = _table(["Source", "Target", "Type", "Weight", *edge_columns],
                   [[a, b, "Undirected", data.get("weight", 1), *(flat_value(data.get(c)) for c in edge_columns)]
                    for a, b, data in graph.edges(data=True)])
    return nodes, edges


def to_vosviewer(graph: Graph) -> tuple[bytes, bytes]:
    """VOSviewer's map file (``id``, ``label``, ``cluster``, weights) and network file (``id id strength``).

    Ids are 1-based numbers in node order; ``cluster`` is the Louvain community plus one when known.

    >>> vos_map, vos_network = to_vosviewer(nx.Graph([("a", "b", {"weight": 2})]))
    >>> vos_network.decode()
    '1\\t2\\t2\\n'
    """
    ids = {node: index for index, node in enumerate(graph.nodes, start=1)}
    rows = [[ids[node], data.get("label", node), int(data["community"]) + 1 if "community" in data else 1,
             graph.degree(node), graph.degree(node, weight="weight")]
            for node, data in graph.nodes(data=True)]
    vos_map = _table(["id", "label", "cluster", "weight<Links>", "weight<Total link strength>"], rows, "\t")
    network = "".join(f"{ids[a]}\t{ids[b]}\t{data.get('weight', 1)}\n" for a, b, data in graph.edges(data=True))
    return vos_map, network.encode("utf-8")


def export_files(graph: Graph, fmt: str, stem: str, about: dict[str, Any],
                 draw: Callable[[Graph, dict[str, Any]], bytes]) -> dict[str, bytes]:
    """The file(s) of one format, by file name: ``STEM.json``, ``STEM.gexf``, ``STEM.graphml``, ``STEM.png``,
    ``STEM-nodes.csv`` + ``STEM-edges.csv``, or ``STEM-map.txt`` + ``STEM-network.txt`` (VOSviewer).

    ``draw`` renders the PNG (``picture.draw_png``), passed in so this module stays free of matplotlib.

    Raises
    ------
    QueryError
        If ``fmt`` is not one of ``FORMATS``.
    """
    if fmt == "csv":
        nodes, edges = to_gephi_csv(graph)
        return {f"{stem}-nodes.csv": nodes, f"{stem}-edges.csv": edges}
    if fmt == "vosviewer":
        vos_map, network = to_vosviewer(graph)
        return {f"{stem}-map.txt": vos_map, f"{stem}-network.txt": network}
    writers: dict[str, Callable[[], bytes]] = {"json": lambda: to_json(graph, about), "gexf": lambda: to_gexf(graph),
                                               "graphml": lambda: to_graphml(graph), "png": lambda: draw(graph, about)}
    if fmt not in writers:
        raise QueryError(f"unknown network format '{fmt}'; known: {', '.join(FORMATS)}")
    return {f"{stem}.{fmt}": writers[fmt]()}
