"""Footnotes: find note blocks, take them out of the body, and link every marker to its note."""
from __future__ import annotations

import re

from archive.model import MARKER, Citation, Footnote, Section
from indexer.blocks import Block
from indexer.sections import toc_key

SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
BODY_MARKER = re.compile(r"(?<![⁰-⁹¹²³])([⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3})(?![⁰-⁹¹²³])|\s?\[\^?(\d{1,3})\]")
NOTE_START = re.compile(r"^(?:\[\^?(\d{1,3})\]:?|(\d{1,3})[.)]|([⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3}))\s+(?=\S)")
NOTES_HEADING = re.compile(r"^(?:end\s?|foot)?notes?:?$|^references$", re.I)
OP_CIT = re.compile(r"op\.?\s*cit\.?,?\s*\[(\d{1,3})\]|\b(?:supra,?\s+)?note\s+(\d{1,3})\b", re.I)
HEADING = -1  # the paragraph number of a place in a section's heading
IBID = re.compile(r"^\W*ibid\b", re.I)


def note_start(block: Block) -> int | None:
    """The note number a plain paragraph opens with ("12. ", "[12] ", "¹² "), or None."""
    if block.kind != "para":
        return None
    found = NOTE_START.match(block.text)
    if not found:
        return None
    return int((found.group(1) or found.group(2) or found.group(3)).translate(SUPERSCRIPTS))


def marker_numbers(blocks: list[Block]) -> set[int]:
    """Every note number a marker in the body cites."""
    numbers = set()
    for block in blocks:
        if block.kind in ("para", "item") and note_start(block) is None:
            numbers.update(int((a or b).translate(SUPERSCRIPTS)) for a, b in BODY_MARKER.findall(block.text))
            numbers.update(int(n) for n in MARKER.findall(block.text))
    return numbers


def extract_notes(blocks: list[Block], listed: frozenset[str] = frozenset()) -> tuple[list[Block], dict[int, str]]:
    """Move numbered note runs out of the body, joining a paragraph a page-foot block split.

    ``listed``: the ``toc_key`` of each heading the contents or outline lists: such a line opening a
    page is never the rest of the paragraph before it, even when that paragraph has no stop.

    A run of paragraphs numbered on from the last note is taken as notes when the body cites
    one of its numbers, or when a "Notes" heading introduces it. Notes already marked as such
    (from HTML or Markdown, or a PDF's page-foot notes) are taken as they are, and then a numbered
    paragraph is text: "1. Introduction" is a heading, never note 1.
    """
    cited = set() if any(block.kind == "note" for block in blocks) else marker_numbers(blocks)
    notes: dict[int, str] = {}
    body: list[Block] = []
    expected, i, split_here = 1, 0, False
    while i < len(blocks):
        block = blocks[i]
        if block.kind == "note":
            notes[block.number] = block.text
            i += 1
            split_here = True  # a page-foot note may stand between the halves of a paragraph
            continue
        run = _numbered_run(blocks, i, expected)
        headed = bool(body) and NOTES_HEADING.match(body[-1].text.strip()) is not None
        if run and (headed or cited.intersection(range(expected, expected + len(run)))):
            if headed:
                body.pop()
            for offset, note in enumerate(run):
                notes[expected + offset] = NOTE_START.sub("", note.text, count=1)
            expected += len(run)
            i += len(run)
            split_here = True
            continue
        if split_here and body and _continues(body[-1], block) and toc_key(block.text) not in listed:
            body[-1] = Block(f"{body[-1].text} {block.text}", body[-1].kind, standalone=body[-1].standalone,
                             break_before=body[-1].break_before)
        else:
            body.append(block)
        split_here = False
        i += 1
    return body, notes


def _numbered_run(blocks: list[Block], start: int, expected: int) -> list[Block]:
    """The blocks from ``start`` numbered expected, expected+1, … in a row."""
    run: list[Block] = []
    for index in range(start, len(blocks)):  # not a slice or islice: both walk from the start, every call
        if note_start(blocks[index]) != expected + len(run):
            break
        run.append(blocks[index])
    return run


def _continues(before: Block, after: Block) -> bool:
    """True if ``after`` is the rest of the paragraph ``before`` that a page break cut."""
    if before.kind != "para" or after.kind != "para" or not before.standalone:
        return False
    return not before.ends_sentence() or after.text[:1].islower()


def link_notes(sections: list[Section], notes: dict[int, str]) -> list[Footnote]:
    """Write every marker as ``[^n]`` and build the footnotes with the places that cite them."""
    footnotes = {n: Footnote(number=n, text=text) for n, text in sorted(notes.items())}
    for section in sections:
        for number in section.heading_notes:
            if number in footnotes:
                footnotes[number].cited_in.append(Citation(section.id, HEADING))
        for index, paragraph in enumerate(section.paragraphs):
            section.paragraphs[index] = _link_paragraph(paragraph, footnotes, section.id, index)
    for note in footnotes.values():
        note.cited = bool(note.cited_in)
        if note.cited_in:
            note.section_id, note.paragraph = note.cited_in[0].section_id, note.cited_in[0].paragraph
    resolve_back_references(footnotes)
    return list(footnotes.values())


def _link_paragraph(text: str, footnotes: dict[int, Footnote], section_id: str, index: int) -> str:
    """One paragraph with its known markers normalised and recorded."""
    def replace(found: re.Match) -> str:
        number = int((found.group(1) or found.group(2) or found.group(3)).translate(SUPERSCRIPTS))
        if number not in footnotes:
            return found.group(0)
        places = footnotes[number].cited_in
        if not places or (places[-1].section_id, places[-1].paragraph) != (section_id, index):
            places.append(Citation(section_id, index))
        return f"[^{number}]"

    return re.sub(BODY_MARKER.pattern + r"|\[\^(\d{1,4})\]", replace, text)


def resolve_back_references(footnotes: dict[int, Footnote]) -> None:
    """Fill ``refers_to`` for "op. cit. [n]", "note n" and "Ibid." (the note before, followed through)."""
    for number, note in footnotes.items():
        if IBID.match(note.text):
            before = footnotes.get(number - 1)
            if before is not None:
                note.refers_to = before.refers_to if IBID.match(before.text) and before.refers_to else [before.number]
            continue
        targets = [int(a or b) for a, b in OP_CIT.findall(note.text)]
        note.refers_to = [t for t in dict.fromkeys(targets) if t in footnotes and t != number]
