"""Analyst tables: the graph as CSV files (practices, organisations, participations, fundings, collaborations,
relations).

Each table is one SPARQL query over the public graph, so the CSV says exactly what the endpoint says. Cells
with several values are joined with `` | ``; files are UTF-8 with a header row, one row per fact, sorted.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from clustergraph.store import GraphStore

PREFIXES = """
PREFIX cg:   <https://w3id.org/clustergraph/ontology#>
PREFIX dct:  <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

TABLES: dict[str, tuple[tuple[str, ...], str]] = {
    "practices.csv": (
        ("id", "title", "cluster", "cluster_iri", "country", "ecosystem", "regions"),
        """SELECT ?id ?title ?cluster ?cluster_iri ?country
                  (GROUP_CONCAT(DISTINCT ?eco; separator=" | ") AS ?ecosystem)
                  (GROUP_CONCAT(DISTINCT ?region; separator=" | ") AS ?regions)
           WHERE { ?p a cg:GoodPractice ; cg:sectionId ?id ; dct:title ?title ; cg:owner ?cluster_iri ;
                      cg:country ?c ; cg:ecosystem ?e ; cg:firstLine ?line .
                   ?cluster_iri skos:prefLabel ?cluster . ?c skos:prefLabel ?country . ?e skos:prefLabel ?eco .
                   OPTIONAL { ?p dct:spatial ?r . ?r skos:prefLabel ?region } }
           GROUP BY ?id ?title ?cluster ?cluster_iri ?country ?line ORDER BY ?line""",
    ),
    "organisations.csv": (
        ("iri", "name", "aliases", "type", "country", "region"),
        """SELECT ?iri ?name (GROUP_CONCAT(DISTINCT ?alias; separator=" | ") AS ?aliases) ?type ?country ?region
           WHERE { ?iri a <http://www.w3.org/ns/org#Organization> ; skos:prefLabel ?name ; a ?t .
                   ?t rdfs:label ?type . FILTER(STRSTARTS(STR(?t), STR(cg:)))
                   OPTIONAL { ?iri skos:altLabel ?alias }
                   OPTIONAL { ?iri cg:country/skos:prefLabel ?country }
                   OPTIONAL { ?iri cg:region/skos:prefLabel ?region } }
           GROUP BY ?iri ?name ?type ?country ?region ORDER BY ?name ?iri""",
    ),
    "participations.csv": (
        ("organisation", "organisation_iri", "project", "programme", "role", "practice", "evidence"),
        """SELECT ?organisation ?organisation_iri ?project
                  (GROUP_CONCAT(DISTINCT ?prog; separator=" | ") AS ?programme) ?role ?practice ?evidence
           WHERE { ?s a cg:Participation ; cg:participant ?organisation_iri ; cg:participatesIn ?target ;
                      cg:role ?role ; cg:quote ?evidence ; cg:evidenceFrom/cg:sectionId ?practice .
                   ?organisation_iri skos:prefLabel ?organisation .
                   OPTIONAL { ?target a cg:Project ; skos:prefLabel ?project }
                   OPTIONAL { ?target a cg:Programme ; skos:prefLabel ?prog }
                   OPTIONAL { ?target cg:fundedBy|cg:underProgramme ?funding . ?funding skos:prefLabel ?prog } }
           GROUP BY ?organisation ?organisation_iri ?target ?project ?role ?practice ?evidence
           ORDER BY ?practice ?organisation ?project ?programme ?role""",
    ),
    "fundings.csv": (
        ("funder", "funder_iri", "programme", "target", "target_iri", "practice", "evidence"),
        """SELECT ?funder ?funder_iri (GROUP_CONCAT(DISTINCT ?prog; separator=" | ") AS ?programme)
                  ?target ?target_iri ?practice ?evidence
           WHERE { { ?s a cg:Funding ; cg:programme ?funder_iri ; cg:funds ?target_iri .
                     OPTIONAL { ?funder_iri cg:parentProgramme+/skos:prefLabel ?prog } }
                   UNION
                   { ?s a cg:Participation ; cg:role "funder" ; cg:participant ?funder_iri ;
                        cg:participatesIn ?target_iri .
                     OPTIONAL { ?target_iri a cg:Programme ; skos:prefLabel ?prog }
                     OPTIONAL { ?target_iri cg:fundedBy/skos:prefLabel ?prog } }
                   ?s cg:quote ?evidence ; cg:evidenceFrom/cg:sectionId ?practice .
                   ?funder_iri skos:prefLabel ?funder . ?target_iri rdfs:label ?target }
           GROUP BY ?funder ?funder_iri ?target ?target_iri ?practice ?evidence
           ORDER BY ?practice ?funder ?target ?evidence""",
    ),
    "collaborations.csv": (
        ("a", "a_iri", "b", "b_iri", "via", "programme", "practice"),
        """SELECT ?a ?a_iri ?b ?b_iri ?via (GROUP_CONCAT(DISTINCT ?prog; separator=" | ") AS ?programme)
                  (GROUP_CONCAT(DISTINCT ?sid; separator=" | ") AS ?practice)
           WHERE { ?c a cg:Collaboration ; cg:collaborator ?a_iri, ?b_iri ; cg:via ?v ; cg:evidenceFrom ?p .
                   FILTER(STR(?a_iri) < STR(?b_iri))
                   ?a_iri skos:prefLabel ?a . ?b_iri skos:prefLabel ?b . ?p cg:sectionId ?sid .
                   ?v skos:prefLabel|rdfs:label ?via .
                   OPTIONAL { ?c cg:viaProgramme/skos:prefLabel ?prog } }
           GROUP BY ?a ?a_iri ?b ?b_iri ?via ORDER BY ?a ?b ?via""",
    ),
    "relations.csv": (
        ("subject", "subject_iri", "relation", "object", "object_iri", "practice", "evidence"),
        """SELECT ?subject ?subject_iri ?relation ?object ?object_iri ?practice ?evidence
           WHERE { ?s a cg:Relation ; cg:relationSubject ?subject_iri ; cg:relationKind ?relation ;
                      cg:relationObject ?object_iri ; cg:quote ?evidence ; cg:evidenceFrom/cg:sectionId ?practice .
                   ?subject_iri skos:prefLabel ?subject . ?object_iri skos:prefLabel ?object }
           ORDER BY ?practice ?subject ?relation ?object""",
    ),
}


def table_rows(store: GraphStore, name: str) -> tuple[tuple[str, ...], list[list[str]]]:
    """The header and rows of one analyst table."""
    header, query = TABLES[name]
    rows = [[row[column].value if column in row else "" for column in header]
            for row in store.select(PREFIXES + query)]
    return header, rows


def write_tables(store: GraphStore, out_dir: Path) -> dict[str, int]:
    """Write every table to ``out_dir``; returns the number of data rows per file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name in TABLES:
        header, rows = table_rows(store, name)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        (out_dir / name).write_text(buffer.getvalue(), encoding="utf-8")
        counts[name] = len(rows)
    return counts

