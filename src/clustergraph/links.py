"""Step 3b, links: derive collaborations from curated participations.

Two organisations collaborate when they take part in the same project, programme or practice. The owner of a
practice takes part in it implicitly. Each collaboration records what it goes *via* and which programmes fund
that, so the graph answers "who works with whom through COSME" with one pattern.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

from clustergraph.curation import Curation

# Roles that put an organisation beside a project rather than in it: a funder pays for it and a client is served
# by it; neither makes the organisation a collaborator of those who carry it out.
NOT_COLLABORATING = frozenset({"funder", "client"})


@dataclass(frozen=True)
class Collaboration:
    """Organisations ``a`` < ``b`` (by id) sharing ``via``: a project id, a programme id or a practice id."""

    a: str
    b: str
    via: str
    via_kind: str  # "project", "programme" or "practice"
    programmes: tuple[str, ...]
    practices: tuple[str, ...]


def derive_collaborations(curation: Curation, owners: dict[str, str]) -> list[Collaboration]:
    """All pairwise collaborations, sorted for deterministic output.

    Parameters
    ----------
    curation
        The curated participations and fundings.
    owners
        Practice section id -> organisation id of its owner (resolved from the printed name).

    Notes
    -----
    A programme reached through a project is the programme funding that project, or the one it is curated as
    being under (an EDIH), in any practice. Taking part
    in a programme directly (two EEN members, say) links organisations of the *same* practice only: two
    practices that each name a Horizon Europe participant do not make those two collaborators. A project is
    one undertaking wherever it is told, so its participants are pooled over every practice that names it.
    The owner joins the participants of its practice, not of the projects inside it: those need their own
    participation. Funders and clients (``NOT_COLLABORATING``) are left out; a part and the organisation it is
    part of (a ``part-of`` relation) never collaborate; and a practice whose text repeats another's (a
    ``duplicated-text`` source note) adds nothing, so a pair is never counted because a body is printed twice.
    """
    members: dict[tuple[str, str, str], set[str]] = defaultdict(set)  # (kind, target, practice or "")
    told_in: dict[str, set[str]] = defaultdict(set)  # project -> the practices that name a participant
    funded_by: dict[str, set[str]] = defaultdict(set)
    for sid, practice in curation.practices.items():
        if any(note.repeats for note in practice.source_notes):
            continue  # a body printed twice is told once: its statements live in the practice it repeats
        for funding in practice.fundings:
            funded_by[funding.target or sid].add(funding.programme)
        for affiliation in practice.affiliations:
            funded_by[affiliation.project].add(affiliation.programme)
        for participation in practice.participations:
            if participation.role in NOT_COLLABORATING:
                continue
            target = participation.target or sid
            kind = ("practice" if participation.target is None
                    else "programme" if target in curation.programmes else "project")
            scope = "" if kind == "project" else sid
            told_in[target].add(sid)
            members[(kind, target, scope)].add(participation.organisation)
            if kind == "practice" and sid in owners:
                members[(kind, target, scope)].add(owners[sid])
    one_body = {frozenset((r.subject, r.object)) for p in curation.practices.values() for r in p.relations
                if r.relation == "part-of"}
    pairs: dict[tuple[str, str, str], tuple[str, set[str], set[str]]] = {}
    for (kind, target, scope), organisations in members.items():
        programmes = {target} if kind == "programme" else funded_by.get(target, set())
        practices = told_in[target] if kind == "project" else {scope}
        for a, b in combinations(sorted(organisations), 2):
            if frozenset((a, b)) in one_body:
                continue  # a faculty and its university are one body, not collaborators
            _, via_programmes, via_practices = pairs.setdefault((a, b, target), (kind, set(), set()))
            via_programmes |= programmes
            via_practices |= practices
    return [Collaboration(a, b, via, kind, tuple(sorted(programmes)), tuple(sorted(practices)))
            for (a, b, via), (kind, programmes, practices) in sorted(pairs.items())]
