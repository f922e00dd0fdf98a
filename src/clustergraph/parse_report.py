"""The parse report: what the parser could not place in the guidebook and the defects of the text itself that the
curation records (source notes). ``clustergraph parse`` prints it and every build writes it to the generation's
``parse-report.txt``, so the two can never disagree."""

from __future__ import annotations

from clustergraph.curation import Curation
from clustergraph.records import Guidebook


def parse_report_lines(guidebook: Guidebook, curation: Curation | None) -> list[str]:
    """One line per parse issue, then one per source note (none when the curation did not load).

    A source note reads ``3.3.3 (line 2441) source-note duplicated-text (repeats 3.3.1): <note> Evidence: '<quote>'``:
    the practice, the line its heading is printed on, the kind of defect and the quote that shows it.
    """
    lines = [str(issue) for issue in guidebook.issues]
    if curation is None:
        return lines
    for sid, curated in curation.practices.items():
        printed = guidebook.practice(sid)
        for note in curated.source_notes:
            line = printed.first_line if printed else 0
            repeats = f" (repeats {note.repeats})" if note.repeats else ""
            lines.append(f"{sid} (line {line}) source-note {note.kind}{repeats}: {note.note} Evidence: {note.quote!r}")
    return lines
