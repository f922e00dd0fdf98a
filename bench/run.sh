#!/usr/bin/env bash
# Install the benchmark's peers (rdflib-endpoint from PyPI, Debian's Virtuoso), then run the benchmark.
# Usage: bash bench/run.sh [--quads 100000,1000000] [--rounds N] [--requests N] [--clients 1,8,32] [--peers virtuoso,rdflib] [--queries DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d .venv ] || python3 -m venv .venv
. .venv/bin/activate
python -m pip install --quiet -e . 'rdflib-endpoint==0.6.3' httpx
if ! command -v virtuoso-t >/dev/null; then
  # A fresh Virtuoso database is created by the benchmark itself; this password only seeds Debian's own.
  printf '%s\n' "virtuoso-opensource-7 virtuoso-opensource-7/dba-password password bench-$$" \
                "virtuoso-opensource-7 virtuoso-opensource-7/dba-password-again password bench-$$" \
    | debconf-set-selections
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource >/dev/null
fi
python bench/run.py "$@"
