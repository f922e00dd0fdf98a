"""What each kind of entity page summarises, read from the store: organisations (partners by programme and
project, with quotes), programmes, projects and practices. Each function returns a template context."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS

from clustergraph.vocab import CG
from clustergraph.web.shown import Rows, SelectRows, Shown, show, value
from clustergraph.web.urls import Urls

PREFIXES = f"""PREFIX cg: <{CG._NS}>
PREFIX dct: <{DCTERMS}>
PREFIX org: <{ORG}>
PREFIX prov: <{PROV}>
PREFIX rdf: <{RDF}>
PREFIX rdfs: <{RDFS}>
PREFIX skos: <{SKOS}>
"""
LABEL = "rdfs:label|skos:prefLabel"
NO_PROGRAMME = "No programme named"
SECTIONS = (("challenges", "Challenges"), ("stakeholders", "Stakeholders"), ("actions", "Actions"),
            ("results", "Results and benefits"))
# How an organisation's structural links read, seen from either end.
LINKS = {str(ORG.memberOf): ("member of", "has member"),
         str(ORG.subOrganizationOf): ("part of", "has unit"),
         str(CG.spinOffOf): ("spin-off of", "has spin-off"),
         str(CG.founded): ("founded", "founded by")}


def _practices(select: SelectRows, urls: Urls, where: str) -> list[Shown]:
    rows = select(PREFIXES + f"""SELECT DISTINCT ?p ?t ?sid WHERE {{ {where}
        ?p a cg:GoodPractice ; dct:title ?t ; cg:sectionId ?sid }}""")
    rows.sort(key=lambda row: [int(part) for part in value(row, "sid").split(".")])
    return [s for row in rows if (s := show(urls, row, "p", "t"))]


def _shown(urls: Urls, rows: Rows, name: str, label: str) -> list[Shown]:
    found = {value(row, name): show(urls, row, name, label) for row in rows}
    return sorted((s for s in found.values() if s), key=lambda s: s.text.lower())


def organisation(select: SelectRows, urls: Urls, iri: str) -> dict[str, Any]:
    """An organisation: type, place, practices, partners by programme and project, memberships, relations."""
    place = select(PREFIXES + f"""SELECT ?country ?countryLabel ?region ?regionLabel WHERE {{
        OPTIONAL {{ <{iri}> cg:country ?country OPTIONAL {{ ?country skos:prefLabel ?countryLabel
                    FILTER(LANGMATCHES(LANG(?countryLabel), "en")) }} }}
        OPTIONAL {{ <{iri}> cg:region ?region OPTIONAL {{ ?region skos:prefLabel ?regionLabel }} }} }}""")
    partners = select(PREFIXES + f"""SELECT ?programme (SAMPLE(?pl) AS ?programmeLabel) ?via (SAMPLE(?vl) AS ?viaLabel)
        (SAMPLE(?viaIsProgramme) AS ?direct) ?partner (SAMPLE(?ptl) AS ?partnerLabel) (SAMPLE(?r) AS ?role)
        (SAMPLE(?q) AS ?quote) (SAMPLE(?e) AS ?evidence) (SAMPLE(?el) AS ?evidenceLabel) WHERE {{
          ?c a cg:Collaboration ; cg:collaborator <{iri}>, ?partner ; cg:via ?via FILTER(?partner != <{iri}>)
          OPTIONAL {{ ?c cg:viaProgramme ?programme OPTIONAL {{ ?programme rdfs:label ?pl }} }}
          BIND(EXISTS {{ ?via a cg:Programme }} AS ?viaIsProgramme)
          OPTIONAL {{ ?via {LABEL} ?vl }} OPTIONAL {{ ?partner rdfs:label ?ptl }}
          OPTIONAL {{ ?pa cg:participant ?partner ; cg:participatesIn ?via ; cg:quote ?q ; cg:evidenceFrom ?e
                      OPTIONAL {{ ?pa cg:role ?r }} OPTIONAL {{ ?e rdfs:label ?el }} }}
        }} GROUP BY ?programme ?via ?partner""")
    structure = select(PREFIXES + f"""SELECT ?link ?direction ?other (SAMPLE(?ol) AS ?otherLabel) WHERE {{
          {{ <{iri}> ?link ?other BIND("out" AS ?direction) }} UNION {{ ?other ?link <{iri}> BIND("in" AS ?direction) }}
          FILTER(?link IN (org:memberOf, org:subOrganizationOf, cg:spinOffOf, cg:founded))
          OPTIONAL {{ ?other {LABEL} ?ol }} }} GROUP BY ?link ?direction ?other""")
    return {
        "place": place[0] if place else {},
        "country": show(urls, place[0], "country", "countryLabel") if place else None,
        "region": show(urls, place[0], "region", "regionLabel") if place else None,
        "owned": _practices(select, urls, f"?p cg:owner <{iri}> ."),
        "appears": _practices(select, urls, f"""{{ ?st cg:participant <{iri}> ; cg:evidenceFrom ?p }}
            UNION {{ ?p cg:hasParticipant <{iri}> }} FILTER NOT EXISTS {{ ?p cg:owner <{iri}> }}"""),
        "partner_groups": group_partners(urls, partners),
        "partner_count": len({value(row, "partner") for row in partners}),
        "structure": [(LINKS[value(row, "link")][0 if value(row, "direction") == "out" else 1],
                       show(urls, row, "other", "otherLabel")) for row in
                      sorted(structure, key=lambda r: (value(r, "link"), value(r, "otherLabel").lower()))],
        "relations": relations(select, urls, iri),
        "programmes": organisation_programmes(select, urls, iri),
    }


def organisation_programmes(select: SelectRows, urls: Urls, iri: str) -> list[dict[str, Any]]:
    """The programmes an organisation takes part in (itself or through a project), then those its own practices
    name, each with a quote and a link to the programme's network."""
    rows = select(PREFIXES + f"""SELECT ?programme (SAMPLE(?l) AS ?label) (MIN(?rank) AS ?how) (SAMPLE(?q) AS ?quote)
        WHERE {{
          {{ ?pa cg:participant <{iri}> ; cg:participatesIn ?programme ; cg:quote ?q . ?programme a cg:Programme
             BIND(1 AS ?rank) }}
          UNION {{ ?pa cg:participant <{iri}> ; cg:participatesIn ?project ; cg:quote ?q .
                   ?project cg:fundedBy|cg:underProgramme ?programme BIND(1 AS ?rank) }}
          UNION {{ ?programme a cg:Programme ; cg:hasParticipant <{iri}> BIND(1 AS ?rank) }}
          UNION {{ ?practice cg:owner <{iri}> . ?st cg:evidenceFrom ?practice ; cg:programme ?programme ; cg:quote ?q
                   BIND(2 AS ?rank) }}
          OPTIONAL {{ ?programme rdfs:label ?l }}
        }} GROUP BY ?programme""")
    found = [{"programme": show(urls, row, "programme", "label"), "quote": value(row, "quote"),
              "takes_part": value(row, "how") == "1", "network": Urls.network(value(row, "programme"))}
             for row in rows]
    return sorted(found, key=lambda p: (not p["takes_part"], p["programme"].text.lower() if p["programme"] else ""))


def group_partners(urls: Urls, rows: Rows) -> list[dict[str, Any]]:
    """Partner rows grouped by programme, then by the project (or practice) they share, names sorted.

    A collaboration carried by a programme directly (the partners take part in the programme itself) is grouped
    under that programme; one with no programme named goes last.
    """
    groups: dict[str, dict[str, Any]] = {}
    for row in rows:
        direct = value(row, "direct") == "true"
        key = value(row, "via") if direct else value(row, "programme")
        programme = (show(urls, row, "via", "viaLabel") if direct else show(urls, row, "programme", "programmeLabel"))
        group = groups.setdefault(key, {"programme": programme, "projects": defaultdict(list)})
        via = "" if direct else value(row, "via")
        group["projects"][via].append({
            "partner": show(urls, row, "partner", "partnerLabel"), "role": value(row, "role"),
            "quote": value(row, "quote"), "evidence": show(urls, row, "evidence", "evidenceLabel"), "via": show(urls, row, "via", "viaLabel")})
    ordered = sorted(groups.values(), key=lambda g: (g["programme"] is None, g["programme"].text.lower()
                                                     if g["programme"] else ""))
    for group in ordered:
        group["projects"] = [(entries[0]["via"] if via else None,
                              sorted(entries, key=lambda e: e["partner"].text.lower()))
                             for via, entries in sorted(group["projects"].items(),
                                                        key=lambda item: item[1][0]["via"].text.lower())]
    return ordered


def relations(select: SelectRows, urls: Urls, iri: str) -> list[dict[str, Any]]:
    """Curated relations that name ``iri`` at either end, each with its quote and recorded chain."""
    rows = select(PREFIXES + f"""SELECT ?subject (SAMPLE(?sl) AS ?subjectLabel) ?kind ?object (SAMPLE(?ol) AS ?objectLabel)
        ?quote ?evidence (SAMPLE(?el) AS ?evidenceLabel) (GROUP_CONCAT(DISTINCT ?link; separator="\\n") AS ?chain) WHERE {{
          ?r a cg:Relation ; cg:relationSubject ?subject ; cg:relationKind ?kind ; cg:relationObject ?object ;
             cg:quote ?quote ; cg:evidenceFrom ?evidence FILTER(?subject = <{iri}> || ?object = <{iri}>)
          OPTIONAL {{ ?r cg:chainQuote ?link }}
          OPTIONAL {{ ?subject {LABEL} ?sl }} OPTIONAL {{ ?object {LABEL} ?ol }} OPTIONAL {{ ?evidence rdfs:label ?el }}
        }} GROUP BY ?subject ?kind ?object ?quote ?evidence ORDER BY ?kind""")
    return [{"subject": show(urls, row, "subject", "subjectLabel"), "kind": value(row, "kind"),
             "object": show(urls, row, "object", "objectLabel"), "quote": value(row, "quote"), "chain": chain(row),
             "evidence": show(urls, row, "evidence", "evidenceLabel")} for row in rows]


def programme(select: SelectRows, urls: Urls, iri: str) -> dict[str, Any]:
    """A programme: parent and sub-programmes, projects, participants by country, collaborations it carries."""
    family = select(PREFIXES + f"""SELECT ?side ?other (SAMPLE(?ol) AS ?otherLabel) WHERE {{
        {{ <{iri}> cg:parentProgramme ?other BIND("parent" AS ?side) }}
        UNION {{ ?other cg:parentProgramme <{iri}> BIND("child" AS ?side) }}
        OPTIONAL {{ ?other rdfs:label ?ol }} }} GROUP BY ?side ?other""")
    projects = select(PREFIXES + f"""SELECT ?project (SAMPLE(?l) AS ?label) WHERE {{
        {{ ?project cg:fundedBy|cg:underProgramme <{iri}> }}
        UNION {{ ?s cg:programme <{iri}> ; cg:funds|cg:affiliated ?project }}
        ?project a cg:Project OPTIONAL {{ ?project rdfs:label ?l }} }} GROUP BY ?project""")
    participants = select(PREFIXES + f"""SELECT ?org (SAMPLE(?ol) AS ?orgLabel) ?country (SAMPLE(?cl) AS ?countryLabel)
        WHERE {{ {{ <{iri}> cg:hasParticipant ?org }}
          UNION {{ ?project cg:fundedBy|cg:underProgramme <{iri}> ; cg:hasParticipant ?org }}
          UNION {{ ?c cg:viaProgramme <{iri}> ; cg:collaborator ?org }}
          ?org a org:Organization OPTIONAL {{ ?org rdfs:label ?ol }}
          OPTIONAL {{ ?org cg:country ?country OPTIONAL {{ ?country skos:prefLabel ?cl FILTER(LANGMATCHES(LANG(?cl), "en")) }} }}
        }} GROUP BY ?org ?country""")
    pairs = select(PREFIXES + f"""SELECT ?a (SAMPLE(?al) AS ?aLabel) ?b (SAMPLE(?bl) AS ?bLabel) ?via (SAMPLE(?vl) AS ?viaLabel)
        WHERE {{ ?c a cg:Collaboration ; cg:collaborator ?a, ?b ; cg:via ?via .
          {{ ?c cg:viaProgramme <{iri}> }} UNION {{ ?c cg:via <{iri}> }}
          FILTER(STR(?a) < STR(?b))
          OPTIONAL {{ ?a rdfs:label ?al }} OPTIONAL {{ ?b rdfs:label ?bl }} OPTIONAL {{ ?via {LABEL} ?vl }}
        }} GROUP BY ?a ?b ?via""")
    by_country: dict[str, list[Shown]] = defaultdict(list)
    for row in participants:
        shown = show(urls, row, "org", "orgLabel")
        if shown and shown not in by_country[value(row, "countryLabel", "Country not stated")]:
            by_country[value(row, "countryLabel", "Country not stated")].append(shown)
    collaborations = [(show(urls, row, "a", "aLabel"), show(urls, row, "b", "bLabel"), show(urls, row, "via", "viaLabel"))
                      for row in pairs]
    collaborations.sort(key=lambda t: tuple(s.text.lower() if s else "" for s in t))
    return {
        "parents": _shown(urls, [r for r in family if value(r, "side") == "parent"], "other", "otherLabel"),
        "children": _shown(urls, [r for r in family if value(r, "side") == "child"], "other", "otherLabel"),
        "projects": _shown(urls, projects, "project", "label"),
        "participants": sorted((country, sorted(orgs, key=lambda s: s.text.lower()))
                               for country, orgs in by_country.items()),
        "collaborations": collaborations,
        "practices": _practices(select, urls, f"""{{ ?p cg:fundedBy <{iri}> }}
            UNION {{ ?st cg:evidenceFrom ?p ; cg:programme|cg:viaProgramme|cg:participatesIn <{iri}> }}"""),
        "network": Urls.network(iri),
    }


def project(select: SelectRows, urls: Urls, iri: str) -> dict[str, Any]:
    """A project: its programme(s) and parent, sub-projects, participants with roles and quotes, practices."""
    up = select(PREFIXES + f"""SELECT ?how ?other (SAMPLE(?ol) AS ?otherLabel) (SAMPLE(?q) AS ?quote) WHERE {{
        {{ <{iri}> cg:fundedBy ?other BIND("funded by" AS ?how) OPTIONAL {{ ?f cg:funds <{iri}> ; cg:programme ?other ; cg:quote ?q }} }}
        UNION {{ <{iri}> cg:underProgramme ?other BIND("runs under" AS ?how)
                 OPTIONAL {{ ?f cg:affiliated <{iri}> ; cg:programme ?other ; cg:quote ?q }} }}
        UNION {{ <{iri}> dct:isPartOf ?other BIND("part of" AS ?how) }}
        UNION {{ ?other dct:isPartOf <{iri}> BIND("has part" AS ?how) }}
        OPTIONAL {{ ?other {LABEL} ?ol }} }} GROUP BY ?how ?other ORDER BY ?how""")
    participants = select(PREFIXES + f"""SELECT ?org (SAMPLE(?ol) AS ?orgLabel) ?role ?quote ?evidence (SAMPLE(?el) AS ?evidenceLabel)
        (GROUP_CONCAT(DISTINCT ?link; separator="\\n") AS ?chain) WHERE {{
        ?pa a cg:Participation ; cg:participatesIn <{iri}> ; cg:participant ?org ; cg:quote ?quote ; cg:evidenceFrom ?evidence
        OPTIONAL {{ ?pa cg:chainQuote ?link }}
        OPTIONAL {{ ?pa cg:role ?role }} OPTIONAL {{ ?org rdfs:label ?ol }} OPTIONAL {{ ?evidence rdfs:label ?el }} }} GROUP BY ?org ?role ?quote ?evidence""")
    participants.sort(key=lambda row: (value(row, "role") != "coordinator", value(row, "orgLabel").lower()))
    return {
        "up": [{"how": value(row, "how"), "other": show(urls, row, "other", "otherLabel"), "quote": value(row, "quote")}
               for row in up],
        "participants": [{"org": show(urls, row, "org", "orgLabel"), "role": value(row, "role"),
                          "quote": value(row, "quote"), "chain": chain(row),
                          "evidence": show(urls, row, "evidence", "evidenceLabel")}
                         for row in participants],
        "practices": _practices(select, urls, f"""{{ ?st cg:evidenceFrom ?p ; cg:participatesIn|cg:funds|cg:affiliated|cg:via <{iri}> }}
            UNION {{ <{iri}> prov:wasDerivedFrom ?p }}"""),
    }


def chain(row: dict[str, Any]) -> list[str]:
    """The further quotes of a statement's recorded chain (``cg:chainQuote``, grouped one a line), sorted: the
    graph keeps no order among them.

    >>> chain({"chain": {"value": "b\\na"}})
    ['a', 'b']
    """
    return sorted(filter(None, value(row, "chain").split("\n")))


def practice(select: SelectRows, urls: Urls, iri: str) -> dict[str, Any]:
    """A practice: owner, narrative sections, funding with the funder's role, source notes, every statement."""
    rows = select(PREFIXES + f"""SELECT ?p ?o ?ol WHERE {{ <{iri}> ?p ?o
        FILTER(?p IN (cg:owner, cg:challenges, cg:stakeholders, cg:actions, cg:results)) OPTIONAL {{ ?o rdfs:label ?ol }} }}""")
    values = {value(row, "p").rsplit("#", 1)[-1]: row for row in rows}
    facts = select(PREFIXES + f"""SELECT ?what ?o (SAMPLE(?ol) AS ?label) WHERE {{
        VALUES (?p ?what) {{ (cg:country "Country") (cg:ecosystem "Industrial ecosystem") (cg:clusterRole "Cluster role") }}
        <{iri}> ?p ?o OPTIONAL {{ ?o skos:prefLabel ?ol FILTER(LANG(?ol) = "" || LANGMATCHES(LANG(?ol), "en")) }}
        }} GROUP BY ?what ?o ORDER BY ?what""")
    statements = select(PREFIXES + f"""SELECT ?kind (SAMPLE(?kl) AS ?kindlabel) ?who (SAMPLE(?wl) AS ?wholabel) ?role ?what
        (SAMPLE(?tl) AS ?whatlabel) ?quote (GROUP_CONCAT(DISTINCT ?link; separator="\\n") AS ?chain) WHERE {{
          ?st cg:evidenceFrom <{iri}> ; a ?kind ; cg:quote ?quote . OPTIONAL {{ ?st cg:chainQuote ?link }}
          OPTIONAL {{ ?kind rdfs:label ?kl FILTER(LANGMATCHES(LANG(?kl), "en")) }}
          FILTER(?kind IN (cg:Participation, cg:Funding, cg:ProgrammeAffiliation, cg:ProgrammeMention, cg:Placement,
                           cg:Relation))
          OPTIONAL {{ ?st cg:participant|cg:programme|cg:place|cg:relationSubject ?who OPTIONAL {{ ?who {LABEL} ?wl }} }}
          OPTIONAL {{ ?st cg:role|cg:relationKind ?role }}
          OPTIONAL {{ ?st cg:participatesIn|cg:funds|cg:affiliated|cg:relationObject ?what OPTIONAL {{ ?what {LABEL} ?tl }} }}
        }} GROUP BY ?kind ?who ?role ?what ?quote ORDER BY ?kind ?wholabel""")
    # Source notes: defects of the printed text the curation records, each with its quote (cg:sourceNote).
    notes = select(PREFIXES + f"""SELECT ?kind ?text ?quote ?repeats WHERE {{ <{iri}> cg:sourceNote ?note .
        ?note cg:noteKind ?kind ; cg:note ?text ; cg:quote ?quote . OPTIONAL {{ ?note cg:repeats ?repeats }}
        }} ORDER BY ?kind ?text""")
    # A statement's kind is shown by the ontology's label ("programme affiliation"): the class name is one long
    # word that kept the first column wide and the quote narrow.
    shaped = [{"kind": value(s, "kind").rsplit("#", 1)[-1],
               "kind_label": value(s, "kindlabel") or value(s, "kind").rsplit("#", 1)[-1],
               "who": show(urls, s, "who", "wholabel"),
               "role": "funder" if value(s, "kind").endswith("#Funding") else value(s, "role"),
               "what": show(urls, s, "what", "whatlabel"), "quote": value(s, "quote"), "chain": chain(s)}
              for s in statements]
    return {
        "owner": show(urls, values["owner"], "o", "ol") if "owner" in values else None,
        "facts": [(value(row, "what"), show(urls, row, "o", "label")) for row in facts],
        "sections": [(heading, value(values[name], "o")) for name, heading in SECTIONS if name in values],
        "funding": [s for s in shaped if s["kind"] == "Funding"],
        "statements": shaped,
        "notes": [{"kind": value(row, "kind"), "text": value(row, "text"), "quote": value(row, "quote"),
                   "repeats": urls.link_for(value(row, "repeats")) if "repeats" in row else None,
                   "repeats_id": value(row, "repeats").rsplit("/", 1)[-1] if "repeats" in row else None}
                  for row in notes],
    }
