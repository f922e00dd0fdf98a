"""Benchmark: the scale path against graph size: generate, publish (load, validate), query, network; and Virtuoso.

Prints figures; asserts nothing. For each size (``--sizes``, default 10k, 100k and 1M triples; ``--ten-million``
adds 10M) it runs every step in a child process of its own and reports its wall time and the peak resident
memory of that process tree (sampled every 0.1 s from ``/proc``):

- generate: ``bench/generate.py`` streaming the synthetic graph to N-Quads;
- publish: ``clustergraph -v build --from`` on a fresh project: the file staged in the engine's memory store
  (while the on-disk store bulk-loads it) with its derived facts, validated there (the compiled shapes and the
  whole-graph constraints as SPARQL) while its quads are written out, sorted and dumped, and published; the phase
  lines the build logs split the time, and "validated" is the time until the graph is known to conform;
- pySHACL: the same shapes with pySHACL over an rdflib graph, for comparison (only up to ``--pyshacl-max``
  triples: at 1M it takes minutes and over a GB);
- catalogue: every query of ``queries/`` in process on the published store, each in a child process stopped at
  ``--query-limit`` seconds: the rows of a first pass, then the p50 over ``--rounds`` rounds (a query slower than
  10 s is not repeated), their sum, and which queries answered no rows;
- network: the collaboration network read with SPARQL into networkx, then each metric (up to ``--metrics-max``
  triples);
- Virtuoso 7.2 (``bench/peers.py``, private, loopback only): start and bulk load, and the catalogue p50 over
  HTTP from one client.

Run ``python bench/scale.py [--sizes 10000,100000,1000000] [--ten-million] [--no-virtuoso] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).parent))
PROJECT_INPUTS = ("data/source", "data/curation", "data/catalogue.yaml", "ontology", "shapes", "queries")


@dataclass(frozen=True)
class Step:
    """One step's wall time, peak RSS of its process tree, exit code and output."""

    seconds: float
    peak_mb: float
    code: int
    output: str


def tree_rss(root: int) -> int:
    """Resident memory (kB) of ``root`` and all its descendants, read from ``/proc``: each process's ``status``
    and the ``children`` of its threads, so a sample reads only the tree's files (a scan of all of ``/proc``
    took about 9 ms, a tenth of a core at ten samples a second, taken from the step being measured)."""
    total, frontier = 0, [root]
    while frontier:
        pid = frontier.pop()
        try:
            found = re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())
            for task in Path(f"/proc/{pid}/task").iterdir():
                frontier += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
        total += int(found.group(1)) if found else 0
    return total


def run_step(command: list[str], env: dict[str, str] | None = None, limit: float = 3600) -> Step:
    """Run ``command``, sampling its process tree's memory; stop it after ``limit`` seconds."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    peak = 0
    deadline = time.monotonic() + limit
    while process.poll() is None and time.monotonic() < deadline:
        peak = max(peak, tree_rss(process.pid))
        time.sleep(0.1)
    if process.poll() is None:
        process.kill()
    output = process.communicate()[0]
    return Step(time.perf_counter() - started, peak / 1024, process.returncode, output)


def child(code: str, *args: str) -> list[str]:
    """A Python child process running ``code`` (one of this file's ``phase_*`` functions) with ``args``."""
    return [sys.executable, __file__, "--phase", code, *args]


def phase_pyshacl(nquads: str) -> None:
    from rdflib import Dataset

    from clustergraph.build import stage
    from clustergraph.rdf import load_ontology
    from clustergraph.settings import Settings
    from clustergraph.validate import flatten, load_shapes, validate_graph

    settings = Settings(project_dir=ROOT)
    staged = stage(settings, Path(nquads))  # the derived facts a build adds, which a constraint checks
    with_derived = staged.quads()
    staged.close()
    dataset = Dataset()
    started = time.perf_counter()
    dataset.parse(data=with_derived, format="nquads")
    parsed = time.perf_counter()
    report = validate_graph(flatten(dataset), load_shapes(settings.path(settings.shapes_dir)),
                            load_ontology(settings.path(settings.ontology_dir)))
    print(json.dumps({"parse": parsed - started, "validate": time.perf_counter() - parsed,
                      "conforms": report.conforms}))


def phase_catalogue(store_dir: str, name: str, rounds: str) -> None:
    """One catalogue query: its rows, what cut them (the row or byte cap, or nothing) and p50 as a JSON line; a
    query slower than 10 s once is not repeated."""
    from clustergraph.query_library import load_queries
    from clustergraph.query_runner import Limits, QueryJob, execute
    from clustergraph.store import open_store

    store = open_store(Path(store_dir), ())
    # Rows capped as on Virtuoso (100 000); bytes not, as Virtuoso caps none: the endpoint's default 32 MB cut
    # cross-border-pairs-per-programme at 55 671 of its 65 463 rows at 1 M and the counts were compared as if whole.
    limits = Limits(max_bytes=2**31)
    job = QueryJob(load_queries(ROOT / "queries")[name].text, "application/sparql-results+json", max_rows=100_000)
    begin = time.perf_counter()
    first = execute(store, job, limits)
    latencies = [time.perf_counter() - begin]
    for _ in range(int(rounds) if latencies[0] < 10 else 0):
        begin = time.perf_counter()
        execute(store, job, limits)
        latencies.append(time.perf_counter() - begin)
    print(json.dumps({"rows": first.rows, "cut_by": first.cut_by,
                      "p50": statistics.median(latencies[1:] or latencies)}))


def phase_network(store_dir: str, metrics: str) -> None:
    from clustergraph.network.extract import Filters, build_network
    from clustergraph.network.metrics import NODE_METRICS, louvain
    from clustergraph.network.table import read_table
    from clustergraph.store import open_store

    store = open_store(Path(store_dir), ())
    figures: dict[str, float] = {}
    begin = time.perf_counter()  # as the server reads it (the build's collaboration table); then the store alone
    network = build_network(store.select_values, Filters(), read_table(Path(store_dir).parent))
    figures["extraction"] = time.perf_counter() - begin
    begin = time.perf_counter()
    build_network(store.select_values, Filters())
    figures["extraction from the store alone"] = time.perf_counter() - begin
    graph = network.graph
    if metrics == "yes":
        for name, metric in {**NODE_METRICS, "louvain": louvain}.items():
            begin = time.perf_counter()
            metric(graph)
            figures[name] = time.perf_counter() - begin
    print(json.dumps({"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges(), "seconds": figures}))


def last_json(step: Step) -> dict[str, object]:
    for line in reversed(step.output.splitlines()):
        if line.startswith("{"):
            return dict(json.loads(line))
    raise RuntimeError(f"the step printed no figures (exit {step.code}):\n{step.output[-3000:]}")


def virtuoso_figures(nquads: Path, work: Path, rounds: int, limit: float,
                     keep: bool) -> tuple[float, dict[str, float], dict[str, int], dict[str, str]]:
    """Virtuoso's start + bulk load time, then each catalogue query's p50 over HTTP (one client), its rows, and
    what went wrong with any query: an HTTP error, a dropped connection (and whether the server still answers
    after it), or an answer Virtuoso flagged as partial (``X-SQL-State``: its anytime limit) or cut at its row cap
    (``X-SPARQL-MaxRows``; ``store/remote_answers.py`` reads both the same way).
    """
    import httpx
    from peers import virtuoso

    from clustergraph.query_library import load_queries

    queries = {name: query.text for name, query in load_queries(ROOT / "queries").items()}
    problems: dict[str, str] = {}
    begin = time.perf_counter()
    with virtuoso(nquads, work, keep) as url, httpx.Client(timeout=limit) as client:
        loaded = time.perf_counter() - begin

        def ask(name: str, text: str) -> int:
            try:
                response = client.post(url, data={"query": text},
                                       headers={"Accept": "application/sparql-results+json"})
            except httpx.HTTPError as error:
                try:
                    alive = client.post(url, data={"query": "ASK {}"}, timeout=10).status_code == 200
                except httpx.HTTPError:
                    alive = False
                problems[name] = f"{type(error).__name__} ({'still answers' if alive else 'no longer answers'})"
                return -1
            if response.status_code != 200:
                problems[name] = f"HTTP {response.status_code}: {response.text[:160]!r}"
                return -1
            count = len(response.json()["results"]["bindings"])
            if "X-SQL-State" in response.headers:
                problems[name] = (f"partial ({response.headers['X-SQL-State']}: "
                                  f"{response.headers.get('X-SQL-Message', '')[:120]})")
            elif "X-SPARQL-MaxRows" in response.headers:  # the rest dropped at ResultSetMaxRows
                problems[name] = f"cut at ResultSetMaxRows {response.headers['X-SPARQL-MaxRows']}"
            return count

        rows: dict[str, int] = {}
        latencies: dict[str, list[float]] = {}
        for name, text in queries.items():  # as in process: a query slower than 10 s once is not repeated
            started = time.perf_counter()
            rows[name] = ask(name, text)
            first = time.perf_counter() - started
            latencies[name] = []
            for _ in range(rounds if first < 10 and name not in problems else 0):
                started = time.perf_counter()
                ask(name, text)
                latencies[name].append(time.perf_counter() - started)
            latencies[name] = latencies[name] or [first]
            print(f"    virtuoso {name}: {rows[name]} rows, {statistics.median(latencies[name]) * 1000:.1f} ms"
                  f"{'; ' + problems[name] if name in problems else ''}", flush=True)
    return loaded, {name: statistics.median(values) for name, values in latencies.items()}, rows, problems


def phases(log: str) -> dict[str, float]:
    """The ``phase <name>: <seconds> s`` lines a verbose build logs."""
    return {name: float(seconds) for name, seconds in re.findall(r"phase (.+?): ([0-9.]+) s", log)}


def bench_size(triples: int, work: Path, args: argparse.Namespace) -> None:
    print(f"\n== {triples:,} triples (machine: {os.cpu_count()} cores, shared with other users' jobs)", flush=True)
    nquads = work / f"graph-{triples}.nq"
    generated = run_step([sys.executable, str(ROOT / "bench" / "generate.py"), "--triples", str(triples),
                          "--out", str(nquads)])
    lines = sum(1 for _ in nquads.open("rb")) if generated.code == 0 else 0
    print(f"  {'generate':<28} {generated.seconds:>8.1f} s  {generated.peak_mb:>7.0f} MB peak  {lines:,} quads")
    project = work / f"project-{triples}"
    for name in PROJECT_INPUTS:
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, project / name)
        else:
            shutil.copyfile(ROOT / name, project / name)
    env = {"CLUSTERGRAPH_PROJECT_DIR": str(project)}
    published = run_step([sys.executable, "-m", "clustergraph", "-v", "build", "--from", str(nquads)], env)
    split = phases(published.output)
    detail = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in split.items())
    print(f"  {'publish (build --from)':<28} {published.seconds:>8.1f} s  {published.peak_mb:>7.0f} MB peak  "
          f"exit {published.code}: {detail}")
    core = sum(seconds for name, seconds in split.items() if name.startswith(("stage (load)", "derive", "validate")))
    print(f"  {'  of which validated':<28} {core:>8.1f} s  (staged, derived, validated: one after the other, while "
          f"the store loads)")
    if args.virtuoso_only:
        virtuoso_side(project, work, args, {}, {})
        return
    if triples <= args.pyshacl_max:
        shacl = run_step(child("pyshacl", str(nquads)))
        figures = last_json(shacl)
        print(f"  {'pySHACL (rdflib parse+check)':<28} {shacl.seconds:>8.1f} s  {shacl.peak_mb:>7.0f} MB peak  "
              f"parse {figures['parse']:.1f} s, validate {figures['validate']:.1f} s, conforms {figures['conforms']}")
    else:
        print(f"  {'pySHACL':<28} {'skipped':>8} (over --pyshacl-max {args.pyshacl_max:,})")
    store = project / "data" / "build" / "current" / "store"
    from clustergraph.query_library import load_queries

    p50: dict[str, float] = {}
    rows: dict[str, int] = {}
    timed_out: list[str] = []
    cut: list[str] = []  # answers the row or byte cap cut short: their counts are not the query's
    peak = 0.0
    for name in load_queries(ROOT / "queries"):  # each query in a child of its own, stopped at --query-limit
        answered = run_step(child("catalogue", str(store), name, str(args.rounds)), limit=args.query_limit)
        peak = max(peak, answered.peak_mb)
        if answered.code != 0:
            timed_out.append(name)
            continue
        figures = last_json(answered)
        p50[name], rows[name] = float(figures["p50"]), int(figures["rows"])  # type: ignore[arg-type,call-overload]
        if figures["cut_by"]:
            cut.append(f"{name} (by {figures['cut_by']})")
    empty = sorted(name for name, count in rows.items() if count == 0)
    slowest = max(p50, key=p50.__getitem__)
    print(f"  {'catalogue in process':<28} {sum(p50.values()) * 1000:>8.1f} ms sum of p50s over {len(p50)} queries "
          f"(median p50 {statistics.median(p50.values()) * 1000:.1f} ms; slowest {slowest} "
          f"{p50[slowest] * 1000:.1f} ms); {peak:.0f} MB peak")
    if timed_out:
        print(f"  {'':<28} stopped at {args.query_limit:.0f} s: {', '.join(timed_out)}")
    print(f"  {'':<28} {len(rows) - len(empty)}/{len(rows)} queries answer rows; empty: {', '.join(empty) or '-'}")
    if cut:
        print(f"  {'':<28} cut short: {', '.join(cut)}")
    network = run_step(child("network", str(store), "yes" if triples <= args.metrics_max else "no"))
    figures = last_json(network)
    seconds: dict[str, float] = figures["seconds"]  # type: ignore[assignment]
    print(f"  {'network':<28} {sum(seconds.values()):>8.1f} s  {network.peak_mb:>7.0f} MB peak  "
          f"{figures['nodes']:,} organisations, {figures['edges']:,} pairs: "
          + ", ".join(f"{name} {value:.2f} s" for name, value in seconds.items()))
    if args.virtuoso:
        virtuoso_side(project, work, args, rows, p50)
    if args.keep is None:
        shutil.rmtree(project, ignore_errors=True)
        nquads.unlink(missing_ok=True)


def virtuoso_side(project: Path, work: Path, args: argparse.Namespace, rows: dict[str, int],
                  p50: dict[str, float]) -> None:
    """Virtuoso loaded with what a build publishes (``dataset.nq``: the public graphs with the derived facts, as
    ``build --store`` loads them), its catalogue p50s, and which queries' row counts differ from ClusterGraph's."""
    published = project / "data" / "build" / "current" / "dataset.nq"
    loaded, virtuoso_p50, virtuoso_rows, problems = virtuoso_figures(published, work, args.rounds,
                                                                     args.query_limit, args.keep is not None)
    print(f"  {'Virtuoso 7.2 start + load':<28} {loaded:>8.1f} s")
    if problems:
        print(f"  {'':<28} Virtuoso problems: " + "; ".join(f"{name}: {text}" for name, text in problems.items()))
    both = sum(virtuoso_p50[name] for name in p50)
    print(f"  {'Virtuoso catalogue (HTTP)':<28} {sum(virtuoso_p50.values()) * 1000:>8.1f} ms sum of p50s "
          f"(median p50 {statistics.median(virtuoso_p50.values()) * 1000:.1f} ms; {both * 1000:.1f} ms over the "
          f"{len(p50)} queries ClusterGraph answered)")
    differ = [f"{name} {rows[name]} / {virtuoso_rows.get(name)}" for name in rows if rows[name] != virtuoso_rows.get(name)]
    print(json.dumps({"project": project.name, "clustergraph": {"rows": rows, "p50": p50},
                      "virtuoso": {"rows": virtuoso_rows, "p50": virtuoso_p50, "load": loaded, "problems": problems}}))
    if rows:
        print(f"  {'':<28} same row counts on {len(rows) - len(differ)}/{len(rows)} queries; differ (ClusterGraph / "
              f"Virtuoso, -1 an error): {', '.join(differ) or '-'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma list of triple counts")
    parser.add_argument("--ten-million", action="store_true", help="also 10,000,000 triples (many minutes)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per catalogue query (default 5)")
    parser.add_argument("--pyshacl-max", type=int, default=100_000, help="largest size pySHACL is run on")
    parser.add_argument("--metrics-max", type=int, default=1_000_000, help="largest size network metrics run on")
    parser.add_argument("--query-limit", type=float, default=120, help="seconds a catalogue query may take (120)")
    parser.add_argument("--no-virtuoso", dest="virtuoso", action="store_false", help="leave Virtuoso out")
    parser.add_argument("--virtuoso-only", action="store_true",
                        help="after generate and publish, only Virtuoso's load and catalogue")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="work in DIR and leave everything there: the generated file, the published project, "
                             "Virtuoso's database with its virtuoso.log")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # figures appear as they come
    if args.phase:
        {"pyshacl": phase_pyshacl, "catalogue": phase_catalogue, "network": phase_network}[args.phase](*rest)
        return
    sizes = [int(size) for size in args.sizes.split(",") if size] + ([10_000_000] if args.ten_million else [])
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="clustergraph-scale-", dir=args.keep))
    try:
        for triples in sizes:
            bench_size(triples, work, args)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
