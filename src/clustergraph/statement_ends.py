"""The rule of ``data/curation/README.md`` as a check: a statement's quotes name both of its ends.

A participation links an organisation to a project, programme or the practice; a funding a programme to a project
or the practice; an ``under`` a project to a programme; a relation two entities. The statement's ``quote`` plus
its recorded ``chain`` must print a name or alias of each end. Two ends need no name: the practice itself (every
quote comes from its text) and, in its own practice, the owner when the quotes refer to it as the text does
(:data:`SELF_REFERENCE`). The matcher forgives only what printing varies (case, diacritics, dashes, quotation
marks, apostrophes, ``*`` emphasis, spacing) and reads a name ``Full Name (ACR)`` as both of its halves; it never
matches part of a word.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from clustergraph.curation import (Affiliation, Curation, Entity, Funding, Participation, PracticeCuration,
                                   Relation)

# How a practice's text refers to its owner without naming it: the first person, or "the cluster" (and "this
# cluster", "the association", ...). Matched on the normalised quote, on word boundaries.
SELF_REFERENCE = re.compile(r"(?<!\w)(?:we|our|ours|us|(?:the|this) (?:cluster|association|metacluster|meta-cluster)"
                            r"(?: organi[sz]ation)?)(?!\w)")
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
_QUOTES = {**dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b\u00b4`"), "'"),
           **dict.fromkeys(map(ord, "\u201c\u201d\u201e\u201f\u00ab\u00bb"), '"')}
_ACRONYM = re.compile(r"^(?P<full>.+?)\s*\((?P<short>[^()]+)\)$")


@dataclass(frozen=True)
class UnnamedEnd:
    """A statement whose quotes do not name one of its ends."""

    where: str
    end: str
    quotes: tuple[str, ...]

    def message(self) -> str:
        """The problem as ``curation check`` prints it."""
        shown = " + ".join(repr(quote) for quote in self.quotes)
        return (f"{self.where}: no name or alias of '{self.end}' in {shown}; quote a longer passage that names "
                "it, record a 'chain' of quotes, or weaken the statement")


def fold(text: str) -> str:
    """Text as the matcher compares it: no diacritics, one dash, one apostrophe, no emphasis, casefolded.

    >>> fold("Technical University of  Košice – *FEI*")
    'technical university of kosice - fei'
    >>> fold("Driver’s “Licence”")
    'driver\\'s "licence"'
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_DASHES).translate(_QUOTES).replace("*", ""))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split()).casefold()


def name_forms(names: Iterable[str]) -> tuple[str, ...]:
    """The folded forms a quote may print: each name, and both halves of a ``Full Name (ACR)``.

    >>> name_forms(["Technical University of Košice (TUKE)", "FEI"])
    ('technical university of kosice (tuke)', 'technical university of kosice', 'tuke', 'fei')
    """
    forms: list[str] = []
    for name in names:
        forms.append(fold(name))
        if match := _ACRONYM.match(name.strip()):
            forms += [fold(match["full"]), fold(match["short"])]
    return tuple(dict.fromkeys(form for form in forms if form))


@lru_cache(maxsize=4096)
def _pattern(form: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(form)}(?!\w)")


def prints_name(quotes: Iterable[str], forms: Iterable[str]) -> bool:
    """True when one of ``quotes`` prints one of the name ``forms`` as whole words.

    >>> prints_name(["the TUKE team"], name_forms(["TUKE"]))
    True
    >>> prints_name(["TUKEs"], name_forms(["TUKE"]))
    False
    """
    folded = [fold(quote) for quote in quotes]
    return any(_pattern(form).search(quote) for form in forms for quote in folded)


def _ends(statement: Participation | Funding | Affiliation | Relation) -> tuple[str | None, str | None]:
    """The two ends of a statement as ids; None is the practice itself."""
    if isinstance(statement, Participation):
        return statement.organisation, statement.target
    if isinstance(statement, Funding):
        return statement.programme, statement.target
    if isinstance(statement, Affiliation):
        return statement.project, statement.programme
    return statement.subject, statement.object


def unnamed_ends(curated: PracticeCuration, curation: Curation, owner: str | None) -> list[UnnamedEnd]:
    """Every end of a participation, funding, ``under`` or relation of ``curated`` that its quotes do not name.

    ``owner`` is the id of the practice's owner, which a self-reference names in its own practice.
    """
    registers: dict[str, Entity] = {**curation.organisations, **curation.programmes, **curation.projects}
    found = []
    statements: list[Participation | Funding | Affiliation | Relation] = [
        *curated.participations, *curated.fundings, *curated.affiliations, *curated.relations]
    for statement in statements:
        quotes = (statement.quote, *statement.chain)
        for end in _ends(statement):
            if end is None or end not in registers:  # the practice itself; an unknown id is reported elsewhere
                continue
            entity = registers[end]
            if prints_name(quotes, name_forms((entity.name, *entity.aliases))):
                continue
            if end == owner and any(SELF_REFERENCE.search(fold(quote)) for quote in quotes):
                continue
            found.append(UnnamedEnd(statement.where, end, quotes))
    return found
