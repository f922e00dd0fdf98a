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
    A programme reached through a project is the programme funding that project in any practice; a
    collaboration via a programme itself (two EEN members, say) goes via that programme. The owner joins
    the participants of its practice, not of the projects inside it: those need their own participation.
    """
    members: dict[tuple[str, str], set[str]] = defaultdict(set)
    sources: dict[tuple[str, str], set[str]] = defaultdict(set)
    funded_by: dict[str, set[str]] = defaultdict(set)
    for sid, practice in curation.practices.items():
        for funding in practice.fundings:
            funded_by[funding.target or sid].add(funding.programme)
        for participation in practice.participations:
            target = participation.target or sid
            kind = ("practice" if participation.target is None
                    else "programme" if target in curation.programmes else "project")
            members[(kind, target)].add(participation.organisation)
            sources[(kind, target)].add(sid)
            if kind == "practice" and sid in owners:
                members[(kind, target)].add(owners[sid])
    collaborations = []
    for (kind, target), organisations in sorted(members.items()):
        programmes = {target} if kind == "programme" else funded_by.get(target, set())
        for a, b in combinations(sorted(organisations), 2):
            collaborations.append(Collaboration(a, b, target, kind, tuple(sorted(programmes)),
                                                tuple(sorted(sources[(kind, target)]))))
    return collaborations
