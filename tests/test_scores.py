"""Scores read from whole postings blocks (indexer.scores) against Whoosh's own matchers, on the corpus."""
from __future__ import annotations

import math
import re

import pytest
from whoosh.query import And, Or, Ordered, Term

from archive.config import Settings
from indexer.index import ArchiveIndex
from indexer.operations import ingest, remove
from indexer.options import ParseOptions
from indexer.scores import TERM_OVERHEAD, Postings, PostingsCache, Unsupported, WordFields, query_scores, supported
from indexer.search import SearchRequest, parse_query, search
from tests.conftest import corpus_file

# queries whose every word names its field, and phrases: the matchers' scores exactly
SCORED_ALIKE = ['"peace treaty"', '"northern territories" OR title:sanctions', "footnote:Sputnik",
                "footnote:treaty title:Japan", "title:Russia", "author:Pajon", "section:conclusion",
                "title:Japan -Crimea", "title:Japan NOT (sanctions OR Crimea)", "NOT Crimea", '"the peace treaty"',
                "title:zzzunknown", '"zzzunknown peace"']
# bare words: one BM25F term each over the fields, where the matchers add up a BM25 per field
BARE_WORDS = ["Russia", "Russia Japan", "peace treaty", "Russia OR sanctions", "Pajon Japan", "treaty treaty peace",
              "zzzunknown", "Russia zzzunknown"]
MATCHED_ALIKE = ["negotiat*", "sanct* Russia", "Rus~", "title:Jap*", "tre?t*"]


@pytest.fixture(scope="module")
def segmented(tmp_path_factory) -> ArchiveIndex:
    """The corpus ingested in two batches (two segments), then one document removed (deleted entries)."""
    settings = Settings(tmp_path_factory.mktemp("segmented") / "archive")
    first = ingest([corpus_file(p) for p in ("000", "001", "002")], settings, ParseOptions(), workers=1)
    ingest([corpus_file(p) for p in ("003", "004")], settings, ParseOptions(), workers=1)
    remove(first.added[1]["id"], settings)
    index = ArchiveIndex(settings.index_dir)
    with index.searcher() as searcher:
        assert len(list(searcher.leaf_searchers())) >= 2 and searcher.reader().has_deletions()
    return index


def matcher_scores(searcher, query) -> dict[int, float]:
    """Every entry Whoosh's matchers find for a query, with their score."""
    found, context = {}, searcher.context()
    for leaf, offset in searcher.leaf_searchers():
        matcher = query.matcher(leaf, context)
        while matcher.is_active():
            found[offset + matcher.id()] = matcher.score()
            matcher.next()
    return found


@pytest.mark.parametrize("text", SCORED_ALIKE)
@pytest.mark.parametrize("which", ["index", "segmented"])
def test_postings_scores_are_the_matchers_scores(request, which, text):
    index = request.getfixturevalue(which)
    query = parse_query(text, index)
    with index.searcher() as searcher:
        expected = matcher_scores(searcher, query)
        scored = query_scores(searcher, query, index.field_lengths)
    assert scored.complete and scored.scores.keys() == expected.keys()
    assert all(math.isclose(scored.scores[n], s, rel_tol=1e-9) for n, s in expected.items())


def bm25f(searcher, word: WordFields) -> dict[int, float]:
    """A word's BM25F scores restated from Whoosh's reader: per-field frequencies over their length norms,
    times the field weights, summed, then saturated once; the idf the least of the fields'.
    """
    k1, b, tf, idfs = searcher.weighting.K1, searcher.weighting.B, {}, []
    for term in word.subqueries:
        if not searcher.doc_frequency(term.fieldname, term.text):
            continue
        idfs.append(searcher.idf(term.fieldname, term.text))
        average = searcher.avg_field_length(term.fieldname)
        postings = searcher.postings(term.fieldname, term.text)
        while postings.is_active():
            n = postings.id()
            norm = (1 - b) + b * searcher.reader().doc_field_length(n, term.fieldname) / average
            tf[n] = tf.get(n, 0.0) + term.boost * postings.weight() / norm
            postings.next()
    return {n: word.boost * min(idfs) * f * (k1 + 1) / (k1 + f) for n, f in tf.items()}


def expected_scores(searcher, query) -> dict[int, float]:
    """The scores of a query of bare words: And or Or of words, each word's BM25F score summed."""
    if isinstance(query, WordFields):
        return bm25f(searcher, query)
    parts = [expected_scores(searcher, q) for q in query.subqueries]
    keys = set.intersection(*map(set, parts)) if isinstance(query, And) else set().union(*parts)
    return {n: sum(part.get(n, 0.0) for part in parts) for n in keys}


@pytest.mark.parametrize("text", BARE_WORDS)
def test_bare_words_are_scored_as_one_bm25f_term_over_their_fields(index, text):
    query = parse_query(text, index)
    with index.searcher() as searcher:
        expected, matched = expected_scores(searcher, query), matcher_scores(searcher, query)
        scored = query_scores(searcher, query, index.field_lengths)
    assert scored.scores.keys() == matched.keys() == expected.keys()
    assert all(math.isclose(scored.scores[n], s, rel_tol=1e-9) for n, s in expected.items())


def test_a_word_in_the_title_and_the_text_scores_less_than_two_fields_apart(index):
    """BM25 saturates the word once: a passage with it in both is not scored as two matches added up."""
    with index.searcher() as searcher:
        word = parse_query("Russia", index)
        scored = query_scores(searcher, word, index.field_lengths).scores
        each = [query_scores(searcher, q, index.field_lengths).scores for q in word.subqueries[:3]]
    both = [n for n in scored if all(n in part for part in each)]
    assert both and all(scored[n] < sum(p[n] for p in each) for n in both)


def test_a_repeated_word_weighs_as_often_as_it_is_written_wherever_it_stands(index):
    for text in ("treaty OR peace OR treaty", "peace OR treaty OR treaty"):
        query = parse_query(text, index)
        assert isinstance(query, Or) and {q.subqueries[0].text: q.boost for q in query} == {"treati": 2, "peac": 1}


@pytest.mark.parametrize("text", MATCHED_ALIKE)
def test_wildcards_and_fuzzy_words_match_what_the_matchers_match(segmented, text):
    """Whoosh scores a wildcard's words as one constant in a segment of under 5,000 entries and by BM25
    in a larger one; from postings they are scored by BM25 in every segment. The matches are the same.
    """
    query = parse_query(text, segmented)
    with segmented.searcher() as searcher:
        scored = query_scores(searcher, query, segmented.field_lengths)
        assert scored.scores.keys() == matcher_scores(searcher, query).keys() and scored.scores


def test_a_query_of_another_kind_is_left_to_the_matchers(index):
    ordered = Ordered([Term("content", "peac"), Term("content", "treati")])
    assert not supported(ordered)
    with index.searcher() as searcher, pytest.raises(Unsupported):
        query_scores(searcher, ordered, index.field_lengths)


def test_scoring_stops_at_its_deadline_keeping_the_segments_scored(segmented):
    query = parse_query("Russia", segmented)
    with segmented.searcher() as searcher:
        stopped = query_scores(searcher, query, segmented.field_lengths, deadline=0)
    assert not stopped.complete and not stopped.scores


def test_the_postings_read_give_the_snippets_their_words(index):
    result = search(index, SearchRequest('"peace treaty" Russia'))
    marked = {word.lower() for hit in result.hits for word in re.findall(r"<mark>(.*?)</mark>", hit.snippet)}
    assert {"peace", "treaty", "russia"} <= marked


def test_postings_kept_between_searches_give_the_same_results(index):
    first = search(index, SearchRequest('"peace treaty" Russia')).to_dict()
    assert search(index, SearchRequest('"peace treaty" Russia')).to_dict() == first


def test_kept_postings_follow_removals_and_new_segments(tmp_path):
    settings = Settings(tmp_path / "archive")
    added = ingest([corpus_file("000"), corpus_file("001")], settings, ParseOptions(), workers=1).added
    index = ArchiveIndex(settings.index_dir)

    def found() -> set[str]:
        return {hit.doc_id for hit in search(index, SearchRequest("Russia", per_page=50)).hits}

    assert found() == {doc["id"] for doc in added}  # the two documents' postings are now kept
    remove(added[0]["id"], settings)
    assert found() == {added[1]["id"]}
    ingest([corpus_file("000")], settings, ParseOptions(), workers=1)
    assert found() == {doc["id"] for doc in added}


def test_the_postings_cache_keeps_the_most_recent_within_its_capacity():
    cache = PostingsCache(capacity=2 * (3 + TERM_OVERHEAD))
    for name in "abc":
        cache.put((name,), Postings.packed([1, 2, 3], [1.0, 1.0, 1.0], [b"x", b"y", b"z"]))
    assert cache.get(("a",)) is None and cache.get(("c",)).values[2] == b"z"
    cache.get(("b",))
    cache.put(("d",), Postings.packed([4, 5, 6], [1.0] * 3, [b""] * 3))
    assert cache.get(("c",)) is None and cache.get(("b",)) is not None
    assert cache.size <= cache.capacity
