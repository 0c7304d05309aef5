"""The document model shared by the indexer, the store and the web app."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields, replace

RECORD_VERSION = 1
KEPT_OF_WHOLE = 0.8  # a source read whole that kept less of its paragraph text says so
KEPT_OF_ARTICLE = 0.5  # as does a web page whose article kept less (its site's chrome is dropped by design)
MARKER = re.compile(r"\[\^(\d{1,4})\]")
"""How a footnote marker is written inside paragraph text: ``[^12]``."""


@dataclass(frozen=True)
class Metadata:
    """Bibliographic facts about a document; an empty string means the text does not say."""

    title: str = ""
    subtitle: str = ""
    authors: tuple[str, ...] = ()
    date: str = ""  # "YYYY", "YYYY-MM" or "YYYY-MM-DD": the precision the text gives
    publisher: str = ""
    series: str = ""
    number: str = ""
    isbn: str = ""
    url: str = ""
    language: str = ""
    abstract: str = ""
    container_title: str = ""  # the book or journal a chapter or article belongs to
    kind: str = ""  # the CSL item type the source states ("article-journal", "report"…), else ''
    volume: str = ""
    issue: str = ""
    pages: str = ""  # the work's own page range in its container, "45-67"
    doi: str = ""
    issn: str = ""
    translator: str = ""
    affiliation: str = ""

    def merged_with(self, preferred: Metadata) -> Metadata:
        """Return a copy where every non-empty field of ``preferred`` wins."""
        chosen = {f.name: getattr(preferred, f.name) for f in fields(self) if getattr(preferred, f.name)}
        return replace(self, **chosen)

    @property
    def year(self) -> str:
        """The four-digit year of the date, or ''."""
        return self.date[:4]


@dataclass
class Section:
    """A titled run of paragraphs; paragraph text carries note markers as ``[^n]``."""

    id: str
    title: str
    level: int
    paragraphs: list[str] = field(default_factory=list)
    heading_notes: list[int] = field(default_factory=list)  # notes whose markers stand in the heading
    pages: list[str] = field(default_factory=list)  # a PDF's page label each paragraph starts on

    def page_of(self, paragraph: int) -> str:
        """The page label a paragraph starts on ('' where the source has no pages)."""
        return self.pages[max(paragraph, 0)] if self.pages and paragraph < len(self.pages) else ""


@dataclass
class Citation:
    """One place in the body that cites a footnote: a paragraph of a section, or its heading (-1)."""

    section_id: str
    paragraph: int


@dataclass
class Footnote:
    """A numbered note with the places that cite it and what it refers back to."""

    number: int
    text: str
    section_id: str = ""
    paragraph: int | None = None
    cited: bool = False
    refers_to: list[int] = field(default_factory=list)
    cited_in: list[Citation] = field(default_factory=list)
    page: str = ""  # a PDF's page label the note is printed on
    italic: list[str] = field(default_factory=list)  # the phrases the source sets in italics (titles cited)


@dataclass
class SourceInfo:
    """Where a document came from and how it was read."""

    path: str = ""
    sha256: str = ""
    format: str = ""
    encoding: str = ""
    size: int = 0
    ingested_at: str = ""


@dataclass
class Extraction:
    """How much of its source's text a document kept: characters, white space folded."""

    source_chars: int = 0  # visible text in the source
    source_paragraph_chars: int = 0  # the source's paragraph text
    body_chars: int = 0
    notes_chars: int = 0
    parts_chars: int = 0  # text kept out of the body: bios, editor's and source notes
    article: bool = False  # the body is the article chosen out of a web page: the rest is the site's

    @property
    def kept_share(self) -> float:
        """Kept characters against the source's paragraph text (1.0 when it has none)."""
        kept = self.body_chars + self.notes_chars + self.parts_chars
        return min(1.0, kept / self.source_paragraph_chars) if self.source_paragraph_chars else 1.0

    @property
    def kept_little(self) -> bool:
        """Whether it kept so little that a reader should be told: under 80 % of a source read whole,
        under half of a web page whose article was chosen out of its site's menus and lists.

        >>> Extraction(100, 100, 70).kept_little, Extraction(100, 100, 70, article=True).kept_little
        (True, False)
        """
        return self.kept_share < (KEPT_OF_ARTICLE if self.article else KEPT_OF_WHOLE)


@dataclass
class Document:
    """A parsed document: metadata, sections, footnotes and the parts kept out of the body."""

    id: str
    meta: Metadata
    sections: list[Section]
    footnotes: list[Footnote] = field(default_factory=list)
    parts: dict[str, list[str]] = field(default_factory=dict)
    source: SourceInfo = field(default_factory=SourceInfo)
    extraction: Extraction = field(default_factory=Extraction)
    corrections: dict[str, object] = field(default_factory=dict)  # fields set by 'archive edit': they outlive a re-ingest

    def corrected(self, corrections: dict[str, object]) -> None:
        """Take on metadata corrections (field: value), now and at every later ingest of the same file."""
        self.corrections = {**self.corrections, **corrections}
        values = {name: tuple(v) if name == "authors" else v for name, v in self.corrections.items()}
        self.meta = replace(self.meta, **values)

    def section(self, section_id: str) -> Section | None:
        """The section with this id, or None."""
        return next((s for s in self.sections if s.id == section_id), None)

    def footnote(self, number: int) -> Footnote | None:
        """The footnote with this number, or None."""
        return next((n for n in self.footnotes if n.number == number), None)

    def to_dict(self) -> dict:
        """The JSON record: metadata fields at the top level, as the CLI and the API serve it."""
        meta = asdict(self.meta)
        meta["authors"] = list(self.meta.authors)
        return {
            "record_version": RECORD_VERSION,
            "id": self.id,
            **meta,
            "year": self.meta.year,
            # field by field: asdict's deep copy of every paragraph was most of an ingest's record writing
            "sections": [_shallow(s) for s in self.sections],
            "footnotes": [_note_record(n) for n in self.footnotes],
            "parts": self.parts,
            "source": asdict(self.source),
            "extraction": _extraction_record(self.extraction),
            "corrections": self.corrections,
        }

    @classmethod
    def from_dict(cls, record: dict) -> Document:
        """Rebuild a Document from its JSON record."""
        meta_names = {f.name for f in fields(Metadata)}
        meta = {k: v for k, v in record.items() if k in meta_names}
        meta["authors"] = tuple(meta.get("authors", ()))
        notes = [
            Footnote(**{**n, "cited_in": [Citation(**c) for c in n.get("cited_in", [])]})
            for n in record.get("footnotes", [])
        ]
        return cls(
            id=record["id"],
            meta=Metadata(**meta),
            sections=[Section(**s) for s in record.get("sections", [])],
            footnotes=notes,
            parts=record.get("parts", {}),
            source=SourceInfo(**record.get("source", {})),
            extraction=Extraction(**record.get("extraction", {})),
            corrections=record.get("corrections", {}),
        )


def strip_markers(text: str) -> str:
    """Paragraph text without its note markers.

    >>> strip_markers("symbolic[^4] (mainly)")
    'symbolic (mainly)'
    """
    return MARKER.sub("", text)


def _extraction_record(extraction: Extraction) -> dict:
    """The extraction's JSON record (``article`` only where it is one)."""
    return _new_field_left_out(asdict(extraction), "article")


def _note_record(note: Footnote) -> dict:
    """A footnote's JSON record (``italic`` only where it has some)."""
    return _new_field_left_out({**_shallow(note), "cited_in": [_shallow(c) for c in note.cited_in]}, "italic")


def _new_field_left_out(record: dict, name: str) -> dict:
    """The record without a field added since records were first written, where it is empty: older
    records keep their hashes, which the index holds to tell a stale entry."""
    if not record[name]:
        del record[name]
    return record


def _shallow(item) -> dict:
    """A dataclass's fields as a dict, values as they are (asdict without its deep copy).

    >>> _shallow(Citation("s-1", 2))
    {'section_id': 's-1', 'paragraph': 2}
    """
    return {f.name: getattr(item, f.name) for f in fields(item)}
