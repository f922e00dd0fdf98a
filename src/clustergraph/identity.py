"""Step 3a, identity: mint every instance IRI from the one base IRI, deterministically.

The same input always yields the same IRIs (so N-Quads are byte-identical between builds); entities get the
curated slug, statements a slug of what they state. Vocabulary IRIs (EU country table, NUTS, eu-programme,
ecosystems) are not minted here: they belong to their publishers and live in ``vocab.py``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from rdflib import URIRef

from clustergraph.vocab import EU_COUNTRY, EU_PROGRAMME, NUTS

GRAPH_NAMES = ("public", "personal", "ontology", "derived")
PUBLIC_GRAPH_NAMES = tuple(name for name in GRAPH_NAMES if name != "personal")  # what a public store may hold


class Iris:
    """IRI factory for one base IRI.

    >>> iris = Iris("https://example.org/cg/")
    >>> str(iris.practice("3.2.4")), str(iris.organisation("vegepolys-valley"))
    ('https://example.org/cg/practice/3.2.4', 'https://example.org/cg/organisation/vegepolys-valley')
    """

    def __init__(self, base: str) -> None:
        self.base = base

    def _mint(self, *parts: str) -> URIRef:
        return URIRef(self.base + "/".join(parts))

    def graph(self, name: str) -> URIRef:
        """A named graph of the dataset: ``public``, ``personal``, ``ontology`` or ``derived`` (see ``derivation``)."""
        if name not in GRAPH_NAMES:
            raise ValueError(f"unknown graph {name!r}")
        return self._mint("graph", name)

    def staging_graph(self, build_id: str, name: str) -> URIRef:
        """Where a build loads graph ``name`` on a remote store before it switches the live graphs to it."""
        return self._mint("graph", "staging", build_id, name)

    def build_record_graph(self) -> URIRef:
        """The graph of a remote store that records which build its live graphs hold (queries never see it)."""
        return self._mint("graph", "build")

    def dataset(self) -> URIRef:
        """The dataset as a whole (described by VoID and DCAT)."""
        return self._mint("dataset")

    def source(self, sha256: str) -> URIRef:
        """The source document, identified by its digest so a new edition gets a new IRI."""
        return self._mint("source", sha256[:16])

    def practice(self, section_id: str) -> URIRef:
        return self._mint("practice", section_id)

    def cluster_role(self, section_id: str) -> URIRef:
        return self._mint("role", section_id)

    def role_scheme(self) -> URIRef:
        return self._mint("role")

    def programme_scheme(self) -> URIRef:
        return self._mint("programme")

    def organisation(self, slug: str) -> URIRef:
        return self._mint("organisation", slug)

    def programme(self, slug: str) -> URIRef:
        return self._mint("programme", slug)

    def project(self, slug: str) -> URIRef:
        return self._mint("project", slug)

    def contact(self, section_id: str, index: int) -> URIRef:
        return self._mint("contact", f"{section_id}-{index}")

    def statement(self, kind: str, section_id: str, *parts: str | None) -> URIRef:
        """A curated statement: readable prefix plus a short digest of everything it states."""
        digest = hashlib.sha256("|".join(p or "" for p in parts).encode("utf-8")).hexdigest()[:10]
        return self._mint(kind, f"{section_id}-{digest}")

    def collaboration(self, a: str, b: str, via: str) -> URIRef:
        return self._mint("collaboration", f"{a}--{b}--{via}")


def country_iri(alpha3: str) -> URIRef:
    """A country of the EU country authority table (ISO 3166-1 alpha-3 codes)."""
    return EU_COUNTRY[alpha3]


def nuts_iri(code: str) -> URIRef:
    """A NUTS region as Eurostat publishes it."""
    return NUTS[code]


def eu_programme_iri(code: str) -> URIRef:
    """A programme of the EU eu-programme authority table."""
    return EU_PROGRAMME[code]


def slugify(text: str) -> str:
    """A lower-case ASCII slug.

    >>> slugify("Mobility - Transport - Automotive")
    'mobility-transport-automotive'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
