"""A stored document made ready for the reader: escaped, highlighted, with linked note markers."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from archive.model import MARKER, Document, Footnote, Section, strip_markers
from indexer.index import ABSTRACT_ANCHOR
from indexer.search import highlight_passage


@dataclass
class NoteView:
    """A footnote as shown: its text and the anchors of every place that cites it."""

    note: Footnote
    html: Markup
    refs: list[str] = field(default_factory=list)


@dataclass
class ReaderView:
    """The sections with their paragraphs as HTML, and the notes with their back-links."""

    sections: list[tuple[Section, Markup, list[Markup]]]  # a section, its heading's markers, its paragraphs
    notes: list[NoteView]
    abstract: Markup = Markup("")  # the abstract, its note markers linked like a paragraph's


# an http(s) address in escaped HTML, up to white space, a tag, or the "&gt;" of "<https://…>"; a
# closing full stop, comma or parenthesis is the sentence's
WEB_ADDRESS = re.compile(r"https?://(?:[^\s<>\"&]|&amp;)+?(?=[.,;:)\]]*(?:\s|$|&gt;|<))")


def linked_addresses(html: str) -> str:
    """Escaped HTML with each http(s) address a link (a note's "<https://…>").

    >>> linked_addresses("See &lt;https://example.org/a?x=1&amp;y=2&gt;, or https://example.org.")
    'See &lt;<a href="https://example.org/a?x=1&amp;y=2">https://example.org/a?x=1&amp;y=2</a>&gt;, or <a href="https://example.org">https://example.org</a>.'
    """
    return WEB_ADDRESS.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', html)


def in_italics(html: str, phrases: list[str]) -> str:
    """Escaped HTML with the first place of each phrase set in italics (where no highlight parts it).

    >>> in_italics("As the &lt;i&gt; tag says, in The Coast Times &amp; Co.", ["The Coast Times & Co."])
    'As the &lt;i&gt; tag says, in <i>The Coast Times &amp; Co.</i>'
    """
    for phrase in phrases:
        escaped = str(escape(phrase))
        html = html.replace(escaped, f"<i>{escaped}</i>", 1)
    return html


def place_label(section_id: str, title: str, opening: str = "") -> str:
    """What a section is called where it has no title: its number ("§ 3"), with its opening words if known.

    >>> place_label("the-quay", "The quay"), place_label("section-3", ""), place_label("section-3", "", "The lamps were lit again on Sunday evening.")
    ('The quay', '§ 3', '§ 3: The lamps were lit again on…')
    >>> place_label("abstract", "")
    'Abstract'
    """
    if title:
        return title
    if section_id == ABSTRACT_ANCHOR:
        return "Abstract"
    number = re.fullmatch(r"section-(\d+)", section_id)
    label = f"§ {number.group(1)}" if number else "§"
    words = strip_markers(opening).split()
    return f"{label}: {' '.join(words[:6])}…" if len(words) > 6 else f"{label}: {' '.join(words)}" if words else label


def reader_view(doc: Document, terms: frozenset) -> ReaderView:
    """Every paragraph and note as HTML; each marker gets an anchor ``ref-N-K`` that its note links back to."""
    language = doc.meta.language
    notes = {n.number: NoteView(n, Markup(in_italics(linked_addresses(highlight_passage(MARKER.sub("", n.text), terms,
                                                                                          language)), n.italic)))
             for n in doc.footnotes}
    marked: set[str] = set()
    abstract = _paragraph(doc.meta.abstract, terms, notes, language) if doc.meta.abstract else Markup("")
    sections = [(s, Markup("".join(_marker(n, notes) for n in s.heading_notes)),
                 [_page_mark(s.page_of(i), marked) + _paragraph(p, terms, notes, language)
                  for i, p in enumerate(s.paragraphs)])
                for s in doc.sections]
    return ReaderView(sections, list(notes.values()), abstract)


def _paragraph(text: str, terms: frozenset, notes: dict[int, NoteView], language: str) -> Markup:
    """A paragraph as HTML: each run of text escaped and highlighted, each marker a link to its note."""
    pieces = MARKER.split(text)  # text, number, text, number, …, text
    html = [highlight_passage(piece, terms, language) if i % 2 == 0 else _marker(int(piece), notes)
            for i, piece in enumerate(pieces)]
    return Markup("".join(html))


def _page_mark(page: str, marked: set[str]) -> Markup:
    """An anchor ``page-N`` and "p. N" before the first paragraph that starts on a page (none without pages)."""
    if not page or page in marked:
        return Markup("")
    marked.add(page)
    return Markup('<span class="page-mark" id="page-{0}">p. {0}</span> ').format(page)


def _marker(number: int, notes: dict[int, NoteView]) -> str:
    """A note marker linking to its note, with an anchor the note links back to and a preview of the note."""
    note = notes.get(number)
    if note is None:
        return f"<sup>{number}</sup>"
    ref = f"ref-{number}-{len(note.refs) + 1}"
    note.refs.append(ref)
    return (f'<span class="ref"><sup><a id="{ref}" href="#note-{number}" aria-label="Note {number}">'
            f'{number}</a></sup><span class="note-preview" aria-hidden="true">{note.html}</span></span>')
