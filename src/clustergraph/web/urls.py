"""Every IRI <-> page URL mapping in one place: IRIs under the base IRI are served at the same path here."""

from __future__ import annotations

from urllib.parse import quote

from clustergraph.vocab import ONTOLOGY_IRI

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
    """

    def __init__(self, base_iri: str) -> None:
        self.base_iri = base_iri

    def iri_for(self, path: str) -> str:
        """The IRI a local path stands for."""
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
        return self.path_for(iri) or iri

    @staticmethod
    def editor(query: str) -> str:
        """The query editor, opened on ``query``."""
        return "/?query=" + quote(query, safe="")
