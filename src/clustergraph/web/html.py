"""HTML building blocks for the pages: one layout, escaped text, and links that stay on this server."""

from __future__ import annotations

import re
from html import escape

from clustergraph.web.urls import Urls

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2733;background:#fafbfc}
header{background:#12395b;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1.2rem;align-items:baseline}
header a{color:#fff;text-decoration:none}header .brand{font-weight:700;font-size:1.1rem}
main{max-width:72rem;margin:0 auto;padding:1rem 1.2rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.2rem}th,td{border-bottom:1px solid #dde3ea;
padding:.35rem .5rem;text-align:left;vertical-align:top}th{background:#eef2f6;font-weight:600}
code,.iri{font-family:ui-monospace,Menlo,monospace;font-size:.85em;color:#4a5a6a;word-break:break-all}
blockquote{margin:.2rem 0;padding:.2rem .6rem;border-left:3px solid #7aa7d1;background:#f1f6fb}
.section{white-space:pre-wrap;line-height:1.45}.narrative p{margin:.35rem 0;line-height:1.45}.muted{color:#6a7785}.formats a{margin-right:.8rem}
"""


def page(title: str, body: str, alternates: dict[str, str] | None = None) -> str:
    """A complete HTML page with the site header; ``alternates`` maps media types to URLs of this page."""
    links = "".join(f'<link rel="alternate" type="{escape(media)}" href="{escape(href)}">'
                    for media, href in (alternates or {}).items())
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{escape(title)} — "
            f"ClusterGraph</title><style>{STYLE}</style>{links}</head><body><header>"
            f"<a class='brand' href='/'>ClusterGraph</a><a href='/'>Query editor</a>"
            f"<a href='/sparql'>SPARQL endpoint</a><a href='/ontology'>Ontology</a>"
            f"<a href='/.well-known/void'>VoID</a></header><main>{body}</main></body></html>")


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
