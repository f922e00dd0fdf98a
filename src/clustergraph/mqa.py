"""The data.europa.eu Metadata Quality Assessment (MQA), computed on a DCAT-AP catalogue.

Indicators, points and rating bands follow the methodology summarised in
``shared/reference/mqa-methodology.md``: dataset-level indicators count the share of datasets that meet them,
distribution-level ones the share of distributions; for interoperability only each dataset's best distribution
counts. Two indicators need HTTP (the access and download URLs must answer with a success status); the caller
passes the function that fetches them, so the scorer itself never chooses where to connect.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
LICENCE = "http://publications.europa.eu/resource/authority/licence/"
ACCESS_RIGHT = "http://publications.europa.eu/resource/authority/access-right/"
IANA = ("http://www.iana.org/assignments/media-types/", "https://www.iana.org/assignments/media-types/")
# data.europa.eu's non-proprietary formats (methodology summary) and the machine-readable formats among
# those this project publishes (RDF serialisations, CSV, JSON, XML are machine-readable).
NON_PROPRIETARY = {"BMP", "CSV", "DBF", "ETSI_XML", "GEOJSON", "GPKG", "GZIP", "HTML", "ICS", "JPEG2000", "JSON",
                   "JSON_LD", "KML", "KMZ", "NETCDF", "ODS", "PNG", "RDF_N_QUADS", "RDF_N_TRIPLES", "RDF_TRIG",
                   "RDF_TURTLE", "RDF_XML", "RSS", "RTF", "TAR", "TIFF", "TSV", "TXT", "WMS_SRVC", "XML", "ZIP"}
MACHINE_READABLE = {"CSV", "GEOJSON", "ICS", "JSON", "JSON_LD", "KML", "NETCDF", "RDF_N_QUADS", "RDF_N_TRIPLES",
                    "RDF_TRIG", "RDF_TURTLE", "RDF_XML", "RSS", "TSV", "XML"}
RATINGS = ((351, "Excellent"), (221, "Good"), (121, "Sufficient"), (0, "Bad"))
UrlStatus = Callable[[str], int | None]


@dataclass(frozen=True)
class Indicator:
    """One MQA indicator: its dimension, name, maximum, the share that meets it, and the points earned."""

    dimension: str
    name: str
    maximum: int
    share: float

    @property
    def points(self) -> float:
        return round(self.maximum * self.share, 2)


@dataclass(frozen=True)
class Score:
    """All indicators, the total and the rating."""

    indicators: tuple[Indicator, ...]

    @property
    def total(self) -> float:
        return round(sum(indicator.points for indicator in self.indicators), 2)

    @property
    def maximum(self) -> int:
        return sum(indicator.maximum for indicator in self.indicators)

    @property
    def rating(self) -> str:
        return next(label for floor, label in RATINGS if self.total >= floor)

    def table(self) -> str:
        """The score as a text table, one indicator a line."""
        lines = [f"{'dimension':<17} {'indicator':<38} {'points':>7} / max"]
        lines += [f"{i.dimension:<17} {i.name:<38} {i.points:>7.2f} / {i.maximum}" for i in self.indicators]
        lines.append(f"{'total':<56} {self.total:>7.2f} / {self.maximum}  ({self.rating})")
        return "\n".join(lines)


def _share(items: list[URIRef], test: Callable[[URIRef], bool]) -> float:
    return sum(1 for item in items if test(item)) / len(items) if items else 0.0


def score_catalogue(graph: Graph, url_status: UrlStatus, dcat_ap_conforms: bool) -> Score:
    """Score every MQA indicator on ``graph``.

    Parameters
    ----------
    url_status
        Returns the HTTP status of a GET of a URL, or None when it cannot be fetched.
    dcat_ap_conforms
        Whether the catalogue passed the DCAT-AP SHACL validation.
    """
    datasets = sorted(s for s in graph.subjects(RDF.type, DCAT.Dataset) if isinstance(s, URIRef))
    distributions = sorted(d for ds in datasets for d in graph.objects(ds, DCAT.distribution)
                           if isinstance(d, URIRef))
    status_cache: dict[str, int | None] = {}

    def has(node: URIRef, prop: URIRef) -> bool:
        return graph.value(node, prop) is not None

    def resolves(node: URIRef, prop: URIRef) -> bool:
        urls = [str(url) for url in graph.objects(node, prop)]
        for url in urls:
            if url not in status_cache:
                status_cache[url] = url_status(url)
        return bool(urls) and all((status_cache[url] or 0) in range(200, 300) for url in urls)

    def format_code(node: URIRef) -> str | None:
        value = graph.value(node, DCTERMS.format)
        return str(value)[len(FILE_TYPE):] if value is not None and str(value).startswith(FILE_TYPE) else None

    def best_distribution(test: Callable[[URIRef], bool]) -> float:
        """Interoperability counts each dataset's best distribution."""
        return _share(datasets, lambda ds: any(test(d) for d in graph.objects(ds, DCAT.distribution)
                                               if isinstance(d, URIRef)))

    def in_vocabulary(node: URIRef) -> bool:
        media = graph.value(node, DCAT.mediaType)
        return format_code(node) is not None and media is not None and str(media).startswith(IANA)

    def licence_in_vocabulary(node: URIRef) -> bool:
        return any(str(value).startswith(LICENCE) for value in graph.objects(node, DCTERMS.license))

    def access_in_vocabulary(node: URIRef) -> bool:
        return any(str(value).startswith(ACCESS_RIGHT) for value in graph.objects(node, DCTERMS.accessRights))

    return Score((
        Indicator("Findability", "Keyword usage", 30, _share(datasets, lambda d: has(d, DCAT.keyword))),
        Indicator("Findability", "Categories", 30, _share(datasets, lambda d: has(d, DCAT.theme))),
        Indicator("Findability", "Geo search", 20, _share(datasets, lambda d: has(d, DCTERMS.spatial))),
        Indicator("Findability", "Time-based search", 20, _share(datasets, lambda d: has(d, DCTERMS.temporal))),
        Indicator("Accessibility", "AccessURL accessibility", 50,
                  _share(distributions, lambda d: resolves(d, DCAT.accessURL))),
        Indicator("Accessibility", "DownloadURL", 20, _share(distributions, lambda d: has(d, DCAT.downloadURL))),
        Indicator("Accessibility", "DownloadURL accessibility", 30,
                  _share(distributions, lambda d: resolves(d, DCAT.downloadURL))),
        Indicator("Interoperability", "Format", 20, best_distribution(lambda d: has(d, DCTERMS.format))),
        Indicator("Interoperability", "Media type", 10, best_distribution(lambda d: has(d, DCAT.mediaType))),
        Indicator("Interoperability", "Format / media type from vocabulary", 10, best_distribution(in_vocabulary)),
        Indicator("Interoperability", "Non-proprietary", 20,
                  best_distribution(lambda d: format_code(d) in NON_PROPRIETARY)),
        Indicator("Interoperability", "Machine-readable", 20,
                  best_distribution(lambda d: format_code(d) in MACHINE_READABLE)),
        Indicator("Interoperability", "DCAT-AP compliance", 30, 1.0 if dcat_ap_conforms and datasets else 0.0),
        Indicator("Reusability", "Licence information", 20, _share(distributions, lambda d: has(d, DCTERMS.license))),
        Indicator("Reusability", "Licence vocabulary", 10, _share(distributions, licence_in_vocabulary)),
        Indicator("Reusability", "Access restrictions", 10, _share(datasets, lambda d: has(d, DCTERMS.accessRights))),
        Indicator("Reusability", "Access restrictions vocabulary", 5, _share(datasets, access_in_vocabulary)),
        Indicator("Reusability", "Contact point", 20, _share(datasets, lambda d: has(d, DCAT.contactPoint))),
        Indicator("Reusability", "Publisher", 10, _share(datasets, lambda d: has(d, DCTERMS.publisher))),
        Indicator("Contextuality", "Rights", 5, _share(distributions, lambda d: has(d, DCTERMS.rights))),
        Indicator("Contextuality", "File size", 5, _share(distributions, lambda d: has(d, DCAT.byteSize))),
        Indicator("Contextuality", "Date of issue", 5, _share(distributions, lambda d: has(d, DCTERMS.issued))),
        Indicator("Contextuality", "Modification date", 5,
                  _share(distributions, lambda d: has(d, DCTERMS.modified))),
    ))
