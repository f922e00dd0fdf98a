"""Step 5, store (remote): a SPARQL 1.1 protocol answer read back as the W3C's SPARQL JSON and the store's own
terms, Virtuoso's quirks undone, so a remote result means exactly what the embedded store's means.

Virtuoso 7.2 (checked on Debian's 7.2.5 here) departs from SPARQL 1.1 Query Results JSON in ways that change a
comparison, not only a byte:

- a literal with a datatype is ``"type": "typed-literal"`` (SPARQL 1.1: ``"literal"``), and a plain string may
  come back typed ``xsd:string`` (SPARQL 1.1 leaves that datatype out);
- an ``xsd:boolean`` is stored and returned as ``"1"`` / ``"0"``;
- a blank node's label is ``nodeID://b10000``;
- an ASK answers as a SELECT of one variable ``__ASK_RETVAL``: one row (the integer 1) for true, none for false;
- limits are signalled out of band: ``X-SPARQL-MaxRows`` when a result reached ``ResultSetMaxRows`` (the rest is
  dropped silently), ``X-SQL-State`` when an "anytime" query stopped at ``MaxQueryExecutionTime`` with partial
  rows, and a 500 "The estimated execution time ... exceeds the limit" for ``MaxQueryCostEstimationTime``;
  a CONSTRUCT (or a Graph Store GET) is cut at ``ResultSetMaxRows`` + 1 triples with no header at all, so
  ``remote.RemoteStore`` learns the limit from a SELECT and ``remote_dump`` reads graphs in pages.

Every one of them is undone or turned into an error here; a short answer never passes as a whole one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from clustergraph.errors import CostRefused, QueryError, ResultCut, StoreError
from clustergraph.store.model import Row, Solutions, Term

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
XSD_BOOLEAN = XSD + "boolean"
VIRTUOSO_BNODE_PREFIX = "nodeID://"
VIRTUOSO_ASK_VARIABLE = "__ASK_RETVAL"
MAX_ROWS_HEADER = "x-sparql-maxrows"
SQL_STATE_HEADER = "x-sql-state"
COST_REFUSAL = "estimated execution time"
SYNTAX_STATE = "37000"  # Virtuoso's SQL state for a query its SPARQL compiler rejects

JsonTerm = dict[str, str]  # a SPARQL 1.1 JSON term: type (uri, literal, bnode), value, and datatype or xml:lang


def normalise_term(term: Mapping[str, str]) -> JsonTerm:
    """One term as SPARQL 1.1 JSON gives it, whatever dialect the store wrote.

    >>> normalise_term({"type": "typed-literal", "datatype": XSD_BOOLEAN, "value": "1"})
    {'type': 'literal', 'value': 'true', 'datatype': 'http://www.w3.org/2001/XMLSchema#boolean'}
    >>> normalise_term({"type": "typed-literal", "datatype": XSD_STRING, "value": "s"})
    {'type': 'literal', 'value': 's'}
    >>> normalise_term({"type": "bnode", "value": "nodeID://b10000"})
    {'type': 'bnode', 'value': 'b10000'}
    """
    kind, value = term["type"], term["value"]
    if kind == "bnode":
        return {"type": "bnode", "value": value.removeprefix(VIRTUOSO_BNODE_PREFIX)}
    if kind not in ("literal", "typed-literal"):
        return {"type": kind, "value": value}
    if "xml:lang" in term:
        return {"type": "literal", "value": value, "xml:lang": term["xml:lang"]}
    datatype = term.get("datatype", XSD_STRING)
    if datatype == XSD_STRING:
        return {"type": "literal", "value": value}
    if datatype == XSD_BOOLEAN:
        value = {"1": "true", "0": "false"}.get(value, value)
    return {"type": "literal", "value": value, "datatype": datatype}


def check_answer(status: int, headers: Mapping[str, str], body: bytes, max_rows: int | None = None) -> None:
    """Raise the project's error for a refused, failed, cut or stopped answer; return for a whole one.

    ``max_rows`` is the number of rows the caller keeps: a store cut beyond it costs nothing (the caller cuts
    there and says so), so only a cut at or below it is an error.

    Raises
    ------
    QueryError
        The store's parser rejected the query (400, or Virtuoso's SQL state 37000).
    CostRefused
        The optimiser refused the query as too costly, or the query stopped at the store's time limit.
    ResultCut
        The store dropped rows the caller wanted.
    StoreError
        Any other failure (authentication, a server error).
    """
    text = body[:2000].decode("utf-8", "replace")
    if status == 400 or (status >= 500 and SYNTAX_STATE in text.split("Error", 1)[0]):
        raise QueryError(f"the store rejected the query: {text.strip()}")
    if status >= 400 and COST_REFUSAL in text:
        raise CostRefused(f"the store refused the query as too costly: {text.strip().splitlines()[0]}")
    if status >= 300:
        raise StoreError(f"the store answered {status}: {text.strip()[:500]}")
    if SQL_STATE_HEADER in headers:
        raise CostRefused(f"the store stopped the query at its time limit ({headers[SQL_STATE_HEADER]}: "
                          f"{headers.get('x-sql-message', '')}) and sent partial results")
    cap = headers.get(MAX_ROWS_HEADER)
    if cap is not None and (max_rows is None or int(cap) <= max_rows):
        raise ResultCut(f"the store cut the result at its row limit of {cap} (Virtuoso's ResultSetMaxRows): "
                        "raise that limit or narrow the query")


def standard_json(body: bytes) -> tuple[list[str], list[dict[str, JsonTerm]]]:
    """The variables and bindings of a SPARQL JSON SELECT result, every term in SPARQL 1.1's own form.

    >>> standard_json(b'{"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "typed-literal", '
    ...               b'"datatype": "http://www.w3.org/2001/XMLSchema#integer", "value": "2"}}]}}')
    (['n'], [{'n': {'type': 'literal', 'value': '2', 'datatype': 'http://www.w3.org/2001/XMLSchema#integer'}}])
    """
    document = _json(body)
    variables = [str(name) for name in document["head"]["vars"]]
    bindings = [{name: normalise_term(term) for name, term in binding.items()}
                for binding in document["results"]["bindings"]]
    return variables, bindings


def read_select(body: bytes) -> Solutions:
    """A SPARQL JSON SELECT result as the store's own ``Solutions``.

    >>> read_select(b'{"head": {"vars": ["s"]}, "results": {"bindings": [{"s": {"type": "bnode", '
    ...             b'"value": "nodeID://b1"}}]}}').rows
    ({'s': Term(kind='bnode', value='b1', datatype=None, language=None)},)
    """
    variables, bindings = standard_json(body)
    rows = tuple(Row((name, Term(term["type"], term["value"], term.get("datatype"),  # type: ignore[arg-type]
                                 term.get("xml:lang"))) for name, term in binding.items())
                 for binding in bindings)
    return Solutions(tuple(variables), rows)


def to_standard(body: bytes, boolean: bool) -> bytes:
    """A store's SPARQL JSON answer (SELECT, or ASK when ``boolean``) rewritten as SPARQL 1.1 JSON."""
    if boolean:
        return json.dumps({"head": {}, "boolean": read_ask(body)}).encode("utf-8")
    variables, bindings = standard_json(body)
    return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                      ensure_ascii=False).encode("utf-8")


def read_ask(body: bytes) -> bool:
    """The truth of a SPARQL JSON ASK result, in the standard form or Virtuoso's ``__ASK_RETVAL`` one.

    >>> read_ask(b'{"head": {}, "boolean": false}')
    False
    >>> read_ask(b'{"head": {"vars": ["__ASK_RETVAL"]}, "results": {"bindings": [{"__ASK_RETVAL": '
    ...          b'{"type": "typed-literal", "value": "1"}}]}}')
    True
    >>> read_ask(b'{"head": {"vars": ["__ASK_RETVAL"]}, "results": {"bindings": []}}')
    False
    """
    document = _json(body)
    if "boolean" in document:
        return bool(document["boolean"])
    bindings = document.get("results", {}).get("bindings", [])
    if document.get("head", {}).get("vars") != [VIRTUOSO_ASK_VARIABLE] or len(bindings) > 1:
        raise StoreError("the store answered an ASK with something that is not a boolean")
    return bool(bindings) and bindings[0][VIRTUOSO_ASK_VARIABLE]["value"] not in ("0", "false")


def _json(body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise StoreError(f"the store's answer is not JSON: {body[:200]!r}") from exc
    if not isinstance(document, dict):
        raise StoreError("the store's answer is not a SPARQL JSON document")
    return document
