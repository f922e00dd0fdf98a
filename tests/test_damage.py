"""Damaged input, as property tests: the parser and the curation loader report the place, never crash, and never
hand back a smaller result without saying so."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clustergraph.curation import Curation, load_curation
from clustergraph.errors import CurationError, SourceError
from clustergraph.records import parse_guidebook
from clustergraph.settings import Settings
from clustergraph.source import HEADING, Line, SourceText, read_source

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "data" / "source" / "eca-good-practices.txt"
CURATION = ROOT / "data" / "curation"
LINES = SOURCE.read_text(encoding="utf-8").split("\n")
HEADING_LINES = [i for i, line in enumerate(LINES) if "\t" not in line and HEADING.match(line)]
FILES = sorted(str(path.relative_to(CURATION)) for path in CURATION.glob("*/*.yaml"))
# derandomize: the same examples on every run (the house rule: tests are deterministic)
EXAMPLES = settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
# Each curation example loads every file (about 0.4 s): fewer examples, still every kind of damage.
FILE_EXAMPLES = settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


def _source(lines: list[str]) -> SourceText:
    return SourceText(SOURCE, tuple(Line(n, text) for n, text in enumerate(lines, 1)), "")


def _mangle(heading: str, how: int) -> str:
    """A heading as a PDF conversion might break it."""
    sid, _, title = heading.partition(" ")
    return [f"{sid}{title}", f"{sid}\t{title}", f"{sid.replace('.', ' .', 1)} {title}", title, f" {heading}x",
            heading.lower()][how]


damaged_texts = st.one_of(
    st.integers(0, len(LINES)).map(lambda cut: LINES[:cut]),  # truncated
    st.lists(st.integers(0, len(LINES) - 1), max_size=40).map(  # lines lost
        lambda lost: [line for i, line in enumerate(LINES) if i not in set(lost)]),
    st.tuples(st.lists(st.sampled_from(HEADING_LINES), min_size=1, max_size=5), st.integers(0, 5)).map(
        lambda case: [_mangle(line, case[1]) if i in case[0] else line for i, line in enumerate(LINES)]),
    st.tuples(st.integers(0, len(LINES)), st.text(max_size=80)).map(  # junk inserted, headings repeated
        lambda case: LINES[:case[0]] + [case[1], LINES[HEADING_LINES[case[0] % len(HEADING_LINES)]]]
        + LINES[case[0]:]),
)


@EXAMPLES
@given(damaged_texts)
def test_a_damaged_guidebook_is_parsed_with_every_loss_reported(lines: list[str]) -> None:
    guidebook = parse_guidebook(_source(lines))
    kinds: dict[str, set[str]] = {}
    for issue in guidebook.issues:
        kinds.setdefault(issue.section_id, set()).add(issue.kind)
    found = {p.section_id for p in guidebook.practices} | {c.section_id for c in guidebook.chapters}
    for sid in guidebook.source.toc:  # every practice the contents announce is parsed, or reported missing
        assert sid in found or "missing-in-body" in kinds.get(sid, set()), sid
    for practice in guidebook.practices:
        for value, label in ((practice.cluster_name, "name of the cluster/association"),
                             (practice.country_printed, "country")):
            if not value:
                assert kinds.get(practice.section_id, set()) & {"missing-label", "empty-value"}, practice.section_id
        if practice.country_printed and practice.country_code is None:
            assert "unknown-country" in kinds[practice.section_id]
    headings = [m["id"] for line in lines if "\t" not in line and (m := HEADING.match(line))]
    for sid in {sid for sid in headings if headings.count(sid) > 1}:  # a heading printed twice is reported
        assert "repeated-heading" in kinds.get(sid, set()), sid


@EXAMPLES
@given(st.binary(max_size=2000) | st.integers(0, 20000).map(lambda cut: SOURCE.read_bytes()[:cut]))
def test_an_unreadable_guidebook_is_a_source_error_naming_the_file(tmp_path_factory: pytest.TempPathFactory,
                                                                   raw: bytes) -> None:
    path = tmp_path_factory.mktemp("source") / "guide.txt"
    path.write_bytes(raw)
    try:
        read_source(path)
    except SourceError as error:
        assert str(path) in str(error)


@pytest.fixture(scope="module")
def curation_copy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    target = tmp_path_factory.mktemp("damage") / "curation"
    shutil.copytree(CURATION, target)
    yield target


def _size(curation: Curation) -> int:
    """Entries and statements, with aliases and evidence: what the graph is made of."""
    entities = [*curation.organisations.values(), *curation.programmes.values(), *curation.projects.values()]
    statements = sum(len(p.participations) + len(p.fundings) + len(p.mentions) + len(p.relations)
                     + len(p.affiliations) + len(p.placements) + len(p.source_notes) for p in curation.practices.values())
    return len(entities) + sum(len(e.aliases) + len(e.evidence) for e in entities) + statements + len(curation.regions)


ORIGINAL_SIZE = _size(load_curation(CURATION))


def _load_damaged(directory: Path, name: str, text: str) -> tuple[Curation | None, list[str]]:
    """Load the curation with ``name`` replaced by ``text``; put the file back afterwards."""
    path = directory / name
    original = path.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    try:
        return load_curation(directory), []
    except CurationError as error:
        return None, error.problems
    finally:
        path.write_text(original, encoding="utf-8")


def _entries(text: str) -> list[dict[str, object]]:
    doc = yaml.safe_load(text)
    return doc if isinstance(doc, list) else [doc]


WRONG_VALUES = st.sampled_from([[], {}, 7, 3.5, True, "", [{"x": 1}], {"a": [1, 2]}, None])
# Keys an entry may lack (or leave empty) and still be whole.
OPTIONAL = {"aliases", "note", "eu_programme", "region", "country", "parent", "label", "in", "regions",
            "participations", "funding", "mentions", "relations", "under", "source_notes", "ecosystem", "evidence",
            "repeats"}


@FILE_EXAMPLES
@given(name=st.sampled_from(FILES), data=st.data())
def test_a_wrong_type_or_a_missing_key_names_the_file_and_entry(curation_copy: Path, name: str,
                                                                 data: st.DataObject) -> None:
    text = (CURATION / name).read_text(encoding="utf-8")
    entries = _entries(text)
    if not entries or not all(isinstance(entry, dict) for entry in entries):
        return  # an empty register file
    index = data.draw(st.integers(0, len(entries) - 1))
    entry = entries[index]
    key = data.draw(st.sampled_from(sorted(entry)))
    if data.draw(st.booleans()):
        value = data.draw(WRONG_VALUES)
        if key in OPTIONAL and value in ([], "", None):
            return  # an empty optional value is a legitimate (smaller) entry, not damage
        entry[key] = value
    else:
        if key in OPTIONAL:
            return
        del entry[key]
    damaged = yaml.safe_dump(entries if isinstance(yaml.safe_load(text), list) else entries[0],
                             allow_unicode=True, sort_keys=False)
    curation, problems = _load_damaged(curation_copy, name, damaged)
    assert curation is None, (name, key)
    assert any(problem.startswith(name) for problem in problems), problems


@FILE_EXAMPLES
@given(name=st.sampled_from(FILES), cut=st.floats(0, 1))
def test_a_truncated_file_is_an_error_or_loses_only_what_was_cut(curation_copy: Path, name: str,
                                                                 cut: float) -> None:
    text = (CURATION / name).read_text(encoding="utf-8")
    kept = text[:int(len(text) * cut)]
    curation, problems = _load_damaged(curation_copy, name, kept)
    if curation is None:
        assert any(re.match(rf"({re.escape(name)}|[\w./-]+\.yaml)", problem) for problem in problems), problems
        return
    # It loaded: then what was lost is exactly the entries (or trailing values) after the cut, nothing more.
    whole = _entries(text)
    remaining = yaml.safe_load(kept)
    if remaining is None or not isinstance(remaining, list | dict):
        pytest.fail(f"{name} cut to {len(kept)} characters loaded silently")
    survivors = remaining if isinstance(remaining, list) else [remaining]
    for before, after in zip(whole, survivors, strict=False):
        for key in after:
            assert key in before
    assert _size(curation) <= ORIGINAL_SIZE


@FILE_EXAMPLES
@given(name=st.sampled_from(FILES), at=st.floats(0, 1), junk=st.sampled_from(
    ["[", "{", ": :", "- - -\n  x", "\t", "\"unclosed", "&a [*a]", "!!python/object:os.system x", "%YAML 9.9",
     "key: value\nkey: value", "\n  - broken: [\n"]))
def test_broken_yaml_names_the_file_and_never_crashes(curation_copy: Path, name: str, at: float, junk: str) -> None:
    text = (CURATION / name).read_text(encoding="utf-8")
    position = int(len(text) * at)
    curation, problems = _load_damaged(curation_copy, name, text[:position] + junk + text[position:])
    if curation is None:
        assert problems and all(isinstance(problem, str) for problem in problems)
    else:  # the junk landed where YAML reads it as text (inside a quote or a comment): nothing was lost
        assert _size(curation) >= ORIGINAL_SIZE


@FILE_EXAMPLES
@given(name=st.sampled_from([f for f in FILES if not f.startswith("practices/")]), data=st.data())
def test_a_duplicated_entry_is_refused_with_both_places(curation_copy: Path, name: str,
                                                        data: st.DataObject) -> None:
    text = (CURATION / name).read_text(encoding="utf-8")
    entries = _entries(text)
    definitions = [e for e in entries if isinstance(e, dict) and "name" in e]
    if not definitions:
        return
    twin = data.draw(st.sampled_from(definitions))
    damaged = text + "\n" + yaml.safe_dump([twin], allow_unicode=True, sort_keys=False)
    curation, problems = _load_damaged(curation_copy, name, damaged)
    assert curation is None
    assert any(problem.startswith(name) and f"'{twin['id']}' is defined twice (first at {name}:" in problem
               for problem in problems), problems


def test_a_lost_practice_file_is_reported(curation_copy: Path, settings: Settings) -> None:
    from clustergraph.evidence import check_evidence
    from clustergraph.source import read_source as read

    path = curation_copy / "practices" / "3.2.2.yaml"
    original = path.read_text(encoding="utf-8")
    path.unlink()
    try:
        problems = check_evidence(load_curation(curation_copy), parse_guidebook(read(SOURCE)))
    finally:
        path.write_text(original, encoding="utf-8")
    assert any(problem.startswith("practices/3.2.2.yaml: missing") for problem in problems)


# Planted faults in a copy of the project: each is refused by `curation check` (and the build) naming the file and
# the entry. (A role whose quote names one end only: test_curation.py, test_a_statement_whose_quotes_name_one_end_...)
OWNER = "- id: leap-up\n  name: leap:up GmbH\n  aliases: []\n  type: agency-or-network\n"


@pytest.mark.parametrize(("planted", "message"), [
    (OWNER.replace("agency-or-network", "company"), "organisations/owners.yaml:262 [leap-up]: 'leap-up' owns "
     "practice 3.5.13 but is a company; an owner is one of cluster-organisation, meta-cluster, agency-or-network"),
    (OWNER.replace("agency-or-network", "public-authority"), "organisations/owners.yaml:262 [leap-up]: 'leap-up' owns "
     "practice 3.5.13 but is a public-authority"),
    (OWNER.replace("[]", "[Leap Up Academy]"),  # an alias no quote prints, so nothing links it to the name
     "organisations/owners.yaml:262 [leap-up]: name 'Leap Up Academy' occurs in none of its evidence quotes"),
])
def test_a_planted_owner_or_alias_fault_is_refused_with_file_and_entry(project_copy: Settings, planted: str,
                                                                       message: str) -> None:
    from clustergraph.build import make_dataset
    from clustergraph.curation_check import check_curation

    path = project_copy.path(project_copy.curation_dir) / "organisations" / "owners.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(OWNER) == 1
    path.write_text(text.replace(OWNER, planted), encoding="utf-8")
    _, _, problems = check_curation(project_copy)
    assert [problem for problem in problems if problem.startswith(message)], problems
    with pytest.raises(CurationError) as refused:
        make_dataset(project_copy)
    assert message in str(refused.value)


@pytest.mark.parametrize("kind", ["Company", "PublicAuthority", "ResearchOrganisation"])
def test_the_owner_shape_refuses_a_company_ministry_or_university(settings: Settings, kind: str) -> None:
    """The shape itself (not only the curation check) refuses an owner that is not a cluster, meta-cluster or
    cluster agency: the practice 3.5.13 with its owner's type mutated."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDF, SH

    from clustergraph.rdf import load_ontology
    from clustergraph.validate import load_shapes, validate_graph
    from clustergraph.vocab import CG

    ontology = load_ontology(settings.path(settings.ontology_dir))
    practice, owner = URIRef(settings.base_iri + "practice/3.5.13"), URIRef(settings.base_iri + "organisation/leap-up")
    graph = Graph()
    graph += ontology
    graph.add((practice, RDF.type, CG.GoodPractice))
    graph.add((practice, CG.owner, owner))
    for owner_type, refused in ((CG.AgencyOrNetwork, False), (CG[kind], True)):
        graph.set((owner, RDF.type, owner_type))
        report = validate_graph(graph, load_shapes(settings.path(settings.shapes_dir)), ontology).graph
        owner_results = [r for r in report.subjects(SH.focusNode, practice) if (r, SH.resultPath, CG.owner) in report]
        assert bool(owner_results) == refused, (owner_type, len(owner_results))
