"""One citation item per document, section or note, in CSL-JSON: the data every export format renders."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from archive.model import Document, Metadata, strip_markers

CORPORATE = re.compile(r"\b(institut\w*|cent(er|re)|council|ministry|agency|organi[sz]ation|university|foundation|"
                       r"committee|department|office|association|group|bank|commission|society|press)\b", re.I)
# a name in Han, kana, Hangul or Cyrillic with no comma is cited as written: its order (family name
# first in Japanese, either way in Russian) is not the Latin "given family" the splitting below assumes
WRITTEN_ORDER = re.compile(r"[\u0400-\u052f\u1100-\u11ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
PARTICLES = {"van", "von", "de", "der", "den", "da", "del", "di", "du", "la", "le", "ten", "ter"}
# CSL 1.0.2's item types
ITEM_TYPES = frozenset({
    "article", "article-journal", "article-magazine", "article-newspaper", "bill", "book", "broadcast", "chapter",
    "classic", "collection", "dataset", "document", "entry", "entry-dictionary", "entry-encyclopedia", "event",
    "figure", "graphic", "hearing", "interview", "legal_case", "legislation", "manuscript", "map", "motion_picture",
    "musical_score", "pamphlet", "paper-conference", "patent", "performance", "periodical", "personal_communication",
    "post", "post-weblog", "regulation", "report", "review", "review-book", "software", "song", "speech", "standard",
    "thesis", "treaty", "webpage"})
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@dataclass(frozen=True)
class Scope:
    """What is cited: the whole document, one section (by id) or the place of one note."""

    section_id: str = ""
    note: int | None = None

    @property
    def anchor(self) -> str:
        """The reader anchor of the cited place ('' for the whole document)."""
        return f"note-{self.note}" if self.note is not None else self.section_id


PERIODICALS = ("article-newspaper", "article-magazine", "post-weblog")  # a site's name is the periodical's
# Zotero's item type of each CSL type: Zotero's Embedded Metadata translator takes a DC.type that names
# one of its types before any guess (a citation_title alone makes it guess a journal article)
ZOTERO_TYPES = {"article-journal": "journalArticle", "article-magazine": "magazineArticle",
                "article-newspaper": "newspaperArticle", "chapter": "bookSection", "book": "book", "report": "report",
                "thesis": "thesis", "webpage": "webpage", "post-weblog": "blogPost", "paper-conference": "conferencePaper",
                "document": "document"}


def item_type(meta: Metadata, source_format: str = "") -> str:
    """The CSL type the source suggests: chapter, journal article, report, web page, else document.

    >>> item_type(Metadata(publisher="Ifri", series="Visions", number="104"))
    'report'
    >>> item_type(Metadata(container_title="A Book", publisher="Press"))
    'chapter'
    >>> item_type(Metadata(container_title="Northern Studies", publisher="Press", volume="12"))
    'article-journal'
    >>> item_type(Metadata(kind="article-magazine", url="https://example.org"))
    'article-magazine'
    """
    if meta.kind in ITEM_TYPES:
        return meta.kind
    if meta.container_title:
        if meta.volume or meta.issue or meta.issn:  # a book has no volume and issue of its own: a journal
            return "article-journal"
        return "chapter" if meta.publisher or meta.isbn else "article-journal"
    if meta.series or meta.isbn or (meta.publisher and meta.number):
        return "report"
    if meta.url or source_format == "html":
        return "webpage"
    return "document"


def split_name(name: str) -> dict:
    """A CSL name: family and given for a person, ``literal`` for an organisation; a particle written
    before the family name in lower case ("van der") is its ``non-dropping-particle``, which each
    style places itself (Chicago: "Berg, Anna van der"; APA and MLA: "van der Berg").

    >>> split_name("Céline Pajon"), split_name("Ludwig van Beethoven")
    ({'family': 'Pajon', 'given': 'Céline'}, {'family': 'Beethoven', 'given': 'Ludwig', 'non-dropping-particle': 'van'})
    >>> split_name("van der Berg, Anna")
    {'family': 'Berg', 'given': 'Anna', 'non-dropping-particle': 'van der'}
    >>> split_name("Stimson Center"), split_name("山田 花子"), split_name("Иванова Мария")
    ({'literal': 'Stimson Center'}, {'literal': '山田 花子'}, {'literal': 'Иванова Мария'})
    >>> split_name("Иванова, Мария")
    {'family': 'Иванова', 'given': 'Мария'}
    """
    if CORPORATE.search(name) or (WRITTEN_ORDER.search(name) and "," not in name):
        return {"literal": name}
    if "," in name:
        family, given = (part.strip() for part in name.split(",", 1))
        return _with_particle(family, {"given": given})
    words = name.split()
    if len(words) == 1:
        return {"family": name}
    start = next((i for i, w in enumerate(words[:-1]) if i and w.lower() in PARTICLES), len(words) - 1)
    return _with_particle(" ".join(words[start:]), {"given": " ".join(words[:start])})


def _with_particle(family: str, name: dict) -> dict:
    """A name with its family name, the lower-case particles opening it kept apart."""
    words = family.split()
    cut = next((i for i, w in enumerate(words) if not (w in PARTICLES and i < len(words) - 1)), 0)
    particle = " ".join(words[:cut])
    return {"family": " ".join(words[cut:]), **name, **({"non-dropping-particle": particle} if particle else {})}


def inverted_name(name: dict) -> str:
    """A person's CSL name as "Family, Given", the family name with its particle as written.

    >>> inverted_name({"family": "Berg", "given": "Anna", "non-dropping-particle": "van der"}), inverted_name({"family": "Ito"})
    ('van der Berg, Anna', 'Ito')
    """
    family = " ".join(filter(None, (name.get("non-dropping-particle"), name.get("family"))))
    return ", ".join(filter(None, (family, name.get("given"))))


def citation_key(doc: Document) -> str:
    """A stable, unique key: first author's family name, year, first title word, four characters of the id.

    >>> citation_key(Document("japan-russia-7408767d", Metadata(title="The Japan-Russia Limits",
    ...              authors=("Céline Pajon",), date="2017-10"), []))
    'pajon2017japan767d'
    """
    first = split_name(doc.meta.authors[0]) if doc.meta.authors else {}
    name = first.get("family") or first.get("literal", "anon")
    words = [w for w in re.findall(r"[^\W\d_]+", doc.meta.title.lower()) if w not in {"the", "a", "an", "on", "of"}]
    return _ascii(name.split()[-1].lower()) + (doc.meta.year or "nd") + _ascii(words[0] if words else "") + doc.id[-4:]


def _ascii(text: str) -> str:
    """Letters without accents, for keys."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if c.isascii() and c.isalnum())


def csl_item(doc: Document, scope: Scope = Scope(), reader_url: str = "") -> dict:
    """The CSL-JSON item of a document or a place in it; empty fields are left out, never invented."""
    meta = doc.meta
    kind = item_type(meta, doc.source.format)
    item = {"id": citation_key(doc), "type": kind, "title": _title(meta),
            "author": [split_name(a) for a in meta.authors],
            "issued": _date(meta.date), "publisher": meta.publisher, "container-title": meta.container_title,
            "collection-title": meta.series, "ISBN": meta.isbn, "language": meta.language,
            "volume": meta.volume, "issue": meta.issue, "page": meta.pages, "DOI": meta.doi, "ISSN": meta.issn,
            "translator": [split_name(meta.translator)] if meta.translator else [],
            "abstract": strip_markers(meta.abstract)}
    item["number" if kind == "report" and not meta.series else "collection-number"] = meta.number
    if kind in PERIODICALS and not meta.container_title:  # a newspaper's or blog's name is its container
        item["container-title"], item["publisher"] = meta.publisher, ""
    section = doc.section(scope.section_id) if scope.section_id else None
    if section is not None:
        item["section"] = section.title or f"Section {doc.sections.index(section) + 1}"
    if scope.note is not None:
        item["note"] = f"Note {scope.note}"
    page = place_page(doc, scope)
    if page:  # the cited place's page: the locator, and the item's page unless the work states its own range
        item["locator"] = page
        if not meta.pages:
            item["page"] = page
    # a place inside the document is cited at the archive's reader; the document itself at its source
    anchor = f"page-{page}" if page else scope.anchor
    item["URL"] = f"{reader_url}#{anchor}" if reader_url and anchor else meta.url
    if kind == "webpage" and doc.source.ingested_at:
        item["accessed"] = _date(doc.source.ingested_at[:10])
    return {k: v for k, v in item.items() if v}


def place_page(doc: Document, scope: Scope) -> str:
    """The page a cited section starts on, or where a cited note is called ('' without pages)."""
    if scope.note is not None:
        note = doc.footnote(scope.note)
        place = note.cited_in[0] if note and note.cited_in else None
        section = doc.section(place.section_id) if place else None
        return section.page_of(place.paragraph) if section else note.page if note else ""
    section = doc.section(scope.section_id) if scope.section_id else None
    return section.page_of(0) if section else ""


def _title(meta: Metadata) -> str:
    """Title and subtitle, as the source gives them (no case changes)."""
    return f"{meta.title}: {meta.subtitle}" if meta.subtitle and meta.title else meta.title


def _date(value: str) -> dict:
    """A CSL date from YYYY, YYYY-MM or YYYY-MM-DD ({} when there is none)."""
    parts = [int(p) for p in value.split("-") if p.isdecimal()] if value else []
    return {"date-parts": [parts]} if parts else {}


def locator(item: dict) -> tuple[str, str] | None:
    """The (label, value) a section or note citation points at, for a style's citation: its page if known."""
    if "locator" in item:
        return "page", item["locator"]
    if "note" in item:
        return "note", item["note"].removeprefix("Note ")
    if "section" in item:
        return "section", item["section"]
    return None


EXPECTED_FIELDS = {"author": "author", "issued": "date", "publisher": "publisher", "URL": "URL"}


def missing_fields(item: dict) -> list[str]:
    """The usual fields this item lacks because the source does not state them."""
    return [label for key, label in EXPECTED_FIELDS.items() if key not in item]
