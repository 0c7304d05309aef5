"""Passage scores read from whole postings blocks: what Whoosh's matcher tree computes, without a call per match.

Whoosh scores a query by walking a tree of matchers, several Python calls per matching passage and per
level; a common word's 5,000 passages in four fields cost milliseconds. Here each term's postings are
read a block at a time and scored in one comprehension, and the query's tree combines the scores as
dictionaries. The scores are those of the matchers (BM25F, a boost multiplying, And, Or and AndMaybe
summing, a Not adding 1) up to the order in which floating-point sums are added, with three exceptions:

- a bare word (WordFields) is one BM25F term over its fields, where the matchers add a BM25 per field;
- a wildcard's or fuzzy word's words are scored by BM25 in every segment; Whoosh gives them one constant
  score in a segment of under 5,000 entries and BM25 in a larger one;
- ``a ANDNOT b`` leaves out every entry b matches; Whoosh's AndNotMatcher was seen to keep one.
"""
from __future__ import annotations

import threading
import time
from array import array
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, islice
from operator import itemgetter
from pickle import loads

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher
from whoosh.formats import _INT_SIZE, Characters, Positions
from whoosh.query import And, AndMaybe, AndNot, MultiTerm, Not, Or, Phrase, Query, Term
from whoosh.query.compound import CompoundQuery, DefaultOr, PreloadedOr, SplitOr
from whoosh.query.qcore import _NullQuery
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

ORS = (Or, DefaultOr, PreloadedOr, SplitOr)
# postings kept decoded per process, across searches: about 70 bytes each packed, so at most some 18 MB;
# a term kept counts as 8 more, for its arrays' own size
CACHED_POSTINGS = 250_000
TERM_OVERHEAD = 8
MAX_EXPANSIONS = 1000  # words a wildcard or fuzzy word is scored with, at most, in one segment
# a passage's own words: its text and heading (the title and authors are the document's)
TEXT_FIELDS = frozenset({"content", "section_title"})
Scores = dict[int, float]


class WordFields(CompoundQuery):
    """One word (or phrase) of a query looked for in several fields, each with its weight.

    Scored from postings as one BM25F term (see ``_Segment.word_fields``); Whoosh's matchers score it as
    an Or. Not an Or itself, so that normalising a query cannot merge it into an Or around it: "a OR b"
    keeps the fields of each word together, and a repeated word is seen as one.
    """

    JOINT = " OR "
    intersect_merge = False

    def _matcher(self, subs, searcher, context):
        return Or(subs, boost=self.boost).matcher(searcher, context)


class SamePassage(And):
    """Parts that must all stand in one passage (``footnote:word``: the word, in a note)."""


class Unsupported(Exception):
    """A query this module does not score (spans, Ordered, DisjunctionMax): the matchers must."""


def supported(query: Query) -> bool:
    """Whether ``query_scores`` can score a query: terms, wildcards, fuzzy words, phrases, and And, Or,
    AndMaybe, AndNot and Not of them.

    >>> supported(And([Term("content", "lock"), Or([Term("title", "a"), Phrase("content", ["b", "c"])])]))
    True
    >>> from whoosh.query import Ordered
    >>> supported(AndMaybe(Term("content", "lock"), Ordered([Term("content", "a"), Term("content", "b")])))
    False
    """
    kind = type(query)
    if kind is Term or isinstance(query, (MultiTerm, _NullQuery)):
        return True
    if kind is Phrase:
        return query.slop == 1
    if kind in ORS and (query.minmatch or query.scale):
        return False
    if kind is AndNot:
        return supported(query.a)  # the excluded part is matched, not scored
    if kind is Not:
        return True
    return kind in (And, SamePassage, AndMaybe, WordFields, *ORS) and all(supported(q) for q in query.subqueries)


@dataclass
class Scored:
    """What scoring a query found: each matching entry's score, whether every segment was scored, and
    the postings it read, by term, at their segment's offset (a result page's snippets need no more).
    """

    scores: Scores = field(default_factory=dict)
    complete: bool = True
    read: dict[tuple[str, bytes], list[tuple[int, Postings]]] = field(default_factory=dict)
    frequencies: dict[tuple[str, str], int] = field(default_factory=dict)  # passages per term, index-wide
    # entries found by a word of their own text, and of their section's heading (TEXT_FIELDS)
    text: set[int] = field(default_factory=set)
    headings: set[int] = field(default_factory=set)

    def sharing(self) -> Scored:
        """A new, empty result that reuses this one's postings and frequencies (parts of one query)."""
        return Scored(read=self.read, frequencies=self.frequencies)

    def values(self, term: tuple[str, bytes], numbers: list[int]) -> dict[int, bytes]:
        """The encoded values (positions, characters) of a term's postings in those of the entries that have it."""
        found = {}
        for offset, postings in self.read.get(term, ()):
            for number in numbers:
                at = bisect_left(postings.ids, number - offset)
                if at < len(postings.ids) and postings.ids[at] == number - offset:
                    found[number] = postings.values[at]
        return found


def query_scores(searcher, query: Query, lengths, deadline: float = float("inf"),
                 shared: Scored | None = None) -> Scored:
    """Every entry (index-wide number) a supported query matches, with its score.

    ``lengths(reader, field)`` gives a segment's field lengths as bytes (Whoosh's length code per entry).
    Scoring stops at ``deadline`` (``time.thread_time()``), keeping the segments scored by then. Given
    ``shared``, the postings it has read are not read again.
    """
    if not isinstance(searcher.weighting, BM25F):
        raise Unsupported("only BM25F scores are computed here")
    scored = Scored() if shared is None else shared.sharing()
    for leaf, offset in searcher.leaf_searchers():
        try:
            scores = _Segment(searcher, leaf, offset, lengths, deadline, scored).scores(query)
        except _TimeUp:
            scored.complete = False
            return scored
        deleted = leaf.reader().deleted_docs_set if leaf.reader().has_deletions() else ()
        scored.scores.update((offset + n, s) for n, s in scores.items() if n not in deleted)
    return scored


class _TimeUp(Exception):
    """The deadline passed while a segment was being scored."""


class _Segment:
    """One segment's postings, scored with the whole index's statistics (idf, average lengths)."""

    def __init__(self, searcher, leaf, offset: int, lengths, deadline: float, scored: Scored):
        self.searcher, self.leaf, self.reader, self.offset = searcher, leaf, leaf.reader(), offset
        self.lengths, self.weighting, self.deadline, self.scored = lengths, searcher.weighting, deadline, scored

    def scores(self, query: Query) -> Scores:
        """A query's scores in this segment (local entry numbers)."""
        kind = type(query)
        if kind is Term:
            return self.term(query.fieldname, query.text, self._postings(query.fieldname, query.text), query.boost)
        if kind is Phrase:
            return self.phrase(query)
        if isinstance(query, MultiTerm):  # a wildcard, prefix or fuzzy word: its words in this segment
            words = [word for word in islice(query._btexts(self.reader), MAX_EXPANSIONS + 1) if word]
            if len(words) > MAX_EXPANSIONS:  # scored with the first ones, and the search says it was cut
                words, self.scored.complete = words[:MAX_EXPANSIONS], False
            name = query.field()
            return _boosted(_union([self.term(name, word, self._postings(name, word)) for word in words]),
                            query.boost)
        if kind is AndNot:
            excluded = set(query.b.docs(self.leaf))
            return {n: s for n, s in self.scores(query.a).items() if n not in excluded}
        if kind is AndMaybe:
            scores, extra = self.scores(query.a), self.scores(query.b)
            return {n: s + extra[n] if n in extra else s for n, s in scores.items()}
        if kind is And or kind is SamePassage:
            return _boosted(self.conjunction(query.subqueries), query.boost)
        if kind is Not:  # Whoosh's inverse matcher: every other entry, scored 1
            excluded = set(query.query.docs(self.leaf))
            return {n: 1.0 for n in range(self.reader.doc_count_all()) if n not in excluded}
        if kind in ORS:
            return _boosted(_union([self.scores(q) for q in query.subqueries]), query.boost)
        if kind is WordFields:
            return _boosted(self.word_fields(query.subqueries), query.boost)
        if isinstance(query, _NullQuery):
            return {}
        raise Unsupported(f"cannot score {kind.__name__} from postings")

    def conjunction(self, queries: list[Query]) -> Scores:
        """Entries every query matches, scores summed; a Not among them excludes its entries and adds 1."""
        positive = [q for q in queries if type(q) is not Not]
        negated = [q for q in queries if type(q) is Not]
        if not positive:  # exclusions alone: the first is taken whole
            positive, negated = negated[:1], negated[1:]
        scores = _intersection([self.scores(q) for q in positive])
        for query in negated:
            excluded = set(query.query.docs(self.leaf))
            scores = {n: s + 1.0 for n, s in scores.items() if n not in excluded}
        return scores

    def term(self, fieldname: str, text, postings: Postings | None, boost: float = 1.0) -> Scores:
        """BM25F scores of one term's postings, as Whoosh's BM25FScorer gives them (times the boost)."""
        if postings is None:
            return {}
        self._found_in(fieldname, postings)
        if not self.searcher.schema[fieldname].scorable:
            return _boosted(dict(zip(postings.ids, postings.weights)), boost)
        k1 = self.weighting.K1
        idf, (norm, codes), k1_plus = self.searcher.idf(fieldname, text), self._norms(fieldname, k1), k1 + 1
        scores = {n: idf * ((w * k1_plus) / (w + norm[codes[n]])) for n, w in zip(postings.ids, postings.weights)}
        return _boosted(scores, boost)

    def _found_in(self, fieldname: str, postings: Postings) -> None:
        """Record the entries a term of their text or heading was found in."""
        if fieldname in TEXT_FIELDS:
            found = self.scored.text if fieldname == "content" else self.scored.headings
            found.update(self.offset + n for n in postings.ids)

    def _norms(self, fieldname: str, scale: float) -> tuple[list[float], bytes]:
        """A field's BM25 length norm, ``(1 - b) + b * length / average`` times ``scale``, for each length
        code, and each entry's length code in this segment.
        """
        b = self.weighting._field_B.get(fieldname, self.weighting.B)
        average = self.searcher.avg_field_length(fieldname) or 1
        return _length_norms(scale, b, average), self.lengths(self.reader, fieldname)

    def word_fields(self, terms: list[Query]) -> Scores:
        """A word's BM25F score over its fields (Robertson, Zaragoza and Taylor, 2004).

        Each field's frequency of the word, times the field's weight and over its length norm
        ``(1 - b) + b * length / average``, is summed before BM25 saturates it once:
        ``idf * tf * (k1 + 1) / (k1 + tf)``. Whoosh saturates each field on its own and adds them, so a
        word in a passage's title and its text counted nearly twice, ranking passages that repeat the
        title over those that say more of the rest of the query. The idf is the field's with the most
        passages having the word (the nearest to its passage frequency). Phrases and wildcards: summed.
        """
        scorable = all(type(q) is Term and self.searcher.schema[q.fieldname].scorable for q in terms)
        found = [q for q in terms if self._frequency(q.fieldname, q.text)] if scorable else []
        if not found:
            return _union([self.scores(q) for q in terms])
        tf: Scores = {}
        for q in found:
            postings = self._postings(q.fieldname, q.text)
            if postings is None:
                continue
            self._found_in(q.fieldname, postings)
            norm, codes = self._norms(q.fieldname, 1.0)
            for n, w in zip(postings.ids, postings.weights):
                tf[n] = tf.get(n, 0.0) + q.boost * w / norm[codes[n]]
        idf = min(self.searcher.idf(q.fieldname, q.text) for q in found)
        k1 = self.weighting.K1
        return {n: idf * (f * (k1 + 1)) / (k1 + f) for n, f in tf.items()}

    def phrase(self, query: Phrase) -> Scores:
        """Entries with the phrase's words at consecutive positions, scored as the sum of the words' scores."""
        spec = _field(self.searcher.schema, query.fieldname)
        if spec is None or not spec.format or not spec.format.supports("positions"):
            return {}
        words = [spec.to_bytes(word) for word in query.words]
        postings = [self._postings(query.fieldname, word) for word in words]
        if not words or any(p is None for p in postings):
            return {}
        values = [dict(zip(p.ids, p.values)) for p in postings]
        candidates = set(values[0]).intersection(*values[1:])
        decode = _position_decoder(spec.format)
        held = {n for n in candidates if _consecutive([decode(v[n]) for v in values])}
        scores = _intersection([self.term(query.fieldname, word, p.only(held)) for word, p in zip(words, postings)])
        return _boosted(scores, query.boost)

    def _frequency(self, fieldname: str, text: str) -> int:
        """How many passages of the index have a term: asked once per query (each ask visits every segment)."""
        key = (fieldname, text)
        if key not in self.scored.frequencies:
            self.scored.frequencies[key] = self.searcher.doc_frequency(fieldname, text)
        return self.scored.frequencies[key]

    def _postings(self, fieldname: str, text) -> Postings | None:
        """A term's postings in this segment (deleted entries too), or None if it has none; kept in ``read``."""
        if time.thread_time() >= self.deadline:
            raise _TimeUp
        spec = _field(self.searcher.schema, fieldname)
        if spec is None:
            return None
        try:
            text = spec.to_bytes(text)
        except ValueError:
            return None
        kept = self.scored.read.get((fieldname, text), ())
        for offset, postings in kept:
            if offset == self.offset:
                return postings
        postings = self._kept_or_read(fieldname, text)
        if postings is NO_POSTINGS:
            return None
        self.scored.read.setdefault((fieldname, text), []).append((self.offset, postings))
        return postings

    def _kept_or_read(self, fieldname: str, text: bytes) -> Postings:
        """A term's postings in this segment from RECENT_POSTINGS, else read (and kept); NO_POSTINGS if none."""
        segment = self.reader.segment()  # None for an empty index's reader
        key = (segment.segment_id(), fieldname, text) if segment is not None else None
        postings = RECENT_POSTINGS.get(key) if key else None
        if postings is None:
            try:
                matcher = self.reader.postings(fieldname, text)
                postings = Postings.read(getattr(matcher, "child", matcher))  # not the filter of deleted entries
            except TermNotFound:
                postings = NO_POSTINGS
            if key:
                RECENT_POSTINGS.put(key, postings)
        return postings


@dataclass
class Postings:
    """A term's postings in one segment: entry numbers (ascending), weights and encoded values, kept
    compact (machine arrays and one bytes object) so that many terms' postings fit in the cache."""

    ids: Sequence[int]
    weights: Sequence[float]
    values: Sequence[bytes | None]

    @classmethod
    def read(cls, matcher) -> Postings:
        """The postings of a term matcher: a block at a time for Whoosh's own on-disk postings."""
        ids: list[int] = []
        weights: list[float] = []
        values: list = []
        if not isinstance(matcher, W3LeafMatcher):
            while matcher.is_active():
                ids.append(matcher.id())
                weights.append(matcher.weight())
                values.append(matcher.value())
                matcher.next()
            return cls.packed(ids, weights, values)
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            matcher._read_values()
            ids.extend(matcher._ids)
            weights.extend(matcher._weights)
            values.extend(matcher._values)
            matcher._next_block()
        return cls.packed(ids, weights, values)

    @classmethod
    def packed(cls, ids: list[int], weights: list[float], values: list) -> Postings:
        """Postings held in machine arrays and packed values."""
        return cls(array("l", ids), array("d", weights), PackedValues.of(values))

    def only(self, kept: set[int]) -> Postings:
        """The postings of the entries in ``kept``."""
        at = [i for i, n in enumerate(self.ids) if n in kept]
        return Postings([self.ids[i] for i in at], [self.weights[i] for i in at], [self.values[i] for i in at])


class PackedValues(Sequence):
    """Postings' encoded values end to end in one bytes object: a cached list of thousands stays small.

    >>> values = PackedValues.of([b"ab", b"", b"cde"])
    >>> list(values), values[2], len(values)
    ([b'ab', b'', b'cde'], b'cde', 3)
    """

    __slots__ = ("data", "ends")

    def __init__(self, data: bytes, ends: array):
        self.data, self.ends = data, ends

    @classmethod
    def of(cls, values: list) -> Sequence[bytes | None]:
        """Values packed, or left as they are when some are None (a field without positions)."""
        if any(value is None for value in values):
            return values
        return cls(b"".join(values), array("L", accumulate(map(len, values))))

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, at: int) -> bytes:
        return self.data[self.ends[at - 1] if at else 0:self.ends[at]]


class PostingsCache:
    """The decoded postings of the terms searched most recently, by segment, shared by a process's threads.

    A segment never changes once written (its deleted entries are filtered after reading), so a term's
    postings in it stay right for as long as the segment lives; a merged-away segment's age out.
    Decoding a common word's postings blocks is most of the cost of a short query.
    """

    def __init__(self, capacity: int):
        self.capacity, self.size = capacity, 0
        self._entries: OrderedDict[tuple, Postings] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Postings | None:
        """The postings kept for a key (marked as used), or None."""
        with self._lock:
            postings = self._entries.get(key)
            if postings is not None:
                self._entries.move_to_end(key)
            return postings

    def put(self, key: tuple, postings: Postings) -> None:
        """Keep postings, dropping the least recently used past the capacity (counted in postings)."""
        if len(postings.ids) > self.capacity:
            return
        with self._lock:
            if key not in self._entries:
                self._entries[key] = postings
                self.size += len(postings.ids) + TERM_OVERHEAD
            while self.size > self.capacity:
                _, dropped = self._entries.popitem(last=False)
                self.size -= len(dropped.ids) + TERM_OVERHEAD


RECENT_POSTINGS = PostingsCache(CACHED_POSTINGS)
NO_POSTINGS = Postings.packed([], [], [])  # kept for a term a segment does not have


def segment_lengths(reader, fieldname: str) -> bytes:
    """A segment's length code (one byte) of a field for each of its entries."""
    column = reader._perdoc.column_reader("_%s_len" % fieldname, LENGTHS_COLUMN)
    return bytes(column.load()).ljust(reader.doc_count_all(), b"\0")


@lru_cache(maxsize=64)
def _length_norms(k1: float, b: float, average: float) -> list[float]:
    """BM25's length part of the denominator for each length code (a length is stored as one byte)."""
    return [k1 * ((1 - b) + b * byte_to_length(code) / average) for code in range(256)]


def _field(schema, fieldname: str):
    """A schema's field, or None."""
    return schema[fieldname] if fieldname in schema else None


def _consecutive(positions: list[list[int]]) -> bool:
    """Whether the words occur one right after another somewhere (positions given word by word).

    >>> _consecutive([[3, 9], [4, 12], [5]]), _consecutive([[3], [5]])
    (True, False)
    """
    starts = set(positions[0])
    for i, later in enumerate(positions[1:], 1):
        starts.intersection_update(p - i for p in later)
        if not starts:
            return False
    return True


def _position_decoder(fmt):
    """A function from a posting's encoded value to the word's positions: the format's own, or a faster one
    for Whoosh's two position formats (one C-level pass over the unpickled codes, not a Python loop).

    >>> fmt = Characters()
    >>> value = fmt.encode([(0, 0, 5), (9, 30, 34)])
    >>> _position_decoder(fmt)(value), fmt.decode_positions(value)
    ([0, 9], [0, 9])
    """
    kind = type(fmt)
    if kind not in (Characters, Positions):
        return fmt.decode_positions
    start = itemgetter(0) if kind is Characters else None

    def decode(value: bytes) -> list[int]:
        codes = loads(value[_INT_SIZE:] if value.endswith(b".") else value[_INT_SIZE:] + b".")
        return list(accumulate(map(start, codes) if start else codes))
    return decode


def _intersection(parts: list[Scores]) -> Scores:
    """Entries in every part, their scores summed."""
    if not parts:
        return {}
    smallest = min(parts, key=len)
    shared = [n for n in smallest if all(n in part for part in parts)]
    return {n: sum(part[n] for part in parts) for n in shared}


def _union(parts: list[Scores]) -> Scores:
    """Entries in any part, their scores summed."""
    total: Scores = {}
    for part in parts:
        for n, s in part.items():
            total[n] = total[n] + s if n in total else s
    return total


def _boosted(scores: Scores, boost: float) -> Scores:
    """Scores times a query's boost (Whoosh's wrapping matcher)."""
    return scores if boost == 1.0 else {n: s * boost for n, s in scores.items()}
