"""Catalogue queries written for the engine's planner give the rows of their plain reference form, in order.

Several catalogue queries put each triple pattern in its own subquery, because pyoxigraph then joins them by
hashing instead of one index lookup per row (see the comment in each file). ``tests/data/reference-queries/``
keeps the plain form of each such query, as a reader would first write it; this test runs both on the built
graph and compares the ordered rows. Every catalogue query has an ORDER BY that fixes the order of distinct
rows, so the comparison is exact. The one thing SPARQL leaves open is the order of the parts of a
GROUP_CONCAT, which follows the join order: those columns are compared as sorted lists of their parts.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from clustergraph.query_library import NamedQuery, load_queries
from clustergraph.store import GraphStore

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = load_queries(ROOT / "queries")
REFERENCES = load_queries(Path(__file__).parent / "data" / "reference-queries")
CONCAT = re.compile(r'GROUP_CONCAT\(\s*(?:DISTINCT\s+)?\?\w+\s*;\s*separator\s*=\s*"(?P<sep>[^"]*)"\s*\)'
                    r"\s+AS\s+\?(?P<var>\w+)", re.IGNORECASE)


def _body(query: NamedQuery) -> str:
    """The query text without comments (no catalogue query has a '#' inside an IRI or a string)."""
    return "\n".join(line.split("#", 1)[0] if not line.lstrip().startswith("PREFIX") else ""
                     for line in query.text.splitlines())


def _variables(clause: str) -> set[str]:
    return set(re.findall(r"\?(\w+)", clause))


def _outer_clause(body: str, keyword: str, stop: str) -> str:
    """The last ``keyword`` clause of the query (the outer one), up to ``stop`` or the end."""
    start = body.upper().rfind(keyword)
    if start < 0:
        return ""
    end = body.upper().find(stop, start)
    return body[start:end if end > 0 else len(body)]


def _canonical_rows(store: GraphStore, query: NamedQuery) -> list[tuple[str, ...]]:
    result = store.select_values(query.text)
    concats = {m["var"]: m["sep"] for m in CONCAT.finditer(query.text)}
    names = sorted({name for row in result for name in row})
    return [tuple(concats[name].join(sorted(row.get(name, "").split(concats[name])))
                  if name in concats else row.get(name, "\0unbound") for name in names) for row in result]


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_every_catalogue_query_has_a_total_order(store: GraphStore, name: str) -> None:
    """No two rows of the built graph's answer tie on the outer ORDER BY's variables, so the order is the
    query's, not the engine's (a projected count decided by the grouping key may stay out of the ORDER BY)."""
    order = sorted(_variables(_outer_clause(_body(CATALOGUE[name]), "ORDER BY", "LIMIT")))
    assert order, f"{name} has no ORDER BY"
    keys = [tuple(row.get(variable, "\0unbound") for variable in order)
            for row in store.select_values(CATALOGUE[name].text)]
    tied = sorted({key for key in keys if keys.count(key) > 1})
    assert not tied, f"{name}: rows tie on ORDER BY {order}, so their order is the engine's: {tied[:3]}"


def test_every_reference_form_belongs_to_a_catalogue_query() -> None:
    assert REFERENCES and set(REFERENCES) <= set(CATALOGUE)


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_written_form_gives_the_reference_rows_in_order(store: GraphStore, name: str) -> None:
    written, reference = CATALOGUE[name], REFERENCES[name]
    assert written.text != reference.text, f"{name}: the reference is the written form; delete it"
    expected = _canonical_rows(store, reference)
    assert expected, f"{name}: the reference form gives no rows on the built graph, so it proves nothing"
    assert _canonical_rows(store, written) == expected
