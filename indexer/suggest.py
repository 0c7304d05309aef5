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
        grouped: dict[str, list[str]] = {}
        for word in words:
            grouped.setdefault(word[:1], []).append(word)
        # one string per initial: a Python string per word made the words of a large archive 25 MB in
        # every server worker, against 4 MB this way
        self.by_initial = {initial: "\n".join(group) for initial, group in grouped.items()}

    def __contains__(self, word: str) -> bool:
        return word in self.words(word[:1])

    def words(self, initial: str) -> list[str]:
        """The words that begin with ``initial``."""
        joined = self.by_initial.get(initial, "")
        return joined.split("\n") if joined else []

    def nearest(self, word: str, frequency: Callable[[str], int], maxdist: int = 2, limit: int = 3) -> list[str]:
        """Words within ``maxdist`` edits (a swap is one), nearest first, then most frequent; not ``word``."""
        found = process.extract(word, self.words(word[:1]), scorer=OSA.distance, score_cutoff=maxdist, limit=None)
        ranked = sorted((distance, -frequency(term), term) for term, distance, _ in found if term != word)
        return [term for _, _, term in ranked[:limit]]
