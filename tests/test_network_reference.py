"""The network of the built guidebook graph, node for node and edge for edge, against a reference written by the
extraction as it was before its queries were reshaped for speed (``tests/data/network-reference.json``).

For the unfiltered network the reference holds the nodes and edges in insertion order (metrics such as Louvain
depend on that order) with every attribute, the collaborations, the labels, kinds and programme parents; for each
filter combination below, the counts and a SHA-256 of the same canonical form (the full text would make the
file megabytes). A change to the graph, the curation or the extraction that moves any of these fails here:
regenerate the file only for a change that is meant to alter the network.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from clustergraph.network.extract import Filters, Network, build_network
from clustergraph.store import GraphStore

REFERENCE = Path(__file__).parent / "data" / "network-reference.json"

FILTERS = {
    "all": Filters(),
    "programme COSME": Filters(programme="COSME"),
    "programme Euroclusters": Filters(programme="Euroclusters"),
    "country RO": Filters(country="RO"),
    "ecosystem Health": Filters(ecosystem="Health"),
    "practice 3.1.15": Filters(practice="3.1.15"),
    "clusters only": Filters(clusters_only=True),
    "programme Horizon 2020, clusters only": Filters(programme="Horizon 2020", clusters_only=True),
    "programme COSME, country ES": Filters(programme="COSME", country="ES"),
    "country IT, clusters only": Filters(country="IT", clusters_only=True),
    "ecosystem Agri-food, clusters only": Filters(ecosystem="Agri-food", clusters_only=True),
    "programme ERDF, ecosystem Digital (nothing)": Filters(programme="ERDF", ecosystem="Digital"),
}


def canonical(network: Network, with_labels: bool) -> dict[str, Any]:
    """Everything the extraction hands on, as JSON lists in the order it was built (tuples become lists)."""
    graph = network.graph
    found: dict[str, Any] = {
        "names": network.scope.names,
        "nodes": [[node, data] for node, data in graph.nodes(data=True)],
        "edges": [[a, b, data] for a, b, data in graph.edges(data=True)],
        "collaborations": [[row.a, row.b, row.via, sorted(row.programmes), sorted(row.practices)]
                           for row in network.collaborations],
    }
    if with_labels:
        found.update(labels=network.labels, kinds=network.kinds, parents=network.parents)
    return dict(json.loads(json.dumps(found)))


def digest(found: dict[str, Any]) -> dict[str, Any]:
    """Counts and a SHA-256 of a canonical network: what the reference keeps of a filtered one."""
    text = json.dumps(found, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return {"nodes": len(found["nodes"]), "edges": len(found["edges"]),
            "collaborations": len(found["collaborations"]), "sha256": hashlib.sha256(text.encode()).hexdigest()}


@pytest.fixture(scope="module")
def network_reference(reference: Path) -> dict[str, Any]:
    """The reference networks, written from a build whose codes were checked against the authority tables
    (``reference``, else a skip): country names come from the EU table then."""
    return dict(json.loads(REFERENCE.read_text(encoding="utf-8")))


@pytest.mark.parametrize("name", FILTERS)
def test_the_network_is_the_reference_network(store: GraphStore, network_reference: dict[str, Any],
                                              name: str) -> None:
    found = canonical(build_network(store.select_values, FILTERS[name]), name == "all")
    expected = network_reference[name]
    if name != "all":
        assert digest(found) == expected
        return
    assert found["nodes"] == expected["nodes"]
    assert found["edges"] == expected["edges"]
    assert found == expected
