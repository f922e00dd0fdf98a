"""The build's faster steps give the same answers as the plain ones: C YAML loader, one-pass alias search."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
import yaml

from clustergraph.curation import Curation
from clustergraph.evidence import RegisterHit, register_hits
from clustergraph.records import Guidebook, parse_guidebook
from clustergraph.settings import Settings
from clustergraph.source import read_source
from clustergraph.yaml_loader import SafeLoader, load_yaml

ROOT = Path(__file__).resolve().parent.parent


def test_the_c_loader_is_used_when_pyyaml_has_it() -> None:
    assert SafeLoader is (yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader)


@pytest.mark.parametrize("path", sorted(ROOT.glob("data/**/*.yaml")), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_project_yaml_loads_the_same_as_with_the_python_loader(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert load_yaml(text) == yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506


def test_bad_yaml_raises_the_yaml_error() -> None:
    with pytest.raises(yaml.YAMLError):
        load_yaml("a: [unclosed")


def _hits_line_by_line(guidebook: Guidebook, curation: Curation) -> list[RegisterHit]:
    """The definition the one-pass search must meet: every alias searched in every line."""
    hits = []
    for practice in guidebook.practices:
        lines = practice.text.split("\n")
        for programme in curation.programmes.values():
            for alias in dict.fromkeys((programme.name, *programme.aliases)):
                pattern = re.compile(rf"(?<![\w-]){re.escape(alias)}(?![\w])")
                hits += [RegisterHit(practice.section_id, programme.id, alias, practice.first_line + offset)
                         for offset, line in enumerate(lines) if pattern.search(line)]
    return hits


def test_register_hits_match_the_line_by_line_search(guidebook: Guidebook, curation: Curation) -> None:
    expected = _hits_line_by_line(guidebook, curation)
    found = [hit for practice in guidebook.practices for hit in register_hits(practice, curation)]
    assert len(found) > 50
    assert sorted(found, key=repr) == sorted(expected, key=repr)


def test_build_steps_log_their_time(settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="clustergraph.phases"):
        parse_guidebook(read_source(settings.path(settings.source_file)))
    assert re.fullmatch(r"phase parse guidebook: \d+\.\d{3} s", caplog.messages[-1])
