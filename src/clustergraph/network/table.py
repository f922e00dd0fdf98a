"""The collaboration table a build writes beside its store: every collaboration of the graph as one line of tagged
fields (``extract.collaboration_table``), sorted, in ``collaborations.txt``.

Read from the embedded store, the collaborations of a million triples take the engine about 3 s (it looks up the
text of some 400 000 values and groups them per link); the same read on the staged store in memory, while the
build validates, takes about 1.5 s, and reading the written lines back takes a tenth of a second. A table holds
exactly what the store of its build holds (a build or an update writes it from the graph it publishes, and a
published generation never changes), so a network read from it is the network the store gives.
"""

from __future__ import annotations

from pathlib import Path

TABLE_FILE = "collaborations.txt"


def write_table(lines: list[str], generation: Path) -> None:
    """Write ``lines`` as ``generation``'s table: one collaboration a line, UTF-8 (IRIs hold no line break)."""
    with (generation / TABLE_FILE).open("w", encoding="utf-8", newline="\n") as out:
        out.writelines(line + "\n" for line in lines)


def read_table(generation: Path | None) -> list[str] | None:
    """The lines of ``generation``'s table, or ``None`` when there is none (no local generation, one written
    before tables, or one removed since): the caller then reads the store."""
    if generation is None:
        return None
    try:
        return (generation / TABLE_FILE).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return None
