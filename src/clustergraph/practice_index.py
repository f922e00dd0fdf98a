"""The practice index: the guidebook's practices read from the store, searched by words and narrowed by facets.

Scoring is deliberately simple so a reader can predict it: the query is split into words; a practice matches when
every word starts a word of its title or of its narrative (challenges, stakeholders, actions, results). Each query
word scores ``TITLE_WEIGHT`` when it is in the title, plus one point per occurrence in the narrative up to
``BODY_CAP``; so a title hit always ranks above a practice that only mentions the word in its body. Ties keep the
guidebook's order (section number).

Facets (country, industrial ecosystem, cluster role, programme, partner organisation type) count the practices of
the current result; values of one facet combine with OR, different facets with AND.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from rdflib.namespace import DCTERMS, RDFS, SKOS

from clustergraph.errors import ClusterGraphError
from clustergraph.vocab import CG

Select = Callable[[str], list[dict[str, str]]]
TITLE_WEIGHT = 10
BODY_CAP = 5
MAX_QUERY_LENGTH = 200
SNIPPET_RADIUS = 90
FACETS = {"country": "Country", "ecosystem": "Industrial ecosystem", "role": "Cluster role",
          "programme": "Programme", "partner_type": "Partner organisation type"}
WORD = re.compile(r"\w+")
PREFIXES = f"""PREFIX cg: <{CG._NS}>
PREFIX dct: <{DCTERMS}>
PREFIX rdfs: <{RDFS}>
PREFIX skos: <{SKOS}>
"""
PRACTICES = PREFIXES + """SELECT ?practice ?sid ?title ?owner ?ownerLabel
  (GROUP_CONCAT(DISTINCT ?text; SEPARATOR="\\n") AS ?body) WHERE {
  ?practice a cg:GoodPractice ; cg:sectionId ?sid ; dct:title ?title ; cg:owner ?owner .
  ?owner rdfs:label ?ownerLabel .
  OPTIONAL { ?practice cg:challenges|cg:stakeholders|cg:actions|cg:results ?text }
} GROUP BY ?practice ?sid ?title ?owner ?ownerLabel"""
# One query per facet: (practice, value key, value label); the key is the last segment of the value's IRI.
FACET_QUERIES = {
    "country": """SELECT DISTINCT ?practice ?value ?label WHERE { ?practice a cg:GoodPractice ; cg:country ?value .
      ?value skos:prefLabel ?label FILTER(LANGMATCHES(LANG(?label), "en")) }""",
    "ecosystem": """SELECT DISTINCT ?practice ?value ?label WHERE { ?practice a cg:GoodPractice ; cg:ecosystem ?value .
      ?value skos:prefLabel ?label FILTER(LANG(?label) = "" || LANGMATCHES(LANG(?label), "en")) }""",
    "role": """SELECT DISTINCT ?practice ?value ?label WHERE { ?practice a cg:GoodPractice ; cg:clusterRole ?value .
      ?value cg:sectionId ?sid ; skos:prefLabel ?text BIND(CONCAT(?sid, " ", ?text) AS ?label) }""",
    "programme": """SELECT DISTINCT ?practice ?value ?label WHERE { ?practice a cg:GoodPractice .
      { ?practice cg:fundedBy ?value }
      UNION { ?statement cg:evidenceFrom ?practice ; cg:programme|cg:viaProgramme|cg:participatesIn ?value }
      ?value a cg:Programme ; rdfs:label ?label }""",
    "partner_type": """SELECT DISTINCT ?practice ?value ?label WHERE { ?practice a cg:GoodPractice .
      ?statement a cg:Participation ; cg:evidenceFrom ?practice ; cg:participant ?partner .
      ?partner a ?value . ?value rdfs:label ?label FILTER(STRSTARTS(STR(?value), STR(cg:))) }""",
}


class SearchError(ClusterGraphError):
    """A practice search the index cannot answer (unknown facet or value, query too long): the caller's mistake."""


@dataclass(frozen=True)
class Indexed:
    """One practice as the index holds it."""

    iri: str
    section_id: str
    title: str
    owner: str
    owner_label: str
    body: str
    facets: Mapping[str, frozenset[str]]


@dataclass(frozen=True)
class Hit:
    """One practice found: its score and a snippet whose ``marks`` are (start, end) spans of matched words."""

    practice: Indexed
    score: int
    title_marks: tuple[tuple[int, int], ...]
    snippet: str
    marks: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class FacetValue:
    """A facet value with the number of hits that have it, and whether the request selects it."""

    key: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class SearchResult:
    """Hits best first, and every facet with its counts over the hits."""

    query: str
    filters: Mapping[str, tuple[str, ...]]
    hits: tuple[Hit, ...]
    facets: Mapping[str, tuple[FacetValue, ...]]


@dataclass
class PracticeIndex:
    """The practices and the label of every facet value."""

    practices: tuple[Indexed, ...]
    labels: dict[str, dict[str, str]] = field(default_factory=dict)

    def search(self, query: str = "", filters: Mapping[str, Iterable[str]] | None = None) -> SearchResult:
        """The practices matching ``query`` (all words) and ``filters`` (facet -> selected keys), best first.

        Raises
        ------
        SearchError
            For an unknown facet, a value no practice has, or a query longer than ``MAX_QUERY_LENGTH``.
        """
        chosen = self._check(query, filters or {})
        words = [word.lower() for word in WORD.findall(query)]
        hits = []
        for practice in self.practices:
            if not all(practice.facets[name] & set(keys) for name, keys in chosen.items()):
                continue
            hit = score(practice, words)
            if hit is not None:
                hits.append(hit)
        hits.sort(key=lambda hit: (-hit.score, _section_key(hit.practice.section_id)))
        return SearchResult(query, chosen, tuple(hits), self._facets(hits, chosen))

    def _check(self, query: str, filters: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
        if len(query) > MAX_QUERY_LENGTH:
            raise SearchError(f"the search text has {len(query)} characters; at most {MAX_QUERY_LENGTH} are allowed")
        chosen = {}
        for name, keys in filters.items():
            if name not in FACETS:
                raise SearchError(f"unknown filter '{name}'; use q or one of {', '.join(FACETS)}")
            values = tuple(dict.fromkeys(keys))
            unknown = [key for key in values if key not in self.labels[name]]
            if unknown:
                raise SearchError(f"no practice has {name} '{unknown[0]}'")
            if values:
                chosen[name] = values
        return chosen

    def _facets(self, hits: list[Hit], chosen: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[FacetValue, ...]]:
        facets = {}
        for name in FACETS:
            counts = Counter(key for hit in hits for key in hit.practice.facets[name])
            selected = set(chosen.get(name, ()))
            keys = set(counts) | selected
            values = [FacetValue(key, self.labels[name][key], counts[key], key in selected) for key in keys]
            facets[name] = tuple(sorted(values, key=lambda v: (-v.count, v.label)))
        return facets


def score(practice: Indexed, words: list[str]) -> Hit | None:
    """Score one practice against the query words (module docstring), or None when a word is missing.

    >>> p = Indexed("i", "1", "Green Hydrogen Valley", "o", "O", "We grow hydrogen and more hydrogen.", {})
    >>> hit = score(p, ["hydrogen"])
    >>> hit.score, hit.title_marks, hit.snippet[hit.marks[0][0]:hit.marks[0][1]]
    (12, ((6, 14),), 'hydrogen')
    >>> score(p, ["steel"]) is None
    True
    """
    total = 0
    title_marks: list[tuple[int, int]] = []
    body_marks: list[tuple[int, int]] = []
    for word in words:
        pattern = re.compile(r"\b" + re.escape(word), re.IGNORECASE)
        in_title = [(m.start(), m.end()) for m in pattern.finditer(practice.title)]
        in_body = [(m.start(), m.end()) for m in pattern.finditer(practice.body)]
        if not in_title and not in_body:
            return None
        total += (TITLE_WEIGHT if in_title else 0) + min(len(in_body), BODY_CAP)
        title_marks += in_title
        body_marks += in_body
    snippet, marks = _snippet(practice.body, sorted(body_marks))
    return Hit(practice, total, tuple(sorted(title_marks)), snippet, marks)


def _snippet(body: str, marks: list[tuple[int, int]]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """About ``2 * SNIPPET_RADIUS`` characters of the body around its first match (its opening without one)."""
    centre = marks[0][0] if marks else 0
    start = max(0, centre - SNIPPET_RADIUS)
    end = min(len(body), centre + SNIPPET_RADIUS)
    text = body[start:end].replace("\n", " ").replace("**", "  ").replace("*", " ")
    prefix = "…" if start else ""
    suffix = "…" if end < len(body) else ""
    shifted = tuple((a - start + len(prefix), b - start + len(prefix)) for a, b in marks if a >= start and b <= end)
    return prefix + text + suffix, shifted


def _section_key(section_id: str) -> tuple[int, ...]:
    return tuple(int(part) for part in section_id.split(".") if part.isdigit())


def build_index(select: Select) -> PracticeIndex:
    """Read every practice and its facet values from the store."""
    facet_rows = {name: select(PREFIXES + query) for name, query in FACET_QUERIES.items()}
    labels: dict[str, dict[str, str]] = {name: {} for name in FACETS}
    values: dict[str, dict[str, set[str]]] = {name: {} for name in FACETS}
    for name, rows in facet_rows.items():
        for row in rows:
            key = facet_key(row["value"])
            labels[name][key] = row["label"]
            values[name].setdefault(row["practice"], set()).add(key)
    practices = tuple(
        Indexed(row["practice"], row["sid"], row["title"], row["owner"], row["ownerLabel"], row.get("body", ""),
                {name: frozenset(values[name].get(row["practice"], ())) for name in FACETS})
        for row in sorted(select(PRACTICES), key=lambda row: _section_key(row["sid"])))
    return PracticeIndex(practices, labels)


def facet_key(iri: str) -> str:
    """The key a facet value goes by in URLs: the last segment of its IRI.

    >>> facet_key("http://publications.europa.eu/resource/authority/country/ITA")
    'ITA'
    >>> facet_key("https://w3id.org/clustergraph/ontology#Company")
    'Company'
    """
    return re.split(r"[/#]", iri.rstrip("/"))[-1]
