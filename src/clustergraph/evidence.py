"""Step 2c, evidence: check the curation against the source text, and find what it does not cover yet.

These are the checks that keep the graph honest: every quote occurs in its practice, every printed name of an
entity is backed by a quote, every practice owner resolves to one organisation, and every programme the text
names is either linked or explicitly marked as only mentioned.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from clustergraph.curation import OWNER_TYPES, Curation, Evidence, normalise_name
from clustergraph.quotes import QuoteIndex
from clustergraph.records import Guidebook, Practice
from clustergraph.statement_ends import unnamed_ends
from clustergraph.timing import timed


@dataclass(frozen=True)
class RegisterHit:
    """A programme alias found in a practice's text."""

    practice: str
    programme: str
    alias: str
    line: int


@timed("check evidence")
def check_evidence(curation: Curation, guidebook: Guidebook) -> list[str]:
    """Every problem of the curation measured against the source; empty when all holds.

    Every practice has its ``practices/<id>.yaml`` (a missing one is reported, so a lost file cannot make the
    graph silently smaller), and every programme name in its text must be covered.
    """
    problems: list[str] = []
    texts = QuoteIndex(guidebook.practices)

    def check_quote(sid: str, quote: str, what: str) -> None:
        if sid not in texts:
            problems.append(f"{what}: practice {sid} does not exist")
        elif not texts.holds(sid, quote):
            problems.append(f"{what}: quote not found in {sid}: {quote!r}")

    for register in (curation.organisations, curation.programmes, curation.projects):
        for entity in register.values():
            for item in entity.evidence:
                check_quote(item.practice, item.quote, entity.id)
            if entity.evidence:
                problems += _names_backed(entity.where or entity.id, (entity.name, *entity.aliases), entity.evidence)
    for sid, practice in curation.practices.items():
        if sid not in texts:
            problems.append(f"practices/{sid}.yaml: practice {sid} does not exist")
            continue
        statements = (*practice.placements, *practice.participations, *practice.fundings, *practice.mentions,
                      *practice.relations, *practice.affiliations, *practice.source_notes,
                      *((practice.ecosystem,) if practice.ecosystem else ()))
        for statement in statements:
            check_quote(sid, statement.quote, f"practices/{sid}.yaml")
            for link in getattr(statement, "chain", ()):
                check_quote(sid, link, f"{statement.where} (chain)")
        for note in practice.source_notes:  # a duplicated body shows in both texts
            if note.repeats:
                check_quote(note.repeats, note.quote, f"{note.where} (the text it repeats)")
    for printed in guidebook.practices:
        problems += _owner_problems(printed, curation)
        if printed.section_id not in curation.practices:
            # every practice is curated, so a missing file is a file lost, not one to come
            problems.append(f"practices/{printed.section_id}.yaml: missing (practice {printed.section_id}, "
                            f"line {printed.first_line})")
            continue
        owner = curation.resolve_organisation(printed.cluster_name)
        problems += [unnamed.message() for unnamed in unnamed_ends(curation.practices[printed.section_id],
                                                                   curation, owner.id if owner else None)]
        problems += [f"{hit.practice}: '{hit.alias}' (line {hit.line}) names programme '{hit.programme}' "
                     "but no funding, 'under', participation or mention covers it"
                     for hit in uncovered_hits(printed, curation)]
    return problems


def _names_backed(where: str, names: tuple[str, ...], evidence: tuple[Evidence, ...]) -> list[str]:
    """Every name and alias of an entity is printed in one of its quotes (``where``: its file:line [id])."""
    quotes = [normalise_name(item.quote) for item in evidence]
    return [f"{where}: name '{name}' occurs in none of its evidence quotes"
            for name in names if not any(normalise_name(name) in quote for quote in quotes)]


def _owner_problems(practice: Practice, curation: Curation) -> list[str]:
    problems = []
    owner = curation.resolve_organisation(practice.cluster_name)
    if owner is None:
        problems.append(f"{practice.section_id}: printed owner '{practice.cluster_name}' is not the name or "
                        "alias of any organisation")
    elif owner.type not in OWNER_TYPES:
        problems.append(f"{owner.where}: '{owner.id}' owns practice {practice.section_id} but is a {owner.type}; "
                        f"an owner is one of {', '.join(OWNER_TYPES)}")
    curated = curation.practices.get(practice.section_id)
    if not practice.ecosystem_printed and (curated is None or curated.ecosystem is None):
        problems.append(f"{practice.section_id}: the printed ecosystem is empty and no curated ecosystem is given")
    return problems


_NEWLINE = re.compile("\n")


@lru_cache(maxsize=256)
def _alias_pattern(alias: str) -> re.Pattern[str]:
    """A case-sensitive whole-word pattern for one alias (``Erasmus+`` and ``ESF+`` included)."""
    return re.compile(rf"(?<![\w-]){re.escape(alias)}(?![\w])")


def register_hits(practice: Practice, curation: Curation) -> list[RegisterHit]:
    """Every occurrence of a programme name or alias in the practice's text, in text order.

    One hit per alias and line it occurs on. Each alias is first tested as a plain substring of the whole
    text (most are absent), and only a present one is matched, once over the whole text, with its line found
    from the match offset: the text is scanned once per alias, not once per alias and line.
    """
    hits: list[RegisterHit] = []
    text = practice.text
    line_starts = [0, *(match.end() for match in _NEWLINE.finditer(text))]  # one C-level scan, not per char
    for programme in curation.programmes.values():
        for alias in dict.fromkeys((programme.name, *programme.aliases)):
            if alias not in text:
                continue
            lines = dict.fromkeys(bisect_right(line_starts, match.start()) - 1
                                  for match in _alias_pattern(alias).finditer(text))
            hits += [RegisterHit(practice.section_id, programme.id, alias, practice.first_line + offset)
                     for offset in lines]
    return sorted(hits, key=lambda hit: (hit.line, hit.programme))


def uncovered_hits(practice: Practice, curation: Curation) -> list[RegisterHit]:
    """Register hits of a practice that its curation neither links nor marks as mentioned."""
    curated = curation.practices.get(practice.section_id)
    covered: set[str] = set()
    if curated is not None:
        covered |= {funding.programme for funding in curated.fundings}
        covered |= {affiliation.programme for affiliation in curated.affiliations}
        covered |= {mention.programme for mention in curated.mentions}
        covered |= {p.target for p in curated.participations if p.target in curation.programmes}
    return [hit for hit in register_hits(practice, curation) if hit.programme not in covered]
