"""PDF files written for the project: page-foot notes, a paragraph split by a page break, columns, bad files."""
from __future__ import annotations

import re

from pathlib import Path

import pytest

from archive.config import Settings
from archive.errors import SourceError
from indexer.operations import ingest, readable
from indexer.options import ParseOptions
from indexer.pipeline import parse_file
from indexer.search import SearchRequest, search
from tests.pdfs import make_pdf

REPORT = [
    [(18, 72, 720, "Harbour Lights Restored"), (12, 72, 690, "Mara Holm"),
     (12, 72, 650, "The three lights of the north coast were lit again on Sunday^{1}"),
     (12, 72, 636, "evening, watched by a crowd that had waited since the"),
     (9, 72, 90, "^{1} The lights had been dark for ten years.")],
    [(12, 72, 720, "afternoon. Volunteers cleaned the lenses for two winters^{2} and"),
     (12, 72, 706, "rewired the lamps with money the fishing families raised."),
     (9, 72, 90, "^{2} Both winters were mild on the coast.")],
]
INFO = {"Title": "Microsoft Word - lights.docx", "Author": "Mara Holm", "CreationDate": "D:20240203101010Z"}


@pytest.fixture
def report(tmp_path) -> Path:
    """A two-page report with a page-foot note on each page and a paragraph across the page break."""
    path = tmp_path / "lights.pdf"
    path.write_bytes(make_pdf(REPORT, INFO))
    return path


def test_page_foot_notes_are_linked_and_a_split_paragraph_is_joined(report):
    doc = parse_file(report, ParseOptions())
    assert [s.paragraphs for s in doc.sections] == [[
        "The three lights of the north coast were lit again on Sunday[^1] evening, watched by a crowd that had "
        "waited since the afternoon. Volunteers cleaned the lenses for two winters[^2] and rewired the lamps with "
        "money the fishing families raised."]]
    assert [(n.number, n.text, n.cited) for n in doc.footnotes] == [
        (1, "The lights had been dark for ten years.", True), (2, "Both winters were mild on the coast.", True)]


def test_pdf_metadata_from_the_first_page_and_the_info_dictionary(report):
    meta = parse_file(report, ParseOptions()).meta
    assert (meta.title, meta.authors, meta.date) == ("Harbour Lights Restored", ("Mara Holm",), "2024-02-03")


def test_a_phrase_across_the_page_break_is_found(report, tmp_path):
    settings = Settings(tmp_path / "archive")
    assert ingest([report], settings, ParseOptions(), workers=1).added
    with readable(settings) as (_, index):
        assert search(index, SearchRequest('"waited since the afternoon"')).total_documents == 1


def test_two_columns_are_read_one_after_the_other(tmp_path):
    left = ["Left column opens the story of", "the harbour and its three lights", "and ends its first part here."]
    right = ["Right column carries on with the", "keepers and their long winter", "nights by the lamps above."]
    lines = [(16, 72, 740, "The Keepers")] + [(11, 72, 700 - 14 * i, t) for i, t in enumerate(left)] + \
        [(11, 330, 700 - 14 * i, t) for i, t in enumerate(right)]
    (tmp_path / "columns.pdf").write_bytes(make_pdf([lines]))
    paragraphs = parse_file(tmp_path / "columns.pdf", ParseOptions()).sections[0].paragraphs
    assert paragraphs == [" ".join(left), " ".join(right)]


ENCRYPT = (b"/Root 1 0 R /Encrypt << /Filter /Standard /V 1 /R 2 /O (0123456789abcdef0123456789abcdef) "
           b"/U (0123456789abcdef0123456789abcdef) /P -4 >> /ID [<00112233445566778899aabbccddeeff> "
           b"<00112233445566778899aabbccddeeff>]")


@pytest.mark.parametrize("name, data, reason", [
    ("scan.pdf", make_pdf([[], []]), "the PDF has no text layer (a scanned document?): there is no text to index"),
    ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog", "damaged PDF file"),
    ("locked.pdf", make_pdf([[(12, 72, 700, "Secret")]]).replace(b"/Root 1 0 R", ENCRYPT),
     "the PDF file is encrypted and cannot be read"),
])
def test_unreadable_pdfs_are_refused_with_the_reason(tmp_path, name, data, reason):
    (tmp_path / name).write_bytes(data)
    with pytest.raises(SourceError) as refused:
        parse_file(tmp_path / name, ParseOptions())
    assert reason in str(refused.value) and name in str(refused.value)


def test_a_bad_pdf_fails_alone_and_the_batch_goes_on(tmp_path, report):
    (tmp_path / "scan.pdf").write_bytes(make_pdf([[]]))
    result = ingest([tmp_path], Settings(tmp_path / "archive"), ParseOptions(), workers=1)
    assert [Path(i["path"]).name for i in result.added] == ["lights.pdf"]
    assert [Path(i["path"]).name for i in result.failed] == ["scan.pdf"]


def test_a_real_manual_keeps_its_text_and_links_its_page_foot_notes():
    from benchmarks.common import pdf_corpus  # Debian's asymptote-doc, fetched by apt-get like the benchmarks

    manual = next(path for path in pdf_corpus() if path.name == "asymptote.pdf")
    doc = parse_file(manual, ParseOptions(max_bytes=50 * 1024 * 1024))
    assert len(doc.footnotes) >= 5 and all(note.cited for note in doc.footnotes)
    assert doc.extraction.kept_share > 0.9 and len(doc.sections) > 100


def test_a_real_manuals_outline_gives_its_headings_and_levels():
    from benchmarks.common import pdf_corpus  # Debian's gnu-standards: bookmarks without the section numbers

    manual = next(path for path in pdf_corpus() if path.name == "standards.pdf")
    sections = {s.title: s.level for s in parse_file(manual, ParseOptions(max_bytes=50 * 1024 * 1024)).sections}
    assert sections["2 Keeping Free Software Free"] == 1 and sections["2.1 Referring to Proprietary Programs"] == 2
    assert len(sections) > 50


def test_paragraphs_and_notes_record_their_pages(report):
    doc = parse_file(report, ParseOptions())
    assert doc.sections[0].pages == ["1"] and [n.page for n in doc.footnotes] == ["1", "2"]


def test_pages_carry_the_printed_labels_of_a_real_manual():
    from benchmarks.common import pdf_corpus  # gnu-standards: roman front matter, then arabic pages

    manual = next(path for path in pdf_corpus() if path.name == "standards.pdf")
    doc = parse_file(manual, ParseOptions(max_bytes=50 * 1024 * 1024))
    pages = {s.title: s.page_of(0) for s in doc.sections}
    assert pages["2.1 Referring to Proprietary Programs"] == "2" and "i" in doc.sections[0].pages


def test_reader_hits_and_citations_give_the_page(report, tmp_path):
    from click.testing import CliRunner

    from indexer.cli import cli
    from webapp import create_app

    settings = Settings(tmp_path / "archive")
    doc_id = ingest([report], settings, ParseOptions(), workers=1).added[0]["id"]
    client = create_app({"TESTING": True, "SETTINGS": settings}).test_client()
    assert 'id="page-1">p. 1</span>' in client.get(f"/documents/{doc_id}").text
    assert client.get("/api/search", query_string={"q": "volunteers"}).json["hits"][0]["page"] == "1"

    def cite(*args: str) -> str:
        return CliRunner().invoke(cli, ["--data-dir", str(settings.data_dir), "cite", doc_id, *args],
                                  env={"ARCHIVE_BASE_URL": "https://archive.example.org"}).output

    assert "pages = {1}" in cite("--note", "2", "--format", "bibtex")  # called in the paragraph that starts on p. 1
    assert "SP  - 1" in cite("--section", "section-1", "--format", "ris")
    assert "p. 1" in cite("--section", "section-1", "--format", "apa") and "#page-1" in cite("--section", "section-1",
                                                                                            "--format", "csl-json")


def test_a_page_foot_note_that_runs_on_to_the_next_page_is_one_note(tmp_path):
    pages = [
        [(18, 72, 720, "Harbour Lights Restored"),
         (12, 72, 650, "The lights were lit again on Sunday evening^{1} before a large crowd that"),
         (12, 72, 636, "had waited on the quay since the afternoon, with lanterns and flags,"),
         (12, 72, 622, "and it cheered when the northern light turned for the first time."),
         (9, 72, 100, "^{1} They had been dark for ten years, since the storm that broke"),
         (9, 72, 89, "the lens of the northern light and flooded the old houses,")],
        [(12, 72, 720, "Volunteers cleaned the lenses for two winters^{2} without pay."),
         (9, 72, 100, "and the town had no money to mend them."),
         (9, 72, 80, "^{2} Both winters were mild.")],
    ]
    (tmp_path / "runs-on.pdf").write_bytes(make_pdf(pages))
    doc = parse_file(tmp_path / "runs-on.pdf", ParseOptions())
    assert [(n.number, n.text) for n in doc.footnotes] == [
        (1, "They had been dark for ten years, since the storm that broke the lens of the northern light and "
            "flooded the old houses, and the town had no money to mend them."), (2, "Both winters were mild.")]
    assert [p for s in doc.sections for p in s.paragraphs] == [
        "The lights were lit again on Sunday evening[^1] before a large crowd that had waited on the quay since the "
        "afternoon, with lanterns and flags, and it cheered when the northern light turned for the first time.",
        "Volunteers cleaned the lenses for two winters[^2] without pay."]


def test_an_outline_gives_the_headings_and_page_labels_the_pages(tmp_path):
    pages = [
        [(18, 72, 720, "Harbour Lights Restored"), (12, 72, 700, "Mara Holm"), (12, 72, 670, "Preface"),
         (12, 72, 640, "This report was written for the harbour board by its volunteers.")],
        [(12, 72, 720, "1 The lights"), (12, 72, 690, "The three lights were lit again on Sunday evening."),
         (12, 72, 660, "1.1 The lenses"), (12, 72, 630, "Volunteers cleaned the lenses for two winters.")],
        [(12, 72, 720, "2 The houses"), (12, 72, 690, "The keepers lived beside the lights until the war."),
         (12, 72, 660, "A note in passing"), (12, 72, 630, "This line looks like a heading but is not listed.")],
    ]
    outline = [(1, "Preface"), (1, "1 The lights"), (2, "The lenses"), (1, "2 The houses")]
    path = tmp_path / "outlined.pdf"
    path.write_bytes(make_pdf(pages, outline=outline, labels="0 << /S /r >> 1 << /S /D >>"))
    doc = parse_file(path, ParseOptions())
    assert [(s.title, s.level, s.pages) for s in doc.sections] == [
        ("Preface", 1, ["i"]), ("1 The lights", 1, ["1"]), ("1.1 The lenses", 2, ["1"]),
        ("2 The houses", 1, ["2", "2", "2"])]



def test_an_outline_whose_entries_point_back_at_each_other_is_read_once(tmp_path):
    """pdfminer's own outline walk recurses for ever on such a loop; the text and headings are kept."""
    pages = [[(18, 72, 720, "Harbour Lights Restored"), (12, 72, 700, "Mara Holm"), (12, 72, 670, "Preface"),
              (12, 72, 640, "This report was written for the harbour board by its volunteers."),
              (12, 72, 610, "The lights"), (12, 72, 580, "The three lights were lit again on Sunday evening.")]]
    data = make_pdf(pages, outline=[(1, "Preface"), (1, "The lights")]).decode("latin-1")
    first = re.search(r"(\d+) 0 obj\n<< /Title \(Preface\)", data).group(1)
    parent = re.search(r"<< /Title \(The lights\) (/Parent \d+ 0 R)", data).group(1)
    back = f"/Next {first} 0 R".ljust(len(parent))  # as long as what it replaces: the xref's offsets still hold
    path = tmp_path / "looped.pdf"
    path.write_bytes(data.replace(f"<< /Title (The lights) {parent}", f"<< /Title (The lights) {back}").encode("latin-1"))
    doc = parse_file(path, ParseOptions())
    assert [s.title for s in doc.sections] == ["Preface", "The lights"]
    assert "lit again on Sunday" in doc.sections[1].paragraphs[0]


def test_an_outline_of_thousands_of_entries_is_read_whole(tmp_path):
    import pypdfium2

    from indexer.pdfsource import outline_entries
    data = make_pdf([[(12, 72, 720, "Text.")]], outline=[(1, f"Entry {n}") for n in range(1500)])
    entries = outline_entries(pypdfium2.PdfDocument(data))
    assert len(entries) == 1500 and entries[-1] == (1, "Entry 1499")

XMP = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/">'
       '<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Lights of the North Coast</rdf:li></rdf:Alt></dc:title>'
       '<dc:creator><rdf:Seq><rdf:li>Mara Holm</rdf:li><rdf:li>Tom Reed</rdf:li></rdf:Seq></dc:creator>'
       '<xmp:CreateDate>2023-11-05T09:00:00Z</xmp:CreateDate></rdf:Description></rdf:RDF></x:xmpmeta>')


def with_xmp(path: Path, xmp: str, info: dict[str, str]) -> Path:
    """A one-page PDF of three lines with an XMP packet and an info dictionary."""
    body = [(12, 72, 700 - 14 * i, "The three lights were lit again on Sunday evening by the volunteers.")
            for i in range(3)]
    path.write_bytes(make_pdf([body], info, xmp=xmp))
    return path


def test_xmp_metadata_fills_what_the_first_page_does_not_say(tmp_path):
    meta = parse_file(with_xmp(tmp_path / "xmp.pdf", XMP, {"Title": "Microsoft Word - draft.docx"}), ParseOptions()).meta
    assert (meta.title, meta.authors, meta.date) == ("Lights of the North Coast", ("Mara Holm", "Tom Reed"), "2023-11-05")


PRISM_XMP = XMP.replace('xmlns:xmp="http://ns.adobe.com/xap/1.0/">', 'xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
                        'xmlns:prism="http://prismstandard.org/namespaces/basic/2.0/" prism:volume="12" '
                        'prism:number="1" prism:startingPage="45" prism:endingPage="67">'
                        '<prism:publicationName>Journal of Coastal History</prism:publicationName>'
                        '<prism:doi>10.5555/jch.2014.0012</prism:doi><prism:issn>1234-5678</prism:issn>')


def test_a_journal_articles_prism_fields_are_read_and_cited(tmp_path):
    """A publisher's PDF states its journal, volume, issue, pages, DOI and ISSN in PRISM, as elements or attributes."""
    from archive.citation import csl_item

    doc = parse_file(with_xmp(tmp_path / "article.pdf", PRISM_XMP, {}), ParseOptions())
    meta = doc.meta
    assert (meta.container_title, meta.volume, meta.issue, meta.pages, meta.doi, meta.issn) == (
        "Journal of Coastal History", "12", "1", "45-67", "10.5555/jch.2014.0012", "1234-5678")
    assert csl_item(doc)["type"] == "article-journal"


def test_without_an_outline_larger_or_bold_type_gives_the_headings(tmp_path):
    body = "The three lights were lit again on Sunday evening by the volunteers of the town."
    page = [(20, 72, 740, "Harbour Lights Restored"), (11, 72, 716, "Mara Holm"), (16, 72, 680, "The Lights"),
            (11, 72, 650, body), (11, 72, 636, body), (13, 72, 600, "The lenses"), (11, 72, 572, body),
            (11, 72, 558, body), (16, 72, 520, "The Houses"), (11, 72, 490, body), (11, 72, 460, "**Their roofs"),
            (11, 72, 440, body)]
    (tmp_path / "sized.pdf").write_bytes(make_pdf([page]))
    doc = parse_file(tmp_path / "sized.pdf", ParseOptions())
    assert [(s.title, s.level) for s in doc.sections] == [("The Lights", 1), ("The lenses", 2), ("The Houses", 1),
                                                          ("Their roofs", 3)]
    assert doc.meta.title == "Harbour Lights Restored"


@pytest.mark.parametrize("name", ["asymptote.pdf", "standards.pdf"])  # asymptote's page-foot notes are linked above
def test_a_phrase_across_a_real_page_break_is_found(tmp_path, name):
    from benchmarks.common import pdf_corpus
    from indexer.pdfsource import _words, read_pdf

    manual = next(path for path in pdf_corpus() if path.name == name)
    pages = dict(read_pdf(manual, manual.read_bytes()).pages)
    following = dict(zip(list(pages), list(pages)[1:]))
    settings = Settings(tmp_path / "archive")
    doc_id = ingest([manual], settings, ParseOptions(max_bytes=50 * 1024 * 1024), workers=1).added[0]["id"]
    from archive.store import Store

    store = Store(settings.data_dir)
    doc = store.get(doc_id)
    store.close()
    phrases = []
    for section in doc.sections:
        for number, paragraph in enumerate(section.paragraphs):
            words, start = _words(paragraph).split(), _words(pages[section.page_of(number)])
            cut = max((k for k in range(1, len(words) + 1) if " ".join(words[:k]) in start), default=0)
            label = section.page_of(number)
            on_next = label in following and " ".join(words[cut:cut + 3]) in _words(pages[following[label]])
            phrase = " ".join(words[max(cut - 3, 0):cut + 3])  # three words each side of the break
            literal = re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", " ".join(paragraph.lower().split()))
            if 3 <= cut <= len(words) - 3 and on_next and literal:
                phrases.append(phrase)
    assert phrases  # a paragraph that runs on from one page to the next
    with readable(settings) as (_, index):
        found = [search(index, SearchRequest(f'"{phrase}"')).total_documents == 1 for phrase in phrases[:10]]
    assert all(found), [p for p, ok in zip(phrases, found) if not ok]


PAPER = [
    [(16, 72, 740, "Harbour Lights Restored"), (12, 72, 712, "**1. The lights"),
     (12, 72, 698, "The three lights were lit again on Sunday^{1} evening, and the keepers"),
     (12, 72, 684, "came back to watch them from the quay, as they had done for years."),
     (12, 72, 656, "**1.1. The lenses"),
     (12, 72, 642, "Volunteers cleaned the lenses for two winters^{2} and rewired the"),
     (12, 72, 628, "lamps with money raised by the fishing families of the north coast."),
     (9, 72, 110, "^{1}The lights had been dark for ten years, since the storm that took the"),
     (9, 72, 88, "roof of the lamp room."),
     (9, 72, 70, "^{2} Both winters were mild on the coast.")],
]


def test_numbered_headings_stay_headings_and_page_foot_notes_are_read_from_their_place(tmp_path):
    """A paper as groff -ms sets it: bold numbered headings in the body's size, notes at the foot in
    smaller type, a raised number set close to its note, a note in two boxes."""
    (tmp_path / "paper.pdf").write_bytes(make_pdf(PAPER))
    doc = parse_file(tmp_path / "paper.pdf", ParseOptions())
    assert [(s.title, s.level) for s in doc.sections] == [("1. The lights", 1), ("1.1. The lenses", 2)]
    assert (doc.meta.title, doc.meta.subtitle) == ("Harbour Lights Restored", "")
    assert [(n.number, n.text, n.cited) for n in doc.footnotes] == [
        (1, "The lights had been dark for ten years, since the storm that took the roof of the lamp room.", True),
        (2, "Both winters were mild on the coast.", True)]
    assert doc.sections[0].paragraphs == ["The three lights were lit again on Sunday[^1] evening, and the keepers "
                                          "came back to watch them from the quay, as they had done for years."]


LATEX_PAPER = [
    [(17, 72, 740, "Harbour Ledgers of the North"), (12, 72, 715, "Mara Holm"),
     (14, 72, 680, "1 The northern harbours"),
     (10, 72, 660, "The harbour board kept non-free records of every landing^{1}"),
     (10, 72, 648, "and sent its non-"), (10, 72, 636, "free ledgers to the town, where the clerk"),
     (10, 72, 624, "of the board copied them for the harbour masters of the coast"),
     (8, 72, 420, "^{1} The ledgers were kept in the custom house until the fire, when"),
     (8, 72, 410, "the board moved them to the town hall with the other papers."),
     (8, 72, 400, "^{2} The clerk signed every page."), (10, 300, 40, "1")],
    [(14, 72, 740, "2 Dealing with the unreach-"), (14, 72, 723, "able harbours"),
     (10, 72, 700, "A harbour nobody reached kept its own time, the clerk^{2} wrote, and"),
     (10, 72, 688, "the keeper of its light kept its ledger"), (10, 72, 676, ".^{3}"),
     (8, 72, 90, "^{3} The keeper wrote so in the ledger of the light."), (10, 300, 40, "2")],
]


def test_a_paper_as_latex_sets_it_keeps_its_headings_notes_and_compounds(tmp_path):
    """pdfLaTeX's ways: notes too many for the page's lower third, a heading hyphenated over two lines
    opening a page after a paragraph with no stop, a stop alone on a line with its note marker, and
    a compound hyphenated at a line end."""
    (tmp_path / "ledgers.pdf").write_bytes(make_pdf(LATEX_PAPER))
    doc = parse_file(tmp_path / "ledgers.pdf", ParseOptions())
    assert [s.title for s in doc.sections] == ["1 The northern harbours", "2 Dealing with the unreachable harbours"]
    assert [(n.number, n.cited) for n in doc.footnotes] == [(1, True), (2, True), (3, True)]
    assert doc.footnotes[0].text == ("The ledgers were kept in the custom house until the fire, when the board moved "
                                     "them to the town hall with the other papers.")
    assert "its non-free ledgers" in doc.sections[0].paragraphs[0]
    assert doc.sections[1].paragraphs[0].endswith("kept its ledger .[^3]")


def test_running_heads_go_by_their_place_and_repeated_lines_in_the_text_stay(tmp_path):
    """A head at the top of every page goes; a table's heading line repeated on every page stays."""
    pages = [[(9, 72, 760, "Harbour Report, Chapter 2"), (12, 72, 700, f"Paragraph {word} about the quay and its lamps."),
              (12, 72, 660, "Name Size Description"), (12, 72, 620, f"The {word} lamp is twelve inches across."),
              (12, 72, 580, f"Closing words for the {word} page of the report."), (9, 300, 40, str(n + 1))]
             for n, word in enumerate(("first", "second", "third"))]
    pages[0][1:1] = [(16, 72, 735, "Harbour Lamps"), (12, 72, 718, "Mara Holm")]
    (tmp_path / "report.pdf").write_bytes(make_pdf(pages))
    doc = parse_file(tmp_path / "report.pdf", ParseOptions())
    assert (doc.meta.title, doc.meta.authors) == ("Harbour Lamps", ("Mara Holm",))
    text = " ".join([doc.meta.title, *(t for s in doc.sections for t in (s.title, *s.paragraphs))])
    assert "Harbour Report" not in text and text.count("Name Size Description") == 3


def test_a_title_that_the_running_heads_repeat_in_small_type_stays_the_title(tmp_path):
    """A LaTeX report's title page sets its title large; every later page repeats it small as a running head."""
    pages = [[(24, 72, 720, "Harbour Lamps of the North"), (16, 72, 690, "Mara Holm"),
              (12, 72, 650, "The first page opens the report on the lamps of the northern harbours.")]]
    pages += [[(9, 72, 760, "Harbour Lamps of the North"), (12, 72, 700, f"Page {word} speaks of the quay and its lamps."),
               (9, 300, 40, str(n + 2))] for n, word in enumerate(("two", "three", "four"))]
    (tmp_path / "lamps.pdf").write_bytes(make_pdf(pages))
    doc = parse_file(tmp_path / "lamps.pdf", ParseOptions())
    assert (doc.meta.title, doc.meta.authors) == ("Harbour Lamps of the North", ("Mara Holm",))
    assert "Harbour Lamps" not in " ".join(p for s in doc.sections for p in s.paragraphs)


def _pdf_date(days_ago: int) -> str:
    """A PDF date string for a day some days before today."""
    import datetime

    return (datetime.date.today() - datetime.timedelta(days=days_ago)).strftime("D:%Y%m%d120000Z")


@pytest.mark.parametrize("info, expected", [
    ({"Producer": "pdfTeX-1.40.24", "CreationDate": "D:20190504101010Z"}, "2019-05-04"),
    ({"Producer": "Skia/PDF m120", "Creator": "Chromium", "CreationDate": "D:20190504101010Z"}, ""),
    ({"Producer": "cairo 1.16.0", "CreationDate": "D:20190504101010Z"}, ""),
    ({"Producer": "pdfTeX-1.40.24", "CreationDate": _pdf_date(0)}, ""),  # made today: printed, not written
    ({"Producer": "pdfTeX-1.40.24", "CreationDate": _pdf_date(30)}, "from the info dictionary"),
], ids=["typeset", "browser-print", "cairo-print", "made-today", "made-last-month"])
def test_a_pdf_files_own_date_is_the_documents_only_when_nothing_says_it_was_printed(tmp_path, info, expected):
    (tmp_path / "dated.pdf").write_bytes(make_pdf([[(18, 72, 720, "Harbour Lights Restored"),
                                                    (12, 72, 690, "The lights were lit again on Sunday evening.")]], info))
    date = parse_file(tmp_path / "dated.pdf", ParseOptions()).meta.date
    if expected == "from the info dictionary":
        expected = f"{info['CreationDate'][2:6]}-{info['CreationDate'][6:8]}-{info['CreationDate'][8:10]}"
    assert date == expected


def test_an_arabic_page_printed_by_chromium_is_read_in_reading_order(tmp_path):
    """Chromium draws right-to-left words letter by letter from the left, and some lines word by word from
    the left; PDFium gives them in that order, and the archive turns each word and line back to reading
    order (the words of a page written for the test)."""
    from playwright.sync_api import sync_playwright

    from tests.browser import chromium_path

    page_file, pdf = tmp_path / "harbour.html", tmp_path / "harbour.pdf"
    page_file.write_text("""<html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>الميناء</title></head>
<body><h1>الميناء الشمالي</h1><p>يعمل الصيادون في المدينة الساحلية منذ سنوات طويلة، ويعودون إلى الميناء
قبل غروب الشمس كل يوم.</p><h2>2.1. المنارة القديمة</h2><p>أعيدت المنارة إلى العمل بعد إصلاح المصباح والنوافذ.</p>
<h2>2.2. ضبط الفانوس lamp.conf</h2><p>يضبط الحارس ملف الفانوس قبل كل موسم.</p>
<h2>2.3. ملء الملف sources.list</h2><p>يُشغّل الحارس المُثبّت قبل كل موسم.</p>
</body></html>""", encoding="utf-8")
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium_path())
        page = browser.new_page()
        page.goto(page_file.as_uri())
        page.pdf(path=str(pdf), format="A4")
        browser.close()
    doc = parse_file(pdf, ParseOptions())
    words = set(re.findall(r"\w+", " ".join(p for s in doc.sections for p in [s.title, *s.paragraphs])))
    for word in ("الصيادون", "المدينة", "الساحلية", "الميناء", "المنارة", "المصباح", "والنوافذ"):
        assert word in words, word
    assert not words & {"نودايصلا", "ةنيدملا", "ءانيملا"}  # the same words drawn left to right
    titles = [s.title for s in doc.sections]
    assert "2.1. المنارة القديمة" in titles and "2.2. ضبط الفانوس lamp.conf" in titles  # the words in reading order
    assert "2.3. ملء الملف sources.list" in titles  # a Latin run drawn in pieces from the right
    assert "المُثبّت" in doc.sections[-1].paragraphs[0]  # a word with marks, drawn in pieces


def test_a_left_to_right_page_quoting_arabic_keeps_its_lines_as_drawn():
    """Only a page with a fair share of right-to-left letters has its Latin lines read from the right: an
    English page quoting one Arabic word keeps its right-aligned "Page 3" as it is."""
    from indexer.pdflayout import _in_reading_order

    sentence = "The harbour master greeted the crews with the word السلام before the long winter season began."
    lines = [sentence, "Page 3"]
    text = "\r\n".join(lines)
    boxes = [(10 + 5 * i, 700, 14 + 5 * i, 710) for i in range(len(sentence))] + [(0, 0, 0, 0)] * 2
    boxes += [(460 + 5 * i, 40, 464 + 5 * i, 50) for i in range(len("Page 3"))]
    assert _in_reading_order(text, boxes).split("\r\n")[1] == "Page 3"
