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
    """A set of words grouped by first character and length, searched for the words nearest to another.

    A word within ``maxdist`` edits of another is at most ``maxdist`` letters longer or shorter, so a
    search compares only the groups of nearby lengths.

    >>> Vocabulary(["sanction", "section", "salmon"]).nearest("sanctoin", len)
    ['sanction']
    >>> "salmon" in Vocabulary(["salmon", "sal"]), "salmo" in Vocabulary(["salmon"])
    (True, False)
    """

    def __init__(self, words: Iterable[str]):
        # one string per group: a Python string per word made the words of a large archive 25 MB in every
        # server worker. Words are gathered an initial at a time (a lexicon comes sorted), so reading them
        # never holds them all as strings at once: that peak stayed in each worker's memory.
        self.groups: dict[tuple[str, int], str] = {}
        pending: dict[tuple[str, int], list[str]] = {}
        initial = None
        for word in words:
            if word[:1] != initial:
                self._add(pending)
                initial = word[:1]
            pending.setdefault((initial, len(word)), []).append(word)
        self._add(pending)

    def _add(self, pending: dict[tuple[str, int], list[str]]) -> None:
        """Join the gathered groups into the kept ones, and empty them."""
        for key, group in pending.items():
            self.groups[key] = "\n".join([self.groups[key], *group] if key in self.groups else group)
        pending.clear()

    def __contains__(self, word: str) -> bool:
        return word in self._words(word[:1], range(len(word), len(word) + 1))

    def _words(self, initial: str, lengths: range) -> list[str]:
        """The words that begin with ``initial`` and have one of these lengths."""
        joined = [self.groups[(initial, n)] for n in lengths if (initial, n) in self.groups]
        return "\n".join(joined).split("\n") if joined else []

    def nearest(self, word: str, frequency: Callable[[str], int], maxdist: int = 2, limit: int = 3) -> list[str]:
        """Words within ``maxdist`` edits (a swap is one), nearest first, then most frequent; not ``word``."""
        choices = self._words(word[:1], range(len(word) - maxdist, len(word) + maxdist + 1))
        found = process.extract(word, choices, scorer=OSA.distance, score_cutoff=maxdist, limit=None)
        ranked = sorted((distance, -frequency(term), term) for term, distance, _ in found if term != word)
        return [term for _, _, term in ranked[:limit]]
