"""The body of a web article, found by trafilatura, as blocks; with the metadata trafilatura reads.

trafilatura is used for pages that do not mark their structure (news, blogs, shops, institutions):
on the labelled devset pages it keeps more of the body and less of the chrome than our own
densest-block rule did (snippet F1 0.92 against 0.78), and reads bylines we did not. It runs on
the tree after the notes were taken out, so markers reach it as ``[^n]`` text.
"""
from __future__ import annotations

import re

from lxml import etree
from lxml.etree import _Element as Element

from archive.model import Metadata
from indexer.blocks import Block

PARAGRAPH_TAGS = {"p": "para", "quote": "para", "code": "para", "item": "item"}


def article(root: Element) -> tuple[list[Block], Metadata] | None:
    """Blocks of the article trafilatura finds in a parsed page, and its metadata; None if it finds none."""
    import trafilatura  # here: its imports cost ~100 MB, which processes that never meet such a page are spared

    html = etree.tostring(root, method="html", encoding="unicode")
    # the page's date is read by htmlmeta: htmldate's extensive search (dateparser over every locale) took
    # half of trafilatura's time and 3 s a process to start, for a date never used
    found = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False,
                                        include_tables=True, deduplicate=False,
                                        date_extraction_params={"extensive_search": False, "original_date": True})
    if found is None or found.body is None:
        return None
    blocks = body_blocks(found.body)
    if not blocks:
        return None
    authors = tuple(a.strip() for a in (found.author or "").split(";") if a.strip())
    return blocks, Metadata(title=found.title or "", authors=authors, publisher=found.sitename or "",
                            url=found.url or "", language=(found.language or "")[:2])


def body_blocks(body: Element) -> list[Block]:
    """trafilatura's XML body as blocks: heads with their levels, paragraphs, list items, table rows.

    >>> xml = '<body><head rend="h2">One</head><p>Text<lb/>more.</p><list><item>x</item></list>'
    >>> xml += '<table><row><cell>a</cell><cell>b</cell></row></table></body>'
    >>> [(b.kind, b.text, b.level) for b in body_blocks(etree.fromstring(xml))]
    [('heading', 'One', 2), ('para', 'Text more.', 0), ('item', 'x', 0), ('para', 'a | b', 0)]
    """
    blocks: list[Block] = []
    for tag in body.iter("head", "p", "quote", "code", "item", "row"):
        if any(parent.tag in PARAGRAPH_TAGS or parent.tag == "row" for parent in tag.iterancestors()):
            continue
        if tag.tag == "row":
            text = " | ".join(_text(cell) for cell in tag.iter("cell") if _text(cell))
        else:
            text = _text(tag)
        if not text:
            continue
        if tag.tag == "head":
            level = re.fullmatch(r"h([1-6])", tag.get("rend") or "")
            blocks.append(Block(text, "heading", level=int(level.group(1)) if level else 2))
        else:
            blocks.append(Block(text, PARAGRAPH_TAGS.get(tag.tag, "para")))
    return blocks


def _text(tag: Element) -> str:
    """An element's text with white space folded; markers kept against the word they follow."""
    text = " ".join(" ".join(tag.itertext()).split())
    return re.sub(r"\s+(\[\^\d+\])", r"\1", text) if "[^" in text else text
