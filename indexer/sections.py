"""Headings and sections: find the headings of plain text, give each a level, group paragraphs under them."""
from __future__ import annotations

import re
import unicodedata

from archive.model import MARKER, Section, strip_markers
from indexer.blocks import Block
from indexer.clean import TocEntry, numbering_depth
from indexer.scripts import uncased_letter

SMALL_WORDS = {"a", "an", "and", "as", "at", "but", "by", "de", "for", "from", "in", "into", "nor", "of",
               "on", "or", "per", "the", "to", "vs", "via", "with", "over", "under", "between", "against"}
HEADING_MAX_WORDS = 15
NUMBERED_PREFIX = re.compile(r"^(?:\d+(?:\.\d+)*|[IVXLC]+)\.?\s+(?=\S)")


def heading_key(text: str) -> str:
    """A comparison key for headings: folded case, letters and digits only.

    >>> heading_key("MEANS AND GOALS OF THE STRATEGY OF “SMALL STEPS”") == heading_key("Means and goals of the strategy of \\"small steps\\"")
    True
    """
    folded = unicodedata.normalize("NFKD", text).casefold()
    return re.sub(r"[^0-9a-z]+", " ", folded).strip()


def toc_key(text: str) -> str:
    """A heading's key without its number, as a contents list or an outline may leave it out.

    >>> toc_key("2.1 Referring to Proprietary Programs") == toc_key("Referring to proprietary programs")
    True
    """
    return heading_key(NUMBERED_PREFIX.sub("", text))


def looks_like_heading(block: Block) -> bool:
    """A short standalone line that does not read as a sentence.

    >>> looks_like_heading(Block("The Northern Territories"))
    True
    >>> looks_like_heading(Block("Not in the slightest."))
    False
    """
    text = block.text.strip()
    if block.kind != "para" or not text or "[^" in text:
        return False
    if block.words > HEADING_MAX_WORDS or len(text) > 120 or not (text[0].isupper() or text[0].isdigit()
                                                                   or uncased_letter(text[0])):
        return False
    return not re.search(r"[.,;:。、：；]$", text) and not (text.endswith(("?", "!")) and block.words > 10)


def heading_style(text: str) -> int:
    """A rank for a heading's typography: 1 capitals, 2 title case, 3 sentence case.

    >>> [heading_style(t) for t in ("CONCLUSION", "Policy Recommendations", "Preserve the world order")]
    [1, 2, 3]
    """
    letters = [c for c in text if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        return 1
    words = [w for w in re.findall(r"[^\W\d_][\w’'\-]*", text)[1:] if w.lower() not in SMALL_WORDS]
    return 2 if all(w[0].isupper() for w in words) else 3


def mark_headings(blocks: list[Block], toc: list[TocEntry], listed_only: bool = False) -> list[Block]:
    """Turn heading-like paragraphs into heading blocks with levels; explicit headings stay as given.

    With ``listed_only`` (the TOC is a PDF's outline) only the lines the TOC lists are headings.
    """
    if any(b.kind == "heading" for b in blocks):
        return blocks
    toc_levels = {toc_key(e.title): e.level for e in toc}
    candidates = [i for i, b in enumerate(blocks)
                  if looks_like_heading(b) and i + 1 < len(blocks) and _heading_allowed(b, toc_levels)
                  and (not listed_only or toc_key(b.text) in toc_levels)]
    levels = _levels([blocks[i].text for i in candidates], toc_levels)
    for i, level in zip(candidates, levels):
        blocks[i] = Block(blocks[i].text.strip(), "heading", level=level)
    return blocks


def _heading_allowed(block: Block, toc_levels: dict[str, int]) -> bool:
    """A glued line counts as a heading only where the table of contents names it."""
    return block.standalone or toc_key(block.text) in toc_levels


def _levels(titles: list[str], toc_levels: dict[str, int]) -> list[int]:
    """Levels from the TOC where it names a heading, else from numbering, else from typography."""
    if toc_levels:
        deeper = max(toc_levels.values()) + 1
        return [toc_levels.get(toc_key(t), deeper) for t in titles]
    ranks = []
    for title in titles:
        ranks.append(numbering_depth(title) or 10 + heading_style(title))
    order = sorted(set(ranks))
    return [order.index(rank) + 1 for rank in ranks]


def build_sections(blocks: list[Block]) -> list[Section]:
    """Group body blocks into sections: at headings, else at separators and wide gaps."""
    has_headings = any(b.kind == "heading" for b in blocks)
    sections: list[Section] = []
    current = Section("", "", 1)
    for block in blocks:
        starts = block.kind == "heading" or (not has_headings and (block.kind == "sep" or block.break_before))
        if starts and (current.paragraphs or current.title):
            sections.append(current)
            current = Section("", "", 1)
        if block.kind == "heading":
            notes = [int(n) for n in MARKER.findall(block.text)]
            current = Section("", strip_markers(block.text).strip(), block.level, heading_notes=notes)
        elif block.kind != "sep":
            current.paragraphs.append(block.text)
    if current.paragraphs or current.title or not sections:
        sections.append(current)
    return assign_ids(sections)


READER_ANCHORS = re.compile(r"(note|ref)-\d+(-\d+)?|contents|notes|related|cite|results|top|abstract")
"""Anchors the reader page uses itself, which a section id must not take."""


def assign_ids(sections: list[Section]) -> list[Section]:
    """Give every section a unique anchor: a slug of its title, or ``section-N``; reader anchors are avoided.

    >>> [s.id for s in assign_ids([Section("", "Notes", 1), Section("", "Notes", 1), Section("", "", 1)])]
    ['section-notes', 'section-notes-2', 'section-3']
    """
    seen: set[str] = set()
    for number, section in enumerate(sections, 1):
        base = slugify(section.title) or f"section-{number}"
        if READER_ANCHORS.fullmatch(base):
            base = f"section-{base}"
        candidate, suffix = base, 2
        while candidate in seen:
            candidate, suffix = f"{base}-{suffix}", suffix + 1
        section.id = candidate
        seen.add(candidate)
    return sections


def slugify(text: str, limit: int = 60) -> str:
    """A lowercase ASCII slug.

    >>> slugify("Russia’s contempt for the Japan-US alliance")
    'russias-contempt-for-the-japan-us-alliance'
    """
    decomposed = unicodedata.normalize("NFKD", re.sub(r"['’]", "", text))
    ascii_text = "".join(c if c.isascii() else "" if unicodedata.combining(c) else "-" for c in decomposed)
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-")
