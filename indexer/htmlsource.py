"""HTML sources: metadata from the head, notes linked by anchors, the article body as blocks.

Parsed with lxml (libxml2's HTML parser, which recovers from broken markup like a browser): it reads
HTML about twenty times faster than BeautifulSoup's tree builder, which dominated ingest time. Plain
``lxml.etree`` elements, not ``lxml.html``'s: those are looked up by a Python callback per element.
"""
from __future__ import annotations

import re

from lxml import etree
from lxml.etree import _Element as Element

from archive.model import Metadata
from indexer.blocks import Block
from indexer.dates import date_or_year
from indexer.metadata import normalise_name

DROP_TAGS = ["script", "style", "noscript", "iframe", "object", "embed", "form", "nav", "aside", "button",
             "svg", "template", "figcaption", "select", "textarea", "input"]
BLOCK_TAGS = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "pre", "dt", "dd", "div",
              "section", "tr", "hr", "td"]
CHROME_ATTR = re.compile(r"comment|share|social|related|newsletter|subscribe|cookie|banner|promo|breadcrumb"
                         r"|sidebar|masthead|site-?header|site-?footer|menu", re.I)
NOTE_CONTAINER = re.compile(r"foot-?notes?|end-?notes?", re.I)
BACKLINK = re.compile(r"^(?:↩|↑|\^|back|return)", re.I)
META_NAMES = {
    "title": ["citation_title", "dc.title", "og:title", "twitter:title"],
    "authors": ["citation_author", "dc.creator", "author", "article:author"],
    "date": ["citation_publication_date", "citation_date", "article:published_time", "dc.date",
             "dcterms.date", "date"],
    "publisher": ["citation_publisher", "citation_technical_report_institution", "dc.publisher", "og:site_name"],
    "container_title": ["citation_journal_title", "citation_book_title"],
    "number": ["citation_issue", "citation_technical_report_number"],
    "isbn": ["citation_isbn"],
    "url": ["citation_public_url", "og:url"],
    "abstract": ["citation_abstract", "dc.description", "description", "og:description"],
    "language": ["citation_language", "dc.language"],
}


PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
EMPTY = b"<html><body></body></html>"


def parse_html(html: str, whole_body: bool = False) -> tuple[list[Block], Metadata]:
    """Blocks of the article body (notes as note blocks) and the metadata the markup states.

    ``whole_body`` is for HTML rendered from Markdown: a fragment with no head, all of it content.
    """
    root = _parse(html)
    meta = Metadata() if whole_body else head_metadata(root)
    notes = take_notes(root)
    for tag in list(root.iter(*DROP_TAGS)):
        _drop(tag)
    body = root.find("body")
    body = root if body is None else body
    main = body if whole_body else find_main(body)
    return element_blocks(main, meta.title) + notes, meta


def _parse(html: str) -> Element:
    """The document element; an empty one for a document with no markup at all."""
    root = etree.fromstring(html.encode("utf-8") or EMPTY, parser=PARSER)
    return etree.fromstring(EMPTY, parser=PARSER) if root is None else root


def text_of(tag: Element, separator: str = " ") -> str:
    """The text inside an element, its pieces stripped and joined (BeautifulSoup's get_text(sep, strip=True))."""
    return separator.join(piece.strip() for piece in tag.itertext() if piece.strip())


def text_content(tag: Element) -> str:
    """All the text inside an element, unchanged."""
    return "".join(tag.itertext())


def _drop(tag: Element) -> None:
    """Remove an element and what it contains, keeping the text that follows it."""
    if tag.getparent() is not None:
        _replace_with_text(tag, "")


def _replace_with_text(tag: Element, text: str) -> None:
    """Put plain text where an element was."""
    previous, parent = tag.getprevious(), tag.getparent()
    addition = text + (tag.tail or "")
    if previous is not None:
        previous.tail = (previous.tail or "") + addition
    else:
        parent.text = (parent.text or "") + addition
    parent.remove(tag)


CLASSES = etree.XPath("descendant-or-self::*/@class", smart_strings=False)
IDS = etree.XPath("descendant-or-self::*/@id", smart_strings=False)  # apart: a union is sorted, and slower
LABELLED = etree.XPath("descendant-or-self::*[@class = $label or @id = $label]")


def _labelled(root: Element, pattern: re.Pattern) -> list[Element]:
    """The elements under ``root`` (itself included) whose class or id matches ``pattern``."""
    # manual pages label thousands of elements (code highlighting) with a few repeated values:
    # each distinct value is matched once, and only the elements of matching ones are fetched
    found: dict[Element, None] = {}
    for label in sorted({label for label in {*CLASSES(root), *IDS(root)} if pattern.search(label)}):
        found.update(dict.fromkeys(LABELLED(root, label=label)))
    return list(found)


def _classes_and_id(tag: Element) -> str:
    """An element's class names and id, as one string to match."""
    return f"{tag.get('class') or ''} {tag.get('id') or ''}"


def head_metadata(root: Element) -> Metadata:
    """Title, authors, date and the rest from <meta>, <title>, <h1>, <time> and the lang attribute."""
    metas: dict[str, list[str]] = {}
    for tag in root.iter("meta"):
        name = (tag.get("name") or tag.get("property") or "").lower()
        if name and tag.get("content"):
            metas.setdefault(name, []).append(" ".join(tag.get("content").split()))

    def first(field: str) -> str:
        return next((metas[n][0] for n in META_NAMES[field] if metas.get(n)), "")

    authors = next((metas[n] for n in META_NAMES["authors"] if metas.get(n)), [])
    heading, title_tag, time = (next(root.iter(name), None) for name in ("h1", "title", "time"))
    title = first("title") or (text_of(heading) if heading is not None else "") or \
        (text_of(title_tag) if title_tag is not None else "")
    date = first("date") or ((time.get("datetime") or text_content(time)) if time is not None else "")
    canonical = next((link.get("href", "") for link in root.iter("link")
                      if "canonical" in (link.get("rel") or "").lower().split()), "")
    return Metadata(
        title=title, authors=tuple(normalise_name(a) for a in authors), date=date_or_year(date or ""),
        publisher=first("publisher"), container_title=first("container_title"), number=first("number"),
        isbn=first("isbn"), url=first("url") or canonical,
        abstract=first("abstract"), language=(first("language") or root.get("lang") or "")[:2].lower(),
    )


def take_notes(root: Element) -> list[Block]:
    """Note blocks from the elements that in-text note links point at; markers become ``[^n]``."""
    notes: list[Block] = []
    by_id: dict[str, Element] = {}
    for tag in root.xpath("//*[@id]"):
        by_id.setdefault(tag.get("id"), tag)  # the first element with an id wins, as in a browser
    for link in list(root.iter("a")):
        href = link.get("href") or ""
        if len(href) < 2 or not href.startswith("#") or not _attached(link, root):
            continue
        number = text_of(link, "").strip("[]()")
        target = by_id.get(href[1:])
        if not number.isdigit() or target is None or target in link.iterancestors() or _in_note(link):
            continue
        marker = link.getparent() if link.getparent().tag == "sup" else link
        _replace_with_text(marker, f"[^{int(number)}]")
        if target.getparent() is not None and _attached(target, root):
            notes.append(Block(_note_text(target), "note", number=int(number)))
            _drop(target)
    for container in _labelled(root, NOTE_CONTAINER):
        if _attached(container, root) and not text_of(container, "").strip("—-"):
            _drop(container)
    return notes


def _attached(tag: Element, root: Element) -> bool:
    """True while an element is still inside the document (not in a removed subtree)."""
    for ancestor in tag.iterancestors():
        if ancestor is root:
            return True
    return tag is root


def _in_note(link: Element) -> bool:
    """True if a link sits inside a footnote list (a back-link, not a marker)."""
    return any(NOTE_CONTAINER.search(_classes_and_id(p)) for p in link.iterancestors())


def _note_text(target: Element) -> str:
    """A note's text without its back-links."""
    for back in list(target.iter("a")):
        if BACKLINK.match(text_of(back, "")) or "backref" in (back.get("class") or ""):
            _drop(back)
    return " ".join(text_of(target).split())


def find_main(body: Element) -> Element:
    """The article body: <article>, <main> or role=main, else the block densest in paragraph text."""
    for tag in list(body.iter("header", "footer")):
        if not any(a.tag in ("article", "main") for a in tag.iterancestors()):
            _drop(tag)
    for tag in _labelled(body, CHROME_ATTR):
        if tag.tag not in ("body", "article", "main", "html") and _attached(tag, body):
            _drop(tag)
    candidates = list(body.iter("article")) or list(body.iter("main")) or \
        [t for t in body.iter() if t.get("role") == "main"]
    if candidates:
        return max(candidates, key=lambda t: len(text_content(t)))
    scores: dict[int, tuple[int, Element]] = {}
    for paragraph in body.iter("p"):
        parent = paragraph.getparent()
        length, _ = scores.get(id(parent), (0, parent))
        scores[id(parent)] = (length + len(text_content(paragraph)), parent)
    return max(scores.values(), key=lambda pair: pair[0])[1] if scores else body


def element_blocks(root: Element, title: str = "") -> list[Block]:
    """Leaf block elements in document order: headings with levels, paragraphs, list items, rules."""
    blocks: list[Block] = []
    tags = [t for t in root.iter(*BLOCK_TAGS) if t is not root]
    containers = _containers(tags, root)
    for tag in tags:
        if tag.tag == "hr":
            blocks.append(Block("* * *", "sep"))
            continue
        if id(tag) in containers:
            continue
        text = " ".join(" ".join(tag.itertext()).split())
        if "[^" in text:
            text = re.sub(r"\s+(\[\^\d+\])", r"\1", text)
        if not text:
            continue
        if re.fullmatch(r"h[1-6]", tag.tag):
            blocks.append(Block(text, "heading", level=int(tag.tag[1])))
        else:
            blocks.append(Block(text, "item" if tag.tag == "li" else "para"))
    return _normalise_levels(blocks, title)


def _containers(tags: list[Element], root: Element) -> set[int]:
    """The ids of the block elements that hold another block element (one walk up from each block)."""
    block_names = set(BLOCK_TAGS)
    containers: set[int] = set()
    for tag in tags:
        for parent in tag.iterancestors():
            if parent is root:
                break
            if parent.tag in block_names:
                containers.add(id(parent))
                break
    return containers


def _normalise_levels(blocks: list[Block], title: str) -> list[Block]:
    """Drop a heading that repeats the title; make the highest remaining heading level 1."""
    blocks = [b for b in blocks if not (b.kind == "heading" and b.text == title)]
    levels = sorted({b.level for b in blocks if b.kind == "heading"})
    for block in blocks:
        if block.kind == "heading":
            block.level = levels.index(block.level) + 1
    return blocks
