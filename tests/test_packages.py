"""EPUB and Word files, built here for the project: chapters as sections, notes linked across files, metadata."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from archive.errors import SourceError
from indexer.options import ParseOptions
from indexer.pipeline import parse_file

CONTAINER = ('<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
             '<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
             '</rootfiles></container>')
OPF = """<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
 <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
  <dc:title>The Keeper's Log</dc:title><dc:creator>By Ada Lovell.</dc:creator><dc:date>1901-05-02</dc:date>
  <dc:publisher>Harbour Press</dc:publisher><dc:language>en-GB</dc:language>
  <dc:identifier id="id">urn:isbn:978-0-00-000000-2</dc:identifier>
  <dc:identifier>doi:10.5555/keepers-log</dc:identifier>
 </metadata>
 <manifest>
  <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
  <item id="c1" href="text/ch1.xhtml" media-type="application/xhtml+xml"/>
  <item id="c2" href="text/ch2.xhtml" media-type="application/xhtml+xml"/>
  <item id="c3" href="text/ch3.xhtml" media-type="application/xhtml+xml"/>
  <item id="notes" href="text/notes.xhtml" media-type="application/xhtml+xml"/>
 </manifest>
 <spine><itemref idref="c1"/><itemref idref="c2"/><itemref idref="c3"/><itemref idref="notes" linear="no"/></spine>
</package>"""
XHTML = ('<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml" '
         'xmlns:epub="http://www.idpf.org/2007/ops"><head><title>x</title></head><body>{}</body></html>')
CHAPTERS = {
    "text/ch1.xhtml": '<section epub:type="chapter" id="top"><h1>One: Lamps</h1><p id="r1">The lamp was trimmed'
                      '<a epub:type="noteref" href="notes.xhtml#n1">1</a> at dusk &amp; midnight.</p></section>',
    "text/ch2.xhtml": '<section epub:type="chapter"><h1>Two: Weather</h1><p>Storms came<a epub:type="noteref" '
                      'href="notes.xhtml#n2">2</a> in March.</p><p>See <a href="ch1.xhtml#top">chapter one</a>.</p>'
                      '</section>',
    "text/ch3.xhtml": '<p>An untitled file the navigation names.</p>',
    "text/notes.xhtml": '<section epub:type="endnotes"><h1>Notes</h1><ol><li id="n1" epub:type="endnote"><p>At six.'
                        ' <a href="ch1.xhtml#r1" epub:type="backlink">↩</a></p></li><li id="n2" epub:type="endnote">'
                        '<p>Always in March. <a href="ch2.xhtml">↩</a></p></li></ol></section>',
}

NAV = ('<nav epub:type="toc"><ol><li><a href="text/ch1.xhtml">One: Lamps</a></li><li><a href="text/ch2.xhtml">Two'
       '</a></li><li><a href="text/ch3.xhtml">Three: Afterword</a></li></ol></nav>')


def make_epub(path: Path, encrypted: bool = False) -> Path:
    """A small EPUB 3: two chapters and a notes file linked across files."""
    with zipfile.ZipFile(path, "w") as epub:
        epub.writestr("mimetype", "application/epub+zip")
        epub.writestr("META-INF/container.xml", CONTAINER)
        epub.writestr("OEBPS/content.opf", OPF)
        for name, body in CHAPTERS.items():
            epub.writestr(f"OEBPS/{name}", XHTML.format(body))
        epub.writestr("OEBPS/nav.xhtml", XHTML.format(NAV))
        if encrypted:
            epub.writestr("META-INF/encryption.xml", "<encryption><EncryptedData/></encryption>")
    return path


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
DOCX_PARTS = {
    "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                           '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
                           '+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>',
    "_rels/.rels": f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="word/document.xml"/></Relationships>',
    "word/_rels/document.xml.rels": f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                                    f'<Relationship Id="rId1" Type="{RELS}/footnotes" Target="footnotes.xml"/>'
                                    f'<Relationship Id="rId2" Type="{RELS}/styles" Target="styles.xml"/></Relationships>',
    "word/styles.xml": f'<w:styles {W}><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/>'
                       f'</w:style></w:styles>',
    "word/document.xml": f'<w:document {W}><w:body><w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Harbour '
                         f'works</w:t></w:r></w:p><w:p><w:r><w:t>The new quay opened in spring</w:t></w:r><w:r>'
                         f'<w:footnoteReference w:id="1"/></w:r><w:r><w:t xml:space="preserve"> after two winters of '
                         f'work.</w:t></w:r></w:p></w:body></w:document>',
    "word/footnotes.xml": f'<w:footnotes {W}><w:footnote w:id="1"><w:p><w:r><w:t>Opened by the mayor.</w:t></w:r>'
                          f'</w:p></w:footnote></w:footnotes>',
    "docProps/core.xml": '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-'
                         'properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/'
                         'terms/"><dc:title>{title}</dc:title><dc:creator>Mara Holm</dc:creator><dc:identifier>https://doi.org/'
                         '10.5555/harbour-works</dc:identifier><dcterms:created>'
                         '2024-02-03T10:00:00Z</dcterms:created></cp:coreProperties>',
}


def make_docx(path: Path, title: str = "Harbour works report") -> Path:
    """A small Word file: a heading, a paragraph with a footnote, core properties."""
    with zipfile.ZipFile(path, "w") as docx:
        for name, xml in DOCX_PARTS.items():
            docx.writestr(name, xml.replace("{title}", title))
    return path


def test_an_epub_becomes_one_document_with_its_chapters_and_linked_notes(tmp_path):
    doc = parse_file(make_epub(tmp_path / "log.epub"), ParseOptions())
    assert [(s.title, s.paragraphs) for s in doc.sections] == [
        ("One: Lamps", ["The lamp was trimmed[^1] at dusk & midnight."]),
        ("Two: Weather", ["Storms came[^2] in March.", "See chapter one."]),
        ("Three: Afterword", ["An untitled file the navigation names."])]
    assert [(n.number, n.text, n.section_id) for n in doc.footnotes] == [
        (1, "At six.", "one-lamps"), (2, "Always in March.", "two-weather")]
    meta = doc.meta
    assert (meta.title, meta.authors, meta.date, meta.publisher, meta.language, meta.isbn, meta.doi) == (
        "The Keeper's Log", ("Ada Lovell",), "1901-05-02", "Harbour Press", "en", "9780000000002", "10.5555/keepers-log")
    assert doc.source.format == "epub"


def test_a_word_file_keeps_its_headings_footnotes_and_properties(tmp_path):
    doc = parse_file(make_docx(tmp_path / "report.docx"), ParseOptions())
    assert [(s.title, s.paragraphs) for s in doc.sections] == [
        ("Harbour works", ["The new quay opened in spring[^1] after two winters of work."])]
    assert [(n.number, n.text, n.cited) for n in doc.footnotes] == [(1, "Opened by the mayor.", True)]
    assert (doc.meta.title, doc.meta.authors, doc.meta.date, doc.meta.doi) == (
        "Harbour works report", ("Mara Holm",), "2024-02-03", "10.5555/harbour-works")


def test_a_producers_title_is_no_title(tmp_path):
    doc = parse_file(make_docx(tmp_path / "draft3.docx", title="Microsoft Word - draft3.docx"), ParseOptions())
    assert doc.meta.title == "Harbour works"  # the heading, not the producer's stand-in


@pytest.mark.parametrize("name, content, reason", [
    ("broken.epub", b"PK\x03\x04 not really a zip", "damaged EPUB file: not a readable ZIP package"),
    ("notword.docx", None, "damaged DOCX file"),
    ("locked.epub", "encrypted", "the EPUB file is encrypted and cannot be read"),
])
def test_unreadable_packages_are_refused_with_the_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    if content == "encrypted":
        make_epub(path, encrypted=True)
    elif content is None:
        with zipfile.ZipFile(path, "w") as other:
            other.writestr("readme.txt", "not a Word file")
    else:
        path.write_bytes(content)
    with pytest.raises(SourceError) as refused:
        parse_file(path, ParseOptions())
    assert reason in str(refused.value) and name in str(refused.value)


def test_an_epub_listing_one_chapter_thousands_of_times_reads_it_once(tmp_path):
    """Row 6 of the reliability issue: 3,000 references to one file made a page of gigabytes."""
    path = make_epub(tmp_path / "repeat.epub")
    repeated = OPF.replace('<itemref idref="c1"/>', '<itemref idref="c1"/>' * 3000)
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(tmp_path / "spine.epub", "w") as epub:
        for item in source.infolist():
            epub.writestr(item, repeated if item.filename == "OEBPS/content.opf" else source.read(item))
    doc = parse_file(tmp_path / "spine.epub", ParseOptions())
    assert [s.title for s in doc.sections].count("One: Lamps") == 1
