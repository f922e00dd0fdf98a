"""The one owner of Jinja2: the template environment and ``render``, so pages never build HTML by hand.

Templates live in ``web/templates/``; every page extends ``base.html`` (the site header and stylesheet).
Autoescaping is on for every template, so a value from the graph can never become markup; the one filter that
returns markup, ``narrative``, escapes the text before adding its own tags.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

TEMPLATES = Path(__file__).parent / "templates"
ENVIRONMENT = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                          undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])")


def render(name: str, **context: Any) -> str:
    """Render the template ``name`` with ``context``.

    >>> "<title>A &amp; B — ClusterGraph</title>" in render("base.html", title="A & B", alternates={})
    True
    """
    return ENVIRONMENT.get_template(name).render(**context)


def narrative(text: str) -> Markup:
    """A narrative section as HTML: one paragraph per line, the source's ``**bold**`` and ``*italic*`` kept.

    The guidebook text keeps the PDF's emphasis as Markdown markers; showing them raw would clutter the page.

    >>> str(narrative("A *Smart City* with **21 startups**\\n<b>"))
    '<p>A <em>Smart City</em> with <strong>21 startups</strong></p><p>&lt;b&gt;</p>'
    """
    paragraphs = []
    for line in text.split("\n"):
        if line.strip():
            html = STRONG.sub(r"<strong>\1</strong>", escape(line.strip(), quote=False))
            html = EMPHASIS.sub(r"<em>\1</em>", html)
            paragraphs.append(f"<p>{html}</p>")
    return Markup("".join(paragraphs))


ENVIRONMENT.filters["narrative"] = narrative
