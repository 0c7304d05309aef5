"""Scores read from whole postings blocks (indexer.scores) against Whoosh's own matchers, on the corpus."""
from __future__ import annotations

import math
import re

import pytest
from whoosh.query import Ordered, Term

from archive.config import Settings
from indexer.index import ArchiveIndex
from indexer.operations import ingest, remove
from indexer.options import ParseOptions
from indexer.scores import Unsupported, query_scores, supported
from indexer.search import SearchRequest, parse_query, search
from tests.conftest import corpus_file

SCORED_ALIKE = ["Russia", "Russia Japan", "peace treaty", '"peace treaty"', '"northern territories" sanctions',
                "Russia OR sanctions", "footnote:Sputnik", "footnote:treaty Japan", "title:Russia", "author:Pajon",
                "section:conclusion", "Japan -Crimea", "Japan NOT (sanctions OR Crimea)", "NOT Crimea",
                '"the peace treaty"', "zzzunknown", "Russia zzzunknown", '"zzzunknown peace"']
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
