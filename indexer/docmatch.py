"""Documents that match a query as a whole; their passages then show where.

A document matches when the query holds in it as a whole: each required word (or phrase) somewhere in
its title, authors, sections or notes, a ``NOT`` word nowhere, ``OR`` at least one side. A word, phrase
or field term is a *part*, matched in passages (index entries) as before; ``And``, ``Or``, ``AndNot``,
``AndMaybe`` and ``Not`` above the parts combine documents, not passages. So two words from two
sections of one paper find the paper.

A document's score is its *evidence*, each part's best passage score in it summed, plus the score of
its best passage (the parts that passage holds, summed), which favours documents with the words close
together. Scores are documented with the ranking constants in ``indexer.search``.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from whoosh.query import And, AndMaybe, AndNot, Every, Not, Query

from indexer.index import EntryTable
from indexer.scores import ORS, TEXT_FIELDS, Scored, Scores, WordFields, query_scores, supported

CHECK_EVERY = 1024  # matches between two looks at the clock, for a part scored by Whoosh's matchers


@dataclass
class Matched:
    """What a query (or one part of it) matches: documents with their evidence, and passages with scores.

    ``passages`` holds every entry of a matching document that a part found (a title word finds all of
    a document's entries); ``text`` those found by a word of their own text, the passages that count
    as matches and are shown, with how many of the query's parts each holds.
    """

    docs: dict[str, float] = field(default_factory=dict)
    passages: Scores = field(default_factory=dict)
    text: dict[int, int] = field(default_factory=dict)
    complete: bool = True

    def restricted(self, docs: dict[str, float], table: EntryTable) -> Matched:
        """The same passages, kept only in the given documents (with the evidence given)."""
        doc_of = table.doc_of
        return Matched(docs, {n: s for n, s in self.passages.items() if doc_of[n] in docs},
                       {n: held for n, held in self.text.items() if doc_of[n] in docs}, self.complete)

    def scaled(self, boost: float) -> Matched:
        """Every score times a boost."""
        if boost == 1.0:
            return self
        return Matched({d: e * boost for d, e in self.docs.items()},
                       {n: s * boost for n, s in self.passages.items()}, self.text, self.complete)


class DocumentMatcher:
    """Evaluates a parsed query at document level over one searcher's index version."""

    def __init__(self, searcher, table: EntryTable, lengths, deadline: float, allowed: set[int] | None,
                 shared: Scored | None = None):
        self.searcher, self.table, self.lengths, self.deadline = searcher, table, lengths, deadline
        self.allowed = allowed
        self.shared = shared if shared is not None else Scored()
        self._parts: dict[Query, Matched] = {}

    def match(self, query: Query) -> Matched:
        """The documents and passages a query matches."""
        kind = type(query)
        if kind is And:
            return self.conjunction(query.subqueries).scaled(query.boost)
        if kind in ORS:
            return either([self.match(q) for q in query.subqueries]).scaled(query.boost)
        if kind is AndNot:
            return without(self.match(query.a), self.match(query.b), self.table)
        if kind is AndMaybe:
            return maybe(self.match(query.a), self.match(query.b))
        if kind is Not:
            return without(self.everything(), self.match(query.query), self.table)
        if isinstance(query, Every) or _every_field(query):
            return self.everything()  # Whoosh's matcher for it reads every posting of the field first
        return self.part(query)

    def conjunction(self, queries: list[Query]) -> Matched:
        """Documents every positive query matches and no negated one does."""
        positive = [self.match(q) for q in queries if type(q) is not Not]
        matched = both(positive, self.table) if positive else self.everything()
        for query in queries:
            if type(query) is Not:
                matched = without(matched, self.match(query.query), self.table)
        return matched

    def everything(self) -> Matched:
        """Every document, with no evidence and no passages (what a bare NOT leaves out of)."""
        return Matched(dict.fromkeys(self.table.facts, 0.0))

    def part(self, query: Query) -> Matched:
        """A word, phrase or field term matched in passages, once per query however often it is asked."""
        if query not in self._parts:
            self._parts[query] = self._part(query)
        return self._parts[query]

    def _part(self, query: Query) -> Matched:
        if supported(query):
            scored = query_scores(self.searcher, query, self.lengths, self.deadline, self.shared)
            scores, complete = scored.scores, scored.complete
            # a note carries the heading of the section citing it, which is not the note's own text
            text = scored.text | {n for n in scored.headings if self.table.kind_of[n] == "body"}
        else:
            scores, complete = matcher_scores(self.searcher, query, self.deadline)
            text = set(scores) if _fields(query) & TEXT_FIELDS else set()
        if self.allowed is not None:
            scores = {n: s for n, s in scores.items() if n in self.allowed}
        doc_of, facts, docs = self.table.doc_of, self.table.facts, {}
        for n, s in scores.items():
            doc = doc_of[n]
            if doc in facts and s > docs.get(doc, -1.0):
                docs[doc] = s
        live = {n: 1 for n in text if n in scores and n not in self.table.documents}
        return Matched(docs, scores, live, complete)


def both(parts: list[Matched], table: EntryTable) -> Matched:
    """Documents every part matches, evidence summed; their passages from every part, scores summed."""
    smallest = min(parts, key=lambda p: len(p.docs))
    docs = {d: sum(p.docs[d] for p in parts) for d in smallest.docs if all(d in p.docs for p in parts)}
    return either(parts).restricted(docs, table)


def either(parts: list[Matched]) -> Matched:
    """Documents any part matches, evidence and passage scores summed."""
    joined = Matched(complete=all(p.complete for p in parts))
    for part in parts:
        for d, e in part.docs.items():
            joined.docs[d] = joined.docs.get(d, 0.0) + e
        for n, s in part.passages.items():
            joined.passages[n] = joined.passages.get(n, 0.0) + s
        for n, held in part.text.items():
            joined.text[n] = joined.text.get(n, 0) + held
    return joined


def without(kept: Matched, excluded: Matched, table: EntryTable) -> Matched:
    """The documents of ``kept`` that ``excluded`` does not match anywhere."""
    docs = {d: e for d, e in kept.docs.items() if d not in excluded.docs}
    matched = kept.restricted(docs, table)
    matched.complete = kept.complete and excluded.complete
    return matched


def maybe(required: Matched, optional: Matched) -> Matched:
    """The documents and passages of ``required``, ranked also by ``optional``'s (which match nothing alone)."""
    docs = {d: e + optional.docs.get(d, 0.0) for d, e in required.docs.items()}
    passages = {n: s + optional.passages.get(n, 0.0) for n, s in required.passages.items()}
    return Matched(docs, passages, required.text, required.complete and optional.complete)


def matcher_scores(searcher, query: Query, deadline: float) -> tuple[Scores, bool]:
    """Every entry Whoosh's matchers find for a query (ranges, spans), and whether the deadline let it finish."""
    found, context, steps = {}, searcher.context(), 0
    for leaf, offset in searcher.leaf_searchers():
        matcher = query.matcher(leaf, context)
        while matcher.is_active():
            steps += 1
            if steps % CHECK_EVERY == 1 and time.thread_time() >= deadline:
                return found, False
            found[offset + matcher.id()] = matcher.score()
            matcher.next()
    return found, True


def _every_field(query: Query) -> bool:
    """Whether a query is ``*`` searched in several fields (every entry that has any of them)."""
    return isinstance(query, WordFields) and all(isinstance(q, Every) for q in query.subqueries)


def _fields(query: Query) -> set[str]:
    """The fields a query looks in."""
    return {q.fieldname for q in query.leaves() if getattr(q, "fieldname", None)} | (
        {query.fieldname} if getattr(query, "fieldname", None) else set())
