"""A SELECT's rows as {variable: lexical value}, read from the engine's own TSV rather than from one Python term
object per value: the engine writes every row in Rust and Python only splits lines, a tenth of the cost per
value on results of tens of thousands of rows (the network's extraction reads several such results).

SPARQL TSV (as pyoxigraph writes it) has one line per row and one tab-separated field per variable, empty when
unbound: an IRI as ``<iri>``, a blank node as ``_:id``, a literal as ``"text"`` (``\\t \\n \\r \\" \\\\`` escaped)
followed by ``@lang`` or ``^^<datatype>``, or bare when it is a canonical boolean, integer, decimal or double.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

ESCAPES = {"t": "\t", "n": "\n", "r": "\r", '"': '"', "\\": "\\"}
ESCAPED = re.compile(r"\\(.)")


def solution_values(result: ox.QuerySolutions) -> list[dict[str, str]]:
    """The rows of ``result`` as {variable: lexical value}, unbound variables left out.

    A triple term (RDF 1.2, which the published graph does not use) reads as its three terms in TSV.

    >>> store = ox.Store()
    >>> solution_values(store.query('SELECT ?a ?b ?c WHERE { VALUES (?a ?b ?c) '
    ...                             '{ (<http://e.org/x> "tab\\\\there"@en 42) (UNDEF "" 1.5) } }'))
    [{'a': 'http://e.org/x', 'b': 'tab\\there', 'c': '42'}, {'b': '', 'c': '1.5'}]
    """
    lines = (result.serialize(format=ox.QueryResultsFormat.TSV) or b"").decode().split("\n")
    names = [name[1:] for name in lines[0].split("\t")] if lines[0] else []
    return [{name: _value(field) for name, field in zip(names, line.split("\t")) if field}
            for line in lines[1:-1]]


def _value(field: str) -> str:
    """The lexical value of one TSV term."""
    first = field[0]
    if first == "<":
        return field[4:-4] if field.startswith("<<(") else field[1:-1]
    if first == '"':
        text = field[1:field.rindex('"')]
        return ESCAPED.sub(lambda match: ESCAPES[match.group(1)], text) if "\\" in text else text
    if field.startswith("_:"):
        return field[2:]
    return field
