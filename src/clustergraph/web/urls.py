"""Every IRI <-> page URL mapping in one place: IRIs under the base IRI are served at the same path here."""

from __future__ import annotations

import re
from urllib.parse import quote

from clustergraph.vocab import EU_COUNTRY, NUTS, ONTOLOGY_IRI

# Characters no IRI may hold (RFC 3987): a path with one of them names nothing here, and refusing it keeps the
# IRI safe to write between angle brackets in a SPARQL query.
NOT_IN_IRIS = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f]')
RDF_SUFFIXES = {".ttl": "text/turtle", ".jsonld": "application/ld+json", ".nt": "application/n-triples"}


class Urls:
    """Map between the graph's IRIs and this server's paths.

    >>> urls = Urls("https://w3id.org/clustergraph/")
    >>> urls.path_for("https://w3id.org/clustergraph/practice/3.2.4")
    '/practice/3.2.4'
    >>> urls.iri_for("/practice/3.2.4")
    'https://w3id.org/clustergraph/practice/3.2.4'
    >>> urls.path_for("http://data.europa.eu/nuts/code/ITH3") is None
    True
    >>> urls.iri_for("/practice/x> ?p ?o") is None
    True
    """

    def __init__(self, base_iri: str) -> None:
        self.base_iri = base_iri

    def iri_for(self, path: str) -> str | None:
        """The IRI a local path stands for, or None when the path holds a character no IRI can."""
        if NOT_IN_IRIS.search(path):
            return None
        return self.base_iri + path.lstrip("/")

    def path_for(self, iri: str) -> str | None:
        """The local path of an IRI under the base (the ontology's too), or None for outside IRIs."""
        if iri.startswith(ONTOLOGY_IRI):
            return "/ontology" + ("#" + iri.split("#", 1)[1] if "#" in iri else "")
        if iri.startswith(self.base_iri):
            return "/" + quote(iri[len(self.base_iri):], safe="/#.-_~:")
        return None

    def link_for(self, iri: str) -> str:
        """Where a link to ``iri`` should point: the local page when there is one, else the IRI itself."""
        return self.path_for(iri) or self.place_path(iri) or iri

    @staticmethod
    def place_path(iri: str) -> str | None:
        """The local page of an EU country or a NUTS region (what the graph holds there), or None.

        >>> Urls.place_path("http://data.europa.eu/nuts/code/ITH3"), Urls.place_path("http://example.org/x")
        ('/region/ITH3', None)
        """
        for namespace, prefix in ((EU_COUNTRY, "/country/"), (NUTS, "/region/")):
            code = iri[len(str(namespace)):] if iri.startswith(str(namespace)) else ""
            if code and code.isalnum():
                return prefix + code
        return None

    @staticmethod
    def country_iri(code: str) -> str | None:
        """The EU country IRI of a ``/country/<code>`` page, or None for a malformed code."""
        return str(EU_COUNTRY[code]) if code.isalnum() and code.isupper() else None

    @staticmethod
    def region_iri(code: str) -> str | None:
        """The NUTS IRI of a ``/region/<code>`` page, or None for a malformed code."""
        return str(NUTS[code]) if code.isalnum() and code.isupper() else None

    @staticmethod
    def network(programme_iri: str) -> str:
        """The network page of one programme (``/network?programme=<its last path segment>``)."""
        return "/network?programme=" + quote(programme_iri.rstrip("/").rsplit("/", 1)[-1], safe="")

    @staticmethod
    def editor(query: str) -> str:
        """The query editor, opened on ``query``."""
        return "/?query=" + quote(query, safe="")
