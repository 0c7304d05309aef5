"""Quality gate on a fixed slice of ../shared/devsets: thresholds just under today's figures, so lost text fails.

The figures come from ``benchmarks/quality.py`` (the same scoring as ``python -m benchmarks quality``),
over pages nobody here wrote; ``make bench`` reports them on the whole devsets beside the peers'.
"""
from __future__ import annotations

import pytest

from benchmarks import quality

WEB_SLICE = 100


@pytest.fixture(scope="module")
def web_figures() -> dict:
    """The archive's snippet, author and title figures on the first WEB_SLICE labelled web pages."""
    pages = quality.web_pages(WEB_SLICE)
    return quality.score_web(quality.ingest_records([path for path, _ in pages]), pages, quality.web_titles(pages)[0])


@pytest.fixture(scope="module")
def book_scores() -> dict[str, dict]:
    """Each devset book's figures after ingest."""
    books = quality.books()
    records = quality.ingest_records([path for path, _ in books])
    return {truth["slug"]: quality.score_book(records[path], truth) for path, truth in books}


def test_web_pages_keep_the_body_and_drop_the_chrome(web_figures):
    assert web_figures["failed"] == 0
    assert web_figures["f1"] >= 0.90 and web_figures["precision"] >= 0.88 and web_figures["recall"] >= 0.92


def test_web_pages_name_their_authors(web_figures):
    assert web_figures["author_right"] >= 0.50


def test_web_pages_take_the_title_their_own_statements_agree_on(web_figures):
    assert web_figures["pages_with_title_label"] >= 75 and web_figures["title_right"] >= 0.93


@pytest.mark.parametrize("slug", [truth["slug"] for _, truth in quality.books()])
def test_books_in_one_page_come_out_whole(book_scores, slug):
    score = book_scores[slug]
    assert score["words"] >= 0.98 and score["notes_linked"] >= 0.99
    assert score["headings"] >= 0.95, score["missing_headings"]
    assert score["title_right"] and score["authors_right"], (score["title"], score["authors"])


def test_manual_pages_link_their_notes_and_have_clean_titles():
    pages = quality.manual_pages()
    records = quality.ingest_records([path for path, _ in pages])
    summary = quality.manual_summary([quality.score_manual(records[path], row) for path, row in pages])
    assert summary["notes_linked"] >= 0.99 and summary["titles_clean"] == 1.0
