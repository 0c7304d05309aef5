"""The five real corpus documents: metadata, notes, headings, cleaning and search, end to end."""
from __future__ import annotations

import pytest

from archive.model import MARKER
from indexer.index import ArchiveIndex
from indexer.operations import reindex
from indexer.search import SearchRequest, search


@pytest.mark.parametrize("prefix, title, authors", [
    ("000", "Building Momentum: An Imminent Japan-Russia Rapprochement?", ("Jonathan Berkshire Miller",)),
    ("001", "Russia and Japan: Wrong Premise, Unrealistic Expectations", ("Jonathan Eyal",)),
    ("002", "Still Seeking to Normalize Relations with Russia", ("Yoko Hirose",)),
    ("003", "Japan-Russia: The Limits of a Strategic Rapprochement", ("Céline Pajon",)),
    ("004", "Gang of Two: Russia and Japan Make a Play for the Pacific", ()),
])
def test_title_and_authors(corpus_docs, prefix, title, authors):
    assert corpus_docs[prefix].meta.title == title
    assert corpus_docs[prefix].meta.authors == authors


@pytest.mark.parametrize("prefix, field, value", [
    ("000", "date", "2014"), ("000", "number", "1"),
    ("002", "date", "2015-03"), ("002", "publisher", "Stimson Center"),
    ("002", "container_title", "Japan’s Global Diplomacy: Views from the Next Generation"),
    ("003", "date", "2017-10"), ("003", "publisher", "Ifri"), ("003", "series", "Russie.Nei.Visions"),
    ("003", "number", "104"), ("003", "isbn", "978-2-36567-766-0"), ("003", "translator", "Cameron Johnston"),
    ("004", "date", ""), ("004", "publisher", ""),
])
def test_metadata_fields(corpus_docs, prefix, field, value):
    assert getattr(corpus_docs[prefix].meta, field) == value


def test_abstracts_are_found_and_kept_out_of_the_body(corpus_docs):
    for prefix in ("002", "003"):
        doc = corpus_docs[prefix]
        assert doc.meta.abstract
        assert all(doc.meta.abstract not in p for s in doc.sections for p in s.paragraphs)


def cited_numbers(doc) -> list[int]:
    return [int(n) for s in doc.sections for p in s.paragraphs for n in MARKER.findall(p)]


def test_superscript_document_has_66_linked_notes(corpus_docs):
    doc = corpus_docs["003"]
    assert [n.number for n in doc.footnotes] == list(range(1, 67))
    assert all(n.cited and n.section_id for n in doc.footnotes)
    assert sorted(set(cited_numbers(doc))) == list(range(1, 67))


def test_bracketed_document_links_the_markers_present(corpus_docs):
    doc = corpus_docs["002"]
    assert [n.number for n in doc.footnotes] == list(range(1, 16))
    assert sorted(set(cited_numbers(doc))) == [2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15]
    assert [n.number for n in doc.footnotes if not n.cited] == [1, 7]


def test_every_citation_points_at_a_paragraph_holding_the_marker(corpus_docs):
    for doc in corpus_docs.values():
        for note in doc.footnotes:
            for place in note.cited_in:
                assert f"[^{note.number}]" in doc.section(place.section_id).paragraphs[place.paragraph]


@pytest.mark.parametrize("number, refers_to", [(12, [6]), (15, [8]), (41, [19]), (44, [43]), (54, [7])])
def test_back_references_resolve(corpus_docs, number, refers_to):
    assert corpus_docs["003"].footnote(number).refers_to == refers_to


def test_page_foot_notes_leave_no_split_paragraph(corpus_docs):
    for section in corpus_docs["003"].sections:
        for paragraph in section.paragraphs:
            assert paragraph[:1].isupper() or paragraph[:1] in "“\"'‘(0123456789", paragraph[:60]


def test_headings_of_the_pdf_paper(corpus_docs):
    sections = [(s.level, s.title) for s in corpus_docs["003"].sections]
    assert sections == [
        (1, "Introduction"),
        (1, "Diminishing prospects for resolving the territorial dispute"),
        (2, "The Ukraine crisis shakes up the Japanese-Russian relationship"),
        (3, "Japan's position on sanctions"),
        (3, "The growing influence of the United States and China on the Russo-Japanese relations"),
        (2, "The growing strategic importance of the Southern Kuril Islands"),
        (3, "Modernisation of Russian military equipment"),
        (3, "The Kuril Islands and the US-Japan alliance"),
        (2, "The high political cost of reaching an agreement over the islands"),
        (1, "Means and goals of the strategy of “small steps”"),
        (2, "A change of strategy: separating the territorial and economic issues"),
        (2, "Limited prospects for economic cooperation"),
        (2, "A strategic relationship lacking in trust"),
        (1, "Conclusion"),
    ]


def test_headings_of_the_book_chapter(corpus_docs):
    titles = [(s.level, s.title) for s in corpus_docs["002"].sections]
    assert titles == [
        (1, "Japan-Russia Relations: Toward a Peace Treaty and Beyond"),
        (1, "Challenges for Achieving Policy Objectives"),
        (1, "The Northern Territories"),
        (2, "Russia’s contempt for the Japan-US alliance"),
        (2, "Ukraine crisis and sanctions on Russia"),
        (1, "Cooperation with the US"),
        (2, "Preserve the world order"),
        (2, "Maintain credible deterrence"),
        (2, "Restrain the alliance between Russia and China"),
        (1, "Policy Recommendations"),
        (2, "Create a flexible policy toward Russia"),
        (2, "Seek regional cooperation with Russia"),
        (2, "Avoid Russia’s isolation while limiting its policy options"),
    ]


def test_untitled_sections_follow_blank_lines_and_separators(corpus_docs):
    assert len(corpus_docs["000"].sections) == 5
    assert all(s.title == "" and s.id.startswith("section-") for s in corpus_docs["000"].sections)


def test_section_ids_are_unique_anchors(corpus_docs):
    for doc in corpus_docs.values():
        ids = [s.id for s in doc.sections]
        assert len(ids) == len(set(ids)) and all(i.replace("-", "").isalnum() for i in ids)


FURNITURE = ["Table of Contents", "27 rue de la Procession", "Tel.:", "accueil@ifri.org", "View profile",
             "Comments are closed", "Logo ISN", "Slogan", "Explore our related content", "Main Image Credit",
             "courtesy of", "How to quote", "All rights reserved", "please visit", "Latest Publications",
             "institut français", "INTRODUCTION\t5", "please e-mail"]


def test_furniture_is_in_no_indexed_text(index):
    with index.searcher() as searcher:
        texts = [" ".join(str(v) for v in fields.values()) for fields in searcher.all_stored_fields()]
    for text in texts:
        for furniture in FURNITURE:
            assert furniture.lower() not in text.lower(), furniture


SEARCHES = [
    ("hikiwake", {"002", "003"}),
    ('"Snow Dragon"', {"004"}),
    ("author:pajon", {"003"}),
    ("Perouse", {"001"}),
    ("Celine", {"003"}),
    ('"unlike the European Union"', {"003"}),  # runs across a page break and its footnotes
    ("zeppelin", set()),
]


def every_hit(index, query):
    """Every matching passage of a query (all documents on one page, all their passages)."""
    return search(index, SearchRequest(query, per_page=100, passages=10_000))


@pytest.mark.parametrize("query, expected", SEARCHES)
def test_search_finds_the_expected_documents(index, corpus_ids, query, expected):
    by_id = {doc_id: prefix for prefix, doc_id in corpus_ids.items()}
    result = every_hit(index, query)
    assert {by_id[h.doc_id] for h in result.hits} == expected


def test_footnote_field_returns_only_notes(index):
    result = every_hit(index, "footnote:Sputnik")
    assert result.total > 0 and all(h.kind == "footnote" and h.note_number for h in result.hits)


def test_stemming_matches_plural(index):
    hits = every_hit(index, "sanction").hits
    assert any("<mark>sanctions</mark>" in h.snippet for h in hits)


def test_reindex_answers_the_same_queries(corpus_settings):
    queries = [q for q, _ in SEARCHES] + ["footnote:Sputnik", "sanction", "Kuril OR Kurils"]

    def answers():
        index = ArchiveIndex(corpus_settings.index_dir)
        return [[(h.doc_id, h.section_id, h.kind, h.note_number) for h in every_hit(index, q).hits]
                for q in queries]

    before = answers()
    assert reindex(corpus_settings) == 5
    assert answers() == before
