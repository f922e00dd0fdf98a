"""The ``clustergraph`` command: thin glue from the shell to the pipeline; exit 0 ok, 1 failed, 2 usage."""

from __future__ import annotations

import json
import logging
import re
import shutil
import sys
import time
from enum import Enum
from pathlib import Path
from typing import NoReturn

import httpx
import typer

from clustergraph import __version__
from clustergraph.build import build
from clustergraph.curation import Curation, load_curation, write_regions
from clustergraph.curation_check import check_curation
from clustergraph.parse_report import parse_report_lines
from clustergraph.errors import (ClusterGraphError, CurationError, NotFound, QueryError, SettingError, StoreError,
                                 ValidationFailed)
from clustergraph.dumps import describe_dumps, write_dumps
from clustergraph.external import publish_file
from clustergraph.evidence import register_hits, uncovered_hits
from clustergraph.mqa import score_catalogue
from clustergraph.network.analysis import analyse, metrics_text
from clustergraph.network.extract import Filters
from clustergraph.network.table import read_table
from clustergraph.publish import catalogue_graph, check_public_url, dumps_dir, write_catalogue
from clustergraph.query_library import resolve_query
from clustergraph.records import Guidebook, parse_guidebook
from clustergraph.settings import Settings, get_settings
from clustergraph.source import read_source
from clustergraph.sparql_guard import inspect_request
from clustergraph.store import GraphStore, Query, RemoteBackend, Solutions, backend_for
from clustergraph.tables import write_tables
from clustergraph.validate import validate_catalogue

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Build, query and serve the ClusterGraph knowledge graph of European cluster practices.")
export_app = typer.Typer(no_args_is_help=True, help="Export the graph for analysts and portals.")
curation_app = typer.Typer(no_args_is_help=True, help="Help curators: what the text names that is not curated yet.")
app.add_typer(curation_app, name="curation")
app.add_typer(export_app, name="export")


class NetworkFormat(str, Enum):
    json = "json"
    gexf = "gexf"
    graphml = "graphml"
    csv = "csv"
    vosviewer = "vosviewer"
    png = "png"


class OrganisationTypes(str, Enum):
    all = "all"
    clusters = "clusters"


class NetworkGraph(str, Enum):
    collaboration = "collaboration"
    organisation_project = "organisation-project"
    cluster_programme = "cluster-programme"
    country = "country"


class ColourBy(str, Enum):
    community = "community"
    country = "country"


class OutputFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


# (graph result?, --format) -> media type; a graph has no table or CSV form, so those print Turtle.
QUERY_OUTPUT = {
    (False, OutputFormat.csv): "text/csv", (False, OutputFormat.json): "application/sparql-results+json",
    (True, OutputFormat.table): "text/turtle", (True, OutputFormat.csv): "text/turtle",
    (True, OutputFormat.json): "application/ld+json",
}


def _fail(error: ClusterGraphError) -> NoReturn:
    typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
    code = 2 if isinstance(error, NotFound | QueryError | SettingError) else 1
    raise typer.Exit(code)


STORE_HELP = ("A remote SPARQL store's query endpoint (Virtuoso: http://host:8890/sparql) instead of the embedded "
              "store; credentials from CLUSTERGRAPH_STORE_USER / CLUSTERGRAPH_STORE_PASSWORD.")


def _settings(store: str | None = None) -> Settings:
    """The settings, with ``--store`` (when given) in place of ``CLUSTERGRAPH_STORE``."""
    settings = get_settings()
    return settings.model_copy(update={"store": store}) if store else settings


@app.callback()
def main(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log each pipeline step."),
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
) -> None:
    """Configure logging once for every command."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s")
    if version:
        typer.echo(f"clustergraph {__version__}")
        raise typer.Exit()


@app.command("build")
def build_command(
    wait: bool = typer.Option(False, help="Wait for a build or update that is running instead of refusing."),
    store: str = typer.Option(None, "--store", metavar="URL", help=STORE_HELP),
    from_file: Path = typer.Option(None, "--from", help="Publish this N-Quads file (validated before it is loaded) "
                                                         "instead of building from the guidebook."),
) -> None:
    """Parse the guidebook, apply the curation, validate with SHACL and publish a new generation (and, with
    --store, load it into the remote store and switch its graphs once loaded)."""
    settings = _settings(store)
    if from_file is not None:
        _publish_file(settings, from_file, wait)
        return
    try:
        summary = build(settings, wait)
    except ValidationFailed as error:
        typer.secho(str(error), fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from error
    except ClusterGraphError as error:
        _fail(error)
    typer.echo(
        f"{summary.practices} practices, {summary.organisations} organisations, {summary.programmes} programmes, "
        f"{summary.projects} projects, {summary.participations} participations, "
        f"{summary.collaborations} collaborations\n"
        f"{summary.triples} triples; SHACL: {'conforms' if summary.conforms else 'VIOLATIONS'}; "
        f"{summary.parse_issues} parse notes and {summary.source_notes} source notes in "
        f"{summary.store.parent / 'parse-report.txt'}\n"
        f"generation: {summary.store.parent.name} ({summary.store}); {summary.seconds:.1f} s")
    if settings.store:
        typer.echo(f"remote store: {settings.store} holds build {summary.store.parent.name}")
    if not summary.tables_checked:
        typer.secho("authority tables not found: country, programme and NUTS codes were not checked against the EU "
                    "and Eurostat tables (set CLUSTERGRAPH_EU_VOCABULARIES_DIR and CLUSTERGRAPH_NUTS_FILE)",
                    fg=typer.colors.YELLOW, err=True)


def _publish_file(settings: Settings, nquads_file: Path, wait: bool) -> None:
    started = time.perf_counter()
    try:
        generation, _, triples = publish_file(settings, nquads_file, wait)
    except ValidationFailed as error:
        typer.secho(str(error), fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from error
    except ClusterGraphError as error:
        _fail(error)
    typer.echo(f"{nquads_file}: {triples} triples with the derived facts; SHACL: conforms; generation: {generation.name}; "
               f"{time.perf_counter() - started:.1f} s")


@app.command("serve")
def serve_command(
    host: str = typer.Option(None, help="Interface to listen on (default: the setting, 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (default: the setting, 8000)."),
    store: str = typer.Option(None, "--store", metavar="URL", help=STORE_HELP),
) -> None:
    """Serve the built graph: the SPARQL 1.1 endpoint at /sparql."""
    import uvicorn

    from clustergraph.web.app import create_app
    from clustergraph.web.limits import H11_MAX_LINE

    settings = _settings(store)
    if not settings.store and not settings.query_store_dir.exists():
        hint = " with CLUSTERGRAPH_INCLUDE_PERSONAL_DATA=true" if settings.include_personal_data else ""
        _fail(StoreError(f"no store at {settings.query_store_dir}: run 'clustergraph build'{hint} first"))
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port, http="h11",
                h11_max_incomplete_event_size=H11_MAX_LINE)


@app.command("parse")
def parse_command() -> None:
    """Print what the parser could not place (stray lines, empty values, missing sections) and the defects of
    the text the curation records (source notes)."""
    settings = get_settings()
    try:
        guidebook = parse_guidebook(read_source(settings.path(settings.source_file)))
    except ClusterGraphError as error:
        _fail(error)
    typer.echo(f"{len(guidebook.practices)} practices in {len(guidebook.chapters)} chapters")
    failure: CurationError | None = None
    try:
        curation: Curation | None = load_curation(settings.path(settings.curation_dir))
    except CurationError as error:
        curation, failure = None, error
    for line in parse_report_lines(guidebook, curation):
        typer.echo(line)
    if failure is not None:
        _fail(failure)


@app.command("query")
def query_command(
    name_or_file: str = typer.Argument(..., help="A query name from queries/ or a path to a .rq file."),
    output: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="Output format."),
    store: str = typer.Option(None, "--store", metavar="URL", help=STORE_HELP),
) -> None:
    """Run a SPARQL query from the catalogue (or a file) against the built store."""
    settings = _settings(store)
    try:
        query = resolve_query(name_or_file, settings.path(settings.queries_dir))
        form = inspect_request(query.text, settings.max_query_bytes, settings.max_query_depth).form
        reader = backend_for(settings).open()
        if form == "ASK":
            answer = reader.ask(query.text)
            typer.echo(json.dumps(answer) if output is OutputFormat.json else str(answer).lower())
        elif form == "SELECT" and output is OutputFormat.table:
            _print_table(reader.select(query.text))
        else:
            media_type = QUERY_OUTPUT[form in ("CONSTRUCT", "DESCRIBE"), output]
            sys.stdout.write(reader.answer(Query(query.text, form=form), media_type).body.decode("utf-8"))
    except ClusterGraphError as error:
        _fail(error)


def _print_table(solutions: Solutions) -> None:
    names = solutions.variables
    rows = [[row[name].value if name in row else "" for name in names] for row in solutions]
    widths = [max([len(name), *(len(row[i]) for row in rows)]) for i, name in enumerate(names)]
    typer.echo("  ".join(name.ljust(width) for name, width in zip(names, widths, strict=True)))
    typer.echo("  ".join("-" * width for width in widths))
    for row in rows:
        typer.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    typer.echo(f"({len(rows)} rows)")


def _guidebook_and_curation() -> tuple[Guidebook, Curation]:
    """The parsed guidebook and the curation, or exit 1 with every curation problem listed."""
    settings = get_settings()
    try:
        guidebook = parse_guidebook(read_source(settings.path(settings.source_file)))
        return guidebook, load_curation(settings.path(settings.curation_dir))
    except CurationError as error:
        _fail(error)


@curation_app.command("hits")
def hits_command(
    practice: str = typer.Argument(..., help="A practice section id, e.g. 3.2.2."),
    all_hits: bool = typer.Option(False, "--all", help="Also list hits the curation already covers."),
) -> None:
    """List the programme names a practice's text uses that its curation does not cover yet."""
    guidebook, curation = _guidebook_and_curation()
    printed = guidebook.practice(practice)
    if printed is None:
        _fail(NotFound(f"no practice {practice}"))
    hits = register_hits(printed, curation) if all_hits else uncovered_hits(printed, curation)
    for hit in hits:
        typer.echo(f"line {hit.line}: {hit.alias!r} -> {hit.programme}")
    typer.echo(f"{len(hits)} {'hits' if all_hits else 'uncovered hits'} in {practice}")


@curation_app.command("check")
def check_command(
    practices: list[str] = typer.Argument(None, help="Only report problems that name these section ids."),
) -> None:
    """Report everything a build would refuse (files, quotes, authority tables, shapes), naming file and entry."""
    try:
        guidebook, curation, problems = check_curation(get_settings())
    except ClusterGraphError as error:
        _fail(error)
    unknown = [sid for sid in practices or [] if guidebook.practice(sid) is None]
    if unknown:
        _fail(NotFound(f"no practice {', '.join(unknown)}"))
    if practices:
        wanted = re.compile(rf"(?<![\d.])(?:{'|'.join(map(re.escape, practices))})(?![\d])")
        problems = [line for line in problems if wanted.search(line)]
    for line in problems:
        typer.echo(line)
    curated = len(curation.practices) if curation else 0
    typer.echo(f"{len(problems)} problems; {curated} of {len(guidebook.practices)} practices curated")
    if problems:
        raise typer.Exit(1)


@curation_app.command("regions")
def regions_command(
    nuts: Path = typer.Option(..., "--nuts", exists=True, dir_okay=False,
                              help="The NUTS 2021 table (code,level,country,name_latn,parent,uri)."),
) -> None:
    """Write data/curation/regions.yaml for every NUTS code the curation uses."""
    settings = get_settings()
    unknown = write_regions(settings.path(settings.curation_dir), nuts)
    if unknown:
        _fail(CurationError([f"not a NUTS 2021 code: {code}" for code in unknown]))
    typer.echo(f"wrote {settings.path(settings.curation_dir) / 'regions.yaml'}")


@app.command("network")
def network_command(
    programme: str = typer.Option(None, help="A programme id or name; its sub-programmes and instruments count "
                                               "too (COSME includes ESCP-4i)."),
    country: str = typer.Option(None, help="A country (ISO code or name): collaborations with an organisation there."),
    ecosystem: str = typer.Option(None, help="An industrial ecosystem: collaborations told in its practices."),
    practice: str = typer.Option(None, help="A practice section id, e.g. 3.1.15."),
    types: OrganisationTypes = typer.Option(OrganisationTypes.all, "--type",
                                            help="clusters: only collaborations between two cluster organisations."),
    output: NetworkFormat = typer.Option(NetworkFormat.json, "--format", "-f", help="Export format."),
    out: Path = typer.Option(None, "--out", dir_okay=False,
                             help="File to write; csv writes OUT-nodes.csv and OUT-edges.csv, vosviewer "
                                  "OUT-map.txt and OUT-network.txt (a suffix on OUT is dropped)."),
    colour_by: ColourBy = typer.Option(ColourBy.community, help="PNG: colour nodes by community or country."),
    graph: NetworkGraph = typer.Option(NetworkGraph.collaboration, help="What to export: the organisation "
                                       "collaboration graph (with metrics), a bipartite projection or countries."),
    metrics: bool = typer.Option(False, "--metrics", help="Print the top nodes by each centrality, the "
                                                           "communities and the per-programme figures."),
    store: str = typer.Option(None, "--store", metavar="URL", help=STORE_HELP),
) -> None:
    """Analyse the collaboration network (networkx) and export it for Gephi, VOSviewer or a picture."""
    if not metrics and out is None and output is not NetworkFormat.json:
        _fail(QueryError(f"--format {output.value} needs --out FILE"))
    settings = _settings(store)
    filters = Filters(programme, country, ecosystem, practice, clusters_only=types is OrganisationTypes.clusters)
    try:
        backend = backend_for(settings, personal=False)
        build_id = backend.build_id()
        analysis = analyse(backend.open(build_id).select_values, filters,
                           read_table(backend.local_generation(build_id)))
    except ClusterGraphError as error:
        _fail(error)
    if metrics:
        typer.echo(metrics_text(analysis))
    if out is None:
        if not metrics:
            sys.stdout.write(analysis.files("json", "network", graph=graph.value)["network.json"].decode("utf-8")
                             + "\n")
        return
    stem = out.with_suffix("") if out.suffix in (".json", ".gexf", ".graphml", ".png", ".csv", ".txt") else out
    for name, data in analysis.files(output.value, stem.name, colour_by.value, graph.value).items():
        (stem.parent / name).write_bytes(data)
        typer.echo(f"wrote {stem.parent / name}")


@export_app.command("csv")
def export_csv_command(
    out: Path = typer.Option(..., "--out", file_okay=False, help="Directory for the analyst CSV files."),
    store: str = typer.Option(None, "--store", metavar="URL", help=STORE_HELP),
) -> None:
    """Write practices.csv, organisations.csv, participations.csv, fundings.csv, collaborations.csv and
    relations.csv."""
    settings = _settings(store)
    try:
        reader: GraphStore = backend_for(settings).open()
        written = write_tables(reader, out)
    except ClusterGraphError as error:
        _fail(error)
    for name, rows in written.items():
        typer.echo(f"{out / name}: {rows} rows")


@export_app.command("dcat")
def export_dcat_command(
    out: Path = typer.Option(..., "--out", file_okay=False, help="Directory for the catalogue and the dumps."),
    validate: bool = typer.Option(False, "--validate", help="Check it against the SEMIC DCAT-AP 3.0.1 shapes."),
    mqa: bool = typer.Option(False, "--mqa", help="Score it by the data.europa.eu MQA (fetches its URLs)."),
    public_url: str = typer.Option(None, "--public-url", help="Where the server is reached (default: setting, "
                                                               "else http://HOST:PORT)."),
    allow_local_urls: bool = typer.Option(False, "--allow-local-urls",
                                          help="Write the catalogue even if its URLs point at this machine."),
    store: str = typer.Option(None, "--store", metavar="URL", help=STORE_HELP),
) -> None:
    """Write the DCAT-AP 3 catalogue (Turtle, RDF/XML, JSON-LD) and the dumps it describes (from a remote
    store, its graphs read back, so they are of the build the store holds, whichever machine built it)."""
    settings = _settings(store)
    root = (public_url or settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/")
    dumps = dumps_dir(settings)
    try:
        check_public_url(root, allow_local_urls)
        if settings.store:
            out.mkdir(parents=True, exist_ok=True)
            read_back = out / ".read-back.nq"  # sorted N-Quads; the N-Quads dump becomes a second link to it
            read_back.write_bytes(RemoteBackend(settings).read_back())
            write_dumps(read_back, out)
            read_back.unlink()
            dumps = out
        graph = catalogue_graph(settings, backend_for(settings).open().select_values, root, dumps)
        report = validate_catalogue(graph, settings.path(settings.dcat_ap_shapes_dir)) if validate or mqa else None
    except ClusterGraphError as error:
        _fail(error)
    for path in write_catalogue(graph, out):
        typer.echo(f"wrote {path}")
    for dump in describe_dumps(dumps):
        if dumps != out:
            shutil.copyfile(dump.path, out / dump.format.file_name)
        typer.echo(f"wrote {out / dump.format.file_name} ({dump.byte_size} bytes, sha256 {dump.sha256[:16]}…)")
    if report is not None and validate:
        typer.echo(f"DCAT-AP 3.0.1: {'conforms' if report.conforms else 'VIOLATIONS'}")
        if not report.conforms:
            typer.echo(report.text)
    if report is not None and mqa:
        typer.echo(score_catalogue(graph, _http_status, report.conforms).table())
    if report is not None and not report.conforms:
        raise typer.Exit(1)


def _http_status(url: str) -> int | None:
    """The status of a GET of ``url`` (None when it cannot be reached), for the MQA's accessibility checks."""
    try:
        with httpx.stream("GET", url, timeout=10, follow_redirects=True) as response:
            return response.status_code
    except httpx.HTTPError:
        return None
