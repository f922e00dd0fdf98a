"""Checks a SPARQL request before the engine sees it: form, size, nesting depth and SERVICE.

pyoxigraph follows ``SERVICE <url>`` on its own (an SSRF door on a public endpoint), crashes the process on
a few thousand nested groups, and cannot be told to stop. So the request is lexed first: comments, strings
and IRIs are recognised as tokens, which means ``SERVICE`` inside a comment, a literal or an IRI is not
mistaken for the keyword, while the keyword anywhere else is refused. The engine still does the real
grammar check and reports its own syntax errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from clustergraph.errors import QueryError

TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
  | (?P<pname>[A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7-\uFFFF]*:[\w.\-:%\\\u00B7-\uFFFF]*|:[\w.\-:%\\\u00B7-\uFFFF]*)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<open>[{(\[])
  | (?P<close>[})\]])
  | (?P<other>\S)
    """,
    re.VERBOSE | re.DOTALL,
)
QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD")


class QueryRefused(QueryError):
    """A request the endpoint will not run (SERVICE, too large, too deep); ``status`` says how to answer."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Inspected:
    """What the lexer learnt: the query form (SELECT, ASK, CONSTRUCT, DESCRIBE) or UPDATE."""

    form: str
    from_graphs: tuple[str, ...] = ()
    from_named: tuple[str, ...] = ()

    @property
    def is_graph(self) -> bool:
        """CONSTRUCT and DESCRIBE return triples; SELECT and ASK return solutions."""
        return self.form in ("CONSTRUCT", "DESCRIBE")


def inspect_request(text: str, max_bytes: int, max_depth: int) -> Inspected:
    """Lex a query or update and refuse what the engine must never run.

    >>> inspect_request("SELECT * WHERE { ?s ?p 'SERVICE' } # SERVICE <x>", 10_000, 50).form
    'SELECT'
    >>> inspect_request("SELECT * FROM <http://g/1> FROM NAMED <http://g/2> { ?s ?p ?o }", 10_000, 50)
    Inspected(form='SELECT', from_graphs=('http://g/1',), from_named=('http://g/2',))
    >>> inspect_request("SELECT * { SERVICE <http://127.0.0.1/> { ?s ?p ?o } }", 10_000, 50)
    Traceback (most recent call last):
    ...
    clustergraph.sparql_guard.QueryRefused: SERVICE (federated query) is not allowed on this endpoint

    Raises
    ------
    QueryRefused
        With status 413 for an oversized request, 400 for SERVICE or too deep nesting.
    """
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise QueryRefused(f"the request is {size} bytes; this endpoint accepts at most {max_bytes}", 413)
    depth = deepest = 0
    form = None
    from_graphs: list[str] = []
    from_named: list[str] = []
    pending: list[str] | None = None  # after FROM: the list the next IRI goes to
    for match in TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "comment":
            continue
        if pending is not None and kind == "word" and match.group().upper() == "NAMED":
            pending = from_named
            continue
        if pending is not None and kind == "iri":
            pending.append(match.group()[1:-1])
        pending = None
        if kind == "open":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > max_depth:
                raise QueryRefused(f"the query nests deeper than {max_depth} levels", 400)
        elif kind == "close":
            depth -= 1
        elif kind == "word":
            word = match.group().upper()
            if word == "FROM":
                pending = from_graphs
            if word == "SERVICE":
                raise QueryRefused("SERVICE (federated query) is not allowed on this endpoint", 400)
            if form is None and word in QUERY_FORMS:
                form = word
            elif form is None and word in UPDATE_WORDS:
                form = "UPDATE"
    return Inspected(form or "UNKNOWN", tuple(from_graphs), tuple(from_named))


def apply_using(update: str, using: tuple[str, ...], using_named: tuple[str, ...]) -> str:
    """Add the protocol's ``using-graph-uri`` / ``using-named-graph-uri`` to every DELETE/INSERT ... WHERE.

    The protocol's dataset and the update's own USING or WITH cannot both be given.

    >>> apply_using("INSERT { ?s a <x:T> } WHERE { ?s ?p ?o }", ("http://g",), ())
    'INSERT { ?s a <x:T> } USING <http://g> WHERE { ?s ?p ?o }'

    Raises
    ------
    QueryRefused
        With status 400 when the update names its own dataset as well.
    """
    if not using and not using_named:
        return update
    clause = "".join(f"USING <{iri}> " for iri in using) + "".join(f"USING NAMED <{iri}> " for iri in using_named)
    depth = 0
    previous = ""  # the token just before, upper-cased: "DELETE WHERE" is the shorthand with no dataset
    inserts: list[int] = []
    for match in TOKEN.finditer(update):
        kind, text = match.lastgroup, match.group().upper()
        if kind == "comment":
            continue
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
        elif kind == "word" and depth == 0:
            if text in ("USING", "WITH"):
                raise QueryRefused("the update names its own dataset (USING or WITH) and the request "
                                   "gives using-graph-uri / using-named-graph-uri: choose one", 400)
            if text == "WHERE" and previous != "DELETE":
                inserts.append(match.start())
        previous = text
    for position in reversed(inserts):
        update = update[:position] + clause + update[position:]
    return update
