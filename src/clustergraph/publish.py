"""Publishing for portals: the DCAT-AP catalogue of the built dataset, its validation and its MQA score.

One function assembles the catalogue from the build's dumps, the store's statistics and the catalogue note,
so the CLI (``clustergraph export dcat``) and the server (``GET /catalog``) publish the same description.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

from rdflib import Graph

from clustergraph.catalogue import build_catalogue, practice_countries, read_catalogue_meta
from clustergraph.dumps import describe_dumps
from clustergraph.errors import NotFound, SettingError
from clustergraph.generations import CURRENT, DUMPS
from clustergraph.settings import Settings
from clustergraph.void import Select, gather_statistics

CATALOGUE_FORMATS = {"catalog.ttl": "turtle", "catalog.rdf": "xml", "catalog.jsonld": "json-ld"}


def dumps_dir(settings: Settings) -> Path:
    """Where the build leaves the dumps."""
    return settings.path(settings.build_dir) / CURRENT / DUMPS


def catalogue_graph(settings: Settings, select: Select, public_url: str, directory: Path | None = None) -> Graph:
    """The DCAT-AP catalogue of the current build, with download URLs under ``public_url``, describing the dumps
    in ``directory`` (default: the build's).

    Raises
    ------
    NotFound
        If there are no dumps (run ``clustergraph build``).
    """
    directory = directory or dumps_dir(settings)
    dumps = describe_dumps(directory)
    if not dumps:
        raise NotFound(f"no dumps in {directory}: run 'clustergraph build' first")
    meta = read_catalogue_meta(settings.path(settings.catalogue_file))
    statistics = gather_statistics(select)
    return build_catalogue(meta, dumps, public_url, settings.base_iri, statistics.triples,
                           practice_countries(select))


def is_loopback(url: str) -> bool:
    """True when ``url`` points at this machine only (``localhost``, ``127.0.0.0/8``, ``::1``, ``0.0.0.0``).

    >>> is_loopback("http://127.0.0.1:8000"), is_loopback("http://localhost/x"), is_loopback("https://data.example.eu")
    (True, True, False)
    """
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def check_public_url(public_url: str, allow_local_urls: bool) -> None:
    """Refuse to publish a catalogue whose access and download URLs only work on this machine.

    Raises
    ------
    SettingError
        If ``public_url`` is a loopback address and ``allow_local_urls`` is not set; the message names
        ``CLUSTERGRAPH_PUBLIC_URL``, the setting that fixes it.
    """
    if is_loopback(public_url) and not allow_local_urls:
        raise SettingError(
            f"the catalogue's access and download URLs would be {public_url}/..., which only this machine can "
            "reach: set CLUSTERGRAPH_PUBLIC_URL (or --public-url) to the server's public address, or pass "
            "--allow-local-urls for a local test")


def write_catalogue(graph: Graph, out: Path) -> list[Path]:
    """Write the catalogue as Turtle, RDF/XML and JSON-LD into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, fmt in CATALOGUE_FORMATS.items():
        path = out / name
        path.write_bytes(graph.serialize(format=fmt, encoding="utf-8"))
        written.append(path)
    return written
