"""Step 3c, derivation: facts that follow from the assembled graph, materialised by SPARQL CONSTRUCT rules.

A question asked often whose answer the build already knows (the programme closure of a collaboration, its
cross-border flag, an organisation's collaboration counts) is stored as triples with predicates of their own,
so the catalogue query that asks it does a lookup instead of a path walk or a self-join per request. The rules
are ``ontology/rules/*.rq`` files (a title and description in their header, as catalogue queries have); each
reads only the assembled graph, never another rule's output, so their order does not matter. They run over an
Oxigraph store of the graph, so they cost the same whichever backend later serves it, and their output goes to
a named graph of its own (``graph/derived``), which a whole-graph constraint checks against its sources.
"""

from __future__ import annotations

import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from clustergraph.errors import QueryError
from clustergraph.query_library import NamedQuery, load_queries
from clustergraph.store import StagedStore
from clustergraph.timing import timed

RULES_DIR = "rules"


def load_rules(ontology_dir: Path) -> dict[str, NamedQuery]:
    """The derivation rules by name: ``rules/*.rq`` beside the ontology they extend."""
    return load_queries(ontology_dir / RULES_DIR)


@timed("derive")
def derive(staged: StagedStore, rules: dict[str, NamedQuery], graph: str) -> None:
    """Run every rule over ``staged`` and add their triples to its named graph ``graph``.

    The rules run two at a time, each writing its triples to a file, and the files are loaded once all have
    run: a rule reads only the assembled graph, so none may see another's output half-loaded.

    Raises
    ------
    QueryError
        If a rule does not parse or is not a CONSTRUCT.

    Examples
    --------
    >>> staged = StagedStore.create()
    >>> staged.load(b'<http://e.org/a> <http://e.org/p> <http://e.org/b> <http://e.org/g> .\\n')
    >>> rule = NamedQuery("flip", "Flip", "", "CONSTRUCT { ?o <http://e.org/q> ?s } WHERE { ?s <http://e.org/p> ?o }")
    >>> derive(staged, {"flip": rule}, "http://e.org/derived")
    >>> staged.view().ask("ASK { GRAPH <http://e.org/derived> { <http://e.org/b> <http://e.org/q> <http://e.org/a> } }")
    True
    """
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(max_workers=2) as pool:
        files = {name: Path(tmp, f"{index}.nt") for index, name in enumerate(rules)}
        runs = {name: pool.submit(staged.construct_to, rules[name].text, files[name]) for name in rules}
        for name, run in runs.items():
            try:
                run.result()
            except QueryError as exc:
                raise QueryError(f"derivation rule {name} (a CONSTRUCT): {exc}") from exc
        for file in files.values():
            staged.load(file, to_graph=graph)
