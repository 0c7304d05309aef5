"""Blocks: the one intermediate form every source becomes before it is split into a document."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from indexer.clean import LIST_ITEM, PARAGRAPH_GAP, SEPARATOR, TERMINAL
from indexer.scripts import word_count

GLUED_LINE_MAX = 60
# a note as a source states it ("[^3]: text", Markdown's form, which a PDF's page-foot notes are given)
NOTE_DEFINITION = re.compile(r"^\[\^(\d{1,3})\]:\s+(?=\S)")


@dataclass
class Block:
    """A paragraph-sized piece of a source.

    ``kind`` is ``para``, ``item`` (list item), ``heading`` (with ``level``), ``note`` (with
    ``number``) or ``sep`` (a section break). ``standalone`` is false for a short line glued to
    the paragraph below it; ``break_before`` marks two or more blank lines before the block;
    ``italic`` holds a note's phrases the source sets in italics.
    """

    text: str
    kind: str = "para"
    level: int = 0
    number: int = 0
    standalone: bool = True
    break_before: bool = False
    italic: tuple[str, ...] = ()  # a note's phrases set in italics

    @property
    def words(self) -> int:
        """How many words the block holds (in CJK text, about one per two characters)."""
        return word_count(self.text)

    def ends_sentence(self) -> bool:
        """True if the text ends with sentence-final punctuation (markers aside)."""
        return bool(TERMINAL.search(re.sub(r"\[\^\d+\]|[⁰-⁹¹²³]+$", "", self.text).rstrip()))


class SourceText(NamedTuple):
    """Characters of visible text in a source, and of its paragraphs (white space folded): those in ``<p>``,
    and those in other blocks of a paragraph's length (``block_chars``: a DocBook ``div.para``).
    """

    chars: int
    paragraph_chars: int
    block_chars: int = 0
    article: bool = False  # the page's article was chosen out of it: the rest is its site's

    def with_blocks(self) -> SourceText:
        """The count of a page whose every block is its text: the blocks' text is paragraph text."""
        return SourceText(self.chars, self.paragraph_chars + self.block_chars, article=self.article)


def text_to_blocks(text: str) -> list[Block]:
    """Split cleaned plain text into blocks: paragraphs, list items, separators.

    >>> [(b.kind, b.text, b.standalone) for b in text_to_blocks("A title\\n\\nOne line\\nwrapped.\\n\\n* * *\\n\\n- x\\n- y")]
    [('para', 'A title', True), ('para', 'One line wrapped.', True), ('sep', '* * *', True), ('item', 'x', True), ('item', 'y', True)]
    >>> [b.text for b in text_to_blocks("A Title?\\nNo. 1 2014\\nAnn Lee")]
    ['A Title?', 'No. 1 2014', 'Ann Lee']
    """
    pieces = PARAGRAPH_GAP.split(text.strip("\n"))
    blocks: list[Block] = []
    for i in range(0, len(pieces), 2):
        gap = pieces[i - 1] if i else ""
        found = _paragraph_blocks(pieces[i])
        if found:
            found[0].break_before = gap.count("\n") >= 3
        blocks.extend(found)
    return blocks


def _paragraph_blocks(paragraph: str) -> list[Block]:
    """One paragraph's blocks: list items apart, wrapped lines joined, unwrapped lines kept apart."""
    lines = [line.strip() for line in paragraph.split("\n") if line.strip()]
    if len(lines) == 1 and SEPARATOR.match(lines[0]):
        return [Block(lines[0], "sep")]
    defined = NOTE_DEFINITION.match(lines[0]) if lines else None
    if defined:
        return [Block(" ".join([lines[0][defined.end():], *lines[1:]]), "note", number=int(defined.group(1)))]
    if len(lines) > 1 and not any(_wraps(a, b) for a, b in zip(lines, lines[1:])):
        return [Block(line, "para", standalone=False) for line in lines]
    blocks: list[Block] = []
    current: list[str] = []
    for i, line in enumerate(lines):
        if LIST_ITEM.match(line) and not re.match(r"^\d", line):
            _flush(current, blocks)
            blocks.append(Block(LIST_ITEM.sub("", line), "item"))
            continue
        current.append(line)
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if nxt and _glued_title_line(line, nxt) and len(current) == 1:
            _flush(current, blocks, standalone=False)
    _flush(current, blocks)
    return blocks


def _wraps(line: str, nxt: str) -> bool:
    """True if a line break looks like a wrap inside a sentence rather than a new line of its own."""
    return line.endswith((",", ";", "-", "–", "—")) or nxt[:1].islower() or LIST_ITEM.match(nxt) is not None


def _glued_title_line(line: str, nxt: str) -> bool:
    """A short line without sentence end directly above a line starting a new sentence."""
    return len(line) <= GLUED_LINE_MAX and not TERMINAL.search(line) and not line.endswith(",") \
        and nxt[:1].isupper() and len(nxt) > len(line)


def _flush(lines: list[str], blocks: list[Block], standalone: bool = True) -> None:
    """Join the gathered lines into one paragraph block and clear them."""
    if lines:
        blocks.append(Block(" ".join(lines), "para", standalone=standalone))
        lines.clear()
