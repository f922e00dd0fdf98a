"""Reads a SPARQL request the way the grammar does before the engine sees it: form, size, nesting and SERVICE.

pyoxigraph follows ``SERVICE <url>`` on its own, overflows its stack on deeply nested requests, and cannot be
told to stop. So every request is first split into the terminals of the SPARQL 1.1 grammar (section 19.8:
IRIs, the four string forms with their escapes, prefixed names with ``PN_LOCAL_ESC`` and ``%HH``, variables,
blank-node labels, language tags, numbers, comments, keywords and punctuation), after the codepoint escapes
``\\uXXXX`` / ``\\UXXXXXXXX`` are replaced as section 19.2 prescribes. SPARQL's keywords are reserved words
of that token grammar, so the keyword ``SERVICE`` appears as a token exactly where the engine reads one.

The reading fails closed: text the grammar has no terminal for is refused (the engine would refuse it too),
and SERVICE is looked for both in the text as sent and with its codepoint escapes replaced, so a
disagreement about escapes can only make the guard refuse more. The engine still makes the full grammar
check and reports its own syntax errors; and query workers run without any network (see ``isolation``), so
even a query that slipped past this reading could not reach a URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from clustergraph.errors import QueryError

PN_CHARS_BASE = ("A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
                 "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF")
PN_CHARS_U = PN_CHARS_BASE + "_"
PN_CHARS = PN_CHARS_U + r"\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
PN_PREFIX = f"[{PN_CHARS_BASE}](?:[{PN_CHARS}.]*[{PN_CHARS}])?"
PN_LOCAL = f"(?:[{PN_CHARS_U}:0-9]|{PLX})(?:(?:[{PN_CHARS}.:]|{PLX})*(?:[{PN_CHARS}:]|{PLX}))?"
ECHAR = r"\\[tbnrf\\\"']"
TOKEN = re.compile(
    rf"""
    (?P<space>[\x20\t\r\n]+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<iri><[^<>"{{}}|^`\\\x00-\x20]*>)
  | (?P<string>'''(?:(?:'|'')?(?:[^'\\]|{ECHAR}))*'''
              | \"\"\"(?:(?:"|"")?(?:[^"\\]|{ECHAR}))*\"\"\"
              | '(?:[^'\\\n\r]|{ECHAR})*'
              | "(?:[^"\\\n\r]|{ECHAR})*")
  | (?P<var>[?$][{PN_CHARS_U}0-9][{PN_CHARS_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*)
  | (?P<bnode>_:[{PN_CHARS_U}0-9](?:[{PN_CHARS}.]*[{PN_CHARS}])?)
  | (?P<pname>(?:{PN_PREFIX})?:(?:{PN_LOCAL})?)
  | (?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)
  | (?P<number>[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+\.(?:[0-9]*[eE][+-]?[0-9]+)?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<open>[{{(\[])
  | (?P<close>[}})\]])
  | (?P<operator>\^\^|\|\||&&|!=|<=|>=|[!+\-*/|^=<>])
  | (?P<punctuation>[.,;])
    """,
    re.VERBOSE,
)
CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD")
# Operators that start a unary chain when they stand where an operand is expected (after these tokens).
OPERAND_EXPECTED = {"open", "operator", "punctuation", None}


@dataclass(frozen=True)
class Token:
    """One terminal of the request: its kind (a group name of ``TOKEN``), its text and where it starts."""

    kind: str
    text: str
    start: int


class QueryRefused(QueryError):
    """A request the endpoint will not run (SERVICE, too large, too deep); ``status`` says how to answer."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Inspected:
    """What the reading learnt: the form (SELECT, ASK, CONSTRUCT, DESCRIBE or UPDATE), whether the request
    names its own dataset (FROM / FROM NAMED), and the sources of its LOAD operations."""

    form: str
    names_dataset: bool = False
    loads: tuple[str, ...] = ()

    @property
    def is_graph(self) -> bool:
        """CONSTRUCT and DESCRIBE return triples; SELECT and ASK return solutions."""
        return self.form in ("CONSTRUCT", "DESCRIBE")


def unescape_codepoints(text: str) -> str:
    r"""Replace ``\uXXXX`` and ``\UXXXXXXXX`` as the grammar does before reading a request (section 19.2).

    >>> unescape_codepoints(r"\u0053ERVICE")
    'SERVICE'
    """
    def replace(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group()
    return CODEPOINT.sub(replace, text)


def tokenize(text: str) -> list[Token]:
    """The request's terminals, comments and white space left out.

    >>> [t.text for t in tokenize("PREFIX ex: <http://e/> ASK { ex:a\\\\# ?s 'x' } # SERVICE")]
    ['PREFIX', 'ex:', '<http://e/>', 'ASK', '{', 'ex:a\\\\#', '?s', "'x'", '}']

    Raises
    ------
    QueryRefused
        With status 400 where the text holds something no SPARQL terminal matches.
    """
    tokens = []
    position = 0
    while position < len(text):
        match = TOKEN.match(text, position)
        if match is None:
            line = text.count("\n", 0, position) + 1
            column = position - (text.rfind("\n", 0, position) + 1) + 1
            raise QueryRefused(f"the request cannot be read as SPARQL at line {line}, column {column} "
                               f"({text[position:position + 20]!r})", 400)
        kind = match.lastgroup
        assert kind is not None
        if kind not in ("space", "comment"):
            tokens.append(Token(kind, match.group(), position))
        position = match.end()
    return tokens


def inspect_request(text: str, max_bytes: int, max_depth: int) -> Inspected:
    """Read a query or update and refuse what the engine must never run.

    ``max_depth`` bounds the nesting the engine's recursive parser and evaluator meet: brackets, plus
    chains of prefix operators (``!!!!x``), each of which adds a level.

    >>> inspect_request("SELECT * WHERE { ?s ?p 'SERVICE' } # SERVICE <x>", 10_000, 50).form
    'SELECT'
    >>> inspect_request("SELECT * FROM <http://g/1> { ?s ?p ?o }", 10_000, 50).names_dataset
    True
    >>> inspect_request("PREFIX e: <http://e/> ASK { VALUES ?v { e:a\\\\# }\\n SERVICE <http://h/> {} }", 10_000, 50)
    Traceback (most recent call last):
    ...
    clustergraph.sparql_guard.QueryRefused: SERVICE (federated query) is not allowed on this endpoint

    Raises
    ------
    QueryRefused
        With status 413 for an oversized request, 400 for SERVICE, unreadable text or too deep nesting.
    """
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise QueryRefused(f"the request is {size} bytes; this endpoint accepts at most {max_bytes}", 413)
    unescaped = unescape_codepoints(text)
    readings: list[list[Token]] = []
    unreadable: QueryRefused | None = None
    for variant in dict.fromkeys((unescaped, text)):
        try:
            readings.append(tokenize(variant))
        except QueryRefused as exc:
            unreadable = unreadable or exc
    for tokens in readings:
        if any(_may_be_service(token) for token in tokens):
            raise QueryRefused("SERVICE (federated query) is not allowed on this endpoint", 400)
    if unreadable is not None:
        raise unreadable
    for tokens in readings:
        _check_depth(tokens, max_depth)
    return _describe(readings[0])


def _may_be_service(token: Token) -> bool:
    """Whether the engine could read the keyword SERVICE inside this token.

    The engine matches keywords without a word boundary (``trueSERVICE<u>{}`` and ``SERVICEex:a{}`` are read
    as SERVICE calls), so a keyword-like token, the prefix of a prefixed name and every part of a name after
    a dot count when they contain the word anywhere.

    >>> [_may_be_service(Token(kind, text, 0)) for kind, text in
    ...  [("word", "trueSERVICE"), ("pname", "SERVICEex:a"), ("pname", "sd:Service"), ("var", "?service")]]
    [True, True, False, False]
    """
    text = token.text.upper()
    if token.kind == "word":
        return "SERVICE" in text
    if token.kind in ("pname", "bnode"):
        prefix, _, local = text.partition(":")
        return "SERVICE" in prefix or any("SERVICE" in part for part in local.split(".")[1:])
    return False


def _check_depth(tokens: list[Token], max_depth: int) -> None:
    depth = unary = 0
    previous: str | None = None
    for token in tokens:
        if token.kind == "open":
            depth += 1
        elif token.kind == "close":
            depth -= 1
        if token.kind == "operator" and token.text in "!+-" and previous in OPERAND_EXPECTED:
            unary += 1
        elif token.kind != "open":
            unary = 0
        if depth + unary > max_depth:
            raise QueryRefused(f"the request nests deeper than {max_depth} levels", 400)
        previous = token.kind


def _describe(tokens: list[Token]) -> Inspected:
    form = None
    names_dataset = False
    loads: list[str] = []
    for index, token in enumerate(tokens):
        if token.kind != "word":
            continue
        word = token.text.upper()
        if form is None and word in QUERY_FORMS:
            form = word
        elif form is None and word in UPDATE_WORDS:
            form = "UPDATE"
        if word == "FROM":
            names_dataset = True
        if word == "LOAD":
            following = [t for t in tokens[index + 1:index + 3] if not (t.kind == "word" and t.text.upper() == "SILENT")]
            loads.append(following[0].text if following else "")
    return Inspected(form or "UNKNOWN", names_dataset, tuple(loads))


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
    for token in tokenize(update):
        text = token.text.upper()
        if token.kind == "open":
            depth += 1
        elif token.kind == "close":
            depth -= 1
        elif token.kind == "word" and depth == 0:
            if text in ("USING", "WITH"):
                raise QueryRefused("the update names its own dataset (USING or WITH) and the request "
                                   "gives using-graph-uri / using-named-graph-uri: choose one", 400)
            if text == "WHERE" and previous != "DELETE":
                inserts.append(token.start)
        previous = text
    for position in reversed(inserts):
        update = update[:position] + clause + update[position:]
    return update
