"""The DCAT-AP catalogue, its dumps, the official SEMIC shapes and the MQA score, as a portal would see them."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID

from clustergraph.build import BuildResult, hidden_graphs, personal_graph, publish_dataset, store_check
from clustergraph.dumps import FORMATS, describe_dumps
from clustergraph.generations import DUMPS, STORE
from clustergraph.mqa import score_catalogue
from clustergraph.settings import Settings
from clustergraph.store import memory_store, open_store
from clustergraph.validate import validate_catalogue

SPDX = "http://spdx.org/rdf/terms#"
DATASET = URIRef("https://w3id.org/clustergraph/dataset")


@pytest.fixture(scope="module")
def catalogue(client: TestClient) -> Graph:
    response = client.get("/catalog", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    return Graph().parse(data=response.text, format="turtle")


@pytest.fixture(scope="module")
def dcat_ap_report(catalogue: Graph, reference: Path):  # type: ignore[no-untyped-def]
    return validate_catalogue(catalogue, reference / "dcat-ap" / "3.0.1")


def test_catalogue_conforms_to_the_official_dcat_ap_3_shapes(dcat_ap_report) -> None:  # type: ignore[no-untyped-def]
    assert dcat_ap_report.conforms, dcat_ap_report.text


def test_a_broken_catalogue_fails_the_official_shapes(catalogue: Graph, reference: Path) -> None:
    broken = Graph()
    for triple in catalogue:
        if triple[1] != DCTERMS.title:
            broken.add(triple)
    report = validate_catalogue(broken, reference / "dcat-ap" / "3.0.1")
    assert not report.conforms and "dct:title" in report.text


@pytest.mark.parametrize(("suffix", "accept", "fmt"), [
    (".ttl", None, "turtle"), (".rdf", None, "xml"), (".jsonld", None, "json-ld"),
    ("", "application/rdf+xml", "xml"), ("", "application/ld+json", "json-ld"),
])
def test_catalogue_serialisations(client: TestClient, suffix: str, accept: str | None, fmt: str) -> None:
    response = client.get(f"/catalog{suffix}", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format=fmt)
    assert (None, RDF.type, DCAT.Catalog) in graph and (None, RDF.type, DCAT.DataService) in graph


def test_catalogue_uses_the_eu_vocabularies(catalogue: Graph) -> None:
    authority = "http://publications.europa.eu/resource/authority/"
    assert {str(t) for t in catalogue.objects(DATASET, DCAT.theme)} >= {authority + "data-theme/ECON"}
    assert URIRef(authority + "country/ROU") in set(catalogue.objects(DATASET, DCTERMS.spatial))
    assert catalogue.value(DATASET, DCTERMS.accessRights) == URIRef(authority + "access-right/PUBLIC")
    assert catalogue.value(DATASET, DCTERMS.accrualPeriodicity) == URIRef(authority + "frequency/IRREG")
    contact = catalogue.value(DATASET, DCAT.contactPoint)
    assert (contact, RDF.type, URIRef("http://www.w3.org/2006/vcard/ns#Organization")) in catalogue
    publisher = catalogue.value(DATASET, DCTERMS.publisher)
    assert (publisher, RDF.type, URIRef("http://xmlns.com/foaf/0.1/Agent")) in catalogue
    formats = {str(catalogue.value(d, DCTERMS.format)) for d in catalogue.objects(DATASET, DCAT.distribution)}
    assert formats == {authority + "file-type/" + code for code in ("RDF_TURTLE", "RDF_N_TRIPLES", "JSON_LD",
                                                                     "RDF_N_QUADS")}


def test_distributions_describe_their_files(client: TestClient, catalogue: Graph) -> None:
    for distribution in catalogue.objects(DATASET, DCAT.distribution):
        url = str(catalogue.value(distribution, DCAT.downloadURL))
        body = client.get(urlsplit(url).path).content
        assert int(catalogue.value(distribution, DCAT.byteSize)) == len(body)
        checksum = catalogue.value(distribution, URIRef(SPDX + "checksum"))
        assert str(catalogue.value(checksum, URIRef(SPDX + "checksumValue"))) == hashlib.sha256(body).hexdigest()


def test_dumps_hold_no_personal_data_and_do_not_depend_on_load_order(build_result: BuildResult,
                                                                     project_copy: Settings) -> None:
    lines = build_result.nquads.splitlines(keepends=True)
    written = []
    for quads in (b"".join(lines), b"".join(reversed(lines))):
        generation = publish_dataset(project_copy, quads).generation
        written.append(describe_dumps(generation / DUMPS))
    first, second = written
    assert [d.sha256 for d in first] == [d.sha256 for d in second]
    assert len({d.sha256 for d in first}) == len(first) == len(FORMATS)
    public = memory_store(build_result.nquads, hidden_graphs(project_copy))
    for dump in first:
        data = dump.path.read_bytes()
        text = gzip.decompress(data) if dump.format.gzipped else data
        assert b"mailto:" not in text and b"Marlene Haudum" not in text
        assert b"/contact/" not in text and b"/graph/personal" not in text
        if dump.format.file_type in ("RDF_TURTLE", "RDF_N_TRIPLES"):
            triples = Graph().parse(data=text, format="turtle" if dump.format.file_type == "RDF_TURTLE" else "nt")
            assert len(triples) == public.count(), dump.format.file_name
    turtle = Graph().parse(first[0].path, format="turtle")
    assert (URIRef("https://w3id.org/clustergraph/practice/3.2.4"), None, None) in turtle
    assert len(Graph().parse(data=next(d for d in first if d.format.file_type == "JSON_LD").path.read_bytes(),
                             format="json-ld")) == public.count()


def test_a_file_makes_the_same_store_whether_or_not_it_is_loaded_while_staged(build_result: BuildResult,
                                                                               project_copy: Settings,
                                                                               tmp_path: Path) -> None:
    """A file naming only public graphs is loaded into the store while it is staged, its derived graph added
    after; one naming the personal graph, plainly or escaped (seen only once parsed), is loaded from what the
    staged store writes. All three give the same store, without personal data."""
    personal, derived = personal_graph(project_copy).encode(), f"{project_copy.base_iri}graph/derived".encode()
    lines = build_result.nquads.splitlines(keepends=True)
    escaped = personal.replace(b"/personal", b"/p\\u0065rsonal")
    files = {"plain": b"".join(lines),
             "escaped": b"".join(line.replace(b"<" + personal + b">", b"<" + escaped + b">") for line in lines
                                 if not line.rstrip().endswith(b"<" + derived + b"> .")),
             "public only": b"".join(line for line in lines
                                     if not line.rstrip().endswith((b"<" + personal + b"> .", b"<" + derived + b"> .")))}
    assert escaped in files["escaped"] and personal not in files["escaped"] and derived not in files["escaped"]
    stores = {}
    for name, data in files.items():
        path = tmp_path / f"{name}.nq"
        path.write_bytes(data)
        generation = publish_dataset(project_copy, path,
                                     check=store_check(project_copy, build_result.tables_checked)).generation
        store = open_store(generation / STORE, ())
        stores[name] = {tuple(row.values()) for row in store.select_values(
            "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
        assert not store.ask("ASK { ?s ?p ?o FILTER(CONTAINS(STR(?s), '/contact/') || ISIRI(?o) && "
                             "STRSTARTS(STR(?o), 'mailto:')) }"), name
        assert not (generation / "unsorted.nq").exists() and not (generation / "derived.nt").exists()
    assert stores["plain"] == stores["escaped"] == stores["public only"]
    assert len(stores["plain"]) == len(set(build_result.nquads.splitlines())) - sum(
        1 for line in lines if line.rstrip().endswith(b"<" + personal + b"> ."))


def test_void_and_dcat_agree(client: TestClient, catalogue: Graph) -> None:
    void = Graph().parse(data=client.get("/.well-known/void", headers={"Accept": "text/turtle"}).text,
                         format="turtle")
    assert int(void.value(DATASET, VOID.triples)) == int(catalogue.value(DATASET, VOID.triples))
    dcat_dumps = {str(catalogue.value(d, DCAT.downloadURL)) for d in catalogue.objects(DATASET, DCAT.distribution)}
    assert {str(u) for u in void.objects(DATASET, VOID.dataDump)} == dcat_dumps
    assert void.value(DATASET, VOID.sparqlEndpoint) == catalogue.value(DATASET, VOID.sparqlEndpoint)


def test_mqa_scores_the_full_405_points(client: TestClient, catalogue: Graph, dcat_ap_report) -> None:  # type: ignore[no-untyped-def]
    score = score_catalogue(catalogue, lambda url: client.get(urlsplit(url).path).status_code,
                            dcat_ap_report.conforms)
    points = {indicator.name: indicator.points for indicator in score.indicators}
    assert points == {
        "Keyword usage": 30, "Categories": 30, "Geo search": 20, "Time-based search": 20,
        "AccessURL accessibility": 50, "DownloadURL": 20, "DownloadURL accessibility": 30,
        "Format": 20, "Media type": 10, "Format / media type from vocabulary": 10, "Non-proprietary": 20,
        "Machine-readable": 20, "DCAT-AP compliance": 30,
        "Licence information": 20, "Licence vocabulary": 10, "Access restrictions": 10,
        "Access restrictions vocabulary": 5, "Contact point": 20, "Publisher": 10,
        "Rights": 5, "File size": 5, "Date of issue": 5, "Modification date": 5,
    }
    assert (score.total, score.maximum, score.rating) == (405, 405, "Excellent")


def test_mqa_notices_unreachable_urls(catalogue: Graph) -> None:
    score = score_catalogue(catalogue, lambda url: None, True)
    points = {indicator.name: indicator.points for indicator in score.indicators}
    assert points["AccessURL accessibility"] == 0 and points["DownloadURL accessibility"] == 0
    assert score.total == 325 and score.rating == "Good"
