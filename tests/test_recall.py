"""Search finds every document that holds the words: across sections, hyphens, questions and titles (corpus)."""
from __future__ import annotations

import re

import pytest
from whoosh.analysis.filters import STOP_WORDS

from benchmarks.recall import queries_for
from indexer.search import ANALYZER, SearchRequest, parse_query, search

# (query, the corpus documents that hold it, how many of the first results they must take)
FINDS = [
    ("Russo-Japanese", {"000", "002", "003"}, 3),
    ("Japan-Russia", {"000", "002", "003"}, 3),
    ("Japan–Russia", {"000", "002", "003"}, 3),  # an en dash, as a PDF prints it
    ("What will it take to normalize Japanese-Russian relations?", {"002"}, 1),
    ("nagato programme", {"003"}, 1),
    ("rapprochement", {"000", "003"}, 2),
    ("“peace treaty” Nagato", {"003"}, 1),
    ('Nagato "peace treaty', {"003"}, 1),  # an unclosed quote: a phrase to the end
    ("(Nagato OR Kurils", {"003"}, 1),
    ("Nag?to", {"003"}, 1),  # a ? inside a word is a wildcard
    ("Nagato?", {"003"}, 1),  # a ? ending a word is punctuation
]


def prefixes(result, corpus_ids) -> list[str]:
    """The corpus file prefixes of a result's documents, in order."""
    by_id = {doc_id: prefix for prefix, doc_id in corpus_ids.items()}
    return [by_id[d.facts.doc_id] for d in result.documents]


def passages(doc) -> list[tuple[str, str]]:
    """Every searchable passage of a stored document: (reader anchor, text)."""
    found = [("abstract", "\n\n".join(filter(None, (doc.meta.subtitle, doc.meta.abstract))))]
    found += [(s.id, "\n".join([s.title, *s.paragraphs])) for s in doc.sections]
    found += [(f"note-{n.number}", n.text) for n in doc.footnotes]
    return [(anchor, re.sub(r"\[\^\d+\]", "", text)) for anchor, text in found if text]


@pytest.mark.parametrize("query, holding, top", FINDS)
def test_the_documents_that_hold_a_query_come_first(index, corpus_ids, query, holding, top):
    result = search(index, SearchRequest(query))
    assert set(prefixes(result, corpus_ids)[:top]) == holding


def test_two_words_from_two_sections_find_the_paper(index, corpus_docs, corpus_ids):
    """No one passage holds both words, yet the paper is found, and each shown passage holds one of them."""
    together = [a for a, text in passages(corpus_docs["003"]) if re.search(r"nagato", text, re.I)
                and re.search(r"programme", text, re.I)]
    assert not together
    result = search(index, SearchRequest("nagato programme"))
    assert prefixes(result, corpus_ids) == ["003"] and result.match.mode == "all"
    assert all(re.search(r"<mark>(nagato|programmes?)</mark>", h.snippet, re.I) for h in result.hits)


# a phrase skips the stop words between its words, as the index does ("Japan and Russia")
SKIPPED = r"(?:\W+(?:" + "|".join(sorted(STOP_WORDS)) + r"|\w))*\W+"


@pytest.mark.parametrize("query, pattern", [
    ("rapprochement", r"\brapprochements?\b"),
    ("Japan-Russia", rf"\bjapan{SKIPPED}russia\b"),
    ("Russo-Japanese", rf"\brusso{SKIPPED}japanese\b"),
])
def test_matches_count_the_passages_that_hold_the_words(index, corpus_docs, corpus_ids, query, pattern):
    """A document's count is its passages holding the words, the true count read from the store."""
    result = search(index, SearchRequest(query, per_page=10))
    for doc in result.documents:
        stored = corpus_docs[{v: k for k, v in corpus_ids.items()}[doc.facts.doc_id]]
        holding = {a for a, text in passages(stored) if re.search(pattern, text, re.I)}
        assert doc.matches == len(holding), doc.facts.doc_id
    assert result.total == sum(d.matches for d in result.documents)
    assert sum(c for _, c in result.facets["kind"]) == result.total


def test_a_title_word_alone_makes_no_passage_a_match(index, corpus_ids):
    result = search(index, SearchRequest("title:rapprochement"))
    assert set(prefixes(result, corpus_ids)) == {"000", "003"}
    assert result.total == 0 and all(d.matches == 0 and len(d.hits) == 1 for d in result.documents)


def test_every_match_of_a_document_can_be_paged_through(client, corpus_ids):
    doc_id = corpus_ids["003"]
    first = client.get(f"/api/search?q=rapprochement&doc_id={doc_id}&per_page=100").get_json()
    assert len(first["hits"]) == first["total"] == first["documents"][0]["matches"] > 3
    anchors = []
    for page in range(1, -(-first["total"] // 3) + 1):
        payload = client.get(f"/api/search?q=rapprochement&doc_id={doc_id}&per_page=3&page={page}").get_json()
        assert payload["pages"] == -(-first["total"] // 3)
        anchors += [h["section_id"] + str(h["note_number"]) for h in payload["hits"]]
    assert len(anchors) == len(set(anchors)) == first["total"]
    page = client.get("/?q=rapprochement").get_data(as_text=True)
    assert f"All {first['total']} matches in this document" in page


def test_a_not_word_must_be_nowhere_in_the_document(index, corpus_ids):
    with_it = set(prefixes(search(index, SearchRequest("rapprochement")), corpus_ids))
    without = set(prefixes(search(index, SearchRequest("rapprochement -Nagato")), corpus_ids))
    assert without == with_it - {"003"}


def test_a_footnote_word_must_stand_in_a_note(index, corpus_docs, corpus_ids):
    result = search(index, SearchRequest("footnote:ibid rapprochement"))
    assert result.documents and all(h.kind == "footnote" or "<mark>rapprochement" in h.snippet.lower()
                                    for h in result.hits)
    for doc in result.documents:
        stored = corpus_docs[{v: k for k, v in corpus_ids.items()}[doc.facts.doc_id]]
        assert any(re.search(r"\bibid\b", n.text, re.I) for n in stored.footnotes)


def test_footnote_star_finds_every_document_with_notes(index, corpus_docs, corpus_ids):
    with_notes = {corpus_ids[prefix] for prefix, doc in corpus_docs.items() if doc.footnotes}
    result = search(index, SearchRequest("footnote:*", per_page=100))
    assert {d.facts.doc_id for d in result.documents} == with_notes and result.complete
    assert all(h.kind == "footnote" for h in result.hits)


@pytest.mark.parametrize("query", ["Russo-Japanese", "Japan-Russia", "What will it take to normalize relations?",
                                   "nagato programme", "rapprochement"])
def test_no_suggestion_when_the_archive_holds_every_word(index, query):
    assert search(index, SearchRequest(query)).suggestion == ""


@pytest.mark.parametrize("query, suggestion", [("normalize sanctoins", "normalize sanctions"),
                                               ("zzqx {1 TO 2}", ""), ("title:[a TO z] zzqx", "")])
def test_a_suggestion_replaces_only_unknown_words(index, query, suggestion):
    assert search(index, SearchRequest(query)).suggestion == suggestion


@pytest.mark.parametrize("query", ["*", "?*?*", "**"])
def test_a_wildcard_of_any_word_is_every_document(index, corpus_ids, query):
    result = search(index, SearchRequest(query, per_page=100))
    assert {d.facts.doc_id for d in result.documents} == set(corpus_ids.values()) and result.complete


def test_brackets_are_no_range_over_the_words(index):
    """The query language has no ranges (dates are date_from and date_to): "[a TO z]" was every word."""
    from whoosh.query import TermRange

    query = parse_query("[rapprochement TO nagato]", index)
    assert not [q for q in query.leaves() if isinstance(q, TermRange)]
    assert search(index, SearchRequest("[rapprochement TO nagato]")).total_documents >= 1


def test_a_pasted_question_ranks_those_with_most_words_first(index, corpus_ids):
    """A long question no document holds whole: the documents with all but the odd words come first."""
    result = search(index, SearchRequest("Why did the Nagato summit fail to produce a peace treaty, penguins asked"))
    assert result.match.mode == "most" and prefixes(result, corpus_ids)[0] == "003"


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_the_recall_benchmarks_queries_find_each_corpus_document(index, corpus_docs, corpus_ids, prefix):
    """The recall benchmark's query kinds, made from the document's own text, find it among the first 10."""
    with index.searcher() as searcher:
        def rarity(word):
            return min((searcher.doc_frequency("content", t.text) for t in ANALYZER(word)), default=0)
        made = queries_for(corpus_docs[prefix], rarity)
        assert made
        for kind, query in made.items():
            found = prefixes(search(index, SearchRequest(query), searcher), corpus_ids)[:10]
            assert prefix in found, (kind, query)


def test_a_number_of_one_digit_is_a_word(settings, tmp_path):
    """"Article 9" finds the article numbered 9, not every text that says "article"."""
    from indexer.index import ArchiveIndex
    from indexer.operations import ingest
    from indexer.options import ParseOptions

    for name, number in (("nine", 9), ("one", 1)):
        (tmp_path / f"{name}.md").write_text(f"# Clauses\n\n## Article {number}\n\nThe article on the harbour dues.\n")
    added = ingest([tmp_path / "nine.md", tmp_path / "one.md"], settings, ParseOptions(), workers=1).added
    result = search(ArchiveIndex(settings.index_dir), SearchRequest("Article 9"))
    assert [d.facts.doc_id for d in result.documents] == [added[0]["id"]]
    assert result.hits[0].section_title == "Article 9"
