"""The curation against the source text and the public standards in the reference data (CLUSTERGRAPH_REFERENCE_DIR)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from clustergraph.authority import alpha3
from clustergraph.build import BuildResult, make_dataset
from clustergraph.curation import Curation, load_curation, normalise_name
from clustergraph.curation_check import check_curation, report_problems
from clustergraph.errors import CurationError
from clustergraph.evidence import check_evidence, register_hits, uncovered_hits
from clustergraph.records import Guidebook
from clustergraph.settings import Settings
from clustergraph.validate import flatten
from clustergraph.vocab import CG


def _codes(path: Path) -> set[str]:
    with path.open(encoding="utf-8") as handle:
        return {row["code"] for row in csv.DictReader(handle)}


def test_curation_holds_against_the_source(curation: Curation, guidebook: Guidebook) -> None:
    """Every quote occurs in its practice, every name is quoted, every owner and programme hit is covered, and
    every statement's quotes name both of its ends (the README's rule)."""
    assert check_evidence(curation, guidebook) == []


def test_every_printed_owner_resolves_to_one_organisation(curation: Curation, guidebook: Guidebook) -> None:
    owners = {p.section_id: curation.resolve_organisation(p.cluster_name) for p in guidebook.practices}
    assert all(owners.values())
    assert owners["3.1.6"] == owners["3.1.12"]  # Green Energy Cluster, printed two ways
    assert owners["3.2.4"] == owners["3.3.4"] == owners["3.5.5"]


def test_no_two_entities_share_a_name(curation: Curation) -> None:
    seen: dict[str, str] = {}
    for register in (curation.organisations, curation.programmes, curation.projects):
        for entity in register.values():
            for name in {normalise_name(n) for n in (entity.name, *entity.aliases)}:
                assert seen.setdefault(name, entity.id) == entity.id, name


def test_regions_are_nuts_2021_with_eurostat_names(curation: Curation, reference: Path) -> None:
    with (reference / "nuts/nuts2021.csv").open(encoding="utf-8") as handle:
        nuts = {row["code"]: row for row in csv.DictReader(handle)}
    assert curation.regions
    for code, region in curation.regions.items():
        assert code in nuts, code
        assert region.name == nuts[code]["name_latn"], code
        assert (region.parent or "") == nuts[code]["parent"], code


def test_eu_programme_codes_exist_in_the_authority_table(curation: Curation, reference: Path) -> None:
    codes = _codes(reference / "eu-vocabularies/eu-programme.csv")
    used = {code for programme in curation.programmes.values() for code in programme.eu_programme}
    assert {"COSME", "HORIZONEU", "DIGITALEU", "SINGLEMKT"} <= used
    assert used <= codes


def test_country_codes_map_to_the_eu_country_table(curation: Curation, guidebook: Guidebook,
                                                   reference: Path) -> None:
    table = _codes(reference / "eu-vocabularies/country.csv")
    codes = {o.country for o in curation.organisations.values() if o.country}
    codes |= {p.country_code for p in guidebook.practices if p.country_code}
    for code in codes:
        assert alpha3(code) in table, code
    assert curation.organisations["shpdk"].country == "XKX"  # "SHPDK - Kosovo": the EU table's code


def test_register_hits_find_programme_names(curation: Curation, guidebook: Guidebook) -> None:
    practice = guidebook.practice("3.1.15")
    assert practice is not None
    hits = register_hits(practice, curation)
    assert {"cosme", "i3"} <= {hit.programme for hit in hits}
    if "3.1.15" not in curation.practices:
        assert uncovered_hits(practice, curation) == hits


def _copy(settings: Settings, tmp_path: Path) -> Path:
    target = tmp_path / "curation"
    shutil.copytree(settings.path(settings.curation_dir), target)
    return target


@pytest.mark.parametrize(("file", "content", "message"), [
    ("organisations/x.yaml", "- id: a\n  name: [unclosed\n", "not valid YAML"),
    ("organisations/x.yaml", "- id: dup-a\n  name: VEGEPOLYS VALLEY\n  type: company\n",
     "is also used by"),
    ("organisations/x.yaml", "- id: x-org\n  name: X\n  type: company\n  colour: red\n", "unknown key 'colour'"),
    ("organisations/x.yaml", "- id: x-org\n  name: X\n  type: company\n  country: Italy\n", "alpha-2"),
    ("organisations/x.yaml", "- id: nobody\n  aliases: [Y]\n", "extends unknown id 'nobody'"),
    ("practices/3.9.9.yaml", "practice: 3.9.9\nfunding:\n  - programme: no-such\n    quote: q\n",
     "funding by unknown programme 'no-such'"),
    ("practices/3.9.9.yaml", "practice: 3.9.9\nparticipations:\n  - organisation: vegepolys-valley\n"
     "    role: emperor\n    quote: q\n", "'role: emperor' is not one of"),
    ("practices/3.9.9.yaml", "practice: 3.9.9\nrelations:\n  - subject: vegepolys-valley\n    relation: member-of\n"
     "    object: nobody\n    quote: q\n", "relation with unknown organisation or project 'nobody'"),
    ("practices/3.9.9.yaml", "practice: 3.9.9\nrelations:\n  - subject: suave\n    relation: member-of\n"
     "    object: vegepolys-valley\n    quote: q\n", "'member-of' needs an organisation as subject, not the project 'suave'"),
    ("practices/3.9.9.yaml", "practice: 3.9.9\nrelations:\n  - subject: suave\n    relation: part-of\n"
     "    object: vegepolys-valley\n    quote: q\n", "'part-of' links two organisations or two projects"),
    ("practices/3.9.9.yaml", "practice: 3.9.9\nunder:\n  - project: nothing\n    programme: edih\n    quote: q\n",
     "'under' names unknown project 'nothing'"),
    ("practices/3.9.9.yaml", "practice: 3.9.9\nrelations:\n  - subject: suave\n    relation: sponsors\n"
     "    object: resist\n    quote: q\n", "'relation: sponsors' is not one of"),
])
def test_broken_curation_files_give_clear_errors(settings: Settings, tmp_path: Path, file: str, content: str,
                                                 message: str) -> None:
    directory = _copy(settings, tmp_path)
    (directory / file).write_text(content, encoding="utf-8")
    with pytest.raises(CurationError) as caught:
        load_curation(directory)
    assert message in str(caught.value)


def test_a_quote_not_in_the_text_is_reported(curation: Curation, guidebook: Guidebook) -> None:
    from dataclasses import replace

    from clustergraph.curation import Placement

    practice = curation.practices["3.2.16"]
    forged = replace(practice, placements=(Placement("3.2.16", "ITH4", "a sentence nobody wrote"),))
    problems = check_evidence(replace(curation, practices={**curation.practices, "3.2.16": forged}), guidebook)
    assert problems == ["practices/3.2.16.yaml: quote not found in 3.2.16: 'a sentence nobody wrote'"]


def test_printed_variants_are_one_entity(curation: Curation) -> None:
    """The same body printed two ways resolves to one organisation (merged on evidence in the text)."""
    same = [("IMAGO-MOL", "Imago-Mol Cluster"), ("ClustER Health", "Clust-ER Health"),
            ("Green Energy Cluster", "Green Energy Innovative Biomass Cluster"), ("SA&AM", "SA&AM Cluster"),
            ("Luce in Veneto", "Rete di Imprese Luce in Veneto"), ("Nanoprocess", "NANOPROGRESS, z.s."),
            ("Astrico Nord-Est", "ASTRICO NORD-EST TEXTILE CLUSTER")]
    for one, other in same:
        first, second = curation.resolve_organisation(one), curation.resolve_organisation(other)
        assert first is not None and first == second, (one, other)


def test_the_seven_piedmont_innovation_clusters_are_members_of_sistema_poli(curation: Curation) -> None:
    members = {r.subject for r in curation.practices["3.4.2"].relations
               if r.relation == "member-of" and r.object == "sistema-poli-innovazione-piemonte"}
    names = {curation.organisations[m].name for m in members}
    assert names == {"Polo ICT", "Polo Agrifood", "Pointex", "MESAP", "CGreen", "CLEVER", "bioPmed"}


def test_the_register_has_the_programmes_the_text_names(curation: Curation) -> None:
    names = {n for p in curation.programmes.values() for n in (p.name, *p.aliases)}
    assert {"COSME", "Horizon Europe", "Horizon 2020", "Euroclusters", "EDIH", "Digital Europe", "Interreg",
            "Erasmus+", "ERDF", "ESF", "LIFE", "EIC", "EIT", "I3", "INNOSUP", "PRIMA", "Enterprise Europe Network",
            "BMBF Clusters4Future", "Future Cluster Initiative", "OP TAK", "PR FESR 2021-2027",
            "PR Veneto FESR 2021-2027"} <= names
    parents = {p.id: p.parent for p in curation.programmes.values()}
    assert parents["euroclusters"] == "single-market-programme" and parents["edih"] == "digital-europe"


def test_named_projects_are_curated_with_their_programme(curation: Curation) -> None:
    names = {n: p.id for p in curation.projects.values() for n in (p.name, *p.aliases)}
    for name in ("SUAVE", "RESIST", "SecurIT", "IRHIS", "InnoMedCatalyst", "Clusters4Health", "MEDIC NEST",
                 "F2F Health Matters", "RECIPROCITY", "DEBUTING", "InnoCape", "CLIPS", "DANTE", "TEDIHT", "P4HEU",
                 "Plant Inter Cluster", "INGENIOUS", "VIDA", "GSSC", "AdPack2", "INNODROP", "Blues"):
        assert name in names, name
    framed = {(f.target, f.programme) for p in curation.practices.values() for f in p.fundings}
    framed |= {(a.project, a.programme) for p in curation.practices.values() for a in p.affiliations}
    assert {("suave", "euroclusters"), ("resist", "euroclusters"), ("securit", "innosup"), ("dante", "edih"),
            ("innomedcatalyst", "i3"), ("clusters4health", "cosme"), ("debuting", "interreg"),
            ("tediht", "edih")} <= framed


def test_practices_are_placed_in_the_regions_the_text_names(curation: Curation) -> None:
    placed = {p.nuts for practice in curation.practices.values() for p in practice.placements}
    # Veneto, Upper Austria, Emilia-Romagna, Zlin, Piedmont, Catalonia, Aragon, North-East and North-West
    # Romania, Styria, North Savo, Saxony, Konstanz on Lake Constance
    assert {"ITH3", "AT31", "ITH5", "CZ072", "ITC1", "ES51", "ES24", "RO21", "RO11", "AT22", "FI1D2", "DED",
            "DE138"} <= placed


def test_every_practice_is_curated(curation: Curation, guidebook: Guidebook) -> None:
    """So every programme name in every practice is covered (the coverage check applies to curated practices)."""
    assert set(curation.practices) == {p.section_id for p in guidebook.practices}


@pytest.mark.parametrize(("old", "new", "message"), [
    ("  country: AT\n", "  country: XXX\n", "organisations/shared.yaml:20 [green-tech-valley]: country 'XXX' is not in"),
    ("  country: FR\n  region: FRG02", "  country: IT\n  region: FRG02",
     "organisations/shared.yaml:4 [vegepolys-valley]: region FRG02 lies in FR, not in the organisation's country IT"),
    ("  type: cluster-organisation\n  country: AT\n", "  type: public-authority\n  country: AT\n",
     "organisations/shared.yaml:20 [green-tech-valley]: 'green-tech-valley' owns practice 3.3.1 but is a "
     "public-authority"),
    ("  name: Green Tech Valley\n", "  name: Green Tech Valley\n  name: Green Tech Valey\n",
     "organisations/shared.yaml:22: not valid YAML: key 'name' is given twice"),
])
def test_curation_check_names_file_and_entry_of_what_build_refuses(project_copy: Settings, old: str, new: str,
                                                                   message: str, reference: Path) -> None:
    shared = project_copy.path(project_copy.curation_dir) / "organisations" / "shared.yaml"
    text = shared.read_text(encoding="utf-8")
    assert old in text
    shared.write_text(text.replace(old, new, 1), encoding="utf-8")
    _, _, problems = check_curation(project_copy)
    assert any(problem.startswith(message) for problem in problems), problems
    with pytest.raises(CurationError) as refused:  # and the build refuses it with the same words
        make_dataset(project_copy)
    assert message in str(refused.value)


def test_a_shape_violation_is_traced_to_its_curation_entry(curation: Curation, settings: Settings) -> None:
    report = Graph()
    result = BNode()
    report.add((result, RDF.type, SH.ValidationResult))
    report.add((result, SH.focusNode, URIRef(settings.base_iri + "organisation/shpdk")))
    report.add((result, SH.resultMessage, Literal("planted")))
    assert report_problems(report, curation, settings.base_iri) == [
        f"{curation.organisations['shpdk'].where}: planted ({settings.base_iri}organisation/shpdk)"]
    assert curation.organisations["shpdk"].where.startswith("organisations/3.5.9-3.5.17.yaml:")


def test_the_duplicated_body_of_3_3_3_is_a_source_note_and_its_statements_live_in_3_3_1(
        curation: Curation, build_result: BuildResult, settings: Settings) -> None:
    repeated = curation.practices["3.3.3"]
    assert [(note.kind, note.repeats) for note in repeated.source_notes] == [("duplicated-text", "3.3.1"),
                                                                            ("typo", None)]
    assert not (repeated.participations or repeated.relations or repeated.fundings)
    graph = flatten(build_result.built.dataset)
    practice = URIRef(settings.base_iri + "practice/3.3.3")
    notes = list(graph.objects(practice, CG.sourceNote))
    assert {str(graph.value(note, CG.noteKind)) for note in notes} == {"duplicated-text", "typo"}
    assert URIRef(settings.base_iri + "practice/3.3.1") in {graph.value(note, CG.repeats) for note in notes}


def test_a_repeating_practice_may_not_carry_statements_again(settings: Settings, tmp_path: Path) -> None:
    directory = _copy(settings, tmp_path)
    path = directory / "practices" / "3.3.3.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "participations:\n  - organisation: andritz\n"
                    "    role: partner\n    quote: \"partners such as Andritz to be won over\"\n", encoding="utf-8")
    with pytest.raises(CurationError) as caught:
        load_curation(directory)
    assert "practices/3.3.3.yaml: the text repeats another practice's" in str(caught.value)


def _statements(curation: Curation, sid: str) -> list[tuple[str, str, str | None]]:
    practice = curation.practices[sid]
    return ([(p.organisation, p.role, p.target) for p in practice.participations]
            + [(r.subject, r.relation, r.object) for r in practice.relations])


def test_review_fixes_of_issue_12_stay_fixed(curation: Curation, build_result: BuildResult) -> None:
    """Each statement the issue named as resting on inference is gone or stated the way the text states it."""
    # 3.1.4: the text never says ReNITT is "The National Network for Innovation and Technology Transfer"
    assert curation.projects["renitt"].aliases == ()
    assert "national-network-innovation-technology-transfer" in curation.projects
    # 3.4.2: "established the Innovation Clusters" names none of the seven: no "Regione Piemonte founded X"
    assert not [s for s in _statements(curation, "3.4.2") if s[1] == "founded"]
    # 3.2.6: no operator role without a quote naming the cluster; the hub its coordinator manages is linked
    sa_am = [s for s in _statements(curation, "3.2.6") if s[1] == "operator"]
    assert sa_am == [("silesia-automotive-advanced-manufacturing", "operator", "sa-am-digital-innovation-hub")]
    # 3.5.3: the statement whose quote named neither end is gone; the platform is a mention of the practice
    assert not curation.practices["3.5.3"].participations
    assert [m.project for m in curation.practices["3.5.3"].mentions] == ["lanatheque"]
    # 3.2.11: a faculty and a student group are part of their university, never its collaborators
    assert ("lublin-university-of-technology", "partner", "innodesign") not in _statements(curation, "3.2.11")
    assert ("health-architecture-student-research-group", "coordinator", "innodesign-design-workshop") in \
        _statements(curation, "3.2.11")
    university = "lublin-university-of-technology"
    assert not [link for link in build_result.built.collaborations if university in (link.a, link.b)
                and {link.a, link.b} & {"faculty-of-civil-engineering-and-architecture-lublin",
                                        "health-architecture-student-research-group"}]
    # 3.5.16: "Furniture GO International" is linked (a mention: the text names no partner or funder)
    assert "furniture-go-international" in {m.project for m in curation.practices["3.5.16"].mentions}


def test_every_registered_project_is_linked(curation: Curation) -> None:
    linked = {m.project for p in curation.practices.values() for m in p.mentions if m.project}
    for practice in curation.practices.values():
        linked |= {p.target for p in practice.participations if p.target}
        linked |= {f.target for f in practice.fundings if f.target}
        linked |= {a.project for a in practice.affiliations}
        linked |= {r.subject for r in practice.relations} | {r.object for r in practice.relations}
    assert set(curation.projects) <= linked, set(curation.projects) - linked


def test_a_chain_quote_not_in_the_text_is_reported(curation: Curation, guidebook: Guidebook) -> None:
    from dataclasses import replace

    practice = curation.practices["3.1.9"]
    first = practice.participations[0]  # its own quote names both ends, so only the chain can be wrong
    forged = replace(practice, participations=(replace(first, chain=("a sentence nobody wrote",)),
                                               *practice.participations[1:]))
    problems = check_evidence(replace(curation, practices={**curation.practices, "3.1.9": forged}), guidebook)
    assert problems == [f"{first.where} (chain): quote not found in 3.1.9: 'a sentence nobody wrote'"]


# A role whose quote names only one end (NextMove, not P4HEU), appended to 3.1.9's participations.
ONE_END = ("participations:\n", "participations:\n  - organisation: nextmove\n    in: p4heu\n    role: coordinator\n"
           "    quote: \"NextMove (France)\"\n")


def test_a_statement_whose_quotes_name_one_end_is_refused_with_file_and_entry(project_copy: Settings) -> None:
    path = project_copy.path(project_copy.curation_dir) / "practices" / "3.1.9.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(*ONE_END, 1), encoding="utf-8")
    _, _, problems = check_curation(project_copy)
    assert problems == ["practices/3.1.9.yaml:4 participations[0]: no name or alias of 'p4heu' in 'NextMove (France)'; "
                        "quote a longer passage that names it, record a 'chain' of quotes, or weaken the statement"]
    with pytest.raises(CurationError) as refused:  # the build refuses it with the same words
        make_dataset(project_copy)
    assert "practices/3.1.9.yaml:4 participations[0]: no name or alias of 'p4heu'" in str(refused.value)
    # a recorded chain whose quote names the other end makes the same statement acceptable
    chained = ONE_END[1] + "    chain: [\"The Partnerships for Horizon Europe (P4HEU) initiative involves clusters\"]\n"
    path.write_text(text.replace(ONE_END[0], chained, 1), encoding="utf-8")
    assert check_curation(project_copy)[2] == []


def test_the_owner_needs_no_name_only_in_its_own_practice_and_only_as_we_or_the_cluster(
        curation: Curation) -> None:
    from dataclasses import replace

    from clustergraph.curation import Participation
    from clustergraph.statement_ends import unnamed_ends

    def unnamed(organisation: str, quote: str, owner: str | None) -> list[str]:
        statement = Participation("3.1.9", organisation, "p4heu", "partner", quote, where="here")
        practice = replace(curation.practices["3.1.9"], participations=(statement,), relations=())
        return [found.end for found in unnamed_ends(practice, curation, owner)]

    p4heu = "the P4HEU initiative"
    assert unnamed("smartcommunitiestech", f"we launched {p4heu}", "smartcommunitiestech") == []
    assert unnamed("smartcommunitiestech", f"The Cluster launched {p4heu}", "smartcommunitiestech") == []
    assert unnamed("smartcommunitiestech", f"launched {p4heu}", "smartcommunitiestech") == ["smartcommunitiestech"]
    assert unnamed("nextmove", f"we launched {p4heu}", "smartcommunitiestech") == ["nextmove"]
    assert unnamed("smartcommunitiestech", f"the clusters launched {p4heu}", "smartcommunitiestech") == [
        "smartcommunitiestech"]


def test_recorded_chains_reach_the_graph_beside_their_quote(curation: Curation, build_result: BuildResult) -> None:
    """Every chain quote is a cg:chainQuote of its statement (the ends rule itself: test_curation_holds_...)."""
    chained = {" ".join(link.split()) for p in curation.practices.values()
               for s in (*p.participations, *p.fundings, *p.affiliations, *p.relations) for link in s.chain}
    assert len(chained) > 50
    graph = flatten(build_result.built.dataset)
    assert {str(quote) for quote in graph.objects(None, CG.chainQuote)} == chained
    # 3.1.9: NextMove co-launched P4HEU, named only in the sentence before the one quoted
    statement = next(s for s in graph.subjects(CG.chainQuote, Literal(
        "The Partnerships for Horizon Europe (P4HEU) initiative involves clusters from across Europe."))
        if (s, CG.relationKind, Literal("founded")) in graph
        and str(graph.value(s, CG.relationSubject)).endswith("/nextmove"))
    assert str(graph.value(statement, CG.relationObject)).endswith("/p4heu")
