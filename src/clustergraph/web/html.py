"""HTML building blocks for the pages: one layout, escaped text, and links that stay on this server."""

from __future__ import annotations

import re
from html import escape

from clustergraph.web.templates import render
from clustergraph.web.urls import Urls


def page(title: str, body: str, alternates: dict[str, str] | None = None) -> str:
    """A complete HTML page with the site header; ``alternates`` maps media types to URLs of this page."""
    return render("base.html", title=title, body=body, alternates=alternates or {})


STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])")


def narrative(text: str) -> str:
    """A narrative section as HTML: one paragraph per line, the source's ``**bold**`` and ``*italic*`` kept.

    The guidebook text keeps the PDF's emphasis as Markdown markers; showing them raw would clutter the page.

    >>> narrative("A *Smart City* with **21 startups**\\n<b>")
    '<p>A <em>Smart City</em> with <strong>21 startups</strong></p><p>&lt;b&gt;</p>'
    """
    paragraphs = []
    for line in text.split("\n"):
        if line.strip():
            html = STRONG.sub(r"<strong>\1</strong>", escape(line.strip(), quote=False))
            html = EMPHASIS.sub(r"<em>\1</em>", html)
            paragraphs.append(f"<p>{html}</p>")
    return "".join(paragraphs)


def term(urls: Urls, value: str, kind: str, label: str | None = None, datatype: str | None = None,
         language: str | None = None) -> str:
    """A term as HTML: IRIs as links (local pages for our own IRIs), literals as text with their tag."""
    if kind == "uri":
        shown = escape(label) if label else f"<span class='iri'>{escape(value)}</span>"
        return f"<a href='{escape(urls.link_for(value))}'>{shown}</a>"
    if kind == "bnode":
        return f"<code>_:{escape(value)}</code>"
    suffix = f" <span class='muted'>@{escape(language)}</span>" if language else ""
    if datatype and not datatype.endswith("#string") and not language:
        suffix = f" <span class='muted'>^^{escape(datatype.rsplit('#', 1)[-1])}</span>"
    return f"<span class='section'>{escape(value)}</span>{suffix}"
