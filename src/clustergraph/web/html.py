"""The page layout for routes that build their body elsewhere (the editor): one call, the site header."""

from __future__ import annotations

from clustergraph.web.templates import render


def page(title: str, body: str, alternates: dict[str, str] | None = None) -> str:
    """A complete HTML page with the site header; ``alternates`` maps media types to URLs of this page."""
    return render("base.html", title=title, body=body, alternates=alternates or {})
