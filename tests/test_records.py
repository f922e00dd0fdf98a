"""The parser on every practice of the guidebook, and on the PDF-conversion patterns it must survive."""

from __future__ import annotations

from pathlib import Path

import pytest

from clustergraph.records import Guidebook, parse_guidebook
from clustergraph.source import Line, SourceText

# id -> title as in the body, cluster as printed, country (ISO alpha-2), ecosystem as printed.
EXPECTED = [
    ('3.1.1', 'Regional Innovative Network of Veneto', "RIBES PER L'ECOSISTEMA SALUTE E L'ALIMENTAZIONE SMART", 'IT', 'Health'),
    ('3.1.2', 'KOMPASS - Competence Centre for Maternity Leave and Career Management', 'Business Upper Austria-OÖ Wirtschaftsagentur GmbH', 'AT', 'cross-sectoral'),
    ('3.1.3', 'Sharing Best Practices', 'Develop HR Cluster', 'CZ', 'Cross-sectoral'),
    ('3.1.4', 'Integrated Ecosystems. The example of Romania', 'Romanian Cluster Association', 'RO', 'Cross-sectoral'),
    ('3.1.5', 'OTC-PromOcean', 'Ocean Technology Campus Rostock', 'DE', 'Cross-sectoral'),
    ('3.1.6', 'The Clean Team Project Ltd', 'Green Energy Cluster', 'RO', 'Energy-renewables'),
    ('3.1.7', 'Virtual Demonstrator of Solutions for the Mountains of Tomorrow - Cluster Montagne Solutions', 'Cluster Montagne', 'FR', 'Tourism'),
    ('3.1.8', 'Attracting FDI via Building up an Innovative Manufacturing Ecosystem', 'Ukrainian Automotive and Mobility Cluster', 'UA', 'Mobility-Transport-Automotive'),
    ('3.1.9', 'Partnerships for Horizon Europe (P4HEU) on Smart Cities and Communes', 'Italian Technology Cluster for Smart Communities (SmartCommunitiesTech)', 'IT', 'Cross-sectoral'),
    ('3.1.10', 'Clusters as Value Multipliers', 'Clust-ER Innovate Emilia-Romagna', 'IT', 'Digital'),
    ('3.1.11', 'R_Lab Mobility', 'Cluster Mobility & Logistics', 'DE', 'Mobility-Transport-Automotive'),
    ('3.1.12', 'One village, 1MW', 'Green Energy Innovative Biomass Cluster', 'RO', 'Energy-Renewables'),
    ('3.1.13', 'Light Design Village & Light & Green Lab', 'Rete di Imprese Luce in Veneto', 'IT', 'Cross-sectoral'),
    ('3.1.14', 'E-DIH Dante: The evolution of the cluster ecosystem', 'SMILE: National Technological Cluster on "Smart Living Technologies"', 'IT', 'Cross-sectoral'),
    ('3.1.15', 'The MEDIC NEST Model for Sustainable Cluster Collaboration', 'Imago-Mol Cluster', 'RO', 'Health'),
    ('3.2.1', 'The European Digital Innovation Hub in Transilvania', 'Transilvania IT Cluster', 'RO', 'Cross-sectoral'),
    ('3.2.2', 'French Initiatives and collaborations in EU Projects', 'SAFE Cluster', 'FR', 'Aerospace and Defence'),
    ('3.2.3', 'Building a Sustainable European Ecosystem', 'NANOPROGRESS, z.s.', 'CZ', 'Cross-sectoral'),
    ('3.2.4', 'The Plant Intercluster', 'VEGEPOLYS VALLEY', 'FR', 'Agri-Food'),
    ('3.2.5', 'Start-up Internationalisation', 'Smart Cluster - Start Up HUB', 'SK', 'Cross-sectoral'),
    ('3.2.6', 'SMEs Go Digital', 'Silesia Automotive & Advanced Manufacturing Cluster (SA&AM)', 'PL', 'Mobility-Transport-Automotive'),
    ('3.2.7', 'Innovative Water Management Solutions', 'CREA Hydro&Energy', 'CZ', 'Energy-Renewables'),
    ('3.2.8', 'CyberFESTSPIELE', 'CyberLAGO e.V. - digital competence network', 'DE', 'Digital'),
    ('3.2.9', 'Remote Healthcare Innovation', 'Hellenic Digital Health Cluster - HDHC', 'GR', 'Cross-sectoral'),
    ('3.2.10', 'Internationalisation via Coopetition', 'Bulgarian Furniture Cluster/ LIGNA GROUP', 'BG', 'Cultural and Creative Industries'),
    ('3.2.11', 'InnoDesign', 'Lublin Medicine Cluster', 'PL', 'Health'),
    ('3.2.12', 'Access to North American Market', 'Rete di Imprese Luce in Veneto', 'IT', 'Construction'),
    ('3.2.13', 'Ecological Transition Cycle', 'AKTANTIS', 'FR', 'Digital - Cross-sectoral'),
    ('3.2.14', 'Effective Leader', 'Silesia Automotive & Advanced Manufacturing Cluster (SA&AM)', 'PL', 'Mobility-Transport-Automotive'),
    ('3.2.15', 'Centre of Excellence for Furniture', 'Transylvanian Furniture Cluster', 'RO', 'Cross-sectoral'),
    ('3.2.16', 'Regional Trademark IO SONO FRIULI VENEZIA GIULIA', 'Fondazione Agrifood & Bioeconomy FVG', 'IT', ''),
    ('3.3.1', 'Green Hydrogen Valley', 'Green Tech Valley', 'AT', 'Energy-Renewables'),
    ('3.3.2', 'Boosting Excellent Research in the Czech Nanotechnology Sector', 'NANOPROGRESS, z.s.', 'CZ', 'Cross-sectoral'),
    ('3.3.3', 'Digits and Techics Push Recycling', 'Green Tech Valley', 'AT', 'Energy-Renewables'),
    ('3.3.4', "EU Projects: A Solution to Local Actors' Needs", 'VEGEPOLYS VALLEY', 'FR', 'Agri-Food'),
    ('3.3.5', 'Innovation Vouchers', 'AUTOKLASTR', 'CZ', 'Mobility-Transport-Automotive'),
    ('3.3.6', "Partnerships drive challenging 'living drugs' development", 'SaxoCell', 'DE', 'Health'),
    ('3.3.7', 'Cross-pollinating RDI & Business', 'SuperEcosystem', 'FI', 'Cross-sectoral'),
    ('3.4.1', 'Mountain Trends Book - A Collaborative Forecasting Tool', 'Cluster Montagne', 'FR', 'Tourism'),
    ('3.4.2', 'Piedmont Regional Innovation Cluster System', 'Sistema Poli di Innovazione Piemonte', 'IT', 'Cross-sectoral'),
    ('3.5.1', 'IPARLA: Industrial Plastic Recycling', 'Pays Basque Industries - Euskal Industriak', 'FR', 'Cross-sectoral'),
    ('3.5.2', 'Powering Green Transformation', 'Green Tech Valley', 'AT', 'Cross-sectoral'),
    ('3.5.3', 'Natural Wool Sourcing Platform lanatheque.fr', 'Lainamac - RésoLaine Nouvelle-Aquitaine', 'FR', 'Textile'),
    ('3.5.4', 'New Opportunities for Cluster Members in Third Markets', 'Bioeconomy Cluster', 'SK', 'Agri-Food'),
    ('3.5.5', 'Development of a Value Chain on Urban Agriculture', 'VEGEPOLYS VALLEY', 'FR', 'Agri-Food'),
    ('3.5.6', 'Programme eNCUENTRA: Skills for the Region', 'Cluster IDiA', 'ES', 'Digital Ecosystem'),
    ('3.5.7', 'Kickstart Trainings', 'Latvian IT Cluster / Latvian Digital Innovation Hub', 'LV', 'Cross-sectoral'),
    ('3.5.8', 'Courses for RES Installers', 'SAPI - Slovak Association of Sustainable Energy', 'SK', 'Energy-Renewables'),
    ('3.5.9', 'Live IT Projects', 'Košice IT Valley', 'SK', 'Cross-sectoral'),
    ('3.5.10', 'Programme for HR Development', 'ASTRICO NORD-EST TEXTILE CLUSTER', 'RO', 'Textile'),
    ('3.5.11', 'Collaborative System in the Textile Value Chain', 'ASTRICO NORD-EST TEXTILE CLUSTER', 'RO', 'Textile'),
    ('3.5.12', 'Catalonia Health Innovation Communities', 'Biocat', 'ES', 'Health'),
    ('3.5.13', 'QualiBioPharma', 'leap:up GmbH', 'DE', 'Health'),
    ('3.5.14', 'Future of Footwear and Plastics Manufacturing', 'Czech Footwear and Leather Association Paves the Way for the Future of Footwear and Plastics Manufacturing', 'CZ', 'Textile'),
    ('3.5.15', 'Joining Forces to Support Technical Education', 'HR Development Cluster', 'CZ', 'Proximity, Social Economy, and Civil Security'),
    ('3.5.16', 'GO Furniture META-CLUSTER', 'GO Furniture META-CLUSTER', 'RO', 'Cross-sectoral'),
    ('3.5.17', 'Innovation Platform Project', 'Cluster Legno Arredo e Sistema Casa FVG Srl Consortile', 'IT', 'Cross-sectoral'),
]


def test_all_57_practices_come_out(guidebook: Guidebook) -> None:
    assert [p.section_id for p in guidebook.practices] == [row[0] for row in EXPECTED]
    assert len(guidebook.practices) == 57


@pytest.mark.parametrize(("sid", "title", "cluster", "country", "ecosystem"), EXPECTED, ids=[r[0] for r in EXPECTED])
def test_practice_header(guidebook: Guidebook, sid: str, title: str, cluster: str, country: str,
                         ecosystem: str) -> None:
    practice = guidebook.practice(sid)
    assert practice is not None
    assert (practice.title, practice.cluster_name, practice.country_code, practice.ecosystem_printed) == (
        title, cluster, country, ecosystem)


def test_chapters_are_the_five_cluster_roles(guidebook: Guidebook) -> None:
    assert [c.section_id for c in guidebook.chapters] == ["3.1", "3.2", "3.3", "3.4", "3.5"]
    assert guidebook.chapters[3].heading.startswith("Clusters can avoid policy priorities being stuck")
    assert "Innovation ecosystems" in guidebook.chapters[0].intro
    assert {p.chapter_id for p in guidebook.practices} == {"3.1", "3.2", "3.3", "3.4", "3.5"}


def test_every_practice_has_challenges_and_results(guidebook: Guidebook) -> None:
    for practice in guidebook.practices:
        assert practice.section("challenges"), practice.section_id
        assert practice.section("results"), practice.section_id


def test_what_could_not_be_placed_is_reported(guidebook: Guidebook) -> None:
    reported = {(i.section_id, i.kind, i.text) for i in guidebook.issues}
    assert ("3.2.5", "unplaced", "in contact block: StartUP HUB") in reported
    assert ("3.2.5", "unplaced", "in contact block: Smart Klaster") in reported
    assert ("3.5.4", "unplaced", "in contact block: GB") in reported
    assert ("3.2.16", "empty-value", "industrial ecosystem") in reported
    assert ("3.5.12", "missing-section", "stakeholders") in reported
    assert ("3.5.16", "missing-section", "actions") in reported


def test_no_body_line_is_lost(guidebook: Guidebook) -> None:
    """Every non-blank line of a practice ends up in a field, a known form prompt, or the issue report."""
    for practice in guidebook.practices:
        kept = " ".join([practice.title, practice.cluster_name, practice.country_printed,
                         practice.ecosystem_printed, *practice.persons, *practice.emails,
                         *(text for _, text in practice.sections), *practice.more_information,
                         *(i.text for i in guidebook.issues if i.section_id == practice.section_id)])
        for line in practice.text.split("\n")[1:]:
            text = line.strip()
            if not text or text.startswith(("What was", "Who was", "What have", "Please describe", "Name of",
                                             "Country", "Industrial ecosystem", "Contact", "Challenges",
                                             "Stakeholders", "Actions", "Results and benefits", "More information")):
                continue
            if "@" in text or "www." in text or "http" in text:
                continue
            assert text in kept, f"{practice.section_id}: line lost: {text!r}"


def test_contacts_are_split_into_persons_emails_and_websites(guidebook: Guidebook) -> None:
    practice = guidebook.practice("3.2.13")
    assert practice is not None
    assert practice.persons == ("Anaïs M", "Marielle Campanella")
    assert practice.emails == ("marielle.campanella@aktantis.com",)
    r_lab = guidebook.practice("3.1.11")
    assert r_lab is not None
    assert r_lab.websites == ("http://www.mobilitylogistics.de/en/mobility/data-networking/r-lab-mobility",)


def _parse(text: str) -> Guidebook:
    lines = tuple(Line(n, t) for n, t in enumerate(text.split("\n"), 1))
    return parse_guidebook(SourceText(Path("synthetic.txt"), lines, ""))


def test_conversion_patterns() -> None:
    """Values on the next line, a label without colon, a title over two lines, sections out of order."""
    guidebook = _parse(
        "3.1 Role heading\nintro\n"
        "3.1.1 A title broken\nover two lines\n"
        "Name of the cluster/association\nFirst part of a name\nsecond part\n"
        "Country:\n\nGR - Greece\nIndustrial ecosystem:\n\nDigital - Cross-sectoral\n"
        "Contact\nJane Doe\njane@example.org\n[www.example.org/a/\nb](http://www.example.org/a/b)\nLOGO\n"
        "Stakeholders\nWho was involved in the development of the good practice?\nPartners.\n"
        "Challenges\nWhat was the starting point?\nThe start.\n"
        "Results and benefits.\nIt worked.\n"
    )
    (practice,) = guidebook.practices
    assert practice.title == "A title broken over two lines"
    assert practice.cluster_name == "First part of a name second part"
    assert (practice.country_code, practice.ecosystem_printed) == ("GR", "Digital - Cross-sectoral")
    assert practice.persons == ("Jane Doe",) and practice.emails == ("jane@example.org",)
    assert practice.websites == ("http://www.example.org/a/b",)
    assert practice.section("stakeholders") == "Partners." and practice.section("results") == "It worked."
    kinds = {(i.kind, i.text) for i in guidebook.issues}
    assert ("unplaced", "in contact block: LOGO") in kinds
    assert ("missing-section", "actions") in kinds


def test_unknown_country_and_empty_values_are_reported() -> None:
    guidebook = _parse("3.1.1 T\nName of the cluster/association: X\nCountry: Atlantis\n"
                       "Industrial ecosystem:\nChallenges\nc\nResults and benefits\nr\n")
    kinds = {(i.kind, i.text) for i in guidebook.issues}
    assert ("unknown-country", "Atlantis") in kinds
    assert ("empty-value", "industrial ecosystem") in kinds
    assert guidebook.practices[0].country_code is None
