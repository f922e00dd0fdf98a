"""Publishing for portals: the DCAT-AP catalogue of the built dataset, its validation and its MQA score.

One function assembles the catalogue from the build's dumps, the store's statistics and the catalogue note,
so the CLI (``clustergraph export dcat``) and the server (``GET /catalog``) publish the same description.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from clustergraph.catalogue import build_catalogue, practice_countries, read_catalogue_meta
from clustergraph.dumps import describe_dumps
from clustergraph.errors import NotFound
from clustergraph.generations import CURRENT, DUMPS
from clustergraph.settings import Settings
from clustergraph.void import Select, gather_statistics

CATALOGUE_FORMATS = {"catalog.ttl": "turtle", "catalog.rdf": "xml", "catalog.jsonld": "json-ld"}


def dumps_dir(settings: Settings) -> Path:
    """Where the build leaves the dumps."""
    return settings.path(settings.build_dir) / CURRENT / DUMPS


def catalogue_graph(settings: Settings, select: Select, public_url: str) -> Graph:
    """The DCAT-AP catalogue of the current build, with download URLs under ``public_url``.

    Raises
    ------
    NotFound
        If the build has left no dumps (run ``clustergraph build``).
    """
    dumps = describe_dumps(dumps_dir(settings))
    if not dumps:
        raise NotFound(f"no dumps in {dumps_dir(settings)}: run 'clustergraph build' first")
    meta = read_catalogue_meta(settings.path(settings.catalogue_file))
    statistics = gather_statistics(select)
    return build_catalogue(meta, dumps, public_url, settings.base_iri, statistics.triples,
                           practice_countries(select))


def write_catalogue(graph: Graph, out: Path) -> list[Path]:
    """Write the catalogue as Turtle, RDF/XML and JSON-LD into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, fmt in CATALOGUE_FORMATS.items():
        path = out / name
        path.write_bytes(graph.serialize(format=fmt, encoding="utf-8"))
        written.append(path)
    return written
