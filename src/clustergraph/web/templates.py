"""The one owner of Jinja2: the template environment and ``render``, so pages never build HTML by hand.

Templates live in ``web/templates/``; every page extends ``base.html`` (the site header and stylesheet).
Autoescaping is on for every template, so a value from the graph can never become markup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).parent / "templates"
ENVIRONMENT = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                          undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render(name: str, **context: Any) -> str:
    """Render the template ``name`` with ``context``.

    >>> "<title>A &amp; B — ClusterGraph</title>" in render("base.html", title="A & B", alternates={}, body="")
    True
    """
    return ENVIRONMENT.get_template(name).render(**context)
