"""Dereferenceable IRIs, the ontology documentation and the VoID description, as clients fetch them."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import VOID

from clustergraph.build import BuildResult

PRACTICE = "https://w3id.org/clustergraph/practice/3.2.16"


@pytest.mark.parametrize(("accept", "media_type", "fmt"), [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("*/*", "text/turtle", "turtle"),
])
def test_practice_iri_answers_rdf_by_conneg(client: TestClient, accept: str, media_type: str, fmt: str) -> None:
    response = client.get("/practice/3.2.16", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert "Accept" in response.headers["vary"]
    graph = Graph().parse(data=response.text, format=fmt)
    assert (URIRef(PRACTICE), None, Literal("3.2.16")) in graph


@pytest.mark.parametrize(("suffix", "fmt"), [(".ttl", "turtle"), (".jsonld", "json-ld"), (".nt", "nt")])
def test_explicit_format_suffixes(client: TestClient, suffix: str, fmt: str) -> None:
    response = client.get(f"/practice/3.2.16{suffix}", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert len(Graph().parse(data=response.text, format=fmt)) > 10


def test_practice_page_for_people(client: TestClient) -> None:
    response = client.get("/practice/3.2.16", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    text = response.text
    assert "Regional Trademark IO SONO FRIULI VENEZIA GIULIA" in text
    assert "<h2>Challenges</h2>" in text and "Fondazione Agrifood &amp; Bioeconomy FVG" in text
    assert "Legalnext (SDGs aspects)" in text  # a participation's quote
    assert 'href="/organisation/legalnext"' in text
    assert "mailto:" not in text and "rovere@" not in text  # personal data stays hidden


def test_practice_page_shows_emphasis_and_relations(client: TestClient) -> None:
    text = client.get("/practice/3.1.15", headers={"Accept": "text/html"}).text
    actions = text.split("<h2>Actions</h2>", 1)[1].split("<h2>", 1)[0]
    assert "<strong>InnoMedCatalyst Startup Accelerator</strong>" in actions and "**" not in actions
    assert "I3 Programme" in text and 'href="/organisation/imago-mol"' in text


def test_practice_statements_name_their_kind_by_the_ontology_label(client: TestClient) -> None:
    # The class name ('ProgrammeAffiliation', one long word) kept the first column wide and the quote narrow.
    text = client.get("/practice/3.2.6", headers={"Accept": "text/html"}).text
    evidence = text.split("<h2>Partners, programmes and places, with their evidence</h2>", 1)[1]
    assert '<td class="lead">Programme affiliation</td>' in evidence and "ProgrammeAffiliation" not in evidence
    assert '<td data-label="in / of"><a href="/project/' in evidence  # a card's line says what it is


def test_every_local_link_on_a_page_resolves(client: TestClient) -> None:
    import re

    text = client.get("/practice/3.2.16", headers={"Accept": "text/html"}).text
    # /network is served by the network router (its own branch); every other local link must resolve here.
    links = sorted(set(re.findall(r'href="(/[^"#]*)"', text)) - {"/network"})
    assert len(links) > 10
    for link in links:
        assert client.get(link, headers={"Accept": "text/html"}).status_code == 200, link


def test_unknown_iri_is_404(client: TestClient) -> None:
    assert client.get("/practice/9.9.9").status_code == 404
    assert client.get("/organisation/nobody", headers={"Accept": "text/html"}).status_code == 404


@pytest.mark.parametrize("path", ["/practice/x%3E%20%3Fp%20%3Fo%20%7D%20UNION%20%7B%20%3Fs%20%3Fp%20%3Fo",
                                  "/practice/a%22b", "/practice/a%20b", "/practice/%3C"])
def test_a_path_no_iri_can_have_is_404_not_a_query(client: TestClient, path: str) -> None:
    for accept in ("text/html", "text/turtle"):
        answer = client.get(path, headers={"Accept": accept})
        assert answer.status_code == 404, answer.text


def test_contacts_are_not_dereferenceable(client: TestClient) -> None:
    assert client.get("/contact/3.1.2-1").status_code == 404


def test_conditional_request_on_a_page(client: TestClient) -> None:
    first = client.get("/practice/3.2.16", headers={"Accept": "text/turtle"})
    again = client.get("/practice/3.2.16", headers={"Accept": "text/turtle", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_ontology_documentation_and_turtle(client: TestClient) -> None:
    html = client.get("/ontology", headers={"Accept": "text/html"})
    assert html.status_code == 200 and "<h2>Classes</h2>" in html.text and "cg:GoodPractice" in html.text
    turtle = client.get("/ontology.ttl")
    graph = Graph().parse(data=turtle.text, format="turtle")
    assert (URIRef("https://w3id.org/clustergraph/ontology#GoodPractice"), None, None) in graph


def test_void_agrees_with_the_store(client: TestClient, build_result: BuildResult) -> None:
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.text, format="turtle")
    dataset = URIRef("https://w3id.org/clustergraph/dataset")
    public_and_ontology = sum(1 for quad in build_result.built.dataset.quads()
                              if not str(quad[3]).endswith("/graph/personal"))
    assert int(graph.value(dataset, VOID.triples)) == public_and_ontology
    assert graph.value(dataset, VOID.sparqlEndpoint) == URIRef("http://testserver/sparql")
    linksets = list(graph.objects(dataset, VOID.subset))
    targets = {str(graph.value(linkset, VOID.objectsTarget)) for linkset in linksets}
    assert {f"{dataset}#target-eu-country", f"{dataset}#target-nuts"} <= targets


@pytest.mark.parametrize(("path", "accept"), [
    ("/", "text/html"), ("/sparql", "text/turtle"), ("/editor/terms.json", "application/json"),
    ("/.well-known/void", "text/turtle"), ("/ontology", "text/html"), ("/practice/3.2.16", "text/html"),
])
def test_every_answer_has_an_etag_and_honours_it(client: TestClient, path: str, accept: str) -> None:
    first = client.get(path, headers={"Accept": accept})
    assert first.status_code == 200 and first.headers.get("ETag") and first.headers.get("Cache-Control")
    again = client.get(path, headers={"Accept": accept, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_editor_page_loads_only_local_assets(client: TestClient) -> None:
    import re

    html = client.get("/", headers={"Accept": "text/html"}).text
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    scripts = [s for s in sources if s.endswith(".js")]
    assert "/static/vendor/yasgui.min.js" in scripts and "/static/editor.js" in scripts
    assert all(s.startswith("/") for s in sources), sources
    for script in scripts:
        assert client.get(script).status_code == 200, script
    assert "Practices per country" in html  # the catalogue travels with the page


def test_autocompletion_terms_come_from_this_graph(client: TestClient) -> None:
    terms = client.get("/editor/terms.json").json()
    assert "https://w3id.org/clustergraph/ontology#GoodPractice" in terms["classes"]
    assert "https://w3id.org/clustergraph/ontology#owner" in terms["properties"]
    assert "https://w3id.org/clustergraph/organisation/green-tech-valley" in terms["entities"]
    assert terms["countries"]["http://publications.europa.eu/resource/authority/country/ITA"] == {
        "alpha2": "IT", "numeric": "380"}
    assert not any("schema.org" in iri or "dbpedia" in iri for iri in terms["properties"])


def test_etags_belong_to_one_representation(client: TestClient) -> None:
    """An ETag names one path in one format of one build: it never makes another page or a missing one 304."""
    first = client.get("/practice/3.2.1", headers={"Accept": "text/html"})
    tag = first.headers["ETag"]
    other = client.get("/practice/3.2.2", headers={"Accept": "text/html", "If-None-Match": tag})
    assert other.status_code == 200 and other.headers["ETag"] != tag
    turtle = client.get("/practice/3.2.1", headers={"Accept": "text/turtle", "If-None-Match": tag})
    assert turtle.status_code == 200 and turtle.headers["ETag"] != tag
    assert client.get("/practice/9.9.9", headers={"If-None-Match": tag}).status_code == 404
    assert client.get("/practice/3.2.1", headers={"Accept": "text/html", "If-None-Match": f"W/{tag}"}).status_code == 304
    void = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert client.get("/ontology", headers={"If-None-Match": void.headers["ETag"]}).status_code == 200
