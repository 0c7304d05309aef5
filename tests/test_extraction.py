"""Extraction rules on small pages written for the project: whole books, note markups, chrome, metadata."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.citation import csl_item
from archive.styles import format_item
from indexer.cli import cli
from indexer.htmlsource import parse_html
from indexer.options import ParseOptions
from indexer.pipeline import parse_file

FIXTURES = Path(__file__).parent / "fixtures"


def body_text(doc) -> str:
    """Every section title and paragraph of a document, one per line."""
    return "\n".join(t for s in doc.sections for t in (s.title, *s.paragraphs))


def test_a_book_in_one_page_keeps_every_part_with_its_heading():
    doc = parse_file(FIXTURES / "book-one-page.html", ParseOptions())
    assert [(s.title, s.level) for s in doc.sections] == [
        ("Titlepage", 1), ("Imprint", 2), ("Epigraph", 2), ("Book I", 2), ("I: Of Lamps", 3),
        ("II: Of Weather", 3), ("Book II", 2), ("(A) Of Ships", 3), ("Colophon", 2)]
    text = body_text(doc)
    for sentence in ("Keep the light", "Oil came by boat in barrels, twice a year.", "Storms were logged",
                     "Every passing ship", "Set in a plain type"):
        assert sentence in text
    assert "Endnotes" not in text  # the notes list is the reader's notes, not a section
    assert doc.meta.title == "The Keeper's Almanac" and doc.meta.authors == ("Ada Lovell", "Tom Reed")


def test_book_notes_are_linked_from_paragraphs_and_headings():
    doc = parse_file(FIXTURES / "book-one-page.html", ParseOptions())
    assert [(n.number, n.text, n.cited) for n in doc.footnotes] == [
        (1, "Dusk fell early in winter.", True), (2, "The ships' names are kept in a second ledger.", True)]
    ships = doc.section("a-of-ships")
    assert ships.heading_notes == [2] and doc.footnote(2).cited_in[0].paragraph == -1
    assert doc.section("i-of-lamps").paragraphs[0] == "The lamp was trimmed at dusk[^1] and again at midnight."


NOTE_MARKUPS = [
    ("dpub-aria", '<p>Text<a href="#fn1" role="doc-noteref">1</a> here.</p><section role="doc-endnotes"><ol>'
                  '<li id="fn1"><p>The note. <a href="#r1" role="doc-backlink">↩</a></p></li></ol></section>'),
    ("sphinx-aside", '<p>Text<a class="footnote-reference brackets" href="#id3" id="id1">1</a> here.</p>'
                     '<aside class="footnote brackets" id="id3" role="note"><span class="label"><span class="fn-bracket">'
                     '[</span><a role="doc-backlink" href="#id1">1</a><span class="fn-bracket">]</span></span>'
                     '<p>The note.</p></aside>'),
    ("sphinx-dl", '<p>Text<a class="footnote-reference brackets" href="#id3" id="id1">1</a> here.</p><dl class="footnote">'
                  '<dt class="label" id="id3"><span class="brackets"><a class="fn-backref" href="#id1">1</a></span></dt>'
                  '<dd><p>The note.</p></dd></dl>'),
    ("docbook", '<p>Text<a href="#ftn.id-1" class="footnote"><sup class="footnote" id="id-1">[1]</sup></a> here.</p>'
                '<div class="footnotes"><br><hr><div id="ftn.id-1" class="footnote"><p><a href="#id-1" class="para">'
                '<sup class="para">[1] </sup></a>The note.</p></div></div>'),
    ("mediawiki", '<p>Text<sup id="cite_ref-1" class="reference"><a href="#cite_note-1">[1]</a></sup> here.</p>'
                  '<ol class="references"><li id="cite_note-1"><span class="mw-cite-backlink"><b><a href="#cite_ref-1">^'
                  '</a></b></span> <span class="reference-text">The note.</span></li></ol>'),
    ("pandoc", '<p>Text<a href="#fn1" class="footnote-ref" id="fnref1" role="doc-noteref"><sup>1</sup></a> here.</p>'
               '<section class="footnotes" role="doc-endnotes"><hr><ol><li id="fn1"><p>The note.<a href="#fnref1" '
               'class="footnote-back" role="doc-backlink">↩︎</a></p></li></ol></section>'),
    ("blog-plugin", '<p>Text<sup class="footnote"><a href="#fn-7-1" id="fnref-7-1">1</a></sup> here.</p><div class='
                    '"footnotes"><hr><ol><li id="fn-7-1">The note.&#160;<a href="#fnref-7-1">&#8617;</a></li></ol></div>'),
    ("superscript-character", '<p>Text<a href="#fn1" id="r1">¹</a> here.</p><ol class="notes"><li id="fn1">'
                              'The note. <a href="#r1">↩</a></li></ol>'),
]


@pytest.mark.parametrize("markup", [html for _, html in NOTE_MARKUPS], ids=[name for name, _ in NOTE_MARKUPS])
def test_note_markups_become_linked_notes_without_back_links(markup):
    page = parse_html(f"<html><body><main>{markup}</main></body></html>", whole_body=True)
    assert [(b.kind, b.text) for b in page.blocks] == [("para", "Text[^1] here."), ("note", "The note.")]


def test_letter_labelled_notes_are_numbered_after_the_numbered_ones():
    markup = ('<p>Row<a href="page.html#ftn.x" class="footnote"><sup>[a]</sup></a> and<a href="#ftn.1"><sup>[1]</sup>'
              '</a>.</p><div class="footnote" id="ftn.x"><p><sup>[<a href="#r">a</a>] </sup>Letter note.</p></div>'
              '<div class="footnote" id="ftn.1"><p><sup>[<a href="#q">1</a>] </sup>Number note.</p></div>')
    page = parse_html(f"<html><body>{markup}</body></html>", whole_body=True)
    assert [(b.kind, b.number, b.text) for b in page.blocks] == [
        ("para", 0, "Row[^2] and[^1]."), ("note", 2, "Letter note."), ("note", 1, "Number note.")]


def test_permalink_characters_leave_headings_and_titles():
    html = ('<html><head><meta name="generator" content="Docutils 0.19"><title>Usage — Tool docs</title></head><body>'
            '<div role="main"><h1>Usage<a class="headerlink" href="#usage">¶</a></h1><p>Run it.</p>'
            '<h2>Options<a href="#options">#</a></h2><p>There are none.</p></div></body></html>')
    page = parse_html(html)
    assert page.meta.title == "Usage"
    assert [(b.kind, b.text) for b in page.blocks] == [("para", "Run it."), ("heading", "Options"),
                                                       ("para", "There are none.")]


def test_a_news_page_keeps_its_article_and_drops_the_chrome():
    doc = parse_file(FIXTURES / "news-article.html", ParseOptions())
    text = body_text(doc)
    for kept in ("After ten dark years", "paid for by a fund", "A second life for the keepers' houses",
                 "small museum of the coast"):
        assert kept in text
    for chrome in ("cookies", "Read more", "Fishing quotas", "Share this", "Great news", "Copyright", "Sport"):
        assert chrome not in text


def test_page_metadata_comes_from_its_best_source():
    meta = parse_file(FIXTURES / "news-article.html", ParseOptions()).meta
    assert (meta.title, meta.authors, meta.date, meta.publisher, meta.url, meta.language) == (
        "Harbour lights return to the north coast", ("Mara Holm",), "2021-03-04", "Coast Courier",
        "https://courier.example/harbour-lights", "en")


def test_the_record_says_how_much_text_was_kept():
    extraction = parse_file(FIXTURES / "news-article.html", ParseOptions()).to_dict()["extraction"]
    assert set(extraction) == {"source_chars", "source_paragraph_chars", "body_chars", "notes_chars", "parts_chars",
                               "article"}  # the body is the article chosen out of the page
    assert extraction["article"] is True
    assert extraction["source_chars"] > extraction["body_chars"] > 400 and extraction["notes_chars"] == 0


def test_ingest_says_when_a_page_kept_less_than_half_of_its_text(tmp_path):
    comments = "".join(f"<p>Comment {i}: the lights were a fine sight from the hill above the harbour that night, "
                       "and we stayed until the last ferry left the quay.</p>" for i in range(12))
    page = (FIXTURES / "news-article.html").read_text(encoding="utf-8").replace(
        '<section id="comments" class="comments"><h3>Comments</h3>', f'<section id="comments" class="comments">{comments}')
    (tmp_path / "busy.html").write_text(page, encoding="utf-8")
    (tmp_path / "quiet.html").write_text((FIXTURES / "news-article.html").read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "archive"), "ingest", str(tmp_path)])
    lines = {line.split(":")[0].split()[-1]: line for line in result.output.splitlines() if ".html:" in line}
    assert result.exit_code == 0
    assert lines[str(tmp_path / "busy.html")].endswith("% of the source's text)")
    assert "(kept" not in lines[str(tmp_path / "quiet.html")]


def test_a_document_read_whole_says_so_when_it_kept_less_than_four_fifths(tmp_path):
    """A page is cut to its article, so only under half is told; a source read whole (text, a manual, a PDF)
    that lost a fifth of its text to the cleaning rules says so, on its line and in the record."""
    body = "The lights of the north coast were lit again on Sunday, and the keepers came back to the quay.\n\n"
    chrome = "".join(f"Follow us on Twitter for the latest news {i}\n\n" for i in range(6))
    (tmp_path / "report.txt").write_text("Harbour lights\n\n" + body * 3 + chrome, encoding="utf-8")
    settings = tmp_path / "archive"
    result = CliRunner().invoke(cli, ["--data-dir", str(settings), "ingest", "--json", str(tmp_path / "report.txt")])
    added = json.loads(result.output)["added"][0]
    assert added["kept"] < 0.8 and added["kept_little"] is True
    record = parse_file(tmp_path / "report.txt", ParseOptions()).extraction
    assert record.kept_little and not record.article


def test_the_reader_links_a_marker_in_a_heading_both_ways(tmp_path):
    from archive.config import Settings
    from indexer.operations import ingest
    from webapp import create_app

    settings = Settings(tmp_path / "archive")
    doc_id = ingest([FIXTURES / "book-one-page.html"], settings, ParseOptions(), workers=1).added[0]["id"]
    page = create_app({"TESTING": True, "SETTINGS": settings}).test_client().get(f"/documents/{doc_id}")
    html = page.get_data(as_text=True)
    assert re.search(r'<h\d>\(A\) Of Ships<span class="ref"><sup><a id="ref-2-1" href="#note-2"', html)
    assert 'href="#ref-2-1"' in html and 'href="#ref-1-1"' in html


@pytest.mark.parametrize("generator", ["publican v4.3.2", "DocBook XSL Stylesheets V1.79.2"])
def test_a_manual_page_written_in_div_para_keeps_its_text_and_boxes(tmp_path, generator):
    page = tmp_path / "tide-gauges.html"
    page.write_text((FIXTURES / "manual-div-para.html").read_text(encoding="utf-8").replace(
        '<meta charset="utf-8">', f'<meta charset="utf-8"><meta name="generator" content="{generator}">'),
        encoding="utf-8")
    doc = parse_file(page, ParseOptions())
    text = " ".join(p for s in doc.sections for p in [s.title, *s.paragraphs])
    for words in ("harbour log, with the hour", "stilling well", "equinox tides", "a soft brush",
                  "within a month", "harbour.example/sensor-care", "larger than two centimetres"):
        assert words in text, words
    assert "Get the whole manual" not in text and "Prev" not in text
    assert doc.extraction.kept_share >= 0.95 and doc.extraction.source_paragraph_chars > 700


def test_a_page_that_loses_its_div_paragraphs_says_so():
    """Read as an article (no generator tag), the page's div paragraphs count in what it held: the box the
    article extractor drops shows in the share kept."""
    extraction = parse_file(FIXTURES / "manual-div-para.html", ParseOptions()).extraction
    assert extraction.source_paragraph_chars > 700  # every div.para, not only the <p> title of the box
    assert 0.5 < extraction.kept_share < 0.95


def test_a_citation_author_tag_is_one_person(tmp_path):
    page = tmp_path / "article.html"
    page.write_text("""<html lang="en"><head><title>Building Momentum in the Northern Fisheries</title>
<meta name="citation_title" content="Building Momentum in the Northern Fisheries">
<meta name="citation_author" content="Tanaka, Hiroshi"><meta name="citation_author" content="Ivanova, Maria">
<meta name="citation_publication_date" content="2014/03/01"></head><body><article>
<h1>Building Momentum in the Northern Fisheries</h1>
<p>The fisheries of the northern waters have long been a matter of negotiation between the two states.</p>
<p>This article reviews the agreements and the catch records of the harbours, and argues for the quotas.</p>
</article></body></html>""", encoding="utf-8")
    doc = parse_file(page, ParseOptions())
    assert doc.meta.authors == ("Tanaka, Hiroshi", "Ivanova, Maria")
    assert format_item(csl_item(doc), "apa").entry.startswith("Tanaka, H., & Ivanova, M. (2014")


def test_a_manual_page_of_one_paragraph_keeps_its_heading_and_paragraph(tmp_path):
    """A documentation page whose one paragraph holds all its paragraph text: the region is the part
    that holds it, never the paragraph alone (which used to leave no text at all)."""
    page = tmp_path / "gauge-datum.html"
    page.write_text("""<html><head><title>4.2. The Gauge Datum</title>
<meta name="generator" content="DocBook XSL Stylesheets V1.79.2"></head><body>
<div class="navheader"><a href="a.html">Prev</a> <a href="c.html">Next</a></div>
<div class="sect1"><div class="titlepage"><h2 class="title">4.2. The Gauge Datum</h2></div>
<p>Every reading of the harbour gauge is taken against the datum cut into the quay wall, and a
reading against any other mark must be corrected before it is entered in the tide log.</p></div>
<div class="navfooter"><a href="a.html">Prev</a> <a href="index.html">Home</a></div></body></html>""",
                    encoding="utf-8")
    doc = parse_file(page, ParseOptions())
    assert doc.meta.title == "4.2. The Gauge Datum"
    assert "datum cut into the quay wall" in body_text(doc) and "Prev" not in body_text(doc)


def test_a_documentation_page_known_by_its_credit_line_keeps_its_entries_apart():
    """An index page of a documentation generator that writes no generator tag, only a credit at the
    foot: read as a documentation page (each entry its own block), not as an article (one run-on paragraph)."""
    entries = "".join(f"<dt><a href='g.html#{n}'>gauge {n}</a></dt><dd><a href='h.html#{n}'>harbour {n}</a></dd>"
                      for n in range(1, 40))
    page = parse_html(f"""<html><head><title>Index</title></head><body>
<div class="related"><a href="index.html">Tide manual</a> » <a href="genindex.html">Index</a></div>
<div role="main"><h1>Index</h1><table><tr><td><dl>{entries}</dl></td></tr></table></div>
<div class="footer">Created using <a href="https://www.sphinx-doc.org/">Sphinx</a> 5.3.0.</div></body></html>""")
    texts = [block.text for block in page.blocks]
    assert "gauge 1" in texts and "harbour 39" in texts
    assert not any("Tide manual" in text or "Created using" in text for text in texts)


def test_a_documentation_page_keeps_what_it_shows_without_scripts():
    """A <noscript> message in a documentation page's main region is kept, as the article reader keeps it."""
    page = parse_html("""<html><head><title>Search</title>
<meta name="generator" content="Docutils 0.19: https://docutils.sourceforge.io/"></head><body>
<div role="main"><h1>Search</h1><noscript><div class="admonition warning"><p>Turn scripts on to search
the tide manual.</p></div></noscript><p>Searching for several words finds the pages that hold them all.</p>
</div></body></html>""")
    texts = [block.text for block in page.blocks]
    assert "Turn scripts on to search the tide manual." in texts
    assert "Searching for several words finds the pages that hold them all." in texts


ARTICLE_BODY = ("<article><h1>{h1}</h1>" + "<p>The harbour at the north end of the bay reopened on Sunday after ten "
                "years, and the boats came back to the quay one by one before the tide turned.</p>" * 4 + "</article>")


@pytest.mark.parametrize("head, h1, title", [
    # the site's name in og:title and <title>, the headline alone in the h1 and JSON-LD
    ('<meta property="og:title" content="Harbour reopens after ten years - Coast Times"><title>Harbour reopens after '
     'ten years | Coast Times</title><script type="application/ld+json">{"@type": "NewsArticle", "headline": '
     '"Harbour reopens after ten years"}</script>', "Harbour reopens after ten years", "Harbour reopens after ten years"),
    # a kicker before the headline in <title>, and a logo h1 that repeats it: the kicker is no title
    ('<title>Harbours - The quay at the north end of the bay is open again</title>'
     '<meta property="og:title" content="The quay at the north end of the bay is open again">', "Harbours",
     "The quay at the north end of the bay is open again"),
    # a headline with a dash of its own, stated whole in two places
    ('<meta property="og:title" content="Japan - Russia talks resume"><script type="application/ld+json">'
     '{"@type": "NewsArticle", "headline": "Japan - Russia talks resume"}</script><title>Japan - Russia talks resume '
     '| Coast Times</title>', "Coast Times", "Japan - Russia talks resume"),
])
def test_a_pages_title_is_the_one_its_places_agree_on(head, h1, title):
    html = f"<html><head>{head}</head><body>{ARTICLE_BODY.format(h1=h1)}</body></html>"
    assert parse_html(html).meta.title == title
