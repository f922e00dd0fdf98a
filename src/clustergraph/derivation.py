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

from pathlib import Path

from clustergraph.errors import QueryError
from clustergraph.query_library import NamedQuery, load_queries
from clustergraph.store import GraphStore, Query
from clustergraph.timing import timed

RULES_DIR = "rules"


def load_rules(ontology_dir: Path) -> dict[str, NamedQuery]:
    """The derivation rules by name: ``rules/*.rq`` beside the ontology they extend."""
    return load_queries(ontology_dir / RULES_DIR)


@timed("derive")
def derive(store: GraphStore, rules: dict[str, NamedQuery], graph: str) -> bytes:
    """Run every rule over ``store``; their triples as sorted N-Quads lines in the named graph ``graph``.

    Raises
    ------
    QueryError
        If a rule does not parse or is not a CONSTRUCT.

    Examples
    --------
    >>> from clustergraph.store import memory_store
    >>> store = memory_store(b'<http://e.org/a> <http://e.org/p> <http://e.org/b> <http://e.org/g> .\\n', ())
    >>> rule = NamedQuery("flip", "Flip", "", "CONSTRUCT { ?o <http://e.org/q> ?s } WHERE { ?s <http://e.org/p> ?o }")
    >>> derive(store, {"flip": rule}, "http://e.org/derived")
    b'<http://e.org/b> <http://e.org/q> <http://e.org/a> <http://e.org/derived> .\\n'
    """
    suffix = f" <{graph}> ."
    lines: set[str] = set()
    for rule in rules.values():
        try:
            triples = store.answer(Query(rule.text), "application/n-triples").body  # a CONSTRUCT's triples
        except QueryError as exc:
            raise QueryError(f"derivation rule {rule.name} (a CONSTRUCT): {exc}") from exc
        lines |= {line.removesuffix(" .") + suffix for line in triples.decode("utf-8").splitlines() if line}
    return "".join(line + "\n" for line in sorted(lines)).encode("utf-8")


def merge_nquads(nquads: bytes, derived: bytes) -> bytes:
    """Sorted N-Quads lines of both inputs, each line once (the same inputs give the same bytes).

    >>> merge_nquads(b"<b> <p> <o> .\\n", b"<a> <p> <o> .\\n<b> <p> <o> .\\n")
    b'<a> <p> <o> .\\n<b> <p> <o> .\\n'
    """
    lines = set(nquads.splitlines()) | set(derived.splitlines())
    return b"".join(line + b"\n" for line in sorted(lines) if line)
