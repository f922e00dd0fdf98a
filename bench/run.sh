#!/usr/bin/env bash
# Install the benchmark's peers (rdflib-endpoint from PyPI, Debian's Virtuoso), then run the benchmark.
# Usage: bash bench/run.sh [--quads 100000,1000000] [--rounds N] [--requests N] [--clients 1,8,32] [--peers virtuoso,rdflib] [--queries DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d .venv ] || python3 -m venv .venv
. .venv/bin/activate
python -m pip install --quiet -e . 'rdflib-endpoint==0.6.3' httpx
python tests/virtuoso.py install  # Debian's virtuoso-opensource, when missing
python bench/run.py "$@"
