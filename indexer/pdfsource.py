"""PDF files: their text layer as plain text for the text path, note markers from raised small digits.

The text layer is read with PDFium (``indexer.pdflayout``, through pypdfium2): runs of type with
their size, weight and place, joined into lines and boxes. Each box becomes a paragraph, a raised
smaller digit ``[^n]``, and pages are separated like paragraphs; the text path then removes page
furniture, re-joins words hyphenated across lines, moves page-foot notes out and joins a paragraph
a page break split. The outline (bookmarks), where there is one, names the headings and their
levels (else short lines set larger than the body type do, the largest first); every paragraph
and note records the page (its printed label: ``xii``, ``12``) it starts on. The info dictionary,
the outline and the page labels come from PDFium, the XMP packet from pdfminer.six.
"""
from __future__ import annotations

import bisect
import datetime
import io
import itertools
from dataclasses import replace
from collections import Counter
import re
from pathlib import Path
from typing import NamedTuple

from archive.errors import SourceError
from archive.model import Footnote, Metadata, Section
from indexer.dates import date_or_year
from indexer.htmlmeta import doi_of, page_range
from indexer.metadata import clean_author, producer_title, split_names
from indexer.clean import numbering_depth, rejoin_hyphenated, words_of
from indexer.pdflayout import Box, page_boxes

class PdfText(NamedTuple):
    """What a PDF gives the archive: its text, metadata, outline and (page label, page text) pairs."""

    text: str
    meta: Metadata
    outline: tuple[tuple[int, str], ...]
    pages: tuple[tuple[str, str], ...]



HEADING = 1.15  # a short box this much larger than the body type is a heading (in a PDF without an outline)
FOOT = 0.9  # letters this much smaller than the page's body type, in its lower third, are page-foot notes
MAX_OUTLINE = 20_000  # entries read from an outline, at most
EDGE_BOXES = 2  # boxes at each end of a page that a running head or foot may be
RUNNING_PAGES = 3  # pages a head or foot stands on to be taken for one
# what makes a PDF by printing a page, whose file's date is when it was printed
PRINTED_BY = re.compile(r"skia/pdf|chrom|cairo|quartz pdfcontext|print to pdf|wkhtmltopdf|weasyprint|prince", re.I)
FOOT_NOTE_START = re.compile(r"^(?:\[\^(\d{1,3})\]\s*|(\d{1,3})[.)]?\s+)(?=\S)")  # a page-foot note's number


def read_pdf(path: Path, data: bytes) -> PdfText:
    """The text of a PDF, page by page, with its info dictionary's metadata and its outline, or a SourceError."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:
        encrypted = "password" in str(err).lower() or "security" in str(err).lower()
        raise SourceError(path, "the PDF file is encrypted and cannot be read" if encrypted else
                          f"damaged PDF file: {err}") from None
    try:
        boxes = without_running_heads(page_boxes(document))
        body = body_size(boxes)
        headings = sized_headings(boxes, body)
        pages = join_continued_notes(boxes, body)
        meta, outline, labels = _document_facts(document, data, len(pages))
    except (pdfium.PdfiumError, ValueError, KeyError, TypeError, AttributeError, IndexError) as err:
        raise SourceError(path, f"damaged PDF file: {type(err).__name__} {err}".strip()) from None
    finally:
        document.close()
    text = "\n\n".join(page for page in pages if page.strip())
    if not text.strip():
        raise SourceError(path, "the PDF has no text layer (a scanned document?): there is no text to index")
    return PdfText(text, meta, outline or headings, tuple(zip(labels, pages)))


def outline_entries(document) -> tuple[tuple[int, str], ...]:
    """The outline's (level, title) entries in reading order, each read once (PDFium stops at an entry
    that points back at one before it; pdfminer's recursive walk never ended on such a loop)."""
    return tuple((mark.level + 1, " ".join(mark.get_title().split()))
                 for mark in itertools.islice(document.get_toc(), MAX_OUTLINE) if mark.get_title().strip())


def assign_pages(sections: list[Section], footnotes: list[Footnote], pages: tuple[tuple[str, str], ...]) -> None:
    """Record the page each paragraph starts on and each note is printed on, found by their opening words."""
    flat, starts = "", []
    for label, text in pages:
        starts.append((len(flat), label))
        flat += _words(text) + " "
    position = 0
    for section in sections:
        section.pages = []
        for paragraph in section.paragraphs:
            position = max(position, _find(flat, paragraph, position))
            section.pages.append(_label_at(starts, position))
    for note in footnotes:
        found = _find(flat, note.text, 0)
        note.page = _label_at(starts, found) if found >= 0 else ""


def _words(text: str) -> str:
    """Lower-case words and numbers, one space apart, note markers dropped: text as it can be compared."""
    return " ".join(re.findall(r"[^\W_]+", re.sub(r"\[\^\d+\]", " ", text).lower()))


def _find(flat: str, text: str, start: int) -> int:
    """Where a paragraph's opening words (else the words after them) stand in the pages' text, or -1."""
    words = _words(text).split()
    for key in (words[:6], words[2:8]):
        if len(key) >= 3 and (found := flat.find(" ".join(key), start)) >= 0:
            return found
    return -1


def _label_at(starts: list[tuple[int, str]], position: int) -> str:
    """The label of the page holding a position of the pages' text."""
    if not starts:
        return ""
    return starts[max(0, bisect.bisect_right(starts, position, key=lambda start: start[0]) - 1)][1]


def without_running_heads(pages: list[list[Box]]) -> list[list[Box]]:
    """The pages without their running heads and feet: boxes among the first or last EDGE_BOXES of a
    page whose text, numbers aside, stands so in the same size on RUNNING_PAGES pages or more.

    >>> text = ["The quay.", "The lamps.", "The boats.", "The nets.", "The tide.", "The gulls."]
    >>> pages = [[Box(f"Harbour Report {n}", 9, False), *map(Box, text[2 * n:2 * n + 2], [11, 11], [0, 0]),
    ...           Box(str(n + 1), 9, True)] for n in range(3)]
    >>> [[box.text for box in page] for page in without_running_heads(pages)]
    [['The quay.', 'The lamps.', '1'], ['The boats.', 'The nets.', '2'], ['The tide.', 'The gulls.', '3']]
    """
    def key(box: Box) -> tuple[str, int]:  # with its size: a title page's title is no running head that repeats it
        return re.sub(r"\d+", "#", " ".join(box.text.split()).lower()), round(box.size)

    def edges(page: list[Box]) -> list[Box]:
        return page[:EDGE_BOXES] + page[-EDGE_BOXES:]
    counts = Counter(k for page in pages for k in {key(box) for box in edges(page)})
    repeated = {k for k, n in counts.items() if n >= RUNNING_PAGES and k[0].strip("# ")}
    return [[box for i, box in enumerate(page) if not (key(box) in repeated and (i < EDGE_BOXES or i >= len(page) - EDGE_BOXES))]
            for page in pages]


def body_size(pages: list[list[Box]]) -> float:
    """The type size most words of the document are set in."""
    sizes = Counter(round(box.size) for page in pages for box in page for _ in box.text.split())
    return sizes.most_common(1)[0][0] if sizes else 0.0


def sized_headings(pages: list[list[Box]], body: float) -> tuple[tuple[int, str], ...]:
    """Short boxes set larger than the body type, or in bold, as (level, title): the largest type is level 1.

    For a PDF without an outline; the document's first box is its title, not a heading. Bold lines
    of the body's size rank below every larger size; a numbered heading's level is its number's depth.

    >>> page = [Box("Title", 20, False), Box("Part one", 16, False), Box("Body " * 30, 11, False),
    ...         Box("A point", 13, False), Box("In bold", 11, False, True)]
    >>> sized_headings([page], 11)
    ((1, 'Part one'), (2, 'A point'), (3, 'In bold'))
    """
    boxes = [box for page in pages for box in page][1:]
    words = words_of("\n\n".join(box.text for box in boxes))  # the vocabulary the text path rejoins words by
    found = [(box.size if box.size >= HEADING * body else 0.0, " ".join(rejoin_hyphenated(box.text, words).split()))
             for box in boxes
             if body and (box.size >= HEADING * body or box.bold) and 1 <= len(box.text.split()) <= 15]
    ranks = sorted({size for size, _ in found}, reverse=True)
    return tuple((numbering_depth(title) or ranks.index(size) + 1, title) for size, title in found)


def join_continued_notes(pages: list[list[Box]], body: float) -> list[str]:
    """Each page's text; a page-foot note that runs on at the foot of the next page is joined to its start.

    Page-foot notes are set smaller than the document's body type, in the page's foot (see ``in_the_foot``).

    >>> join_continued_notes([[Box("Body", 12, False), Box("[^1] A note that", 9, True)], [Box("runs on.", 9, True)]], 12)
    ['Body\\n\\n[^1]: A note that runs on.', '']
    """

    def foot(box: Box) -> bool:
        return box.low and 0 < box.size < FOOT * body  # 0: no letters, such as a figure's axis labels

    pages = [in_the_foot(page, body) for page in pages]
    for before, page in zip(pages, pages[1:]):
        runs_on = next((i for i, box in enumerate(page) if foot(box)), None)
        last = next((i for i in reversed(range(len(before))) if foot(before[i])), None)
        if runs_on is not None and last is not None and not _numbered_note(page[runs_on].text):
            before[last] = before[last]._replace(text=f"{before[last].text} {page.pop(runs_on).text}")
    return ["\n\n".join(note_definition(box.text) if foot(box) else box.text for box in _notes_joined(page, foot))
            for page in pages]


def in_the_foot(page: list[Box], body: float) -> list[Box]:
    """The page with its foot marked (``low``): its lower third, and the run of smaller type that ends
    the page after its last box of body type when that run opens with a note's number (notes too
    many for the lower third).

    >>> page = [Box("Body " * 40, 10, False), Box("[^6] A long note", 8, False), Box("that runs on.", 8, True)]
    >>> [box.low for box in in_the_foot(page, 10)]
    [False, True, True]
    >>> [box.low for box in in_the_foot([Box("Body", 10, False), Box("A table row", 8, False)], 10)]
    [False, False]
    """
    last_body = max((i for i, box in enumerate(page) if box.size >= FOOT * body), default=-1)
    run = page[last_body + 1:]
    if not run or all(box.low for box in run) or not _numbered_note(run[0].text) or not 0 < run[0].size < FOOT * body:
        return page
    return page[:last_body + 1] + [box._replace(low=True) for box in run]


def _notes_joined(page: list[Box], foot) -> list[Box]:
    """A page's boxes, a page-foot box that does not open with a number joined to the note box before it
    (one note set in two boxes)."""
    joined: list[Box] = []
    for box in page:
        if joined and foot(box) and foot(joined[-1]) and _numbered_note(joined[-1].text) and not _numbered_note(box.text):
            joined[-1] = joined[-1]._replace(text=f"{joined[-1].text}\n{box.text}")
        else:
            joined.append(box)
    return joined


def note_definition(text: str) -> str:
    """A page-foot box's notes as note definitions, ``[^n]: …``: each line opening with a number
    starts one (one box may hold several notes).

    >>> note_definition("[^2] Both winters were mild."), note_definition("[^5]Set close."), note_definition("Page 4")
    ('[^2]: Both winters were mild.', '[^5]: Set close.', 'Page 4')
    >>> note_definition("3. A note that\\nruns on.\\n4. Another.")
    '[^3]: A note that\\nruns on.\\n\\n[^4]: Another.'
    """
    lines = text.split("\n")
    if not _numbered_note(lines[0]):
        return text
    notes: list[list[str]] = []
    for line in lines:
        found = _numbered_note(line)
        if found:
            notes.append([f"[^{found.group(1) or found.group(2)}]: {line[found.end():]}"])
        else:
            notes[-1].append(line)
    return "\n\n".join("\n".join(note) for note in notes)


def _numbered_note(line: str):
    """The match of a note's opening number ("[^3] ", a raised "[^3]" set close to its text, "3. ") on
    a line, or None."""
    found = FOOT_NOTE_START.match(line)
    return found if found and int(found.group(1) or found.group(2)) > 0 else None


def _document_facts(document, data: bytes, page_count: int) -> tuple[Metadata, tuple[tuple[int, str], ...], list[str]]:
    """The info dictionary's metadata (a producer's stand-in title is no title), the outline and the page labels."""
    labels = [document.get_page_label(number) or str(number + 1) for number in range(page_count)]
    info = document.get_metadata_dict()

    def value(name: str) -> str:
        return " ".join(str(info.get(name) or "").split())

    xmp, created = _xmp(data)
    title = xmp.title or value("Title")
    made = created or re.sub(r"^D:(\d{4})(\d{2})?(\d{2})?.*", lambda m: "-".join(filter(None, m.groups())),
                             value("CreationDate"))
    names = split_names(value("Author"))  # "A, B and C"; a lone "Smith, John" stays one name
    authors = names if len(names) > 1 else [clean_author(value("Author"))]
    maker = f"{value('Producer')} {value('Creator')}"
    stated = Metadata(title="" if producer_title(title) else title, authors=tuple(filter(None, authors)),
                      date=file_date(date_or_year(made), maker, datetime.date.today()))
    return stated.merged_with(replace(xmp, title=stated.title)), outline_entries(document), labels


def file_date(made: str, maker: str, today: datetime.date) -> str:
    """When a PDF file was made, as the document's date where nothing better is stated (the text's
    printed date and XMP's dc:date come first); never when a browser or a print driver made the file,
    nor when it was made today: that is when it was printed, not when it was written.

    >>> today = datetime.date(2026, 12, 2)
    >>> file_date("2019-05-04", "pdfTeX-1.40.24", today), file_date("2019-05-04", "Skia/PDF m120", today)
    ('2019-05-04', '')
    >>> file_date("2026-12-02", "LibreOffice 7.4", today), file_date("2026-11", "LibreOffice 7.4", today)
    ('', '2026-11')
    """
    if not made or PRINTED_BY.search(maker):
        return ""
    made_today = len(made) == 10 and abs((datetime.date.fromisoformat(made) - today).days) <= 1
    return "" if made_today else made


def _xmp(data: bytes) -> tuple[Metadata, str]:
    """Title, creators, the stated date (dc:date, prism:publicationDate) and a journal article's PRISM
    fields (publicationName, volume, number, pages, doi, issn, isbn) from the catalog's XMP packet, if
    any, and the date the file was made (xmp:CreateDate).

    Read with pdfminer: PDFium has no call for the catalog's metadata stream. A packet that cannot be
    read is no packet; the text is still read.
    """
    from lxml import etree
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.psparser import PSException

    try:
        stream = PDFDocument(PDFParser(io.BytesIO(data))).catalog.get("Metadata")
        stream = stream.resolve() if hasattr(stream, "resolve") else stream
        root = etree.fromstring(stream.get_data(), etree.XMLParser(resolve_entities=False, no_network=True, recover=True))
    except (AttributeError, ValueError, KeyError, TypeError, IndexError, PSException, etree.XMLSyntaxError):
        return Metadata(), ""  # PSException: every pdfminer error, an encryption it cannot open among them
    if root is None:
        return Metadata(), ""

    def texts(name: str) -> list[str]:
        found = next((t for t in root.iter() if isinstance(t.tag, str) and t.tag.endswith(name)), None)
        items = [] if found is None else [" ".join("".join(li.itertext()).split()) for li in found.iter("{*}li")]
        return [t for t in items or ([" ".join("".join(found.itertext()).split())] if found is not None else []) if t]

    def value(name: str) -> str:  # an element's text, or an attribute of the same name (PRISM writes both)
        found = texts(name) or [v for t in root.iter() if isinstance(t.tag, str)
                                for k, v in t.attrib.items() if k.endswith(name) and v.strip()]
        return " ".join(found[0].split()) if found else ""

    stated = texts("}publicationDate") or texts("}date")
    identifiers = " ".join([value("}doi"), *texts("}identifier")])
    return (Metadata(title=next(iter(texts("}title")), ""), authors=tuple(filter(None, map(clean_author, texts("}creator")))),
                     date=date_or_year(next(iter(stated), "")), container_title=value("}publicationName"),
                     volume=value("}volume"), issue=value("}number"), doi=doi_of(identifiers),
                     pages=value("}pageRange") or page_range(value("}startingPage"), value("}endingPage")),
                     issn=value("}issn") or value("}eIssn"), isbn=value("}isbn")),
            date_or_year(next(iter(texts("}CreateDate")), "")))
