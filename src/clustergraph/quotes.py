"""Step 2b, quotes: find curated quotes verbatim in their practice's text, each text prepared once.

A quote may be broken over lines differently from the text, so both are compared with every run of whitespace
squashed to one space. Each practice's text is squashed once, when the index is made, and each distinct
(practice, quote) pair is looked up once: the same quote given as an entity's evidence, a statement's quote and
a link of another statement's chain costs one search, however many quotes a practice carries.
"""

from __future__ import annotations

from collections.abc import Iterable

from clustergraph.records import Practice


def squash(text: str) -> str:
    """Collapse every run of whitespace to one space, so quotes survive line breaks.

    >>> squash("a  b\\n c")
    'a b c'
    """
    return " ".join(text.split())


class QuoteIndex:
    """The practices' squashed texts, answering "is this quote in that practice?" from a memo when it can.

    >>> from types import SimpleNamespace
    >>> index = QuoteIndex([SimpleNamespace(section_id="3.1.1", text="funded by\\n  COSME and Horizon Europe")])
    >>> index.missing("3.1.1", ["by COSME", "funded  by", "by Interreg"])
    ['by Interreg']
    >>> "3.1.1" in index, "9.9.9" in index
    (True, False)
    """

    def __init__(self, practices: Iterable[Practice]) -> None:
        self._texts = {practice.section_id: squash(practice.text) for practice in practices}
        self._found: dict[tuple[str, str], bool] = {}

    def __contains__(self, section_id: object) -> bool:
        return section_id in self._texts

    def holds(self, section_id: str, quote: str) -> bool:
        """Whether ``quote`` occurs in the practice's text (whitespace squashed); False for an unknown practice."""
        key = (section_id, quote)
        if key not in self._found:
            text = self._texts.get(section_id)
            self._found[key] = text is not None and squash(quote) in text
        return self._found[key]

    def missing(self, section_id: str, quotes: Iterable[str]) -> list[str]:
        """The quotes, of any number given for one practice, that its text does not hold, in the order given."""
        return [quote for quote in quotes if not self.holds(section_id, quote)]
