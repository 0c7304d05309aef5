"""The search engine's own parts: the one-pass analyzer, wildcards on stems, "did you mean"."""
from __future__ import annotations

import html
import io
import pickle
import re
import time
import tracemalloc

import pytest
import Stemmer
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA
from whoosh import formats
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.filedb import compound, structfile
from whoosh.highlight import WholeFragmenter, highlight
from whoosh.query import FuzzyTerm
from whoosh.reading import SegmentReader
from whoosh.support.charset import accent_map

import indexer.search
from archive.config import Settings
from indexer.cli import cli
from indexer.index import ArchiveIndex
from indexer.mapped import MappedBufferFile, ViewReader
from indexer.operations import ingest, remove
from indexer.options import ParseOptions
from indexer.schema import NameAnalyzer, SpanCharacters, SpanPositions, TextAnalyzer
from indexer.scripts import WORD, dotted_parts, language_marked, script_of
from indexer.suggest import Vocabulary
from indexer.search import (ANALYZER, MarkFormatter, SearchRequest, highlight_passage, highlight_terms,
                            parse_query, search)


class StopsAndLoneLetters(frozenset):
    """Whoosh's stop words, and any one character but a digit (the analyzer keeps "9": "Article 9")."""

    def __contains__(self, word):
        return (len(word) < 2 and not word.isdigit()) or frozenset.__contains__(self, word)


def stop_filter() -> StopFilter:
    """Whoosh's StopFilter with the analyzer's rule for one-character words."""
    stops = StopFilter(minsize=1)
    stops.stops = StopsAndLoneLetters(stops.stops)
    return stops


def english_stem(word: str, stemmer=Stemmer.Stemmer("english")) -> str:
    """Snowball's English stem; a word with a lone surrogate (which Snowball cannot read) as it is."""
    try:
        return stemmer.stemWord(word)
    except UnicodeEncodeError:
        return word


WHOOSH_CHAIN = RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map) | stop_filter() | StemFilter(english_stem)
WHOOSH_NAME_CHAIN = RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map) | stop_filter()
WORDS = st.sampled_from(["The", "a", "of", "I", "x", "Pérouse", "sanctions", "Sanction", "running", "3.141",
                         "big-time", "under_score", "ÆSIR", "Ça", "wild*", "it's", "Kurils", "OR"])
# Whoosh's chain reads every script as it reads Latin; the analyzer differs (by design) in CJK, Cyrillic and
# Arabic-script words and in words with combining marks, which tests/test_languages.py checks, and adds
# the parts of a dotted word ("pam_unix.so"), checked below
LATIN_LIKE = st.characters(blacklist_categories=("Mn", "Mc", "Me")).filter(lambda c: script_of(c) == "other")
TEXTS = st.one_of(st.lists(WORDS, max_size=12).map(" ".join),
                  st.text(LATIN_LIKE, max_size=40).filter(lambda t: not dotted_parts_in(t)))


def dotted_parts_in(text: str) -> bool:
    """Whether a text has a word the analyzer also indexes the parts of."""
    return any(dotted_parts(match.group()) for match in WORD.finditer(text))


def tokens(analyzer, text: str, **options) -> list[tuple]:
    """Everything a consumer of the token stream can read, token by token."""
    return [(t.text, t.stopped, t.boost, getattr(t, "pos", None), getattr(t, "startchar", None),
             getattr(t, "endchar", None), getattr(t, "original", None) if options.get("keeporiginal") else None)
            for t in analyzer(text, **options)]


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.booleans(), st.booleans(), st.booleans(), st.booleans(), st.booleans(), st.booleans(),
       st.integers(0, 3), st.integers(0, 5))
def test_text_analyzer_gives_the_tokens_of_whooshs_filter_chain(text, positions, chars, removestops, tokenize,
                                                                keeporiginal, no_morph, start_pos, start_char):
    options = dict(positions=positions, chars=chars, removestops=removestops, tokenize=tokenize,
                   keeporiginal=keeporiginal, no_morph=no_morph, start_pos=start_pos, start_char=start_char)
    assert tokens(TextAnalyzer(), text, **options) == tokens(WHOOSH_CHAIN, text, **options)


@settings(max_examples=200, deadline=None)
@given(st.one_of(TEXTS, st.sampled_from(["Курильських островів", "北方領土問題は", "pam_unix.so 9"])),
       st.sampled_from(["", "fr", "uk"]))
def test_the_index_formats_give_whooshs_postings_without_tokens(text, language):
    """SpanPositions and SpanCharacters read the analyzer's spans; the postings are Whoosh's own formats'."""
    value = language_marked(text, language)
    for fast, plain in ((SpanPositions(), formats.Positions()), (SpanCharacters(), formats.Characters())):
        for analyzer in (TextAnalyzer(), NameAnalyzer()):
            assert list(fast.word_values(value, analyzer, mode="index")) == \
                list(plain.word_values(value, analyzer, mode="index"))


@settings(max_examples=200, deadline=None)
@given(TEXTS, st.booleans(), st.booleans())
def test_name_analyzer_gives_the_tokens_of_whooshs_unstemmed_chain(text, positions, chars):
    """Names are folded as the text is, and never stemmed ("Running" stays a name)."""
    options = dict(positions=positions, chars=chars)
    assert tokens(NameAnalyzer(), text, **options) == tokens(WHOOSH_NAME_CHAIN, text, **options)


def test_a_prefix_is_matched_as_typed_and_as_its_stem(index):
    """"relations*" finds relation and related words, "negotiat*" finds negotiation (stem "negoti")."""
    assert search(index, SearchRequest("negotiat*")).total == search(index, SearchRequest("negotiation*")).total > 0
    assert search(index, SearchRequest("relations*")).total >= search(index, SearchRequest("relations")).total


def test_a_prefix_is_not_cut_to_a_shorter_stem(index):
    """Whoosh stemmed "pars*" to "par*", which found part, party, parliament …"""
    shown = {w.lower() for h in search(index, SearchRequest("pars*", per_page=100, passages=100)).hits
             for w in _marked(h.snippet)}
    assert shown == {"parsing"}


def test_a_fuzzy_word_keeps_its_first_letter(index):
    fuzzy = [q for q in parse_query("sanktions~", index).leaves() if isinstance(q, FuzzyTerm)]
    assert len(fuzzy) == 4 and all(q.prefixlength == 1 and q.maxdist == 1 for q in fuzzy)  # one per field
    assert search(index, SearchRequest("sanktions~")).total == search(index, SearchRequest("sanctions")).total > 0
    assert search(index, SearchRequest("xanctions~")).total == 0


@pytest.mark.parametrize("query, suggestion", [
    ("sanctoins", "sanctions"),
    ("hikiwkae", "hikiwake"),
    ("territorail dispute", "territorial dispute"),
    ("author:pajn", "author:pajon"),
    ("author:paj*", ""),  # a wildcard is left as typed
    ("zzyzx", ""),
])
def test_did_you_mean_comes_from_the_archive_words(index, query, suggestion):
    assert search(index, SearchRequest(query)).suggestion == suggestion


@pytest.mark.parametrize("query", ["sanction", "Perouse", "territorial dispute", "Kuril*", "hikiwake", "Japan"])
def test_reader_highlighting_skips_only_paragraphs_without_the_words(index, corpus_docs, query):
    """The shortcut that skips Whoosh's highlighter changes no paragraph of the corpus."""
    with index.searcher() as searcher:
        terms = highlight_terms(index, searcher, query)
    paragraphs = [p for doc in corpus_docs.values() for section in doc.sections for p in section.paragraphs]
    assert terms and paragraphs
    for paragraph in paragraphs:
        whoosh = highlight(paragraph, terms, ANALYZER, WholeFragmenter(), MarkFormatter(), top=1)
        assert highlight_passage(paragraph, terms) == (whoosh or html.escape(paragraph, quote=False))


def _marked(snippet: str) -> list[str]:
    """The words a snippet marks."""
    return [part.split("</mark>")[0] for part in snippet.split("<mark>")[1:]]


def test_after_a_commit_searches_see_it_at_once_and_did_you_mean_catches_up_in_the_background(tmp_path):
    """The thread's searcher is reopened; the old words answer until the new are read."""
    settings = Settings(tmp_path / "archive", lock_timeout=1.0)
    (tmp_path / "one.txt").write_text("Tide Tables\n\nThe harbour keeps tables of tides and moorings.\n")
    ingest([tmp_path / "one.txt"], settings, ParseOptions(), workers=1)
    index = ArchiveIndex(settings.index_dir)
    before = index.thread_searcher()
    assert "zephyrin" not in index.vocabulary(before)
    (tmp_path / "two.txt").write_text("Winds\n\nA zephyrine breeze crosses the harbour.\n")
    ingest([tmp_path / "two.txt"], settings, ParseOptions(), workers=1)
    after = index.thread_searcher()
    assert after is not before and after.reader().generation() > before.reader().generation()
    assert search(index, SearchRequest("zephyrine"), after).total_documents == 1
    index.vocabulary(after)  # answers with the words it had, and starts reading the new ones
    deadline = time.monotonic() + 10
    while "zephyrin" not in index.vocabulary(after) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "zephyrin" in index.vocabulary(after)
    assert search(index, SearchRequest("zephyrone"), after).suggestion == "zephyrine"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=60), st.lists(st.tuples(st.sampled_from(["read", "readline", "seek", "tell"]),
                                                  st.integers(-2, 70), st.integers(0, 2)), max_size=12))
def test_view_reader_reads_like_bytesio(data, steps):
    ours, theirs = ViewReader(memoryview(data)), io.BytesIO(data)
    for name, number, whence in steps:
        if name == "seek":
            target = max(number, 0) if whence == 0 else (number if whence == 1 else -abs(number) % (len(data) + 1))
            if whence == 1 and theirs.tell() + target < 0 or whence == 2 and len(data) + target < 0:
                continue
            assert ours.seek(target, whence) == theirs.seek(target, whence)
        elif name == "tell":
            assert ours.tell() == theirs.tell()
        else:
            assert getattr(ours, name)(number) == getattr(theirs, name)(number)


def test_a_searcher_reads_the_mapped_index_without_copying_it(index, monkeypatch):
    def peak_while_searching() -> int:
        tracemalloc.start()
        with index.searcher() as searcher:
            assert search(index, SearchRequest("sanctions"), searcher).total > 0
            _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return peak

    size = sum(f.stat().st_size for f in index.dir.glob("*.seg"))
    assert peak_while_searching() < size / 2
    monkeypatch.setattr(compound, "BufferFile", structfile.BufferFile)  # Whoosh's own: a copy of each part read
    assert peak_while_searching() > size


def test_the_entry_table_follows_commits_and_removals_reading_only_new_segments(tmp_path):
    settings = Settings(tmp_path / "archive", lock_timeout=1.0)
    for name, title in (("one", "Tide Tables"), ("two", "Harbour Dues")):
        (tmp_path / f"{name}.txt").write_text(f"{title}\n\nThe harbour keeps records of {name} kind.\n")
    first = ingest([tmp_path / "one.txt"], settings, ParseOptions(), workers=1).added[0]["id"]
    index = ArchiveIndex(settings.index_dir)
    before = index.entry_table(index.thread_searcher())
    second = ingest([tmp_path / "two.txt"], settings, ParseOptions(), workers=1).added[0]["id"]
    searcher = index.thread_searcher()
    after = index.entry_table(searcher)
    assert set(after.facts) == {first, second} and after.doc_of[:len(before.doc_of)] == before.doc_of
    assert sum(1 for table in index._segment_tables.values() if table.facts.keys() == {first}) == 1
    assert search(index, SearchRequest("harbour"), searcher).total_documents == 2
    remove(first, settings)
    searcher = index.thread_searcher()
    assert set(index.document_facts(searcher)) == {second}
    result = search(index, SearchRequest("harbour"), searcher)
    assert result.total_documents == 1 and result.facets["kind"] == [("body", result.total)]


def test_the_entry_table_is_read_from_columns_not_stored_fields(corpus_settings, monkeypatch):
    """Stored fields lie between the passages' text: reading one per document mapped most of the index."""
    monkeypatch.setattr(SegmentReader, "stored_fields", lambda *a: pytest.fail("stored fields were read"))
    index = ArchiveIndex(corpus_settings.index_dir)
    with index.searcher() as searcher:
        table = index.entry_table(searcher)
    assert len(table.facts) == 5 and all(facts.title for facts in table.facts.values())
    assert {table.kind_of[n] for n in table.documents} == {"document"}


@pytest.mark.parametrize("value", [{"a": 1}, list(range(5000)), "x" * 70_000, [{"n": n} for n in range(3000)]])
def test_mapped_file_reads_pickles_shorter_and_longer_than_its_window(value):
    data = b"head" + pickle.dumps(value) + pickle.dumps("next")
    mapped = MappedBufferFile(memoryview(data))
    mapped.seek(4)
    assert mapped.read_pickle() == value and mapped.read_pickle() == "next"


def test_a_search_past_its_time_limit_stops_and_says_so_everywhere(index, client, corpus_settings, monkeypatch):
    whole = search(index, SearchRequest("Russia"))
    assert whole.complete and not whole.notes() and client.get("/api/search?q=Russia").json["complete"] is True
    stopped = search(index, SearchRequest("Russia"), time_limit=0)
    assert not stopped.complete and stopped.total < whole.total and stopped.to_dict()["complete"] is False
    note = "This search ran past its time limit and was stopped: the counts are those found by then, " \
           "and documents further on may be missing."
    assert stopped.notes() == [note]
    monkeypatch.setattr(indexer.search, "REQUEST_LIMIT_FACTOR", 0)  # past the whole request's limit at once
    unmarked = search(index, SearchRequest("Russia"))
    assert unmarked.total == whole.total and not any("<mark>" in hit.snippet for hit in unmarked.hits)
    assert [hit.snippet for hit in unmarked.hits[:1]] != [hit.snippet for hit in whole.hits[:1]]
    monkeypatch.setattr(indexer.search, "REQUEST_LIMIT_FACTOR", 2)
    monkeypatch.setattr(indexer.search, "TIME_LIMIT", 0)
    assert note in client.get("/?q=Russia").text and client.get("/api/search?q=Russia").json["complete"] is False
    output = CliRunner().invoke(cli, ["--data-dir", str(corpus_settings.data_dir), "search", "Russia"]).output
    assert output.splitlines()[0] == note


@pytest.mark.parametrize("query", ["s*", "negotiat*", "Russia", '"peace treaty" islands'])
def test_snippets_are_the_same_whether_words_come_from_scoring_the_postings_or_the_text(index, monkeypatch, query):
    from_scoring = [hit.snippet for hit in search(index, SearchRequest(query)).hits]
    assert any("<mark>" in snippet for snippet in from_scoring)
    record = indexer.search._record_matched_terms
    monkeypatch.setattr(indexer.search, "_record_matched_terms", lambda results, q, scored: record(results, q, None))
    monkeypatch.setattr(indexer.search, "MANY_WORDS", 10**9)
    assert [hit.snippet for hit in search(index, SearchRequest(query)).hits] == from_scoring
    monkeypatch.setattr(indexer.search, "MANY_WORDS", 0)
    assert [hit.snippet for hit in search(index, SearchRequest(query)).hits] == from_scoring


WORDS = st.text(alphabet="abcdeé", min_size=1, max_size=9)


@settings(max_examples=200, deadline=None)
@given(words=st.lists(WORDS, max_size=60, unique=True), word=WORDS, maxdist=st.integers(1, 2))
def test_did_you_mean_compares_only_nearby_lengths_and_loses_no_word(words, word, maxdist):
    """Grouping the words by length as well as initial finds what comparing every word of the initial finds."""
    everyone = [w for w in words if w[:1] == word[:1] and w != word and OSA.distance(w, word) <= maxdist]
    expected = sorted(everyone, key=lambda w: (OSA.distance(w, word), -len(w), w))[:3]
    vocabulary = Vocabulary(sorted(words) if len(words) % 2 else words)  # a lexicon is sorted; any order works
    assert vocabulary.nearest(word, len, maxdist=maxdist) == expected
    assert all(w in vocabulary for w in words) and ("zz" in vocabulary) == ("zz" in words)


def test_snippets_show_where_they_were_cut_never_repeat_and_keep_a_short_passage_whole(settings, tmp_path):
    from indexer.operations import ingest
    from indexer.options import ParseOptions

    filler = " ".join(f"The harbour wall number {n} was rebuilt in stone by the town." for n in range(30))
    paper = tmp_path / "wall.md"
    paper.write_text(f"# The Harbour Wall\n\n{filler} The lantern keepers met there. {filler}\n\n"
                     "The quay is old.[^1]\n\n[^1]: Ibid. p. 108.\n")
    ingest([paper], settings, ParseOptions(), workers=0)
    index = ArchiveIndex(settings.index_dir)
    snippet = search(index, SearchRequest("lantern keepers")).hits[0].snippet
    assert snippet.startswith("… ") and snippet.endswith(" …") and "<mark>lantern</mark>" in snippet
    assert snippet.count("<mark>lantern</mark>") == 1
    note = search(index, SearchRequest("footnote:ibid")).hits[0].snippet
    assert note == "<mark>Ibid</mark>. p. 108."


def test_a_phrase_is_marked_only_where_it_stands(index, client, corpus_ids):
    marked = re.compile(r"(\w+)(?:</mark>)?\W{0,3}<mark>treaty</mark>", re.I)
    snippets = [hit.snippet for hit in search(index, SearchRequest('"peace treaty"', per_page=20)).hits]
    before = [m.group(1).lower() for s in snippets for m in marked.finditer(s)]
    assert before and set(before) == {"peace"}, before
    loose = " ".join(hit.snippet for hit in search(index, SearchRequest("peace treaty", per_page=20)).hits)
    assert any(m.group(1).lower() != "peace" for m in marked.finditer(loose)), "words alone are marked anywhere"
    page = client.get(f"/documents/{corpus_ids['003']}", query_string={"q": '"peace treaty"'}).text
    assert {m.group(1).lower() for m in marked.finditer(page)} == {"peace"}


def test_a_commits_lengths_read_once_are_whooshs_own(corpus_settings):
    """The lengths a commit writes postings by (read once per field) match Whoosh's own reader, entry by entry."""
    from whoosh.codec.whoosh3 import W3PerDocReader

    from indexer.index import LengthsReadOnce

    ix = ArchiveIndex(corpus_settings.index_dir).ix
    for segment in ix._segments():
        own = W3PerDocReader(ix.storage, segment)
        once = LengthsReadOnce(W3PerDocReader(ix.storage, segment))
        for fieldname in ("content", "title"):
            assert [once.doc_field_length(n, fieldname) for n in range(segment.doc_count_all())] == \
                   [own.doc_field_length(n, fieldname) for n in range(segment.doc_count_all())]
        own.close()
        once.close()
