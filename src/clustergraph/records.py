"""Step 2, records: turn chapter and practice blocks into frozen records, reporting what could not be placed.

The guidebook is a PDF conversion. Its fixed places (the "Name of the cluster/association", "Country" and
"Industrial ecosystem" labels, the contact block, the four narrative sections) are found by pattern, never by
practice: a value may sit on the label's line or the lines after it, a label may lack its colon, sections may
be missing or out of order, and logo lines or broken links may sit anywhere. Lines that fit no pattern are
kept as :class:`ParseIssue` entries so that nothing is dropped silently.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import pycountry

from clustergraph.source import HEADING, Block, Line, SourceText, split_blocks
from clustergraph.timing import timed

SECTION_NAMES = ("challenges", "stakeholders", "actions", "results")
SECTION_LABEL = re.compile(
    r"^(?P<label>Challenges|Stakeholders|Actions|Results and benefits)\s*[.:]?\s*$", re.IGNORECASE
)
MORE_INFORMATION = re.compile(r"^More information about the best practice\s*[.:]?\s*$", re.IGNORECASE)
# The questionnaire's prompts printed under each section label; they are form text, not content.
PROMPT = re.compile(
    r"^(What was the starting point\?|Who was involved in the development|What have you done\?|"
    r"Please describe the result)",
    re.IGNORECASE,
)
HEADER_LABEL = re.compile(
    r"^(?P<label>Name of the cluster/association|Country|Industrial ecosystem|Contact)\s*(?::\s*(?P<value>.*))?$",
    re.IGNORECASE,
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
MARKDOWN_LINK = re.compile(r"\[(?P<text>[^\]]*)\]\((?P<url>[^)\s]+)\)")
ANGLE_LINK = re.compile(r"<(?P<url>https?://[^>\s]+)>")
BARE_URL = re.compile(r"(?P<url>(?:https?://|www\.)[^\s<>()\[\]]+)")
COUNTRY_CODED = re.compile(r"^(?P<code>[A-Z]{2})\s*[-–]\s*(?P<name>.+)$")
SECTION_KEYS = {"challenges": "challenges", "stakeholders": "stakeholders", "actions": "actions",
                "results and benefits": "results"}


@dataclass(frozen=True)
class ParseIssue:
    """Something in the source the parser could not place, or a fixed place it found empty or missing."""

    section_id: str
    line: int
    kind: str
    text: str

    def __str__(self) -> str:
        return f"{self.section_id} (line {self.line}) {self.kind}: {self.text}"


@dataclass(frozen=True)
class Chapter:
    """One of the five cluster roles (3.1-3.5): its heading and introductory text."""

    section_id: str
    heading: str
    intro: str
    first_line: int
    last_line: int


@dataclass(frozen=True)
class Practice:
    """One good practice as printed: header values, contacts and narrative sections."""

    section_id: str
    title: str
    chapter_id: str
    cluster_name: str
    country_printed: str
    country_code: str | None
    ecosystem_printed: str
    persons: tuple[str, ...]
    emails: tuple[str, ...]
    websites: tuple[str, ...]
    sections: tuple[tuple[str, str], ...]
    more_information: tuple[str, ...]
    text: str
    first_line: int
    last_line: int

    def section(self, name: str) -> str | None:
        """The text of a narrative section ('challenges', 'stakeholders', 'actions', 'results')."""
        return dict(self.sections).get(name)


@dataclass(frozen=True)
class Guidebook:
    """Everything parsed from the source, with the issues met on the way."""

    source: SourceText
    chapters: tuple[Chapter, ...]
    practices: tuple[Practice, ...]
    issues: tuple[ParseIssue, ...]

    def practice(self, section_id: str) -> Practice | None:
        """The practice with this section id, or None."""
        return next((p for p in self.practices if p.section_id == section_id), None)

    def issue_counts(self) -> Counter[str]:
        """Issues per kind, for the build summary."""
        return Counter(issue.kind for issue in self.issues)


@timed("parse guidebook")
def parse_guidebook(source: SourceText) -> Guidebook:
    """Parse every chapter and practice block of the source.

    Issues are collected, never raised: a practice with an empty ecosystem or a stray logo line still comes
    out, and the caller decides what to do with the report.
    """
    issues: list[ParseIssue] = []
    chapters: list[Chapter] = []
    practices: list[Practice] = []
    blocks = split_blocks(source)
    if blocks:
        issues.append(ParseIssue("front matter", 1, "outside-chapters",
                                 f"lines 1-{blocks[0].first_line - 1} (contents, foreword, ECA) precede 3.1"))
    for block in blocks:
        if block.is_practice:
            chapter_id = block.section_id.rsplit(".", 1)[0]
            practices.append(_parse_practice(block, chapter_id, issues))
        else:
            chapters.append(_parse_chapter(block))
    issues.extend(_check_contents(source, blocks))
    issues.extend(_repeated_headings(source))
    return Guidebook(source, tuple(chapters), tuple(practices), tuple(issues))


def _parse_chapter(block: Block) -> Chapter:
    intro = "\n".join(line.text.strip() for line in block.lines[1:] if line.text.strip())
    return Chapter(block.section_id, block.heading, intro, block.first_line, block.last_line)


def _check_contents(source: SourceText, blocks: list[Block]) -> list[ParseIssue]:
    """Compare the table of contents with the body, both ways."""
    toc = source.toc
    body = {block.section_id for block in blocks}
    issues = [ParseIssue(sid, 0, "missing-in-body", f"listed in the contents as '{title}'")
              for sid, title in toc.items() if sid not in body]
    issues += [ParseIssue(b.section_id, b.first_line, "missing-in-contents", b.heading)
               for b in blocks if toc and b.section_id not in toc]
    return issues


def _repeated_headings(source: SourceText) -> list[ParseIssue]:
    """A heading printed again: its lines stay in the block before it (nothing is lost), and this says so."""
    seen: set[str] = set()
    issues = []
    for line in source.lines:
        match = None if "\t" in line.text else HEADING.match(line.text)
        if match and match["id"] in seen:
            issues.append(ParseIssue(match["id"], line.number, "repeated-heading",
                                     f"'{line.text.strip()}' again: kept inside the block before it"))
        elif match:
            seen.add(match["id"])
    return issues


@dataclass
class _HeaderValues:
    """Mutable accumulator for one practice's header while its lines are read."""

    title_lines: list[str] = field(default_factory=list)
    values: dict[str, list[str]] = field(default_factory=dict)
    contact_lines: list[Line] = field(default_factory=list)


def _parse_practice(block: Block, chapter_id: str, issues: list[ParseIssue]) -> Practice:
    sid = block.section_id
    header = _HeaderValues()
    sections: dict[str, list[str]] = {}
    more_information: list[str] = []
    current: str | None = None  # header label or section key being filled
    in_narrative = False
    expect_prompt = False
    for line in block.lines[1:]:
        text = line.text.strip()
        if not text:
            continue
        section = SECTION_LABEL.match(text)
        if section:
            current, in_narrative, expect_prompt = SECTION_KEYS[section["label"].lower()], True, True
            sections.setdefault(current, [])
            continue
        if MORE_INFORMATION.match(text):
            current, in_narrative, expect_prompt = "more", True, False
            continue
        if expect_prompt and PROMPT.match(text):
            expect_prompt = False
            continue
        expect_prompt = False
        if in_narrative:
            (more_information if current == "more" else sections[current or "challenges"]).append(text)
            continue
        label = HEADER_LABEL.match(text)
        if label:
            current = label["label"].lower()
            header.values.setdefault(current, [])
            if label["value"]:
                header.values[current].append(label["value"].strip())
            continue
        if current is None:
            header.title_lines.append(text)
        elif current == "contact":
            header.contact_lines.append(line)
        else:
            header.values[current].append(text)

    cluster = _single_value(header.values, "name of the cluster/association", sid, block, issues, join=True)
    country_printed = _single_value(header.values, "country", sid, block, issues)
    ecosystem = _single_value(header.values, "industrial ecosystem", sid, block, issues)
    persons, emails, websites = _parse_contact(header.contact_lines, sid, issues)
    for name in SECTION_NAMES:
        if not sections.get(name):
            issues.append(ParseIssue(sid, block.first_line, "missing-section", name))
    country_code = _country_code(country_printed)
    if country_printed and country_code is None:
        issues.append(ParseIssue(sid, block.first_line, "unknown-country", country_printed))
    return Practice(
        section_id=sid,
        title=" ".join([block.heading, *header.title_lines]),
        chapter_id=chapter_id,
        cluster_name=cluster,
        country_printed=country_printed,
        country_code=country_code,
        ecosystem_printed=ecosystem,
        persons=persons,
        emails=emails,
        websites=websites,
        sections=tuple((name, "\n".join(sections[name])) for name in SECTION_NAMES if sections.get(name)),
        more_information=tuple(more_information),
        text=block.text,
        first_line=block.first_line,
        last_line=block.last_line,
    )


def _single_value(values: dict[str, list[str]], label: str, sid: str, block: Block,
                  issues: list[ParseIssue], join: bool = False) -> str:
    """The value of a one-value header label; a name broken over lines is joined when ``join`` is set."""
    found = values.get(label)
    if found is None:
        issues.append(ParseIssue(sid, block.first_line, "missing-label", label))
        return ""
    if not found:
        issues.append(ParseIssue(sid, block.first_line, "empty-value", label))
        return ""
    if join:
        return " ".join(found)
    for extra in found[1:]:
        issues.append(ParseIssue(sid, block.first_line, "unplaced", f"after '{label}': {extra}"))
    return found[0]


def _parse_contact(lines: list[Line], sid: str, issues: list[ParseIssue]
                   ) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Split a contact block into person names, e-mails and web addresses.

    Names come before the first address; a markdown link broken over two lines is rejoined; whatever
    remains after the addresses (logo lines, stray letters) is reported as unplaced.
    """
    persons: list[str] = []
    emails: list[str] = []
    websites: list[str] = []
    for number, text in _rejoin_links(lines):
        rest = text
        found_address = False
        for pattern in (MARKDOWN_LINK, ANGLE_LINK, BARE_URL):
            for match in pattern.finditer(rest):
                websites.append(_as_url(match["url"]))
                found_address = True
            rest = pattern.sub(" ", rest)
        for match in EMAIL.finditer(rest):
            emails.append(match.group(0))
            found_address = True
        rest = EMAIL.sub(" ", rest).strip()
        if not rest:
            continue
        if not found_address and not emails and not websites:
            persons.append(rest)
        else:
            issues.append(ParseIssue(sid, number, "unplaced", f"in contact block: {rest}"))
    return tuple(persons), tuple(dict.fromkeys(emails)), tuple(dict.fromkeys(websites))


def _rejoin_links(lines: list[Line]) -> list[tuple[int, str]]:
    """Join a line that opens a markdown link ``[...`` with the lines that close it ``...](url)``."""
    joined: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for line in lines:
        text = line.text.strip()
        if pending is not None:
            pending = (pending[0], pending[1] + text)
            if ")" in text:
                joined.append(pending)
                pending = None
            continue
        if "[" in text and "](" not in text:
            pending = (line.number, text)
        else:
            joined.append((line.number, text))
    if pending is not None:
        joined.append(pending)
    return joined


def _as_url(printed: str) -> str:
    """A printed web address as an absolute URL (``www.x.eu`` -> ``http://www.x.eu``)."""
    return printed if printed.startswith(("http://", "https://")) else f"http://{printed}"


def _country_code(printed: str) -> str | None:
    """ISO 3166-1 alpha-2 code of a printed country ('AT - Austria', 'Italy'), or None.

    >>> _country_code("GR - Greece"), _country_code("Italy"), _country_code("Atlantis")
    ('GR', 'IT', None)
    """
    coded = COUNTRY_CODED.match(printed)
    candidate = coded["code"] if coded else printed.strip()
    if not candidate:
        return None
    try:
        country = pycountry.countries.lookup(candidate)
    except LookupError:
        return None
    return str(country.alpha_2)
