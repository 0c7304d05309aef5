"""The search engine's own parts: the one-pass analyzer, wildcards on stems, "did you mean"."""
from __future__ import annotations

import html

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.highlight import WholeFragmenter, highlight
from whoosh.lang.porter2 import stem
from whoosh.query import FuzzyTerm
from whoosh.support.charset import accent_map

from indexer.schema import TextAnalyzer
from indexer.search import (ANALYZER, MarkFormatter, SearchRequest, highlight_passage, highlight_terms,
                            parse_query, search)

WHOOSH_CHAIN = RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map) | StopFilter() | StemFilter(stem)
WORDS = st.sampled_from(["The", "a", "of", "I", "x", "Pérouse", "sanctions", "Sanction", "running", "3.141",
                         "big-time", "under_score", "ÆSIR", "Ça", "wild*", "it's", "Kurils", "OR"])
TEXTS = st.one_of(st.lists(WORDS, max_size=12).map(" ".join), st.text(max_size=40))


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
