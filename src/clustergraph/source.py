"""Step 1, source: read the guidebook text and cut it into chapter and practice blocks with line spans."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from clustergraph.errors import SourceError
from clustergraph.yaml_loader import load_yaml

# A body heading: "3.2" or "3.2.4" followed by text, with no tab (table-of-contents lines carry tabs and
# page numbers, which is how the contents list is told apart from the body it announces).
HEADING = re.compile(r"^(?P<id>3\.\d+(?:\.\d+)?) +(?P<title>\S.*?)\s*$")
TOC_ENTRY = re.compile(r"^(?P<id>3\.\d+(?:\.\d+)?)\s+(?P<title>[^\t]+?)\s*\t")


@dataclass(frozen=True)
class Line:
    """One line of the source with its 1-based number, so every record can cite where it came from."""

    number: int
    text: str


@dataclass(frozen=True)
class Block:
    """A chapter ("3.2") or practice ("3.2.4") block: its heading and the lines up to the next heading."""

    section_id: str
    heading: str
    lines: tuple[Line, ...]

    @property
    def is_practice(self) -> bool:
        """Practices have three-part ids; chapters (the cluster roles) two."""
        return self.section_id.count(".") == 2

    @property
    def first_line(self) -> int:
        """Line number of the heading."""
        return self.lines[0].number

    @property
    def last_line(self) -> int:
        """Line number of the block's last line."""
        return self.lines[-1].number

    @property
    def text(self) -> str:
        """The block's text with the lines joined as printed."""
        return "\n".join(line.text for line in self.lines)


@dataclass(frozen=True)
class SourceText:
    """The guidebook as read from disk: its lines, its digest and its table of contents."""

    path: Path
    lines: tuple[Line, ...]
    sha256: str

    @property
    def toc(self) -> dict[str, str]:
        """Section id -> title as listed in the table of contents."""
        entries: dict[str, str] = {}
        for line in self.lines:
            match = TOC_ENTRY.match(line.text)
            if match:
                entries.setdefault(match["id"], match["title"].strip())
        return entries


def read_source(path: Path) -> SourceText:
    """Read the guidebook text.

    Raises
    ------
    SourceError
        If the file is missing, not UTF-8, or has no ``3.x.y`` practice heading at all.
    """
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except OSError as exc:
        raise SourceError(f"cannot read the guidebook text: {exc.strerror}", path) from exc
    except UnicodeDecodeError as exc:
        raise SourceError(f"the guidebook text is not UTF-8 (byte {exc.start})", path) from exc
    lines = tuple(Line(number, value.rstrip("\r")) for number, value in enumerate(text.split("\n"), 1))
    source = SourceText(path=path, lines=lines, sha256=hashlib.sha256(raw).hexdigest())
    if not any(block.is_practice for block in split_blocks(source)):
        raise SourceError("no practice heading ('3.x.y Title') found", path)
    return source


def split_blocks(source: SourceText) -> list[Block]:
    """Cut the body into blocks at every chapter or practice heading.

    Text before the first heading (editorial team, contents, foreword) belongs to no block. A heading id
    seen twice keeps its first block; the repeat stays inside the block before it, so no line is lost.

    >>> src = SourceText(Path("x"), (Line(1, "3.1 Role"), Line(2, "intro"), Line(3, "3.1.1 A"),
    ...                  Line(4, "body")), "")
    >>> [(b.section_id, b.heading, len(b.lines)) for b in split_blocks(src)]
    [('3.1', 'Role', 2), ('3.1.1', 'A', 2)]
    """
    starts: list[tuple[int, str, str]] = []
    seen: set[str] = set()
    for index, line in enumerate(source.lines):
        match = None if "\t" in line.text else HEADING.match(line.text)
        if match and match["id"] not in seen:
            seen.add(match["id"])
            starts.append((index, match["id"], match["title"]))
    bounds = [index for index, _, _ in starts] + [len(source.lines)]
    return [
        Block(section_id, title, source.lines[start:end])
        for (start, section_id, title), end in zip(starts, bounds[1:], strict=True)
    ]


@dataclass(frozen=True)
class SourceMeta:
    """What the source note (``source.yaml`` beside the text) says about the guidebook."""

    title: str
    publisher: str
    sha256: str
    url: str | None


def read_source_meta(path: Path) -> SourceMeta:
    """Read the source note.

    Raises
    ------
    SourceError
        If the note is missing or lacks its title, publisher or sha256.
    """
    try:
        doc = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SourceError(f"cannot read the source note: {exc}", path) from exc
    if not isinstance(doc, dict) or not all(doc.get(key) for key in ("title", "publisher", "sha256")):
        raise SourceError("the source note needs title, publisher and sha256", path)
    return SourceMeta(str(doc["title"]), str(doc["publisher"]), str(doc["sha256"]), doc.get("url"))
