"""Content negotiation as data: media-type tables per result kind and an Accept parser with q-values."""

from __future__ import annotations

from dataclasses import dataclass

SOLUTION_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
GRAPH_TYPES = (
    "text/turtle",
    "application/n-triples",
    "application/rdf+xml",
    "application/ld+json",
    "application/n-quads",
    "application/trig",
)
# Other names clients send for the same formats.
ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
    "text/plain": "application/n-triples",
    "application/x-turtle": "text/turtle",
    "application/turtle": "text/turtle",
}
# Short names for the ``format`` parameter.
FORMAT_NAMES = {
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "csv": ("text/csv",),
    "tsv": ("text/tab-separated-values",),
    "turtle": ("text/turtle",),
    "ttl": ("text/turtle",),
    "nt": ("application/n-triples",),
    "ntriples": ("application/n-triples",),
    "rdfxml": ("application/rdf+xml",),
    "jsonld": ("application/ld+json",),
    "nq": ("application/n-quads",),
    "nquads": ("application/n-quads",),
    "trig": ("application/trig",),
}
TEXT_TYPES = {"text/csv", "text/tab-separated-values", "text/turtle", "application/n-triples",
              "application/n-quads", "application/trig", "text/html"}


@dataclass(frozen=True)
class Preference:
    """One media range of an Accept header with its quality and its position."""

    media_range: str
    quality: float
    order: int


def parse_accept(header: str | None) -> list[Preference]:
    """Media ranges of an Accept header, best first (by q-value, then by specificity, then by order).

    >>> [p.media_range for p in parse_accept("text/csv;q=0.5, application/json, */*;q=0.1")]
    ['application/json', 'text/csv', '*/*']
    """
    if not header or not header.strip():
        return [Preference("*/*", 1.0, 0)]
    preferences = []
    for order, part in enumerate(header.split(",")):
        fields = [field.strip() for field in part.split(";")]
        media_range = fields[0].lower()
        if not media_range:
            continue
        quality = 1.0
        for parameter in fields[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        preferences.append(Preference(media_range, quality, order))
    return sorted(preferences, key=lambda p: (-p.quality, "*" in p.media_range, p.order))


def _specificity(media_range: str, media_type: str) -> int:
    """How specifically a range names a type: 3 exact, 2 ``type/*``, 1 ``*/*``, 0 no match."""
    if ALIASES.get(media_range, media_range) == media_type:
        return 3
    if media_range.endswith("/*") and media_range != "*/*" and media_type.startswith(media_range[:-1]):
        return 2
    return 1 if media_range == "*/*" else 0


def negotiate(accept: str | None, offered: tuple[str, ...]) -> str | None:
    """The offered media type the client prefers, or None when it accepts none of them.

    Each offer takes the quality of the most specific range that matches it (RFC 9110); the best quality
    wins, then the range the client listed first, then the server's order of ``offered``; q=0 excludes.

    >>> negotiate("text/html, application/xhtml+xml, */*;q=0.8", GRAPH_TYPES)
    'text/turtle'
    >>> negotiate("application/json", SOLUTION_TYPES)
    'application/sparql-results+json'
    >>> negotiate("text/*;q=0.9, text/csv;q=0", SOLUTION_TYPES)
    'text/tab-separated-values'
    >>> negotiate("image/png", SOLUTION_TYPES) is None
    True
    """
    preferences = parse_accept(accept)
    ranked = []
    for position, media_type in enumerate(offered):
        matches = [(_specificity(p.media_range, media_type), p) for p in preferences]
        matches = [(level, p) for level, p in matches if level]
        if not matches:
            continue
        level, preference = max(matches, key=lambda item: (item[0], item[1].quality))
        if preference.quality > 0:
            ranked.append((-preference.quality, preference.order if level == 3 else len(preferences), position,
                           media_type))
    return min(ranked)[3] if ranked else None


def from_format_parameter(value: str, offered: tuple[str, ...]) -> str | None:
    """The offered media type a ``format`` parameter names (a short name or a media type), or None."""
    key = value.strip().lower()
    candidates = FORMAT_NAMES.get(key, (ALIASES.get(key, key),))
    return next((media_type for media_type in candidates if media_type in offered), None)


def content_type(media_type: str) -> str:
    """The Content-Type header for a media type (text formats say their charset)."""
    return f"{media_type}; charset=utf-8" if media_type in TEXT_TYPES else media_type
