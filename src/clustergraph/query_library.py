"""The competency-query catalogue: ``queries/*.rq`` files with a title and description in their header."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from clustergraph.errors import NotFound, QueryError

HEADER = re.compile(r"^#\s*(?P<key>title|description|expects)\s*:\s*(?P<value>.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class NamedQuery:
    """One catalogue query: its file stem as name, the header's title and description, and the text."""

    name: str
    title: str
    description: str
    text: str


def parse_query_file(path: Path, *, needs_title: bool = True) -> NamedQuery:
    """Read one query file; its leading comment lines carry ``# title:`` and ``# description:``.

    Catalogue queries must have a title (it is what the editor's picker shows); a user's own file need not,
    and is then titled by its file name.

    Raises
    ------
    QueryError
        If the file has no title and ``needs_title`` is set.
    """
    text = path.read_text(encoding="utf-8")
    fields: dict[str, list[str]] = {}
    key = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = HEADER.match(line)
        if match:
            key = match["key"].lower()
            fields.setdefault(key, []).append(match["value"].strip())
        elif key and line.strip("# "):
            fields[key].append(line.lstrip("#").strip())
    if "title" not in fields and needs_title:
        raise QueryError(f"{path.name}: the header needs a '# title:' line")
    title = " ".join(fields.get("title", [path.stem]))
    return NamedQuery(path.stem, title, " ".join(fields.get("description", [])), text)


def load_queries(directory: Path) -> dict[str, NamedQuery]:
    """Every catalogue query by name, in name order."""
    return {query.name: query for query in map(parse_query_file, sorted(directory.glob("*.rq")))}


def resolve_query(name_or_file: str, directory: Path) -> NamedQuery:
    """A catalogue query by name, or any query file by path (``.rq``, ``.sparql``, ...).

    Raises
    ------
    NotFound
        If it is neither.
    """
    path = Path(name_or_file)
    if path.is_file():
        return parse_query_file(path, needs_title=False)
    catalogue = load_queries(directory)
    if name_or_file in catalogue:
        return catalogue[name_or_file]
    raise NotFound(f"no query named '{name_or_file}'; known: {', '.join(catalogue) or 'none'}")
