"""'Did you mean': the archive's own words nearest to a misspelled one, fast enough to ask on every search.

Whoosh's corrector walks the on-disk term dictionary with a Levenshtein automaton, one seek per step:
about 100 ms a query on a 50,000-word archive. Here the words sit in memory, grouped by first letter
(misspellings rarely touch it), and rapidfuzz measures the distances in C.
"""
from __future__ import annotations

from typing import Callable, Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA


class Vocabulary:
    """A set of words grouped by first character, searched for the words nearest to another.

    >>> Vocabulary(["sanction", "section", "salmon"]).nearest("sanctoin", len)
    ['sanction']
    """

    def __init__(self, words: Iterable[str]):
        self.by_initial: dict[str, list[str]] = {}
        for word in words:
            self.by_initial.setdefault(word[:1], []).append(word)

    def nearest(self, word: str, frequency: Callable[[str], int], maxdist: int = 2, limit: int = 3) -> list[str]:
        """Words within ``maxdist`` edits (a swap is one), nearest first, then most frequent; not ``word``."""
        found = process.extract(word, self.by_initial.get(word[:1], []), scorer=OSA.distance,
                                score_cutoff=maxdist, limit=None)
        ranked = sorted((distance, -frequency(term), term) for term, distance, _ in found if term != word)
        return [term for _, _, term in ranked[:limit]]
