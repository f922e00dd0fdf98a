"""Terms as a page shows them: IRIs as labelled links (local pages where there are some), literals as plain text
with their language or datatype kept aside for a discreet note."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from clustergraph.vocab import PREFIXES
from clustergraph.web.urls import Urls

Binding = dict[str, dict[str, str]]
Rows = list[Binding]
SelectRows = Callable[[str], Rows]
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@dataclass(frozen=True)
class Shown:
    """A term ready for a template: ``text`` (a label, the lexical form or the IRI), ``href`` for IRIs,
    ``note`` (language tag or datatype name) and ``raw`` when no label was found for an IRI."""

    text: str
    href: str | None = None
    note: str = ""
    raw: bool = False
    iri: str = ""


def show(urls: Urls, row: Binding, name: str, label: str | None = None) -> Shown | None:
    """The term bound to ``name`` in ``row`` (labelled by the ``label`` variable when bound), or None.

    >>> urls = Urls("https://w3id.org/clustergraph/")
    >>> show(urls, {"c": {"type": "literal", "value": "Italy", "xml:lang": "en"}}, "c")
    Shown(text='Italy', href=None, note='en', raw=False, iri='')
    >>> show(urls, {"o": {"type": "uri", "value": "https://w3id.org/clustergraph/organisation/x"},
    ...             "l": {"type": "literal", "value": "X"}}, "o", "l").href
    '/organisation/x'
    """
    term = row.get(name)
    if term is None:
        return None
    if term["type"] == "uri":
        text = row.get(label, {}).get("value") if label else None
        if not text:
            text = compact(term["value"])
        return Shown(text or term["value"], urls.link_for(term["value"]), raw=not text, iri=term["value"])
    if term["type"] == "bnode":
        return Shown("_:" + term["value"])
    datatype = term.get("datatype", "")
    note = term.get("xml:lang") or ("" if not datatype or datatype == XSD_STRING else
                                    datatype.rsplit("#", 1)[-1])
    return Shown(term["value"], note=note)


def compact(iri: str) -> str | None:
    """The prefixed name of an IRI in one of the project's namespaces, or None.

    >>> compact("http://www.w3.org/ns/org#Organization")
    'org:Organization'
    """
    for prefix, namespace in PREFIXES.items():
        local = iri[len(str(namespace)):] if iri.startswith(str(namespace)) else ""
        if local and "/" not in local and "#" not in local:
            return f"{prefix}:{local}"
    return None


def value(row: Binding, name: str, default: str = "") -> str:
    """The lexical value bound to ``name``, or ``default``."""
    return row.get(name, {}).get("value", default)
