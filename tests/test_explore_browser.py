"""Exploring as a new user would, in headless Chromium driven over DevTools: find the hydrogen practices, narrow
them with a facet, open an organisation's partners by programme, complete a class name while typing, and read a
results table. Each test saves a screenshot beside its temporary files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from devtools import Browser


@pytest.fixture()
def browser(chromium: str, tmp_path: Path) -> Iterator[Browser]:
    with Browser(chromium, tmp_path / "profile") as opened:
        yield opened


def _sections(browser: Browser) -> list[str]:
    found: list[str] = browser.evaluate("[...document.querySelectorAll('.card[data-section]')]"
                                        ".map((c) => c.dataset.section)")
    return found


def test_search_finds_the_hydrogen_practices(browser: Browser, server: str, tmp_path: Path) -> None:
    browser.open(f"{server}/practices", "document.querySelector('input[name=q]')")
    browser.evaluate("document.querySelector('input[name=q]').focus()")
    browser.type("hydrogen")
    browser.evaluate("document.querySelector('form.search').requestSubmit()")
    browser.wait_for("location.search === '?q=hydrogen' && document.querySelector('.card mark')")
    browser.screenshot(tmp_path / "search-hydrogen.png")
    assert _sections(browser) == ["3.3.1", "3.3.3"]
    assert browser.evaluate("document.querySelector('.card h3 mark').textContent") == "Hydrogen"


def test_a_facet_narrows_the_count(browser: Browser, server: str, tmp_path: Path) -> None:
    browser.open(f"{server}/practices", "document.querySelector('.facet[data-facet=country] a[data-key=AUT]')")
    before = len(_sections(browser))
    facet_count = int(browser.evaluate(
        "document.querySelector('.facet[data-facet=country] a[data-key=AUT]').nextElementSibling.textContent"))
    browser.evaluate("document.querySelector('.facet[data-facet=country] a[data-key=AUT]').click()")
    browser.wait_for("location.search === '?country=AUT' && document.readyState === 'complete'")
    browser.screenshot(tmp_path / "facet-austria.png")
    after = _sections(browser)
    assert before == 57 and len(after) == facet_count < before
    assert browser.evaluate("document.getElementById('cg-count').textContent").startswith(f"{facet_count} practices")


def test_organisation_page_lists_partners_grouped_by_programme(browser: Browser, server: str, tmp_path: Path) -> None:
    browser.open(f"{server}/organisation/imago-mol", "document.querySelector('.cg-place-map svg')")
    browser.evaluate("document.getElementById('partners').scrollIntoView()")
    browser.screenshot(tmp_path / "organisation-partners.png")
    groups: list[str] = browser.evaluate(
        "[...document.querySelectorAll('.partner-group > h3')].map((h) => h.textContent.trim())")
    assert "COSME" in groups and "Interregional Innovation Investments" in groups
    cosme = browser.evaluate("[...document.querySelectorAll('.partner-group')]"
                             ".find((g) => g.querySelector('h3').textContent.trim() === 'COSME').textContent")
    assert "Clusters4Health" in cosme and "Oslo Cancer Cluster" in cosme


def _hints_after_typing(browser: Browser, server: str, line: str, typed: str) -> list[str]:
    """The completions the editor shows after ``typed`` is typed at the end of ``line`` in a WHERE clause."""
    browser.open(f"{server}/", "window.cgEditor && document.querySelector('.CodeMirror')")
    browser.evaluate(f"""(() => {{ const yasqe = cgEditor.getTab().getYasqe();
        yasqe.setValue('PREFIX cg: <https://w3id.org/clustergraph/ontology#>\\nSELECT * WHERE {{\\n{line}\\n}}');
        yasqe.focus(); yasqe.getDoc().setCursor({{ line: 2, ch: {len(line)} }}); }})()""")
    browser.type(typed)
    # The list shown after the last keystroke: a list drawn after an earlier keystroke may still be on screen
    # for a moment on a busy machine, so wait until the editor holds the whole text and two reads agree.
    browser.wait_for(f"cgEditor.getTab().getYasqe().getDoc().getLine(2).endsWith({typed!r})")
    browser.wait_for("document.querySelector('.CodeMirror-hints')")
    previous: list[str] = []
    offered: list[str] = browser.evaluate(
        "[...document.querySelectorAll('.CodeMirror-hint')].map((h) => h.textContent)")
    for _ in range(25):  # the list is settled when two reads a moment apart agree
        if offered == previous:
            break
        previous = offered
        browser.evaluate("new Promise((done) => setTimeout(done, 200))")
        offered = browser.evaluate("[...document.querySelectorAll('.CodeMirror-hint')].map((h) => h.textContent)")
    return offered


def test_typing_a_class_name_offers_it(browser: Browser, server: str, tmp_path: Path) -> None:
    offered = _hints_after_typing(browser, server, "  ?x a cg:C", "lu")
    browser.screenshot(tmp_path / "class-completion.png")
    assert any(hint.startswith("cg:ClusterOrganisation") for hint in offered), offered
    assert not any(hint.startswith("cg:Company") for hint in offered)


def test_typing_after_a_subject_offers_properties(browser: Browser, server: str, tmp_path: Path) -> None:
    offered = _hints_after_typing(browser, server, "  ?x ", "cg:coll")
    assert any(hint.startswith("cg:collaboratesWith") for hint in offered), offered


def test_table_shows_plain_values_and_labelled_links(browser: Browser, server: str, tmp_path: Path) -> None:
    query = ("PREFIX cg: <https://w3id.org/clustergraph/ontology#>\n"
             "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
             "SELECT ?country ?name (COUNT(?p) AS ?n) WHERE { ?p a cg:GoodPractice ; cg:country ?country . "
             "?country skos:prefLabel ?name FILTER(LANG(?name) = 'en') } GROUP BY ?country ?name ORDER BY ?name")
    browser.open(f"{server}/?query={quote(query)}",
                 "[...document.querySelectorAll('.yasr a.cg-iri')].some((a) => a.textContent === 'Italy')")
    browser.screenshot(tmp_path / "results-table.png")
    cells: list[str] = browser.evaluate("[...document.querySelectorAll('.yasr td .nonIri')].map((c) => c.textContent)")
    assert "Italy" in cells and '"Italy"@en' not in browser.evaluate("document.querySelector('.yasr').textContent")
    italy = browser.evaluate("[...document.querySelectorAll('.yasr a.cg-iri')]"
                             ".find((a) => a.textContent === 'Italy').getAttribute('href')")
    assert italy == "/country/ITA"
    assert browser.evaluate("[...document.querySelectorAll('.yasr .cg-note')].map((n) => n.textContent)")[:2] == [
        "en", "integer"]


def test_catalogue_picker_runs_the_chosen_query(browser: Browser, server: str) -> None:
    browser.open(f"{server}/", "window.cgEditor && document.querySelector('#cg-picker option[value=\"1\"]')")
    title = browser.evaluate("document.querySelector('#cg-picker option[value=\"1\"]').textContent")
    browser.evaluate("(() => { const p = document.getElementById('cg-picker'); p.value = '1';"
                     " p.dispatchEvent(new Event('change')); })()")
    browser.wait_for("/ results? in /.test((document.querySelector('.yasr_response_chip') || {}).textContent || '')")
    assert f"# title: {title}" in browser.evaluate("cgEditor.getTab().getQuery()")


def test_map_draws_one_nuts_level_with_a_legend(browser: Browser, server: str, tmp_path: Path) -> None:
    # Organisations' regions (NUTS 2 and 3) and countries in one result: one layer at a time, never stacked.
    query = ("PREFIX cg: <https://w3id.org/clustergraph/ontology#>\n"
             "SELECT ?place (COUNT(*) AS ?n) WHERE { { ?x cg:region ?place } UNION { ?x cg:country ?place } } "
             "GROUP BY ?place")
    browser.open(f"{server}/?view=Map&query={quote(query)}", "document.querySelector('.cg-map .cg-legend')")
    layers: list[str] = browser.evaluate("[...document.querySelectorAll('.cg-map-layer option')].map((o) => o.value)")
    assert layers == ["country", "nuts2", "nuts3"]
    shaded = browser.evaluate("document.querySelectorAll('.cg-map path title').length")
    countries = browser.evaluate("document.querySelector('.cg-map-layer option[value=country]').textContent")
    listed = int(countries.removeprefix("Countries (").rstrip(")"))
    assert 0 < shaded <= listed  # only the country layer (a country missing from the 1:50m atlas is not drawn)
    browser.evaluate("(() => { const p = document.querySelector('.cg-map-layer'); p.value = 'nuts3';"
                     " p.dispatchEvent(new Event('change')); })()")
    browser.wait_for("document.querySelector('.cg-legend text').textContent.startsWith('NUTS 3')")
    browser.evaluate("document.querySelector('.cg-map').scrollIntoView()")
    browser.screenshot(tmp_path / "map-nuts3.png")
    names = browser.evaluate("[...document.querySelectorAll('.cg-map path title')].map((t) => t.textContent)")
    assert names and not any(name.startswith(("Italy:", "Austria:")) for name in names)


def test_an_entity_completes_by_its_name(browser: Browser, server: str) -> None:
    offered = _hints_after_typing(browser, server, "  ?practice cg:owner ", "<Green")
    assert any(hint.startswith("<https://w3id.org/clustergraph/organisation/green-tech-valley>  — Green Tech Valley")
               for hint in offered), offered
