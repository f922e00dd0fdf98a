"""``python -m clustergraph`` runs the command line."""

from clustergraph.cli import app

app()
