"""Exploring without SPARQL: the practice index and its JSON twin, summary pages per entity kind, place pages,
and every IRI the server publishes answering GET and HEAD."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef

from clustergraph.practice_index import BODY_CAP, TITLE_WEIGHT

HTML = {"Accept": "text/html"}


def _sections(text: str) -> list[str]:
    return re.findall(r'data-section="([0-9.]+)"', text)


def test_search_ranks_the_title_hit_above_the_body_hit(client: TestClient) -> None:
    # 3.3.1 "Green Hydrogen Valley" names hydrogen in its title; 3.3.3 only in its body (the guidebook prints the
    # hydrogen practice's narrative under it). No other practice mentions hydrogen.
    answer = client.get("/api/practices", params={"q": "hydrogen"})
    assert answer.status_code == 200
    hits = answer.json()["hits"]
    assert [hit["sectionId"] for hit in hits] == ["3.3.1", "3.3.3"]
    assert hits[0]["score"] >= TITLE_WEIGHT > hits[1]["score"] > 0 and hits[1]["score"] <= BODY_CAP
    title = hits[0]["title"]
    start, end = hits[0]["titleHighlights"][0]
    assert title[start:end] == "Hydrogen"


def test_search_page_highlights_and_links_cards(client: TestClient) -> None:
    text = client.get("/practices?q=hydrogen", headers=HTML).text
    assert _sections(text) == ["3.3.1", "3.3.3"]
    assert '<a href="/practice/3.3.1">Green <mark>Hydrogen</mark> Valley</a>' in text
    assert '<a href="/api/practices?q=hydrogen"' in text


def test_a_facet_narrows_the_count_and_lives_in_the_url(client: TestClient) -> None:
    everything = client.get("/api/practices").json()
    assert everything["total"] == 57
    austria = next(v for v in everything["facets"]["country"] if v["key"] == "AUT")
    narrowed = client.get("/api/practices", params={"country": "AUT"}).json()
    assert narrowed["total"] == austria["count"] < 57
    assert all("AUT" in hit["facets"]["country"] for hit in narrowed["hits"])
    two = client.get("/api/practices", params=[("country", "AUT"), ("country", "ITA")]).json()
    assert two["total"] > narrowed["total"]  # values of one facet combine with OR
    page = client.get("/practices?country=AUT", headers=HTML).text
    assert len(_sections(page)) == austria["count"]
    assert 'href="/practices"' in page  # the selected value's link switches it off again


@pytest.mark.parametrize(("params", "message"), [
    ({"colour": "red"}, "unknown parameter 'colour'"),
    ({"country": "XXX"}, "no practice has country 'XXX'"),
    ({"q": "x" * 201}, "at most 200"),
])
def test_bad_index_parameters_are_400_with_a_reason(client: TestClient, params: dict[str, str], message: str) -> None:
    for path in ("/api/practices", "/practices"):
        answer = client.get(path, params=params)
        assert answer.status_code == 400 and message in answer.text


def test_the_practice_path_leads_to_the_index(client: TestClient) -> None:
    for path in ("/practice/", "/practice"):
        answer = client.get(path + "?q=steel", follow_redirects=False)
        assert answer.status_code == 308 and answer.headers["location"] == "/practices?q=steel"


def test_organisation_page_groups_partners_by_programme_with_quotes(client: TestClient) -> None:
    text = client.get("/organisation/imago-mol", headers=HTML).text
    partners = text.split('id="partners"', 1)[1]
    programmes = re.findall(r'<section class="partner-group">\s*<h3><a href="([^"]+)"', partners)
    assert {"/programme/cosme", "/programme/i3"} <= set(programmes)
    assert '<h4>via <a href="/project/clusters4health">' in partners
    assert '<blockquote class="quote">' in partners
    assert 'href="/country/ROU"' in text and "cg-place-map" in text
    assert "DESCRIBE" in text and 'href="/organisation/imago-mol.ttl"' in text


def test_programme_page_lists_partners_not_iris_and_links_its_network(client: TestClient) -> None:
    text = client.get("/programme/cosme", headers=HTML).text
    assert 'href="/network?programme=cosme"' in text
    summary = text.split('<details class="raw"', 1)[0]
    assert "Collaborations it carries" in summary and "/collaboration/" not in summary
    assert "Participating organisations by country" in summary


def test_project_page_lists_participants_with_roles(client: TestClient) -> None:
    text = client.get("/project/clusters4health", headers=HTML).text
    assert "<h2>Participants</h2>" in text and "COSME" in text


def test_practice_page_shows_funding_with_the_funders_role(client: TestClient) -> None:
    text = client.get("/practice/3.5.5", headers=HTML).text
    funding = text.split("<h2>Funding</h2>", 1)[1].split("</table>", 1)[0]
    assert "funder" in funding and 'href="/programme/euroclusters"' in funding and "SUAVE" in funding
    facts = text.split('<dl class="facts">', 1)[1].split("</dl>", 1)[0]
    assert '<dt>Country</dt><dd><a href="/country/FRA">France</a>' in facts and "Cluster role" in facts


def test_country_and_region_pages(client: TestClient) -> None:
    text = client.get("/country/AUT", headers=HTML).text
    assert "<h1>Austria</h1>" in text and 'href="/practice/3.3.1"' in text
    assert 'href="/organisation/green-tech-valley"' in text
    region = client.get("/region/ITH4", headers=HTML).text
    assert "Friuli-Venezia Giulia" in region and 'href="/practice/3.2.16"' in region
    turtle = Graph().parse(data=client.get("/country/AUT.ttl").text, format="turtle")
    assert len(turtle) > 5
    assert client.get("/country/ZZZ", headers=HTML).status_code == 404
    assert client.get("/region/not-a-code", headers=HTML).status_code == 404


@pytest.mark.parametrize("path", ["/dataset", "/publisher", "/sparql-service", "/graph/public", "/graph/ontology",
                                  "/catalog", "/.well-known/void", "/practices", "/practice/3.2.16", "/ontology",
                                  "/country/ITA", "/"])
def test_every_published_iri_answers_get_and_head_in_html(client: TestClient, path: str) -> None:
    get = client.get(path, headers=HTML)
    assert get.status_code == 200 and get.headers["content-type"].startswith("text/html"), get.text[:200]
    head = client.head(path, headers=HTML)
    assert head.status_code == 200 and head.content == b""


@pytest.mark.parametrize("path", ["/dataset", "/publisher", "/graph/public"])
def test_published_iris_have_rdf(client: TestClient, path: str) -> None:
    graph = Graph().parse(data=client.get(path, headers={"Accept": "text/turtle"}).text, format="turtle")
    assert (URIRef("https://w3id.org/clustergraph" + path), None, None) in graph


def test_hidden_graph_is_not_described(client: TestClient) -> None:
    assert client.get("/graph/personal", headers=HTML).status_code == 404


def test_practice_api_answers_conditional_requests(client: TestClient) -> None:
    first = client.get("/api/practices?q=hydrogen")
    again = client.get("/api/practices?q=hydrogen", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_favicon(client: TestClient) -> None:
    answer = client.get("/favicon.ico")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("image/svg+xml")
    assert 'rel="icon"' in client.get("/practices", headers=HTML).text


def test_practice_page_shows_the_notes_on_the_source_text(client: TestClient) -> None:
    """3.3.3 prints an earlier draft of 3.3.1's body: its page says so, links 3.3.1 and shows the quote."""
    page = client.get("/practice/3.3.3", headers=HTML).text
    notes = page.split("Notes on the source text", 1)[1].split("</aside>", 1)[0]
    assert "duplicated-text" in notes and 'href="/practice/3.3.1"' in notes
    assert "Since 2020, Green Tech Valley has focussed on the strategic field of green hydrogen technologies" in notes
    assert "typo" in notes
    assert "Notes on the source text" not in client.get("/practice/3.3.1", headers=HTML).text


def test_from_a_hydrogen_practice_to_its_programme_network_by_links(client: TestClient) -> None:
    # The walk: search, open the cluster behind the first hit, reach a programme's network.
    first = client.get("/api/practices", params={"q": "hydrogen"}).json()["hits"][0]
    cluster = client.get(first["owner"]["iri"].replace("https://w3id.org/clustergraph", ""), headers=HTML).text
    programmes = cluster.split("<h2>Programmes</h2>", 1)[1].split("</table>", 1)[0]
    assert 'href="/programme/hydrogen-valleys"' in programmes
    assert 'href="/network?programme=hydrogen-valleys"' in programmes


def test_service_description_page_uses_the_site_layout(client: TestClient) -> None:
    text = client.get("/sparql", headers=HTML).text
    assert '<a href="/practices">Practices</a>' in text and "SPARQL_Results_JSON" in text


def test_errors_are_pages_for_browsers_and_text_for_clients(client: TestClient) -> None:
    page = client.get("/organisation/nobody", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "nothing is known about" in page.text and 'href="/practices"' in page.text
    text = client.get("/api/practices", params={"colour": "red"})
    assert text.status_code == 400 and text.headers["content-type"].startswith("text/plain")
