"""Benchmark: network extraction and each metric, on the real graph and on the benchmark's replicated graph.

Prints seconds per step; asserts nothing. The replicated graph is ``run.synthetic_dump``'s: the built dataset
copied under distinct IRIs up to about ``--quads`` quads (the same shape, more of everything), loaded in memory.
Run ``python bench/network.py [--quads 1000000]``.

``--from-file graph.nq`` benchmarks a generated graph instead (``bench/generate.py --triples 1000000 --out
graph.nq``, or better the ``dataset.nq`` a build published from it, which holds the derived facts), bulk-loaded
into an on-disk store as a build publishes it: the whole network's extraction and a few filtered ones are timed
``--rounds`` times (wall and CPU seconds, each round and the median printed), then each metric once
(``--extraction-only`` skips them).

``--generation DIR`` benchmarks a published generation (``data/build/current`` of a project built with ``build
--from``) as the server reads it: the collaboration table the build wrote, filtered in Python, beside the same
extraction from the generation's store alone.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from run import ROOT, synthetic_dump  # noqa: E402

from clustergraph.build import hidden_graphs, make_dataset  # noqa: E402
from clustergraph.network.analysis import summarise  # noqa: E402
from clustergraph.network.exports import to_gexf, to_graphml  # noqa: E402
from clustergraph.network.extract import Filters, Network, build_network  # noqa: E402
from clustergraph.network.metrics import (NODE_METRICS, annotate, betweenness_method, community_stability,  # noqa: E402
                                          louvain, measure, programme_figures)
from clustergraph.network.picture import draw_png  # noqa: E402
from clustergraph.network.table import TABLE_FILE, read_table  # noqa: E402
from clustergraph.generations import STORE  # noqa: E402
from clustergraph.settings import Settings  # noqa: E402
from clustergraph.store import GraphStore, load_store, memory_store, open_store  # noqa: E402


def timed(step: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = step()
    return time.perf_counter() - started, value


def cpu_seconds() -> float:
    """User and system CPU seconds of this process so far (every thread, the engine's included)."""
    times = os.times()
    return times.user + times.system


FILTERED = {"programme COSME": Filters(programme="COSME"), "country RO": Filters(country="RO"),
            "ecosystem Health": Filters(ecosystem="Health"), "clusters only": Filters(clusters_only=True),
            "programme COSME, clusters only": Filters(programme="COSME", clusters_only=True)}
"""Filtered networks timed beside the whole one: each filter kind alone and two together (all name something in
the guidebook's graph and in a generated one)."""


def extraction(store: GraphStore, filters: Filters, rounds: int,
               generation: Path | None = None) -> tuple[list[float], list[float], Network]:
    """Wall and CPU seconds of ``rounds`` extractions (with ``generation``, from its collaboration table, read
    afresh each time as the server reads it per request), and the last network (the others are dropped at once:
    kept, they would slow the next rounds' and the metrics' collections)."""
    walls, cpus = [], []
    for _ in range(rounds):
        started = cpu_seconds()
        seconds, network = timed(lambda: build_network(store.select_values, filters, read_table(generation)))
        walls.append(seconds)
        cpus.append(cpu_seconds() - started)
    return walls, cpus, network


def print_rounds(name: str, walls: list[float], cpus: list[float]) -> None:
    """The medians of wall and CPU seconds, each round in brackets."""
    each = (f"  (wall: {', '.join(f'{seconds:.3f}' for seconds in walls)}; "
            f"CPU: {', '.join(f'{seconds:.2f}' for seconds in cpus)})") if len(walls) > 1 else ""
    print(f"  {name:<40} {statistics.median(walls):>9.3f} s, CPU {statistics.median(cpus):.3f} s{each}")


def bench(label: str, store: GraphStore, picture: bool, rounds: int = 1, metrics: bool = True,
          generation: Path | None = None) -> None:
    """Print one line per step for the unfiltered network of ``store`` (the extraction's median of ``rounds``,
    wall and CPU seconds: wall is disturbed by other jobs on the machine, CPU less so); with ``rounds`` above one
    also the filtered extractions of ``FILTERED``; with ``metrics`` each metric and export once. With a
    ``generation`` holding a collaboration table, each extraction is timed from the table and from the store."""
    sources: dict[str, Path | None] = {"SPARQL": None}
    if generation is not None and (generation / TABLE_FILE).exists():
        sources = {"table": generation, "SPARQL": None}
    timings = {source: extraction(store, Filters(), rounds, where) for source, where in sources.items()}
    network = next(iter(timings.values()))[2]
    graph = network.graph
    print(f"\n{label}: {store.count()} triples -> {graph.number_of_nodes()} organisations, "
          f"{graph.number_of_edges()} pairs; betweenness {betweenness_method(graph)}")
    for source, (walls, cpus, _) in timings.items():
        print_rounds(f"extraction ({source} -> networkx)", walls, cpus)
    del timings
    if rounds > 1:
        for name, filters in FILTERED.items():
            for source, where in sources.items():
                walls, cpus, kept = extraction(store, filters, rounds, where)
                if source == next(iter(sources)):
                    print(f"  {name}: {kept.graph.number_of_nodes()} organisations, "
                          f"{kept.graph.number_of_edges()} pairs")
                print_rounds(f"extraction, {name} ({source})", walls, cpus)
                del kept
    if not metrics:
        return
    for name, metric in NODE_METRICS.items():
        print(f"  {name:<40} {timed(lambda: metric(graph))[0]:>9.3f} s")
    print(f"  {'louvain (1 seed)':<40} {timed(lambda: louvain(graph))[0]:>9.3f} s")
    print(f"  {'community stability (10 seeds, ARI)':<40} {timed(lambda: community_stability(graph))[0]:>9.3f} s")
    print(f"  {'per-programme figures':<40} {timed(lambda: programme_figures(network))[0]:>9.3f} s")
    seconds, measures = timed(lambda: measure(network))
    print(f"  {'all metrics (measure)':<40} {seconds:>9.3f} s")
    annotated = annotate(network, measures)
    about = summarise(network, measures, annotated)
    print(f"  {'GEXF':<40} {timed(lambda: to_gexf(annotated))[0]:>9.3f} s")
    print(f"  {'GraphML':<40} {timed(lambda: to_graphml(annotated))[0]:>9.3f} s")
    if picture:
        print(f"  {'PNG':<40} {timed(lambda: draw_png(annotated, about))[0]:>9.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quads", type=int, default=100_000, help="size of the replicated graph (default ~100k)")
    parser.add_argument("--png", action="store_true", help="also time the PNG of the replicated graph")
    parser.add_argument("--from-file", type=Path, help="benchmark this N-Quads file in an on-disk store instead")
    parser.add_argument("--rounds", type=int, default=3, help="extraction rounds with --from-file (default 3)")
    parser.add_argument("--generation", type=Path, help="benchmark this published generation (its store and "
                        "collaboration table) instead")
    parser.add_argument("--extraction-only", action="store_true",
                        help="with --from-file or --generation: skip the metrics")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    settings = Settings(project_dir=ROOT)
    hidden = hidden_graphs(settings)
    if args.generation:
        generation = args.generation.resolve()
        bench(f"{generation.name} (published)", open_store(generation / STORE, hidden), picture=args.png,
              rounds=args.rounds, metrics=not args.extraction_only, generation=generation)
        return
    if args.from_file:
        with tempfile.TemporaryDirectory(prefix="clustergraph-network-bench-") as work:
            loaded, _ = timed(lambda: load_store(args.from_file, Path(work) / "store"))
            print(f"{args.from_file}: bulk-loaded into an on-disk store in {loaded:.1f} s")
            bench(f"{args.from_file.name} (on disk)", open_store(Path(work) / "store", hidden), picture=args.png,
                  rounds=args.rounds, metrics=not args.extraction_only)
        return
    dataset = make_dataset(settings)
    bench("real graph", memory_store(dataset.nquads, hidden), picture=True)
    with tempfile.TemporaryDirectory(prefix="clustergraph-network-bench-") as work:
        source, replicated = Path(work) / "dataset.nq", Path(work) / "replicated.nq"
        source.write_bytes(dataset.nquads)
        copies, quads = synthetic_dump(source, args.quads, replicated, hidden)
        bench(f"replicated graph ({copies} copies, {quads} quads)", memory_store(replicated.read_bytes(), hidden),
              picture=args.png)


if __name__ == "__main__":
    main()
