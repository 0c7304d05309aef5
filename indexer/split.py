"""Split: blocks to metadata, sections and linked footnotes. One path for text, Markdown and HTML."""
from __future__ import annotations

from dataclasses import dataclass, field, fields

from archive.model import Footnote, Metadata, Section, strip_markers
from indexer import metadata as meta_rules
from indexer.blocks import Block, SourceText, text_to_blocks
from indexer.clean import CleanText, TocEntry
from indexer.language import detect_language
from indexer.notes import extract_notes, link_notes
from indexer.scripts import word_count
from indexer.sections import build_sections, mark_headings, toc_key

METADATA_FIELDS = {f.name for f in fields(Metadata)}


@dataclass
class Split:
    """What splitting a source yields, before it becomes a stored Document."""

    meta: Metadata
    sections: list[Section]
    footnotes: list[Footnote]
    parts: dict[str, list[str]] = field(default_factory=dict)
    source: SourceText | None = None  # how much text the source held, where the format's reader counted it


def split_text(clean: CleanText) -> Split:
    """Split cleaned plain text; with a table of contents, what precedes it is front matter.

    Unless less text follows the contents than precedes them: a document's own contents come before
    most of its text, so one in mid-text (or near the end) is a list inside the body, and nothing
    before it is dropped.
    """
    if clean.body_start is None or _contents_late(clean):
        return split_blocks(text_to_blocks(clean.text), clean.toc, listed_only=clean.outline)
    found = meta_rules.Found()
    front = text_to_blocks(clean.text[:clean.body_start])
    front = meta_rules.take_global(front, found)
    front = meta_rules.take_head(front, found)
    front = meta_rules.take_abstract(front, found)
    for block in front:
        if meta_rules.is_bio(block.text, found.authors):
            found.add_part("about_author", block.text)
    return split_blocks(text_to_blocks(clean.text[clean.body_start:]), clean.toc, found, head_read=True,
                        listed_only=clean.outline)


def _contents_late(clean: CleanText) -> bool:
    """Whether fewer words follow the removed table of contents than precede it.

    >>> _contents_late(CleanText("Front.\\n\\nA long body of many words here.", [], 8))
    False
    >>> _contents_late(CleanText("A long opening of many words here.\\n\\nEnd.", [], 36))
    True
    """
    return word_count(clean.text[clean.body_start:]) < word_count(clean.text[:clean.body_start])


def split_blocks(blocks: list[Block], toc: list[TocEntry], found: meta_rules.Found | None = None,
                 head_read: bool = False, known: Metadata | None = None, listed_only: bool = False) -> Split:
    """Read metadata, move notes out, find headings (only those the TOC lists, if ``listed_only``), build sections."""
    found = found or meta_rules.Found()
    if known:
        found.authors += [a for a in known.authors if a not in found.authors]
        if known.title and not (blocks and blocks[0].text == known.title):
            blocks = [Block(known.title, "heading", level=1)] + blocks
    blocks = meta_rules.take_global(blocks, found)
    blocks = meta_rules.take_provenance(blocks, found)
    blocks = meta_rules.take_editors_note(blocks, found)
    italics = {block.number: block.italic for block in blocks if block.kind == "note" and block.italic}
    blocks, notes = extract_notes(blocks, frozenset(toc_key(entry.title) for entry in toc))
    if not head_read:
        blocks = meta_rules.take_head(blocks, found, marked_up=known is not None)
    blocks = meta_rules.take_abstract(blocks, found)
    blocks = meta_rules.take_tail(blocks, found)
    sections = build_sections(mark_headings(blocks, toc, listed_only))
    footnotes = link_notes(sections, notes)
    for note in footnotes:
        note.italic = [phrase for phrase in italics.get(note.number, ()) if phrase in note.text]
    meta = _metadata(found, sections, known.language if known else "")
    if known:
        meta = meta.merged_with(known)
    return Split(meta, sections, footnotes, found.parts)


def _metadata(found: meta_rules.Found, sections: list[Section], declared_language: str = "") -> Metadata:
    """The Metadata value from what the rules found; the language as declared, or else from the body text."""
    values = {k: v for k, v in found.fields.items() if k in METADATA_FIELDS}
    if not values.get("date") and found.fields.get("copyright_year"):
        values["date"] = found.fields["copyright_year"]
    if declared_language or not values.get("language"):
        values["language"] = declared_language or detect_language(
            " ".join(strip_markers(p) for s in sections for p in s.paragraphs))
    return Metadata(authors=tuple(dict.fromkeys(found.authors)), **values)
