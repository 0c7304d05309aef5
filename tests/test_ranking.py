"""Ranking: long questions fall back to most of their words, repeats count, and the right passage comes first."""
from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from archive.config import Settings
from archive.store import Store
from benchmarks import quality
from indexer.cli import cli
from indexer.operations import ingest, readable
from indexer.options import ParseOptions
from indexer.schema import PassageBM25
from indexer.search import ANALYZER, SearchRequest, parse_query, search, without_function_words
from tests.conftest import CORPUS

LONG_MISSING = "Japan Russia peace treaty negotiations islands penguins volcano saxophone"


@pytest.mark.parametrize("query, mode", [
    (LONG_MISSING, "most"),  # no document has all nine words
    ("Japan Russia peace treaty islands", "all"),  # five words that several documents have
    ("penguins volcano saxophone", "all"),  # too short to be a question: nothing found, as typed
    ('"peace treaty" OR penguins OR volcano OR saxophone OR tuba', "all"),  # OR keeps its meaning
    ("footnote:Sputnik penguins volcano saxophone tuba", "most"),  # the footnote condition stays required
])
def test_long_queries_fall_back_to_most_of_their_words(index, query, mode):
    result = search(index, SearchRequest(query))
    assert result.match.mode == mode
    if mode == "most":
        assert result.total_documents and result.match.note().endswith("showing those with most of them.")
    if query.startswith("footnote:"):
        assert {hit.kind for hit in result.hits} == {"footnote"}


def test_a_passage_with_every_word_still_comes_first_in_the_fallback(index):
    every = search(index, SearchRequest("Japan Russia peace treaty islands", per_page=1, passages=1)).hits[0]
    result = search(index, SearchRequest("Japan Russia peace treaty islands saxophone", per_page=1, passages=1))
    assert result.match.mode == "most" and result.match.documents_with_all == 0
    assert (result.hits[0].doc_id, result.hits[0].section_id) == (every.doc_id, every.section_id)


def test_the_fallback_shows_on_the_page_in_the_api_and_in_the_cli(client, corpus_settings):
    note = "No document has all 9 words; showing those with most of them."
    assert note in client.get("/", query_string={"q": LONG_MISSING}).text
    assert client.get("/api/search", query_string={"q": LONG_MISSING}).json["match"] == {
        "mode": "most", "words": 9, "documents_with_all": 0}
    assert client.get("/api/search", query_string={"q": "sanctions"}).json["match"]["mode"] == "all"
    output = CliRunner().invoke(cli, ["--data-dir", str(corpus_settings.data_dir), "search", LONG_MISSING]).output
    assert output.splitlines()[0] == note


@pytest.mark.parametrize("query, kept", [
    ("what are the limits of the peace treaty talks", ["limit", "peac", "treati", "talk"]),
    ("what is the treaty", ["what", "treati"]),  # too few subject words: left whole
])
def test_long_questions_drop_their_function_words(index, query, kept):
    stems = [text for field, text in without_function_words(parse_query(query, index)).all_terms() if field == "content"]
    assert sorted(stems) == sorted(kept)


def test_stop_words_in_a_query_change_nothing(index):
    found = search(index, SearchRequest("peace treaty")).total
    assert found and search(index, SearchRequest("the peace treaty of the islands")).total_documents > 0
    assert search(index, SearchRequest("the peace of treaty")).total == found


def test_a_word_in_every_passage_weighs_nearly_nothing(index):
    with index.searcher() as searcher:
        passages = searcher.doc_count_all()
        common = max(searcher.lexicon("content"), key=lambda w: searcher.doc_frequency("content", w))
        idf = PassageBM25().idf
        assert idf(searcher, "content", common) < 0.2 * idf(searcher, "content", "hikiwak")
        assert searcher.doc_frequency("content", common) < passages


@pytest.fixture(scope="module")
def long_documents(tmp_path_factory) -> Settings:
    """An archive of the corpus and the three devset books."""
    settings = Settings(tmp_path_factory.mktemp("long") / "archive")
    report = ingest([CORPUS, *[path for path, _ in quality.books()]], settings, ParseOptions(), workers=1)
    assert not report.failed and len(report.added) == 8
    return settings


def distinctive_words(paragraph: str, searcher, count: int = 4) -> str:
    """The paragraph's ``count`` words that the fewest passages of the archive contain, as written."""
    words: dict[str, str] = {}
    for found in re.finditer(r"[^\W\d_]{4,}", re.sub(r"\[\^\d+\]", "", paragraph)):
        stems = [token.text for token in ANALYZER(found.group(0))]
        if stems:
            words.setdefault(stems[0], found.group(0))
    rarest = sorted(words.items(), key=lambda item: searcher.doc_frequency("content", item[0]))
    return " ".join(word for _, word in rarest[:count])


def sampled_paragraphs(settings: Settings) -> list[tuple[str, str, str]]:
    """Up to 40 paragraphs of 40 words or more per document, spread over it, that no other document repeats."""
    store = Store(settings.data_dir)
    try:
        docs = list(store.documents())
    finally:
        store.close()
    seen: dict[str, int] = {}
    for doc in docs:
        for paragraph in {p for s in doc.sections for p in s.paragraphs}:
            seen[paragraph] = seen.get(paragraph, 0) + 1
    samples = []
    for doc in docs:
        own = [(doc.id, s.id, p) for s in doc.sections for p in s.paragraphs if len(p.split()) >= 40 and seen[p] == 1]
        samples += own[::max(1, len(own) // 40)]
    return samples


def test_a_paragraphs_distinctive_words_open_its_section(long_documents):
    samples = sampled_paragraphs(long_documents)
    right: dict[str, list[bool]] = {}
    with readable(long_documents) as (_, index), index.searcher() as searcher:
        for doc_id, section_id, paragraph in samples:
            hits = search(index, SearchRequest(distinctive_words(paragraph, searcher), per_page=1, passages=1),
                          searcher).hits
            right.setdefault(doc_id, []).append(bool(hits) and (hits[0].doc_id, hits[0].section_id) == (doc_id, section_id))
    assert len(right) == 8
    for doc_id, found in right.items():
        assert sum(found) / len(found) >= 0.9, (doc_id, sum(found), len(found))


def test_when_no_passage_has_half_the_words_the_fallback_shows_those_with_the_most(index):
    """Five words of which the text holds one: the passages with that one are the best there are."""
    result = search(index, SearchRequest("sanctions penguins volcano saxophone tuba"))
    assert result.match.mode == "most" and result.total_documents >= 2
    assert all("<mark>" in hit.snippet for hit in result.hits)
    nothing = search(index, SearchRequest("penguins volcano saxophone tuba trombone"))
    assert nothing.match.mode == "all" and nothing.total == 0 and not nothing.match.note()
