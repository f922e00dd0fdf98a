"""Benchmark: writing capped answers, this checkout against an earlier revision.

Each answer goes through ``query_runner.execute`` (guard, query, row and byte caps, serialisation) over an
in-memory store of synthetic triples, as a query worker runs it; ``execute``, ``QueryJob``, ``Limits`` and
``memory_store`` have the same signatures before and after native serialisation, so the same script times both.
With ``--against REV`` the script runs itself again on that revision's ``src`` (extracted with ``git archive``)
and prints both. Prints median seconds of ``--rounds`` runs; asserts nothing.
Run ``python bench/serialise.py [--against da9f34b] [--rows 10000,100000]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from clustergraph.query_runner import Limits, QueryJob, execute
from clustergraph.store import memory_store

ROOT = Path(__file__).resolve().parent.parent
MEDIA_TYPES = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
               "csv": "text/csv", "tsv": "text/tab-separated-values", "turtle": "text/turtle",
               "n-triples": "application/n-triples"}
SELECT = "SELECT ?s ?label ?n WHERE { ?s <http://e.org/label> ?label ; <http://e.org/n> ?n }"
CONSTRUCT = "CONSTRUCT { ?s <http://e.org/label> ?label } WHERE { ?s <http://e.org/label> ?label }"


def synthetic_nquads(subjects: int) -> bytes:
    """Two triples per subject: a language-tagged label and an integer."""
    lines = []
    for i in range(subjects):
        subject = f"<https://w3id.org/clustergraph/organisation/org-{i}>"
        lines.append(f'{subject} <http://e.org/label> "Organisation {i}, \\"cluster\\""@en <http://e.org/g> .\n')
        lines.append(f'{subject} <http://e.org/n> "{i}"^^<http://www.w3.org/2001/XMLSchema#integer> '
                     "<http://e.org/g> .\n")
    return "".join(lines).encode("utf-8")


def measure(rows: list[int], rounds: int, label: str) -> None:
    store = memory_store(synthetic_nquads(max(rows) + 1), ())
    limits = Limits(max_bytes=2**31)
    print(f"{label}: median seconds of {rounds} rounds; each answer cut by the row cap from {max(rows) + 1} rows")
    print(f"{'rows':>8} " + " ".join(f"{name:>10}" for name in MEDIA_TYPES))
    for cap in rows:
        cells = []
        for name, media_type in MEDIA_TYPES.items():
            job = QueryJob(CONSTRUCT if name in ("turtle", "n-triples") else SELECT, media_type, max_rows=cap)
            times = []
            for _ in range(rounds):
                started = time.perf_counter()
                answer = execute(store, job, limits)
                times.append(time.perf_counter() - started)
            assert answer.rows == cap and answer.cut_by == "rows", (name, answer.rows, answer.cut_by)
            cells.append(f"{statistics.median(times):>10.3f}")
        print(f"{cap:>8} " + " ".join(cells), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="10000,100000", help="row caps, comma-separated")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--against", help="also time this git revision (its src, extracted to a temporary folder)")
    parser.add_argument("--label", default="this checkout")
    args = parser.parse_args()
    rows = [int(value) for value in args.rows.split(",")]
    if args.against:
        with tempfile.TemporaryDirectory() as folder:
            archive = subprocess.run(["git", "archive", args.against, "src"], cwd=ROOT, check=True,
                                     capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
            env = {**os.environ, "PYTHONPATH": str(Path(folder) / "src")}
            subprocess.run([sys.executable, __file__, "--rows", args.rows, "--rounds", str(args.rounds),
                            "--label", f"revision {args.against}"], env=env, check=True)
    measure(rows, args.rounds, args.label)


if __name__ == "__main__":
    main()
