"""HTML sources: metadata from the head, notes linked by anchors, the article body as blocks."""
from __future__ import annotations

import re
import warnings

from bs4 import BeautifulSoup, Comment, MarkupResemblesLocatorWarning, Tag, XMLParsedAsHTMLWarning

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


def parse_html(html: str, whole_body: bool = False) -> tuple[list[Block], Metadata]:
    """Blocks of the article body (notes as note blocks) and the metadata the markup states.

    ``whole_body`` is for HTML rendered from Markdown: a fragment with no head, all of it content.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)  # XHTML pages are read as HTML on purpose
        soup = BeautifulSoup(html, "lxml")
    meta = Metadata() if whole_body else head_metadata(soup)
    for node in soup.find_all(string=lambda s: isinstance(s, Comment)):
        node.extract()
    notes = take_notes(soup)
    for tag in soup.find_all(DROP_TAGS):
        tag.decompose()
    body = soup.body or soup
    main = body if whole_body else find_main(body)
    return element_blocks(main, meta.title) + notes, meta


def head_metadata(soup: BeautifulSoup) -> Metadata:
    """Title, authors, date and the rest from <meta>, <title>, <h1>, <time> and the lang attribute."""
    metas: dict[str, list[str]] = {}
    for tag in soup.find_all("meta"):
        name = (tag.get("name") or tag.get("property") or "").lower()
        if name and tag.get("content"):
            metas.setdefault(name, []).append(" ".join(tag["content"].split()))

    def first(field: str) -> str:
        return next((metas[n][0] for n in META_NAMES[field] if metas.get(n)), "")

    authors = next((metas[n] for n in META_NAMES["authors"] if metas.get(n)), [])
    heading = soup.find("h1")
    title = first("title") or (heading.get_text(" ", strip=True) if heading else "") or \
        (soup.title.get_text(" ", strip=True) if soup.title else "")
    time = soup.find("time")
    date = first("date") or (time.get("datetime", "") or time.get_text()) if time else first("date")
    canonical = soup.find("link", rel="canonical")
    lang = soup.html.get("lang", "") if soup.html else ""
    return Metadata(
        title=title, authors=tuple(normalise_name(a) for a in authors), date=date_or_year(date or ""),
        publisher=first("publisher"), container_title=first("container_title"), number=first("number"),
        isbn=first("isbn"), url=first("url") or (canonical.get("href", "") if canonical else ""),
        abstract=first("abstract"), language=(first("language") or lang)[:2].lower(),
    )


def take_notes(soup: BeautifulSoup) -> list[Block]:
    """Note blocks from the elements that in-text note links point at; markers become ``[^n]``."""
    notes: list[Block] = []
    by_id: dict[str, Tag] = {}
    for tag in soup.find_all(id=True):
        by_id.setdefault(tag["id"], tag)  # the first element with an id wins, as in a browser
    for link in soup.find_all("a", href=re.compile(r"^#.")):
        if link.decomposed:
            continue
        number = link.get_text(strip=True).strip("[]()")
        target = by_id.get(link["href"][1:])
        if not number.isdigit() or target is None or target in link.parents or _in_note(link):
            continue
        marker = link.parent if link.parent.name == "sup" else link
        marker.replace_with(f"[^{int(number)}]")
        if target.parent is not None:
            notes.append(Block(_note_text(target), "note", number=int(number)))
            target.extract()
    for container in soup.find_all(class_=NOTE_CONTAINER) + soup.find_all(id=NOTE_CONTAINER):
        if container.parent is not None and not container.get_text(strip=True).strip("—-"):
            container.decompose()
    return notes


def _in_note(link: Tag) -> bool:
    """True if a link sits inside a footnote list (a back-link, not a marker)."""
    return any(NOTE_CONTAINER.search(" ".join(p.get("class", [])) + " " + (p.get("id") or ""))
               for p in link.parents if isinstance(p, Tag))


def _note_text(target: Tag) -> str:
    """A note's text without its back-links."""
    for back in target.find_all("a"):
        if BACKLINK.match(back.get_text(strip=True)) or "backref" in " ".join(back.get("class", [])):
            back.decompose()
    return " ".join(target.get_text(" ", strip=True).split())


def find_main(body: Tag) -> Tag:
    """The article body: <article>, <main> or role=main, else the block densest in paragraph text."""
    for tag in body.find_all(["header", "footer"]):
        if not tag.find_parent(["article", "main"]):
            tag.decompose()
    for tag in body.find_all(True, attrs={"class": CHROME_ATTR}) + body.find_all(True, id=CHROME_ATTR):
        if tag.parent is not None and tag.name not in ("body", "article", "main", "html"):
            tag.decompose()
    candidates = body.find_all("article") or body.find_all("main") or body.find_all(attrs={"role": "main"})
    if candidates:
        return max(candidates, key=lambda t: len(t.get_text()))
    scores: dict[int, tuple[int, Tag]] = {}
    for paragraph in body.find_all("p"):
        parent = paragraph.parent
        length, _ = scores.get(id(parent), (0, parent))
        scores[id(parent)] = (length + len(paragraph.get_text()), parent)
    return max(scores.values(), key=lambda pair: pair[0])[1] if scores else body


def element_blocks(root: Tag, title: str = "") -> list[Block]:
    """Leaf block elements in document order: headings with levels, paragraphs, list items, rules."""
    blocks: list[Block] = []
    tags = root.find_all(BLOCK_TAGS)
    containers = _containers(tags, root)
    for tag in tags:
        if tag.name == "hr":
            blocks.append(Block("* * *", "sep"))
            continue
        if id(tag) in containers:
            continue
        text = " ".join(tag.get_text(" ", strip=True).split())
        text = re.sub(r"\s+(\[\^\d+\])", r"\1", text)
        if not text:
            continue
        if re.fullmatch(r"h[1-6]", tag.name):
            blocks.append(Block(text, "heading", level=int(tag.name[1])))
        else:
            blocks.append(Block(text, "item" if tag.name == "li" else "para"))
    return _normalise_levels(blocks, title)


def _containers(tags: list[Tag], root: Tag) -> set[int]:
    """The ids of the block elements that hold another block element (one walk up from each block)."""
    block_names = set(BLOCK_TAGS)
    containers: set[int] = set()
    for tag in tags:
        parent = tag.parent
        while parent is not None and parent is not root:
            if parent.name in block_names:
                containers.add(id(parent))
                break
            parent = parent.parent
    return containers


def _normalise_levels(blocks: list[Block], title: str) -> list[Block]:
    """Drop a heading that repeats the title; make the highest remaining heading level 1."""
    blocks = [b for b in blocks if not (b.kind == "heading" and b.text == title)]
    levels = sorted({b.level for b in blocks if b.kind == "heading"})
    for block in blocks:
        if block.kind == "heading":
            block.level = levels.index(block.level) + 1
    return blocks
